// Package nearest places each function in the region closest to its clients.
package nearest

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "nearest"

// Summary describes the policy in one line.
const Summary = "the region with the shortest round trip from the function's clients; memory fits the footprint unless memory_mb is set"

// Policy is the nearest-region tactical baseline: the region with the
// shortest round trip from the function's zone, ties going to the first in
// catalog order; memory by policy.MemoryRule.
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

// Placements picks the nearest region.
func (p *Policy) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		v := &obs.Functions[i]
		out[i].Region = policy.NearestRegion(obs.Catalog, v.Zone, out[i].Provider)
		out[i].Memory = p.rule.Pick(&obs.Catalog.Providers[out[i].Provider], v)
	}
	return nil
}
