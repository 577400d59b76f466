package sim_test

import (
	"context"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Test policies: keep every function on one placement, never pre-warm.
type fixedStrategic struct{ p sim.ProviderID }

func (f fixedStrategic) Name() string { return "test-fixed" }
func (f fixedStrategic) Providers(_ *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range out {
		out[i] = f.p
	}
	return nil
}

type fixedTactical struct{ region, memory uint8 }

func (f fixedTactical) Name() string { return "test-fixed" }
func (f fixedTactical) Placements(_ *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		out[i].Region, out[i].Memory = f.region, f.memory
	}
	return nil
}

type keepAlive struct{ d sim.Duration }

func (k keepAlive) Name() string                                                       { return "test-keepalive" }
func (k keepAlive) Decide(_ *sim.OperationalObservation, out []sim.PoolDecision) error { return nil }
func (k keepAlive) Stationary() sim.PoolDecision                                       { return sim.PoolDecision{KeepAlive: k.d} }

// testCatalog is one provider, one region, one 1-vCPU memory option, no
// network delay: execution time equals the reference duration.
func testCatalog(cold dist.Quantiler, ka sim.Duration, lim sim.Limits) *sim.Catalog {
	return &sim.Catalog{
		Providers: []sim.Provider{{
			Name:      "test",
			Regions:   []sim.Region{{Name: "r", Role: "r", Carbon: carbon.Constant(100), PriceFactor: 1}},
			Memory:    []sim.MemoryOption{{MB: 2048, VCPU: 1}},
			Billing:   billing.Rules{RequestUSD: 1e-7, GranularityUS: 1000, GBSecondUSD: 1e-5},
			Power:     sim.PowerModel{MinWPerVCPU: 1, MaxWPerVCPU: 4, MemWPerGB: 0.4, PUE: 1.1},
			ColdStart: cold,
			KeepAlive: ka,
			Limits:    lim,
			Speed:     1,

			InstanceConcurrency: 1,
		}},
		Zones: []sim.Zone{{Name: "z", RTT: [][]sim.Duration{{0}}}},
	}
}

func baseConfig(cat *sim.Catalog, src sim.Source, op sim.Operational) sim.Config {
	return sim.Config{
		Catalog: cat, Source: src,
		Strategic: fixedStrategic{}, Tactical: fixedTactical{}, Operational: op,
		Streams:        sim.NewStreams(1, 0),
		StrategicEpoch: sim.Hour, TacticalEpoch: 15 * sim.Minute, Tick: 15 * sim.Second,
		AppZones:         make([]sim.ZoneID, len(src.Apps())),
		CPUBoundFraction: 0.5, BusyUtilisation: 0.5,
		SLO:           sim.SLO{Factor: 2, Slack: 500 * sim.Millisecond},
		MaxQueueWait:  10 * sim.Second,
		PriorDuration: sim.Second, PriorMemoryMB: 128,
	}
}

// listSource replays a fixed list of invocations (arrival order).
type listSource struct {
	invs    []sim.Invocation
	i       int
	fns     int
	horizon sim.Time
}

func newList(horizon sim.Time, fns int, invs ...sim.Invocation) *listSource {
	return &listSource{invs: invs, i: -1, fns: fns, horizon: horizon}
}

func (l *listSource) Next() bool         { l.i++; return l.i < len(l.invs) }
func (l *listSource) At() sim.Invocation { return l.invs[l.i] }
func (l *listSource) Err() error         { return nil }
func (l *listSource) Apps() []string     { return []string{"app"} }
func (l *listSource) Horizon() sim.Time  { return l.horizon }
func (l *listSource) Functions() []sim.FunctionInfo {
	f := make([]sim.FunctionInfo, l.fns)
	for i := range f {
		f[i] = sim.FunctionInfo{Name: "f" + string(rune('0'+i)), App: 0}
	}
	return f
}

// at builds an invocation of function 0 arriving at t (seconds) running d
// seconds with a 100 MB footprint.
func at(t, d float64) sim.Invocation {
	return sim.Invocation{Arrival: sim.Time(sim.FromSeconds(t)), Duration: sim.FromSeconds(d), MemoryMB: 100}
}

// run builds and runs an engine, failing the test on error.
func run(t *testing.T, cfg sim.Config) *sim.Metrics {
	t.Helper()
	m, err := sim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// prewarm holds n pre-warmed instances in every pool.
type prewarm struct{ n int }

func (p prewarm) Name() string { return "test-prewarm" }
func (p prewarm) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range out {
		out[i] = sim.PoolDecision{Prewarm: p.n, KeepAlive: sim.ProviderKeepAlive}
	}
	return nil
}
