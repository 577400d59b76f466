// Package carbon gives a region's grid carbon intensity over simulated time,
// as a constant or a step series, and its time integral so that the carbon of
// any interval is exact: grams = watts × Integral(a, b) / 3.6e6.
package carbon

import (
	"fmt"
	"math"
)

// Intensity is a grid carbon intensity in gCO2e/kWh over simulated time
// (microseconds since the start of a run).
type Intensity interface {
	// At returns the intensity at time t.
	At(t int64) float64
	// Integral returns the integral of the intensity over [a, b], in
	// gCO2e/kWh × seconds.
	Integral(a, b int64) float64
}

// Constant is a time-invariant intensity.
type Constant float64

func (c Constant) At(int64) float64 { return float64(c) }
func (c Constant) Integral(a, b int64) float64 {
	return float64(c) * float64(b-a) / 1e6
}

// Series is a step function: Values[i] holds on [Offset+i·Step,
// Offset+(i+1)·Step). It repeats cyclically outside its span, so a series
// shorter than a run wraps around instead of stopping.
type Series struct {
	step   int64
	offset int64
	values []float64
	cum    []float64 // cum[i] = integral over the first i steps, g/kWh × s
}

// NewSeries returns a series whose first value starts at simulated time
// offset (microseconds; may be negative to start the run inside the series).
func NewSeries(values []float64, step, offset int64) (*Series, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("carbon series is empty")
	}
	if step <= 0 {
		return nil, fmt.Errorf("carbon series step must be positive (got %d us)", step)
	}
	s := &Series{step: step, offset: offset, values: values, cum: make([]float64, len(values)+1)}
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("carbon series value %d is %v, not a finite non-negative intensity", i, v)
		}
		s.cum[i+1] = s.cum[i] + v*float64(step)/1e6
	}
	return s, nil
}

// Mean returns the mean intensity over one cycle.
func (s *Series) Mean() float64 {
	return s.cum[len(s.values)] / (float64(s.step) / 1e6 * float64(len(s.values)))
}

func (s *Series) period() int64 { return s.step * int64(len(s.values)) }

// index returns the position of t inside the cycle.
func (s *Series) pos(t int64) int64 {
	p := (t - s.offset) % s.period()
	if p < 0 {
		p += s.period()
	}
	return p
}

func (s *Series) At(t int64) float64 { return s.values[s.pos(t)/s.step] }

// primitive returns the integral from the series origin to t, unwrapped.
func (s *Series) primitive(t int64) float64 {
	rel := t - s.offset
	cycles := rel / s.period()
	p := rel % s.period()
	if p < 0 {
		p += s.period()
		cycles--
	}
	i := p / s.step
	within := float64(p-i*s.step) / 1e6 * s.values[i]
	return float64(cycles)*s.cum[len(s.values)] + s.cum[i] + within
}

func (s *Series) Integral(a, b int64) float64 { return s.primitive(b) - s.primitive(a) }
