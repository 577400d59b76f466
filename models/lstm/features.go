package lstm

import (
	"math"

	"github.com/skyfaas/skyfaas/sim"
)

// The model's input features, per pool and interval, and the targets it
// predicts for the next interval. The same function computes them from a
// series row (training) and from a pool's observation (the policy), so the
// two cannot drift apart:
//
//   - rate: arrivals routed to the pool per second of the tick (req/s);
//   - memory: MB held by the pool's instances at the interval's end,
//     (busy + idle + starting) × the pool's memory size (MB);
//   - cpu: mean executions running over the interval, a cold start's wait
//     excluded (the series' MeanConcurrency, the observation's
//     ExecTime/Interval: equal to the bit, TestFeaturesTrainEqualServe);
//   - queue: invocations queued at the interval's end;
//   - time of day: the interval's start as a fraction of the day, [0, 1).
//
// Targets are rate, memory and cpu of the next interval, in those units.
const (
	FeatRate = iota
	FeatMemory
	FeatCPU
	FeatQueue
	FeatTimeOfDay
	NumFeatures
)

// NumTargets is the number of predicted quantities (rate, memory, cpu).
const NumTargets = 3

// FeatureNames name the features in order.
var FeatureNames = [NumFeatures]string{"rate", "memory", "cpu", "queue", "time_of_day"}

// TargetUnits are the targets' units.
var TargetUnits = [NumTargets]string{"req/s", "MB", "executions"}

const day = 24 * sim.Hour

// Raw is one interval's features in real units.
type Raw [NumFeatures]float64

// timeOfDay returns t's fraction of the day.
func timeOfDay(t sim.Time) float64 {
	d := int64(sim.Duration(t) % day)
	if d < 0 {
		d += int64(day)
	}
	return float64(d) / float64(day)
}

// FromRow returns a series row's features; tick is the interval length.
func FromRow(r *sim.SeriesRow, tick sim.Duration) Raw {
	var x Raw
	x[FeatRate] = float64(r.Arrivals) / tick.Seconds()
	x[FeatMemory] = float64(r.Busy+r.Idle+r.Starting) * float64(r.MemoryMB)
	x[FeatCPU] = r.MeanConcurrency
	x[FeatQueue] = float64(r.Queued)
	x[FeatTimeOfDay] = timeOfDay(r.Start)
	return x
}

// FromView returns the features of the interval that just ended for pool
// v of an observation: memMB is the pool's memory size.
func FromView(v *sim.PoolView, now sim.Time, tick sim.Duration, memMB int) Raw {
	var x Raw
	x[FeatRate] = float64(v.Arrivals) / tick.Seconds()
	x[FeatMemory] = float64(v.Busy+v.Idle+v.Starting) * float64(memMB)
	x[FeatCPU] = float64(v.ExecTime) / float64(tick)
	x[FeatQueue] = float64(v.Queued)
	x[FeatTimeOfDay] = timeOfDay(now.Add(-tick))
	return x
}

// transform maps a feature to the space it is normalised in: log1p for the
// non-negative, heavy-tailed quantities (rates span six orders of
// magnitude across functions), identity for the time of day.
func transform(k int, v float64) float64 {
	if k == FeatTimeOfDay {
		return v
	}
	return math.Log1p(math.Max(v, 0))
}

// untransform inverts transform for a target, clamping at 0 in real units.
func untransform(k int, v float64) float64 {
	if k == FeatTimeOfDay {
		return v
	}
	return math.Max(math.Expm1(v), 0)
}
