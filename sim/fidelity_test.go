package sim_test

import (
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// fn builds an invocation of function f arriving at t (seconds), running d
// seconds with footprint mb.
func fn(f sim.FunctionID, t, d float64, mb float32) sim.Invocation {
	inv := at(t, d)
	inv.Function, inv.MemoryMB = f, mb
	return inv
}

// sharedCatalog is testCatalog with c executions per instance on vcpu vCPUs.
func sharedCatalog(c int, vcpu float64) *sim.Catalog {
	cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{})
	cat.Providers[0].InstanceConcurrency = c
	cat.Providers[0].Memory[0].VCPU = vcpu
	return cat
}

// minMax returns the smallest and largest latency of a run: tests that
// check latencies use at most two distinct values. The largest is exact,
// the smallest read from the latency histogram (within its resolution).
func minMax(m *sim.Metrics) (lo, hi sim.Duration) {
	return sim.Duration(m.Latency.Quantile(0)), sim.Duration(m.Latency.Max)
}

// near compares durations within 2 µs or the histogram's 0.2 % resolution.
func near(a, b sim.Duration) bool {
	d := a - b
	tol := max(2, b/500)
	return d >= -tol && d <= tol
}

// TestProcessorSharingTwoSlots: 1 s executions share one vCPU. Alone, an
// execution takes a = (1-f) + f/1 = 1 per unit of work and keeps f vCPU
// busy; n of them progress at rate(n) = min(1, 1·1/(n·f)). Work entirely
// CPU-bound (f = 1): rate(2) = 0.5, so two started together at 0.5 s
// (after the 0.5 s cold start) end at 0.5 + 1/0.5 = 2.5 s. Half CPU-bound
// (f = 0.5): two fit the vCPU, rate(2) = 1, they end at 1.5 s; four do
// not, rate(4) = 1/(4·0.5) = 0.5, they end at 2.5 s.
func TestProcessorSharingTwoSlots(t *testing.T) {
	for _, c := range []struct {
		f    float64
		n    int
		want float64
	}{{1, 2, 2.5}, {0.5, 2, 1.5}, {0.5, 4, 2.5}, {0, 4, 1.5}} {
		var invs []sim.Invocation
		for range c.n {
			invs = append(invs, at(0, 1))
		}
		src := newList(sim.Time(100*sim.Second), 1, invs...)
		cfg := baseConfig(sharedCatalog(c.n, 1), src, keepAlive{d: sim.ProviderKeepAlive})
		cfg.CPUBoundFraction = c.f
		cfg.Packing = sim.PackSlots // all on one instance
		m := run(t, cfg)
		if m.InstancesStarted != 1 || m.ColdStarts != int64(c.n) || m.ExecutionsPeakPerInstance != c.n {
			t.Fatalf("%+v: %d instances, %d cold, peak %d per instance; want 1 instance holding all (all cold)",
				c, m.InstancesStarted, m.ColdStarts, m.ExecutionsPeakPerInstance)
		}
		lo, hi := minMax(m)
		if want := sim.FromSeconds(c.want); !near(lo, want) || !near(hi, want) {
			t.Errorf("f=%v: latencies %v..%v, want both %v", c.f, lo, hi, want)
		}
	}
}

// TestProcessorSharingStaggered: A (2 s of work) starts alone at 0.5 s and
// runs at rate 1 until B (2 s) joins at 1.5 s: A has done 1 s. Both then
// run at rate 1/2 (f = 1, one vCPU): A's last second takes 2 s, ending at
// 3.5 s (latency 3.5 s); by then B has done 1 s and finishes its last
// second alone at rate 1, at 4.5 s (latency 3.0 s).
func TestProcessorSharingStaggered(t *testing.T) {
	src := newList(sim.Time(100*sim.Second), 1, at(0, 2), at(1.5, 2))
	cfg := baseConfig(sharedCatalog(2, 1), src, keepAlive{d: sim.ProviderKeepAlive})
	cfg.CPUBoundFraction = 1
	cfg.Packing = sim.PackSlots
	m := run(t, cfg)
	lo, hi := minMax(m)
	if !near(lo, 3*sim.Second) || !near(hi, sim.FromSeconds(3.5)) {
		t.Errorf("latencies %v..%v, want 3s (B) and 3.5s (A)", lo, hi)
	}
	if m.ColdStarts != 1 || m.WarmStarts != 1 {
		t.Errorf("cold %d warm %d, want A cold and B warm on the same instance", m.ColdStarts, m.WarmStarts)
	}
}

// TestProcessorSharingFourSlots: four slots on two vCPUs (f = 1, a = 1).
// Two executions each get a whole vCPU, rate(2) = min(1, 2/2) = 1, and end
// at 0.5+1 = 1.5 s; four share two vCPUs, rate(4) = 2/4, and end at 2.5 s;
// three, rate(3) = 2/3, end at 0.5+1.5 = 2.0 s.
func TestProcessorSharingFourSlots(t *testing.T) {
	for n, want := range map[int]float64{1: 1.5, 2: 1.5, 3: 2.0, 4: 2.5} {
		var invs []sim.Invocation
		for range n {
			invs = append(invs, at(0, 1))
		}
		cfg := baseConfig(sharedCatalog(4, 2), newList(sim.Time(100*sim.Second), 1, invs...), keepAlive{d: sim.ProviderKeepAlive})
		cfg.CPUBoundFraction = 1
		cfg.Packing = sim.PackSlots
		m := run(t, cfg)
		lo, hi := minMax(m)
		if m.InstancesStarted != 1 || !near(lo, sim.FromSeconds(want)) || !near(hi, sim.FromSeconds(want)) {
			t.Errorf("%d executions: %d instances, latencies %v..%v; want 1 instance, all %vs", n, m.InstancesStarted, lo, hi, want)
		}
	}
	// A fifth execution does not fit: it starts a second instance.
	var invs []sim.Invocation
	for range 5 {
		invs = append(invs, at(0, 1))
	}
	cfg := baseConfig(sharedCatalog(4, 2), newList(sim.Time(100*sim.Second), 1, invs...), keepAlive{d: sim.ProviderKeepAlive})
	cfg.Packing = sim.PackSlots
	if m := run(t, cfg); m.InstancesStarted != 2 {
		t.Errorf("5 executions at concurrency 4: %d instances, want 2", m.InstancesStarted)
	}
	// Packing by CPU (f = 1): an instance takes a second execution only
	// while it would not slow, so 5 executions start 3 instances (2+2+1)
	// and all end at 1.5 s; under a limit of one instance they share it,
	// slowed (4 at rate 1/2, the fifth queued until a slot frees).
	cfg = baseConfig(sharedCatalog(4, 2), newList(sim.Time(100*sim.Second), 1, invs...), keepAlive{d: sim.ProviderKeepAlive})
	cfg.CPUBoundFraction = 1
	m := run(t, cfg)
	if lo, hi := minMax(m); m.InstancesStarted != 3 || !near(lo, sim.FromSeconds(1.5)) || !near(hi, sim.FromSeconds(1.5)) {
		t.Errorf("packing by CPU: %d instances, latencies %v..%v; want 3 instances, all 1.5s", m.InstancesStarted, lo, hi)
	}
	cat := sharedCatalog(4, 2)
	cat.Providers[0].Limits = sim.Limits{Concurrency: 1}
	cfg = baseConfig(cat, newList(sim.Time(100*sim.Second), 1, invs...), keepAlive{d: sim.ProviderKeepAlive})
	cfg.CPUBoundFraction = 1
	m = run(t, cfg)
	if m.InstancesStarted != 1 || m.ExecutionsPeakPerInstance != 4 || m.Completed != 5 || m.Queued != 1 {
		t.Errorf("packing by CPU at a limit of one instance: %d instances, peak %d, completed %d, queued %d; want 1, 4, 5, 1",
			m.InstancesStarted, m.ExecutionsPeakPerInstance, m.Completed, m.Queued)
	}
}

// TestAzureProcessMemoryBill: Azure bills the host process's sampled memory
// over the time it executes, not each execution. A (1 s, 200 MB) runs
// 0.5-1.5 s; B (0.5 s, 300 MB) joins at 0.8 s and ends at 1.3 s (no CPU
// slowdown: f = 0). The process holds the larger footprint, rounded up to
// 128 MB: 256 MB on 0.5-0.8 and 1.3-1.5 s, 384 MB on 0.8-1.3 s:
//
//	256×0.3 + 384×0.5 + 256×0.2 = 320 MB-s = 0.3125 GB-s → × $1.6e-5 = $5e-6
//
// where billing each execution apart would give 256×1 + 384×0.5 = 448 MB-s.
// With footprints summed (memory_sharing = sum), 0.8-1.3 s holds 500 MB,
// billed 512: 256×0.5 + 512×0.5 = 384 MB-s.
func TestAzureProcessMemoryBill(t *testing.T) {
	for _, c := range []struct {
		sharing     sim.MemorySharing
		perInstance bool
		mbs         float64
	}{{sim.MemoryProcess, true, 320}, {sim.MemorySum, true, 384}, {sim.MemoryProcess, false, 448}} {
		cat := sharedCatalog(2, 1)
		cat.Providers[0].Billing = billing.Rules{RequestUSD: 2e-7, GranularityUS: 1000, MinimumUS: 100000,
			Memory: billing.Observed, MemoryStepMB: 128, MinMemoryMB: 128, GBSecondUSD: 1.6e-5, PerInstance: c.perInstance}
		src := newList(sim.Time(100*sim.Second), 1, fn(0, 0, 1, 200), fn(0, 0.8, 0.5, 300))
		cfg := baseConfig(cat, src, keepAlive{d: sim.ProviderKeepAlive})
		cfg.CPUBoundFraction = 0
		cfg.MemorySharing = c.sharing
		m := run(t, cfg)
		if m.Completed != 2 || m.InstancesStarted != 1 {
			t.Fatalf("%+v: completed %d on %d instances, want 2 on 1", c, m.Completed, m.InstancesStarted)
		}
		if want := c.mbs / 1024 * 1.6e-5; math.Abs(m.Cost.Compute-want) > 1e-15 {
			t.Errorf("%+v: compute $%.6g, want $%.6g (%v MB-s)", c, m.Cost.Compute, want, c.mbs)
		}
		if want := 2 * 2e-7; math.Abs(m.Cost.Requests-want) > 1e-18 {
			t.Errorf("%+v: request fees $%v, want $%v", c, m.Cost.Requests, want)
		}
	}
}

// TestScaleUpPerFunction: AWS's scale-up rate (1,000 environments per 10 s)
// is per function, its concurrency limit per account-region. Two functions
// in one region, two 1 s invocations each at 0; one token a second, burst
// 1. Per function: each function's first starts at once (its own token),
// its second at 1 s when its bucket refills (cold, ready 1.5 s, done
// 2.5 s): the slowest latency is 2.5 s. One bucket for the region: tokens
// come at 0, 1, 2, 3 s, the last invocation ends at 3 + 0.5 + 1 = 4.5 s.
func TestScaleUpPerFunction(t *testing.T) {
	for _, c := range []struct {
		scope sim.LimitScope
		max   float64
	}{{sim.ScopeFunction, 2.5}, {sim.ScopeRegion, 4.5}} {
		lim := sim.Limits{ConcurrencyScope: sim.ScopeRegion, Concurrency: 1000, ScaleUpScope: c.scope, ScaleUpPerSecond: 1, ScaleUpBurst: 1}
		src := newList(sim.Time(100*sim.Second), 2, fn(0, 0, 1, 100), fn(0, 0, 1, 100), fn(1, 0, 1, 100), fn(1, 0, 1, 100))
		m := run(t, cfgFor(src, lim, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive}))
		if m.Completed != 4 {
			t.Fatalf("scope %v: completed %d of 4", c.scope, m.Completed)
		}
		if _, hi := minMax(m); !near(hi, sim.FromSeconds(c.max)) {
			t.Errorf("scope %v: slowest latency %v, want %vs", c.scope, hi, c.max)
		}
	}
}

// schedule pre-warms by[k] instances during [k×step, (k+1)×step), then none.
type schedule struct {
	step sim.Duration
	by   []int
}

func (s schedule) Name() string { return "test-schedule" }
func (s schedule) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	n := 0
	if k := int(sim.Duration(obs.Now) / s.step); k < len(s.by) {
		n = s.by[k]
	}
	for i := range out {
		out[i] = sim.PoolDecision{Prewarm: n, KeepAlive: sim.ProviderKeepAlive}
	}
	return nil
}

// TestProvisionedConcurrencyRounding: AWS bills provisioned concurrency
// "from the time you enable it until it is disabled, rounded up to the
// nearest five minutes", per configuration, not per instance per tick. One
// pool at 2 GB and $1e-5 per GB-s provisioned ($2e-5 per instance-second):
//   - 1 instance for 120 s: one 300 s period → 300 × 2e-5 = $0.006;
//   - 1 for 120 s, 3 for 120 s, then 0: one period at its highest level 3
//     → 900 instance-s = $0.018;
//   - 1 for 480 s: two periods → 600 instance-s = $0.012.
//
// Without a granularity the same schedules bill exactly what was held: 120,
// 480 and 480 instance-s. (Decisions fall on the 15 s ticks.)
func TestProvisionedConcurrencyRounding(t *testing.T) {
	step := 120 * sim.Second
	for _, c := range []struct {
		by          []int
		granularity int64
		instSeconds float64
	}{{[]int{1}, 300e6, 300}, {[]int{1, 3}, 300e6, 900}, {[]int{1, 1, 1, 1}, 300e6, 600},
		{[]int{1}, 0, 120}, {[]int{1, 3}, 0, 480}, {[]int{1, 1, 1, 1}, 0, 480}} {
		cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{})
		cat.Providers[0].Billing.ProvisionedGBSecondUSD = 1e-5
		cat.Providers[0].Billing.ProvisionedGranularityUS = c.granularity
		src := newList(sim.Time(1000*sim.Second), 1)
		m := run(t, baseConfig(cat, src, schedule{step: step, by: c.by}))
		if want := c.instSeconds * 2 * 1e-5; math.Abs(m.Cost.Provisioned-want) > 1e-12 {
			t.Errorf("%+v: provisioned $%.6g, want $%.6g (%v instance-s)", c, m.Cost.Provisioned, want, c.instSeconds)
		}
	}
}

// TestKeepAliveSinceFirstIdle: with a 60 s keep-alive counted from the
// first idle moment (DSLab's default), an instance first idle at 1.5 s
// stops at its first idle moment after 61.5 s, however busy it was: the
// invocation at 61 s is warm (ends 62 s), the one at 70 s cold. Restarting
// the keep-alive at each idle moment, the 70 s one is warm too.
func TestKeepAliveSinceFirstIdle(t *testing.T) {
	for _, c := range []struct {
		mode       sim.KeepAliveMode
		cold, warm int64
	}{{sim.KeepAliveSinceFirstIdle, 2, 2}, {sim.KeepAliveSinceIdle, 1, 3}} {
		src := newList(sim.Time(300*sim.Second), 1, at(0, 1), at(30, 1), at(61, 1), at(70, 1))
		cfg := cfgFor(src, sim.Limits{}, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
		cfg.KeepAlive = c.mode
		m := run(t, cfg)
		if m.ColdStarts != c.cold || m.WarmStarts != c.warm {
			t.Errorf("mode %v: cold %d warm %d, want %d and %d", c.mode, m.ColdStarts, m.WarmStarts, c.cold, c.warm)
		}
	}
}

// TestDrainConservesEveryInvocation: a drained run ends when the last
// instance stops, with nothing in flight. In a 10 s run the invocation at
// 9 s (5 s) is warm on the first instance and ends at 14 s; that instance,
// idle from then, stops 60 s later, the last.
func TestDrainConservesEveryInvocation(t *testing.T) {
	src := newList(sim.Time(10*sim.Second), 1, at(0, 1), at(9, 5), at(9.2, 3))
	cfg := cfgFor(src, sim.Limits{}, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	cfg.Drain = true
	m := run(t, cfg)
	if m.InFlight != 0 || m.Completed != m.Arrived || m.Arrived != 3 {
		t.Fatalf("arrived %d completed %d in flight %d: a drained run leaves nothing in flight", m.Arrived, m.Completed, m.InFlight)
	}
	if want := sim.Time(sim.FromSeconds(14 + 60)); m.End != want {
		t.Errorf("the run ended at %v, want %v (last instance expired)", sim.Duration(m.End), sim.Duration(want))
	}
	cfg = cfgFor(newList(sim.Time(10*sim.Second), 1, at(0, 1), at(9, 5), at(9.2, 3)), sim.Limits{}, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	if m := run(t, cfg); m.InFlight != 2 || m.Completed+m.InFlight != 3 {
		t.Errorf("stopping at the horizon: completed %d in flight %d, want 1 and 2", m.Completed, m.InFlight)
	}
}

// TestWarmupExcludesTheStart: invocations arriving before the warm-up are
// neither counted nor billed, wherever they end; instance time counts from
// the warm-up.
func TestWarmupExcludesTheStart(t *testing.T) {
	src := newList(sim.Time(200*sim.Second), 1, at(0, 1), at(49, 2), at(100, 1))
	cfg := cfgFor(src, sim.Limits{}, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	cfg.Warmup = 50 * sim.Second
	m := run(t, cfg)
	if m.Arrived != 1 || m.Completed != 1 || m.WarmStarts != 1 || m.ColdStarts != 0 {
		t.Fatalf("arrived %d completed %d warm %d cold %d: want only the invocation at 100 s, warm", m.Arrived, m.Completed, m.WarmStarts, m.ColdStarts)
	}
	if want := 1e-7; math.Abs(m.Cost.Requests-want) > 1e-18 {
		t.Errorf("request fees $%v, want one ($%v)", m.Cost.Requests, want)
	}
	if want := 150.0; math.Abs(m.InstanceSeconds-want) > 1e-9 {
		t.Errorf("instance time %vs, want %vs (the one instance, from the warm-up to the end)", m.InstanceSeconds, want)
	}
	if m.Warmup != sim.Time(50*sim.Second) {
		t.Errorf("Metrics.Warmup = %v", m.Warmup)
	}
}

// TestWarmOverheadAddsToLatency: the provider's warm-path overhead is on
// every invocation's latency and not billed.
func TestWarmOverheadAddsToLatency(t *testing.T) {
	cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{})
	cat.Providers[0].WarmOverhead = 25 * sim.Millisecond
	m := run(t, baseConfig(cat, newList(sim.Time(100*sim.Second), 1, at(0, 1), at(10, 1)), keepAlive{d: sim.ProviderKeepAlive}))
	lo, hi := minMax(m)
	if !near(lo, sim.FromSeconds(1.025)) || !near(hi, sim.FromSeconds(1.525)) {
		t.Errorf("latencies %v..%v, want 1.025s (warm) and 1.525s (cold)", lo, hi)
	}
}

// TestWarmupKeepsKeepAlive: the warm-up brings every instance's energy up
// to date without restarting an idle instance's keep-alive. Idle from
// 1.5 s with a 60 s keep-alive, the instance stops at 61.5 s although the
// warm-up ends at 50 s: the invocation at 80 s is cold.
func TestWarmupKeepsKeepAlive(t *testing.T) {
	src := newList(sim.Time(200*sim.Second), 1, at(0, 1), at(80, 1))
	cfg := cfgFor(src, sim.Limits{}, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	cfg.Warmup = 50 * sim.Second
	if m := run(t, cfg); m.ColdStarts != 1 || m.WarmStarts != 0 {
		t.Errorf("cold %d warm %d after the warm-up; want the invocation at 80 s cold", m.ColdStarts, m.WarmStarts)
	}
}

// TestPerInstanceBillingBackToBack: under per-instance billing an
// instance that goes from one execution straight to a queued one bills
// both busy periods. Limit one instance; two 1 s invocations at 0 and
// 0.1 s on 2 GB at $1 per GB-s: the second waits, then runs 1.5-2.5 s;
// 2 s of busy time at 2 GB = $4, as billing each execution apart gives.
func TestPerInstanceBillingBackToBack(t *testing.T) {
	for _, perInstance := range []bool{false, true} {
		cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{Concurrency: 1})
		cat.Providers[0].Billing = billing.Rules{GranularityUS: 1, GBSecondUSD: 1, PerInstance: perInstance}
		m := run(t, baseConfig(cat, newList(sim.Time(100*sim.Second), 1, at(0, 1), at(0.1, 1)), keepAlive{d: sim.ProviderKeepAlive}))
		if m.Completed != 2 || math.Abs(m.Cost.Compute-4) > 1e-9 {
			t.Errorf("per instance %v: completed %d, compute $%v; want 2 and $4", perInstance, m.Completed, m.Cost.Compute)
		}
	}
}

// TestReadyPrewarmServesTheQueue: a request queued at the concurrency
// limit while a pre-warm (which holds the limit's only place) provisions
// is served when it is ready, at 2 s.
func TestReadyPrewarmServesTheQueue(t *testing.T) {
	cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{Concurrency: 1})
	cat.Providers[0].ProvisioningDelay = 2 * sim.Second
	m := run(t, baseConfig(cat, newList(sim.Time(100*sim.Second), 1, at(1, 1)), prewarm{n: 1}))
	if m.Completed != 1 || m.PrewarmsUsed != 1 || sim.Duration(m.Latency.Max) != 2*sim.Second {
		t.Errorf("completed %d, pre-warms used %d, latency %v; want 1, 1, 2s (queued 1 s, then 1 s on the pre-warm)",
			m.Completed, m.PrewarmsUsed, sim.Duration(m.Latency.Max))
	}
}

// TestNoStarvationAcrossScopes: with a concurrency limit per function and
// an unlimited scale-up scope per region, a request queued at one
// function's limit does not hold back another function's arrival.
func TestNoStarvationAcrossScopes(t *testing.T) {
	lim := sim.Limits{ConcurrencyScope: sim.ScopeFunction, Concurrency: 1, ScaleUpScope: sim.ScopeRegion}
	src := newList(sim.Time(100*sim.Second), 2, fn(0, 0, 20, 100), fn(0, 0.1, 1, 100), fn(1, 0.2, 1, 100))
	m := run(t, cfgFor(src, lim, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive}))
	if m.Completed != 2 || m.Failed[sim.FailThrottled] != 1 {
		t.Errorf("completed %d, throttled %d; want f0's first and f1's completed, f0's second throttled after 10 s",
			m.Completed, m.Failed[sim.FailThrottled])
	}
}
