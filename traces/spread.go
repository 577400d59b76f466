package traces

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Spread says how a per-minute count becomes arrival times inside the minute.
type Spread uint8

const (
	// SpreadUniform draws each of the n arrivals uniformly in the minute. It
	// keeps the trace's count and is exactly a Poisson process conditioned on
	// that count.
	SpreadUniform Spread = iota
	// SpreadEquidistant places the n arrivals at (k+½)·60/n seconds.
	SpreadEquidistant
	// SpreadPoisson runs a Poisson process at rate n per minute: the count in
	// the minute is Poisson(n), so totals differ from the trace's.
	SpreadPoisson
)

var spreadNames = [...]string{"uniform", "equidistant", "poisson"}

func (s Spread) String() string { return spreadNames[s] }

// ParseSpread parses a spread mode name.
func ParseSpread(s string) (Spread, error) {
	for i, n := range spreadNames {
		if s == n {
			return Spread(i), nil
		}
	}
	return 0, fmt.Errorf("unknown spread %q (want uniform, equidistant or poisson)", s)
}

const minuteMicros = 60_000_000

// cell is one function's count in one minute.
type cell struct {
	fn int32
	n  uint32
}

// minuteArrival is one arrival inside a minute: offset in µs, function.
type minuteArrival struct {
	off uint32
	fn  int32
}

// SliceArrivals bounds the arrivals a replay holds at once: a minute of at
// most this many is spread in one piece (8 bytes each, twice over for the
// sort: 4 MiB), a busier one in consecutive slices of the minute holding
// about this many each, so that memory does not grow with a minute's count.
// The shared sample's busiest minute holds 45,514.
const SliceArrivals = 1 << 18

// spreader turns one minute of counts into arrivals sorted by offset, ties
// kept in the order of the cells (the file's row order): deterministic.
//
// A minute of more than SliceArrivals arrivals is cut into k equal slices
// of microseconds, k the count over SliceArrivals rounded up, and given a
// slice at a time (more). Each slice's arrivals follow the same law as in
// one piece: uniform counts are split between the slice and the rest of
// the minute by a binomial draw per cell (so each arrival falls in each
// microsecond with the same probability), equidistant offsets are the same
// to the microsecond, Poisson arrivals continue each cell's process. The
// realisation differs from one piece's (the random draws come in another
// order); a minute within the bound is spread exactly as before slicing.
type spreader struct {
	mode     Spread
	rng      *rand.Rand
	buf, tmp []minuteArrival
	hist     [1 << radixBits]int

	// limit is the arrivals of one piece (0: SliceArrivals).
	limit int
	// A minute spread in slices: its cells, the next slice and their
	// number, and per cell the arrivals not yet given (uniform), the
	// index of the next one (equidistant) or its offset (Poisson).
	cells         []cell
	slice, slices int
	left          []uint32
	at            []float64
}

const radixBits = 13 // two passes cover offsets below 2^26 µs > one minute

// minute starts the spreading of one minute's cells and returns its first
// arrivals: the whole minute, or its first slice (more gives the others).
func (s *spreader) minute(cells []cell) []minuteArrival {
	s.slices, s.slice = 0, 0
	limit := s.limit
	if limit == 0 {
		limit = SliceArrivals
	}
	total := 0
	for _, c := range cells {
		total += int(c.n)
	}
	if total > limit {
		s.cells, s.slices = cells, (total+limit-1)/limit
		s.left, s.at = s.left[:0], s.at[:0]
		for _, c := range cells {
			switch s.mode {
			case SpreadUniform:
				s.left = append(s.left, c.n)
			case SpreadEquidistant:
				s.left = append(s.left, 0)
			case SpreadPoisson:
				s.at = append(s.at, s.rng.ExpFloat64()*minuteMicros/float64(c.n))
			}
		}
		b, _ := s.more()
		return b
	}
	s.buf = s.buf[:0]
	for _, c := range cells {
		switch s.mode {
		case SpreadUniform:
			for range c.n {
				s.buf = append(s.buf, minuteArrival{off: uint32(s.rng.Float64() * minuteMicros), fn: c.fn})
			}
		case SpreadEquidistant:
			step := float64(minuteMicros) / float64(c.n)
			for k := range c.n {
				s.buf = append(s.buf, minuteArrival{off: uint32((float64(k) + 0.5) * step), fn: c.fn})
			}
		case SpreadPoisson:
			mean := float64(minuteMicros) / float64(c.n)
			for t := s.rng.ExpFloat64() * mean; t < minuteMicros; t += s.rng.ExpFloat64() * mean {
				s.buf = append(s.buf, minuteArrival{off: uint32(t), fn: c.fn})
			}
		}
	}
	s.sort()
	return s.buf
}

// more returns the next slice of a minute spread in slices; false when the
// minute has no slice left (or was spread in one piece). A slice may be
// empty.
func (s *spreader) more() ([]minuteArrival, bool) {
	if s.slice >= s.slices {
		return nil, false
	}
	lo := int64(s.slice) * minuteMicros / int64(s.slices)
	hi := int64(s.slice+1) * minuteMicros / int64(s.slices)
	s.slice++
	s.buf = s.buf[:0]
	for i, c := range s.cells {
		switch s.mode {
		case SpreadUniform:
			// Of the cell's arrivals left for [lo, one minute), those in
			// [lo, hi).
			n := s.binomial(s.left[i], float64(hi-lo)/float64(minuteMicros-lo))
			s.left[i] -= n
			for range n {
				s.buf = append(s.buf, minuteArrival{off: uint32(lo + int64(s.rng.Float64()*float64(hi-lo))), fn: c.fn})
			}
		case SpreadEquidistant:
			step := float64(minuteMicros) / float64(c.n)
			for k := s.left[i]; k < c.n; k++ {
				off := uint32((float64(k) + 0.5) * step)
				if int64(off) >= hi {
					break
				}
				s.buf = append(s.buf, minuteArrival{off: off, fn: c.fn})
				s.left[i] = k + 1
			}
		case SpreadPoisson:
			mean := float64(minuteMicros) / float64(c.n)
			for ; s.at[i] < float64(hi); s.at[i] += s.rng.ExpFloat64() * mean {
				s.buf = append(s.buf, minuteArrival{off: uint32(s.at[i]), fn: c.fn})
			}
		}
	}
	s.sort()
	return s.buf, true
}

// binomial draws how many of n trials succeed at probability p.
func (s *spreader) binomial(n uint32, p float64) uint32 {
	switch {
	case n == 0 || p <= 0:
		return 0
	case p >= 1:
		return n
	}
	return uint32(distuv.Binomial{N: float64(n), P: p, Src: s.rng}.Rand())
}

// sort is a stable LSD radix sort on the offset, two passes of radixBits.
func (s *spreader) sort() {
	n := len(s.buf)
	if n < 2 {
		return
	}
	if cap(s.tmp) < n {
		s.tmp = make([]minuteArrival, n)
	}
	s.tmp = s.tmp[:n]
	src, dst := s.buf, s.tmp
	for pass := range 2 {
		shift := uint(pass * radixBits)
		clear(s.hist[:])
		for _, a := range src {
			s.hist[(a.off>>shift)&(1<<radixBits-1)]++
		}
		sum := 0
		for i, c := range s.hist {
			s.hist[i] = sum
			sum += c
		}
		for _, a := range src {
			b := (a.off >> shift) & (1<<radixBits - 1)
			dst[s.hist[b]] = a
			s.hist[b]++
		}
		src, dst = dst, src
	}
	s.buf, s.tmp = src, dst
}
