package sweep

import (
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// TestTQuantile checks gonum's quantiles against a printed table: the
// upper critical values t(0.975, ν) of the NIST/SEMATECH e-Handbook of
// Statistical Methods, section 1.3.6.7.2, to the digits it prints (more
// digits from R's qt(0.975, ν)).
func TestTQuantile(t *testing.T) {
	for _, c := range []struct{ df, want float64 }{
		{1, 12.7062047}, {2, 4.30265273}, {4, 2.77644511}, {8, 2.30600414},
		{10, 2.22813885}, {30, 2.04227246}, {100, 1.98397152},
	} {
		if got := TQuantile(0.975, c.df); !near(got, c.want, 1e-6) {
			t.Errorf("t(0.975, %g) = %.8f, want %.8f", c.df, got, c.want)
		}
	}
}

func TestMeanCIByHand(t *testing.T) {
	// 1..5: mean 3, s² = 10/4 = 2.5, half-width t(0.975,4)·√2.5/√5
	// = 2.77644511 · 0.70710678 = 1.96324316.
	iv := MeanCI([]float64{1, 2, 3, 4, 5})
	if iv.N != 5 || iv.Mean != 3 || !near(iv.SD, math.Sqrt(2.5), 1e-12) || iv.DF != 4 || !near(iv.HalfWidth, 1.96324316, 1e-7) {
		t.Errorf("MeanCI(1..5) = %+v", iv)
	}
	if !near(iv.Lo(), 3-1.96324316, 1e-7) || !near(iv.Hi(), 3+1.96324316, 1e-7) {
		t.Errorf("bounds %g, %g", iv.Lo(), iv.Hi())
	}
	// n = 1: a mean, no interval.
	one := MeanCI([]float64{7})
	if one.Mean != 7 || one.Has() || !math.IsNaN(one.Lo()) {
		t.Errorf("MeanCI(7) = %+v, want mean 7 without an interval", one)
	}
	if MeanCI(nil).Has() || !math.IsNaN(MeanCI(nil).Mean) {
		t.Error("MeanCI(nil) has a mean or an interval")
	}
	// No spread: an interval of width 0.
	if c := MeanCI([]float64{2, 2, 2}); !c.Has() || c.HalfWidth != 0 {
		t.Errorf("MeanCI(2,2,2) = %+v", c)
	}
}

func TestPairedAndWelchByHand(t *testing.T) {
	xs := []float64{10, 12, 11, 13, 14}
	ys := []float64{9, 11, 11, 12, 12}
	// d = 1,1,0,1,2: mean 1, s² = (0+0+1+0+1)/4 = 0.5,
	// half-width 2.77644511·√0.5/√5 = 0.87798903.
	p := PairedCI(xs, ys)
	if p.Mean != 1 || !near(p.HalfWidth, 0.87798903, 1e-7) {
		t.Errorf("PairedCI = %+v", p)
	}
	// Welch: s²x = 2.5, s²y = 1.5, se = √(0.5+0.3) = 0.89442719,
	// ν = 0.8² / (0.5²/4 + 0.3²/4) = 0.64/0.085 = 7.52941176.
	w := WelchCI(xs, ys)
	if w.Mean != 1 || !near(w.SD, 0.89442719, 1e-8) || !near(w.DF, 7.52941176, 1e-7) {
		t.Errorf("WelchCI = %+v", w)
	}
	if want := TQuantile(0.975, 7.52941176) * 0.89442719; !near(w.HalfWidth, want, 1e-7) {
		t.Errorf("Welch half-width %g, want %g", w.HalfWidth, want)
	}
	// t(0.975, ν) lies between the table's ν = 8 and ν = 7 (2.36462425).
	if q := w.HalfWidth / w.SD; q <= 2.30600414 || q >= 2.36462425 {
		t.Errorf("Welch t quantile %g outside (t8, t7)", q)
	}
	// Equal variances and sizes: ν = 2(n-1) = 8 exactly, se = 1.
	e := WelchCI([]float64{1, 2, 3, 4, 5}, []float64{2, 3, 4, 5, 6})
	if e.Mean != -1 || !near(e.DF, 8, 1e-12) || !near(e.HalfWidth, 2.30600414, 1e-7) {
		t.Errorf("WelchCI(equal variances) = %+v", e)
	}
	// Common random numbers: a constant shift has a paired interval of 0
	// but a Welch interval as wide as the spread.
	if p := PairedCI([]float64{1, 2, 3, 4, 5}, []float64{2, 3, 4, 5, 6}); p.Mean != -1 || p.HalfWidth != 0 {
		t.Errorf("PairedCI(shift) = %+v", p)
	}
	if w := WelchCI([]float64{1}, []float64{2, 3}); w.Has() || w.Mean != -1.5 {
		t.Errorf("WelchCI(n=1) = %+v", w)
	}
	if w := WelchCI([]float64{1, 1}, []float64{2, 2}); w.HalfWidth != 0 {
		t.Errorf("WelchCI(no spread) = %+v", w)
	}
}

func TestMeanVarIsStable(t *testing.T) {
	// Large offset, small spread: the naive sum of squares loses it.
	xs := []float64{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}
	m, v := meanVar(xs)
	if m != 1e9+10 || !near(v, 30, 1e-9) { // deviations -6,-3,3,6: 90/3
		t.Errorf("meanVar = %g, %g", m, v)
	}
}
