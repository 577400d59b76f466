package scenarios_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// window returns the window [from, to) of trace time.
func window(from, to time.Duration) *scenarios.WindowSpec {
	return &scenarios.WindowSpec{From: scenarios.Duration(from), To: scenarios.Duration(to)}
}

// loadSample loads the example replaying the shared sample, its warm-up
// cut to 10 minutes so that short episodes measure something.
func loadSample(t testing.TB) *scenarios.Plan {
	t.Helper()
	sharedtest.Dir(t)
	plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	plan.Scenario.Simulation.Warmup = scenarios.Duration(10 * time.Minute)
	return plan
}

// An episode built from the workload in memory is the run Plan.Config
// builds from the files with the same window as simulation.window: same
// metrics, on the sample (profile_from included) and on the default
// scenario's synthetic workload.
func TestEpisodesConfigEqualsPlanConfig(t *testing.T) {
	def, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		plan func(testing.TB) *scenarios.Plan
		arm  int
		win  *scenarios.WindowSpec
	}{
		{"default", func(testing.TB) *scenarios.Plan { return def }, 7, window(5*time.Hour, 6*time.Hour)},
		{"sample", loadSample, 3, window(2*time.Hour, 2*time.Hour+30*time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := c.plan(t)
			eps, err := plan.Episodes()
			if err != nil {
				t.Fatal(err)
			}
			const seed, replication = 5, 1 // any other than the scenario's
			cfg, err := eps.Config(c.arm, seed, replication, c.win)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sim.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			windowed := *plan
			windowed.Scenario.Simulation.Window = c.win
			want := simulateSeed(t, &windowed, c.arm, seed, replication)
			if got.Arrived == 0 || !reflect.DeepEqual(got, want) {
				t.Errorf("from memory: %d arrived, %d completed, cost %v; from the files: %d, %d, %v",
					got.Arrived, got.Completed, got.Cost, want.Arrived, want.Completed, want.Cost)
			}
		})
	}
}

// simulateSeed runs arm i of a plan with a given seed and replication.
func simulateSeed(t testing.TB, plan *scenarios.Plan, i int, seed uint64, replication int) *sim.Metrics {
	t.Helper()
	cfg, err := plan.Config(i, seed, replication)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Episodes refuses windows outside or empty, naming the window.
func TestEpisodesBadWindow(t *testing.T) {
	def, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	eps, err := def.Episodes()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eps.Source(1, 0, window(2*time.Hour, 2*time.Hour)); err == nil || !strings.Contains(err.Error(), "duration must be positive") {
		t.Errorf("empty synthetic window: error %v", err)
	}
	sample := loadSample(t)
	eps, err = sample.Episodes()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		win  *scenarios.WindowSpec
		want string
	}{
		{window(23*time.Hour, 25*time.Hour), "window [23h0m0s, 25h0m0s) is outside the trace's [0, 24h0m0s)"},
		{window(time.Hour, time.Hour), "window [1h0m0s, 1h0m0s) is empty"},
		{window(time.Hour, time.Hour+30*time.Second), "whole minutes"},
	} {
		if _, err := eps.Config(0, 1, 0, c.win); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("window [%v, %v): error %v, want %q", c.win.From, c.win.To, err, c.want)
		}
	}
}

// episode is one run: an arm, a seed and a window.
type episode struct {
	arm  int
	seed uint64
	win  *scenarios.WindowSpec
}

// runOnOneEngine runs eps one after another on one engine, through Reset,
// and returns a copy of each one's metrics.
func runOnOneEngine(eps *scenarios.Episodes, list []episode) ([]sim.Metrics, error) {
	var e *sim.Engine
	out := make([]sim.Metrics, len(list))
	for k, ep := range list {
		cfg, err := eps.Config(ep.arm, ep.seed, 0, ep.win)
		if err != nil {
			return nil, err
		}
		if e == nil {
			e, err = sim.New(cfg)
		} else {
			err = e.Reset(cfg)
		}
		if err != nil {
			return nil, err
		}
		m, err := e.Run(context.Background())
		if err != nil {
			return nil, fmt.Errorf("episode %+v: %w", ep, err)
		}
		out[k] = *m // the engine's metrics are overwritten by the next Reset; their slices are not reused
	}
	return out, nil
}

// Episodes run in parallel, one engine per goroutine (each running two
// through Reset) over one read-only catalog and workload, measure what
// they measure when run one at a time on fresh engines. Run with -race.
func TestParallelEpisodes(t *testing.T) {
	def, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		plan func(testing.TB) *scenarios.Plan
		from time.Duration // the first episode's window start; each next one an hour later
		span time.Duration
	}{
		{"default", func(testing.TB) *scenarios.Plan { return def }, 8 * time.Hour, 20 * time.Minute},
		{"sample", loadSample, 3 * time.Hour, 12 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan := c.plan(t)
			eps, err := plan.Episodes()
			if err != nil {
				t.Fatal(err)
			}
			const goroutines, perGoroutine = 4, 2
			list := make([]episode, goroutines*perGoroutine)
			for k := range list {
				from := c.from + time.Duration(k)*time.Hour
				list[k] = episode{arm: k % len(plan.Arms), seed: uint64(k + 1), win: window(from, from+c.span)}
			}
			want := make([]sim.Metrics, len(list))
			for k, ep := range list { // one at a time, a fresh engine each
				cfg, err := eps.Config(ep.arm, ep.seed, 0, ep.win)
				if err != nil {
					t.Fatal(err)
				}
				m, err := sim.Run(context.Background(), cfg)
				if err != nil {
					t.Fatal(err)
				}
				want[k] = *m
			}
			got := make([][]sim.Metrics, goroutines)
			errs := make([]error, goroutines)
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[g], errs[g] = runOnOneEngine(eps, list[g*perGoroutine:(g+1)*perGoroutine])
				}()
			}
			wg.Wait()
			for g := range goroutines {
				if errs[g] != nil {
					t.Fatal(errs[g])
				}
				for i, m := range got[g] {
					k := g*perGoroutine + i
					if m.Arrived == 0 {
						t.Errorf("episode %d (%+v): nothing arrived", k, list[k])
					}
					if !reflect.DeepEqual(m, want[k]) {
						t.Errorf("episode %d (arm %s, seed %d): in parallel %d arrived, cost %v; alone %d, %v",
							k, plan.Arms[list[k].arm].Name, list[k].seed, m.Arrived, m.Cost, want[k].Arrived, want[k].Cost)
					}
				}
			}
		})
	}
}
