package sim

// Recorder receives the per-interval series as the run closes each
// interval (at every tick, when a pool is freed, and at the end): the
// ledger's accounts of every pool live during the interval, one row each.
// Metrics are the run's totals of the same accounts. Record's rows belong
// to the engine and are valid only during the call; an error stops the
// run with it.
type Recorder interface {
	Record(rows []SeriesRow) error
}

// SeriesRow is what one pool of one function did during one interval (a
// tick): the row of the per-interval series a Recorder receives (the
// operational layer's training data).
//
// Arrivals, starts and instance counts cover every invocation, warm-up
// included (the workload as it was); completions, failures, SLA
// violations, money, compute and carbon are the ledger's: the measured
// window only (zero before the warm-up ends), so that summed over rows they
// equal the run's Metrics. A row covers [Start, Start+Length): the part of
// tick Interval the pool lived (it may open or be freed within it, and
// the run end), never more than one tick.
type SeriesRow struct {
	Interval int64 // tick index from the start of the run (Config.Start)
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
	MemoryMBInUse   float64 // memory instances hold (as billed), time-averaged (MB)
	GBSeconds       float64 // billed compute, GB-s
	CostUSD         float64 // every charge of the interval: requests, compute, provisioned capacity
	CarbonG         float64 // g CO2e of the pool's instances during the interval
}

// seriesRow is pool pi's row for its account, open since a.from.
func (e *Engine) seriesRow(pi int32) SeriesRow {
	p := &e.pools[pi]
	a := &p.acct
	from := a.from
	prov := &e.cat.Providers[p.pl.Provider]
	length := e.now.Sub(from)
	return SeriesRow{
		Interval: int64(from.Sub(e.cfg.Start) / e.cfg.Tick),
		Start:    from,
		Length:   length,
		Function: p.fn,
		App:      e.fns[p.fn].app,
		Pool:     pi,
		Provider: prov.Name,
		Region:   prov.Regions[p.pl.Region].Name,
		MemoryMB: int32(prov.Memory[p.pl.Memory].MB),

		Arrivals:      a.arrivals,
		Starts:        a.starts,
		ColdStarts:    a.cold,
		Completed:     a.out.Completed,
		Failed:        a.out.Failed,
		SLAViolations: a.out.SLAViolations,

		Busy:        int32(p.busy),
		Idle:        int32(p.idle.len() + p.idleProv.len()),
		Starting:    int32(len(p.warming)),
		Provisioned: int32(p.nProv),
		Queued:      int32(p.queue.len()),

		MeanConcurrency: ratio(a.execInt, float64(length)),
		MemoryMBInUse:   ratio(a.memInt, float64(length)),
		GBSeconds:       a.units.GBSeconds,
		CostUSD:         a.out.CostUSD,
		CarbonG:         a.out.CarbonG,
	}
}

// ratio is x/y, 0 if y is 0.
func ratio(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}
