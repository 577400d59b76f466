package traces

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSpreadSortsStably(t *testing.T) {
	s := spreader{mode: SpreadUniform, rng: rand.New(rand.NewPCG(1, 1))}
	cells := []cell{{0, 500}, {1, 3000}, {2, 1}, {3, 70}}
	got := slices.Clone(s.minute(cells))
	if len(got) != 3571 {
		t.Fatalf("%d arrivals, want 3571", len(got))
	}
	want := slices.Clone(got)
	slices.SortStableFunc(want, func(a, b minuteArrival) int { return int(a.off) - int(b.off) })
	// A stable sort of the generated order must equal the radix result.
	s2 := spreader{mode: SpreadUniform, rng: rand.New(rand.NewPCG(1, 1))}
	s2.buf = s2.buf[:0]
	for _, c := range cells {
		for range c.n {
			s2.buf = append(s2.buf, minuteArrival{off: uint32(s2.rng.Float64() * minuteMicros), fn: c.fn})
		}
	}
	slices.SortStableFunc(s2.buf, func(a, b minuteArrival) int { return int(a.off) - int(b.off) })
	if !slices.Equal(got, s2.buf) {
		t.Fatal("radix sort differs from a stable comparison sort")
	}
	for _, a := range got {
		if a.off >= minuteMicros {
			t.Fatalf("offset %d outside the minute", a.off)
		}
	}
}

func TestSpreadModes(t *testing.T) {
	eq := spreader{mode: SpreadEquidistant}
	got := eq.minute([]cell{{7, 4}})
	for k, a := range got {
		if want := uint32((float64(k) + 0.5) * 15e6); a.off != want || a.fn != 7 {
			t.Errorf("equidistant arrival %d = %+v, want offset %d", k, a, want)
		}
	}
	// Poisson keeps the count only on average.
	p := spreader{mode: SpreadPoisson, rng: rand.New(rand.NewPCG(5, 6))}
	total := 0
	for range 2000 {
		total += len(p.minute([]cell{{0, 10}}))
	}
	if mean := float64(total) / 2000; mean < 9.7 || mean > 10.3 {
		t.Errorf("Poisson spread: mean count %.2f per minute, want about 10", mean)
	}
	if _, err := ParseSpread("gaussian"); err == nil {
		t.Error("unknown spread accepted")
	}
}

// drain spreads a minute of cells with the given piece limit and returns
// every arrival, slice after slice, and the number of slices.
func drain(s *spreader, cells []cell) (all []minuteArrival, slices int) {
	all = append(all, s.minute(cells)...)
	slices = 1
	for {
		b, ok := s.more()
		if !ok {
			return all, slices
		}
		all = append(all, b...)
		slices++
	}
}

// A minute spread in slices gives the same equidistant offsets as in one
// piece, in the same order.
func TestSpreadSlicesEquidistant(t *testing.T) {
	cells := []cell{{0, 500}, {1, 3000}, {2, 1}, {3, 70}}
	whole := spreader{mode: SpreadEquidistant}
	want := slices.Clone(whole.minute(cells))
	sliced := spreader{mode: SpreadEquidistant, limit: 100} // 36 slices
	got, n := drain(&sliced, cells)
	if n != 36 {
		t.Errorf("%d slices, want 36", n)
	}
	if !slices.Equal(got, want) {
		t.Fatal("equidistant arrivals spread in slices differ from one piece's")
	}
}

// A uniform minute spread in slices keeps every cell's count, gives its
// arrivals in order of offset across the slices, is the same for the same
// seed, and spreads them evenly over the minute.
func TestSpreadSlicesUniform(t *testing.T) {
	cells := []cell{{0, 50_000}, {1, 30_000}, {2, 1}, {3, 7}}
	run := func() []minuteArrival {
		s := spreader{mode: SpreadUniform, rng: rand.New(rand.NewPCG(1, 2)), limit: 1000}
		got, n := drain(&s, cells)
		if n != 81 { // 80,008 arrivals over 1,000, rounded up
			t.Errorf("%d slices, want 81", n)
		}
		return got
	}
	got := run()
	if !slices.Equal(got, run()) {
		t.Fatal("two spreads with one seed differ")
	}
	count := map[int32]uint32{}
	const bins = 60 // one per second: 1,333 arrivals expected in each
	var perSecond [bins]int
	for i, a := range got {
		if i > 0 && a.off < got[i-1].off {
			t.Fatalf("arrival %d at %d µs after one at %d", i, a.off, got[i-1].off)
		}
		if a.off >= minuteMicros {
			t.Fatalf("offset %d outside the minute", a.off)
		}
		count[a.fn]++
		perSecond[a.off/1e6]++
	}
	for _, c := range cells {
		if count[c.fn] != c.n {
			t.Errorf("function %d: %d arrivals, want %d", c.fn, count[c.fn], c.n)
		}
	}
	// Chi-square of the per-second counts, 59 degrees of freedom: above
	// 100 has probability below 0.1 % under uniformity.
	exp := float64(len(got)) / bins
	chi := 0.0
	for _, n := range perSecond {
		chi += (float64(n) - exp) * (float64(n) - exp) / exp
	}
	if chi > 100 {
		t.Errorf("per-second counts %v: chi-square %.1f, not uniform", perSecond, chi)
	}
}

// A Poisson minute spread in slices keeps the count on average.
func TestSpreadSlicesPoisson(t *testing.T) {
	s := spreader{mode: SpreadPoisson, rng: rand.New(rand.NewPCG(5, 6)), limit: 10}
	total := 0
	for range 200 {
		got, _ := drain(&s, []cell{{0, 100}, {1, 20}})
		for i := 1; i < len(got); i++ {
			if got[i].off < got[i-1].off {
				t.Fatal("Poisson arrivals out of order across slices")
			}
		}
		total += len(got)
	}
	if mean := float64(total) / 200; mean < 117 || mean > 123 { // sd of the mean 0.77
		t.Errorf("Poisson spread in slices: mean count %.2f per minute, want about 120", mean)
	}
}

// The spreader's memory does not grow with a minute's count: a count of
// 2^32-1 in one cell (the counts' type's maximum, far past the reader's
// limit) gives its slices in a buffer of about SliceArrivals.
func TestSpreadSlicesBounded(t *testing.T) {
	s := spreader{mode: SpreadUniform, rng: rand.New(rand.NewPCG(7, 8))}
	b := s.minute([]cell{{0, math.MaxUint32}})
	for range 3 {
		if len(b) > SliceArrivals+SliceArrivals/50 { // 2 % above: 90 standard deviations
			t.Fatalf("a slice of %d arrivals, past the bound of about %d", len(b), SliceArrivals)
		}
		var ok bool
		if b, ok = s.more(); !ok {
			t.Fatal("the minute ended after a few slices")
		}
	}
	if c := cap(s.buf) + cap(s.tmp); c > 3*SliceArrivals {
		t.Errorf("buffers of %d arrivals held, want about 2×%d", c, SliceArrivals)
	}
	if s.slices != (math.MaxUint32+SliceArrivals-1)/SliceArrivals {
		t.Errorf("%d slices", s.slices)
	}
}
