// Package weighted places each function greedily on the provider of the
// option with the best weighted, normalised objective.
package weighted

import (
	"fmt"
	"math"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "weighted-greedy"

// Summary describes the policy in one line.
const Summary = "the provider of the option minimising w_cost·cost + w_perf·latency + w_carbon·carbon, each divided by its largest value over the options"

// Config is the policy's settings: weights override the scenario's
// objective weights (sim.Objective) when given.
type Config struct {
	Cost        *float64 `toml:"cost"`
	Performance *float64 `toml:"performance"`
	Carbon      *float64 `toml:"carbon"`
}

// Policy evaluates every acceptable option of every provider (feasible and
// meeting the SLO; else feasible; else all) at the memory sizes eligible for
// the function's footprint (policy.Eligible), normalises cost, latency and
// carbon by their largest value among those options, and takes the provider
// of the option with the lowest weighted sum. A feasible option always
// beats an infeasible one. Ties go to the first option in catalog order
// (provider, then region, then memory option).
type Policy struct {
	obj  sim.Objective
	offs []scored
}

type scored struct {
	p   sim.ProviderID
	off sim.Offer
}

var _ sim.Strategic = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, env policy.Env) (sim.Strategic, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	obj := env.Objective
	w := &obj.Weights
	for _, o := range []struct {
		v   *float64
		dst *float64
	}{{c.Cost, &w.Cost}, {c.Performance, &w.Performance}, {c.Carbon, &w.Carbon}} {
		if o.v != nil {
			*o.dst = *o.v
		}
	}
	if !(w.Cost >= 0 && w.Performance >= 0 && w.Carbon >= 0) || w.Cost+w.Performance+w.Carbon <= 0 {
		return nil, fmt.Errorf("weights must be non-negative and not all zero (got cost %v, performance %v, carbon %v)", w.Cost, w.Performance, w.Carbon)
	}
	return &Policy{obj: obj}, nil
}

func (p *Policy) Name() string { return Name }

// Providers picks the provider of the best weighted option per function.
func (p *Policy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	for i := range obs.Functions {
		v := &obs.Functions[i]
		p.offs = p.offs[:0]
		level := 3 // 0: some option is feasible and meets the SLO; 1: feasible; 2: fits in memory
		for pi := range obs.Catalog.Providers {
			prov := &obs.Catalog.Providers[pi]
			sizes := policy.Eligible(prov, v.Profile.MaxMemoryMB)
			for r := range prov.Regions {
				for m := range prov.Memory {
					if !sizes.Has(m) {
						continue
					}
					o := obs.Model.Offer(v, sim.Placement{Provider: sim.ProviderID(pi), Region: uint8(r), Memory: uint8(m)}, obs.Now)
					level = min(level, policy.Rank(&o))
					p.offs = append(p.offs, scored{sim.ProviderID(pi), o})
				}
			}
		}
		var maxC, maxL, maxG float64
		for _, s := range p.offs {
			if policy.Rank(&s.off) <= level {
				maxC = math.Max(maxC, s.off.CostUSD)
				maxL = math.Max(maxL, float64(s.off.Latency))
				maxG = math.Max(maxG, s.off.CarbonG)
			}
		}
		norm := sim.Terms{CostUSD: maxC, Latency: sim.Duration(maxL), CarbonG: maxG}
		best, bestScore := sim.ProviderID(0), math.Inf(1)
		for _, s := range p.offs {
			if policy.Rank(&s.off) > level {
				continue
			}
			score := p.obj.Score(sim.Terms{CostUSD: s.off.CostUSD, Latency: s.off.Latency, CarbonG: s.off.CarbonG}, norm)
			if score < bestScore {
				best, bestScore = s.p, score
			}
		}
		out[i] = best
	}
	return nil
}
