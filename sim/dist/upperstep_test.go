package dist

import (
	"math"
	"testing"
)

// upperTable is a hand-made duration table (ms) at the Azure 2019
// percentiles 0, 1, 25, 50, 75, 99, 100.
var upperTable = struct{ p, v []float64 }{
	p: []float64{0, .01, .25, .50, .75, .99, 1},
	v: []float64{10, 20, 30, 40, 50, 60, 70},
}

func TestUpperStepQuantile(t *testing.T) {
	d, err := NewUpperStep(upperTable.p, upperTable.v)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ u, want float64 }{
		{0, 10},     // on P[0]: V[0]
		{0.005, 20}, // (0, 0.01] -> the 1st percentile's value
		{0.01, 20},  // a boundary belongs to the lower bucket
		{0.3, 40},   // (0.25, 0.5] -> the median
		{0.5, 40},   // boundary: lower bucket
		{0.5000001, 50},
		{0.995, 70}, // (0.99, 1] -> the maximum
		{0.99999, 70},
	} {
		if got := d.Quantile(c.u); got != c.want {
			t.Errorf("Quantile(%v) = %v, want %v", c.u, got, c.want)
		}
	}
	// Mass of each bucket times its upper value:
	// .01·20 + .24·30 + .25·40 + .25·50 + .24·60 + .01·70 = 45.
	if m := d.Mean(); math.Abs(m-45) > 1e-12 {
		t.Errorf("Mean() = %v, want 45", m)
	}
}

// A table without its 0th percentile (memory starts at the 1st): P[0]'s
// mass goes to V[0].
func TestUpperStepWithoutZeroPoint(t *testing.T) {
	d, err := NewUpperStep([]float64{0.25, 0.75}, []float64{100, 300})
	if err != nil {
		t.Fatal(err)
	}
	if d.Quantile(0.1) != 100 || d.Quantile(0.5) != 300 || d.Quantile(0.9) != 300 {
		t.Errorf("quantiles %v %v %v, want 100 300 300", d.Quantile(0.1), d.Quantile(0.5), d.Quantile(0.9))
	}
	if m := d.Mean(); math.Abs(m-(0.25*100+0.5*300+0.25*300)) > 1e-12 {
		t.Errorf("Mean() = %v", m)
	}
}

func TestUpperStepMeanMatchesSamples(t *testing.T) {
	d, err := NewUpperStep(upperTable.p, upperTable.v)
	if err != nil {
		t.Fatal(err)
	}
	want := 0.0 // Σ (p_{i+1} - p_i)·v_{i+1}, the table starting at p = 0
	for i := 1; i < len(upperTable.p); i++ {
		want += (upperTable.p[i] - upperTable.p[i-1]) * upperTable.v[i]
	}
	// 400,000 draws: the standard error is about 11/sqrt(4e5) = 0.02 ms,
	// so 0.1 ms is five standard errors.
	if got := sampleMean(d, 400000); math.Abs(got-want) > 0.1 {
		t.Errorf("sample mean %.4f, analytical mean %.4f", got, want)
	}
}

func TestUpperStepRejectsBadTables(t *testing.T) {
	for _, c := range []struct{ p, v []float64 }{
		{nil, nil},
		{[]float64{0, 1}, []float64{1}},
		{[]float64{0.5, 0.5}, []float64{1, 2}},
		{[]float64{0, 1}, []float64{2, 1}},
		{[]float64{0, 1.5}, []float64{1, 2}},
		{[]float64{0, 1}, []float64{1, math.NaN()}},
	} {
		if _, err := NewUpperStep(c.p, c.v); err == nil {
			t.Errorf("table %v -> %v accepted", c.p, c.v)
		}
	}
}
