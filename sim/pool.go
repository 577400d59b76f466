package sim

import (
	"math"
	"sort"

	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
)

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

	// provisioned capacity billed per configuration period (see prewarm.go)
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
	// execInt is the integral of executions running (a starting instance's
	// wait excluded) since the run began, as far as the ledger has accrued
	// it (accrue); execAtTick its exact value at the last tick.
	execInt    int64
	execAtTick int64
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
		ExecTime:         Duration(e.execIntegral(pi) - p.execAtTick),
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
		p.execAtTick = e.execIntegral(int32(pi))
	}
}

// execIntegral returns pool pi's integral of executions running from the
// run's start to now, exactly: what the ledger accrued plus what its
// instances would accrue if settled now (accrue's own formula; nothing is
// changed).
func (e *Engine) execIntegral(pi int32) int64 {
	e.pendingExec()
	return e.pools[pi].execInt + e.execPending[pi]
}

// pendingExec fills execPending, per pool, with the executions' time its
// instances ran since they were last accrued, once per instant.
func (e *Engine) pendingExec() {
	if e.execPendingOK && e.execPendingAt == e.now && len(e.execPending) == len(e.pools) {
		return
	}
	if n := len(e.pools); cap(e.execPending) < n {
		e.execPending = make([]int64, n)
	} else {
		e.execPending = e.execPending[:n]
		clear(e.execPending)
	}
	for i := range e.inst {
		in := &e.inst[i]
		if in.state == stFree || in.running == 0 {
			continue
		}
		if from := max(in.since, in.readyAt); e.now > from {
			e.execPending[in.pool] += int64(in.running) * int64(e.now.Sub(from))
		}
	}
	e.execPendingAt, e.execPendingOK = e.now, true
}
