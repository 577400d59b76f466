// Package dist holds the probability distributions of the simulated world,
// each sampled by its quantile function (inverse CDF): a draw is
// Quantile(u) for a uniform u from a named stream, so a draw is a pure
// function of its uniform and two runs that share the uniforms share the draws.
package dist

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Quantiler is a distribution of non-negative values given by its quantile
// function.
type Quantiler interface {
	// Quantile returns the value x with P(X <= x) = p, for p in [0, 1).
	Quantile(p float64) float64
	// Mean returns E[X].
	Mean() float64
}

// Constant always returns V.
type Constant struct{ V float64 }

func (c Constant) Quantile(float64) float64 { return c.V }
func (c Constant) Mean() float64            { return c.V }

// Exponential has mean M.
type Exponential struct{ M float64 }

func (e Exponential) Quantile(p float64) float64 { return -e.M * math.Log1p(-p) }
func (e Exponential) Mean() float64              { return e.M }

// LogNormal is exp(N(Mu, Sigma²)).
type LogNormal struct{ Mu, Sigma float64 }

// LogNormalFromQuantiles returns the log-normal whose median is median and
// whose q-quantile is x (q > 0.5, x > median).
func LogNormalFromQuantiles(median, q, x float64) (LogNormal, error) {
	if !(median > 0) || !(x > median) || !(q > 0.5 && q < 1) {
		return LogNormal{}, fmt.Errorf("log-normal fit needs 0 < median < x and 0.5 < q < 1 (got median %g, x %g, q %g)", median, x, q)
	}
	z := distuv.UnitNormal.Quantile(q)
	return LogNormal{Mu: math.Log(median), Sigma: math.Log(x/median) / z}, nil
}

func (l LogNormal) Quantile(p float64) float64 {
	return math.Exp(l.Mu + l.Sigma*distuv.UnitNormal.Quantile(clampOpen(p)))
}
func (l LogNormal) Mean() float64 { return math.Exp(l.Mu + l.Sigma*l.Sigma/2) }

// Burr is the Burr type XII distribution with CDF 1-(1+(x/Lambda)^C)^-K.
type Burr struct{ C, K, Lambda float64 }

func (b Burr) Quantile(p float64) float64 {
	return b.Lambda * math.Pow(math.Pow(1-p, -1/b.K)-1, 1/b.C)
}

// Mean returns E[X], which is infinite when C*K <= 1.
func (b Burr) Mean() float64 {
	if b.C*b.K <= 1 {
		return math.Inf(1)
	}
	lb := func(a, c float64) float64 { // log Beta(a, c)
		la, _ := math.Lgamma(a)
		lc, _ := math.Lgamma(c)
		lac, _ := math.Lgamma(a + c)
		return la + lc - lac
	}
	return b.Lambda * b.K * math.Exp(lb(b.K-1/b.C, 1+1/b.C))
}

// PiecewiseLinear is the distribution whose quantile function interpolates
// linearly between published percentiles: P[i] (increasing, in [0,1]) maps
// to V[i] (non-decreasing). Below P[0] it returns V[0] and above the last
// point the last value, so a table without its 0th or 100th percentile is
// clamped to its extreme published values, not extrapolated.
type PiecewiseLinear struct {
	P, V []float64
}

// NewPiecewiseLinear checks and returns the distribution.
func NewPiecewiseLinear(p, v []float64) (PiecewiseLinear, error) {
	if len(p) != len(v) || len(p) == 0 {
		return PiecewiseLinear{}, fmt.Errorf("percentile table needs as many values as points (got %d and %d)", len(p), len(v))
	}
	for i := range p {
		if math.IsNaN(p[i]) || p[i] < 0 || p[i] > 1 {
			return PiecewiseLinear{}, fmt.Errorf("percentile point %g is outside [0, 1]", p[i])
		}
		if math.IsNaN(v[i]) || math.IsInf(v[i], 0) || v[i] < 0 {
			return PiecewiseLinear{}, fmt.Errorf("percentile value %g is not a finite non-negative number", v[i])
		}
		if i > 0 && (p[i] <= p[i-1]) {
			return PiecewiseLinear{}, fmt.Errorf("percentile points must increase (%g after %g)", p[i], p[i-1])
		}
		if i > 0 && v[i] < v[i-1] {
			return PiecewiseLinear{}, fmt.Errorf("percentile values must not decrease (%g after %g)", v[i], v[i-1])
		}
	}
	return PiecewiseLinear{P: p, V: v}, nil
}

func (d PiecewiseLinear) Quantile(p float64) float64 {
	n := len(d.P)
	if p <= d.P[0] {
		return d.V[0]
	}
	for i := 1; i < n; i++ {
		if p <= d.P[i] {
			f := (p - d.P[i-1]) / (d.P[i] - d.P[i-1])
			return d.V[i-1] + f*(d.V[i]-d.V[i-1])
		}
	}
	return d.V[n-1]
}

// Mean integrates the quantile function over [0, 1].
func (d PiecewiseLinear) Mean() float64 {
	n := len(d.P)
	m := d.P[0] * d.V[0]
	for i := 1; i < n; i++ {
		m += (d.P[i] - d.P[i-1]) * (d.V[i] + d.V[i-1]) / 2
	}
	return m + (1-d.P[n-1])*d.V[n-1]
}

// clampOpen keeps p strictly inside (0, 1) so that quantiles stay finite.
func clampOpen(p float64) float64 {
	const eps = 1e-12
	if p < eps {
		return eps
	}
	if p > 1-eps {
		return 1 - eps
	}
	return p
}
