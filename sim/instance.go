package sim

import "math"

// instState is the state of an instance slot.
type instState uint8

const (
	stFree    instState = iota // slot unused
	stWarming                  // pre-warm starting, no request yet
	stBusy                     // starting for requests, or executing
	stIdle                     // ready, no request
)

// noTimer marks an instance without a pending keep-alive event.
const noTimer Time = -1

// maxTime stands for "never".
const maxTime Time = math.MaxInt64

// instance is one execution environment of a pool. It holds up to its
// provider's instance concurrency of executions at once, which share its
// CPU by processor sharing: every execution progresses at the same rate,
// which falls when the executions outnumber the CPU (see rateAt). Progress
// is kept as a virtual clock (single-occupancy microseconds of work done
// by each execution since the instance started), so an occupancy change
// costs one clock update and one rescheduled event, not one per execution.
type instance struct {
	pool    int32
	gen     uint32 // slot generation: keep-alive and ready events
	egen    uint32 // generation of the pending completion event
	state   instState
	prov    bool // provisioned (pre-warmed, held by the operational policy)
	release bool // stop when its executions are done
	crowded bool // its list position is in the crowded list
	ownBusy bool // own holds an execution

	k       int32 // executions held, pending or running
	running int32 // executions running
	head    int32 // first execution, noExec if none
	partial int32 // position in its pool's partial or crowded list, -1 if in neither
	served  int32
	mem     float32 // memory its executions hold (see MemorySharing)
	lastMem float32 // footprint of its last execution: what it holds idle

	// since is the start of the current power interval, and also when
	// vclock (work done per execution so far, µs at single occupancy) was
	// last brought up to date: touch moves both.
	since   Time
	vclock  float64
	timerAt Time // time of the pending keep-alive event, or noTimer
	idleAt  Time // the first moment it went idle, or noTimer
	idleNow Time // when it last went idle
	evAt    Time // time of the pending completion event (egen), or noTimer
	readyAt Time // when its start completes
	created Time

	own execution // its first execution, kept inline (no slab access at concurrency 1)
}

// busyBill is the per-instance billing state of an instance's current busy
// period, kept beside the instances (e.bills, same index) so that the
// instance itself stays small where billing is per execution.
type busyBill struct {
	start Time    // the period's start
	from  Time    // start of the part not billed yet
	at    Time    // mbus covers from..at
	mbus  float64 // ∫ billed MB dt since from
	open  bool    // a period is under way (not yet settled at its end)
}

// Execution references: an index into e.execs, ownExec for the one kept in
// the instance itself, or noExec at the end of a list.
const (
	noExec  int32 = -1
	ownExec int32 = -2
)

// exec returns execution x of instance in.
func (e *Engine) exec(in *instance, x int32) *execution {
	if x == ownExec {
		return &in.own
	}
	return &e.execs[x]
}

// execution is one invocation held by an instance.
type execution struct {
	r       request
	start   Time    // when it began (or will begin) executing
	vEnd    float64 // the instance's vclock at which it completes
	next    int32
	started bool
	cold    bool
}

// newInstance creates an instance in pool pi whose start completes after a
// cold start drawn from the provider's distribution (less what the
// measurement already includes), or, for a pre-warm on a provider with a
// provisioning delay, after that delay.
func (e *Engine) newInstance(pi int32, prov, readyEvent bool) int32 {
	i := takeSlot(&e.inst, &e.freeInst)
	if len(e.bills) < len(e.inst) {
		e.bills = append(e.bills, busyBill{})
	}
	p := &e.pools[pi]
	pr := &e.cat.Providers[p.pl.Provider]
	var start Duration
	if prov && pr.ProvisioningDelay > 0 {
		start = pr.ProvisioningDelay
	} else {
		start = max(FromSeconds(pr.ColdStart.Quantile(e.cold[p.pl.Provider].Float64()))-pr.ColdStartIncluded, 0)
	}
	in := &e.inst[i]
	*in = instance{pool: pi, gen: in.gen + 1, egen: in.egen + 1, state: stWarming, prov: prov,
		created: e.now, readyAt: e.now.addSat(start), since: e.now, timerAt: noTimer, idleAt: noTimer,
		head: noExec, partial: -1, evAt: noTimer, lastMem: float32(p.footMB)}
	p.nInst++
	if e.measuring() {
		e.m.InstancesStarted++
	}
	if readyEvent {
		e.q.push(in.readyAt, evReady, i, in.gen)
	}
	return i
}

// measuring reports whether the warm-up is over.
func (e *Engine) measuring() bool { return e.now >= e.warm }

// fits reports whether instance i, which holds executions, can take r too.
func (e *Engine) fits(i int32, r request) bool {
	if e.cfg.MemorySharing != MemorySum {
		return true
	}
	return float64(e.inst[i].mem)+float64(r.mem) <= e.pools[e.inst[i].pool].memMB
}

// join gives request r to instance i (idle, warming, starting or executing
// with a free slot). It is a cold start if the instance is not ready yet.
func (e *Engine) join(i int32, r request) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	if p.single {
		e.joinSingle(i, in, p, r)
		return
	}
	e.touch(i)
	cold := in.readyAt > e.now
	if in.state != stBusy {
		// A pending keep-alive event stays: it finds the instance busy and
		// lapses, or re-arms itself (armExpiry), one event per period.
		in.state = stBusy
		p.setBusy(e.now, 1)
	}
	x := ownExec
	if in.ownBusy {
		x = takeSlot(&e.execs, &e.freeExec)
	}
	in.ownBusy = in.ownBusy || x == ownExec
	*e.exec(in, x) = execution{r: r, cold: cold, next: in.head}
	in.head = x
	in.k++
	if in.k > int32(e.m.ExecutionsPeakPerInstance) {
		e.m.ExecutionsPeakPerInstance = int(in.k)
	}
	e.holdMemory(in, r.mem)
	e.fns[r.fn].running++
	e.countStart(p, r, cold)
	switch {
	case !cold:
		e.begin(i, x, e.now)
	case p.slots == 1 && !p.rules.PerInstance:
		p.cold++
		e.begin(i, x, in.readyAt) // nobody else can join it: no need to wait for the ready event
	default:
		p.cold++
	}
	e.reschedule(i)
	e.updatePartial(i)
}

// countStart counts the start of request r on an instance of pool p, cold
// or warm.
func (e *Engine) countStart(p *pool, r request, cold bool) {
	p.acct.starts++ // the series counts every start, warm-up included
	if cold {
		p.acct.cold++
	}
	if !e.measured(r.arrival) {
		return
	}
	if cold {
		e.m.ColdStarts++
		e.m.PerProvider[p.pl.Provider].ColdStarts++
		e.m.PerFunction[r.fn].ColdStarts++
	} else {
		e.m.WarmStarts++
	}
	e.m.PerFunction[r.fn].Started++
}

// holdMemory adds a footprint to what instance in holds.
func (e *Engine) holdMemory(in *instance, mb float32) {
	if e.cfg.MemorySharing == MemorySum {
		in.mem += mb
	} else {
		in.mem = max(in.mem, mb)
	}
	in.lastMem = in.mem
}

// begin starts execution x on instance i at start: now, or, for an
// instance of one slot billed per execution, the end of its start, so that
// its completion is scheduled at once (the instance's ready event, if any,
// then finds nothing to start; power and busy time while it starts are
// those of one busy execution, as of a start).
func (e *Engine) begin(i int32, x int32, start Time) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	ex := e.exec(in, x)
	ex.started = true
	ex.start = start
	work := float64(e.workOf(p, ex))
	// Begun ahead of its start (an instance that nobody else can join):
	// the clock runs from now, so the wait is added to its work.
	ex.vEnd = in.vclock + work + float64(start.Sub(e.now))
	if in.running == 0 && p.rules.PerInstance {
		// A busy period (billed per instance) starts: the start of the
		// instance itself is not billed.
		e.bills[i] = busyBill{start: e.now, from: e.now, at: e.now, open: true}
	}
	in.running++
	if e.measured(ex.r.arrival) {
		e.m.StartDelaySeconds += start.Sub(ex.r.arrival).Seconds()
	}
}

// workOf returns the work of execution ex of pool p: its reference
// duration scaled to the placement, µs at single occupancy.
func (e *Engine) workOf(p *pool, ex *execution) Duration {
	if ex.cold && e.cfg.ColdStart == ColdStartReplaces {
		return 0 // the cold start was the whole service time
	}
	return DurationOf(float64(ex.r.ref)*p.execScale + 0.5)
}

// rateAt is the progress rate of every execution of an instance of pool p
// running n executions, relative to one running alone. Alone, an execution
// takes a = (1-f) + f/min(1, vCPU) per unit of reference work (its
// CPU-bound share f runs on at most one vCPU) and so keeps f/a vCPU busy
// on average; the rest of its time it waits (I/O) and needs no CPU. n
// executions progressing at rate r demand n·r·f/a vCPU, which cannot exceed
// the instance's vCPU: a fluid model of processor sharing in which
// executions slow only once their CPU-bound parts together exceed the CPU,
//
//	rate(n) = min(1, vCPU·a / (n·f))
func rateAt(p *pool, n int32) float64 {
	f := p.cpuBound
	if n <= p.fastSlots {
		return 1
	}
	a := (1 - f) + f/math.Min(1, p.vcpu)
	return math.Min(1, p.vcpu*a/(float64(n)*f))
}

// touch brings instance i up to now before a change: its energy, its
// virtual clock and its busy-period memory integral.
func (e *Engine) touch(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	if in.running > 0 {
		in.vclock += float64(e.now.Sub(in.since)) * rateAt(p, in.running)
	}
	e.accrue(p, in, e.now)
	if in.running > 0 && p.rules.PerInstance {
		b := &e.bills[i]
		b.mbus += p.rules.BilledMemoryMB(p.memMB, float64(in.mem)) * float64(e.now.Sub(b.at))
		b.at = e.now
	}
}

// reschedule sets instance i's rate for its running executions and
// schedules its next completion or timeout.
func (e *Engine) reschedule(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	if in.running == 0 {
		in.egen++
		in.evAt = noTimer
		return
	}
	next := maxTime
	for x := in.head; x != noExec; x = e.exec(in, x).next {
		ex := e.exec(in, x)
		if !ex.started {
			continue
		}
		next = min(next, e.endOf(p, in, ex))
	}
	if next == in.evAt {
		return // the pending event still stands
	}
	in.egen++
	in.evAt = next
	e.q.push(next, evComplete, i, in.egen)
	if n := e.q.len(); n > e.m.PeakEventQueue {
		e.m.PeakEventQueue = n
	}
}

// deadline returns when running execution ex of pool p times out: its
// start plus the provider's timeout, or never.
func deadline(p *pool, ex *execution) Time {
	if p.timeout <= 0 {
		return maxTime
	}
	return ex.start.Add(p.timeout)
}

// endOf returns when running execution ex of in (of pool p) ends at the
// current rate: its completion, or its timeout if sooner.
func (e *Engine) endOf(p *pool, in *instance, ex *execution) Time {
	left := ex.vEnd - in.vclock
	end := in.since
	if left > 0 {
		if r := rateAt(p, in.running); r == 1 {
			end = in.since.addSat(DurationOf(math.Ceil(left)))
		} else {
			end = in.since.addSat(DurationOf(math.Ceil(left / r)))
		}
	}
	return min(end, deadline(p, ex))
}

// ready starts the executions that waited for instance i's start, or makes
// a pre-warm that nobody joined idle.
func (e *Engine) ready(ev event) {
	in := &e.inst[ev.ref]
	if in.gen != ev.gen || in.state == stFree {
		return
	}
	p := &e.pools[in.pool]
	e.touch(ev.ref)
	if in.state == stWarming {
		for k, w := range p.warming {
			if w == ev.ref {
				p.warming = append(p.warming[:k], p.warming[k+1:]...)
				break
			}
		}
		in.state = stIdle
		// Requests queued in its pool (a pre-warm counts against the
		// concurrency limit while it starts) take it now.
		if e.serveQueue(ev.ref) == 0 {
			e.goIdle(ev.ref)
		}
		return
	}
	for x := in.head; x != noExec; x = e.exec(in, x).next {
		if !e.exec(in, x).started {
			e.begin(ev.ref, x, e.now)
		}
	}
	e.reschedule(ev.ref)
}

// complete handles instance i's completion event: every execution that has
// done its work completes, every one past its deadline times out.
func (e *Engine) complete(ev event) {
	i := ev.ref
	in := &e.inst[i]
	if in.egen != ev.gen || in.state != stBusy {
		return
	}
	p := &e.pools[in.pool]
	if p.single {
		e.completeSingle(i, in, p)
		return
	}
	in.evAt = noTimer
	e.touch(i)
	prev := noExec
	for x := in.head; x != noExec; {
		ex := e.exec(in, x)
		next := ex.next
		if ex.started && (ex.vEnd <= in.vclock+clockEps || deadline(p, ex) <= e.now) {
			if prev == noExec {
				in.head = next
			} else {
				e.exec(in, prev).next = next
			}
			e.endExecution(i, x, ex.vEnd > in.vclock+clockEps)
			in, p = &e.inst[i], &e.pools[in.pool]
		} else {
			prev = x
		}
		x = next
	}
	e.afterFinish(i)
}

// clockEps is the tolerance of the virtual clock's float rounding, µs of
// work: an execution whose end is within it of the clock has done its work.
const clockEps = 1e-3

// endExecution ends execution x of instance i (already unlinked), timed out or
// completed, and charges it.
func (e *Engine) endExecution(i int32, x int32, timedOut bool) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	ex := *e.exec(in, x)
	if x == ownExec {
		in.ownBusy = false
	} else {
		e.freeExec = append(e.freeExec, x)
	}
	in.k--
	in.running--
	in.served++
	fs := &e.fns[ex.r.fn]
	fs.running--
	fs.lastFinish = e.now
	if !p.rules.PerInstance {
		e.chargeExecution(p, in, ex.r, e.now.Sub(ex.start))
	}
	e.chargeRequest(p, ex.r)
	if timedOut {
		e.fail(p, ex.r, FailTimeout)
		return
	}
	if !e.measured(ex.r.arrival) {
		return
	}
	lat := p.rtt + p.overhead + e.now.Sub(ex.r.arrival)
	e.m.Completed++
	e.m.Latency.Record(int64(lat))
	viol := lat > e.cfg.SLO.Limit(ex.r.ref)
	if viol {
		e.m.SLAViolations++
	}
	e.postCompletion(p, lat, ex.cold, viol)
}

// afterFinish settles instance i after executions left it: recompute the
// memory it holds, give free slots to queued requests of its pool, go idle
// or stop if nothing is left.
func (e *Engine) afterFinish(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	in.mem = 0
	for x := in.head; x != noExec && in.k > 0; x = e.exec(in, x).next {
		if e.cfg.MemorySharing == MemorySum {
			in.mem += e.exec(in, x).r.mem
		} else {
			in.mem = max(in.mem, e.exec(in, x).r.mem)
		}
	}
	if in.k > 0 {
		in.lastMem = in.mem
	}
	if in.running == 0 && p.rules.PerInstance && e.bills[i].open {
		// The busy period ends here even if a queued request takes the
		// instance at once: that one starts a period of its own.
		e.settleBusy(p, in, i, true)
	}
	if !in.release {
		e.serveQueue(i)
		in = &e.inst[i]
	}
	if in.k > 0 {
		e.reschedule(i)
		e.updatePartial(i)
		return
	}
	e.endBusy(i)
	in = &e.inst[i]
	e.updatePartial(i)
	if in.release {
		e.terminate(i)
		return
	}
	in.state = stIdle
	if !in.prov {
		e.groups[p.group].inflight--
	}
	e.goIdle(i)
	if !in.prov {
		e.drainGroup(p.group)
	}
}

// serveQueue gives instance i the oldest requests queued in its pool while
// it has a free slot where they fit, and returns how many executions it
// then holds.
func (e *Engine) serveQueue(i int32) int32 {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	for in.k < p.slots && p.queue.len() > 0 && e.fits(i, *p.queue.front()) {
		e.join(i, e.popQueue(p))
		in = &e.inst[i]
	}
	return in.k
}

// endBusy closes the busy period of instance i, which holds no execution
// any more, and bills it if its provider bills per instance.
func (e *Engine) endBusy(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	in.egen++
	in.evAt = noTimer
	p.setBusy(e.now, -1)
	if p.rules.PerInstance && e.bills[i].open {
		e.settleBusy(p, in, i, true)
	}
}

// goIdle files idle instance i (its start done, no execution) and arms its
// keep-alive.
func (e *Engine) goIdle(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	if in.idleAt == noTimer {
		in.idleAt = e.now
	}
	in.idleNow = e.now
	if in.prov {
		p.idleProv.push(i)
		return
	}
	at := e.expiryOf(p, in)
	if p.keepAlive == 0 || at <= e.now {
		e.terminate(i)
		return
	}
	p.idle.push(i)
	e.armExpiry(i, at)
}

// expiryOf returns when idle instance in expires under the pool's
// keep-alive and the keep-alive mode.
func (e *Engine) expiryOf(p *pool, in *instance) Time {
	if e.cfg.KeepAlive == KeepAliveSinceFirstIdle {
		return in.idleAt.Add(p.keepAlive)
	}
	return in.idleNow.Add(p.keepAlive)
}

// updatePartial keeps instance i, while it holds executions and has room
// for more, in its pool's partial list (room at full speed, or any room
// under PackSlots) or crowded list (room only by slowing).
func (e *Engine) updatePartial(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	if p.slots == 1 {
		return // never room for a second execution
	}
	room := in.state == stBusy && in.k > 0 && in.k < p.slots && !in.release
	fast := e.cfg.Packing == PackSlots || in.k < p.fastSlots
	wantPartial, wantCrowded := room && fast, room && !fast
	if in.partial >= 0 && (in.crowded != wantCrowded || (!wantPartial && !wantCrowded)) {
		list := &p.partial
		if in.crowded {
			list = &p.crowded
		}
		last := (*list)[len(*list)-1]
		(*list)[in.partial] = last
		e.inst[last].partial = in.partial
		*list = (*list)[:len(*list)-1]
		in.partial = -1
	}
	if in.partial < 0 && (wantPartial || wantCrowded) {
		list := &p.partial
		if wantCrowded {
			list = &p.crowded
		}
		in.partial, in.crowded = int32(len(*list)), wantCrowded
		*list = append(*list, i)
	}
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
	e.q.pushLane(e.pools[in.pool].expiryLane, at, evExpire, i, in.gen)
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
	if at := e.expiryOf(p, in); at > e.now {
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

// terminate stops instance i, which must be idle, warming or just emptied.
func (e *Engine) terminate(i int32) {
	in := &e.inst[i]
	pi := in.pool
	p := &e.pools[pi]
	e.accrue(p, in, e.now)
	e.m.InstanceSeconds += e.now.Sub(max(in.created, e.warm)).Seconds()
	prov := in.prov
	if prov {
		e.releaseProvisioned(p, in)
	}
	p.nInst--
	in.state = stFree
	in.gen++
	in.egen++
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

// setKeepAlive changes a pool's keep-alive; idle instances past the new one
// stop now, the others get a timer for their new expiry.
func (e *Engine) setKeepAlive(pi int32, ka Duration) {
	p := &e.pools[pi]
	p.keepAlive = ka
	p.expiryLane = e.expiryLane(ka)
	for k := 0; k < p.idle.len(); {
		i := *p.idle.at(k)
		at := e.expiryOf(p, &e.inst[i])
		if ka == 0 || at <= e.now {
			p.idle.removeAt(k)
			e.terminate(i)
			p = &e.pools[pi]
			continue
		}
		e.armExpiry(i, at)
		k++
	}
}

// closeAtHorizon accounts an instance still alive when the run ends: its
// energy and instance time up to the end, its executions as in flight,
// billed for the time they ran.
func (e *Engine) closeAtHorizon(i int32) {
	in := &e.inst[i]
	p := &e.pools[in.pool]
	e.touch(i)
	for x := in.head; x != noExec; x = e.exec(in, x).next {
		ex := e.exec(in, x)
		if !e.measured(ex.r.arrival) {
			continue
		}
		e.m.InFlight++
		if ex.started && ex.start < e.now && !p.rules.PerInstance {
			e.chargeExecution(p, in, ex.r, e.now.Sub(ex.start))
		}
	}
	if in.running > 0 && p.rules.PerInstance {
		e.settleBusy(p, in, i, false)
	}
	e.m.InstanceSeconds += e.now.Sub(max(in.created, e.warm)).Seconds()
	if in.prov {
		e.countPrewarmUse(in)
	}
}
