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
// microsecond.
func FromSeconds(s float64) Duration { return Duration(math.Round(s * float64(Second))) }

// FromStd converts a time.Duration to a Duration, truncating to microseconds.
func FromStd(d time.Duration) Duration { return Duration(d / time.Microsecond) }
