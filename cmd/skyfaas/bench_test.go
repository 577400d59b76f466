package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/skyfaas/skyfaas/scenarios"
)

// benchSweep is a sweep of 8 equal-sized jobs (4 arms, 2 replications).
const benchSweep = `name = "bench"
seed = 3
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 60
duration = "6h"
[sweep]
replications = 2
[[arms]]
strategic = { policy = "single-cloud", provider = "aws" }
[[arms]]
strategic = { policy = "single-cloud", provider = "gcp" }
[[arms]]
strategic = "greenest"
[[arms]]
strategic = "lowest-latency"
`

// BenchmarkSweepWorkers runs the same 8 jobs on 1 and on 2 workers: the
// ratio of the two jobs/s figures is the sweep's parallel speed-up.
func BenchmarkSweepWorkers(b *testing.B) {
	plan, err := scenarios.Parse("bench.toml", []byte(benchSweep), b.TempDir(), registry())
	if err != nil {
		b.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			jobs := 0
			for b.Loop() {
				r, err := newJobRunner(plan, plan.Seed(), b.TempDir(), workers, scenarios.Shard{}, false)
				if err != nil {
					b.Fatal(err)
				}
				ran, _, err := r.run(context.Background(), nil, false)
				if err != nil {
					b.Fatal(err)
				}
				jobs += ran
			}
			b.ReportMetric(float64(jobs)/b.Elapsed().Seconds(), "jobs/s")
		})
	}
}
