package sim

import (
	"math"
	"slices"
)

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

	tokenEvent bool // an evTokens is pending for this group's queue, at tokenAt
	tokenAt    Time

	seq     uint64
	waiting fifo[waiter] // queued requests of every pool of the group, oldest first
}

// bucket is the scale-up token bucket of one scale-up scope.
type bucket struct {
	rate       float64 // tokens per microsecond; 0: unlimited
	burst      float64
	tokens     float64
	refilledAt Time
	waiting    int // requests of the scope queued
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

// drainGroup serves the group's queued requests in arrival order while
// capacity allows: it stops at the first that the concurrency limit holds
// back, and passes over those whose scale-up scope has no token (with every
// later request of the same scope, to keep their order), then schedules a
// wake-up for the earliest token they wait for.
func (e *Engine) drainGroup(gi int32) {
	g := &e.groups[gi]
	if g.waiting.len() == 0 {
		return
	}
	e.blocked = e.blocked[:0]
	wake := maxTime
	for k := 0; k < g.waiting.len(); {
		w := *g.waiting.at(k)
		p := &e.pools[w.pool]
		if p.gen != w.gen || p.queue.len() == 0 || *p.qseq.front() > w.seq {
			// Served by an instance of its own pool, or dropped at its deadline.
			g.waiting.removeAt(k)
			continue
		}
		if *p.qseq.front() != w.seq || slices.Contains(e.blocked, p.bucket) {
			k++ // behind an earlier request of its pool, or of its blocked scope
			continue
		}
		if e.dispatch(w.pool, *p.queue.front(), true) {
			e.popQueue(&e.pools[w.pool])
			g = &e.groups[gi]
			g.waiting.removeAt(k)
			continue
		}
		g = &e.groups[gi]
		if e.refused == refusedConcurrency {
			break
		}
		e.blocked = append(e.blocked, p.bucket)
		wake = min(wake, e.nextToken(&e.buckets[p.bucket]))
		k++
	}
	if wake != maxTime {
		e.wakeAt(gi, wake)
	}
}

// wakeAt makes sure group gi's queue is drained again no later than at.
func (e *Engine) wakeAt(gi int32, at Time) {
	g := &e.groups[gi]
	if g.tokenEvent && g.tokenAt <= at {
		return
	}
	g.tokenEvent, g.tokenAt = true, at
	e.q.push(at, evTokens, gi, 0)
}

// nextToken returns when bucket b, empty now, holds a token again.
func (e *Engine) nextToken(b *bucket) Time {
	e.refill(b)
	wait := DurationOf(math.Ceil((1 - b.tokens) / b.rate))
	return e.now.addSat(max(wait, 1))
}
