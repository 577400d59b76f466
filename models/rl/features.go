package rl

import (
	"fmt"
	"math"
	"slices"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Layer is the decision layer a learner plays.
type Layer uint8

const (
	Strategic Layer = iota // DQN: the provider of each function
	Tactical               // PPO: the region and memory size within it
)

func (l Layer) String() string {
	if l == Strategic {
		return "strategic"
	}
	return "tactical"
}

// The observation of one function, feature by feature. Every quantity
// enters as a ratio to the objective's reference invocation (its log where
// it spans decades), so that features sit within a few units of zero
// whatever the function's traffic:
//
// Workload (both layers), 6 features:
//
//	0 log1p(arrivals per minute over the layer's last epoch)
//	1 log1p(mean arrivals per operational interval over the recent history)
//	2 log1p(arrivals in the last operational interval)
//	3 log(mean reference duration / reference latency)   (the prior before any arrival)
//	4 log(largest footprint / 1,024 MB)                  (the prior before any arrival)
//	5 1 once the function has been observed, else 0
//
// Strategic (DQN): then the current provider one-hot (P features, all 0
// before the first placement), then per provider p, at its neutral option
// (the region nearest the function's clients, the smallest action size
// holding its footprint; policy.NearestRegion, policy.FitMemory), 12
// features:
//
//	0 1 if the function can run there (policy.Runnable)
//	1 log(expected cost per invocation / reference cost)      (Model.Offer)
//	2 log(expected latency / reference latency)               (Model.Offer)
//	3 log(expected carbon per invocation / reference carbon)  (Model.Offer)
//	4 grid carbon intensity now / 400 g/kWh
//	5 carbon intensity forecast (Forecast.Horizon ahead) / 400 g/kWh
//	6 round trip from the clients, in units of 100 ms
//	7 1 if the function ran there during an earlier epoch, else 0 (and 8-11 are 0)
//	8-11 the last such epoch's objective terms: log1p of the weighted cost,
//	     performance and carbon terms per invocation relative to the
//	     reference (an idle instance's carbon shared by one invocation makes
//	     a term run to thousands), and the share of finished invocations that
//	     violated their objective
//
// Tactical (PPO): then the provider one-hot (P), the current region
// one-hot (Regions) and size slot one-hot (Slots), all 0 if the function
// is not on this provider yet; the last tactical epoch's objective terms
// (5: ran-flag and 4 terms as above); then per action (region r, slot s;
// A = Regions × Slots), 6 features: 1 if the action is valid (see Mask),
// expected cost, latency and carbon as log ratios, the carbon forecast /
// 400 g/kWh, the round trip in 100 ms (all 0 for an invalid action).
//
// 400 g/kWh is a scale, not a measurement: roughly the world grid's mean
// (IEA 2023: 460-480 g/kWh); any constant of that order serves.
const (
	workloadFeatures = 6
	providerFeatures = 12
	actionFeatures   = 6
	outcomeFeatures  = 5
	carbonScale      = 400.0 // g/kWh
	rttScale         = 100 * sim.Millisecond
	maxProviders     = 16
	maxActions       = 64
)

// Shape is the observation and action shape of a learner, fixed by the
// catalog it was trained on and stored in its checkpoint.
type Shape struct {
	Layer     Layer `json:"layer"`
	Providers int   `json:"providers"`
	// Tactical: regions and memory-size slots per provider (the action
	// set's sizes, smallest first); actions = Regions × Slots.
	Regions int `json:"regions,omitempty"`
	Slots   int `json:"slots,omitempty"`
}

// ShapeOf returns the shape of layer l on cat.
func ShapeOf(l Layer, cat *sim.Catalog) (Shape, error) {
	s := Shape{Layer: l, Providers: len(cat.Providers)}
	if s.Providers < 1 || s.Providers > maxProviders {
		return s, fmt.Errorf("rl: %d providers in the catalog (1..%d)", s.Providers, maxProviders)
	}
	if l == Tactical {
		for i := range cat.Providers {
			p := &cat.Providers[i]
			s.Regions = max(s.Regions, len(p.Regions))
			s.Slots = max(s.Slots, len(actionSizes(p)))
		}
		if s.Regions*s.Slots > maxActions {
			return s, fmt.Errorf("rl: %d regions × %d memory sizes = %d tactical actions (at most %d)", s.Regions, s.Slots, s.Regions*s.Slots, maxActions)
		}
	}
	return s, nil
}

// check reports a shape out of range (a checkpoint's, read from a file).
func (s Shape) check() error {
	switch {
	case s.Layer != Strategic && s.Layer != Tactical:
		return fmt.Errorf("layer %d", s.Layer)
	case s.Providers < 1 || s.Providers > maxProviders:
		return fmt.Errorf("%d providers (1..%d)", s.Providers, maxProviders)
	case s.Layer == Strategic && (s.Regions != 0 || s.Slots != 0):
		return fmt.Errorf("a strategic shape with %d regions and %d slots", s.Regions, s.Slots)
	case s.Layer == Tactical && (s.Regions < 1 || s.Slots < 1 || s.Regions > maxActions || s.Slots > maxActions || s.Regions*s.Slots > maxActions):
		return fmt.Errorf("%d regions × %d memory sizes (at least 1 each, at most %d actions)", s.Regions, s.Slots, maxActions)
	}
	return nil
}

// Fits reports why a catalog cannot be decided by a learner of shape s.
func (s Shape) Fits(cat *sim.Catalog) error {
	got, err := ShapeOf(s.Layer, cat)
	if err != nil {
		return err
	}
	if got.Providers != s.Providers || got.Regions > s.Regions || got.Slots > s.Slots {
		return fmt.Errorf("rl: the checkpoint was trained on %d providers (%d regions × %d sizes); this catalog has %d (%d × %d)",
			s.Providers, s.Regions, s.Slots, got.Providers, got.Regions, got.Slots)
	}
	return nil
}

// Inputs is the observation width.
func (s Shape) Inputs() int {
	if s.Layer == Strategic {
		return workloadFeatures + s.Providers + s.Providers*providerFeatures
	}
	return workloadFeatures + s.Providers + s.Regions + s.Slots + outcomeFeatures + s.Actions()*actionFeatures
}

// Actions is the number of actions.
func (s Shape) Actions() int {
	if s.Layer == Strategic {
		return s.Providers
	}
	return s.Regions * s.Slots
}

// actionSizes lists p's memory options of the tactical action set,
// smallest first.
func actionSizes(p *sim.Provider) []int {
	var out []int
	for m := range p.Memory {
		if policy.IsAction(p, m) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return p.Memory[a].MB - p.Memory[b].MB })
	return out
}

// Featurizer turns observations into feature vectors. It remembers, per
// function, the outcome of its last epoch on each provider (strategic) or
// at its current placement (tactical): it is one episode's (or one
// policy's) state, reset with Reset.
type Featurizer struct {
	Shape Shape
	obj   sim.Objective
	// last[f*P+p]: the last epoch's terms on provider p (strategic);
	// last[f]: the last tactical epoch's (tactical).
	last  [][outcomeFeatures]float64
	seen  []bool // the function has been placed by an earlier decision
	sizes [][]int
	// observed and last0: the time of the last Observe, to tell a new run.
	observed bool
	last0    sim.Time
}

// NewFeaturizer returns a featurizer of shape s for cat, scoring outcomes
// with obj.
func NewFeaturizer(s Shape, cat *sim.Catalog, obj sim.Objective) (*Featurizer, error) {
	if err := s.Fits(cat); err != nil {
		return nil, err
	}
	f := &Featurizer{Shape: s, obj: obj}
	for i := range cat.Providers {
		f.sizes = append(f.sizes, actionSizes(&cat.Providers[i]))
	}
	return f, nil
}

// Reset forgets every function (a new episode).
func (f *Featurizer) Reset() {
	f.last = f.last[:0]
	f.seen = f.seen[:0]
	f.observed = false
}

// terms returns an outcome's ran-flag and objective terms.
func (f *Featurizer) terms(out sim.Outcome) [outcomeFeatures]float64 {
	t, sla := sim.PerInvocation(out)
	w, r := f.obj.Weights, f.obj.Reference
	return [outcomeFeatures]float64{1, math.Log1p(w.Cost * t.CostUSD / r.CostUSD), math.Log1p(w.Performance * float64(t.Latency) / float64(r.Latency)),
		math.Log1p(w.Carbon * t.CarbonG / r.CarbonG), sla}
}

// Finished reports whether an outcome has a finished invocation: only
// such epochs' outcomes are remembered as features (an epoch without one
// leaves the last remembered outcome of that provider in place).
func Finished(out sim.Outcome) bool { return out.Completed+out.Failed > 0 }

// Observe records what the last epoch of every function delivered where
// it ran (call it once per decision, before Features). Observe of the
// first decision of an episode records nothing.
func (f *Featurizer) Observe(obs *sim.StrategicObservation) {
	if f.observed && obs.Now <= f.last0 { // a new run of a reused policy
		f.Reset()
	}
	f.observed, f.last0 = true, obs.Now
	n := len(obs.Functions)
	per := 1
	if f.Shape.Layer == Strategic {
		per = f.Shape.Providers
	}
	if len(f.last) != n*per {
		f.last = make([][outcomeFeatures]float64, n*per)
		f.seen = make([]bool, n)
		return
	}
	for i := range obs.Functions {
		v := &obs.Functions[i]
		f.seen[i] = true
		k := i
		if f.Shape.Layer == Strategic {
			k = i*per + int(v.Placement.Provider)
		}
		if Finished(v.Window) {
			f.last[k] = f.terms(v.Window)
		} else if f.Shape.Layer == Tactical {
			f.last[k] = [outcomeFeatures]float64{}
		}
	}
}

func logRatio(x, ref float64) float64 {
	if !(x > 0) || !(ref > 0) {
		return 0
	}
	return math.Log(x / ref)
}

func log1p(x float64) float64 { return math.Log1p(max(x, 0)) }

// workload writes the 6 workload features of v to x (zeroed).
func (f *Featurizer) workload(v *sim.FunctionView, x []float64) {
	p := &v.Profile
	x[0] = log1p(p.Rate() * 60)
	if n := v.Recent.Len(); n > 0 {
		var s float64
		for k := range n {
			s += float64(v.Recent.At(k))
		}
		x[1] = log1p(s / float64(n))
		x[2] = log1p(float64(v.Recent.Last()))
	}
	x[3] = logRatio(float64(p.MeanDuration), float64(f.obj.Reference.Latency))
	x[4] = logRatio(p.MaxMemoryMB, 1024)
	if p.Observed {
		x[5] = 1
	}
}

// option writes an option's expected cost, latency, carbon (log ratios),
// the carbon intensity now (if now) and forecast, and the round trip to x.
func (f *Featurizer) option(obs *sim.StrategicObservation, v *sim.FunctionView, pl sim.Placement, x []float64, now bool) {
	o := obs.Option(v, pl)
	r := f.obj.Reference
	x[0] = logRatio(o.Offer.CostUSD, r.CostUSD)
	x[1] = logRatio(float64(o.Offer.Latency), float64(r.Latency))
	x[2] = logRatio(o.Offer.CarbonG, r.CarbonG)
	k := 3
	if now {
		x[k] = o.CarbonNow / carbonScale
		k++
	}
	x[k] = o.CarbonForecast / carbonScale
	x[k+1] = float64(o.RTT) / float64(rttScale)
}

// neutral is provider p's neutral option for v: the region nearest its
// clients at the smallest action size holding its footprint.
func neutral(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID) sim.Placement {
	return sim.Placement{Provider: p, Region: policy.NearestRegion(obs.Catalog, v.Zone, p), Memory: policy.FitMemory(&obs.Catalog.Providers[p], v.Profile.MaxMemoryMB)}
}

// Features writes function i's observation to x (Shape.Inputs wide) and,
// for the tactical layer, its action mask to mask (Shape.Actions wide);
// provider is the function's provider on entry (tactical: the strategic
// layer's choice).
func (f *Featurizer) Features(obs *sim.StrategicObservation, i int, provider sim.ProviderID, x []float64, mask []bool) {
	clear(x)
	v := &obs.Functions[i]
	f.workload(v, x)
	k := workloadFeatures
	P := f.Shape.Providers
	placed := len(f.seen) > i && f.seen[i]
	if f.Shape.Layer == Strategic {
		if placed {
			x[k+int(v.Placement.Provider)] = 1
		}
		k += P
		for p := range P {
			pid := sim.ProviderID(p)
			y := x[k : k+providerFeatures]
			k += providerFeatures
			if policy.Runnable(obs, v, pid) {
				y[0] = 1
			}
			f.option(obs, v, neutral(obs, v, pid), y[1:], true)
			if len(f.last) > 0 {
				copy(y[7:], f.last[i*P+p][:])
			}
		}
		return
	}
	x[k+int(provider)] = 1
	k += P
	if placed && v.Placement.Provider == provider {
		x[k+int(v.Placement.Region)] = 1
		if s := slices.Index(f.sizes[provider], int(v.Placement.Memory)); s >= 0 {
			x[k+f.Shape.Regions+s] = 1
		}
	}
	k += f.Shape.Regions + f.Shape.Slots
	if len(f.last) > 0 {
		copy(x[k:], f.last[i][:])
	}
	k += outcomeFeatures
	f.Mask(obs, i, provider, mask)
	for a, ok := range mask {
		if ok {
			y := x[k+a*actionFeatures : k+(a+1)*actionFeatures]
			y[0] = 1
			f.option(obs, v, f.Placement(obs, i, provider, a), y[1:], false)
		}
	}
}

// Mask marks the valid tactical actions of function i on provider: a
// region the provider has, a size slot it offers, at a size eligible for
// the function's footprint that holds it (policy.Eligible). A function
// larger than every action size has one size, the smallest holding it, in
// slot 0; one larger than every size the provider offers (it cannot run
// there) may take any slot the provider offers.
func (f *Featurizer) Mask(obs *sim.StrategicObservation, i int, provider sim.ProviderID, mask []bool) {
	clear(mask)
	v := &obs.Functions[i]
	prov := &obs.Catalog.Providers[provider]
	mb := v.Profile.MaxMemoryMB
	sizes := policy.Eligible(prov, mb)
	slots := f.sizes[provider]
	only := -1
	if sizes.Feasible() && !slices.ContainsFunc(slots, func(m int) bool { return float64(prov.Memory[m].MB) >= mb }) {
		only = int(policy.FitMemory(prov, mb))
	}
	for r := range len(prov.Regions) {
		for s, m := range slots {
			ok := false
			switch {
			case only >= 0:
				ok = s == 0
			case !sizes.Feasible():
				ok = true
			default:
				ok = sizes.Has(m) && float64(prov.Memory[m].MB) >= mb
			}
			mask[r*f.Shape.Slots+s] = ok
		}
	}
}

// Placement is the placement of tactical action a for function i on
// provider (a valid action: see Mask).
func (f *Featurizer) Placement(obs *sim.StrategicObservation, i int, provider sim.ProviderID, a int) sim.Placement {
	r, s := a/f.Shape.Slots, a%f.Shape.Slots
	slots := f.sizes[provider]
	prov := &obs.Catalog.Providers[provider]
	mb := obs.Functions[i].Profile.MaxMemoryMB
	m := slots[s]
	if policy.Eligible(prov, mb).Feasible() && !slices.ContainsFunc(slots, func(m int) bool { return float64(prov.Memory[m].MB) >= mb }) {
		m = int(policy.FitMemory(prov, mb))
	}
	return sim.Placement{Provider: provider, Region: uint8(r), Memory: uint8(m)}
}

// Scale is the reward scale of function i: the objective's value of one
// expected invocation (Model.Offer) at the best of the providers' neutral
// options (nearest region, fitted memory), at least 1. A function's
// rewards span four decades across functions (its own execution time and
// footprint enter its cost and latency, and no placement removes them), so
// that a learner's regression would be dominated by the longest-running,
// largest ones. Each function's decisions form their own problem (a
// transition is one function over one epoch), and dividing one function's
// rewards by a positive number that depends only on what the decision
// observes leaves its best actions unchanged where the scale stays the same
// along its trajectory (approximately: it moves with the profile and the
// grid's carbon, and at γ = 0.5 the next epochs weigh little). Learning
// curves and tables report the objective itself, unscaled.
func (f *Featurizer) Scale(obs *sim.StrategicObservation, i int) float64 {
	v := &obs.Functions[i]
	best := math.Inf(1)
	for p := range obs.Catalog.Providers {
		o := obs.Model.Offer(v, neutral(obs, v, sim.ProviderID(p)), obs.Now)
		best = min(best, f.obj.Score(sim.Terms{CostUSD: o.CostUSD, Latency: o.Latency, CarbonG: o.CarbonG}, f.obj.Reference))
	}
	if !(best > 1) { // NaN too
		return 1
	}
	return best
}
