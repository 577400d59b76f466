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
		*v = FunctionView{ID: FunctionID(i), App: f.app, Zone: f.zone, Placement: e.placement(FunctionID(i)),
			Recent: e.arrivalHistory(FunctionID(i))}
		for _, pi := range f.pools {
			p := &e.pools[pi]
			v.Idle += p.idle.len() + p.idleProv.len()
			v.Busy += p.busy
			v.Starting += len(p.warming)
		}
		v.Profile = Profile{Invocations: f.seen, Window: window,
			MeanDuration: e.cfg.PriorDuration, MaxMemoryMB: e.cfg.PriorMemoryMB, MaxDuration: e.cfg.PriorDuration,
			MeanMemoryMB: e.cfg.PriorMemoryMB}
		if f.invocations > 0 {
			v.Profile.MeanMemoryMB = f.memSum / float64(f.invocations)
		}
		if strategic {
			v.Profile.WindowArrivals = f.stratArrivals
			v.Window = f.stratOutcome
		} else {
			v.Profile.WindowArrivals = f.tactArrivals
			v.Window = f.tactOutcome
		}
		if f.seen > 0 {
			v.Profile.Observed = true
			v.Profile.MeanDuration = DurationOf(f.durSum / float64(f.seen))
			v.Profile.MaxMemoryMB = f.maxMem
			v.Profile.MaxDuration = f.maxDur
		}
	}
	return &StrategicObservation{Now: e.now, Catalog: e.cat, Model: &e.model, Functions: e.views, Forecast: e.forecast, eng: e}
}

// OptionView is what one option (provider, region, memory size) offers one
// function at the observation's Now. Prices are list prices with the
// region's price factor applied; carbon intensities in g CO2e/kWh.
type OptionView struct {
	Placement Placement
	MemoryMB  int
	VCPU      float64
	// RequestUSD is the fee per invocation; GBSecondUSD and GHzSecondUSD
	// price billed execution time × memory (GB) or × CPU clock (GHz);
	// ProvisionedGBSecondUSD a pre-warmed instance held, per GB-s.
	RequestUSD, GBSecondUSD, GHzSecondUSD, ProvisionedGBSecondUSD float64
	// CarbonNow is the region's grid intensity now; CarbonForecast the
	// forecast for Now + the observation's Forecast.Horizon (persistence
	// unless the run's forecast has noise: see CarbonForecast).
	CarbonNow, CarbonForecast float64
	// RTT is the round trip from the function's clients to the region.
	RTT Duration
	// Offer is the model's estimate of one invocation of the function's
	// profile here (Model.Offer): expected latency, cost and carbon now.
	Offer Offer
}

// Option returns what placement pl offers function v now. It is computed
// on demand, so an observation costs nothing for the options no policy
// asks about.
func (o *StrategicObservation) Option(v *FunctionView, pl Placement) OptionView {
	p := &o.Catalog.Providers[pl.Provider]
	r := &p.Regions[pl.Region]
	mo := &p.Memory[pl.Memory]
	b := &p.Billing
	ov := OptionView{Placement: pl, MemoryMB: mo.MB, VCPU: mo.VCPU,
		RequestUSD: b.RequestUSD, GBSecondUSD: r.PriceFactor * b.GBSecondUSD, GHzSecondUSD: r.PriceFactor * b.GHzSecondUSD,
		ProvisionedGBSecondUSD: r.PriceFactor * b.ProvisionedGBSecondUSD,
		CarbonNow:              r.Carbon.At(int64(o.Now)),
		RTT:                    o.Catalog.RTT(v.Zone, pl),
		Offer:                  o.Model.Offer(v, pl, o.Now)}
	ov.CarbonForecast = ov.CarbonNow
	if o.eng != nil {
		ov.CarbonForecast = o.eng.forecastCarbon(pl.Provider, pl.Region, o.Now)
	}
	return ov
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
			end := in.readyAt.addSat(DurationOf(float64(ex.r.ref) * e.pools[in.pool].execScale))
			if ex.started {
				end = e.endOf(&e.pools[in.pool], in, ex) // at the current rate
			}
			v.RunningUntil = append(v.RunningUntil, end)
		}
	}
}
