package rl

import (
	"context"
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// listSource replays fixed invocations of one function.
type listSource struct {
	invs    []sim.Invocation
	i       int
	horizon sim.Time
}

func (l *listSource) Next() bool                    { l.i++; return l.i < len(l.invs) }
func (l *listSource) At() sim.Invocation            { return l.invs[l.i] }
func (l *listSource) Err() error                    { return nil }
func (l *listSource) Apps() []string                { return []string{"app"} }
func (l *listSource) Horizon() sim.Time             { return l.horizon }
func (l *listSource) Functions() []sim.FunctionInfo { return []sim.FunctionInfo{{Name: "f", App: 0}} }

// firstRegion keeps the provider, region 0, memory 0.
type firstRegion struct{}

func (firstRegion) Name() string { return "first-region" }
func (firstRegion) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		out[i] = sim.Placement{Provider: out[i].Provider}
	}
	return nil
}

// onProvider puts every function on one provider.
type onProvider sim.ProviderID

func (onProvider) Name() string { return "on-provider" }
func (p onProvider) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range out {
		out[i] = sim.ProviderID(p)
	}
	return nil
}

type noPrewarm struct{}

func (noPrewarm) Name() string { return "none" }
func (noPrewarm) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range out {
		out[i] = sim.PoolDecision{KeepAlive: 0}
	}
	return nil
}

// scripted plays fixed actions, epoch by epoch.
type scripted struct {
	acts []int32
	k    int
}

func (s *scripted) Act(_ []float64, _ []bool, n int, actions []int32, _, _ []float64) error {
	for i := range n {
		actions[i] = s.acts[s.k]
	}
	s.k++
	return nil
}

// handWorld is two providers that differ only in their GB-s price, with
// no cold-start time, no keep-alive, no network and memory power only, so
// that an invocation's cost, latency and carbon can be written down.
func handWorld(src sim.Source) sim.Config {
	prov := func(name string, gbs float64) sim.Provider {
		return sim.Provider{Name: name,
			Regions:   []sim.Region{{Name: "r", Role: "r", Carbon: carbon.Constant(100), PriceFactor: 1}},
			Memory:    []sim.MemoryOption{{MB: 2048, VCPU: 1}, {MB: 4096, VCPU: 2}},
			Billing:   billing.Rules{RequestUSD: 1e-7, GranularityUS: 1000, GBSecondUSD: gbs},
			Power:     sim.PowerModel{MemWPerGB: 0.4, PUE: 1},
			ColdStart: dist.Constant{V: 0}, Speed: 1, InstanceConcurrency: 1}
	}
	cat := &sim.Catalog{Providers: []sim.Provider{prov("a", 1e-5), prov("b", 2e-5)},
		Zones: []sim.Zone{{Name: "z", RTT: [][]sim.Duration{{0}, {0}}}}}
	return sim.Config{Catalog: cat, Source: src, Tactical: firstRegion{}, Operational: noPrewarm{},
		Streams: sim.NewStreams(1, 0), StrategicEpoch: sim.Hour, TacticalEpoch: 15 * sim.Minute, Tick: 15 * sim.Second,
		AppZones: []sim.ZoneID{0}, CPUBoundFraction: 0.5, BusyUtilisation: 0.5,
		SLO: sim.SLO{Factor: 2, Slack: 500 * sim.Millisecond}, MaxQueueWait: 10 * sim.Second,
		PriorDuration: sim.Second, PriorMemoryMB: 128}
}

// The environment's transitions for a hand-built run: the function runs
// on provider b during the first hour (invocations of 1 s and 2 s) and on
// a during the second (0.5 s); each reward is the objective of that hour's
// invocations, computed here from the prices.
func TestEnvironmentRewardByHand(t *testing.T) {
	inv := func(at, d float64) sim.Invocation {
		return sim.Invocation{Arrival: sim.Time(sim.FromSeconds(at)), Duration: sim.FromSeconds(d), MemoryMB: 100}
	}
	src := &listSource{invs: []sim.Invocation{inv(10, 1), inv(20, 2), inv(3700, 0.5)}, i: -1, horizon: sim.Time(2 * sim.Hour)}
	cfg := handWorld(src)
	obj := sim.DefaultObjective()
	shape, err := ShapeOf(Strategic, cfg.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFeaturizer(shape, cfg.Catalog, obj)
	if err != nil {
		t.Fatal(err)
	}
	ep := &Episode{Feat: f, Obj: obj}
	ts, _, err := ep.Run(context.Background(), cfg, &scripted{acts: []int32{1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 {
		t.Fatalf("%d transitions, want 2", len(ts))
	}
	// value = 0.4·(cost/n)/ref_cost + 0.4·(mean latency)/ref_latency
	//       + 0.2·(carbon/n)/ref_carbon (no SLA violation: the objective is
	//       2 × the duration + 0.5 s).
	value := func(n int, secs, gbs float64) float64 {
		cost := float64(n)*1e-7 + secs*2*gbs
		carbonG := 0.4 * 2 * secs / 3.6e6 * 100 // W × s → kWh × g/kWh
		r := obj.Reference
		return 0.4*cost/float64(n)/r.CostUSD + 0.4*secs/float64(n)/r.Latency.Seconds() + 0.2*carbonG/float64(n)/r.CarbonG
	}
	want := []float64{-value(2, 3, 2e-5), -value(1, 0.5, 1e-5)}
	for k, tr := range ts {
		if math.Abs(tr.Reward-want[k]) > 1e-9*math.Abs(want[k]) {
			t.Errorf("transition %d: reward %.12g, want %.12g", k, tr.Reward, want[k])
		}
		if !tr.Finished || tr.Action != []int32{1, 0}[k] {
			t.Errorf("transition %d: finished %v, action %d", k, tr.Finished, tr.Action)
		}
	}
	if ts[0].Done || ts[0].Next == nil || !ts[1].Done || ts[1].Next != nil {
		t.Errorf("done/next: first %v/%v, last %v/%v", ts[0].Done, ts[0].Next != nil, ts[1].Done, ts[1].Next != nil)
	}
	// The second observation remembers the first hour's outcome on b
	// (provider 1): ran-flag 1 and its terms (log1p of the three weighted
	// terms, the SLA share), whose sum is the value.
	P := shape.Providers
	y := ts[1].Obs[workloadFeatures+P+1*providerFeatures:]
	if y[7] != 1 {
		t.Errorf("remembered outcome on b: %v", y[7:12])
	}
	if s := math.Expm1(y[8]) + math.Expm1(y[9]) + math.Expm1(y[10]) + y[11]; math.Abs(s-value(2, 3, 2e-5)) > 1e-9 {
		t.Errorf("remembered terms sum to %v, want %v", s, value(2, 3, 2e-5))
	}
	if ts[1].Obs[workloadFeatures+1] != 1 || ts[1].Obs[workloadFeatures] != 0 {
		t.Errorf("current provider one-hot: %v", ts[1].Obs[workloadFeatures:workloadFeatures+P])
	}
}
