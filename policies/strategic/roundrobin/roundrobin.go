// Package roundrobin deals functions to providers in turn.
package roundrobin

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "round-robin"

// Summary describes the policy in one line.
const Summary = "function i on provider i mod n; rotate = true shifts the deal every epoch"

// Config is the policy's settings.
type Config struct {
	// Rotate shifts every function to the next provider each epoch.
	Rotate bool `toml:"rotate"`
}

// Policy is the round-robin strategic baseline.
type Policy struct {
	rotate bool
	epoch  int
}

var _ sim.Strategic = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Strategic, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	return &Policy{rotate: c.Rotate}, nil
}

func (p *Policy) Name() string { return Name }

// Providers deals the functions.
func (p *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) {
	n := len(obs.Catalog.Providers)
	shift := 0
	if p.rotate {
		shift = p.epoch
	}
	for i := range out {
		out[i] = sim.ProviderID((i + shift) % n)
	}
	p.epoch++
}
