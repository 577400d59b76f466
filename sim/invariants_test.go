package sim_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// Erratic policies that exercise placement moves, draining pools, pre-warm
// targets going up and down and keep-alive changes.
type erraticStrategic struct{ rng *rand.Rand }

func (e erraticStrategic) Name() string { return "erratic" }
func (e erraticStrategic) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range out {
		if e.rng.IntN(3) == 0 {
			out[i] = sim.ProviderID(e.rng.IntN(len(obs.Catalog.Providers)))
		}
	}
	return nil
}

type erraticTactical struct{ rng *rand.Rand }

func (e erraticTactical) Name() string { return "erratic" }
func (e erraticTactical) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		p := &obs.Catalog.Providers[out[i].Provider]
		out[i].Region = uint8(e.rng.IntN(len(p.Regions)))
		out[i].Memory = uint8(e.rng.IntN(len(p.Memory)))
	}
	return nil
}

type erraticOperational struct{ rng *rand.Rand }

func (e erraticOperational) Name() string { return "erratic" }

// Lookahead makes the engine read ahead as for the oracle.
func (e erraticOperational) Lookahead() sim.Duration { return time30s }

const time30s = 30 * sim.Second

func (e erraticOperational) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	kas := []sim.Duration{sim.ProviderKeepAlive, 0, 10 * sim.Second, 5 * sim.Minute}
	for i := range out {
		out[i] = sim.PoolDecision{Prewarm: e.rng.IntN(3) * e.rng.IntN(2), KeepAlive: kas[e.rng.IntN(len(kas))]}
	}
	return nil
}

// twoProviders is a catalog with different limit scopes and memory sizes.
func twoProviders(rng *rand.Rand) *sim.Catalog {
	mk := func(name string, scope sim.LimitScope) sim.Provider {
		lim := sim.Limits{ConcurrencyScope: scope, ScaleUpScope: sim.LimitScope(rng.IntN(3)), Timeout: sim.Duration(rng.IntN(120)+5) * sim.Second}
		if rng.IntN(2) == 0 {
			lim.Concurrency = 1 + rng.IntN(8)
		}
		if rng.IntN(2) == 0 {
			lim.ScaleUpPerSecond, lim.ScaleUpBurst = 0.2+rng.Float64()*3, 1+rng.IntN(4)
		}
		series, _ := carbon.NewSeries([]float64{100, 400, 250}, int64(17*sim.Minute), -int64(5*sim.Minute))
		perInstance := rng.IntN(2) == 0
		return sim.Provider{
			Name: name,
			Regions: []sim.Region{{Name: "a", Role: "a", Carbon: carbon.Constant(200), PriceFactor: 1},
				{Name: "b", Role: "b", Carbon: series, PriceFactor: 1.4}},
			Memory: []sim.MemoryOption{{MB: 128, VCPU: 0.1}, {MB: 512, VCPU: 0.4, GHz: 0.8}, {MB: 2048, VCPU: 1.2}},
			Billing: billing.Rules{RequestUSD: 2e-7, GranularityUS: 1000 * int64(1+rng.IntN(100)), MinimumUS: 100000,
				Memory: billing.MemoryBasis(rng.IntN(2)), MemoryStepMB: 128, MinMemoryMB: 128, GBSecondUSD: 1.6e-5,
				GHzSecondUSD: 1e-5, ProvisionedGBSecondUSD: 4e-6, ProvisionedGranularityUS: int64(rng.IntN(2)) * 300e6,
				PerInstance: perInstance},
			Power:     sim.PowerModel{MinWPerVCPU: 0.7, MaxWPerVCPU: 3.5, MemWPerGB: 0.392, PUE: 1.15},
			ColdStart: dist.LogNormal{Mu: math.Log(0.3 + rng.Float64()), Sigma: 0.6},
			KeepAlive: sim.Duration(rng.IntN(600)) * sim.Second,
			Limits:    lim,
			Speed:     0.8 + rng.Float64()*0.4,
			// Concurrent executions per instance: 1, or a few sharing the CPU.
			InstanceConcurrency: 1 + rng.IntN(2)*rng.IntN(5),
			ProvisioningDelay:   sim.Duration(rng.IntN(2)*rng.IntN(90)) * sim.Second,
			WarmOverhead:        sim.Duration(rng.IntN(300)) * sim.Millisecond,
		}
	}
	return &sim.Catalog{
		Providers: []sim.Provider{mk("p", sim.ScopeRegion), mk("q", sim.LimitScope(rng.IntN(3)))},
		Zones: []sim.Zone{{Name: "z", RTT: [][]sim.Duration{{2 * sim.Millisecond, 80 * sim.Millisecond},
			{5 * sim.Millisecond, 120 * sim.Millisecond}}}},
	}
}

// randomRun builds a short simulation from seed.
func randomRun(seed uint64) (sim.Config, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	streams := sim.NewStreams(seed, 0)
	src, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: 1 + rng.IntN(40),
		Duration: sim.Duration(10+rng.IntN(110)) * sim.Minute, PeakHour: 0, Streams: streams})
	if err != nil {
		return sim.Config{}, err
	}
	cfg := sim.Config{
		Catalog: twoProviders(rng), Source: src, Streams: streams,
		Strategic: erraticStrategic{rng}, Tactical: erraticTactical{rng}, Operational: erraticOperational{rng},
		StrategicEpoch: 20 * sim.Minute, TacticalEpoch: 5 * sim.Minute, Tick: 15 * sim.Second,
		AppZones:         make([]sim.ZoneID, len(src.Apps())),
		Routing:          sim.Routing(rng.IntN(2)),
		OnLimit:          sim.LimitMode(rng.IntN(2)),
		MaxQueueWait:     sim.Duration(1+rng.IntN(60)) * sim.Second,
		CPUBoundFraction: rng.Float64(), BusyUtilisation: rng.Float64(),
		SLO:           sim.SLO{Factor: 2, Slack: 300 * sim.Millisecond},
		PriorDuration: sim.Second, PriorMemoryMB: 170,
	}
	if rng.IntN(3) == 0 {
		cfg.Horizon = sim.Time(sim.Duration(5+rng.IntN(60)) * sim.Minute)
	}
	// The peer simulators' semantics, a warm-up and drained runs.
	cfg.KeepAlive = sim.KeepAliveMode(rng.IntN(2))
	cfg.ColdStart = sim.ColdStartMode(rng.IntN(2))
	cfg.MemorySharing = sim.MemorySharing(rng.IntN(2))
	cfg.Packing = sim.Packing(rng.IntN(2))
	cfg.Drain = rng.IntN(3) == 0
	if rng.IntN(3) == 0 {
		cfg.Warmup = sim.Duration(1+rng.IntN(4)) * sim.Minute
	}
	return cfg, nil
}

// checkInvariants returns what a run's metrics violate.
func checkInvariants(m *sim.Metrics, drained bool) []string {
	var bad []string
	fail := func(f string, a ...any) { bad = append(bad, fmt.Sprintf(f, a...)) }
	if drained && (m.InFlight != 0 || m.End < m.Horizon) {
		fail("drained run: %d in flight, ended at %v before the horizon %v", m.InFlight, m.End, m.Horizon)
	}
	if m.Arrived != m.Completed+m.FailedTotal()+m.InFlight {
		fail("conservation: arrived %d != completed %d + failed %v + in flight %d", m.Arrived, m.Completed, m.Failed, m.InFlight)
	}
	if int64(m.Latency.N) != m.Completed {
		fail("latency samples %d != completed %d", m.Latency.N, m.Completed)
	}
	started := m.ColdStarts + m.WarmStarts
	notRun := m.Failed[sim.FailOOM] + m.Failed[sim.FailThrottled] + m.Failed[sim.FailInfeasible]
	if started < m.Completed+m.Failed[sim.FailTimeout] || started > m.Arrived-notRun {
		fail("started %d outside [completed+timeouts %d, arrived-oom-throttled-infeasible %d]", started,
			m.Completed+m.Failed[sim.FailTimeout], m.Arrived-notRun)
	}
	if m.BusySeconds > m.InstanceSeconds+1e-6 {
		fail("busy instance-seconds %v exceed instance-seconds %v", m.BusySeconds, m.InstanceSeconds)
	}
	if m.SLAViolations < m.FailedTotal() || m.SLAViolations > m.Finished() {
		fail("SLA violations %d outside [failed %d, finished %d]", m.SLAViolations, m.FailedTotal(), m.Finished())
	}
	if m.PrewarmsUsed > m.PrewarmsStarted {
		fail("pre-warms used %d > started %d", m.PrewarmsUsed, m.PrewarmsStarted)
	}
	var perProv int64
	var perCost, perCarbon float64
	for _, p := range m.PerProvider {
		perProv += p.Invocations
		perCost += p.Cost
		perCarbon += p.Carbon
	}
	if perProv != m.Arrived {
		fail("per-provider invocations %d != arrived %d", perProv, m.Arrived)
	}
	if math.Abs(perCost-m.Cost.Total()) > 1e-9*math.Max(1, m.Cost.Total()) || math.Abs(perCarbon-m.Carbon) > 1e-9*math.Max(1, m.Carbon) {
		fail("per-provider cost %v / carbon %v != totals %v / %v", perCost, perCarbon, m.Cost.Total(), m.Carbon)
	}
	for _, v := range []float64{m.Cost.Requests, m.Cost.Compute, m.Cost.Provisioned, m.Energy, m.Carbon, m.IdleGBSeconds, m.PrewarmIdleGBSecs} {
		if !(v >= 0) || math.IsInf(v, 0) {
			fail("negative or non-finite total %v in %+v", v, m.Cost)
		}
	}
	return bad
}

func runSeed(t *testing.T, seed uint64) {
	cfg, err := randomRun(seed)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	m, err := e.Run(context.Background())
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	for _, b := range checkInvariants(m, cfg.Drain) {
		t.Errorf("seed %d: %s", seed, b)
	}
	// Same seed, same everything.
	cfg2, _ := randomRun(seed)
	e2, _ := sim.New(cfg2)
	m2, err := e2.Run(context.Background())
	if err != nil {
		t.Fatalf("seed %d (rerun): %v", seed, err)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Errorf("seed %d: two runs of the same configuration differ", seed)
	}
}

// TestInvariantsOverSeeds runs many short random simulations.
func TestInvariantsOverSeeds(t *testing.T) {
	n := uint64(60)
	if testing.Short() {
		n = 10
	}
	for seed := uint64(1); seed <= n; seed++ {
		runSeed(t, seed)
	}
}

// FuzzInvariants searches seeds for a simulation that breaks an invariant:
// go test ./sim -fuzz FuzzInvariants.
func FuzzInvariants(f *testing.F) {
	for _, s := range []uint64{0, 1, 42, 1 << 40} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, seed uint64) { runSeed(t, seed) })
}
