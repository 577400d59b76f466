package traces

import (
	"fmt"
	"math/rand/v2"
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

// spreader turns one minute of counts into arrivals sorted by offset, ties
// kept in the order of the cells (the file's row order): deterministic.
type spreader struct {
	mode     Spread
	rng      *rand.Rand
	buf, tmp []minuteArrival
	hist     [1 << radixBits]int
}

const radixBits = 13 // two passes cover offsets below 2^26 µs > one minute

func (s *spreader) minute(cells []cell) []minuteArrival {
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
