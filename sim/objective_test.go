package sim_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// handObjective is the objective of the hand computations below: the
// default weights and round references, so that the arithmetic is easy to
// follow.
var handObjective = sim.Objective{
	Weights:   sim.ObjectiveWeights{Cost: 0.4, Performance: 0.4, Carbon: 0.2, SLA: 1},
	Reference: sim.Terms{CostUSD: 1e-5, Latency: sim.Second, CarbonG: 1e-3},
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// TestObjectiveTwoFunctionsByHand runs two functions for one 30 s epoch on
// the test catalog and checks the reward the engine's outcome yields
// against one computed by hand from the catalog's figures.
//
// World (testCatalog): 2,048 MB = 2 GB with 1 vCPU, no network delay, cold
// start 0.5 s, keep-alive 10 s, $1e-7 per request, $1e-5 per GB-s, power
// 1 W idle / 4 W max per vCPU, 0.4 W per GB, PUE 1.1, 100 g/kWh; busy
// utilisation 0.5; SLO fixed at 1 s.
//
// Powers (facility watts): busy CPU (1 + 0.5·3)·1.1 = 2.75, idle CPU
// 1·1.1 = 1.1, memory 2·0.4·1.1 = 0.88. Busy (starting or executing) 3.63 W,
// idle 1.98 W.
//
// f0: arrives at 1 s, runs 0.2 s. Cold start 0.5 s, so latency 0.7 s (SLO
// met). Cost 1e-7 + 0.2·2·1e-5 = 4.1e-6. Energy 0.7·3.63 + 10·1.98 = 22.341
// J; carbon 22.341/3.6e6·100 = 6.205833e-4 g. Value 0.4·4.1e-6/1e-5 +
// 0.4·0.7/1 + 0.2·6.205833e-4/1e-3 + 1·0 = 0.164 + 0.28 + 0.1241167 =
// 0.5681167.
//
// f1: arrives at 2 s, runs 0.8 s: latency 1.3 s, a violation. Cost 1e-7 +
// 0.8·2·1e-5 = 1.61e-5. Energy 1.3·3.63 + 10·1.98 = 24.519 J; carbon
// 6.810833e-4 g. Value 0.4·1.61 + 0.4·1.3 + 0.2·0.6810833 + 1·1 = 0.644 +
// 0.52 + 0.1362167 + 1 = 2.3002167.
func TestObjectiveTwoFunctionsByHand(t *testing.T) {
	f1 := at(2, 0.8)
	f1.Function = 1
	cfg := baseConfig(testCatalog(dist.Constant{V: 0.5}, 10*sim.Second, sim.Limits{}), newList(sim.Time(sim.Minute), 2, at(1, 0.2), f1), nil)
	cfg.Strategic = nil // decided here, to read the epoch's outcome
	cfg.StrategicEpoch, cfg.TacticalEpoch = 30*sim.Second, 30*sim.Second
	cfg.SLO = sim.SLO{Fixed: sim.Second}
	e, err := sim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.5681167, 2.3002167} // by hand, above
	checked := false
	for {
		r, err := e.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if r.Phase == sim.PhaseDone {
			break
		}
		if r.Phase == sim.PhaseStrategic && r.Now == sim.Time(30*sim.Second) {
			for i, v := range r.Functions.Functions {
				got := handObjective.Reward(v.Window)
				if math.Abs(got+want[i]) > 1e-7 {
					t.Errorf("function %d: reward %.9g, by hand %.9g (outcome %+v)", i, got, -want[i], v.Window)
				}
			}
			checked = true
		}
		if err := e.Advance(); err != nil {
			t.Fatal(err)
		}
	}
	if !checked {
		t.Fatal("no strategic decision at 30 s")
	}
}

// TestObjectiveOutcomeByHand checks Value on outcomes built by hand,
// including an epoch with no finished invocation and a whole run.
func TestObjectiveOutcomeByHand(t *testing.T) {
	for _, c := range []struct {
		name string
		out  sim.Outcome
		want float64
	}{
		// n = 4: cost 4e-5/4/1e-5 = 1 → 0.4; latency 3 s/3/1 s = 1 → 0.4;
		// carbon 2e-4/4/1e-3 = 0.05 → 0.01; SLA 2/4 → 0.5. Sum 1.31.
		{"served", sim.Outcome{Completed: 3, Failed: 1, SLAViolations: 2, CostUSD: 4e-5, CarbonG: 2e-4, LatencySum: 3 * sim.Second}, 1.31},
		// Nothing finished (a pre-warm held for nothing): n = 1, cost
		// 1e-5/1e-5 → 0.4; no latency; carbon 5e-4/1e-3 = 0.5 → 0.1. 0.5.
		{"idle", sim.Outcome{CostUSD: 1e-5, CarbonG: 5e-4}, 0.5},
		// Only failures: n = 2; cost 2e-5/2/1e-5 → 0.4; no latency; SLA
		// 2/2 → 1. 1.4.
		{"failed", sim.Outcome{Failed: 2, SLAViolations: 2, CostUSD: 2e-5}, 1.4},
		{"empty", sim.Outcome{}, 0},
	} {
		if got := handObjective.Value(c.out); !closeTo(got, c.want) {
			t.Errorf("%s: value %.12g, by hand %.12g", c.name, got, c.want)
		}
		if got := handObjective.Reward(c.out); got != -handObjective.Value(c.out) {
			t.Errorf("%s: reward %v is not minus the value", c.name, got)
		}
	}
}

// TestObjectiveScore checks Score against the weighted sum of ratios, a
// zero norm dropping its term, and that the SLA weight does not enter.
func TestObjectiveScore(t *testing.T) {
	o := handObjective
	// 0.4·2/4 + 0.4·3/6 + 0.2·1/2 = 0.2 + 0.2 + 0.1.
	if got := o.Score(sim.Terms{CostUSD: 2, Latency: 3, CarbonG: 1}, sim.Terms{CostUSD: 4, Latency: 6, CarbonG: 2}); !closeTo(got, 0.5) {
		t.Errorf("score %v, by hand 0.5", got)
	}
	if got := o.Score(sim.Terms{CostUSD: 2, Latency: 3, CarbonG: 1}, sim.Terms{CostUSD: 4}); !closeTo(got, 0.2) {
		t.Errorf("score with zero norms %v, by hand 0.2", got)
	}
}

func TestObjectiveCheck(t *testing.T) {
	if err := sim.DefaultObjective().Check(); err != nil {
		t.Errorf("default objective: %v", err)
	}
	bad := []sim.Objective{
		{Weights: sim.ObjectiveWeights{}, Reference: sim.ReferenceInvocation},
		{Weights: sim.ObjectiveWeights{Cost: -1, SLA: 2}, Reference: sim.ReferenceInvocation},
		{Weights: sim.DefaultObjectiveWeights, Reference: sim.Terms{CostUSD: 1, Latency: 0, CarbonG: 1}},
		{Weights: sim.DefaultObjectiveWeights, Reference: sim.Terms{CostUSD: math.NaN(), Latency: 1, CarbonG: 1}},
	}
	for _, o := range bad {
		if err := o.Check(); err == nil || !strings.Contains(err.Error(), "objective") {
			t.Errorf("%+v: got %v, want an objective error", o, err)
		}
	}
}
