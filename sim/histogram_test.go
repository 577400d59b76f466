package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The histogram's quantiles must agree with exact order statistics to its
// stated 0.2 % relative error (plus 1 µs at the exact low end).
func TestHistogramQuantilesMatchSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	var h Histogram
	vals := make([]int64, 200000)
	for i := range vals {
		// log-uniform from 1 µs to ~3 h: exercises every band
		v := int64(rng.ExpFloat64() * float64(rng.Int64N(1<<33)))
		vals[i] = v
		h.Record(v)
	}
	slices.Sort(vals)
	for _, q := range []float64{0.001, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		rank := int(q*float64(len(vals))+0.999999999) - 1
		want := vals[max(rank, 0)]
		got := h.Quantile(q)
		diff := got - want
		if diff < 0 {
			diff = -diff
		}
		if float64(diff) > 0.002*float64(want)+1 {
			t.Errorf("q=%v: histogram %v, exact %v (off by %.3f%%)", q, got, want, 100*float64(diff)/float64(want))
		}
	}
}

func TestHistogramIndexRoundTrip(t *testing.T) {
	for v := uint64(0); v < 1<<22; v += 7 {
		i := histIndex(v)
		if lo, hi := histLower(i), histLower(i+1); v < lo || v >= hi {
			t.Fatalf("value %d in bucket %d = [%d, %d)", v, i, lo, hi)
		}
	}
}
