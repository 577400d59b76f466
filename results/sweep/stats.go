package sweep

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Level is the confidence level of every interval: 95 %.
const Level = 0.95

// Interval is a mean with its confidence interval: Mean ± HalfWidth, at
// Level, from N observations. HalfWidth is NaN when the data cannot give
// an interval (fewer than two observations): Has reports whether it can.
type Interval struct {
	N    int
	Mean float64
	// SD is the sample standard deviation (NaN for N < 2); DF the degrees
	// of freedom of the t quantile.
	SD, DF    float64
	HalfWidth float64
}

// Has reports whether the interval exists (N >= 2).
func (iv Interval) Has() bool { return !math.IsNaN(iv.HalfWidth) }

// Lo and Hi are the interval's bounds (NaN without an interval).
func (iv Interval) Lo() float64 { return iv.Mean - iv.HalfWidth }
func (iv Interval) Hi() float64 { return iv.Mean + iv.HalfWidth }

// TQuantile is the p-quantile of Student's t distribution with df degrees
// of freedom (gonum stat/distuv.StudentsT).
func TQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}

// MeanCI is the mean of xs with its Student t interval at Level:
// mean ± t(1-α/2, n-1)·s/√n, s the sample standard deviation.
func MeanCI(xs []float64) Interval {
	n := len(xs)
	iv := Interval{N: n, Mean: math.NaN(), SD: math.NaN(), DF: math.NaN(), HalfWidth: math.NaN()}
	if n == 0 {
		return iv
	}
	mean, v := meanVar(xs)
	iv.Mean = mean
	if n < 2 {
		return iv
	}
	iv.SD, iv.DF = math.Sqrt(v), float64(n-1)
	iv.HalfWidth = TQuantile(1-(1-Level)/2, iv.DF) * iv.SD / math.Sqrt(float64(n))
	return iv
}

// PairedCI is the mean of the differences xs[i] - ys[i] with its t
// interval: the comparison of two arms run on the same random streams
// (common random numbers), whose shared noise cancels in the difference.
// xs and ys must have the same length.
func PairedCI(xs, ys []float64) Interval {
	if len(xs) != len(ys) {
		panic("sweep: PairedCI of samples of different sizes")
	}
	d := make([]float64, len(xs))
	for i := range xs {
		d[i] = xs[i] - ys[i]
	}
	return MeanCI(d)
}

// WelchCI is the difference of the means of xs and ys with Welch's
// unpaired t interval: standard error √(s²x/nx + s²y/ny), degrees of
// freedom by the Welch-Satterthwaite equation. It ignores any pairing: the
// interval the difference would have without common random numbers.
// Without two observations on each side it has no interval; with no
// spread on either side its half-width is 0.
func WelchCI(xs, ys []float64) Interval {
	nx, ny := len(xs), len(ys)
	iv := Interval{N: min(nx, ny), Mean: math.NaN(), SD: math.NaN(), DF: math.NaN(), HalfWidth: math.NaN()}
	if nx == 0 || ny == 0 {
		return iv
	}
	mx, vx := meanVar(xs)
	my, vy := meanVar(ys)
	iv.Mean = mx - my
	if nx < 2 || ny < 2 {
		return iv
	}
	ax, ay := vx/float64(nx), vy/float64(ny)
	se := math.Sqrt(ax + ay)
	iv.SD = se
	if se == 0 {
		iv.HalfWidth = 0
		return iv
	}
	iv.DF = (ax + ay) * (ax + ay) / (ax*ax/float64(nx-1) + ay*ay/float64(ny-1))
	iv.HalfWidth = TQuantile(1-(1-Level)/2, iv.DF) * se
	return iv
}

// meanVar returns the mean and the unbiased sample variance (0 for one
// value), by the two-pass algorithm.
func meanVar(xs []float64) (mean, variance float64) {
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss, c float64
	for _, x := range xs {
		d := x - mean
		ss += d * d
		c += d
	}
	// the compensated two-pass formula (Chan, Golub & LeVeque 1983)
	variance = (ss - c*c/float64(len(xs))) / float64(len(xs)-1)
	return mean, max(variance, 0)
}
