package sim_test

import (
	"context"
	"fmt"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// A training loop drives the operational layer itself: the layer's policy
// is nil in the Config, so Next stops at every tick with the pools'
// observation, and the caller's decisions are applied by Advance. Here the
// "agent" holds one pre-warmed instance while the last interval saw
// arrivals (a cold start at 1 s; the pre-warm then serves the rest); the
// other layers keep their policies.
func ExampleEngine_Next() {
	invs := []sim.Invocation{at(1, 0.2), at(20, 0.2), at(40, 0.2), at(50, 0.2)}
	cfg := baseConfig(testCatalog(dist.Constant{V: 0.5}, 10*sim.Second, sim.Limits{}), newList(sim.Time(sim.Minute), 1, invs...), nil)
	e, err := sim.New(cfg)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for {
		r, err := e.Next(ctx)
		if err != nil {
			panic(err)
		}
		if r.Phase == sim.PhaseDone {
			break
		}
		for i, p := range r.Pools.Pools {
			if p.Arrivals > 0 {
				r.Decisions[i].Prewarm = 1
			}
			fmt.Printf("%v: %d arrivals, %d cold; pre-warm %d\n", sim.Duration(r.Now), p.Arrivals, p.ColdStarts, r.Decisions[i].Prewarm)
		}
		if err := e.Advance(); err != nil {
			panic(err)
		}
	}
	m := e.Metrics()
	fmt.Printf("completed %d, cold starts %d, pre-warms used %d\n", m.Completed, m.ColdStarts, m.PrewarmsUsed)
	// Output:
	// 0s: 0 arrivals, 0 cold; pre-warm 0
	// 15s: 1 arrivals, 1 cold; pre-warm 1
	// 30s: 1 arrivals, 0 cold; pre-warm 1
	// 45s: 1 arrivals, 0 cold; pre-warm 1
	// completed 4, cold starts 1, pre-warms used 1
}

// The objective turns what happened to a function over an epoch into one
// number: per-invocation cost, mean latency and per-invocation carbon, each
// over the reference invocation's, weighted, plus the weighted share of
// SLA violations. A learner's reward is its negation.
func ExampleObjective() {
	obj := sim.DefaultObjective()
	// An epoch of 1,000 invocations served like the reference one (cost,
	// latency and carbon each equal to sim.ReferenceInvocation's), 10 of
	// them over their latency objective.
	ref := sim.ReferenceInvocation
	out := sim.Outcome{Completed: 1000, SLAViolations: 10, CostUSD: 1000 * ref.CostUSD,
		CarbonG: 1000 * ref.CarbonG, LatencySum: 1000 * ref.Latency}
	fmt.Printf("value %.3f, reward %.3f\n", obj.Value(out), obj.Reward(out))
	// Twice the cost per invocation: the cost term (weight 0.4) doubles.
	out.CostUSD *= 2
	fmt.Printf("twice the cost: value %.3f\n", obj.Value(out))
	fmt.Println(obj)
	// Output:
	// value 1.010, reward -1.010
	// twice the cost: value 1.410
	// 0.4·(cost/inv)/$1.16e-05 + 0.4·(mean latency)/684ms + 0.2·(carbon/inv)/0.0001143g + 1·(SLA violations/finished); lower is better
}
