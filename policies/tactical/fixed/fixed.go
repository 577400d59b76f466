// Package fixed keeps every function in one region role at one memory size.
package fixed

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "fixed"

// Summary describes the policy in one line.
const Summary = "one region role and memory size for every function, never below the size holding its footprint (settings: region, memory_mb, headroom)"

// Config is the policy's settings.
type Config struct {
	// Region is a region role ("us-east", "us-west", "europe", "asia" in the
	// default catalog), resolved in whichever provider a function is on.
	Region string `toml:"region"`
	policy.MemoryRule
}

// Policy is the fixed tactical baseline: the region of the configured role
// and the configured size (policy.MemoryRule), raised to the size that
// holds the function's footprint where that is larger, so that the
// baseline does not fail out of memory by design.
type Policy struct {
	c Config
	// region[p] is the region of provider p with the configured role.
	region []uint8
}

var _ sim.Tactical = (*Policy)(nil)

// New builds the policy; the default is us-east at 1024 MB.
func New(args policy.Args, env policy.Env) (sim.Tactical, error) {
	c := Config{Region: "us-east", MemoryRule: policy.MemoryRule{MemoryMB: 1024}}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	regions, err := policy.RegionsByRole(env.Catalog, c.Region)
	if err != nil {
		return nil, err
	}
	return &Policy{c: c, region: regions}, nil
}

func (p *Policy) Name() string { return Name }

// Placements applies the fixed region and memory.
func (p *Policy) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		prov := &obs.Catalog.Providers[out[i].Provider]
		out[i].Region = p.region[out[i].Provider]
		out[i].Memory = p.c.Pick(prov, &obs.Functions[i])
	}
	return nil
}
