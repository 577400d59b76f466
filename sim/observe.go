package sim

// observeFunctions builds the view of every function for a placement layer
// whose window is epoch long.
func (e *Engine) observeFunctions(epoch Duration, strategic bool) *StrategicObservation {
	e.views = resize(e.views, len(e.fns))
	window := epoch
	if Duration(e.now) < window {
		window = Duration(e.now)
	}
	for i := range e.fns {
		f := &e.fns[i]
		v := &e.views[i]
		*v = FunctionView{ID: FunctionID(i), App: f.app, Zone: f.zone, Placement: f.pl}
		v.Profile = Profile{Invocations: f.invocations, Window: window,
			MeanDuration: e.cfg.PriorDuration, MaxMemoryMB: e.cfg.PriorMemoryMB}
		if strategic {
			v.Profile.WindowArrivals = f.stratArrivals
			v.Window = f.stratOutcome
		} else {
			v.Profile.WindowArrivals = f.tactArrivals
			v.Window = f.tactOutcome
		}
		if f.invocations > 0 {
			v.Profile.Observed = true
			v.Profile.MeanDuration = Duration(f.durSum / float64(f.invocations))
			v.Profile.MaxMemoryMB = f.maxMem
		}
	}
	return &StrategicObservation{Now: e.now, Catalog: e.cat, Model: &e.model, Functions: e.views}
}

// observePools builds the view of every current pool, in function order.
func (e *Engine) observePools() *OperationalObservation {
	e.poolObs = e.poolObs[:0]
	e.poolIdx = e.poolIdx[:0]
	for i := range e.fns {
		pi := e.fns[i].current
		if pi < 0 {
			continue
		}
		e.poolObs = append(e.poolObs, PoolView{})
		e.poolView(pi, &e.poolObs[len(e.poolObs)-1])
		e.poolIdx = append(e.poolIdx, pi)
	}
	obs := &OperationalObservation{Now: e.now, Interval: e.cfg.Tick, Catalog: e.cat, Pools: e.poolObs}
	if e.look > 0 {
		obs.Future = e.readAhead(e.now.Add(e.look))
	}
	return obs
}
