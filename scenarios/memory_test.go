package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// maximalArm is one arm, nearest region, provider keep-alive: the engine's
// memory is the workload's, not a policy's.
const maximalArm = `
[sweep]
replications = 1
[[arms]]
name = "a"
strategic = { policy = "single-cloud", provider = "aws" }
tactical = "nearest"
operational = "provider-default"
`

// The largest inputs the validator accepts run in bounded memory (issue
// 10, point 3): a per-minute count at the Azure 2019 reader's limit,
// spread a slice at a time; a Poisson workload at its documented rate and
// executions in progress; the synthetic workload at its most functions.
// Each runs a short span and reports the live heap's peak (after a forced
// collection every 2^16 arrivals, and at the end).
func TestMemoryAtTheLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("replays millions of invocations; skipped with -short")
	}
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("inv.csv", "HashOwner,HashApp,HashFunction,Trigger,1,2\no1,a1,f1,http,8388608,0\n")
	write("dur.csv", "HashOwner,HashApp,HashFunction,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\no1,a1,f1,1,1,1,1,1,1,1\n")
	write("mem.csv", "HashOwner,HashApp,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\no1,a1,100,100,100,100,100,100,100,100\n")
	for _, c := range []struct {
		name, toml string
		arrivals   int64   // at least
		limitMB    float64 // the live heap's bound
	}{
		// 2^23 arrivals in the first minute, spread in 32 slices:
		// 10 MB measured; in one piece the minute held 145 MB (8 bytes
		// an arrival, twice over to sort).
		{"azure2019 count at the limit", `[workload]
kind = "azure2019"
[workload.azure2019]
invocations = "inv.csv"
durations = "dur.csv"
memory = "mem.csv"
[simulation]
window = { from = "0s", to = "1m" }
`, traces.MaxArrivalsPerMinute, 32},
		// 10^5 per second, 10 s each: towards 10^6 executions in
		// progress (157 MB measured over 20 s). The bound of these two is
		// the README's: about 5 kB per function, 1 GB at the limit (400
		// MB measured over a minute).
		{"poisson at the limits", `[workload]
kind = "poisson"
[workload.poisson]
rate = 1e5
mean_duration = "10s"
duration = "20s"
`, 1_900_000, 1024},
		{"synthetic at the most functions", `[workload]
kind = "synthetic"
[workload.synthetic]
functions = 200000
duration = "1m"
`, 1, 1024},
	} {
		t.Run(c.name, func(t *testing.T) {
			plan, err := scenarios.Parse("s.toml", []byte(c.toml+maximalArm), dir, policies.Builtin())
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := plan.Config(0, plan.Seed(), 0)
			if err != nil {
				t.Fatal(err)
			}
			var peak uint64
			var ms runtime.MemStats
			sample := func() {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
			runtime.GC()
			runtime.ReadMemStats(&ms)
			base := ms.HeapAlloc
			cfg.ProgressEvery = 1 << 16
			cfg.Progress = func(sim.Time, int64) { sample() }
			m, err := sim.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			sample()
			mb := float64(peak-min(peak, base)) / (1 << 20)
			t.Logf("%d invocations; live heap peak %.1f MB above the %.1f MB before", m.Arrived, mb, float64(base)/(1<<20))
			if m.Arrived < c.arrivals {
				t.Errorf("%d invocations, want at least %d", m.Arrived, c.arrivals)
			}
			if mb > c.limitMB {
				t.Errorf("live heap peak %.1f MB, above %g MB", mb, c.limitMB)
			}
		})
	}
}
