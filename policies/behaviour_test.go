package policies_test

import (
	"math"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// observe builds a strategic/tactical observation of functions with the
// given (rate per second, mean duration, footprint MB, zone).
func observe(cat *sim.Catalog, profiles ...[4]float64) *sim.StrategicObservation {
	obs := &sim.StrategicObservation{Now: 0, Catalog: cat,
		Model: sim.NewModel(cat, 0.5, 0.5, sim.SLO{Factor: 2, Slack: 500 * sim.Millisecond})}
	for i, p := range profiles {
		obs.Functions = append(obs.Functions, sim.FunctionView{ID: sim.FunctionID(i), Zone: sim.ZoneID(p[3]),
			Profile: sim.Profile{WindowArrivals: int64(p[0] * 3600), Window: sim.Hour, MeanDuration: sim.FromSeconds(p[1]),
				MaxMemoryMB: p[2], Observed: true}})
	}
	return obs
}

func strategic(t *testing.T, name string, settings map[string]any) sim.Strategic {
	t.Helper()
	e, _ := env(t)
	p, err := policies.Builtin().NewStrategic(name, scenarios.Args(settings), e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func tactical(t *testing.T, name string, settings map[string]any) sim.Tactical {
	t.Helper()
	e, _ := env(t)
	p, err := policies.Builtin().NewTactical(name, scenarios.Args(settings), e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func operational(t *testing.T, name string, settings map[string]any) sim.Operational {
	t.Helper()
	e, _ := env(t)
	p, err := policies.Builtin().NewOperational(name, scenarios.Args(settings), e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// profiles covers rare and busy, short and long, small and large functions
// in every zone.
var profiles = [][4]float64{
	{0.0003, 0.2, 120, 0}, {5, 0.05, 60, 1}, {0.01, 30, 900, 2}, {1, 2, 300, 3},
	{0.001, 120, 2500, 0}, {20, 0.5, 170, 1}, {0.1, 5, 1400, 2}, {0, 0.7, 170, 3},
}

// naiveBest scores every eligible option (the action sizes, or the one
// offered size holding a larger footprint) of every provider the slow way:
// options that are feasible and meet the SLO first, then feasible ones,
// then the largest eligible memory sizes.
func naiveBest(obs *sim.StrategicObservation, v *sim.FunctionView, metric func(*sim.Offer) float64) sim.ProviderID {
	bestRank, bestScore, best := 9, math.Inf(1), sim.ProviderID(0)
	for pi := range obs.Catalog.Providers {
		p := &obs.Catalog.Providers[pi]
		eligible := policy.Eligible(p, v.Profile.MaxMemoryMB)
		largest := -1
		for m := range p.Memory {
			if eligible.Has(m) && (largest < 0 || p.Memory[m].MB > p.Memory[largest].MB) {
				largest = m
			}
		}
		for r := range p.Regions {
			for m := range p.Memory {
				if !eligible.Has(m) {
					continue
				}
				o := obs.Model.Offer(v, sim.Placement{Provider: sim.ProviderID(pi), Region: uint8(r), Memory: uint8(m)}, obs.Now)
				rank := 2
				switch {
				case o.Feasible && o.MeetsSLO:
					rank = 0
				case o.Feasible:
					rank = 1
				case m != largest:
					continue
				}
				if s := metric(&o); rank < bestRank || (rank == bestRank && s < bestScore) {
					bestRank, bestScore, best = rank, s, sim.ProviderID(pi)
				}
			}
		}
	}
	return best
}

func TestMetricStrategicPoliciesAgreeWithNaiveSearch(t *testing.T) {
	_, cat := env(t)
	obs := observe(cat, profiles...)
	for name, metric := range map[string]func(*sim.Offer) float64{
		"greenest":       func(o *sim.Offer) float64 { return o.CarbonG },
		"lowest-latency": func(o *sim.Offer) float64 { return float64(o.Latency) },
		"skypilot":       func(o *sim.Offer) float64 { return o.CostUSD },
	} {
		out := make([]sim.ProviderID, len(profiles))
		strategic(t, name, nil).Providers(obs, out)
		for i := range out {
			if want := naiveBest(obs, &obs.Functions[i], metric); out[i] != want {
				t.Errorf("%s: function %d on %s, naive search picks %s", name, i, cat.Providers[out[i]].Name, cat.Providers[want].Name)
			}
		}
	}
}

func TestSimpleStrategicPolicies(t *testing.T) {
	_, cat := env(t)
	obs := observe(cat, profiles...)
	out := make([]sim.ProviderID, len(profiles))
	strategic(t, "single-cloud", map[string]any{"provider": "gcp"}).Providers(obs, out)
	for i := range out {
		if out[i] != 2 {
			t.Fatalf("single-cloud gcp put function %d on %d", i, out[i])
		}
	}
	rr := strategic(t, "round-robin", map[string]any{"rotate": true})
	rr.Providers(obs, out)
	first := append([]sim.ProviderID(nil), out...)
	rr.Providers(obs, out)
	for i := range out {
		// Function 4 (2.5 GB) cannot run on Azure (1.5 GB at most): it is
		// dealt among AWS and GCP.
		ps := policy.RunnableProviders(nil, obs, &obs.Functions[i])
		if len(ps) != 3 && i != 4 {
			t.Fatalf("function %d runs only on %v", i, ps)
		}
		if first[i] != ps[i%len(ps)] || out[i] != ps[(i+1)%len(ps)] {
			t.Fatalf("round-robin with rotation: function %d on %d then %d", i, first[i], out[i])
		}
	}
	rnd := strategic(t, "random", nil)
	rnd.Providers(obs, out)
	a := append([]sim.ProviderID(nil), out...)
	rnd.Providers(obs, out)
	counts := map[sim.ProviderID]int{}
	for i := range out {
		if out[i] != a[i] {
			t.Fatalf("sticky random moved function %d", i)
		}
		counts[out[i]]++
	}
	if len(counts) < 2 {
		t.Errorf("random put all %d functions on one provider", len(out))
	}
	// Cheapest compares price lists: Azure bills the memory used at $16/M GB-s.
	strategic(t, "cheapest", nil).Providers(observe(cat, [4]float64{1, 1, 170, 0}), out[:1])
	if cat.Providers[out[0]].Name != "azure" {
		t.Errorf("cheapest chose %s for a 1 s, 170 MB function", cat.Providers[out[0]].Name)
	}
}

func TestTacticalPolicies(t *testing.T) {
	_, cat := env(t)
	obs := observe(cat, profiles...)
	place := func(p sim.Tactical, provider sim.ProviderID) []sim.Placement {
		out := make([]sim.Placement, len(profiles))
		for i := range out {
			out[i].Provider = provider
		}
		p.Placements(obs, out)
		for i, pl := range out {
			if pl.Provider != provider || !cat.Valid(pl) {
				t.Fatalf("%s: invalid placement %+v for function %d", p.Name(), pl, i)
			}
		}
		return out
	}
	for pi := range cat.Providers {
		prov := sim.ProviderID(pi)
		p := &cat.Providers[pi]
		for i, pl := range place(tactical(t, "nearest", nil), prov) {
			v := &obs.Functions[i]
			if p.Regions[pl.Region].Role != cat.Zones[v.Zone].Name {
				t.Errorf("nearest: %s zone %s placed in %s", p.Name, cat.Zones[v.Zone].Name, p.Regions[pl.Region].Name)
			}
			if want := policy.FitMemory(p, v.Profile.MaxMemoryMB); pl.Memory != want {
				t.Errorf("nearest: memory %d MB for a %v MB footprint", p.Memory[pl.Memory].MB, v.Profile.MaxMemoryMB)
			}
		}
		// Fixed 512 MB, raised to the size holding a larger footprint.
		for i, pl := range place(tactical(t, "fixed", map[string]any{"region": "europe", "memory_mb": 512}), prov) {
			want := p.Memory[policy.FitMemory(p, 512)].MB // Azure offers 1536 MB only
			if fit := p.Memory[policy.FitMemory(p, obs.Functions[i].Profile.MaxMemoryMB)].MB; fit > want {
				want = fit
			}
			if p.Regions[pl.Region].Role != "europe" || p.Memory[pl.Memory].MB != want {
				t.Errorf("fixed europe/512: %s %s %d MB, want %d", p.Name, p.Regions[pl.Region].Name, p.Memory[pl.Memory].MB, want)
			}
		}
		for _, pl := range place(tactical(t, "greenest-region", nil), prov) {
			if p.Regions[pl.Region].Role != "us-west" { // 79.23 g/kWh, the lowest of the four
				t.Errorf("greenest-region: %s %s", p.Name, p.Regions[pl.Region].Name)
			}
		}
		// Where a provider's prices are uniform across its regions,
		// cheapest-region falls back to the nearest; otherwise (GCP's
		// europe-west3 is a Tier 2 region) it never takes a dearer one.
		uniform, cheapest := true, math.Inf(1)
		for _, r := range p.Regions {
			uniform = uniform && r.PriceFactor == p.Regions[0].PriceFactor
			cheapest = math.Min(cheapest, r.PriceFactor)
		}
		for i, pl := range place(tactical(t, "cheapest-region", nil), prov) {
			if !uniform {
				if p.Regions[pl.Region].PriceFactor != cheapest {
					t.Errorf("cheapest-region: %s %s at price factor %v", p.Name, p.Regions[pl.Region].Name, p.Regions[pl.Region].PriceFactor)
				}
				continue
			}
			if p.Regions[pl.Region].Role != cat.Zones[obs.Functions[i].Zone].Name {
				t.Errorf("cheapest-region on equal prices: %s %s for zone %s", p.Name, p.Regions[pl.Region].Name, cat.Zones[obs.Functions[i].Zone].Name)
			}
		}
		// Power tuning: the chosen size meets the SLO if any feasible size
		// does, and no cheaper feasible size does.
		for i, pl := range place(tactical(t, "power-tuning", nil), prov) {
			v := &obs.Functions[i]
			chosen := obs.Model.Offer(v, pl, 0)
			anyMeets := false
			eligible := policy.Eligible(p, v.Profile.MaxMemoryMB)
			for m := range p.Memory {
				if !eligible.Has(m) {
					continue
				}
				o := obs.Model.Offer(v, sim.Placement{Provider: prov, Region: pl.Region, Memory: uint8(m)}, 0)
				if o.Feasible && o.MeetsSLO {
					anyMeets = true
					if chosen.Feasible && chosen.MeetsSLO && o.CostUSD < chosen.CostUSD {
						t.Errorf("power-tuning %s f%d: %d MB costs %g < chosen %d MB %g", p.Name, i, p.Memory[m].MB, o.CostUSD, p.Memory[pl.Memory].MB, chosen.CostUSD)
					}
				}
			}
			if anyMeets && !(chosen.Feasible && chosen.MeetsSLO) {
				t.Errorf("power-tuning %s f%d: chose %d MB, missing the SLO when another size meets it", p.Name, i, p.Memory[pl.Memory].MB)
			}
			if !chosen.Feasible && pl.Memory != uint8(len(p.Memory)-1) {
				t.Errorf("power-tuning %s f%d: no size fits, yet chose %d MB, not the largest", p.Name, i, p.Memory[pl.Memory].MB)
			}
		}
	}
}

func TestOperationalPolicies(t *testing.T) {
	_, cat := env(t)
	iv := 15 * sim.Second
	decide := func(p sim.Operational, obs *sim.OperationalObservation) []sim.PoolDecision {
		out := make([]sim.PoolDecision, len(obs.Pools))
		p.Decide(obs, out)
		return out
	}
	pool := func(busy sim.Duration) sim.PoolView {
		return sim.PoolView{Function: 0, ExecScale: 1, BusyTime: busy, LastFinish: -1, LastArrival: -1}
	}
	// static-2x: 0.6 busy instances on average -> ceil(1.2) = 2.
	out := decide(operational(t, "static-2x", nil), &sim.OperationalObservation{Interval: iv, Catalog: cat, Pools: []sim.PoolView{pool(iv * 6 / 10)}})
	if out[0].Prewarm != 2 || out[0].KeepAlive != sim.ProviderKeepAlive {
		t.Errorf("static-2x: %+v, want 2 pre-warmed", out[0])
	}
	// moving-average over 4 intervals: 1, 3, 0, 2 busy -> mean 1.5 -> 2.
	ma := operational(t, "moving-average", map[string]any{"window": 4})
	for _, b := range []sim.Duration{1, 3, 0, 2} {
		out = decide(ma, &sim.OperationalObservation{Interval: iv, Catalog: cat, Pools: []sim.PoolView{pool(b * iv)}})
	}
	if out[0].Prewarm != 2 {
		t.Errorf("moving-average: %+v, want 2", out[0])
	}
	// oracle: three executions overlap in the lookahead, a fourth starts
	// after they end; with one execution in progress until 2.5 s, four.
	or := operational(t, "oracle", nil)
	future := []sim.Invocation{
		{Arrival: 0, Duration: 10 * sim.Second}, {Arrival: sim.Time(sim.Second), Duration: 5 * sim.Second},
		{Arrival: sim.Time(2 * sim.Second), Duration: 5 * sim.Second}, {Arrival: sim.Time(20 * sim.Second), Duration: sim.Second},
	}
	out = decide(or, &sim.OperationalObservation{Interval: iv, Catalog: cat, Pools: []sim.PoolView{pool(0)}, Future: future})
	if out[0].Prewarm != 3 || out[0].KeepAlive != 0 {
		t.Errorf("oracle: %+v, want 3 pre-warmed and keep-alive 0", out[0])
	}
	running := pool(0)
	running.RunningUntil = []sim.Time{sim.Time(2500 * sim.Millisecond)}
	out = decide(or, &sim.OperationalObservation{Interval: iv, Catalog: cat, Pools: []sim.PoolView{running}, Future: future})
	if out[0].Prewarm != 4 {
		t.Errorf("oracle with an execution in progress: %+v, want 4 pre-warmed", out[0])
	}
	// Two ticks, plus the catalog's longest provisioning delay (AWS, 2 min):
	// its pre-warms must be ready in time.
	if c, ok := or.(sim.Clairvoyant); !ok || c.Lookahead() != 2*iv+2*sim.Minute {
		t.Errorf("oracle reads %v ahead by default, want two ticks + 2m", c.Lookahead())
	}
}

// The hybrid histogram learns a regular 30-minute idle time: it unloads
// after execution, pre-warms from 27 minutes (5th percentile bin 30 less
// 10%) and keeps the instance to 34.1 minutes (bin 31 plus 10%).
func TestHybridHistogram(t *testing.T) {
	_, cat := env(t)
	h := operational(t, "hybrid-histogram", nil)
	obsAt := func(idle sim.Duration) *sim.OperationalObservation {
		return &sim.OperationalObservation{Now: sim.Time(10 * sim.Hour), Interval: 15 * sim.Second, Catalog: cat,
			Pools: []sim.PoolView{{Function: 0, LastFinish: sim.Time(10*sim.Hour) - sim.Time(idle)}}}
	}
	out := make([]sim.PoolDecision, 1)
	h.Decide(obsAt(0), out)
	if out[0].KeepAlive != 4*sim.Hour || out[0].Prewarm != 0 {
		t.Errorf("before any idle time: %+v, want the 4 h keep-alive", out[0])
	}
	obsv := h.(sim.IdleTimeObserver)
	for range 50 {
		obsv.ObserveIdleTime(0, 30*sim.Minute+20*sim.Second)
	}
	for _, c := range []struct {
		idle    sim.Duration
		prewarm int
	}{{10 * sim.Minute, 0}, {26*sim.Minute + 50*sim.Second, 1}, {30 * sim.Minute, 1}, {34 * sim.Minute, 1}, {35 * sim.Minute, 0}} {
		h.Decide(obsAt(c.idle), out)
		if out[0].Prewarm != c.prewarm || out[0].KeepAlive != 0 {
			t.Errorf("idle %v: %+v, want %d pre-warmed, keep-alive 0", c.idle, out[0], c.prewarm)
		}
	}
	// Idle times beyond the 4 h range: forecast the last one, +-15%.
	for range 10 {
		obsv.ObserveIdleTime(1, 6*sim.Hour)
	}
	h.Decide(&sim.OperationalObservation{Now: sim.Time(20 * sim.Hour), Interval: 15 * sim.Second, Catalog: cat,
		Pools: []sim.PoolView{{Function: 1, LastFinish: sim.Time(20*sim.Hour) - sim.Time(5*sim.Hour+12*sim.Minute)}}}, out)
	if out[0].Prewarm != 1 {
		t.Errorf("out-of-range pattern at 5.2 h idle: %+v, want pre-warmed (window 5.1-6.9 h)", out[0])
	}
}
