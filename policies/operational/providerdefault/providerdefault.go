// Package providerdefault leaves instance lifetimes to the provider: no
// pre-warming, the provider's keep-alive (reactive scaling only).
package providerdefault

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "provider-default"

// Summary describes the policy in one line.
const Summary = "reactive: no pre-warming, each provider's own keep-alive"

// Policy is the provider-default operational baseline.
type Policy struct{}

var (
	_ sim.Operational = Policy{}
	_ sim.Stationary  = Policy{}
)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Operational, error) {
	return Policy{}, policy.NoSettings(args)
}

func (Policy) Name() string                                                 { return Name }
func (Policy) Decide(*sim.OperationalObservation, []sim.PoolDecision) error { return nil }

// Stationary keeps the provider's keep-alive and pre-warms nothing.
func (Policy) Stationary() sim.PoolDecision {
	return sim.PoolDecision{KeepAlive: sim.ProviderKeepAlive}
}
