// Package singlecloud places every function on one provider.
package singlecloud

import (
	"fmt"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "single-cloud"

// Summary describes the policy in one line.
const Summary = "every function on one provider (setting: provider)"

// Config is the policy's settings.
type Config struct {
	Provider string `toml:"provider"`
}

// Policy is the single-cloud strategic baseline. It puts every function on
// its provider even where the function cannot run there (a footprint above
// the provider's largest size, a run longer than its timeout): what a
// single cloud cannot host is the point of the baseline, and those
// invocations count as failed (infeasible, or timed out).
type Policy struct {
	name string
	p    sim.ProviderID
}

var _ sim.Strategic = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, env policy.Env) (sim.Strategic, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	var names []string
	for i, p := range env.Catalog.Providers {
		if p.Name == c.Provider {
			return &Policy{name: Name + ":" + c.Provider, p: sim.ProviderID(i)}, nil
		}
		names = append(names, p.Name)
	}
	if c.Provider == "" {
		return nil, fmt.Errorf("provider: required (one of %q)", names)
	}
	return nil, fmt.Errorf("provider: unknown provider %q (the catalog has %q)", c.Provider, names)
}

func (p *Policy) Name() string { return p.name }

// Providers puts every function on the configured provider.
func (p *Policy) Providers(_ *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range out {
		out[i] = p.p
	}
	return nil
}
