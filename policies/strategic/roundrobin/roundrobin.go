// Package roundrobin deals functions to providers in turn.
package roundrobin

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "round-robin"

// Summary describes the policy in one line.
const Summary = "function i on the (i mod k)-th of the k providers where it can run; rotate = true shifts the deal every epoch"

// Config is the policy's settings.
type Config struct {
	// Rotate shifts every function to the next provider each epoch.
	Rotate bool `toml:"rotate"`
}

// Policy is the round-robin strategic baseline. Function i goes to the
// ((i + shift) mod k)-th, in catalog order, of the k providers where it can
// run (policy.Runnable; all providers if it can run on none), so that the
// baseline does not lose by failing; with every provider runnable that is
// provider (i + shift) mod n. The shift is 0, or the epoch number if rotate.
type Policy struct {
	rotate   bool
	epoch    int
	runnable []sim.ProviderID
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
func (p *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	shift := 0
	if p.rotate {
		shift = p.epoch
	}
	for i := range out {
		p.runnable = policy.RunnableProviders(p.runnable, obs, &obs.Functions[i])
		out[i] = p.runnable[(i+shift)%len(p.runnable)]
	}
	p.epoch++
	return nil
}
