package sim

import (
	"math"
	"testing"
)

// Float-to-integer conversions of the model saturate, never wrap (issue
// 10, point 2): slo.factor = 1e13 once made every limit negative and
// reported 78 % SLA violations; a speed of 1e13 made executions take 0 s.
func TestDurationOfSaturates(t *testing.T) {
	for _, c := range []struct {
		in   float64
		want Duration
	}{
		{1.5, 1}, {-1.5, -1}, {0, 0},
		{1e300, MaxDuration}, {math.Inf(1), MaxDuration}, {-1e300, -MaxDuration},
		{math.Inf(-1), -MaxDuration}, {math.NaN(), MaxDuration},
		{float64(math.MaxInt64), MaxDuration}, // rounds up to 2^63: out of range
	} {
		if got := DurationOf(c.in); got != c.want {
			t.Errorf("DurationOf(%v) = %d, want %d", c.in, got, c.want)
		}
	}
	if got := FromSeconds(1e300); got != MaxDuration {
		t.Errorf("FromSeconds(1e300) = %d, want MaxDuration", got)
	}
}

func TestSLOLimitSaturates(t *testing.T) {
	s := SLO{Factor: 1e13, Slack: 500 * Millisecond}
	if got := s.Limit(Second); got != MaxDuration {
		t.Errorf("Limit with factor 1e13 = %v, want MaxDuration (an objective that cannot be missed)", got)
	}
	if got := (SLO{Factor: 2, Slack: MaxDuration}).Limit(Second); got != MaxDuration {
		t.Errorf("Limit with a maximal slack = %v, want MaxDuration", got)
	}
}

func TestTimeAddSaturates(t *testing.T) {
	if got := Time(10).addSat(MaxDuration); got != maxTime {
		t.Errorf("addSat past the end = %d, want maxTime", got)
	}
	if got := Time(-10).addSat(-MaxDuration); got != -maxTime {
		t.Errorf("addSat past the start = %d, want -maxTime", got)
	}
	if got := satAdd(MaxDuration-1, 5); got != MaxDuration {
		t.Errorf("satAdd = %d, want MaxDuration", got)
	}
}
