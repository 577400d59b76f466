package sim

import "github.com/skyfaas/skyfaas/sim/billing"

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

// setTarget holds n pre-warmed instances in pool pi: it starts the missing
// ones (within the concurrency limit and the scale-up rate, like any other
// instance) and releases the extra ones, idle or starting first, busy ones
// when they finish.
func (e *Engine) setTarget(pi int32, n int) {
	p := &e.pools[pi]
	delay := e.cat.Providers[p.pl.Provider].ProvisioningDelay
	for p.nProv < n {
		g := &e.groups[p.group]
		if (g.limit > 0 && g.inflight+g.reserved >= g.limit) || !e.takeToken(p.bucket) {
			if e.measuring() {
				e.m.PrewarmsDenied += int64(n - p.nProv)
			}
			break
		}
		i := e.newInstance(pi, true, true)
		p = &e.pools[pi]
		p.warming = append(p.warming, i)
		p.nProv++
		g.reserved++
		if e.measuring() {
			e.m.PrewarmsStarted++
		}
		if p.queue.len() > 0 && delay == 0 {
			p.warming = p.warming[:len(p.warming)-1]
			e.join(i, e.popQueue(p))
			p = &e.pools[pi]
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
			// Every held pre-warm is busy: release one when it finishes.
			found := false
			for k := range e.inst {
				in := &e.inst[k]
				if in.state == stBusy && in.pool == pi && in.prov && !in.release {
					in.release = true
					e.updatePartial(int32(k))
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
	e.setProvLevel(p)
}

// setProvLevel brings pool p's provisioned level (the pre-warms it holds) up
// to date for billing.
func (e *Engine) setProvLevel(p *pool) {
	if p.nProv == p.provLevel {
		return
	}
	e.settleProvisioned(p, e.now, false)
	p.provLevel = p.nProv
	if g := p.rules.ProvisionedGranularityUS; g > 1 && p.provLevel > 0 {
		if p.provBucketEnd == 0 {
			p.provBucketEnd, p.provBucketMax = e.now.Add(Duration(g)), p.provLevel
		} else {
			p.provBucketMax = max(p.provBucketMax, p.provLevel)
		}
	}
}

// settleProvisioned bills pool p's provisioned capacity up to now. Without
// a granularity, the level held is billed for exactly the time it was held.
// With one (AWS: provisioned concurrency is billed from enabling to
// disabling, rounded up to 5 minutes), time runs in periods of that length
// from the moment capacity was first configured, and each period is billed
// at the highest level configured during it; final bills the period under
// way in full (the pool closes or the run ends).
func (e *Engine) settleProvisioned(p *pool, now Time, final bool) {
	g := Duration(p.rules.ProvisionedGranularityUS)
	if g <= 1 {
		if p.provLevel > 0 {
			e.chargeProvisioned(p, int64(p.provLevel)*int64(now.Sub(p.provFrom)))
		}
		p.provFrom = now
		return
	}
	for p.provBucketEnd > 0 && p.provBucketEnd <= now {
		e.chargeProvisioned(p, int64(p.provBucketMax)*int64(g))
		if p.provLevel == 0 {
			p.provBucketEnd, p.provBucketMax = 0, 0
			break
		}
		p.provBucketEnd, p.provBucketMax = p.provBucketEnd.Add(g), p.provLevel
	}
	if final && p.provBucketEnd > 0 {
		e.chargeProvisioned(p, int64(p.provBucketMax)*int64(g))
		p.provBucketEnd, p.provBucketMax = 0, 0
	}
}

// chargeProvisioned bills instanceUS instance-microseconds of pool p's
// provisioned capacity, at its memory size, or where the provider bills
// observed memory, at the function's footprint.
func (e *Engine) chargeProvisioned(p *pool, instanceUS int64) {
	mem := p.memMB
	if p.rules.Memory == billing.Observed {
		mem = p.rules.BilledMemoryMB(p.memMB, p.footMB)
	}
	usd, _ := p.rules.Provisioned(instanceUS, mem, p.vcpu, p.factor)
	e.postProvisioned(p, usd)
}

// releaseProvisioned returns a pre-warmed instance's reserved capacity and
// counts whether it was used.
func (e *Engine) releaseProvisioned(p *pool, in *instance) {
	e.countPrewarmUse(in)
	e.groups[p.group].reserved--
	if !in.release {
		p.nProv--
		e.setProvLevel(p)
	}
}

// countPrewarmUse counts a pre-warmed instance as used if it served (or is
// serving) an invocation.
func (e *Engine) countPrewarmUse(in *instance) {
	if e.measuring() && (in.served > 0 || in.k > 0) {
		e.m.PrewarmsUsed++
	}
}
