package sim_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

const coldS = 0.5 // constant cold start in these tests, seconds

func cfgFor(src sim.Source, lim sim.Limits, ka sim.Duration, op sim.Operational) sim.Config {
	cat := testCatalog(dist.Constant{V: coldS}, ka, lim)
	return baseConfig(cat, src, op)
}

func TestKeepAliveDecidesWarmOrCold(t *testing.T) {
	ka := 60 * sim.Second
	// f0 runs 1 s at 0 (cold, idle from 1.5 s), at 61 s (idle 59.5 s < 60: warm,
	// idle again from 62 s), at 122.5 s (idle 60.5 s: expired, cold).
	src := newList(sim.Time(300*sim.Second), 1, at(0, 1), at(61, 1), at(122.5, 1))
	m := run(t, cfgFor(src, sim.Limits{}, ka, keepAlive{d: sim.ProviderKeepAlive}))
	if m.ColdStarts != 2 || m.WarmStarts != 1 {
		t.Errorf("cold %d warm %d, want 2 cold (first, after expiry) and 1 warm", m.ColdStarts, m.WarmStarts)
	}
	if m.InstancesStarted != 2 {
		t.Errorf("%d instances started, want 2", m.InstancesStarted)
	}
	// The first instance lived 0..122 s (62 s + keep-alive), the second
	// 122.5..(124 + 60) s: 122 + 61.5 = 183.5 s.
	if math.Abs(m.InstanceSeconds-183.5) > 1e-9 {
		t.Errorf("instance-seconds %v, want 183.5", m.InstanceSeconds)
	}
	// Latency: cold ones take 0.5 + 1 s, the warm one 1 s (no network here).
	if got := sim.Duration(m.Latency.Quantile(1)); got < 1499*sim.Millisecond || got > 1501*sim.Millisecond {
		t.Errorf("max latency %v, want 1.5 s", got)
	}
}

func TestKeepAliveZeroStopsAtOnce(t *testing.T) {
	src := newList(sim.Time(100*sim.Second), 1, at(0, 1), at(2, 1), at(4, 1))
	m := run(t, cfgFor(src, sim.Limits{}, 600*sim.Second, keepAlive{d: 0}))
	if m.ColdStarts != 3 {
		t.Errorf("%d cold starts with keep-alive 0, want 3", m.ColdStarts)
	}
	if math.Abs(m.InstanceSeconds-4.5) > 1e-9 { // three lives of 1.5 s
		t.Errorf("instance-seconds %v, want 4.5", m.InstanceSeconds)
	}
}

func TestConcurrencyLimitQueuesThenThrottles(t *testing.T) {
	// Limit 2, maximum wait 15 s. Five 10 s invocations at t=0: two start
	// cold (busy to 10.5 s), three queue. At 10.5 s the two instances take
	// two queued requests warm (busy to 20.5 s); the fifth gives up at 15 s.
	invs := []sim.Invocation{at(0, 10), at(0, 10), at(0, 10), at(0, 10), at(0, 10)}
	src := newList(sim.Time(100*sim.Second), 1, invs...)
	cfg := cfgFor(src, sim.Limits{Concurrency: 2}, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	cfg.MaxQueueWait = 15 * sim.Second
	m := run(t, cfg)
	if m.Completed != 4 || m.Failed[sim.FailThrottled] != 1 || m.Queued != 3 {
		t.Errorf("completed %d, throttled %d, queued %d; want 4, 1, 3", m.Completed, m.Failed[sim.FailThrottled], m.Queued)
	}
	if m.ColdStarts != 2 || m.WarmStarts != 2 {
		t.Errorf("cold %d warm %d, want 2 and 2", m.ColdStarts, m.WarmStarts)
	}
	if got := sim.Duration(m.Latency.Max); got != sim.FromSeconds(20.5) {
		t.Errorf("max latency %v, want 20.5 s", got)
	}

	// With a 10 s wait, the three queued requests give up at 10 s, just
	// before the instances free at 10.5 s.
	src = newList(sim.Time(100*sim.Second), 1, invs...)
	cfg = cfgFor(src, sim.Limits{Concurrency: 2}, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	m = run(t, cfg)
	if m.Completed != 2 || m.Failed[sim.FailThrottled] != 3 {
		t.Errorf("10 s wait: completed %d, throttled %d; want 2, 3", m.Completed, m.Failed[sim.FailThrottled])
	}

	// Throttle mode refuses the three at once.
	src = newList(sim.Time(100*sim.Second), 1, invs...)
	cfg = cfgFor(src, sim.Limits{Concurrency: 2}, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
	cfg.OnLimit = sim.LimitThrottle
	m = run(t, cfg)
	if m.Completed != 2 || m.Failed[sim.FailThrottled] != 3 || m.Queued != 0 {
		t.Errorf("throttle mode: completed %d, throttled %d, queued %d; want 2, 3, 0", m.Completed, m.Failed[sim.FailThrottled], m.Queued)
	}
}

func TestScaleUpRateQueuesForTokens(t *testing.T) {
	// One new instance per second, burst 1; three 1 s invocations at 0. The
	// first takes the token (cold, busy to 1.5 s); the second gets the next
	// token at 1 s (cold, busy to 2.5 s); the third would get a token at 2 s,
	// but the first instance frees at 1.5 s and takes it warm (to 2.5 s).
	src := newList(sim.Time(100*sim.Second), 1, at(0, 1), at(0, 1), at(0, 1))
	m := run(t, cfgFor(src, sim.Limits{ScaleUpPerSecond: 1, ScaleUpBurst: 1}, 600*sim.Second, keepAlive{d: sim.ProviderKeepAlive}))
	if m.Completed != 3 || m.ColdStarts != 2 || m.WarmStarts != 1 || m.Queued != 2 {
		t.Fatalf("completed %d cold %d warm %d queued %d, want 3, 2, 1, 2", m.Completed, m.ColdStarts, m.WarmStarts, m.Queued)
	}
	if got := sim.Duration(m.Latency.Max); got != sim.FromSeconds(2.5) {
		t.Errorf("max latency %v, want 2.5 s", got)
	}
}

func TestOOMAndTimeout(t *testing.T) {
	cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{Timeout: 5 * sim.Second})
	// The provider also offers 4096 MB; the function is placed at 2048 MB
	// (the first option), so 3000 MB fails out of memory, 5000 MB (above
	// every size offered) is infeasible.
	cat.Providers[0].Memory = append(cat.Providers[0].Memory, sim.MemoryOption{MB: 4096, VCPU: 1})
	big, huge := at(0, 1), at(1, 1)
	big.MemoryMB, huge.MemoryMB = 3000, 5000
	src := newList(sim.Time(100*sim.Second), 1, big, huge, at(10, 8), at(30, 1))
	m := run(t, baseConfig(cat, src, keepAlive{d: sim.ProviderKeepAlive}))
	if m.Failed[sim.FailOOM] != 1 || m.Failed[sim.FailInfeasible] != 1 || m.Failed[sim.FailTimeout] != 1 || m.Completed != 1 {
		t.Fatalf("oom %d infeasible %d timeout %d completed %d; want 1, 1, 1, 1", m.Failed[sim.FailOOM],
			m.Failed[sim.FailInfeasible], m.Failed[sim.FailTimeout], m.Completed)
	}
	if m.SLAViolations != 3 {
		t.Errorf("%d SLA violations, want the 3 failures", m.SLAViolations)
	}
	// Billing: three request fees (the infeasible invocation is not
	// billed); the timed-out run is billed its 5 s, the completed one 1 s,
	// at 2 GB × 1e-5 $/GB-s.
	if want := 3 * 1e-7; math.Abs(m.Cost.Requests-want) > 1e-15 {
		t.Errorf("request fees %v, want %v", m.Cost.Requests, want)
	}
	if want := (5 + 1) * 2 * 1e-5; math.Abs(m.Cost.Compute-want) > 1e-12 {
		t.Errorf("compute %v, want %v", m.Cost.Compute, want)
	}
}

func TestEnergyAndCarbonByHand(t *testing.T) {
	// One 2 s invocation: 0.5 s start + 2 s busy, then 60 s idle, constant
	// 100 g/kWh. Power: vCPU 1, 2 GB; busy util 0.5; PUE 1.1 (testCatalog).
	src := newList(sim.Time(1000*sim.Second), 1, at(0, 2))
	m := run(t, cfgFor(src, sim.Limits{}, 60*sim.Second, keepAlive{d: sim.ProviderKeepAlive}))
	busyW := (1 + 0.5*(4-1) + 0.4*2) * 1.1
	idleW := (1 + 0.4*2) * 1.1
	wantKWh := (busyW*2.5 + idleW*60) / 3.6e6
	if math.Abs(m.Energy-wantKWh) > 1e-12 {
		t.Errorf("energy %.9f kWh, want %.9f", m.Energy, wantKWh)
	}
	if math.Abs(m.Carbon-100*wantKWh) > 1e-9 {
		t.Errorf("carbon %.9f g, want %.9f", m.Carbon, 100*wantKWh)
	}
	if math.Abs(m.IdleGBSeconds-120) > 1e-9 || math.Abs(m.BusySeconds-2.5) > 1e-9 {
		t.Errorf("idle GB-s %v busy s %v, want 120 and 2.5", m.IdleGBSeconds, m.BusySeconds)
	}
}

func TestPrewarmServesWarmAndIsBilled(t *testing.T) {
	// The pre-warm starts at the tick at 0 (ready at 0.5 s); an arrival at
	// 5 s finds it ready: warm. It is held for the whole 60 s run.
	cat := testCatalog(dist.Constant{V: coldS}, 60*sim.Second, sim.Limits{})
	cat.Providers[0].Billing.ProvisionedGBSecondUSD = 1e-6
	src := newList(sim.Time(60*sim.Second), 1, at(5, 1))
	m := run(t, baseConfig(cat, src, prewarm{n: 1}))
	if m.WarmStarts != 1 || m.ColdStarts != 0 {
		t.Errorf("warm %d cold %d, want the invocation warm", m.WarmStarts, m.ColdStarts)
	}
	if m.PrewarmsStarted != 1 || m.PrewarmsUsed != 1 {
		t.Errorf("pre-warms started %d used %d, want 1 and 1", m.PrewarmsStarted, m.PrewarmsUsed)
	}
	if want := 60 * 2 * 1e-6; math.Abs(m.Cost.Provisioned-want) > 1e-15 {
		t.Errorf("provisioned cost %v, want %v (60 s × 2 GB)", m.Cost.Provisioned, want)
	}
}

func TestRoutingChoosesIdleInstance(t *testing.T) {
	// A is created at 0 and runs 4 s (idle from 4.5 s); B is created at 1 s
	// and runs 1 s (idle from 2.5 s). At 10 s, most-recently-used takes A
	// (idle last), newest-created takes B. The other expires 30 s after it
	// went idle; the one taken expires at 11 + 30 = 41 s. Instance-seconds:
	// MRU: A 0..41, B 1..32.5 = 72.5; newest: A 0..34.5, B 1..41 = 74.5.
	invs := []sim.Invocation{at(0, 4), at(1, 1), at(10, 1)}
	for _, c := range []struct {
		name    string
		routing sim.Routing
		want    float64
	}{{"most-recently-used", sim.RouteMostRecentlyUsed, 72.5}, {"newest-created", sim.RouteNewestCreated, 74.5}} {
		src := newList(sim.Time(200*sim.Second), 1, invs...)
		cfg := cfgFor(src, sim.Limits{}, 30*sim.Second, keepAlive{d: sim.ProviderKeepAlive})
		cfg.Routing = c.routing
		m := run(t, cfg)
		if m.ColdStarts != 2 || m.WarmStarts != 1 {
			t.Errorf("%s: cold %d warm %d, want 2 and 1", c.name, m.ColdStarts, m.WarmStarts)
		}
		if math.Abs(m.InstanceSeconds-c.want) > 1e-9 {
			t.Errorf("%s: instance-seconds %v, want %v", c.name, m.InstanceSeconds, c.want)
		}
	}
}

func TestInvalidOperationalDecisionIsAnError(t *testing.T) {
	for _, d := range []sim.PoolDecision{{Prewarm: -1}, {Prewarm: sim.MaxPrewarm + 1}, {KeepAlive: -5}} {
		src := newList(sim.Time(60*sim.Second), 1, at(1, 1))
		_, err := sim.Run(context.Background(), cfgFor(src, sim.Limits{}, 60*sim.Second, fixedDecision{d}))
		if err == nil || !strings.Contains(err.Error(), "invalid decision") {
			t.Errorf("decision %+v: error %v", d, err)
		}
	}
}

type fixedDecision struct{ d sim.PoolDecision }

func (f fixedDecision) Name() string { return "test-fixed-decision" }
func (f fixedDecision) Decide(_ *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range out {
		out[i] = f.d
	}
	return nil
}

// failingAt fails its decision at the n-th operational tick (a model whose
// inference fails mid-run).
type failingAt struct {
	n     int
	calls *int
}

var errInference = errors.New("inference failed: NaN in the forward pass")

func (f failingAt) Name() string { return "test-failing" }
func (f failingAt) Decide(_ *sim.OperationalObservation, out []sim.PoolDecision) error {
	*f.calls++
	if *f.calls == f.n {
		return errInference
	}
	for i := range out {
		out[i] = sim.PoolDecision{KeepAlive: sim.ProviderKeepAlive}
	}
	return nil
}

func TestPolicyErrorStopsTheRun(t *testing.T) {
	calls := 0
	src := newList(sim.Time(10*sim.Minute), 1, at(1, 1), at(200, 1), at(500, 1))
	m, err := sim.Run(context.Background(), cfgFor(src, sim.Limits{}, 60*sim.Second, failingAt{n: 5, calls: &calls}))
	if m != nil || !errors.Is(err, errInference) {
		t.Fatalf("metrics %v, error %v: want the policy's error", m, err)
	}
	var pe *sim.PolicyError
	if !errors.As(err, &pe) || pe.Layer != "operational" || pe.At != sim.Time(4*15*sim.Second) {
		t.Fatalf("error %#v: want an operational PolicyError at the fifth tick (1m0s)", err)
	}
	if calls != 5 {
		t.Errorf("the policy was called %d times after failing at the 5th", calls)
	}
	want := "operational policy test-failing failed at 1m0s of simulated time: inference failed: NaN in the forward pass"
	if err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

// A run over a window [1h, 2h) of trace time is the run of the same
// invocations shifted to [0, 1h) (the test catalog's carbon intensity is
// constant, so time of day changes nothing): decisions, warm-up and
// metrics count from the window's start.
func TestWindowStartShiftsNothingButTime(t *testing.T) {
	const h = 3600.0
	invs := []sim.Invocation{at(5, 1), at(6, 2), at(600, 1), at(601, 30), at(1900, 0.5), at(3599, 1)}
	shifted := make([]sim.Invocation, len(invs))
	for i, v := range invs {
		v.Arrival = v.Arrival.Add(sim.Hour)
		shifted[i] = v
	}
	base := cfgFor(newList(sim.Time(h*sim.Second), 1, invs...), sim.Limits{}, 60*sim.Second, keepAlive{60 * sim.Second})
	base.Warmup = 10 * sim.Minute
	win := cfgFor(newList(sim.Time(2*h*sim.Second), 1, shifted...), sim.Limits{}, 60*sim.Second, keepAlive{60 * sim.Second})
	win.Warmup, win.Start = 10*sim.Minute, sim.Time(sim.Hour)
	var windows []sim.Duration
	win.Strategic = windowRecorder{&windows}
	a, b := run(t, base), run(t, win)
	// The profile's window at the first decision is empty: nothing has
	// been observed in the run yet (not the epoch before the start).
	if len(windows) != 1 || windows[0] != 0 {
		t.Errorf("profile windows at the strategic epochs %v, want [0s]", windows)
	}
	if b.Start != sim.Time(sim.Hour) || b.Warmup != sim.Time(sim.Hour+10*sim.Minute) || b.End != sim.Time(2*sim.Hour) {
		t.Errorf("window metrics: start %v, warm-up end %v, end %v", b.Start, b.Warmup, b.End)
	}
	b.Start, b.Horizon, b.Warmup, b.End = a.Start, a.Horizon, a.Warmup, a.End
	if !reflect.DeepEqual(a, b) {
		t.Errorf("window run differs from the shifted run:\n%+v\n%+v", a, b)
	}
	if a.Arrived != 4 || a.Ticks != 200 {
		t.Errorf("arrived %d (want 4 after the 10 min warm-up), ticks %d (want 200: 50 measured minutes of 15 s)", a.Arrived, a.Ticks)
	}

	// An arrival before the start, a start at or past the horizon: errors.
	early := win
	early.Source = newList(sim.Time(2*h*sim.Second), 1, at(10, 1))
	if _, err := sim.Run(context.Background(), early); err == nil || !strings.Contains(err.Error(), "back in time") {
		t.Errorf("arrival before the start: error %v", err)
	}
	late := win
	late.Start, late.Warmup = sim.Time(2*sim.Hour), 0
	if _, err := sim.Run(context.Background(), late); err == nil || !strings.Contains(err.Error(), "before the horizon") {
		t.Errorf("start at the horizon: error %v", err)
	}
	long := win
	long.Warmup = sim.Hour
	if _, err := sim.Run(context.Background(), long); err == nil || !strings.Contains(err.Error(), "shorter than the run (1h0m0s)") {
		t.Errorf("warm-up as long as the window: error %v", err)
	}
}

// windowRecorder keeps every function on provider 0 and records the
// profile window it is shown.
type windowRecorder struct{ seen *[]sim.Duration }

func (w windowRecorder) Name() string { return "test-fixed" }
func (w windowRecorder) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	*w.seen = append(*w.seen, obs.Functions[0].Profile.Window)
	return nil
}
