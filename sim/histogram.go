package sim

import "math/bits"

// histSubBits sets the histogram's resolution: values below 2^histSubBits µs
// (about 1 ms) are exact, larger ones fall in buckets no wider than 2/2^histSubBits
// (0.2 %) of their value.
const histSubBits = 10

const histSub = 1 << histSubBits

// Histogram counts non-negative integers (microseconds for latencies) in
// log-linear buckets, in the manner of HdrHistogram: memory bounded by the
// largest value's magnitude, O(1) recording, quantiles with a relative error
// of at most 0.2 %, and the same answer for the same input on every platform.
type Histogram struct {
	Counts []uint64
	N      uint64
	Sum    float64
	Max    int64
}

func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits
	return shift*(histSub/2) + int(v>>uint(shift))
}

// histLower returns the smallest value of bucket i.
func histLower(i int) uint64 {
	if i < histSub {
		return uint64(i)
	}
	shift := i/(histSub/2) - 1
	return uint64(i-shift*(histSub/2)) << uint(shift)
}

// Record adds one value (negative values count as 0).
func (h *Histogram) Record(d int64) {
	v := uint64(0)
	if d > 0 {
		v = uint64(d)
	}
	i := histIndex(v)
	if i >= len(h.Counts) {
		n := i + 1
		if c := 2 * len(h.Counts); c > n {
			n = c
		}
		grown := make([]uint64, n)
		copy(grown, h.Counts)
		h.Counts = grown
	}
	h.Counts[i]++
	h.N++
	h.Sum += float64(v)
	if d > h.Max {
		h.Max = d
	}
}

// Quantile returns the q-quantile (0 <= q <= 1): the midpoint of the bucket
// holding the ceil(q·N)-th smallest value; 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) int64 {
	if h.N == 0 {
		return 0
	}
	rank := uint64(q*float64(h.N) + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.Counts {
		seen += c
		if seen >= rank {
			lo, hi := histLower(i), histLower(i+1)
			mid := int64(lo + (hi-lo)/2)
			if mid > h.Max {
				mid = h.Max
			}
			return mid
		}
	}
	return h.Max
}

// Mean returns the mean value.
func (h *Histogram) Mean() float64 {
	if h.N == 0 {
		return 0
	}
	return h.Sum / float64(h.N)
}
