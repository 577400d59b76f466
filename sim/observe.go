package sim

// observeFunctions builds the view of every function for a placement layer
// whose window is epoch long.
func (e *Engine) observeFunctions(epoch Duration, strategic bool) *StrategicObservation {
	e.views = resize(e.views, len(e.fns))
	window := epoch
	if d := e.now.Sub(e.cfg.Start); d < window {
		window = d // the first epoch of the run (or of a window)
	}
	for i := range e.fns {
		f := &e.fns[i]
		v := &e.views[i]
		*v = FunctionView{ID: FunctionID(i), App: f.app, Zone: f.zone, Placement: e.placement(FunctionID(i))}
		v.Profile = Profile{Invocations: f.seen, Window: window,
			MeanDuration: e.cfg.PriorDuration, MaxMemoryMB: e.cfg.PriorMemoryMB, MaxDuration: e.cfg.PriorDuration}
		if strategic {
			v.Profile.WindowArrivals = f.stratArrivals
			v.Window = f.stratOutcome
		} else {
			v.Profile.WindowArrivals = f.tactArrivals
			v.Window = f.tactOutcome
		}
		if f.seen > 0 {
			v.Profile.Observed = true
			v.Profile.MeanDuration = Duration(f.durSum / float64(f.seen))
			v.Profile.MaxMemoryMB = f.maxMem
			v.Profile.MaxDuration = f.maxDur
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
		e.runningUntil()
	}
	return obs
}

// runningUntil fills PoolView.RunningUntil for clairvoyant policies, reusing
// one buffer for every pool.
func (e *Engine) runningUntil() {
	if cap(e.viewOf) < len(e.pools) {
		e.viewOf = make([]int32, len(e.pools))
	}
	e.viewOf = e.viewOf[:len(e.pools)]
	for i := range e.viewOf {
		e.viewOf[i] = -1
	}
	for k, pi := range e.poolIdx {
		e.viewOf[pi] = int32(k)
	}
	count := make([]int, len(e.poolObs))
	for i := range e.inst {
		if in := &e.inst[i]; in.state == stBusy && e.viewOf[in.pool] >= 0 {
			count[e.viewOf[in.pool]] += int(in.k)
		}
	}
	total := 0
	for _, c := range count {
		total += c
	}
	e.ends = resize(e.ends, total)
	off := 0
	for k := range e.poolObs {
		e.poolObs[k].RunningUntil = e.ends[off : off : off+count[k]]
		off += count[k]
	}
	for i := range e.inst {
		in := &e.inst[i]
		if in.state != stBusy || e.viewOf[in.pool] < 0 {
			continue
		}
		v := &e.poolObs[e.viewOf[in.pool]]
		for x := in.head; x != noExec; x = e.exec(in, x).next {
			ex := e.exec(in, x)
			end := in.readyAt.Add(Duration(float64(ex.r.ref) * e.pools[in.pool].execScale))
			if ex.started {
				end = e.endOf(&e.pools[in.pool], in, ex) // at the current rate
			}
			v.RunningUntil = append(v.RunningUntil, end)
		}
	}
}
