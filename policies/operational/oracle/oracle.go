// Package oracle is a cold-start bound, not a policy: it knows the future.
// It reads the invocations of the next interval before they arrive and
// pre-warms exactly the concurrency they will need, which no deployable
// policy can do. Report it as a bound on the cold starts pre-warming can
// avoid (labelled Label in tables), never as a competing policy.
package oracle

import (
	"container/heap"
	"fmt"
	"time"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the bound's name in scenarios.
const Name = "oracle"

// Label names the bound in result tables, so that no reader takes it for a
// policy.
const Label = "oracle (bound)"

// Summary describes the bound in one line.
const Summary = "cold-start bound, not a policy (knows the future): reads the arrivals of the next lookahead (default 2 ticks + the provisioning delay) and pre-warms their peak concurrency; keep-alive 0"

// Config is the policy's settings.
type Config struct {
	// Lookahead is how far ahead the oracle reads; 0 takes two ticks plus
	// the longest provisioning delay of the catalog, so that instances for
	// the next interval are ready one interval early on every provider.
	Lookahead time.Duration `toml:"lookahead"`
}

// Policy is the bound. It holds, in every pool, as many pre-warmed
// instances as the peak number of executions running at once within the
// lookahead: those in progress (until they end) and those of the
// invocations arriving (at this placement's execution time). It lets idle
// on-demand instances go at once (keep-alive 0). It bounds the cold starts
// that pre-warming can avoid (within the scale-up and concurrency limits,
// which it does not bypass); it is not the cheapest choice and, knowing the
// future, not a policy.
type Policy struct {
	look  sim.Duration
	index map[sim.FunctionID]int
	ends  []endHeap
}

var (
	_ sim.Operational = (*Policy)(nil)
	_ sim.Clairvoyant = (*Policy)(nil)
)

// New builds the policy.
func New(args policy.Args, env policy.Env) (sim.Operational, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if c.Lookahead < 0 {
		return nil, fmt.Errorf("lookahead: must not be negative (got %v)", c.Lookahead)
	}
	look := sim.FromStd(c.Lookahead)
	if look == 0 {
		look = 2 * env.Tick
		if env.Catalog != nil {
			var delay sim.Duration
			for _, p := range env.Catalog.Providers {
				delay = max(delay, p.ProvisioningDelay)
			}
			look += delay
		}
	}
	return &Policy{look: look, index: map[sim.FunctionID]int{}}, nil
}

func (p *Policy) Name() string { return Name }

// Lookahead implements sim.Clairvoyant.
func (p *Policy) Lookahead() sim.Duration { return p.look }

// Decide sets every pool's target to the peak concurrency ahead.
func (p *Policy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	clear(p.index)
	if cap(p.ends) < len(obs.Pools) {
		p.ends = make([]endHeap, len(obs.Pools))
	}
	p.ends = p.ends[:len(obs.Pools)]
	for i := range obs.Pools {
		v := &obs.Pools[i]
		p.index[v.Function] = i
		p.ends[i] = p.ends[i][:0]
		for _, end := range v.RunningUntil {
			if end > obs.Now {
				heap.Push(&p.ends[i], end)
			}
		}
		out[i] = sim.PoolDecision{Prewarm: p.ends[i].Len()}
	}
	for _, inv := range obs.Future {
		i, ok := p.index[inv.Function]
		if !ok {
			continue
		}
		h := &p.ends[i]
		for h.Len() > 0 && (*h)[0] <= inv.Arrival {
			heap.Pop(h)
		}
		heap.Push(h, inv.Arrival.Add(sim.Duration(float64(inv.Duration)*obs.Pools[i].ExecScale)))
		if h.Len() > out[i].Prewarm {
			out[i].Prewarm = h.Len()
		}
	}
	return nil
}

// endHeap is a min-heap of execution end times.
type endHeap []sim.Time

func (h endHeap) Len() int           { return len(h) }
func (h endHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h endHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)        { *h = append(*h, x.(sim.Time)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
