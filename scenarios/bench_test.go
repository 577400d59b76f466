package scenarios_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// runArm runs one arm of a plan on this goroutine and reports throughput
// and the peak live heap (sampled every 2^16 arrivals).
func runArm(b *testing.B, plan *scenarios.Plan, arm int) {
	b.Helper()
	var total int64
	var elapsed time.Duration
	var peak uint64
	for b.Loop() {
		cfg, err := plan.Config(arm, plan.Seed(), 0)
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		cfg.ProgressEvery = 1 << 16
		cfg.Progress = func(sim.Time, int64) {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
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
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// BenchmarkReplaySample replays the shared one-day Azure 2019 sample
// (11,639,447 invocations) with baseline policies at every layer.
func BenchmarkReplaySample(b *testing.B) {
	sharedtest.Dir(b)
	plan, err := scenarios.Load("azure2019-sample.toml")
	if err != nil {
		b.Fatal(err)
	}
	for _, arm := range []int{0, 3} { // aws-only, cheapest; power-tuning; provider default
		b.Run(plan.Arms[arm].Name, func(b *testing.B) { runArm(b, plan, arm) })
	}
	// The first 6 hours only: the peak heap does not depend on trace length.
	short := *plan
	short.Scenario.Horizon = scenarios.Duration(6 * time.Hour)
	b.Run(plan.Arms[0].Name+"/first-6h", func(b *testing.B) { runArm(b, &short, 0) })
}
