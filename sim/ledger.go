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
