package dist

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleMean draws n values by inverse transform from a fixed seed.
func sampleMean(q Quantiler, n int) float64 {
	r := rand.New(rand.NewPCG(1, 2))
	s := 0.0
	for range n {
		s += q.Quantile(r.Float64())
	}
	return s / float64(n)
}

func TestMeansMatchSamples(t *testing.T) {
	pw, err := NewPiecewiseLinear([]float64{0, .01, .25, .5, .75, .99, 1}, []float64{1, 2, 5, 10, 20, 80, 100})
	if err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]Quantiler{
		"exponential": Exponential{M: 2},
		"lognormal":   LogNormal{Mu: 0.1, Sigma: 0.6},
		"burr":        Burr{C: 11.652, K: 0.221, Lambda: 107.083},
		"piecewise":   pw,
		"constant":    Constant{V: 3},
	} {
		got, want := sampleMean(q, 400000), q.Mean()
		if math.Abs(got-want) > 0.02*want {
			t.Errorf("%s: sample mean %.4f, analytic mean %.4f", name, got, want)
		}
	}
}

func TestLogNormalFromQuantiles(t *testing.T) {
	// AWS JavaScript cold start (Shilkov, Jan 2021): median 0.264 s, 97.5th 0.595 s.
	l, err := LogNormalFromQuantiles(0.264, 0.975, 0.595)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Quantile(0.5); math.Abs(got-0.264) > 1e-9 {
		t.Errorf("median = %v, want 0.264", got)
	}
	if got := l.Quantile(0.975); math.Abs(got-0.595) > 1e-6 {
		t.Errorf("97.5th percentile = %v, want 0.595", got)
	}
	if _, err := LogNormalFromQuantiles(1, 0.975, 0.5); err == nil {
		t.Error("a quantile below the median was accepted")
	}
}

func TestPiecewiseLinearRejectsBadTables(t *testing.T) {
	for _, c := range []struct{ p, v []float64 }{
		{[]float64{0, 0.5}, []float64{1}},
		{[]float64{0, 0.5, 0.4}, []float64{1, 2, 3}},
		{[]float64{0, 0.5}, []float64{2, 1}},
		{[]float64{0, 0.5}, []float64{math.NaN(), 1}},
		{[]float64{0, 1.5}, []float64{1, 2}},
		{[]float64{0, 1}, []float64{-1, 2}},
	} {
		if _, err := NewPiecewiseLinear(c.p, c.v); err == nil {
			t.Errorf("table p=%v v=%v accepted", c.p, c.v)
		}
	}
}

func TestPiecewiseLinearInterpolates(t *testing.T) {
	d, _ := NewPiecewiseLinear([]float64{0.25, 0.75}, []float64{10, 20})
	for _, c := range []struct{ p, want float64 }{{0, 10}, {0.25, 10}, {0.5, 15}, {0.75, 20}, {0.99, 20}} {
		if got := d.Quantile(c.p); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}
