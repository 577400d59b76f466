package billing

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Price lists as in the embedded catalog (sources there).
var (
	aws = Rules{RequestUSD: 0.2e-6, GranularityUS: 1000, GBSecondUSD: 0.0000166667,
		ProvisionedGBSecondUSD: 0.0000041667, ProvisionedGranularityUS: 300e6, ProvisionedExecGBSecondUSD: 0.0000097222}
	azure = Rules{RequestUSD: 0.2e-6, GranularityUS: 1000, MinimumUS: 100000, Memory: Observed,
		MemoryStepMB: 128, MinMemoryMB: 128, GBSecondUSD: 0.000016}
	gcp = Rules{RequestUSD: 0.4e-6, GranularityUS: 100000, GBSecondUSD: 0.0000025, GHzSecondUSD: 0.0000100}
)

// naive walks an execution millisecond by millisecond, as a price list reads:
// every started billing unit is paid; the minimum is paid if the run is shorter.
func naive(r Rules, us int64, memMB, ghz float64) float64 {
	unit := r.GranularityUS
	if unit < 1 {
		unit = 1
	}
	units := int64(0)
	for t := int64(0); t < us; t += 1000 { // one step per started millisecond
		if t%unit == 0 {
			units++
		}
	}
	billed := units * unit
	if billed < r.MinimumUS {
		billed = r.MinimumUS
		if rem := billed % unit; rem != 0 {
			billed += unit - rem
		}
	}
	secs := float64(billed) / 1e6
	return secs * (memMB/1024*r.GBSecondUSD + ghz*r.GHzSecondUSD)
}

func TestExecutionAgainstNaiveSum(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct {
		name string
		r    Rules
		ghz  float64
	}{{"aws", aws, 0}, {"azure", azure, 0}, {"gcp", gcp, 1.4}} {
		for range 2000 {
			ms := rng.Int64N(5000) // whole milliseconds so the naive walk is exact
			us := ms * 1000
			mem := float64(128 * (1 + rng.IntN(16)))
			got := c.r.Execution(us, mem, c.ghz, 1, false).USD
			want := naive(c.r, us, mem, c.ghz)
			if math.Abs(got-want) > 1e-15 {
				t.Fatalf("%s: %d ms at %v MB: Execution = %.12g, naive sum = %.12g", c.name, ms, mem, got, want)
			}
		}
	}
}

func TestPublishedExamples(t *testing.T) {
	// A 260 ms GCP 1st-gen run bills as 300 ms (archived GCP pricing page, FACTS §1.1).
	if got := gcp.BilledMicros(260000); got != 300000 {
		t.Errorf("GCP 260 ms billed as %d us, want 300000", got)
	}
	// 2 GB at 2.4 GHz on GCP = $0.0000029 per 100 ms (FACTS §1.3 consistency check).
	if got := gcp.Execution(100000, 2048, 2.4, 1, false).USD; math.Abs(got-0.0000029) > 1e-12 {
		t.Errorf("GCP 2 GB 100 ms = %v, want 2.9e-6", got)
	}
	// Azure Consumption: at least 100 ms and 128 MB; observed memory rounded up to 128 MB.
	if got := azure.BilledMicros(3000); got != 100000 {
		t.Errorf("Azure 3 ms billed as %d us, want 100000", got)
	}
	if got := azure.BilledMemoryMB(1536, 130); got != 256 {
		t.Errorf("Azure 130 MB billed as %v MB, want 256", got)
	}
	if got := azure.BilledMemoryMB(1536, 20); got != 128 {
		t.Errorf("Azure 20 MB billed as %v MB, want 128", got)
	}
	if got := azure.BilledMemoryMB(1536, 3000); got != 1536 {
		t.Errorf("Azure 3000 MB billed as %v MB, want the 1536 MB cap", got)
	}
	// AWS: 1 ms granularity, configured memory.
	if got := aws.Execution(1500, 1024, 0, 1, false).BilledUS; got != 2000 {
		t.Errorf("AWS 1.5 ms billed as %d us, want 2000", got)
	}
	// AWS provisioned concurrency is billed in 5-minute steps.
	usd, gbs := aws.Provisioned(61e6, 1024, 0, 1)
	if gbs != 300 || math.Abs(usd-300*0.0000041667) > 1e-15 {
		t.Errorf("AWS PC held 61 s at 1 GB: %v USD, %v GB-s; want 300 GB-s", usd, gbs)
	}
	// Executions on provisioned instances use the lower duration rate.
	if got := aws.Execution(1e6, 1024, 0, 1, true).USD; math.Abs(got-0.0000097222) > 1e-15 {
		t.Errorf("AWS PC execution 1 s at 1 GB = %v, want 9.7222e-6", got)
	}
}
