package scenarios_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// decideOnly hides every optional interface of an operational policy
// (Stationary above all), so that the engine asks it every tick.
type decideOnly struct{ sim.Operational }

// step runs cfg through Next and Advance, deciding the external layers
// (nil in cfg) with the policies given, as a training loop would, and
// checks that the phases handed out are the external ones.
func step(t *testing.T, cfg sim.Config, st sim.Strategic, ta sim.Tactical, op sim.Operational) *sim.Metrics {
	t.Helper()
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	counts := map[sim.Phase]int{}
	for {
		r, err := e.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts[r.Phase]++
		switch r.Phase {
		case sim.PhaseDone:
			if counts[sim.PhaseStrategic] == 0 && cfg.Strategic == nil {
				t.Errorf("no strategic decision handed out")
			}
			if counts[sim.PhaseOperational] == 0 && cfg.Operational == nil {
				t.Errorf("no operational decision handed out")
			}
			return e.Metrics()
		case sim.PhaseStrategic:
			if cfg.Strategic != nil {
				t.Fatal("a configured strategic layer was handed out")
			}
			err = st.Providers(r.Functions, r.Providers)
		case sim.PhaseTactical:
			err = ta.Placements(r.Functions, r.Placements)
		case sim.PhaseOperational:
			if cfg.Operational != nil {
				t.Fatal("a configured operational layer was handed out")
			}
			err = op.Decide(r.Pools, r.Decisions)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Advance(); err != nil {
			t.Fatal(err)
		}
	}
}

// The stepping API and the callback API give identical metrics (so
// byte-identical summaries) on the shared sample: with the placement
// layers external, and with all three external (the operational policy
// asked every tick in both runs).
func TestSteppingEqualsCallbacks(t *testing.T) {
	sharedtest.Dir(t)
	if testing.Short() {
		t.Skip("replays the 11.6 M-invocation sample four times; skipped with -short")
	}
	plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	arm := -1
	for i, a := range plan.Arms {
		if a.Name == "cheapest" {
			arm = i
		}
	}
	if arm < 0 {
		t.Fatal("the sample scenario has no cheapest arm")
	}
	config := func() sim.Config {
		cfg, err := plan.Config(arm, plan.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	for _, all := range []bool{false, true} {
		name := "placement layers external"
		if all {
			name = "all layers external"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cb := config()
			if all {
				cb.Operational = decideOnly{cb.Operational}
			}
			want, err := sim.Run(context.Background(), cb)
			if err != nil {
				t.Fatal(err)
			}
			cfg := config()
			st, ta, op := cfg.Strategic, cfg.Tactical, cfg.Operational
			cfg.Strategic, cfg.Tactical = nil, nil
			if all {
				cfg.Operational = nil
			}
			got := step(t, cfg, st, ta, op)
			if got.Arrived < 10_000_000 || !reflect.DeepEqual(got, want) {
				t.Errorf("stepping differs from callbacks: arrived %d vs %d, cost %v vs %v, cold starts %d vs %d",
					got.Arrived, want.Arrived, got.Cost, want.Cost, got.ColdStarts, want.ColdStarts)
			}
		})
	}
}

// An episode after Reset is the episode a fresh engine runs: nothing of the
// previous episode (another arm, seed and length) leaks into it.
func TestResetEqualsFreshEngine(t *testing.T) {
	plan, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	config := func(arm int, seed uint64, horizon sim.Duration) sim.Config {
		cfg, err := plan.Config(arm, seed, 0)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Horizon = sim.Time(horizon)
		return cfg
	}
	ctx := context.Background()
	e, err := sim.New(config(6, 1, 2*sim.Hour)) // skypilot: every provider
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arm  int
		seed uint64
	}{{7, 2}, {1, 3}, {7, 2}} {
		want, err := sim.Run(ctx, config(c.arm, c.seed, sim.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Reset(config(c.arm, c.seed, sim.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := e.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Arrived == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("arm %d seed %d after Reset: arrived %d vs %d, cost %v vs %v", c.arm, c.seed, got.Arrived, want.Arrived, got.Cost, want.Cost)
		}
	}
	bad := config(7, 2, sim.Hour)
	bad.Tick = 0
	if err := e.Reset(bad); err == nil {
		t.Error("Reset with a bad config: no error")
	}
}

// simulation.window replays [from, to) of the workload's time; the
// profile window before it still reads the whole workload.
func TestScenarioWindow(t *testing.T) {
	plan, err := scenarios.Parse("w.toml", []byte(`name = "w"
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 50
duration = "24h"
[simulation]
window = { from = "6h", to = "8h" }
profile_from = { from = "5h", to = "6h" }
warmup = "10m"
[[arms]]
name = "a"
strategic = "cheapest"
`), t.TempDir(), policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := plan.Config(0, plan.Seed(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Start != sim.Time(6*sim.Hour) || cfg.Source.Horizon() != sim.Time(8*sim.Hour) {
		t.Fatalf("start %v, source horizon %v; want 6h and 8h", cfg.Start, cfg.Source.Horizon())
	}
	var profiled int64
	for _, p := range cfg.InitialProfiles {
		profiled += p.Invocations
	}
	m, err := sim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Start != sim.Time(6*sim.Hour) || m.Warmup != sim.Time(6*sim.Hour+10*sim.Minute) || m.End != sim.Time(8*sim.Hour) {
		t.Errorf("metrics window: start %v, warm-up end %v, end %v", m.Start, m.Warmup, m.End)
	}
	// A synthetic day of 50 functions has ~ 1 M invocations: a 1 h 50 min
	// window holds some tens of thousands, the 1 h profile window some too.
	if m.Arrived < 10_000 || m.Arrived > 500_000 || profiled < 5_000 {
		t.Errorf("arrived %d in the measured window, %d profiled before it", m.Arrived, profiled)
	}
}
