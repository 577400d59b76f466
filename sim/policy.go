package sim

// The three decision interfaces. The engine calls them; the policies live in
// package policies and never see the engine itself, only the observations
// below, which are valid for the duration of the call.

// Strategic picks the provider of each function, every strategic epoch.
type Strategic interface {
	Name() string
	// Providers writes the provider for obs.Functions[i] to out[i]; out
	// holds the current providers on entry. An error (a model that cannot
	// infer, say) stops the run with it.
	Providers(obs *StrategicObservation, out []ProviderID) error
}

// Tactical picks the region and memory size of each function within the
// provider the strategic layer chose, every tactical epoch.
type Tactical interface {
	Name() string
	// Placements writes a placement for obs.Functions[i] to out[i]. On entry
	// out[i].Provider is the provider chosen by the strategic layer (and the
	// region and memory are the current ones if the provider is unchanged);
	// the policy must keep the provider. An error stops the run with it.
	Placements(obs *TacticalObservation, out []Placement) error
}

// Operational sets, every tick and for every current pool, how many
// instances to keep pre-warmed for the next interval and the idle keep-alive.
type Operational interface {
	Name() string
	// Decide writes the decision for obs.Pools[i] to out[i]. An error stops
	// the run with it.
	Decide(obs *OperationalObservation, out []PoolDecision) error
}

// Stationary is implemented by operational policies whose decision is the
// same for every pool at every tick (provider default, fixed keep-alive). The
// engine applies it when a pool opens and never builds tick observations.
type Stationary interface {
	Stationary() PoolDecision
}

// Clairvoyant is implemented by operational policies that read the future
// (the oracle bound). The engine then hands them, every tick, the invocations
// arriving within the next Lookahead in OperationalObservation.Future, and
// when each execution in progress will end in PoolView.RunningUntil.
type Clairvoyant interface {
	Lookahead() Duration
}

// IdleTimeObserver is implemented by operational policies that learn from
// every arrival (the hybrid histogram). The engine calls ObserveIdleTime on
// each arrival with the function's idle time: the time since its last
// invocation finished, or 0 if one was still running.
type IdleTimeObserver interface {
	ObserveIdleTime(f FunctionID, idle Duration)
}

// ProviderKeepAlive in PoolDecision.KeepAlive keeps the provider's default.
const ProviderKeepAlive Duration = -1

// MaxPrewarm bounds PoolDecision.Prewarm: a larger target is a policy's
// error, reported as such rather than allocated.
const MaxPrewarm = 1 << 20

// PoolDecision is an operational decision for one pool.
type PoolDecision struct {
	// Prewarm is the number of provisioned (pre-warmed) instances to hold
	// during the next interval; they are billed at the provisioned rate.
	Prewarm int
	// KeepAlive is how long an idle on-demand instance lives; 0 stops it as
	// soon as it finishes; ProviderKeepAlive keeps the provider's default.
	KeepAlive Duration
}

// Profile is what has been observed of a function's workload.
type Profile struct {
	Invocations    int64    // arrivals since the start of the run
	WindowArrivals int64    // arrivals during the last window
	Window         Duration // length of that window (the epoch of the layer asking)
	// MeanDuration is the mean reference execution time of the arrivals
	// observed so far; MaxMemoryMB the largest footprint observed (including
	// invocations that failed out of memory). Before any arrival both hold
	// the configured prior and Observed is false.
	MeanDuration Duration
	MaxMemoryMB  float64
	// MaxDuration is the longest reference duration observed: the tail a
	// timeout is checked against (the prior mean before any arrival).
	MaxDuration Duration
	Observed    bool
	// MeanMemoryMB is the mean footprint of this run's arrivals (the
	// configured prior before any; a profile seed gives only the maximum).
	MeanMemoryMB float64
}

// ProfileSeed is what a preceding window of the trace taught about a
// function (Config.InitialProfiles): the layers start from it instead of
// the prior.
type ProfileSeed struct {
	Invocations int64
	DurationSum float64 // µs, over Invocations
	MaxDuration Duration
	MaxMemoryMB float64
}

// Rate returns the arrival rate over the last window, per second.
func (p Profile) Rate() float64 {
	if p.Window <= 0 {
		return 0
	}
	return float64(p.WindowArrivals) / p.Window.Seconds()
}

// Outcome is what happened to a function's invocations that finished during
// the last window, wherever they ran. CostUSD and CarbonG are every charge
// attributed to the function in the window (idle and provisioned capacity
// included); LatencySum is over completed invocations. Objective turns it
// into a reward.
type Outcome struct {
	Completed, Failed, ColdStarts, SLAViolations int64
	CostUSD, CarbonG                             float64
	LatencySum                                   Duration // over completed invocations
}

// FunctionView is one function as the strategic and tactical layers see it.
// What each option would offer it is asked of the observation
// (StrategicObservation.Option).
type FunctionView struct {
	ID        FunctionID
	App       int32
	Zone      ZoneID    // where its clients are
	Placement Placement // current (the zero value before the first)
	// Profile is its workload so far: arrivals, mean and largest duration
	// and footprint, the arrivals of the layer's last epoch.
	Profile Profile
	// Window is the outcome of the layer's last epoch (see Outcome).
	Window Outcome
	// Recent holds its arrivals per operational interval, the last
	// Config.HistoryIntervals of them, oldest first.
	Recent ArrivalHistory
	// Instances now, over all its pools (current and draining): Idle
	// (on-demand and pre-warmed, ready for a warm start), Busy (starting
	// for a request or executing), Starting (pre-warms still starting,
	// no request yet). As PoolView counts them.
	Idle, Busy, Starting int
}

// StrategicObservation is handed to the strategic layer.
type StrategicObservation struct {
	Now       Time
	Catalog   *Catalog
	Model     *Model
	Functions []FunctionView
	// Forecast declares the carbon forecast Option hands out: its horizon
	// and error (see CarbonForecast).
	Forecast CarbonForecast

	eng *Engine // forecasts; nil in an observation built by hand (persistence)
}

// TacticalObservation is handed to the tactical layer.
type TacticalObservation = StrategicObservation

// PoolView is one current pool as the operational layer sees it.
type PoolView struct {
	Pool      int32 // stable identifier while the pool lives
	Function  FunctionID
	Placement Placement
	// DefaultKeepAlive is the provider's keep-alive; ExecScale multiplies a
	// reference duration into an execution time at this placement.
	DefaultKeepAlive Duration
	ExecScale        float64
	// State now.
	Instances, Idle, Busy, Starting, Provisioned, Queued int
	// During the last interval.
	Arrivals, ColdStarts int
	BusyTime             Duration // instance-time busy: starting for or executing requests
	// ExecTime is the executions' running time (executions × time, a cold
	// start's wait excluded): the series' MeanConcurrency × Interval, to
	// the µs.
	ExecTime Duration
	PeakBusy int // most instances executing at once
	// LastArrival and LastFinish are the function's latest arrival and
	// completion anywhere (-1 if none yet).
	LastArrival, LastFinish Time
	// Recent is the function's arrival history (as FunctionView.Recent).
	Recent ArrivalHistory
	// RunningUntil holds, for Clairvoyant policies only, when each
	// execution in progress in this pool will end.
	RunningUntil []Time
}

// OperationalObservation is handed to the operational layer.
type OperationalObservation struct {
	Now      Time
	Interval Duration
	Catalog  *Catalog
	Pools    []PoolView
	// Future holds the invocations arriving in [Now, Now+Lookahead), in
	// arrival order, for Clairvoyant policies only.
	Future []Invocation
}
