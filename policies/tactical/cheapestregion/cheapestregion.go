// Package cheapestregion places each function in its provider's cheapest
// region.
package cheapestregion

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "cheapest-region"

// Summary describes the policy in one line.
const Summary = "the region with the lowest expected cost per invocation (ties: nearest); memory fits the footprint unless memory_mb is set"

// Config is the policy's settings.
type Config struct {
	policy.MemoryRule
}

// Policy is the cheapest-region tactical baseline.
type Policy struct{ c Config }

var _ sim.Tactical = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Tactical, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &Policy{c: c}, nil
}

func (p *Policy) Name() string { return Name }

// Placements picks the cheapest region.
func (p *Policy) Placements(obs *sim.TacticalObservation, out []sim.Placement) {
	policy.RegionBy(obs, out, p.c.MemoryRule, func(o *sim.Offer) float64 { return o.CostUSD })
}
