// Package cheapest compares providers by their price lists.
package cheapest

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "cheapest"

// Summary describes the policy in one line.
const Summary = "the provider whose price list is cheapest for the function's memory and measured duration (no runtime model)"

// Policy picks, per function, the provider with the lowest list-price cost
// of one invocation: the request fee plus the function's mean reference
// duration billed at the smallest memory size holding its footprint, in the
// provider's region nearest its clients. It ignores that runtimes differ
// with the CPU a memory size buys (compare skypilot, which models it).
//
// It compares only the providers where the function can run
// (policy.Runnable: the footprint fits an offered size and the longest
// observed duration a timeout), or every provider if it can run on none.
// Ties go to the first provider in catalog order.
type Policy struct {
	runnable []sim.ProviderID
}

var _ sim.Strategic = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Strategic, error) {
	return &Policy{}, policy.NoSettings(args)
}

func (*Policy) Name() string { return Name }

// Providers picks the cheapest price list per function.
func (c *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range obs.Functions {
		v := &obs.Functions[i]
		c.runnable = policy.RunnableProviders(c.runnable, obs, v)
		best, bestUSD := c.runnable[0], 0.0
		for k, pi := range c.runnable {
			p := &obs.Catalog.Providers[pi]
			r := policy.NearestRegion(obs.Catalog, v.Zone, pi)
			m := &p.Memory[policy.FitMemory(p, v.Profile.MaxMemoryMB)]
			mem := p.Billing.BilledMemoryMB(float64(m.MB), v.Profile.MaxMemoryMB)
			usd := p.Billing.RequestUSD + p.Billing.Execution(int64(v.Profile.MeanDuration), mem, m.GHz, p.Regions[r].PriceFactor, false).USD
			if k == 0 || usd < bestUSD {
				best, bestUSD = pi, usd
			}
		}
		out[i] = best
	}
	return nil
}
