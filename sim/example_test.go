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

// printRows is a Recorder: it prints each interval's row of every pool.
type printRows struct{}

func (printRows) Record(rows []sim.SeriesRow) error {
	for _, r := range rows {
		fmt.Printf("[%v, +%v) %s: %d arrivals, %d cold, busy %d idle %d, concurrency %.3f, $%.8f, %.5f g\n",
			sim.Duration(r.Start), r.Length, r.Region, r.Arrivals, r.ColdStarts, r.Busy, r.Idle, r.MeanConcurrency, r.CostUSD, r.CarbonG)
	}
	return nil
}

// A Recorder receives the ledger's per-interval accounts, one row per
// pool and tick; the rows add up to the run's Metrics. Here three
// invocations of 2 s arrive at 1 s, 20 s and 40 s on a keep-alive of 10 s,
// each after the last instance stopped: all start cold (0.5 s), each costs
// 2 s × 2 GB × $1e-5 + $1e-7, and the idle instance's carbon runs into the
// interval after its invocation's.
func ExampleRecorder() {
	invs := []sim.Invocation{at(1, 2), at(20, 2), at(40, 2)}
	cfg := baseConfig(testCatalog(dist.Constant{V: 0.5}, 10*sim.Second, sim.Limits{}), newList(sim.Time(sim.Minute), 1, invs...), keepAlive{10 * sim.Second})
	cfg.Tick = 15 * sim.Second
	cfg.Recorder = printRows{}
	m, err := sim.Run(context.Background(), cfg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("run: $%.8f, %.5f g\n", m.Cost.Total(), m.Carbon)
	// Output:
	// [0s, +15s) r: 1 arrivals, 1 cold, busy 0 idle 0, concurrency 0.133, $0.00004010, 0.00080 g
	// [15s, +15s) r: 1 arrivals, 1 cold, busy 0 idle 1, concurrency 0.133, $0.00004010, 0.00066 g
	// [30s, +15s) r: 1 arrivals, 1 cold, busy 0 idle 1, concurrency 0.133, $0.00004010, 0.00053 g
	// [45s, +15s) r: 0 arrivals, 0 cold, busy 0 idle 0, concurrency 0.000, $0.00000000, 0.00041 g
	// run: $0.00012030, 0.00241 g
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
