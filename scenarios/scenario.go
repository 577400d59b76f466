package scenarios

// Scenario is the TOML schema of a scenario file. Missing fields take the
// defaults documented on each field; Load fills them in, so a loaded
// Scenario is complete and is recorded with the results as resolved.
type Scenario struct {
	Name        string `toml:"name" json:"name"`
	Description string `toml:"description" json:"description,omitempty"`
	// Seed of every random stream; the command line may override it.
	// Default 1.
	Seed *uint64 `toml:"seed" json:"seed"`
	// Horizon cuts the run short of the workload's end; 0 runs it all.
	Horizon Duration `toml:"horizon" json:"horizon"`

	Workload   Workload   `toml:"workload" json:"workload"`
	Simulation Simulation `toml:"simulation" json:"simulation"`
	SLO        SLOSpec    `toml:"slo" json:"slo"`
	Objective  Objective  `toml:"objective" json:"objective"`
	Clients    Clients    `toml:"clients" json:"clients"`
	Catalog    CatalogRef `toml:"catalog" json:"catalog"`

	// ArmDefaults fills the layers an arm leaves out.
	ArmDefaults ArmSpec   `toml:"arm_defaults" json:"arm_defaults"`
	Arms        []ArmSpec `toml:"arms" json:"arms"`

	// Sweep sets the replications and the parameter grid (see sweep.go).
	Sweep SweepSpec `toml:"sweep" json:"sweep"`

	// Train holds, per learned model ("lstm", ...), the settings of
	// `skyfaas train MODEL SCENARIO`, decoded strictly by that command.
	Train map[string]map[string]any `toml:"train" json:"train,omitempty"`
}

// Workload selects and configures the invocation source.
type Workload struct {
	// Kind is synthetic, azure2019, azure2021 or poisson.
	Kind string `toml:"kind" json:"kind"`
	// Label says what the workload is and how far to trust it; it is printed
	// with every table (e.g. "STRESS TEST: ..."). Default: a description
	// of the kind.
	Label     string         `toml:"label" json:"label"`
	Synthetic *SyntheticSpec `toml:"synthetic" json:"synthetic,omitempty"`
	Azure2019 *Azure2019Spec `toml:"azure2019" json:"azure2019,omitempty"`
	Azure2021 *Azure2021Spec `toml:"azure2021" json:"azure2021,omitempty"`
	Poisson   *PoissonSpec   `toml:"poisson" json:"poisson,omitempty"`
}

// SyntheticSpec configures the generator calibrated to Azure statistics.
type SyntheticSpec struct {
	Functions int      `toml:"functions" json:"functions"`
	Duration  Duration `toml:"duration" json:"duration"`
	// PeakHour of the diurnal load, 0-24. Default 12.
	PeakHour *float64 `toml:"peak_hour" json:"peak_hour"`
}

// Azure2019Spec names the files of the 2019 trace: one day with the three
// keys, or several days in Days. Paths are relative to the scenario file.
type Azure2019Spec struct {
	Invocations string         `toml:"invocations" json:"invocations,omitempty"`
	Durations   string         `toml:"durations" json:"durations,omitempty"`
	Memory      string         `toml:"memory" json:"memory,omitempty"`
	Days        []Azure2019Day `toml:"days" json:"days,omitempty"`
	// Spread is uniform (default), equidistant or poisson.
	Spread string `toml:"spread" json:"spread"`
	// DurationDraw is interpolate (default: piecewise-linear between the
	// published percentiles) or upper (the bucket's upper percentile, as
	// DSLab FaaS draws).
	DurationDraw string `toml:"duration_draw" json:"duration_draw"`
}

// Azure2019Day is one day of the 2019 trace.
type Azure2019Day struct {
	Invocations string `toml:"invocations" json:"invocations"`
	Durations   string `toml:"durations" json:"durations"`
	Memory      string `toml:"memory" json:"memory"`
}

// Azure2021Spec names the 2021 trace file.
type Azure2021Spec struct {
	File string `toml:"file" json:"file"`
	// MemoryMB gives every app this footprint; 0 (default) draws each app's
	// footprint from the Azure 2019 population (Burr fit, Shahrad et al.).
	MemoryMB float64 `toml:"memory_mb" json:"memory_mb"`
}

// PoissonSpec is a one-function Poisson workload (analytical checks).
type PoissonSpec struct {
	Rate         float64  `toml:"rate" json:"rate"`
	MeanDuration Duration `toml:"mean_duration" json:"mean_duration"`
	MemoryMB     float64  `toml:"memory_mb" json:"memory_mb"`
	Duration     Duration `toml:"duration" json:"duration"`
}

// Simulation holds the engine's settings.
type Simulation struct {
	StrategicEpoch Duration `toml:"strategic_epoch" json:"strategic_epoch"` // default 1h
	TacticalEpoch  Duration `toml:"tactical_epoch" json:"tactical_epoch"`   // default 15m
	Tick           Duration `toml:"tick" json:"tick"`                       // default 15s
	// Routing of warm starts: most-recently-used (default) or newest-created.
	Routing string `toml:"routing" json:"routing"`
	// OnLimit at a concurrency or scale-up limit: queue (default) or throttle.
	OnLimit      string   `toml:"on_limit" json:"on_limit"`
	MaxQueueWait Duration `toml:"max_queue_wait" json:"max_queue_wait"` // default 30s
	// CPUBoundFraction of an execution that scales with CPU share. Default
	// 0.5: no published figure; an assumption to vary.
	CPUBoundFraction *float64 `toml:"cpu_bound_fraction" json:"cpu_bound_fraction"`
	// BusyUtilisation of a busy instance's CPU in the power model. Default
	// 0.5, CCF's AVG_CPU_UTILIZATION_2020 (FACTS §5.1).
	BusyUtilisation *float64 `toml:"busy_utilisation" json:"busy_utilisation"`

	// Warmup excludes the run's first span from every metric. Default 0s;
	// it must be shorter than the run.
	Warmup Duration `toml:"warmup" json:"warmup"`
	// KeepAliveMode: since-idle (default: the keep-alive restarts each time
	// an instance goes idle) or since-first-idle (counted from its first
	// idle moment, DSLab FaaS's default).
	KeepAliveMode string `toml:"keepalive_mode" json:"keepalive_mode"`
	// ColdStartMode: adds (default: the execution runs after the start) or
	// replaces (the cold-start draw is the whole service time, SimFaaS).
	ColdStartMode string `toml:"cold_start_mode" json:"cold_start_mode"`
	// MemorySharing of concurrent executions on one instance: process
	// (default: the instance holds the largest footprint, as the Azure 2019
	// trace's app memory is a process's) or sum (footprints add up).
	MemorySharing string `toml:"memory_sharing" json:"memory_sharing"`
	// InstancePacking: cpu (default: an arrival joins a busy instance only
	// while it would not slow its executions, else the platform scales out)
	// or slots (fill every slot of the instance concurrency first).
	InstancePacking string `toml:"instance_packing" json:"instance_packing"`
	// Drain runs past the horizon until every execution has ended and every
	// instance has stopped. Default false.
	Drain bool `toml:"drain" json:"drain"`
	// Window, if set, replays only [from, to) of the workload's time
	// (synthetic and azure2019 workloads; whole minutes for azure2019):
	// decisions, warm-up and metrics count from its start, and time stays
	// the trace's, so carbon keeps its time of day. Training and evaluation
	// use different windows of one trace. It cannot be combined with
	// horizon.
	Window *WindowSpec `toml:"window" json:"window,omitempty"`
	// ProfileFrom, if set, seeds the placement layers' profiles from the
	// trace's invocations arriving in [from, to) instead of the prior.
	ProfileFrom *WindowSpec `toml:"profile_from" json:"profile_from,omitempty"`
	// MemorySizes is the tactical action set, MB, increasing: for each size
	// the provider's smallest offered size at least as large (its largest
	// if none is) is an action. Default 128, 256, 512, 1024, 2048, 4096.
	MemorySizes []int `toml:"memory_sizes" json:"memory_sizes"`
	// HistoryIntervals is how many past ticks of arrival counts every
	// function's observation holds (the learners' input window). Default
	// 12, the thesis's LSTM input length.
	HistoryIntervals *int `toml:"history_intervals" json:"history_intervals"`
	// CarbonForecast is the grid-intensity forecast policies see. Default:
	// persistence (the intensity now) over 1 h.
	CarbonForecast CarbonForecastSpec `toml:"carbon_forecast" json:"carbon_forecast"`
}

// CarbonForecastSpec: the forecast of a region's intensity Horizon ahead is
// the true value times max(0, 1 + Noise·z), z standard normal (seeded, the
// same for every arm); Noise 0 is persistence (no future is read). No
// published forecast error is assumed: a study sets and sweeps Noise.
type CarbonForecastSpec struct {
	Horizon Duration `toml:"horizon" json:"horizon"` // default 1h
	Noise   float64  `toml:"noise" json:"noise"`     // relative error, 0..10; default 0
}

// WindowSpec is a span [From, To) of the workload's time.
type WindowSpec struct {
	From Duration `toml:"from" json:"from"`
	To   Duration `toml:"to" json:"to"`
}

// SLOSpec is the latency objective per invocation: Fixed if set, else
// Factor × the invocation's reference duration + Slack.
type SLOSpec struct {
	Fixed  Duration  `toml:"fixed" json:"fixed"`
	Factor *float64  `toml:"factor" json:"factor"` // default 2
	Slack  *Duration `toml:"slack" json:"slack"`   // default 500ms
}

// Objective is the scenario's sim.Objective: the weights of cost,
// performance (mean latency), carbon and SLA violations, and the reference
// invocation each per-invocation term is divided by. The references and the
// SLA weight have no published source and set the exchange rate between
// the terms: sweep them.
type Objective struct {
	// Weights: default 0.4, 0.4, 0.2, the thesis's.
	Cost        *float64 `toml:"cost" json:"cost"`
	Performance *float64 `toml:"performance" json:"performance"`
	Carbon      *float64 `toml:"carbon" json:"carbon"`
	// SLA weighs the share of finished invocations that violated their
	// objective. Default 1 (sim.DefaultObjectiveWeights, an assumption).
	SLA *float64 `toml:"sla" json:"sla"`
	// The reference invocation. Defaults: sim.ReferenceInvocation (the
	// median Azure 2019 function's mean duration, 0.684 s, on AWS Lambda
	// US-East at 1,024 MB: $1.16e-5, 1.143e-4 g; sources there).
	ReferenceCostUSD *float64  `toml:"reference_cost_usd" json:"reference_cost_usd"`
	ReferenceLatency *Duration `toml:"reference_latency" json:"reference_latency"`
	ReferenceCarbonG *float64  `toml:"reference_carbon_g" json:"reference_carbon_g"`
}

// Clients places each app's clients in a zone.
type Clients struct {
	// Mix is the share of apps per client zone; each app's zone is drawn
	// from it by a hash of (seed, app name). Default: equal shares.
	Mix map[string]float64 `toml:"mix" json:"mix"`
}

// CatalogRef chooses and adjusts the cloud catalog.
type CatalogRef struct {
	// File is a catalog TOML; empty uses the embedded default.
	File string `toml:"file" json:"file,omitempty"`
	// FreeTier deducts each provider's monthly free grant, prorated to the
	// run's span. Default false.
	FreeTier     bool               `toml:"free_tier" json:"free_tier"`
	CarbonSeries []CarbonSeriesSpec `toml:"carbon_series" json:"carbon_series,omitempty"`
	// Override changes provider figures for the whole scenario, in order.
	Override []OverrideSpec `toml:"override" json:"override,omitempty"`
}

// CarbonSeriesSpec replaces a region's constant intensity by a time series
// from a CSV file (a time column and a value column, gCO2e/kWh).
type CarbonSeriesSpec struct {
	Region string `toml:"region" json:"region"` // provider/region, e.g. aws/eu-central-1
	File   string `toml:"file" json:"file"`
	Column string `toml:"column" json:"column"`
	// Start is the series time at simulated time 0 (YYYY-MM-DD HH:MM:SS);
	// empty starts at the first row.
	Start string `toml:"start" json:"start,omitempty"`
}

// OverrideSpec changes one provider's figures for a study: "provider"
// names it, and every other key is a key of that provider's catalog table
// (cold_start, billing, limits and the memory list included), merged into
// it: tables key by key, values and arrays whole. The keys concurrency,
// scale_up_per_s, scale_up_burst and timeout stand for limits.<key>.
// docs/catalog.md lists the keys.
type OverrideSpec map[string]any

// ArmSpec is one policy combination to compare. A layer is a policy name,
// or a table with the name under "policy" and its settings beside it:
//
//	strategic = { policy = "single-cloud", provider = "aws" }
//
// For sensitivity studies an arm may also set its own cpu_bound_fraction
// and [[arms.override]] tables (as catalog.override, applied after them):
// such an arm runs on its own copy of the catalog.
type ArmSpec struct {
	Name        string `toml:"name" json:"name,omitempty"`
	Strategic   any    `toml:"strategic" json:"strategic,omitempty"`
	Tactical    any    `toml:"tactical" json:"tactical,omitempty"`
	Operational any    `toml:"operational" json:"operational,omitempty"`
	// CPUBoundFraction replaces simulation.cpu_bound_fraction for this arm.
	CPUBoundFraction *float64       `toml:"cpu_bound_fraction" json:"cpu_bound_fraction,omitempty"`
	Override         []OverrideSpec `toml:"override" json:"override,omitempty"`
}
