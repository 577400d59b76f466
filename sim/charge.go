package sim

import "github.com/skyfaas/skyfaas/sim/billing"

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
	}
	a.memInt += memMB * float64(dt)
	e.postEnergy(p, w*float64(dt)/3.6e12, w*p.intensity.Integral(int64(in.since), int64(until))/3.6e6)
	in.since = until
}
