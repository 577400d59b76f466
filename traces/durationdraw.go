package traces

import (
	"fmt"

	"github.com/skyfaas/skyfaas/sim/dist"
)

// DurationDraw says how an Azure 2019 duration is drawn from a function's
// published percentiles (0, 1, 25, 50, 75, 99, 100).
type DurationDraw uint8

const (
	// DrawInterpolate interpolates linearly between the percentiles
	// (piecewise-linear inverse CDF, dist.PiecewiseLinear): the default.
	DrawInterpolate DurationDraw = iota
	// DrawUpper draws u ~ U(0,1) and returns the value at the upper
	// percentile of the bucket (p_i, p_{i+1}] holding u (dist.UpperStep), as
	// DSLab FaaS does: durations take only the published values, each with
	// the probability mass of the bucket below it. A u on a published point
	// belongs to the lower bucket.
	DrawUpper
)

var durationDrawNames = [...]string{"interpolate", "upper"}

func (d DurationDraw) String() string {
	if int(d) < len(durationDrawNames) {
		return durationDrawNames[d]
	}
	return fmt.Sprintf("DurationDraw(%d)", uint8(d))
}

// ParseDurationDraw parses a duration draw name.
func ParseDurationDraw(s string) (DurationDraw, error) {
	for i, n := range durationDrawNames {
		if s == n {
			return DurationDraw(i), nil
		}
	}
	return 0, fmt.Errorf("unknown duration draw %q (want interpolate or upper)", s)
}

// table builds the distribution of a percentile table.
func (d DurationDraw) table(p, v []float64) (dist.Quantiler, error) {
	switch d {
	case DrawInterpolate:
		return dist.NewPiecewiseLinear(p, v)
	case DrawUpper:
		return dist.NewUpperStep(p, v)
	}
	return nil, fmt.Errorf("unknown duration draw %v", d)
}
