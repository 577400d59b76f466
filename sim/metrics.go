package sim

// Failure causes.
const (
	FailOOM       = iota // memory below the footprint
	FailThrottled        // refused at a concurrency or scale-up limit, or waited past the queue bound
	FailTimeout          // execution longer than the provider's timeout
	// FailInfeasible: the footprint exceeds every memory size the provider
	// offers (an Azure app above the Consumption plan's 1.5 GB ran on a
	// Premium or Dedicated plan in the trace). Counted apart from OOM,
	// never executed, never billed.
	FailInfeasible
	NumFailCauses
)

// FailCauseNames names the failure causes, in index order.
var FailCauseNames = [NumFailCauses]string{"oom", "throttled", "timeout", "infeasible"}

// Metrics is everything a run measured. Counts are invocations unless noted;
// money is USD, energy kWh, carbon grams CO2e, time as stated.
//
// Conservation: Arrived = Completed + sum(Failed) + InFlight.
//
// With a warm-up (Config.Warmup), every figure covers the measured window
// only: invocations arriving at or after the warm-up (their charges,
// latency and outcome, wherever they end), and instance time, energy,
// carbon and provisioned capacity from the warm-up on.
type Metrics struct {
	// Start is the first simulated moment (Config.Start); Horizon the end
	// of the replay (µs of trace time).
	Start   Time
	Horizon Time
	// Warmup is the start of the measured window; End its end: the horizon,
	// or, for a drained run, when the last instance stopped.
	Warmup Time
	End    Time

	Arrived   int64
	Completed int64
	Failed    [NumFailCauses]int64
	// InFlight are invocations still executing or queued at the horizon.
	InFlight int64

	// ColdStarts are invocations that waited for an instance to start
	// (including ones that joined a pre-warm still starting); WarmStarts
	// found an idle instance.
	ColdStarts, WarmStarts int64
	// Queued counts invocations that waited in a queue at a limit.
	Queued int64
	// StartDelaySeconds sums, over started invocations, the wait between
	// arrival and the start of execution: queueing plus cold start.
	StartDelaySeconds float64

	// Latency (µs) of completed invocations, end to end: client round trip
	// + queueing + cold start + execution.
	Latency Histogram
	// SLAViolations are finished invocations over their latency objective,
	// plus every failed invocation.
	SLAViolations int64

	Cost   CostBreakdown
	Energy float64 // kWh, every instance in every state, PUE included
	Carbon float64 // g CO2e

	// Resource use (seconds of instance time).
	InstanceSeconds    float64 // instances alive (starting, busy, idle, pre-warmed)
	BusySeconds        float64 // instances starting or executing
	IdleGBSeconds      float64 // on-demand instances idle, × memory
	PrewarmIdleGBSecs  float64 // pre-warmed instances idle, × memory
	InstancesStarted   int64
	PrewarmsStarted    int64
	PrewarmsUsed       int64 // pre-warmed instances that served at least one invocation
	PrewarmsDenied     int64 // pre-warms refused at a concurrency limit
	UnderProvisioned   int64 // pool-intervals' cold starts: instances the interval lacked
	OverProvisioned    int64 // instance-intervals an instance stayed idle the whole tick
	PlacementChanges   int64 // functions moved to another placement
	Ticks              int64
	PerProvider        []ProviderMetrics
	BillableUnits      []BillableUnits // per provider, for free-tier accounting
	FunctionsInvoked   int
	PeakEventQueue     int
	PeakQueuedRequests int
	// ExecutionsPeakPerInstance is the most executions one instance ran at
	// once.
	ExecutionsPeakPerInstance int
	// PerFunction holds, per function of the source, what per-app
	// distributions are built from.
	PerFunction []FunctionMetrics
}

// FunctionMetrics is one function's share of the measured window.
type FunctionMetrics struct {
	Arrived, Started, ColdStarts int64
	IdleGBSeconds                float64 // its on-demand and pre-warmed instances idle, × memory
	// Outcome is the function's over the whole measured run: what each
	// placement layer's epoch outcomes add up to (every charge attributed
	// to it, idle and provisioned capacity included, before any free-tier
	// credit).
	Outcome Outcome
}

// CostBreakdown is cost in USD by component.
type CostBreakdown struct {
	Requests    float64 // per-invocation fees
	Compute     float64 // execution GB-s and GHz-s
	Provisioned float64 // pre-warmed capacity held
}

// Total returns the sum of the components.
func (c CostBreakdown) Total() float64 { return c.Requests + c.Compute + c.Provisioned }

// ProviderMetrics splits the main figures by the provider that served.
type ProviderMetrics struct {
	Invocations int64 // dispatched to this provider (arrived at one of its pools)
	ColdStarts  int64
	Cost        float64
	Carbon      float64
}

// BillableUnits are the quantities a provider bills, for free-tier deduction.
type BillableUnits struct {
	Requests   int64
	GBSeconds  float64
	GHzSeconds float64
}

// Finished returns the invocations that completed or failed.
func (m *Metrics) Finished() int64 {
	f := m.Completed
	for _, n := range m.Failed {
		f += n
	}
	return f
}

// FailedTotal returns the failed invocations, all causes.
func (m *Metrics) FailedTotal() int64 {
	var f int64
	for _, n := range m.Failed {
		f += n
	}
	return f
}
