// Package lowestlatency places each function on the provider offering the
// lowest expected latency.
package lowestlatency

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "lowest-latency"

// Summary describes the policy in one line.
const Summary = "the provider offering the lowest expected latency (round trip + runtime + expected cold start) over feasible options"

// Policy scores every feasible option of every provider by the expected
// end-to-end latency of one invocation and takes the provider of the lowest
// (policy.BestProvider: a provider where the function can run beats one
// where it cannot; ties go to the first provider in catalog order).
type Policy struct{}

var _ sim.Strategic = Policy{}

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Strategic, error) {
	return Policy{}, policy.NoSettings(args)
}

func (Policy) Name() string { return Name }

// Providers picks the provider of the fastest option per function.
func (Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	policy.BestProvider(obs, out, func(o *sim.Offer) float64 { return float64(o.Latency) })
	return nil
}
