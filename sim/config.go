package sim

import (
	"errors"
	"fmt"
)

// The run's configuration: the model's modes and the Config a run is built from, and its checks.

// Routing chooses which idle instance of a pool takes a warm start.
type Routing uint8

const (
	// RouteMostRecentlyUsed takes the instance that went idle last, so the
	// least recently used ones age out (the usual platform behaviour).
	RouteMostRecentlyUsed Routing = iota
	// RouteNewestCreated takes the most recently created idle instance, as
	// SimFaaS does (Mahmoudi and Khazaei, 2021).
	RouteNewestCreated
)

// LimitMode says what happens to a request that meets a concurrency or
// scale-up limit.
type LimitMode uint8

const (
	// LimitQueue holds it until capacity frees, at most MaxQueueWait; past
	// that it fails as throttled.
	LimitQueue LimitMode = iota
	// LimitThrottle fails it at once as throttled.
	LimitThrottle
)

// KeepAliveMode says when an idle instance's keep-alive starts counting.
type KeepAliveMode uint8

const (
	// KeepAliveSinceIdle restarts the keep-alive each time the instance
	// goes idle (each completion that leaves it without work).
	KeepAliveSinceIdle KeepAliveMode = iota
	// KeepAliveSinceFirstIdle counts it from the instance's first idle
	// moment: later work does not extend its life, it stops at the first
	// idle moment after that deadline (DSLab FaaS's default).
	KeepAliveSinceFirstIdle
)

// ColdStartMode says how a cold start enters an invocation's latency.
type ColdStartMode uint8

const (
	// ColdStartAdds: the execution runs after the start completes.
	ColdStartAdds ColdStartMode = iota
	// ColdStartReplaces: the cold-start draw is the whole service time of
	// the invocation that waited for it (SimFaaS: a cold request's service
	// time comes from the cold distribution).
	ColdStartReplaces
)

// MemorySharing says what concurrent executions of one instance hold.
type MemorySharing uint8

const (
	// MemoryProcess: the instance holds the largest footprint among its
	// executions. The Azure 2019 trace's memory is the app's sampled
	// process memory, concurrency included, so a footprint is an
	// instance's, not an execution's.
	MemoryProcess MemorySharing = iota
	// MemorySum: footprints add up (per-execution footprints).
	MemorySum
)

// Packing says when an arrival joins an instance that is already executing.
type Packing uint8

const (
	// PackCPU joins an instance with a free slot only while the executions
	// it holds would not slow down (their CPU-bound parts fit its vCPUs),
	// and otherwise scales out, as a platform's scale controller adds
	// instances under load; it fills slots past that only when no new
	// instance can be had (a limit or the scale-up rate).
	PackCPU Packing = iota
	// PackSlots fills every slot of an instance before starting another
	// (a hard per-instance concurrency, as DSLab and Knative's
	// containerConcurrency model it).
	PackSlots
)

// Config is one run: a world, a workload, three policies and the model's
// settings. Every field is required unless its comment says otherwise.
type Config struct {
	Catalog     *Catalog
	Source      Source
	Strategic   Strategic
	Tactical    Tactical
	Operational Operational
	Streams     Streams

	StrategicEpoch, TacticalEpoch, Tick Duration
	// Start is the first simulated moment: the start of a window of the
	// workload's time (0 for a whole trace). The source must not deliver
	// arrivals before it; decisions fall on Start + k·Tick, and the warm-up
	// counts from it. Time stays the trace's, so hourly carbon intensities
	// keep their time of day.
	Start Time
	// Horizon ends the run; 0 takes the source's horizon. Arrivals at or
	// after it are not replayed; work still running there is in flight.
	Horizon Time

	// AppZones is the client zone of each app of the source.
	AppZones []ZoneID

	Routing      Routing
	OnLimit      LimitMode
	MaxQueueWait Duration

	// CPUBoundFraction is the share of an execution that scales with the
	// CPU share the memory size buys (see Model.ExecScale).
	CPUBoundFraction float64
	// BusyUtilisation is the CPU utilisation of an executing or starting
	// instance in the power model; idle instances are at 0.
	BusyUtilisation float64
	SLO             SLO

	// Warmup excludes [0, Warmup) from every metric (see Metrics). It must
	// be shorter than the horizon.
	Warmup Duration
	// KeepAlive, ColdStart and MemorySharing choose the peer simulators'
	// semantics (defaults: restart at each idle moment, the cold start adds
	// to the execution, process memory).
	KeepAlive     KeepAliveMode
	ColdStart     ColdStartMode
	MemorySharing MemorySharing
	// Packing says how arrivals fill instances that run several executions.
	Packing Packing
	// Drain runs past the horizon, without arrivals or decisions, until
	// every execution has ended and every instance has stopped: nothing is
	// left in flight, and idle instances are charged to their expiry.
	Drain bool
	// InitialProfiles, if set, holds a seed for each function of the
	// source: the placement layers start from it instead of the prior.
	InitialProfiles []ProfileSeed

	// PriorDuration and PriorMemoryMB stand for a function's mean duration
	// and footprint in policy observations before it has been invoked.
	PriorDuration Duration
	PriorMemoryMB float64

	// Recorder, if set, receives the rows of the per-interval series (see
	// Recorder); an error it returns stops the run.
	Recorder Recorder
	// HistoryIntervals is how many past operational intervals of arrival
	// counts every function's observation holds (FunctionView.Recent,
	// PoolView.Recent); 0 takes DefaultHistoryIntervals.
	HistoryIntervals int
	// CarbonForecast is the forecast of grid intensity policies are given
	// (OptionView.CarbonForecast); the zero value is persistence over
	// DefaultForecastHorizon.
	CarbonForecast CarbonForecast

	// Progress, if set, is called every ProgressEvery arrivals replayed
	// (warm-up included) with their number so far.
	Progress      func(now Time, arrived int64)
	ProgressEvery int64
}

func checkConfig(c *Config) error {
	var errs []error
	if c.Catalog == nil {
		return errors.New("sim: config has no catalog")
	}
	if err := c.Catalog.Check(); err != nil {
		errs = append(errs, err)
	}
	if c.Source == nil {
		return errors.New("sim: config needs a source")
	}
	if c.Tick <= 0 || c.TacticalEpoch <= 0 || c.StrategicEpoch <= 0 {
		errs = append(errs, errors.New("sim: tick and epochs must be positive"))
	} else if c.TacticalEpoch%c.Tick != 0 || c.StrategicEpoch%c.TacticalEpoch != 0 {
		errs = append(errs, fmt.Errorf("sim: the strategic epoch (%v) must be a multiple of the tactical epoch (%v), itself a multiple of the tick (%v)",
			c.StrategicEpoch, c.TacticalEpoch, c.Tick))
	}
	if n := len(c.Source.Apps()); len(c.AppZones) != n {
		errs = append(errs, fmt.Errorf("sim: %d app zones for %d apps", len(c.AppZones), n))
	}
	for _, z := range c.AppZones {
		if int(z) >= len(c.Catalog.Zones) {
			errs = append(errs, fmt.Errorf("sim: app zone %d out of range", z))
			break
		}
	}
	if !(c.CPUBoundFraction >= 0 && c.CPUBoundFraction <= 1) || !(c.BusyUtilisation >= 0 && c.BusyUtilisation <= 1) {
		errs = append(errs, errors.New("sim: CPU-bound fraction and busy utilisation must be in [0, 1]"))
	}
	if c.OnLimit == LimitQueue && c.MaxQueueWait <= 0 {
		errs = append(errs, errors.New("sim: queueing at limits needs a positive maximum wait"))
	}
	if c.PriorDuration < 0 || !(c.PriorMemoryMB >= 0) {
		errs = append(errs, errors.New("sim: priors must be non-negative"))
	}
	if c.Horizon < 0 {
		errs = append(errs, errors.New("sim: negative horizon"))
	}
	if c.HistoryIntervals < 0 || c.HistoryIntervals > MaxHistoryIntervals {
		errs = append(errs, fmt.Errorf("sim: history intervals must be in 0..%d (got %d)", MaxHistoryIntervals, c.HistoryIntervals))
	}
	if f := c.CarbonForecast; f.Horizon < 0 || !(f.Noise >= 0 && f.Noise <= 10) {
		errs = append(errs, fmt.Errorf("sim: carbon forecast horizon must be >= 0 and noise in [0, 10] (got %v, %v)", f.Horizon, f.Noise))
	}
	horizon := c.Horizon
	if horizon == 0 {
		horizon = c.Source.Horizon()
	}
	if c.Start < 0 || c.Start >= horizon {
		errs = append(errs, fmt.Errorf("sim: the start (%v) must be >= 0 and before the horizon (%v)", Duration(c.Start), Duration(horizon)))
	} else if c.Warmup < 0 || (c.Warmup > 0 && c.Start.Add(c.Warmup) >= horizon) {
		errs = append(errs, fmt.Errorf("sim: the warm-up (%v) must be >= 0 and shorter than the run (%v)", c.Warmup, horizon.Sub(c.Start)))
	}
	if c.InitialProfiles != nil && len(c.InitialProfiles) != len(c.Source.Functions()) {
		errs = append(errs, fmt.Errorf("sim: %d initial profiles for %d functions", len(c.InitialProfiles), len(c.Source.Functions())))
	}
	return errors.Join(errs...)
}
