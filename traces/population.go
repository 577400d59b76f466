package traces

import (
	"math"

	"github.com/skyfaas/skyfaas/sim/dist"
)

// Population statistics of Azure Functions, from Shahrad et al., "Serverless
// in the Wild: Characterizing and Optimizing the Serverless Workload at a
// Large Cloud Provider", USENIX ATC 2020 (§3), unless stated otherwise.
// [V] read in the paper's text; [D] derived here, arithmetic stated.
const (
	// Mean execution time per function: log-normal, "log mean -0.38 and
	// σ 2.36" (seconds), fitted by MLE to the averages of July 15th, 2019 [V].
	DurationLogMean  = -0.38
	DurationLogSigma = 2.36

	// Spread of one function's execution times around its median: median
	// over the 751 functions of ../shared/traces/azure2019-sample1000
	// (Azure 2019 trace, day 1, CC-BY 4.0 Microsoft) with p99 > p50 of
	// ln(p99/p50)/2.326 [D].
	WithinFunctionSigma = 0.50

	// Average allocated memory per application: Burr XII with
	// c = 11.652, k = 0.221, λ = 107.083 MB [V].
	MemoryBurrC      = 11.652
	MemoryBurrK      = 0.221
	MemoryBurrLambda = 107.083

	// Daily invocations per application: "45% of the applications are
	// invoked once per hour or less on average, and 81% ... once per minute
	// or less", and the number "varies by over 8 orders of magnitude" [V].
	// The trace spans 14 days, so the rarest function it records averages
	// 1/14 a day; eight orders above that is 10^6.85 a day. A normal law on
	// log10 of the daily count, truncated to [log10(1/14), log10(1/14)+8],
	// through 45% at log10(24) and 81% at log10(1440) has mean 1.386 and
	// σ 1.891 [D: solved numerically; applied to functions]. Its mean,
	// 2.5 × 10^4 a day per function, is of the order of the shared one-day
	// sample's 1.2 × 10^4 (../shared/traces/azure2019-sample1000) [D].
	DailyLog10Mean  = 1.386
	DailyLog10Sigma = 1.891
	DailyLog10Min   = -1.1461 // log10(1/14)
	DailyLog10Max   = DailyLog10Min + 8

	// 15.6% of functions are timer-triggered, carrying 2% of invocations [V].
	TimerShare = 0.156

	// "A constant baseline of roughly 50% of the invocations that does not
	// show variation" over the day (Fig. 4) [V]: a sinusoid whose trough is
	// half its peak, i.e. 1 ± 1/3 [D].
	DiurnalAmplitude = 1.0 / 3.0
)

// FunctionsPerApp is the distribution of functions per application [V, §3.1,
// as summarised by Shilkov, mikhail.io 2020-05]: 54% one, 16% two, 10%
// three, 8% four to five, 7% six to ten, 5% eleven or more (drawn here as 11
// to 20, an assumption: the tail beyond is not given).
var FunctionsPerApp = []struct {
	Share    float64
	Min, Max int
}{{0.54, 1, 1}, {0.16, 2, 2}, {0.10, 3, 3}, {0.08, 4, 5}, {0.07, 6, 10}, {0.05, 11, 20}}

// PriorDuration is the median of the mean execution times, exp(-0.38) s [D],
// used where nothing is known of a function yet.
var PriorDuration = math.Exp(DurationLogMean)

// PriorMemoryMB is the footprint assumed before a function is observed:
// "50% of the applications allocate at most 170MB" [V].
const PriorMemoryMB = 170.0

// PopulationDuration returns the execution-time distribution (ms) of a
// function whose place in the population of mean execution times is u in
// (0,1): log-normal around that mean with WithinFunctionSigma.
func PopulationDuration(u float64) dist.Quantiler {
	meanS := dist.LogNormal{Mu: DurationLogMean, Sigma: DurationLogSigma}.Quantile(u)
	s := WithinFunctionSigma
	return dist.LogNormal{Mu: math.Log(meanS*1000) - s*s/2, Sigma: s}
}

// PopulationMemory returns the footprint (MB) of an application whose place
// in the population is u.
func PopulationMemory(u float64) float64 {
	return dist.Burr{C: MemoryBurrC, K: MemoryBurrK, Lambda: MemoryBurrLambda}.Quantile(u)
}

// PopulationFootprint is the distribution of app footprints (MB) in the
// Azure Functions population (the Burr fit above), for traces without a
// memory column.
type PopulationFootprint struct{}

// Quantile implements dist.Quantiler.
func (PopulationFootprint) Quantile(u float64) float64 { return PopulationMemory(u) }

// Mean implements dist.Quantiler.
func (PopulationFootprint) Mean() float64 {
	return dist.Burr{C: MemoryBurrC, K: MemoryBurrK, Lambda: MemoryBurrLambda}.Mean()
}
