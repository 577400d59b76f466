package sim

import "math"

// groupKey identifies the scope a provider's limits apply to.
type groupKey struct {
	provider ProviderID
	region   uint8
	scope    LimitScope
	id       int32 // app or function for narrower scopes, else -1
}

// waiter is a queued request's place in its limit group's queue.
type waiter struct {
	pool int32
	gen  uint32
	seq  uint64
}

// limitGroup holds the concurrency and scale-up state of one limit scope.
type limitGroup struct {
	limit    int // 0: unlimited
	inflight int // on-demand instances starting for or executing a request
	reserved int // pre-warmed instances held

	rate       float64 // tokens per microsecond; 0: unlimited
	burst      float64
	tokens     float64
	refilledAt Time
	tokenEvent bool // an evTokens is pending

	seq     uint64
	waiting fifo[waiter] // queued requests of every pool of the group, oldest first
}

// limitGroup returns (creating if needed) the limit group of function f at pl.
func (e *Engine) limitGroup(f FunctionID, pl Placement) int32 {
	lim := &e.cat.Providers[pl.Provider].Limits
	k := groupKey{provider: pl.Provider, region: pl.Region, scope: lim.Scope, id: -1}
	switch lim.Scope {
	case ScopeApp:
		k.id = e.fns[f].app
	case ScopeFunction:
		k.id = int32(f)
	}
	if g, ok := e.groupIdx[k]; ok {
		return g
	}
	e.groups = append(e.groups, limitGroup{
		limit:      lim.Concurrency,
		rate:       lim.ScaleUpPerSecond / float64(Second),
		burst:      float64(lim.ScaleUpBurst),
		tokens:     float64(lim.ScaleUpBurst),
		refilledAt: e.now,
	})
	g := int32(len(e.groups) - 1)
	e.groupIdx[k] = g
	return g
}

// takeToken consumes a scale-up token of group gi if one is available.
func (e *Engine) takeToken(gi int32) bool {
	g := &e.groups[gi]
	if g.rate == 0 {
		return true
	}
	g.tokens = math.Min(g.burst, g.tokens+g.rate*float64(e.now.Sub(g.refilledAt)))
	g.refilledAt = e.now
	if g.tokens >= 1 {
		g.tokens--
		return true
	}
	return false
}

// scheduleTokens arranges a wake-up for when group gi's bucket holds a token
// again, if requests wait and tokens are what they lack (a wait for
// concurrency ends when an instance finishes, which drains the group).
func (e *Engine) scheduleTokens(gi int32) {
	g := &e.groups[gi]
	if g.rate == 0 || g.tokenEvent || g.waiting.len() == 0 {
		return
	}
	g.tokens = math.Min(g.burst, g.tokens+g.rate*float64(e.now.Sub(g.refilledAt)))
	g.refilledAt = e.now
	if g.tokens >= 1 {
		return
	}
	wait := Duration(math.Ceil((1 - g.tokens) / g.rate))
	if wait < 1 {
		wait = 1
	}
	g.tokenEvent = true
	e.q.push(e.now.Add(wait), evTokens, gi, 0)
}

// drainGroup serves the group's queued requests, oldest first, while
// capacity allows.
func (e *Engine) drainGroup(gi int32) {
	g := &e.groups[gi]
	for g.waiting.len() > 0 {
		w := *g.waiting.front()
		p := &e.pools[w.pool]
		if p.gen != w.gen || p.queue.len() == 0 || p.queue.front().seq != w.seq {
			// Served by an instance of its own pool, or dropped at its deadline.
			g.waiting.popFront()
			continue
		}
		if !e.dispatch(w.pool, *p.queue.front(), true) {
			break
		}
		e.pools[w.pool].queue.popFront()
		g = &e.groups[gi]
		g.waiting.popFront()
	}
	e.scheduleTokens(gi)
}

// dropExpired fails the queued requests of pool pi that waited the maximum.
func (e *Engine) dropExpired(pi int32) {
	p := &e.pools[pi]
	for p.queue.len() > 0 && p.queue.front().arrival.Add(e.cfg.MaxQueueWait) <= e.now {
		r := p.queue.popFront()
		e.fail(&e.fns[r.fn], FailThrottled)
	}
	if !p.current {
		e.maybeFreePool(pi)
	}
}
