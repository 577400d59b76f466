// Package random places each function on a provider drawn uniformly at random.
package random

import (
	"math/rand/v2"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "random"

// Summary describes the policy in one line.
const Summary = "a uniformly random provider per function, drawn once (sticky = true) or every epoch"

// Config is the policy's settings.
type Config struct {
	// Sticky keeps each function's first draw; false redraws every epoch
	// (and pays the cold starts of moving).
	Sticky bool `toml:"sticky"`
}

// Policy is the random strategic baseline. Draws come from the named stream
// "policy/random", in function order.
type Policy struct {
	sticky   bool
	rng      *rand.Rand
	assigned []bool
	choice   []sim.ProviderID
}

var _ sim.Strategic = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, env policy.Env) (sim.Strategic, error) {
	c := Config{Sticky: true}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	return &Policy{sticky: c.Sticky, rng: env.Streams.New("policy/random")}, nil
}

func (p *Policy) Name() string { return Name }

// Providers draws providers.
func (p *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) {
	n := len(obs.Catalog.Providers)
	if len(p.assigned) < len(out) {
		p.assigned = append(p.assigned, make([]bool, len(out)-len(p.assigned))...)
		p.choice = append(p.choice, make([]sim.ProviderID, len(out)-len(p.choice))...)
	}
	for i := range out {
		if !p.sticky || !p.assigned[i] {
			p.choice[i] = sim.ProviderID(p.rng.IntN(n))
			p.assigned[i] = true
		}
		out[i] = p.choice[i]
	}
}
