package sim

import (
	"context"
	"errors"
	"fmt"
)

// Caller-driven stepping, after etcd raft's Ready/Advance: Next runs the
// engine until a decision of an external layer (one whose policy in the
// Config is nil) is due and hands it back as a Ready; the caller writes its
// actions into the Ready's output slice and calls Advance; Next goes on.
// Layers with a policy are decided inside Next, as Run does: Run is Next
// with every layer configured. A training loop leaves the layer it learns
// external and the others to baselines.
//
//	for {
//		r, err := e.Next(ctx)
//		if err != nil { ... }
//		if r.Phase == sim.PhaseDone { break }
//		decide(r) // fill r.Providers, r.Placements or r.Decisions
//		if err := e.Advance(); err != nil { ... }
//	}
//	m := e.Metrics()

// Phase is what a Ready asks for.
type Phase uint8

const (
	// PhaseDone: the run has ended; Metrics holds what it measured.
	PhaseDone Phase = iota
	// PhaseStrategic: write a provider per function to Ready.Providers.
	PhaseStrategic
	// PhaseTactical: write a placement per function to Ready.Placements,
	// keeping the provider it holds on entry.
	PhaseTactical
	// PhaseOperational: write a decision per pool to Ready.Decisions.
	PhaseOperational
)

var phaseNames = [...]string{"done", "strategic", "tactical", "operational"}

func (p Phase) String() string {
	if int(p) < len(phaseNames) {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", p)
}

// Ready is a decision point. Its observation and output slices belong to
// the engine and are valid until Advance.
type Ready struct {
	Phase Phase
	Now   Time

	// Strategic and tactical phases: the functions, and where to write.
	Functions  *StrategicObservation
	Providers  []ProviderID // PhaseStrategic: the current providers on entry
	Placements []Placement  // PhaseTactical: as Tactical.Placements's out

	// Operational phase: the pools, and where to write (the provider's
	// keep-alive and no pre-warm on entry).
	Pools     *OperationalObservation
	Decisions []PoolDecision

	// PhaseDone: each function's Outcome over the last, partial epoch of
	// the strategic and of the tactical layer (what the next decision's
	// FunctionView.Window would have held), so that the last decision of
	// an episode has its reward.
	StrategicWindow, TacticalWindow []Outcome
}

// Stages of a tick's decisions, in order.
const (
	stageStrategic = iota
	stageTactical
	stageOperational
	stageEnd
)

// beginTick starts the control tick at e.now: the last interval's metrics
// are closed and the tick's decisions queued.
func (e *Engine) beginTick() error {
	since := int64(e.now.Sub(e.cfg.Start))
	e.tickStrategic = since%int64(e.cfg.StrategicEpoch) == 0
	e.tickTactical = e.tickStrategic || since%int64(e.cfg.TacticalEpoch) == 0
	e.stage = stageStrategic
	if e.now > e.cfg.Start {
		e.tickMetrics()
		e.pushArrivals()
		// An epoch's outcome holds everything its instances accrued.
		return e.closeIntervals(e.tickTactical)
	}
	return nil
}

// control runs the tick's decisions from the current stage on. It returns
// true when a decision of an external layer is pending (e.rd), false
// once the tick is done.
func (e *Engine) control() (bool, error) {
	for ; e.stage < stageEnd; e.stage++ {
		if !e.due() {
			continue
		}
		e.beginStage()
		if e.external() {
			return true, nil
		}
		if err := e.decide(); err != nil {
			return false, err
		}
		if err := e.endStage(); err != nil {
			return false, err
		}
	}
	e.resetIntervals()
	e.lastTick = e.now
	e.m.Ticks++
	if next := e.now.Add(e.cfg.Tick); next < e.horizon {
		e.q.push(next, evControl, 0, 0)
	}
	e.rd = Ready{}
	return false, nil
}

// Next runs the engine to the next decision of an external layer, or to
// the end of the run (PhaseDone). A pending decision must be advanced
// first.
func (e *Engine) Next(ctx context.Context) (*Ready, error) {
	switch {
	case e.failed != nil:
		return nil, fmt.Errorf("sim: the run has stopped: %w", e.failed)
	case e.pending:
		return nil, fmt.Errorf("sim: a %v decision is pending: call Advance before Next", e.rd.Phase)
	case e.done:
		return &e.rd, nil
	}
	if !e.started {
		e.started = true
		e.hist = resize(e.hist, len(e.fns)*e.histK)
		clear(e.hist)
		if e.warm > e.cfg.Start {
			e.q.push(e.warm, evWarmup, 0, 0)
		}
		e.q.push(e.cfg.Start, evControl, 0, 0)
		e.fetch()
	}
	waiting := false
	var err error
	if e.resume {
		e.resume = false
		e.stage++
		waiting, err = e.control()
	}
	if err == nil && !waiting {
		waiting, err = e.loop(ctx)
	}
	if err != nil {
		e.failed = err
		return nil, err
	}
	if waiting {
		e.pending = true
		return &e.rd, nil
	}
	e.done = true
	e.rd = Ready{Phase: PhaseDone, Now: e.now, StrategicWindow: e.finalStrat, TacticalWindow: e.finalTact}
	return &e.rd, nil
}

// Advance applies the caller's actions for the pending decision. An
// invalid action stops the run with an error, as a policy's would.
func (e *Engine) Advance() error {
	if !e.pending {
		return errors.New("sim: Advance without a pending decision (call Next)")
	}
	// The caller may have written into the Ready's slices (the intended
	// use) or replaced them with its own of the same length.
	var err error
	switch e.stage {
	case stageStrategic:
		err = adopt(e.provOut, e.rd.Providers, "Providers")
	case stageTactical:
		err = adopt(e.placeOut, e.rd.Placements, "Placements")
	case stageOperational:
		err = adopt(e.decOut, e.rd.Decisions, "Decisions")
	}
	if err == nil {
		err = e.endStage()
	}
	e.pending = false
	if err != nil {
		e.failed = err
		return err
	}
	e.resume = true
	return nil
}

// adopt copies the caller's actions into the engine's buffer if the caller
// replaced the Ready's slice; a slice of another length is an error.
func adopt[T any](buf, got []T, name string) error {
	if len(got) != len(buf) {
		return fmt.Errorf("sim: Ready.%s holds %d actions for %d decisions", name, len(got), len(buf))
	}
	if len(buf) > 0 && &got[0] != &buf[0] {
		copy(buf, got)
	}
	return nil
}

// Metrics returns what the run has measured so far (all of it once Next
// has returned PhaseDone). It belongs to the engine.
func (e *Engine) Metrics() *Metrics { return &e.m }

// due reports whether the current stage decides on this tick: the
// strategic and tactical layers at their epochs, the operational layer at
// every tick unless its policy is stationary.
func (e *Engine) due() bool {
	switch e.stage {
	case stageStrategic:
		return e.tickStrategic
	case stageTactical:
		return e.tickTactical
	}
	return e.stationary == nil
}

// beginStage builds the current stage's observation and output (e.rd).
func (e *Engine) beginStage() {
	switch e.stage {
	case stageStrategic:
		e.beginStrategic()
	case stageTactical:
		e.beginTactical()
	default:
		e.beginOperational()
	}
}

// external reports whether the current stage's layer has no policy: the
// caller decides it.
func (e *Engine) external() bool {
	switch e.stage {
	case stageStrategic:
		return e.cfg.Strategic == nil
	case stageTactical:
		return e.cfg.Tactical == nil
	}
	return e.cfg.Operational == nil
}

// decide asks the current stage's policy; its failure is a PolicyError.
func (e *Engine) decide() error {
	var err error
	var p interface{ Name() string }
	switch e.stage {
	case stageStrategic:
		p, err = e.cfg.Strategic, e.cfg.Strategic.Providers(e.rd.Functions, e.provOut)
	case stageTactical:
		p, err = e.cfg.Tactical, e.cfg.Tactical.Placements(e.rd.Functions, e.placeOut)
	default:
		p, err = e.cfg.Operational, e.cfg.Operational.Decide(e.rd.Pools, e.decOut)
	}
	if err != nil {
		return &PolicyError{Layer: e.rd.Phase.String(), Policy: p.Name(), At: e.now, Err: err}
	}
	return nil
}

// endStage checks and applies the current stage's decisions.
func (e *Engine) endStage() error {
	switch e.stage {
	case stageStrategic:
		return e.endStrategic()
	case stageTactical:
		return e.endTactical()
	}
	return e.endOperational()
}

// layerName names the decider of a layer in errors: its policy, or the
// caller for an external layer.
func layerName(p interface{ Name() string }) string {
	if p == nil {
		return "(caller)"
	}
	return p.Name()
}

// beginStrategic builds the strategic observation; e.provOut holds the
// current providers.
func (e *Engine) beginStrategic() {
	e.currentProviders()
	obs := e.observeFunctions(e.cfg.StrategicEpoch, true)
	e.rd = Ready{Phase: PhaseStrategic, Now: e.now, Functions: obs, Providers: e.provOut}
}

// currentProviders sets e.provOut to every function's current provider.
func (e *Engine) currentProviders() {
	e.provOut = resize(e.provOut, len(e.fns))
	for i := range e.fns {
		e.provOut[i] = e.placement(FunctionID(i)).Provider
	}
}

// endStrategic checks the providers chosen and starts the next epoch's
// outcome windows.
func (e *Engine) endStrategic() error {
	for i, p := range e.provOut {
		if int(p) >= len(e.cat.Providers) {
			return fmt.Errorf("strategic policy %s gave function %d provider %d; the catalog has %d", layerName(e.cfg.Strategic), i, p, len(e.cat.Providers))
		}
	}
	for i := range e.fns {
		e.fns[i].stratArrivals = 0
		e.fns[i].stratOutcome = Outcome{}
	}
	return nil
}

// beginTactical builds the tactical observation; e.placeOut holds the
// current placement where the provider is unchanged. Outside a strategic
// epoch e.provOut holds the current providers.
func (e *Engine) beginTactical() {
	if !e.tickStrategic {
		e.currentProviders()
	}
	e.placeOut = resize(e.placeOut, len(e.fns))
	obs := e.observeFunctions(e.cfg.TacticalEpoch, false)
	for i := range e.fns {
		if pl := e.placement(FunctionID(i)); e.fns[i].current >= 0 && pl.Provider == e.provOut[i] {
			e.placeOut[i] = pl
		} else {
			e.placeOut[i] = Placement{Provider: e.provOut[i]}
		}
	}
	e.rd = Ready{Phase: PhaseTactical, Now: e.now, Functions: obs, Placements: e.placeOut}
}

// endTactical checks the placements chosen and moves the functions whose
// placement changed.
func (e *Engine) endTactical() error {
	for i, pl := range e.placeOut {
		if pl.Provider != e.provOut[i] || !e.cat.Valid(pl) {
			return fmt.Errorf("tactical policy %s gave function %d the placement %s (provider must stay %s)",
				layerName(e.cfg.Tactical), i, e.cat.Describe(pl), e.cat.Providers[e.provOut[i]].Name)
		}
	}
	for i := range e.fns {
		f := &e.fns[i]
		f.tactArrivals = 0
		f.tactOutcome = Outcome{}
		if f.current < 0 || e.placement(FunctionID(i)) != e.placeOut[i] {
			if f.current >= 0 {
				e.m.PlacementChanges++
			}
			e.place(FunctionID(i), e.placeOut[i])
		}
	}
	return nil
}

// beginOperational builds the operational observation; e.decOut holds the
// provider's keep-alive and no pre-warm for every pool.
func (e *Engine) beginOperational() {
	obs := e.observePools()
	e.decOut = resize(e.decOut, len(obs.Pools))
	for i := range e.decOut {
		e.decOut[i] = PoolDecision{KeepAlive: ProviderKeepAlive}
	}
	e.rd = Ready{Phase: PhaseOperational, Now: e.now, Pools: obs, Decisions: e.decOut}
}

// endOperational checks and applies the pool decisions.
func (e *Engine) endOperational() error {
	for i, d := range e.decOut {
		if d.Prewarm < 0 || d.Prewarm > MaxPrewarm || (d.KeepAlive < 0 && d.KeepAlive != ProviderKeepAlive) {
			return fmt.Errorf("operational policy %s gave pool %d the invalid decision %+v (pre-warm must be in 0..%d, keep-alive >= 0 or ProviderKeepAlive)",
				layerName(e.cfg.Operational), e.poolObs[i].Pool, d, MaxPrewarm)
		}
		e.apply(e.poolIdx[i], d)
	}
	return nil
}

// Reset starts a new episode on cfg (a new seed, source, trace window or
// policies) and keeps the engine's storage: instance, execution, pool and
// event arrays, and the observation buffers, so that thousands of short
// episodes do not allocate their way through memory. Metrics returned
// earlier by Run or Metrics are overwritten. On error the engine is
// unchanged.
func (e *Engine) Reset(cfg Config) error {
	n, err := New(cfg)
	if err != nil {
		return err
	}
	old := *e
	*e = *n
	e.q = old.q.emptied()
	e.inst, e.freeInst = old.inst[:0], old.freeInst[:0]
	e.bills = old.bills[:0]
	e.execs, e.freeExec = old.execs[:0], old.freeExec[:0]
	e.pools, e.freePools = old.pools[:0], old.freePools[:0]
	e.groups, e.buckets, e.blocked = old.groups[:0], old.buckets[:0], old.blocked[:0]
	e.ahead = old.ahead.emptied()
	e.views, e.provOut, e.placeOut = old.views, old.provOut, old.placeOut
	e.poolObs, e.poolIdx, e.decOut = old.poolObs, old.poolIdx, old.decOut
	e.future, e.viewOf, e.ends = old.future, old.viewOf, old.ends
	e.rows, e.finalStrat, e.finalTact = old.rows[:0], old.finalStrat, old.finalTact
	e.hist = old.hist[:0]
	e.execPending = old.execPending[:0]
	return nil
}
