package sim

import (
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
)

// instState is the state of an instance slot.
type instState uint8

const (
	stFree    instState = iota // slot unused
	stWarming                  // pre-warm starting, no request yet
	stBusy                     // starting for a request, or executing one
	stIdle                     // ready, no request
)

// noTimer marks an instance without a pending keep-alive event.
const noTimer Time = -1

// request is an invocation waiting for or held by an instance.
type request struct {
	arrival Time
	ref     Duration
	mem     float32
	fn      FunctionID
	seq     uint64 // order of queueing, for the limit group's queue
}

// instance is one execution environment of a pool.
type instance struct {
	pool    int32
	gen     uint32
	state   instState
	prov    bool // provisioned (pre-warmed, held by the operational policy)
	release bool // stop after the current execution
	cold    bool // the current request waited for a start
	timeout bool // the current request hits the provider's timeout
	created Time
	readyAt Time // when its start completes
	since   Time // start of the current power state (idle, or starting+busy)
	timerAt Time // time of the pending keep-alive event, or noTimer
	start   Time // when the current request began executing
	end     Time // when it completes
	served  int32
	r       request
}

// pool is the instances of one function at one placement.
type pool struct {
	live    bool
	current bool
	gen     uint32
	fn      FunctionID
	pl      Placement
	group   int32 // concurrency scope
	bucket  int32 // scale-up scope

	// cached from the catalog
	rules     *billing.Rules
	intensity carbon.Intensity
	factor    float64
	memMB     float64
	vcpu      float64
	ghz       float64
	rtt       Duration
	timeout   Duration
	execScale float64
	busyW     float64 // facility watts of the CPU while starting or executing
	idleW     float64 // facility watts of the CPU while idle
	memW      float64 // facility watts per MB of memory

	keepAlive Duration

	idle     fifo[int32] // on-demand idle instances, oldest idle first
	idleProv fifo[int32] // pre-warmed idle instances
	warming  []int32     // pre-warms still starting
	queue    fifo[request]

	nInst int // instances alive
	nProv int // pre-warmed instances held (not marked for release)
	busy  int // instances starting for or executing a request

	// interval statistics, reset every tick
	arrivals, cold int
	peakBusy       int
	busyInt        Duration // integral of busy over time since the run began
	busyIntAtTick  Duration
	lastChange     Time
}

// setBusy changes the busy count, keeping its time integral.
func (p *pool) setBusy(now Time, delta int) {
	p.busyInt += Duration(p.busy) * now.Sub(p.lastChange)
	p.lastChange = now
	p.busy += delta
	if p.busy > p.peakBusy {
		p.peakBusy = p.busy
	}
}

// place makes pl the current placement of function f, opening (or reusing)
// its pool and letting the previous one drain.
func (e *Engine) place(f FunctionID, pl Placement) {
	fs := &e.fns[f]
	if fs.current >= 0 {
		old := &e.pools[fs.current]
		old.current = false
		e.setTarget(fs.current, 0)
		e.maybeFreePool(fs.current)
	}
	for _, pi := range fs.pools {
		if e.pools[pi].pl == pl {
			fs.current = pi
			e.pools[pi].current = true
			e.openPool(pi)
			return
		}
	}
	pi := e.newPool(f, pl)
	fs.pools = append(fs.pools, pi)
	fs.current = pi
	e.openPool(pi)
}

// openPool applies the stationary operational decision, if any, to a pool
// that becomes current.
func (e *Engine) openPool(pi int32) {
	if e.stationary != nil {
		e.apply(pi, *e.stationary)
	}
}

// takeSlot returns a free slot of slots, reusing a freed one first.
func takeSlot[T any](slots *[]T, free *[]int32) int32 {
	if n := len(*free); n > 0 {
		i := (*free)[n-1]
		*free = (*free)[:n-1]
		return i
	}
	var zero T
	*slots = append(*slots, zero)
	return int32(len(*slots) - 1)
}

func (e *Engine) newPool(f FunctionID, pl Placement) int32 {
	pi := takeSlot(&e.pools, &e.freePools)
	prov := &e.cat.Providers[pl.Provider]
	reg := &prov.Regions[pl.Region]
	mo := &prov.Memory[pl.Memory]
	p := &e.pools[pi]
	gen := p.gen + 1
	q, idle, idleProv, warming := p.queue, p.idle, p.idleProv, p.warming[:0]
	q.buf, q.head = q.buf[:0], 0
	idle.buf, idle.head = idle.buf[:0], 0
	idleProv.buf, idleProv.head = idleProv.buf[:0], 0
	*p = pool{
		live: true, current: true, gen: gen, fn: f, pl: pl,
		group:     e.limitGroup(f, pl),
		bucket:    e.tokenBucket(f, pl),
		rules:     &prov.Billing,
		intensity: reg.Carbon,
		factor:    reg.PriceFactor,
		memMB:     float64(mo.MB),
		vcpu:      mo.VCPU,
		ghz:       mo.GHz,
		rtt:       e.cat.RTT(e.fns[f].zone, pl),
		timeout:   prov.Limits.Timeout,
		execScale: e.model.ExecScale(pl),
		busyW:     prov.Power.Watts(mo.VCPU, 0, e.cfg.BusyUtilisation),
		idleW:     prov.Power.Watts(mo.VCPU, 0, 0),
		memW:      prov.Power.Watts(0, 1.0/1024, 0),
		keepAlive: prov.KeepAlive,
		queue:     q, idle: idle, idleProv: idleProv, warming: warming,
		lastChange: e.now,
	}
	return pi
}

// maybeFreePool releases a draining pool once it holds nothing. It may be
// reached twice for the same pool (the last instance's termination, then
// the move that drained it): only a live pool is freed.
func (e *Engine) maybeFreePool(pi int32) {
	p := &e.pools[pi]
	if !p.live || p.current || p.nInst > 0 || p.queue.len() > 0 {
		return
	}
	fs := &e.fns[p.fn]
	for i, x := range fs.pools {
		if x == pi {
			fs.pools = append(fs.pools[:i], fs.pools[i+1:]...)
			break
		}
	}
	p.live = false
	p.gen++
	e.freePools = append(e.freePools, pi)
}

// arrive handles one invocation of the workload.
func (e *Engine) arrive(inv Invocation) {
	fs := &e.fns[inv.Function]
	e.m.Arrived++
	fs.invocations++
	fs.stratArrivals++
	fs.tactArrivals++
	fs.durSum += float64(inv.Duration)
	if m := float64(inv.MemoryMB); m > fs.maxMem {
		fs.maxMem = m
	}
	if e.observer != nil && fs.lastFinish >= 0 {
		idle := Duration(0)
		if fs.running == 0 {
			idle = e.now.Sub(fs.lastFinish)
		}
		e.observer.ObserveIdleTime(inv.Function, idle)
	}
	fs.lastArrival = e.now
	pi := fs.current
	p := &e.pools[pi]
	p.arrivals++
	e.m.PerProvider[p.pl.Provider].Invocations++
	r := request{arrival: e.now, ref: inv.Duration, mem: inv.MemoryMB, fn: inv.Function}
	if float64(inv.MemoryMB) > p.memMB {
		// Out of memory: the platform refuses the execution; the request fee is paid.
		e.chargeRequest(p, fs)
		e.fail(fs, FailOOM)
		return
	}
	if e.dispatch(pi, r, false) {
		return
	}
	e.refuse(pi, r)
}

// refuse queues or throttles a request that met a limit.
func (e *Engine) refuse(pi int32, r request) {
	p := &e.pools[pi]
	if e.cfg.OnLimit == LimitThrottle {
		e.fail(&e.fns[r.fn], FailThrottled)
		return
	}
	g := &e.groups[p.group]
	g.seq++
	r.seq = g.seq
	p.queue.push(r)
	g.waiting.push(waiter{pool: pi, gen: p.gen, seq: r.seq})
	e.m.Queued++
	if n := g.waiting.len(); n > e.m.PeakQueuedRequests {
		e.m.PeakQueuedRequests = n
	}
	e.q.push(r.arrival.Add(e.cfg.MaxQueueWait), evQueueDeadline, pi, p.gen)
	e.scheduleTokens(p.group)
}

// dispatch gives request r an instance of pool pi if it can: a pre-warmed
// one, a pre-warm still starting, an idle on-demand one, or a new one.
// It reports false if a limit stands in the way, or if other requests of the
// limit group already wait for on-demand capacity and r is not one of them
// (queued), so that waiting requests are served in arrival order.
func (e *Engine) dispatch(pi int32, r request, queued bool) bool {
	p := &e.pools[pi]
	if len(p.warming) > 0 {
		e.promoteWarming(pi)
	}
	if p.idleProv.len() > 0 {
		i := p.idleProv.popBack()
		e.endIdle(i)
		e.startOn(i, r, e.now, false)
		return true
	}
	if len(p.warming) > 0 {
		// Join the pre-warm that will be ready first: a (shortened) cold start.
		best := 0
		for k := 1; k < len(p.warming); k++ {
			if e.inst[p.warming[k]].readyAt < e.inst[p.warming[best]].readyAt {
				best = k
			}
		}
		i := p.warming[best]
		p.warming = append(p.warming[:best], p.warming[best+1:]...)
		e.startOn(i, r, e.inst[i].readyAt, true)
		return true
	}
	g := &e.groups[p.group]
	if !queued && g.waiting.len() > 0 {
		return false
	}
	if g.limit > 0 && g.inflight+g.reserved >= g.limit {
		return false
	}
	if p.idle.len() > 0 {
		var i int32
		if e.cfg.Routing == RouteNewestCreated {
			best := 0
			for k := 1; k < p.idle.len(); k++ {
				if e.inst[*p.idle.at(k)].created >= e.inst[*p.idle.at(best)].created {
					best = k
				}
			}
			i = *p.idle.at(best)
			p.idle.removeAt(best)
		} else {
			i = p.idle.popBack()
		}
		g.inflight++
		e.endIdle(i)
		e.startOn(i, r, e.now, false)
		return true
	}
	if !e.takeToken(p.bucket) {
		return false
	}
	g.inflight++
	i := e.newInstance(pi, false)
	e.startOn(i, r, e.inst[i].readyAt, true)
	return true
}

// newInstance creates an instance in pool pi whose start completes after a
// cold start drawn from the provider's distribution.
func (e *Engine) newInstance(pi int32, prov bool) int32 {
	i := takeSlot(&e.inst, &e.freeInst)
	p := &e.pools[pi]
	cs := FromSeconds(e.cat.Providers[p.pl.Provider].ColdStart.Quantile(e.cold[p.pl.Provider].Float64()))
	in := &e.inst[i]
	*in = instance{pool: pi, gen: in.gen + 1, state: stWarming, prov: prov,
		created: e.now, readyAt: e.now.Add(cs), since: e.now, timerAt: noTimer}
	p.nInst++
	e.m.InstancesStarted++
	return i
}

// startOn begins request r on instance i at time start (now, or when the
// instance's start completes).
func (e *Engine) startOn(i int32, r request, start Time, cold bool) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	exec := Duration(float64(r.ref)*p.execScale + 0.5)
	in.timeout = p.timeout > 0 && exec > p.timeout
	if in.timeout {
		exec = p.timeout
	}
	in.state, in.r, in.start, in.cold, in.end = stBusy, r, start, cold, start.Add(exec)
	e.q.push(in.end, evComplete, i, in.gen)
	if n := e.q.len(); n > e.m.PeakEventQueue {
		e.m.PeakEventQueue = n
	}
	p.setBusy(e.now, 1)
	e.fns[r.fn].running++
	e.m.StartDelaySeconds += start.Sub(r.arrival).Seconds()
	if cold {
		e.m.ColdStarts++
		p.cold++
		e.m.PerProvider[p.pl.Provider].ColdStarts++
	} else {
		e.m.WarmStarts++
	}
}

// complete finishes the request of instance i.
func (e *Engine) complete(i int32) {
	in := &e.inst[i]
	pi := in.pool
	p := &e.pools[pi]
	e.accrue(p, in, true, e.now)
	in.since = e.now
	fs := &e.fns[in.r.fn]
	fs.running--
	fs.lastFinish = e.now
	p.setBusy(e.now, -1)
	in.served++

	exec := e.now.Sub(in.start)
	mem := p.rules.BilledMemoryMB(p.memMB, float64(in.r.mem))
	u := p.rules.Execution(int64(exec), mem, p.ghz, p.factor, in.prov)
	e.chargeRequest(p, fs)
	e.m.Cost.Compute += u.USD
	e.m.PerProvider[p.pl.Provider].Cost += u.USD
	bu := &e.m.BillableUnits[p.pl.Provider]
	bu.GBSeconds += u.GBSeconds
	bu.GHzSeconds += u.GHzSecs
	fs.stratOutcome.CostUSD += u.USD
	fs.tactOutcome.CostUSD += u.USD
	if in.cold {
		fs.stratOutcome.ColdStarts++
		fs.tactOutcome.ColdStarts++
	}
	if in.timeout {
		e.fail(fs, FailTimeout)
	} else {
		lat := p.rtt + e.now.Sub(in.r.arrival)
		e.m.Completed++
		e.m.Latency.Record(int64(lat))
		viol := lat > e.cfg.SLO.Limit(in.r.ref)
		if viol {
			e.m.SLAViolations++
		}
		for _, o := range [2]*Outcome{&fs.stratOutcome, &fs.tactOutcome} {
			o.Completed++
			o.LatencySum += lat
			if viol {
				o.SLAViolations++
			}
		}
	}

	if in.release {
		e.terminate(i)
		return
	}
	if p.queue.len() > 0 {
		r := p.queue.popFront()
		e.startOn(i, r, e.now, false)
		return
	}
	in.state = stIdle
	if in.prov {
		p.idleProv.push(i)
		return
	}
	g := &e.groups[p.group]
	g.inflight--
	if p.keepAlive == 0 {
		e.terminate(i)
	} else {
		p.idle.push(i)
		e.armExpiry(i, e.now.Add(p.keepAlive))
	}
	e.drainGroup(p.group)
}

// chargeRequest bills one request fee.
func (e *Engine) chargeRequest(p *pool, fs *fnState) {
	fee := p.rules.RequestUSD
	e.m.Cost.Requests += fee
	e.m.PerProvider[p.pl.Provider].Cost += fee
	e.m.BillableUnits[p.pl.Provider].Requests++
	fs.stratOutcome.CostUSD += fee
	fs.tactOutcome.CostUSD += fee
}

// fail records a failed invocation (always an SLA violation).
func (e *Engine) fail(fs *fnState, cause int) {
	e.m.Failed[cause]++
	e.m.SLAViolations++
	fs.stratOutcome.Failed++
	fs.tactOutcome.Failed++
	fs.stratOutcome.SLAViolations++
	fs.tactOutcome.SLAViolations++
}

// armExpiry makes sure a keep-alive event fires no later than at. A pending
// event that fires earlier re-arms itself, so a busy instance costs one heap
// event per keep-alive period, not one per invocation.
func (e *Engine) armExpiry(i int32, at Time) {
	in := &e.inst[i]
	if in.timerAt != noTimer && in.timerAt <= at {
		return
	}
	in.timerAt = at
	e.q.push(at, evExpire, i, in.gen)
}

// expire handles a keep-alive event.
func (e *Engine) expire(ev event) {
	in := &e.inst[ev.ref]
	if in.gen != ev.gen || in.timerAt != ev.at {
		return // cancelled: the slot was reused or a sooner timer replaced it
	}
	in.timerAt = noTimer
	if in.state != stIdle || in.prov {
		return
	}
	p := &e.pools[in.pool]
	if at := in.since.Add(p.keepAlive); at > e.now {
		e.armExpiry(ev.ref, at)
		return
	}
	e.removeIdle(p, ev.ref)
	e.terminate(ev.ref)
}

// removeIdle takes instance i out of its pool's on-demand idle list.
func (e *Engine) removeIdle(p *pool, i int32) {
	for k := 0; k < p.idle.len(); k++ {
		if *p.idle.at(k) == i {
			p.idle.removeAt(k)
			return
		}
	}
}

// endIdle closes the idle interval of an instance about to start a request.
func (e *Engine) endIdle(i int32) {
	in := &e.inst[i]
	e.accrue(&e.pools[in.pool], in, false, e.now)
	in.since = e.now
}

// promoteWarming moves pre-warms whose start completed to the idle list.
func (e *Engine) promoteWarming(pi int32) {
	p := &e.pools[pi]
	k := 0
	for _, i := range p.warming {
		in := &e.inst[i]
		if in.readyAt <= e.now {
			e.accrue(p, in, true, in.readyAt)
			in.state, in.since = stIdle, in.readyAt
			p.idleProv.push(i)
		} else {
			p.warming[k] = i
			k++
		}
	}
	p.warming = p.warming[:k]
}

// terminate stops instance i, which must be idle, warming or just finished.
func (e *Engine) terminate(i int32) {
	in := &e.inst[i]
	pi := in.pool
	p := &e.pools[pi]
	if in.state == stIdle {
		e.accrue(p, in, false, e.now)
	} else if in.state == stWarming {
		e.accrue(p, in, true, e.now)
	}
	e.m.InstanceSeconds += e.now.Sub(in.created).Seconds()
	prov := in.prov
	if prov {
		e.releaseProvisioned(p, in, e.now)
	}
	p.nInst--
	in.state = stFree
	in.gen++
	e.freeInst = append(e.freeInst, i)
	if !p.current {
		e.maybeFreePool(pi)
	}
	if prov {
		// The reserved capacity is free: serve waiting requests. Last,
		// because it may create instances (and move e.inst).
		e.drainGroup(p.group)
	}
}

// billProvisioned bills a pre-warmed instance for the time it was held up
// to until, and counts it as used if it served (or is serving) a request.
func (e *Engine) billProvisioned(p *pool, in *instance, until Time) {
	usd, _ := p.rules.Provisioned(int64(until.Sub(in.created)), p.memMB, p.vcpu, p.factor)
	e.m.Cost.Provisioned += usd
	e.m.PerProvider[p.pl.Provider].Cost += usd
	if in.served > 0 || in.state == stBusy {
		e.m.PrewarmsUsed++
	}
}

// releaseProvisioned bills a pre-warmed instance for the time it was held
// and returns its reserved capacity.
func (e *Engine) releaseProvisioned(p *pool, in *instance, at Time) {
	e.billProvisioned(p, in, at)
	e.groups[p.group].reserved--
	if !in.release {
		p.nProv--
	}
}

// accrue adds the energy and carbon of instance in from in.since to until,
// at busy or idle power, and the matching resource time. Memory power and
// GB-seconds count the memory the provider bills: the configured size, or,
// where the provider bills the memory used (Azure Consumption), the last
// execution's footprint rounded as billed.
func (e *Engine) accrue(p *pool, in *instance, busy bool, until Time) {
	dt := until.Sub(in.since)
	if dt <= 0 {
		return
	}
	memMB := p.memMB
	if p.rules.Memory == billing.Observed && in.r.mem > 0 {
		memMB = p.rules.BilledMemoryMB(p.memMB, float64(in.r.mem))
	}
	w := p.idleW
	if busy {
		w = p.busyW
		e.m.BusySeconds += dt.Seconds()
	} else if in.prov {
		e.m.PrewarmIdleGBSecs += dt.Seconds() * memMB / 1024
	} else {
		e.m.IdleGBSeconds += dt.Seconds() * memMB / 1024
	}
	w += p.memW * memMB
	e.m.Energy += w * float64(dt) / 3.6e12
	c := w * p.intensity.Integral(int64(in.since), int64(until)) / 3.6e6
	e.m.Carbon += c
	e.m.PerProvider[p.pl.Provider].Carbon += c
	fs := &e.fns[p.fn]
	fs.stratOutcome.CarbonG += c
	fs.tactOutcome.CarbonG += c
}

// apply carries out an operational decision for pool pi.
func (e *Engine) apply(pi int32, d PoolDecision) {
	p := &e.pools[pi]
	ka := d.KeepAlive
	if ka == ProviderKeepAlive {
		ka = e.cat.Providers[p.pl.Provider].KeepAlive
	}
	if ka != p.keepAlive {
		e.setKeepAlive(pi, ka)
	}
	e.setTarget(pi, d.Prewarm)
}

// setKeepAlive changes a pool's keep-alive; idle instances past the new one
// stop now, the others get a timer for their new expiry.
func (e *Engine) setKeepAlive(pi int32, ka Duration) {
	p := &e.pools[pi]
	p.keepAlive = ka
	for k := 0; k < p.idle.len(); {
		i := *p.idle.at(k)
		at := e.inst[i].since.Add(ka)
		if at <= e.now {
			p.idle.removeAt(k)
			e.terminate(i)
			continue
		}
		e.armExpiry(i, at)
		k++
	}
}

// setTarget holds n pre-warmed instances in pool pi: it starts the missing
// ones (within the concurrency limit) and releases the extra ones, idle or
// starting first, busy ones when they finish.
func (e *Engine) setTarget(pi int32, n int) {
	p := &e.pools[pi]
	g := &e.groups[p.group]
	for p.nProv < n {
		if g.limit > 0 && g.inflight+g.reserved >= g.limit {
			e.m.PrewarmsDenied += int64(n - p.nProv)
			break
		}
		i := e.newInstance(pi, true)
		p = &e.pools[pi]
		p.warming = append(p.warming, i)
		p.nProv++
		g.reserved++
		e.m.PrewarmsStarted++
		if p.queue.len() > 0 {
			r := p.queue.popFront()
			p.warming = p.warming[:len(p.warming)-1]
			e.startOn(i, r, e.inst[i].readyAt, true)
		}
	}
	for p.nProv > n {
		switch {
		case p.idleProv.len() > 0:
			i := p.idleProv.popFront()
			e.inst[i].release = true
			p.nProv--
			e.terminate(i)
		case len(p.warming) > 0:
			i := p.warming[len(p.warming)-1]
			p.warming = p.warming[:len(p.warming)-1]
			e.inst[i].release = true
			p.nProv--
			e.terminate(i)
		default:
			// All held pre-warms are busy: release one when it finishes.
			found := false
			for k := range e.inst {
				in := &e.inst[k]
				if in.state == stBusy && in.pool == pi && in.prov && !in.release {
					in.release = true
					p.nProv--
					found = true
					break
				}
			}
			if !found {
				return // nothing left to release (cannot happen while nProv counts held pre-warms)
			}
		}
		p = &e.pools[pi]
	}
}

// closeAtHorizon accounts an instance still alive when the run ends.
func (e *Engine) closeAtHorizon(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	switch in.state {
	case stBusy:
		e.m.InFlight++
		e.accrue(p, in, true, e.horizon)
	case stWarming:
		if in.readyAt < e.horizon {
			e.accrue(p, in, true, in.readyAt)
			in.since = in.readyAt
			e.accrue(p, in, false, e.horizon)
		} else {
			e.accrue(p, in, true, e.horizon)
		}
	case stIdle:
		e.accrue(p, in, false, e.horizon)
	}
	e.m.InstanceSeconds += e.horizon.Sub(in.created).Seconds()
	if in.prov {
		e.billProvisioned(p, in, e.horizon)
	}
}

// tickMetrics closes the interval that ends now: under-provisioning (cold
// starts the interval needed) and over-provisioning (instances idle through
// the whole interval).
func (e *Engine) tickMetrics() {
	for pi := range e.pools {
		p := &e.pools[pi]
		if !p.live {
			continue
		}
		e.m.UnderProvisioned += int64(p.cold)
		for _, l := range [2]*fifo[int32]{&p.idle, &p.idleProv} {
			for k := 0; k < l.len(); k++ {
				if e.inst[*l.at(k)].since <= e.lastTick {
					e.m.OverProvisioned++
				}
			}
		}
	}
}

// poolView fills v with pool pi's state and closes its interval statistics.
func (e *Engine) poolView(pi int32, v *PoolView) {
	p := &e.pools[pi]
	if len(p.warming) > 0 {
		e.promoteWarming(pi)
	}
	p.setBusy(e.now, 0)
	fs := &e.fns[p.fn]
	*v = PoolView{
		Pool: pi, Function: p.fn, Placement: p.pl,
		DefaultKeepAlive: e.cat.Providers[p.pl.Provider].KeepAlive,
		ExecScale:        p.execScale,
		Instances:        p.nInst,
		Idle:             p.idle.len() + p.idleProv.len(),
		Busy:             p.busy,
		Starting:         len(p.warming),
		Provisioned:      p.nProv,
		Queued:           p.queue.len(),
		Arrivals:         p.arrivals,
		ColdStarts:       p.cold,
		BusyTime:         p.busyInt - p.busyIntAtTick,
		PeakBusy:         p.peakBusy,
		LastArrival:      fs.lastArrival,
		LastFinish:       fs.lastFinish,
	}
}

// resetInterval starts a new tick interval for every live pool.
func (e *Engine) resetIntervals() {
	for pi := range e.pools {
		p := &e.pools[pi]
		if !p.live {
			continue
		}
		p.setBusy(e.now, 0)
		p.arrivals, p.cold = 0, 0
		p.peakBusy = p.busy
		p.busyIntAtTick = p.busyInt
	}
}
