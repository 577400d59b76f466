package sim

import (
	"math"
	"time"
)

// Time is simulated time in microseconds since the start of a run.
type Time int64

// Duration is a span of simulated time in microseconds.
type Duration int64

// Units of simulated time.
const (
	Microsecond Duration = 1
	Millisecond Duration = 1000 * Microsecond
	Second      Duration = 1000 * Millisecond
	Minute      Duration = 60 * Second
	Hour        Duration = 60 * Minute
	Day         Duration = 24 * Hour
)

// Seconds returns d in seconds.
func (d Duration) Seconds() float64 { return float64(d) / float64(Second) }

// String formats d like time.Duration does.
func (d Duration) String() string { return time.Duration(d * 1000).String() }

// Seconds returns t in seconds since the start of the run.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// Add returns t+d.
func (t Time) Add(d Duration) Time { return t + Time(d) }

// Sub returns t-u.
func (t Time) Sub(u Time) Duration { return Duration(t - u) }

// FromSeconds converts seconds to a Duration, rounding to the nearest
// microsecond and saturating (see DurationOf).
func FromSeconds(s float64) Duration { return DurationOf(math.Round(s * float64(Second))) }

// MaxDuration is the longest span a conversion from a float gives: about
// 292,000 years, "never" for any run.
const MaxDuration Duration = math.MaxInt64

// DurationOf converts a float number of microseconds to a Duration,
// truncating toward zero and saturating: a value beyond the int64 range
// (or +Inf, or NaN, which only a bug upstream can produce) gives
// ±MaxDuration, never a wrapped value of the other sign. The scenario
// loader's ranges keep every product of figures far inside the range; this
// is the backstop.
func DurationOf(us float64) Duration {
	switch {
	case us != us: // NaN: as long as possible, never a plausible figure
		return MaxDuration
	case us >= float64(MaxDuration):
		return MaxDuration
	case us <= -float64(MaxDuration):
		return -MaxDuration
	}
	return Duration(us)
}

// addSat returns t+d, saturating at maxTime (and at -maxTime) instead of
// wrapping.
func (t Time) addSat(d Duration) Time {
	switch {
	case d > 0 && t > maxTime-Time(d):
		return maxTime
	case d < 0 && t < -maxTime-Time(d):
		return -maxTime
	}
	return t + Time(d)
}

// FromStd converts a time.Duration to a Duration, truncating to microseconds.
func FromStd(d time.Duration) Duration { return Duration(d / time.Microsecond) }

// satAdd returns a+b, saturating at ±MaxDuration instead of wrapping.
func satAdd(a, b Duration) Duration {
	switch {
	case b > 0 && a > MaxDuration-b:
		return MaxDuration
	case b < 0 && a < -MaxDuration-b:
		return -MaxDuration
	}
	return a + b
}
