// Package skypilot chooses providers the way the SkyPilot optimizer chooses
// cloud resources: the lowest price × expected runtime among the feasible
// options (Yang et al., "SkyPilot: An Intercloud Broker for Sky Computing",
// NSDI 2023).
package skypilot

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "skypilot"

// Summary describes the policy in one line.
const Summary = "the provider offering the lowest expected cost (price × modelled runtime) over all feasible regions and memory sizes"

// Policy scores every feasible (region, memory) option of every provider by
// the expected cost of one invocation, with the runtime modelled for that
// option's CPU share, and takes the provider of the cheapest
// (policy.BestProvider: a provider where the function can run beats one
// where it cannot; ties go to the first provider in catalog order).
type Policy struct{}

var _ sim.Strategic = Policy{}

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Strategic, error) {
	return Policy{}, policy.NoSettings(args)
}

func (Policy) Name() string { return Name }

// Providers picks the provider of the cheapest option per function.
func (Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	policy.BestProvider(obs, out, func(o *sim.Offer) float64 { return o.CostUSD })
	return nil
}
