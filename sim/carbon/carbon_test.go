package carbon

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveIntegral sums the intensity second by second.
func naiveIntegral(i Intensity, a, b int64) float64 {
	s := 0.0
	for t := a; t < b; t += 1e6 {
		s += i.At(t)
	}
	return s
}

func TestSeriesIntegralMatchesSum(t *testing.T) {
	s, err := NewSeries([]float64{100, 300, 50, 500}, 900e6, -450e6) // 15-min steps, starting mid-step
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		a := (rng.Int64N(20000) - 5000) * 1e6 // whole seconds, before and after the first cycle
		b := a + rng.Int64N(8000)*1e6
		got, want := s.Integral(a, b), naiveIntegral(s, a, b)
		if math.Abs(got-want) > 1e-6*math.Max(1, want) {
			t.Fatalf("Integral(%d, %d) = %v, second-by-second sum = %v", a, b, got, want)
		}
	}
}

func TestSeriesWraps(t *testing.T) {
	s, _ := NewSeries([]float64{1, 2}, 10, 0)
	for _, c := range []struct {
		t    int64
		want float64
	}{{0, 1}, {9, 1}, {10, 2}, {20, 1}, {35, 2}, {-1, 2}, {-11, 1}} {
		if got := s.At(c.t); got != c.want {
			t.Errorf("At(%d) = %v, want %v", c.t, got, c.want)
		}
	}
	if got := s.Mean(); got != 1.5 {
		t.Errorf("Mean = %v, want 1.5", got)
	}
}

func TestSeriesRejectsBadValues(t *testing.T) {
	for _, v := range [][]float64{{}, {1, math.NaN()}, {-2}, {math.Inf(1)}} {
		if _, err := NewSeries(v, 10, 0); err == nil {
			t.Errorf("series %v accepted", v)
		}
	}
	if _, err := NewSeries([]float64{1}, 0, 0); err == nil {
		t.Error("zero step accepted")
	}
}

func TestConstant(t *testing.T) {
	c := Constant(323.05)
	if got := c.Integral(0, 3600e6); math.Abs(got-323.05*3600) > 1e-9 {
		t.Errorf("one hour at 323.05 g/kWh integrates to %v", got)
	}
}
