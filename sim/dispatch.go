package sim

// Dispatch: an arrival is routed to its function's current pool and joins
// an idle or partly busy instance, starts one, queues at a limit or fails.

// request is an invocation waiting for or held by an instance.
type request struct {
	arrival Time
	ref     Duration
	mem     float32
	fn      FunctionID
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
