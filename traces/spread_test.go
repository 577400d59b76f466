package traces

import (
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
