package policies_test

import (
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Provider indexes of smallAndBig.
const (
	small sim.ProviderID = 0
	big   sim.ProviderID = 1
)

// smallAndBig is a catalog of two providers. "small" offers at most 1.5 GB
// and a 60 s timeout but wins on every metric: cheaper, greener, nearer,
// faster, warm. "big" has the action set {512, 1024} MB and offers 2048
// and 4096 MB beyond it, bills the memory used (every size holding a
// footprint costs the same) and has no timeout.
func smallAndBig() *sim.Catalog {
	opts := func(action []int, beyond ...int) []sim.MemoryOption {
		var out []sim.MemoryOption
		for _, mb := range action {
			out = append(out, sim.MemoryOption{MB: mb, VCPU: 1, Action: true})
		}
		for _, mb := range beyond {
			out = append(out, sim.MemoryOption{MB: mb, VCPU: 1})
		}
		return out
	}
	power := sim.PowerModel{MinWPerVCPU: 1, MaxWPerVCPU: 4, MemWPerGB: 0.4, PUE: 1.1}
	return &sim.Catalog{
		Providers: []sim.Provider{{
			Name: "small",
			Regions: []sim.Region{{Name: "s-east", Role: "us-east", Carbon: carbon.Constant(10), PriceFactor: 1},
				{Name: "s-west", Role: "us-west", Carbon: carbon.Constant(10), PriceFactor: 1}},
			Memory:    opts([]int{128, 512, 1024, 1536}),
			Billing:   billing.Rules{RequestUSD: 1e-8, GranularityUS: 1000, GBSecondUSD: 1e-7},
			Power:     power,
			ColdStart: dist.Constant{V: 0.01},
			KeepAlive: sim.Hour,
			Limits:    sim.Limits{Timeout: 60 * sim.Second},
			Speed:     0.5,

			InstanceConcurrency: 1,
		}, {
			Name: "big",
			Regions: []sim.Region{{Name: "b-east", Role: "us-east", Carbon: carbon.Constant(800), PriceFactor: 1},
				{Name: "b-west", Role: "us-west", Carbon: carbon.Constant(400), PriceFactor: 1.2}},
			Memory:    opts([]int{512, 1024}, 2048, 4096),
			Billing:   billing.Rules{RequestUSD: 1e-6, GranularityUS: 1000, GBSecondUSD: 1e-4, Memory: billing.Observed, MemoryStepMB: 128},
			Power:     power,
			ColdStart: dist.Constant{V: 2},
			KeepAlive: sim.Minute,
			Speed:     1.5,

			InstanceConcurrency: 1,
		}},
		Zones: []sim.Zone{{Name: "us-east", RTT: [][]sim.Duration{
			{sim.Millisecond, 60 * sim.Millisecond},
			{80 * sim.Millisecond, 40 * sim.Millisecond}}}},
	}
}

// fn is a function profile: footprint, mean and longest duration.
type fn struct {
	mb        float64
	mean, max sim.Duration
}

func observeFns(cat *sim.Catalog, fns ...fn) *sim.StrategicObservation {
	obs := &sim.StrategicObservation{Catalog: cat,
		Model: sim.NewModel(cat, 0.5, 0.5, sim.SLO{Factor: 2, Slack: 500 * sim.Millisecond})}
	for i, f := range fns {
		obs.Functions = append(obs.Functions, sim.FunctionView{ID: sim.FunctionID(i),
			Profile: sim.Profile{WindowArrivals: 3600, Window: sim.Hour, MeanDuration: f.mean, MaxDuration: f.max,
				MaxMemoryMB: f.mb, Observed: true}})
	}
	return obs
}

func envOf(cat *sim.Catalog) policy.Env {
	return policy.Env{Catalog: cat, Streams: sim.NewStreams(1, 0),
		Objective: sim.DefaultObjective(), Tick: 15 * sim.Second}
}

// A function with a 2 GB footprint (or one running past small's timeout)
// can run only on big: no strategic baseline but single-cloud puts it on
// small, though small wins every metric for a function that fits it.
func TestStrategicBaselinesAvoidProvidersThatCannotRunTheFunction(t *testing.T) {
	cat := smallAndBig()
	fits := fn{300, 200 * sim.Millisecond, 400 * sim.Millisecond}
	tooBig := fn{2000, 200 * sim.Millisecond, 400 * sim.Millisecond}
	// Small's timeout is 60 s; at speed 0.5 and one vCPU it runs 150 s in 75 s.
	tooLong := fn{300, 150 * sim.Second, 200 * sim.Second}
	var fns []fn
	for range 8 { // enough that a draw among both providers would hit small
		fns = append(fns, tooBig, tooLong)
	}
	fns = append(fns, fits)
	obs := observeFns(cat, fns...)
	for _, c := range []struct {
		name     string
		settings map[string]any
		epochs   int
		metric   bool // scores offers: the fitting function goes to small
	}{
		{"cheapest", nil, 1, true}, {"greenest", nil, 1, true}, {"lowest-latency", nil, 1, true},
		{"skypilot", nil, 1, true}, {"weighted-greedy", nil, 1, true},
		{"random", map[string]any{"sticky": false}, 5, false}, {"random", nil, 2, false},
		{"round-robin", map[string]any{"rotate": true}, 3, false}, {"round-robin", nil, 1, false},
	} {
		p, err := policies.Builtin().NewStrategic(c.name, scenarios.Args(c.settings), envOf(cat))
		if err != nil {
			t.Fatal(err)
		}
		out := make([]sim.ProviderID, len(fns))
		for e := range c.epochs {
			p.Providers(obs, out)
			for i := range fns[:len(fns)-1] {
				if out[i] != big {
					t.Errorf("%s %v epoch %d: function %d (%+v) on %s, which cannot run it", c.name, c.settings, e, i, fns[i], cat.Providers[out[i]].Name)
				}
			}
			if last := len(fns) - 1; c.metric && out[last] != small {
				t.Errorf("%s: the fitting function on %s, not on small, which wins every metric", c.name, cat.Providers[out[last]].Name)
			}
		}
	}
	// Single-cloud is exempt: it places where it is told to.
	p, err := policies.Builtin().NewStrategic("single-cloud", scenarios.Args(map[string]any{"provider": "small"}), envOf(cat))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]sim.ProviderID, len(fns))
	p.Providers(obs, out)
	if out[0] != small {
		t.Errorf("single-cloud small put the 2 GB function on %s", cat.Providers[out[0]].Name)
	}
}

// A function no provider can run goes anywhere (the engine counts it as
// infeasible): random and round-robin then deal among all providers.
func TestRunnableFallsBackToEveryProvider(t *testing.T) {
	cat := smallAndBig()
	obs := observeFns(cat, fn{8000, sim.Second, sim.Second}, fn{2000, sim.Second, sim.Second})
	if got := policy.RunnableProviders(nil, obs, &obs.Functions[0]); len(got) != 2 {
		t.Errorf("an 8 GB function runs nowhere, yet the fallback is %v", got)
	}
	if got := policy.RunnableProviders(nil, obs, &obs.Functions[1]); len(got) != 1 || got[0] != big {
		t.Errorf("a 2 GB function runnable on %v, want [big]", got)
	}
}

func TestMemoryBeyondTheActionSet(t *testing.T) {
	cat := smallAndBig()
	b := &cat.Providers[big]
	for _, c := range []struct {
		mb       float64
		headroom float64
		want     int // MB
	}{
		{100, 0, 512}, {900, 0, 1024}, {1024, 0, 1024},
		{1025, 0, 2048}, // above every action size: the smallest offered size holding it
		{2000, 0, 2048}, {2049, 0, 4096},
		{5000, 0, 4096},   // above every size: infeasible, the largest
		{900, 0.5, 1024},  // the headroom does not leave the action set
		{1500, 0.5, 2048}, // beyond it, the smallest size holding the footprint
		{3000, 0.5, 4096},
	} {
		if got := b.Memory[policy.FitFootprint(b, c.mb, c.headroom)].MB; got != c.want {
			t.Errorf("FitFootprint(%v MB, headroom %v) = %d MB, want %d", c.mb, c.headroom, got, c.want)
		}
		if c.headroom == 0 {
			if got := b.Memory[policy.FitMemory(b, c.mb)].MB; got != c.want {
				t.Errorf("FitMemory(%v MB) = %d MB, want %d", c.mb, got, c.want)
			}
		}
	}
	sizes := policy.Eligible(b, 2000)
	for m, o := range b.Memory {
		if sizes.Has(m) != (o.MB == 2048) {
			t.Errorf("a 2000 MB footprint: %d MB eligible %v", o.MB, sizes.Has(m))
		}
	}
	if sizes = policy.Eligible(b, 300); sizes.Has(2) || sizes.Has(3) || !sizes.Has(0) || !sizes.Has(1) || !sizes.Feasible() {
		t.Error("a 300 MB footprint may take a size beyond the action set")
	}
	if policy.Eligible(b, 5000).Feasible() {
		t.Error("a 5000 MB footprint is feasible on a provider of 4096 MB at most")
	}
	// A catalog built without an action set offers every size.
	s := cat.Providers[small]
	s.Memory = append([]sim.MemoryOption(nil), s.Memory...)
	for i := range s.Memory {
		s.Memory[i].Action = false
	}
	if got := s.Memory[policy.FitMemory(&s, 1400)].MB; got != 1536 {
		t.Errorf("no action set: FitMemory(1400) = %d MB, want 1536", got)
	}
}

// Every tactical baseline gives a function the smallest size beyond the
// action set that holds it when its footprint exceeds the action set, and
// never a size below a footprint that some eligible size holds.
func TestTacticalBaselinesHoldTheFootprint(t *testing.T) {
	cat := smallAndBig()
	var fns []fn
	for _, mb := range []float64{100, 300, 512, 700, 1024, 1025, 1500, 2000, 2048, 3000} {
		fns = append(fns, fn{mb, 200 * sim.Millisecond, 400 * sim.Millisecond})
	}
	obs := observeFns(cat, fns...)
	for _, c := range []struct {
		name     string
		settings map[string]any
	}{
		{"nearest", nil}, {"nearest", map[string]any{"headroom": 0.3}}, {"cheapest-region", nil}, {"greenest-region", nil},
		{"fixed", nil}, {"fixed", map[string]any{"memory_mb": 128}}, {"fixed", map[string]any{"memory_mb": 512, "region": "us-west"}},
		{"power-tuning", nil},
	} {
		p, err := policies.Builtin().NewTactical(c.name, scenarios.Args(c.settings), envOf(cat))
		if err != nil {
			t.Fatal(err)
		}
		for pi := range cat.Providers {
			prov := &cat.Providers[pi]
			out := make([]sim.Placement, len(fns))
			for i := range out {
				out[i].Provider = sim.ProviderID(pi)
			}
			p.Placements(obs, out)
			for i, pl := range out {
				mb, fp := prov.Memory[pl.Memory].MB, fns[i].mb
				if fp > float64(prov.MaxMemoryMB()) {
					continue // infeasible: any size will do
				}
				if float64(mb) < fp {
					t.Errorf("%s %v on %s: %d MB for a %v MB footprint", c.name, c.settings, prov.Name, mb, fp)
				}
				if !policy.IsAction(prov, int(pl.Memory)) && mb != prov.Memory[policy.FitMemory(prov, fp)].MB {
					t.Errorf("%s %v on %s: %d MB beyond the action set for a %v MB footprint, want the smallest holding it",
						c.name, c.settings, prov.Name, mb, fp)
				}
				if c.name == "power-tuning" && prov.Name == "big" && fp <= 1024 && mb != 1024 {
					// Big bills the memory used: every action size holding the
					// footprint costs the same, and the larger wins the tie.
					t.Errorf("power-tuning on big: %d MB for %v MB, want 1024 (the largest action size)", mb, fp)
				}
			}
		}
	}
}
