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

// Policy is the cheapest-region tactical baseline: the region of the lowest
// expected cost per invocation at the size policy.MemoryRule picks, ties
// going to the nearest region, then to the first in catalog order
// (policy.RegionBy).
type Policy struct{ rule policy.MemoryRule }

var _ sim.Tactical = (*Policy)(nil)

// New builds the policy; its settings are a policy.MemoryRule.
func New(args policy.Args, _ policy.Env) (sim.Tactical, error) {
	rule, err := policy.DecodeMemoryRule(args)
	if err != nil {
		return nil, err
	}
	return &Policy{rule: rule}, nil
}

func (p *Policy) Name() string { return Name }

// Placements picks the cheapest region.
func (p *Policy) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	policy.RegionBy(obs, out, p.rule, func(o *sim.Offer) float64 { return o.CostUSD })
	return nil
}
