package sim

import "github.com/skyfaas/skyfaas/sim/billing"

// The ledger. Every charge of the run (a request fee, compute, provisioned
// capacity, energy and its carbon, a failure) is posted by one of the
// functions below to the account of the pool it belongs to, which names the
// function, provider, region and memory size; the account covers the
// current interval (operational tick). When the interval closes (at each
// tick, when a pool is freed, and at the end of the run) closeAccount folds
// the account into the run's totals (Metrics), into the per-function
// outcomes the placement layers are handed, and, with a Recorder, into the
// interval's SeriesRow. So Metrics' money, energy and carbon are sums of
// the ledger, and a series' columns add up to them.
//
// The ledger covers the measured window: a charge of an invocation that
// arrived during the warm-up is not posted (as before), and what instances
// accrued during the warm-up is dropped with the accounts when it ends.
//
// Instance time (energy, carbon, and busy periods on per-instance billing)
// and provisioned capacity accrue continuously and are posted when they are
// settled: provisioned capacity at every tick; instances at every epoch of
// a placement layer and, with a Recorder, at every tick, so that each
// interval (or epoch) holds exactly what accrued during it.

// account is what one pool was charged during the current interval.
type account struct {
	out Outcome // completed, failed, cold starts, SLA violations, cost, carbon, latency (measured)

	requestUSD, computeUSD, provisionedUSD float64
	kWh                                    float64
	units                                  BillableUnits

	// Interval statistics for the series (every invocation, warm-up
	// included), since from.
	from                   Time
	arrivals, starts, cold int64
	execInt                float64 // ∫ executions running dt (µs)
	memInt                 float64 // ∫ memory held dt (MB·µs)
}

// postCompute posts a compute charge of pool p.
func (e *Engine) postCompute(p *pool, u billing.Usage) {
	a := &p.acct
	a.computeUSD += u.USD
	a.units.GBSeconds += u.GBSeconds
	a.units.GHzSeconds += u.GHzSecs
}

// postRequest posts one request fee of pool p.
func (e *Engine) postRequest(p *pool) {
	p.acct.requestUSD += p.rules.RequestUSD
	p.acct.units.Requests++
}

// postProvisioned posts a provisioned-capacity charge of pool p.
func (e *Engine) postProvisioned(p *pool, usd float64) {
	p.acct.provisionedUSD += usd
}

// postEnergy posts kWh of pool p's instances and their carbon (g CO2e).
func (e *Engine) postEnergy(p *pool, kWh, gCO2 float64) {
	p.acct.kWh += kWh
	p.acct.out.CarbonG += gCO2
}

// postFailure posts a failed invocation of pool p (always an SLA
// violation).
func (e *Engine) postFailure(p *pool) {
	p.acct.out.Failed++
	p.acct.out.SLAViolations++
}

// postCompletion posts a completed invocation of pool p.
func (e *Engine) postCompletion(p *pool, lat Duration, cold, violated bool) {
	o := &p.acct.out
	o.Completed++
	o.LatencySum = satAdd(o.LatencySum, lat)
	if cold {
		o.ColdStarts++
	}
	if violated {
		o.SLAViolations++
	}
}

// closeAccount folds pool p's account, opened at a.from, into the run's
// totals and its function's outcomes, and into a series row when a
// recorder is attached, then opens a new one.
func (e *Engine) closeAccount(pi int32) {
	p := &e.pools[pi]
	a := &p.acct
	if e.now <= e.warm {
		e.dropCharges(a) // the interval lies in the warm-up: nothing of it is measured
	}
	cost := a.requestUSD + a.computeUSD + a.provisionedUSD
	a.out.CostUSD = cost
	m := &e.m
	m.Cost.Requests += a.requestUSD
	m.Cost.Compute += a.computeUSD
	m.Cost.Provisioned += a.provisionedUSD
	m.Energy += a.kWh
	m.Carbon += a.out.CarbonG
	pp := &m.PerProvider[p.pl.Provider]
	pp.Cost += cost
	pp.Carbon += a.out.CarbonG
	bu := &m.BillableUnits[p.pl.Provider]
	bu.Requests += a.units.Requests
	bu.GBSeconds += a.units.GBSeconds
	bu.GHzSeconds += a.units.GHzSeconds
	fs := &e.fns[p.fn]
	fs.stratOutcome.add(&a.out)
	fs.tactOutcome.add(&a.out)
	m.PerFunction[p.fn].Outcome.add(&a.out)
	if e.cfg.Recorder != nil && (e.now > a.from || *a != account{from: a.from, out: Outcome{CostUSD: cost}}) {
		e.rows = append(e.rows, e.seriesRow(pi))
	}
	*a = account{from: e.now}
}

// add adds o's counts and sums to s.
func (s *Outcome) add(o *Outcome) {
	s.Completed += o.Completed
	s.Failed += o.Failed
	s.ColdStarts += o.ColdStarts
	s.SLAViolations += o.SLAViolations
	s.CostUSD += o.CostUSD
	s.CarbonG += o.CarbonG
	s.LatencySum = satAdd(s.LatencySum, o.LatencySum)
}

// settleAccounts brings every account up to now: provisioned capacity
// always; with instances, the energy, carbon and per-instance busy billing
// every live instance accrued. Settling splits the instances' integrals
// (energy, virtual clock, billed memory) at now; it changes nothing else.
func (e *Engine) settleAccounts(instances bool) {
	if instances {
		for i := range e.inst {
			in := &e.inst[i]
			if in.state == stFree {
				continue
			}
			e.touch(int32(i))
			if p := &e.pools[in.pool]; in.running > 0 && p.rules.PerInstance && e.bills[i].open {
				e.settleBusy(p, in, int32(i), false)
			}
		}
	}
	for i := range e.pools {
		if p := &e.pools[i]; p.live {
			e.settleProvisioned(p, e.now, false)
		}
	}
}

// closeIntervals settles and closes every live pool's account for the
// interval that ends now, and hands the rows to the recorder.
func (e *Engine) closeIntervals(instances bool) error {
	e.settleAccounts(instances || e.cfg.Recorder != nil)
	for pi := range e.pools {
		if e.pools[pi].live {
			e.closeAccount(int32(pi))
		}
	}
	return e.flushRows()
}

// flushRows hands the rows closed so far to the recorder.
func (e *Engine) flushRows() error {
	if e.cfg.Recorder == nil || len(e.rows) == 0 {
		return nil
	}
	err := e.cfg.Recorder.Record(e.rows)
	clear(e.rows)
	e.rows = e.rows[:0]
	return err
}

// dropAccounts empties every account's charges without posting them (the
// warm-up ends: what accrued during it is not measured); the interval
// statistics of the series stay.
func (e *Engine) dropAccounts() {
	for pi := range e.pools {
		e.dropCharges(&e.pools[pi].acct)
	}
}

// dropCharges empties a's charges.
func (e *Engine) dropCharges(a *account) {
	a.out, a.requestUSD, a.computeUSD, a.provisionedUSD, a.kWh, a.units = Outcome{}, 0, 0, 0, 0, BillableUnits{}
}

// chargeExecution bills one execution of dur on instance in of pool p, for
// a provider that bills executions apart (not per instance).
func (e *Engine) chargeExecution(p *pool, in *instance, r request, dur Duration) {
	if !e.measured(r.arrival) {
		return
	}
	mem := p.rules.BilledMemoryMB(p.memMB, float64(r.mem))
	e.postCompute(p, p.rules.Execution(int64(dur), mem, p.ghz, p.factor, in.prov))
}

// settleBusy bills the part of instance in's busy period not billed yet, at
// the memory it held (per-instance billing). At the end of the period the
// period's length is rounded and held to the minimum as one execution's
// would be, the difference billed at the memory it held last.
func (e *Engine) settleBusy(p *pool, in *instance, i int32, end bool) {
	b := &e.bills[i]
	mbus := b.mbus
	us := int64(e.now.Sub(b.from))
	if end {
		length := int64(e.now.Sub(b.start))
		extra := p.rules.BilledMicros(length) - length
		mbus += float64(extra) * p.rules.BilledMemoryMB(p.memMB, float64(in.lastMem))
		us += extra
	}
	b.mbus, b.from = 0, e.now
	if end {
		b.open = false
	}
	e.postCompute(p, p.rules.InstanceTime(mbus, us, p.ghz, p.factor, in.prov))
}

// chargeRequest bills one request fee.
func (e *Engine) chargeRequest(p *pool, r request) {
	if e.measured(r.arrival) {
		e.postRequest(p)
	}
}

// fail records a failed invocation of pool p (always an SLA violation).
func (e *Engine) fail(p *pool, r request, cause int) {
	if !e.measured(r.arrival) {
		return
	}
	e.m.Failed[cause]++
	e.m.SLAViolations++
	e.postFailure(p)
}

// heldMemoryMB is the memory instance in is charged for in power and
// idle memory-time: the configured size, or, where the provider bills
// observed memory, what its executions hold (idle: its last execution's
// footprint, a pre-warm's the function's), rounded as billed.
func heldMemoryMB(p *pool, in *instance) float64 {
	if p.rules.Memory != billing.Observed {
		return p.memMB
	}
	m := in.mem
	if in.running == 0 {
		m = in.lastMem
	}
	return p.rules.BilledMemoryMB(p.memMB, float64(m))
}

// accrue adds the energy and carbon of instance in from in.since to until
// and the matching resource time, then moves in.since to until. Starting
// draws busy power; executing, the CPU's utilisation is BusyUtilisation
// per running execution, at most 1; idle, 0.
func (e *Engine) accrue(p *pool, in *instance, until Time) {
	dt := until.Sub(in.since)
	if dt <= 0 {
		return
	}
	memMB := heldMemoryMB(p, in)
	w := p.idleW
	switch {
	case in.state == stWarming || (in.state == stBusy && in.running == 0):
		w = p.busyW
		e.m.BusySeconds += dt.Seconds()
	case in.state == stBusy:
		f := float64(in.running)
		if u := e.cfg.BusyUtilisation; u > 0 {
			f = min(f, 1/u)
		}
		w = p.idleW + (p.busyW-p.idleW)*f
		e.m.BusySeconds += dt.Seconds()
	default:
		gbs := dt.Seconds() * memMB / 1024
		if in.prov {
			e.m.PrewarmIdleGBSecs += gbs
		} else {
			e.m.IdleGBSeconds += gbs
		}
		e.m.PerFunction[p.fn].IdleGBSeconds += gbs
	}
	w += p.memW * memMB
	a := &p.acct
	if from := max(in.since, in.readyAt); in.running > 0 && until > from {
		a.execInt += float64(in.running) * float64(until.Sub(from)) // executing, not starting
		p.execInt += int64(in.running) * int64(until.Sub(from))
		e.execPendingOK = false
	}
	a.memInt += memMB * float64(dt)
	e.postEnergy(p, w*float64(dt)/3.6e12, w*p.intensity.Integral(int64(in.since), int64(until))/3.6e6)
	in.since = until
}
