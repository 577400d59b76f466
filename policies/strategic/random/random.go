// Package random places each function on a provider drawn uniformly at random.
package random

import (
	"math/rand/v2"
	"slices"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "random"

// Summary describes the policy in one line.
const Summary = "a uniformly random provider per function among those where it can run, drawn once (sticky = true) or every epoch"

// Config is the policy's settings.
type Config struct {
	// Sticky keeps each function's first draw; false redraws every epoch
	// (and pays the cold starts of moving).
	Sticky bool `toml:"sticky"`
}

// Policy is the random strategic baseline. It draws uniformly among the
// providers where the function can run (policy.Runnable), or among all if
// it can run on none, so that the baseline does not lose by failing. A
// sticky draw is kept while the function can still run there (or can run
// nowhere), and drawn again once its profile shows that it cannot. Draws
// come from the named stream "policy/random", in function order; with every
// provider runnable, a draw is the provider's index in catalog order.
type Policy struct {
	sticky   bool
	rng      *rand.Rand
	assigned []bool
	choice   []sim.ProviderID
	runnable []sim.ProviderID
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
func (p *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	if len(p.assigned) < len(out) {
		p.assigned = append(p.assigned, make([]bool, len(out)-len(p.assigned))...)
		p.choice = append(p.choice, make([]sim.ProviderID, len(out)-len(p.choice))...)
	}
	for i := range out {
		p.runnable = policy.RunnableProviders(p.runnable, obs, &obs.Functions[i])
		if !p.sticky || !p.assigned[i] || !slices.Contains(p.runnable, p.choice[i]) {
			p.choice[i] = p.runnable[p.rng.IntN(len(p.runnable))]
			p.assigned[i] = true
		}
		out[i] = p.choice[i]
	}
	return nil
}
