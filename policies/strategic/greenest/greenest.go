// Package greenest places each function on the provider offering the least
// carbon per invocation.
package greenest

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "greenest"

// Summary describes the policy in one line.
const Summary = "the provider offering the least expected carbon per invocation (grid intensity now × energy) over feasible options"

// Policy scores every feasible (region, memory) option of every provider by
// the expected carbon of one invocation at the region's current grid
// intensity and takes the provider of the lowest (policy.BestProvider: a
// provider where the function can run beats one where it cannot; ties go to
// the first provider in catalog order).
type Policy struct{}

var _ sim.Strategic = Policy{}

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Strategic, error) {
	return Policy{}, policy.NoSettings(args)
}

func (Policy) Name() string { return Name }

// Providers picks the provider of the greenest option per function.
func (Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	policy.BestProvider(obs, out, func(o *sim.Offer) float64 { return o.CarbonG })
	return nil
}
