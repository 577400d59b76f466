package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Engine runs one simulation. It is not safe for concurrent use; run one
// engine per goroutine.
type Engine struct {
	cfg     Config
	cat     *Catalog
	model   Model
	horizon Time
	now     Time

	q       eventQueue
	src     Source
	srcDone bool // the source's Next returned false: never call it again
	next    Invocation
	hasNext bool
	ahead   fifo[Invocation] // read-ahead for clairvoyant policies
	look    Duration

	fns       []fnState
	pools     []pool
	freePools []int32
	inst      []instance
	freeInst  []int32
	bills     []busyBill // per instance (same index), per-instance billing
	// execPending holds, per pool, the executions' time not yet accrued,
	// valid at execPendingAt while execPendingOK (pendingExec).
	execPending   []int64
	execPendingAt Time
	execPendingOK bool
	execs         []execution
	freeExec      []int32
	warm          Time // end of the warm-up
	draining      bool // past the horizon of a drained run
	groups        []limitGroup
	groupIdx      map[groupKey]int32
	buckets       []bucket
	bucketIdx     map[groupKey]int32
	kaLanes       map[Duration]int32 // keep-alive -> event queue lane of its timers
	refused       refusal            // why the last dispatch failed
	blocked       []int32            // scratch: scale-up scopes out of tokens in drainGroup

	// generalPath sends every instance through the general processor-
	// sharing path, the one-execution fast path (single.go) included: set
	// by tests only, which check that both give the same results.
	generalPath bool

	cold       []*rand.Rand // per provider
	stationary *PoolDecision
	observer   IdleTimeObserver

	lastTick Time
	m        Metrics
	rows     []SeriesRow // closed intervals not yet handed to the recorder
	// each function's outcome over the last, partial epoch of each layer
	finalStrat, finalTact []Outcome
	replayed              int64 // arrivals replayed, warm-up included (progress and cancellation)
	steps                 int64 // events and arrivals handled (cancellation)

	// Arrival history (observe.go): histK slots per function in hist,
	// function i's at hist[i*histK:(i+1)*histK]; every function's next
	// slot is histNext, histN are filled.
	hist     []int32
	histK    int
	histNext int
	histN    int
	forecast CarbonForecast
	fcSeed   uint64

	// stepping (step.go)
	started, done   bool
	pending, resume bool // a decision is handed out; it was advanced
	failed          error
	stage           int
	tickStrategic   bool
	tickTactical    bool
	rd              Ready // the decision handed out

	// scratch buffers reused across epochs and ticks
	views    []FunctionView
	provOut  []ProviderID
	placeOut []Placement
	poolObs  []PoolView
	poolIdx  []int32
	decOut   []PoolDecision
	future   []Invocation
	viewOf   []int32 // pool -> index in poolObs, for RunningUntil
	ends     []Time  // backing store of every PoolView.RunningUntil
}

// fnState is what the engine tracks per function.
type fnState struct {
	app     int32
	zone    ZoneID
	current int32   // pool of the current placement, -1 before the first
	pools   []int32 // current and draining pools

	invocations   int64 // arrivals in this run
	seen          int64 // arrivals its profile counts (seed included)
	stratArrivals int64
	tactArrivals  int64
	tickArrivals  int32 // arrivals in the current operational interval
	durSum        float64
	memSum        float64 // footprints of this run's arrivals (MB)
	maxMem        float64
	maxDur        Duration
	running       int32
	lastArrival   Time
	lastFinish    Time
	stratOutcome  Outcome
	tactOutcome   Outcome
}

// New checks cfg and returns an engine ready to Run.
func New(cfg Config) (*Engine, error) {
	if err := checkConfig(&cfg); err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:       cfg,
		cat:       cfg.Catalog,
		model:     *NewModel(cfg.Catalog, cfg.CPUBoundFraction, cfg.BusyUtilisation, cfg.SLO),
		src:       cfg.Source,
		groupIdx:  map[groupKey]int32{},
		bucketIdx: map[groupKey]int32{},
		kaLanes:   map[Duration]int32{},
	}
	e.horizon = cfg.Horizon
	if e.horizon == 0 {
		e.horizon = cfg.Source.Horizon()
	}
	for _, p := range cfg.Catalog.Providers {
		e.cold = append(e.cold, cfg.Streams.New("coldstart/"+p.Name))
	}
	if s, ok := cfg.Operational.(Stationary); ok {
		d := s.Stationary()
		if d.Prewarm < 0 || d.Prewarm > MaxPrewarm || (d.KeepAlive < 0 && d.KeepAlive != ProviderKeepAlive) {
			return nil, fmt.Errorf("operational policy %s: invalid stationary decision %+v", cfg.Operational.Name(), d)
		}
		e.stationary = &d
	}
	if o, ok := cfg.Operational.(IdleTimeObserver); ok {
		e.observer = o
	}
	if c, ok := cfg.Operational.(Clairvoyant); ok {
		e.look = c.Lookahead()
		if e.look <= 0 {
			return nil, fmt.Errorf("operational policy %s: lookahead must be positive", cfg.Operational.Name())
		}
	}
	fi := cfg.Source.Functions()
	e.fns = make([]fnState, len(fi))
	for i, f := range fi {
		e.fns[i] = fnState{app: f.App, zone: cfg.AppZones[f.App], current: -1, lastArrival: -1, lastFinish: -1}
		if cfg.InitialProfiles != nil {
			s := &cfg.InitialProfiles[i]
			e.fns[i].seen, e.fns[i].durSum, e.fns[i].maxDur, e.fns[i].maxMem = s.Invocations, s.DurationSum, s.MaxDuration, s.MaxMemoryMB
		}
	}
	e.histK = cfg.HistoryIntervals
	if e.histK == 0 {
		e.histK = DefaultHistoryIntervals
	}
	e.forecast = cfg.CarbonForecast
	if e.forecast.Horizon == 0 {
		e.forecast.Horizon = DefaultForecastHorizon
	}
	e.fcSeed = cfg.Streams.seedOf("forecast/carbon")
	e.now, e.lastTick = cfg.Start, cfg.Start
	e.warm = cfg.Start.Add(cfg.Warmup)
	e.m.PerProvider = make([]ProviderMetrics, len(cfg.Catalog.Providers))
	e.m.BillableUnits = make([]BillableUnits, len(cfg.Catalog.Providers))
	e.m.PerFunction = make([]FunctionMetrics, len(fi))
	return e, nil
}

// Run builds an engine for cfg and runs it.
func Run(ctx context.Context, cfg Config) (*Metrics, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return e.Run(ctx)
}

// Run replays the workload to the horizon and returns what was measured,
// deciding with the configured policies (all three are needed: see Next for
// a caller that decides itself). It stops early with ctx's error if ctx is
// cancelled (checked every ProgressEvery arrivals). The metrics belong to
// the engine and stay valid until it is Reset.
func (e *Engine) Run(ctx context.Context) (*Metrics, error) {
	if e.cfg.Strategic == nil || e.cfg.Tactical == nil || e.cfg.Operational == nil {
		return nil, errors.New("sim: Run needs a policy at every layer; drive an engine with external layers by Next and Advance")
	}
	r, err := e.Next(ctx)
	if err != nil {
		return nil, err
	}
	if r.Phase != PhaseDone {
		return nil, fmt.Errorf("sim: Run stopped at a %v decision", r.Phase)
	}
	return &e.m, nil
}

// cancelCheckSteps is how many events and arrivals pass between two
// checks of the context (a power of two): about a millisecond of work.
const cancelCheckSteps = 1 << 14

// loop replays events and arrivals until a decision of an external layer
// is pending (true) or the run has ended (false).
func (e *Engine) loop(ctx context.Context) (bool, error) {
	every := e.cfg.ProgressEvery
	if every <= 0 {
		every = 1 << 20
	}
	for {
		// Cancellation is also checked by steps, not only by arrivals: a
		// long stretch of ticks or timers without arrivals stops too.
		if e.steps++; e.steps&(cancelCheckSteps-1) == 0 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		useEvent := e.q.len() > 0 && (!e.hasNext || e.q.top().at <= e.next.Arrival || e.next.Arrival >= e.horizon)
		if useEvent {
			ev := e.q.pop()
			if ev.at >= e.horizon && !e.draining {
				if !e.cfg.Drain {
					break
				}
				e.startDrain()
			}
			e.now = ev.at
			if ev.kind() == evControl {
				if err := e.beginTick(); err != nil {
					return false, err
				}
				if waiting, err := e.control(); waiting || err != nil {
					return waiting, err
				}
				continue
			}
			e.handle(ev)
			continue
		}
		if !e.hasNext {
			break
		}
		inv := e.next
		if inv.Arrival >= e.horizon {
			if e.cfg.Drain && !e.draining {
				e.now = e.horizon
				e.startDrain()
			}
			if e.q.len() == 0 || !e.cfg.Drain {
				break
			}
			continue
		}
		if inv.Arrival < e.now {
			return false, fmt.Errorf("sim: the workload went back in time: an arrival at %v after %v", Duration(inv.Arrival), Duration(e.now))
		}
		if int(inv.Function) >= len(e.fns) || inv.Function < 0 {
			return false, fmt.Errorf("sim: arrival of undeclared function %d", inv.Function)
		}
		e.now = inv.Arrival
		e.arrive(inv)
		if e.replayed++; e.replayed%every == 0 {
			if e.cfg.Progress != nil {
				e.cfg.Progress(e.now, e.replayed)
			}
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		e.fetch()
	}
	if err := e.src.Err(); err != nil {
		return false, err
	}
	return false, e.finish()
}

// fetch moves the next invocation into e.next, from the read-ahead buffer
// first.
func (e *Engine) fetch() {
	if e.ahead.len() > 0 {
		e.next, e.hasNext = e.ahead.popFront(), true
		return
	}
	if e.pull() {
		e.next, e.hasNext = e.src.At(), true
		return
	}
	e.hasNext = false
}

// pull advances the source unless it has ended.
func (e *Engine) pull() bool {
	if e.srcDone {
		return false
	}
	if !e.src.Next() {
		e.srcDone = true
		return false
	}
	return true
}

// readAhead fills the read-ahead buffer with every arrival before until and
// returns them (with e.next first) in arrival order.
func (e *Engine) readAhead(until Time) []Invocation {
	for {
		n := e.ahead.len()
		if n > 0 && e.ahead.at(n-1).Arrival >= until {
			break
		}
		if !e.pull() {
			break
		}
		e.ahead.push(e.src.At())
	}
	e.future = e.future[:0]
	if e.hasNext && e.next.Arrival < until {
		e.future = append(e.future, e.next)
	}
	for i := 0; i < e.ahead.len(); i++ {
		inv := e.ahead.at(i)
		if inv.Arrival >= until {
			break
		}
		e.future = append(e.future, *inv)
	}
	return e.future
}

func (e *Engine) handle(ev event) {
	switch ev.kind() {
	case evComplete:
		e.complete(ev)
	case evReady:
		e.ready(ev)
	case evWarmup:
		e.endWarmup()
	case evExpire:
		e.expire(ev)
	case evQueueDeadline:
		p := &e.pools[ev.ref]
		if p.gen == ev.gen {
			e.dropExpired(ev.ref)
		}
	case evTokens:
		if g := &e.groups[ev.ref]; ev.at >= g.tokenAt {
			g.tokenEvent = false
		}
		e.drainGroup(ev.ref)
	}
}

// startDrain ends the replay at the horizon of a drained run: no arrival
// or decision follows; pre-warms are released, and the run goes on until
// every execution has ended and every instance has stopped.
func (e *Engine) startDrain() {
	e.draining = true
	if e.now < e.horizon {
		e.now = e.horizon
	}
	for i := range e.fns {
		if pi := e.fns[i].current; pi >= 0 {
			e.setTarget(pi, 0)
		}
	}
}

// endWarmup starts the measured window: every instance and pool is brought
// up to now, and what was measured so far is dropped. Invocations that
// arrived before it are left out wherever they end.
func (e *Engine) endWarmup() {
	for i := range e.inst {
		in := &e.inst[i]
		if in.state == stFree {
			continue
		}
		e.touch(int32(i))
		if p := &e.pools[in.pool]; in.running > 0 && p.rules.PerInstance {
			e.settleBusy(p, in, int32(i), false)
		}
	}
	for i := range e.pools {
		if e.pools[i].live {
			e.settleProvisioned(&e.pools[i], e.now, false)
		}
	}
	e.dropAccounts()
	peakEv, peakExec := e.m.PeakEventQueue, e.m.ExecutionsPeakPerInstance
	m := Metrics{PerProvider: e.m.PerProvider, BillableUnits: e.m.BillableUnits, PerFunction: e.m.PerFunction}
	clear(m.PerProvider)
	clear(m.BillableUnits)
	clear(m.PerFunction)
	m.PeakEventQueue, m.ExecutionsPeakPerInstance = peakEv, peakExec
	e.m = m
}

// placement returns function f's current placement (the zero value before
// its first).
func (e *Engine) placement(f FunctionID) Placement {
	if c := e.fns[f].current; c >= 0 {
		return e.pools[c].pl
	}
	return Placement{}
}

// finish closes every open interval at the end of the run: the horizon,
// or for a drained run the last event.
func (e *Engine) finish() error {
	if !e.draining || e.now < e.horizon {
		e.now = e.horizon
	}
	e.m.Start, e.m.Horizon, e.m.Warmup, e.m.End = e.cfg.Start, e.horizon, e.warm, e.now
	for i := range e.inst {
		if e.inst[i].state != stFree {
			e.closeAtHorizon(int32(i))
		}
	}
	for i := range e.pools {
		p := &e.pools[i]
		if !p.live {
			continue
		}
		e.settleProvisioned(p, e.now, true)
		for k := 0; k < p.queue.len(); k++ {
			if e.measured(p.queue.at(k).arrival) {
				e.m.InFlight++
			}
		}
		e.closeAccount(int32(i))
	}
	for i := range e.m.PerFunction {
		if e.m.PerFunction[i].Arrived > 0 {
			e.m.FunctionsInvoked++
		}
	}
	e.finalStrat, e.finalTact = resize(e.finalStrat, len(e.fns)), resize(e.finalTact, len(e.fns))
	for i := range e.fns {
		e.finalStrat[i], e.finalTact[i] = e.fns[i].stratOutcome, e.fns[i].tactOutcome
	}
	return e.flushRows()
}

// PolicyError is a policy's decision method failing: the run stops with it
// at the decision point At.
type PolicyError struct {
	Layer  string // strategic, tactical or operational
	Policy string
	At     Time
	Err    error
}

func (e *PolicyError) Error() string {
	return fmt.Sprintf("%s policy %s failed at %v of simulated time: %v", e.Layer, e.Policy, Duration(e.At), e.Err)
}

func (e *PolicyError) Unwrap() error { return e.Err }

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
