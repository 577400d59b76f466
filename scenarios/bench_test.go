package scenarios_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// runArm runs one arm of a plan on this goroutine and reports throughput.
// A second, separate run measures memory: the live heap after a forced
// collection every 2^18 arrivals (the garbage awaiting collection would
// otherwise be measured too), its largest value reported.
func runArm(b *testing.B, plan *scenarios.Plan, arm int) {
	b.Helper()
	var total int64
	var elapsed time.Duration
	for b.Loop() {
		cfg, err := plan.Config(arm, plan.Seed(), 0)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		m, err := sim.Run(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		total += m.Arrived
	}
	b.ReportMetric(float64(total)/elapsed.Seconds(), "invocations/s")

	cfg, err := plan.Config(arm, plan.Seed(), 0)
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	cfg.ProgressEvery = 1 << 18
	cfg.Progress = func(sim.Time, int64) {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
	}
	if _, err := sim.Run(context.Background(), cfg); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-live-heap-MB")
}

// BenchmarkReplaySample replays the shared one-day Azure 2019 sample
// (11,639,447 invocations) with baseline policies at every layer.
func BenchmarkReplaySample(b *testing.B) {
	sharedtest.Dir(b)
	plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	// Replay speed counts every invocation replayed: no warm-up window left
	// out of the count, no profile pass.
	plan.Scenario.Simulation.Warmup, plan.Scenario.Simulation.ProfileFrom = 0, nil
	for _, arm := range []int{0, 3} { // aws-only, cheapest; power-tuning; provider default
		b.Run(plan.Arms[arm].Name, func(b *testing.B) { runArm(b, plan, arm) })
	}
	// The same day twice in a row (23.3 M invocations): the live heap does
	// not grow with the length of the trace.
	twice := *plan
	w := *twice.Scenario.Workload.Azure2019
	day := scenarios.Azure2019Day{Invocations: w.Invocations, Durations: w.Durations, Memory: w.Memory}
	w.Invocations, w.Durations, w.Memory, w.Days = "", "", "", []scenarios.Azure2019Day{day, day}
	twice.Scenario.Workload.Azure2019 = &w
	b.Run(plan.Arms[0].Name+"/day-twice", func(b *testing.B) { runArm(b, &twice, 0) })
}

// BenchmarkEpisodes runs 100 one-hour episodes of the default scenario
// (weighted-greedy, a new seed each) on one engine through Reset, as a
// training loop does. It reports the time per episode and the live heap
// (after a forced collection) after the 10th and the 100th episode: flat
// if Reset reuses the engine's storage.
func BenchmarkEpisodes(b *testing.B) {
	plan, err := scenarios.Default(policies.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	config := func(seed uint64) sim.Config {
		cfg, err := plan.Config(7, seed, 0)
		if err != nil {
			b.Fatal(err)
		}
		cfg.Horizon = sim.Time(sim.Hour)
		return cfg
	}
	ctx := context.Background()
	const episodes = 100
	var heap10, heap100 float64
	var ms runtime.MemStats
	var elapsed time.Duration
	var arrived int64
	for b.Loop() {
		e, err := sim.New(config(1))
		if err != nil {
			b.Fatal(err)
		}
		for k := range episodes {
			if err := e.Reset(config(uint64(k + 1))); err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			m, err := e.Run(ctx)
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			arrived += m.Arrived
			if k == 9 || k == episodes-1 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				if k == 9 {
					heap10 = float64(ms.HeapAlloc) / (1 << 20)
				} else {
					heap100 = float64(ms.HeapAlloc) / (1 << 20)
				}
			}
		}
	}
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N*episodes), "ms/episode")
	b.ReportMetric(float64(arrived)/float64(b.N*episodes), "invocations/episode")
	b.ReportMetric(heap10, "heap-MB-after-10")
	b.ReportMetric(heap100, "heap-MB-after-100")
}

// BenchmarkReplaySampleStepping replays the sample as BenchmarkReplaySample
// does (aws-only), once through Run and once through Next and Advance with
// the placement layers external and decided by the same policies, in turn
// in each iteration so that both see the same machine state.
func BenchmarkReplaySampleStepping(b *testing.B) {
	sharedtest.Dir(b)
	plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	plan.Scenario.Simulation.Warmup, plan.Scenario.Simulation.ProfileFrom = 0, nil
	ctx := context.Background()
	var cbTime, stTime time.Duration
	var n int64
	for b.Loop() {
		cfg, err := plan.Config(0, plan.Seed(), 0)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		m, err := sim.Run(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		cbTime += time.Since(start)
		n += m.Arrived

		cfg, err = plan.Config(0, plan.Seed(), 0)
		if err != nil {
			b.Fatal(err)
		}
		st, ta := cfg.Strategic, cfg.Tactical
		cfg.Strategic, cfg.Tactical = nil, nil
		start = time.Now()
		e, err := sim.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for {
			r, err := e.Next(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if r.Phase == sim.PhaseDone {
				break
			}
			if r.Phase == sim.PhaseStrategic {
				err = st.Providers(r.Functions, r.Providers)
			} else {
				err = ta.Placements(r.Functions, r.Placements)
			}
			if err == nil {
				err = e.Advance()
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		stTime += time.Since(start)
	}
	b.ReportMetric(float64(n)/cbTime.Seconds(), "callback-invocations/s")
	b.ReportMetric(float64(n)/stTime.Seconds(), "stepping-invocations/s")
	b.ReportMetric(stTime.Seconds()/cbTime.Seconds(), "stepping/callback-time")
}
