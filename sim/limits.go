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

// limitGroup holds the concurrency state of one concurrency scope and the
// requests queued at its limit.
type limitGroup struct {
	limit    int // 0: unlimited
	inflight int // on-demand instances starting or executing
	reserved int // pre-warmed instances held

	tokenEvent bool // an evTokens is pending for this group's queue

	seq     uint64
	waiting fifo[waiter] // queued requests of every pool of the group, oldest first
}

// bucket is the scale-up token bucket of one scale-up scope.
type bucket struct {
	rate       float64 // tokens per microsecond; 0: unlimited
	burst      float64
	tokens     float64
	refilledAt Time
}

// scopeKey returns the key of function f's scope at pl.
func (e *Engine) scopeKey(f FunctionID, pl Placement, scope LimitScope) groupKey {
	k := groupKey{provider: pl.Provider, region: pl.Region, scope: scope, id: -1}
	switch scope {
	case ScopeApp:
		k.id = e.fns[f].app
	case ScopeFunction:
		k.id = int32(f)
	}
	return k
}

// limitGroup returns (creating if needed) the concurrency group of function
// f at pl.
func (e *Engine) limitGroup(f FunctionID, pl Placement) int32 {
	lim := &e.cat.Providers[pl.Provider].Limits
	k := e.scopeKey(f, pl, lim.ConcurrencyScope)
	if g, ok := e.groupIdx[k]; ok {
		return g
	}
	e.groups = append(e.groups, limitGroup{limit: lim.Concurrency})
	g := int32(len(e.groups) - 1)
	e.groupIdx[k] = g
	return g
}

// tokenBucket returns (creating if needed) the scale-up bucket of function
// f at pl.
func (e *Engine) tokenBucket(f FunctionID, pl Placement) int32 {
	lim := &e.cat.Providers[pl.Provider].Limits
	k := e.scopeKey(f, pl, lim.ScaleUpScope)
	if b, ok := e.bucketIdx[k]; ok {
		return b
	}
	e.buckets = append(e.buckets, bucket{
		rate:       lim.ScaleUpPerSecond / float64(Second),
		burst:      float64(lim.ScaleUpBurst),
		tokens:     float64(lim.ScaleUpBurst),
		refilledAt: e.now,
	})
	b := int32(len(e.buckets) - 1)
	e.bucketIdx[k] = b
	return b
}

// refill brings bucket b up to now.
func (e *Engine) refill(b *bucket) {
	b.tokens = math.Min(b.burst, b.tokens+b.rate*float64(e.now.Sub(b.refilledAt)))
	b.refilledAt = e.now
}

// takeToken consumes a scale-up token of bucket bi if one is available.
func (e *Engine) takeToken(bi int32) bool {
	b := &e.buckets[bi]
	if b.rate == 0 {
		return true
	}
	e.refill(b)
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// scheduleTokens arranges a wake-up of group gi for when the bucket of its
// oldest waiting request holds a token again, if that is what it lacks (a
// wait for concurrency ends when an instance finishes, which drains the
// group). The queue is served in order, so only its head matters.
func (e *Engine) scheduleTokens(gi int32) {
	g := &e.groups[gi]
	if g.tokenEvent {
		return
	}
	for g.waiting.len() > 0 {
		w := *g.waiting.front()
		p := &e.pools[w.pool]
		if p.gen != w.gen || p.queue.len() == 0 || p.queue.front().seq != w.seq {
			g.waiting.popFront()
			continue
		}
		b := &e.buckets[p.bucket]
		if b.rate == 0 {
			return
		}
		e.refill(b)
		if b.tokens >= 1 {
			return
		}
		wait := Duration(math.Ceil((1 - b.tokens) / b.rate))
		if wait < 1 {
			wait = 1
		}
		g.tokenEvent = true
		e.q.push(e.now.Add(wait), evTokens, gi, 0)
		return
	}
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
