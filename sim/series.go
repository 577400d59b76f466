package sim

// SeriesRow is what one pool of one function did during one interval (a
// tick): the row of the per-interval series a series recorder collects
// (the operational layer's training data). Counts are invocations unless
// noted; instance counts are at the end of the interval.
type SeriesRow struct {
	Interval int64 // tick index from the start of the run
	Start    Time  // start of the interval (µs of trace time)
	Length   Duration

	Function FunctionID
	App      int32
	Pool     int32 // pool identifier (stable while the pool lives; reused after)
	Provider string
	Region   string
	MemoryMB int32 // configured memory size of the pool

	Arrivals      int64 // routed to this pool
	Starts        int64 // executions started
	ColdStarts    int64 // of which waited for an instance to start
	Completed     int64
	Failed        int64
	SLAViolations int64 // completed over the objective, plus failures

	Busy, Idle, Starting, Provisioned, Queued int32 // at the end of the interval

	MeanConcurrency float64 // executions running, time-averaged over the interval
	MemoryMBInUse   float64 // memory instances hold, time-averaged (MB)
	GBSeconds       float64 // billed compute, GB-s
	CostUSD         float64 // every charge of the interval: requests, compute, provisioned capacity
	CarbonG         float64 // g CO2e of the pool's instances during the interval
}
