package sim

import (
	"math"
	"sort"

	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
)

// request is an invocation waiting for or held by an instance.
type request struct {
	arrival Time
	ref     Duration
	mem     float32
	fn      FunctionID
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
	maxMB     float64 // the provider's largest size: above it, infeasible
	vcpu      float64
	ghz       float64
	rtt       Duration
	overhead  Duration // the provider's warm-path latency
	timeout   Duration
	execScale float64
	slots     int32   // executions per instance
	single    bool    // its instances take the one-execution fast path (single.go)
	fastSlots int32   // executions an instance runs before they slow (rateAt)
	cpuBound  float64 // share of an execution that slows with less CPU
	busyW     float64 // facility watts of the CPU of one busy execution at BusyUtilisation
	idleW     float64 // facility watts of the CPU while idle
	memW      float64 // facility watts per MB of memory
	footMB    float64 // the function's largest observed footprint (pre-warms hold it)

	keepAlive  Duration
	expiryLane int32 // event queue lane of its keep-alive timers (expiryLane)

	idle     fifo[int32] // on-demand idle instances, oldest idle first
	idleProv fifo[int32] // pre-warmed idle instances
	warming  []int32     // pre-warms still starting, no request yet
	partial  []int32     // instances holding executions with room for one more at full speed (PackCPU) or a free slot (PackSlots)
	crowded  []int32     // PackCPU: instances with a free slot only at the cost of slowing
	queue    fifo[request]
	qseq     fifo[uint64] // beside queue: each request's order of queueing in its limit group

	nInst int // instances alive
	nProv int // pre-warmed instances held (not marked for release)
	busy  int // instances starting for or executing requests

	// provisioned capacity billed per configuration period (see prov.go)
	provLevel     int
	provFrom      Time
	provBucketEnd Time
	provBucketMax int

	// what the pool was charged during the current interval (ledger.go)
	acct account

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
	q, qseq, idle, idleProv := p.queue.emptied(), p.qseq.emptied(), p.idle.emptied(), p.idleProv.emptied()
	warming, partial, crowded := p.warming[:0], p.partial[:0], p.crowded[:0]
	*p = pool{
		live: true, current: true, gen: gen, fn: f, pl: pl, acct: account{from: e.now},
		group:     e.limitGroup(f, pl),
		bucket:    e.tokenBucket(f, pl),
		rules:     &prov.Billing,
		intensity: reg.Carbon,
		factor:    reg.PriceFactor,
		memMB:     float64(mo.MB),
		maxMB:     float64(prov.MaxMemoryMB()),
		vcpu:      mo.VCPU,
		ghz:       mo.GHz,
		rtt:       e.cat.RTT(e.fns[f].zone, pl),
		overhead:  prov.WarmOverhead,
		timeout:   prov.Limits.Timeout,
		execScale: e.model.ExecScale(pl),
		slots:     int32(prov.InstanceConcurrency),
		cpuBound:  e.cfg.CPUBoundFraction,
		busyW:     prov.Power.Watts(mo.VCPU, 0, e.cfg.BusyUtilisation),
		idleW:     prov.Power.Watts(mo.VCPU, 0, 0),
		memW:      prov.Power.Watts(0, 1.0/1024, 0),
		footMB:    e.fns[f].maxMem,
		keepAlive: prov.KeepAlive,
		queue:     q, qseq: qseq, idle: idle, idleProv: idleProv, warming: warming, partial: partial, crowded: crowded,
		lastChange: e.now,
	}
	p.fastSlots = fastSlots(p)
	p.expiryLane = e.expiryLane(p.keepAlive)
	p.single = p.slots == 1 && !p.rules.PerInstance && !e.generalPath
	return pi
}

// expiryLane returns the event queue lane of the keep-alive timers of
// pools whose keep-alive is ka: timers armed for ka after the current time
// come in time order, whatever their pool (see eventQueue).
func (e *Engine) expiryLane(ka Duration) int32 {
	l, ok := e.kaLanes[ka]
	if !ok {
		l = int32(len(e.kaLanes))
		e.kaLanes[ka] = l
	}
	return l
}

// fastSlots returns how many executions an instance of pool p runs before
// they slow each other down (rateAt below 1), at most its slots.
func fastSlots(p *pool) int32 {
	if p.cpuBound == 0 {
		return p.slots
	}
	a := (1 - p.cpuBound) + p.cpuBound/math.Min(1, p.vcpu)
	n := int32(math.Floor(p.vcpu*a/p.cpuBound + 1e-9))
	return max(1, min(n, p.slots))
}

// maybeFreePool releases a draining pool once it holds nothing. It may be
// reached twice for the same pool (the last instance's termination, then
// the move that drained it): only a live pool is freed.
func (e *Engine) maybeFreePool(pi int32) {
	p := &e.pools[pi]
	if !p.live || p.current || p.nInst > 0 || p.queue.len() > 0 {
		return
	}
	e.settleProvisioned(p, e.now, true)
	e.closeAccount(pi)
	p = &e.pools[pi]
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

// measured reports whether an invocation that arrived at t counts in the
// metrics (it arrived after the warm-up).
func (e *Engine) measured(t Time) bool { return t >= e.warm }

// arrive handles one invocation of the workload.
func (e *Engine) arrive(inv Invocation) {
	fs := &e.fns[inv.Function]
	counted := e.measured(inv.Arrival)
	if counted {
		e.m.Arrived++
		e.m.PerFunction[inv.Function].Arrived++
	}
	fs.invocations++
	fs.seen++
	fs.stratArrivals++
	fs.tactArrivals++
	fs.tickArrivals++
	fs.memSum += float64(inv.MemoryMB)
	fs.durSum += float64(inv.Duration)
	if inv.Duration > fs.maxDur {
		fs.maxDur = inv.Duration
	}
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
	p.acct.arrivals++
	if fs.maxMem > p.footMB {
		p.footMB = fs.maxMem
	}
	if counted {
		e.m.PerProvider[p.pl.Provider].Invocations++
	}
	r := request{arrival: e.now, ref: inv.Duration, mem: inv.MemoryMB, fn: inv.Function}
	if mem := float64(inv.MemoryMB); mem > p.memMB {
		if mem > p.maxMB {
			// No size the provider offers holds it: not run, not billed.
			e.fail(p, r, FailInfeasible)
			return
		}
		// Out of memory: the platform refuses the execution; the request fee is paid.
		e.chargeRequest(p, r)
		e.fail(p, r, FailOOM)
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
		e.fail(p, r, FailThrottled)
		return
	}
	g := &e.groups[p.group]
	g.seq++
	p.queue.push(r)
	p.qseq.push(g.seq)
	e.buckets[p.bucket].waiting++
	g.waiting.push(waiter{pool: pi, gen: p.gen, seq: g.seq})
	if e.measured(r.arrival) {
		e.m.Queued++
	}
	if n := g.waiting.len(); n > e.m.PeakQueuedRequests {
		e.m.PeakQueuedRequests = n
	}
	e.q.push(r.arrival.Add(e.cfg.MaxQueueWait), evQueueDeadline, pi, p.gen)
	if e.refused == refusedTokens && e.buckets[p.bucket].rate > 0 {
		e.wakeAt(p.group, e.nextToken(&e.buckets[p.bucket]))
	}
}

// refusal says why dispatch could not place a request.
type refusal uint8

const (
	refusedConcurrency refusal = iota // the concurrency scope is full
	refusedTokens                     // the scale-up scope has no token
)

// popQueue takes the oldest queued request of pool p.
func (e *Engine) popQueue(p *pool) request {
	e.buckets[p.bucket].waiting--
	p.qseq.popFront()
	return p.queue.popFront()
}

// dispatch gives request r an instance of pool pi if it can, in this order:
// an instance holding executions with a free slot (a warm start, or a cold
// one if it is still starting) whose executions it would not slow (any
// with a free slot under PackSlots), an idle pre-warmed one, a pre-warm still
// starting (unless the provider's provisioning delay makes it unusable
// until ready), an idle on-demand one, or a new one. It reports false if a
// limit stands in the way (and why, in e.refused) and no instance has a
// free slot even at the cost of slowing it, or if requests of the
// same scale-up scope already wait and r is not one of them (queued), so
// that waiting requests are served in arrival order. (Requests waiting in
// the concurrency scope while it has room wait for tokens of other scopes:
// they do not hold r back.)
func (e *Engine) dispatch(pi int32, r request, queued bool) bool {
	p := &e.pools[pi]
	if e.joinPartial(pi, r, false) {
		return true
	}
	if p.idleProv.len() > 0 {
		i := p.idleProv.popBack()
		e.join(i, r)
		return true
	}
	if len(p.warming) > 0 && e.cat.Providers[p.pl.Provider].ProvisioningDelay == 0 {
		// Join the pre-warm that will be ready first: a (shortened) cold start.
		best := 0
		for k := 1; k < len(p.warming); k++ {
			if e.inst[p.warming[k]].readyAt < e.inst[p.warming[best]].readyAt {
				best = k
			}
		}
		i := p.warming[best]
		p.warming = append(p.warming[:best], p.warming[best+1:]...)
		e.join(i, r)
		return true
	}
	g := &e.groups[p.group]
	if g.limit > 0 && g.inflight+g.reserved >= g.limit {
		e.refused = refusedConcurrency
		return e.joinPartial(pi, r, true)
	}
	if b := &e.buckets[p.bucket]; !queued && b.rate > 0 && b.waiting > 0 {
		e.refused = refusedTokens
		return e.joinPartial(pi, r, true)
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
		e.join(i, r)
		return true
	}
	if !e.takeToken(p.bucket) {
		e.refused = refusedTokens
		return e.joinPartial(pi, r, true)
	}
	g.inflight++
	// An instance that only this request can use starts its execution at
	// once (see join) and needs no ready event.
	i := e.newInstance(pi, false, p.slots > 1 || p.rules.PerInstance)
	e.join(i, r)
	return true
}

// dropExpired fails the queued requests of pool pi that waited the maximum.
func (e *Engine) dropExpired(pi int32) {
	p := &e.pools[pi]
	for p.queue.len() > 0 && p.queue.front().arrival.Add(e.cfg.MaxQueueWait) <= e.now {
		r := e.popQueue(p)
		e.fail(p, r, FailThrottled)
	}
	if !p.current {
		e.maybeFreePool(pi)
	}
}

// joinPartial gives r to an instance of pool pi that holds executions and
// has a free slot where r fits, the most recently listed first; unless
// slowing is allowed, only to one whose executions r would not slow (see
// rateAt). It reports whether it found one.
func (e *Engine) joinPartial(pi int32, r request, slowing bool) bool {
	p := &e.pools[pi]
	for k := len(p.partial) - 1; k >= 0; k-- {
		if i := p.partial[k]; e.fits(i, r) {
			e.join(i, r)
			return true
		}
	}
	if !slowing {
		return false
	}
	for k := len(p.crowded) - 1; k >= 0; k-- {
		if i := p.crowded[k]; e.fits(i, r) {
			e.join(i, r)
			return true
		}
	}
	return false
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
			e.m.OverProvisioned += int64(e.idleSince(l, e.lastTick))
		}
	}
}

// idleSince returns how many instances of idle list l have been idle since
// t or earlier. A list is in the order its instances went idle (goIdle
// files an instance at the current time, and removals keep the order), so
// they are its first ones: a binary search finds them without reading
// every idle instance at every tick.
func (e *Engine) idleSince(l *fifo[int32], t Time) int {
	return sort.Search(l.len(), func(k int) bool { return e.inst[*l.at(k)].idleNow > t })
}

// poolView fills v with pool pi's state and closes its interval statistics.
func (e *Engine) poolView(pi int32, v *PoolView) {
	p := &e.pools[pi]
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
		Recent:           e.arrivalHistory(p.fn),
	}
}

// resetIntervals starts a new tick interval for every live pool.
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
