package scenarios_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
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

// BenchmarkEpisodes runs 100 one-hour episodes on one engine through
// Reset, as a training loop does, each on a new seed:
//
//   - default: the default scenario's synthetic day (weighted-greedy),
//     generated afresh each episode;
//   - sample: a one-hour window of the shared Azure 2019 sample (cheapest,
//     power-tuning, provider default; no warm-up, no profile pass), the
//     window moving by an hour each episode, replayed from the trace
//     parsed once in memory (Plan.Episodes), no file read after the first;
//   - sample-parallel: the same 100 episodes shared among GOMAXPROCS
//     goroutines, one engine each, over the one parsed trace and catalog.
//
// It reports the time per episode (its config, Reset and run) and the
// live heap (after a forced collection) after the 10th and the 100th
// episode: flat if Reset reuses the engine's storage and sources hold no
// more than the trace. The sample reports the parsed trace's live heap and
// the parallel variant episodes per second of wall-clock time.
func BenchmarkEpisodes(b *testing.B) {
	const episodes = 100
	b.Run("default", func(b *testing.B) {
		plan, err := scenarios.Default(policies.Builtin())
		if err != nil {
			b.Fatal(err)
		}
		runEpisodes(b, episodes, func(k int) (sim.Config, error) {
			cfg, err := plan.Config(7, uint64(k+1), 0)
			cfg.Horizon = sim.Time(sim.Hour)
			return cfg, err
		})
	})

	// sample parses the sample and returns the episodes' configurations and
	// the parsed trace's live heap, MB (reported after b.Loop, which
	// clears the metrics reported before it).
	sample := func(b *testing.B) (*scenarios.Episodes, func(k int) (sim.Config, error), float64) {
		sharedtest.Dir(b)
		plan, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
		if err != nil {
			b.Fatal(err)
		}
		plan.Scenario.Simulation.Warmup, plan.Scenario.Simulation.ProfileFrom = 0, nil
		before := liveHeap()
		eps, err := plan.Episodes()
		if err != nil {
			b.Fatal(err)
		}
		parsed := float64(liveHeap()-before) / (1 << 20)
		const arm = 3 // cheapest
		return eps, func(k int) (sim.Config, error) {
			from := time.Duration(k%24) * time.Hour // the sample is one day
			return eps.Config(arm, uint64(k+1), 0, &scenarios.WindowSpec{From: scenarios.Duration(from), To: scenarios.Duration(from + time.Hour)})
		}, parsed
	}
	b.Run("sample", func(b *testing.B) {
		eps, config, parsed := sample(b)
		runEpisodes(b, episodes, config)
		b.ReportMetric(parsed, "parsed-trace-MB")
		runtime.KeepAlive(eps)
	})
	b.Run("sample-parallel", func(b *testing.B) {
		eps, config, _ := sample(b)
		workers := runtime.GOMAXPROCS(0)
		var elapsed time.Duration
		for b.Loop() {
			var next atomic.Int64 // the next episode to run
			errs := make([]error, workers)
			var wg sync.WaitGroup
			start := time.Now()
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var e *sim.Engine
					for k := int(next.Add(1) - 1); k < episodes; k = int(next.Add(1) - 1) {
						cfg, err := config(k)
						if err == nil && e == nil {
							e, err = sim.New(cfg)
						} else if err == nil {
							err = e.Reset(cfg)
						}
						if err == nil {
							_, err = e.Run(context.Background())
						}
						if err != nil {
							errs[w] = err
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed += time.Since(start)
			for _, err := range errs {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*episodes)/elapsed.Seconds(), "episodes/s")
		b.ReportMetric(float64(workers), "goroutines")
		runtime.KeepAlive(eps)
	})
}

// runEpisodes runs n episodes (config(k) the k-th) on one engine through
// Reset and reports the time per episode, the invocations per episode,
// episodes per second and the live heap after the 10th and the last.
func runEpisodes(b *testing.B, n int, config func(k int) (sim.Config, error)) {
	b.Helper()
	ctx := context.Background()
	var heap10, heapN uint64
	var elapsed time.Duration
	var arrived int64
	for b.Loop() {
		var e *sim.Engine
		for k := range n {
			start := time.Now()
			cfg, err := config(k)
			if err != nil {
				b.Fatal(err)
			}
			if e == nil {
				e, err = sim.New(cfg)
			} else {
				err = e.Reset(cfg)
			}
			if err != nil {
				b.Fatal(err)
			}
			m, err := e.Run(ctx)
			if err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			arrived += m.Arrived
			switch k {
			case 9:
				heap10 = liveHeap()
			case n - 1:
				heapN = liveHeap()
			}
		}
	}
	b.ReportMetric(float64(elapsed.Milliseconds())/float64(b.N*n), "ms/episode")
	b.ReportMetric(float64(b.N*n)/elapsed.Seconds(), "episodes/s")
	b.ReportMetric(float64(arrived)/float64(b.N*n), "invocations/episode")
	b.ReportMetric(float64(heap10)/(1<<20), "heap-MB-after-10")
	b.ReportMetric(float64(heapN)/(1<<20), fmt.Sprintf("heap-MB-after-%d", n))
}

// liveHeap returns the bytes of live heap after a forced collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
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
