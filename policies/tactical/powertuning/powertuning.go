// Package powertuning sizes each function's memory the way AWS Lambda Power
// Tuning does (github.com/alexcasalboni/aws-lambda-power-tuning, strategy
// "cost"): the cheapest memory size whose runtime meets the objective.
package powertuning

import (
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "power-tuning"

// Summary describes the policy in one line.
const Summary = "nearest region (or region = role); the cheapest memory size whose expected latency meets the SLO, else the fastest"

// Config is the policy's settings.
type Config struct {
	// Region is a region role; empty takes the nearest region.
	Region string `toml:"region"`
}

// missedSLO ranks options that miss the SLO after all that meet it.
const missedSLO = 1e6

// Policy is the power-tuning tactical baseline. Among the memory sizes
// eligible for the function (the action set, or the smallest larger size
// offered if its footprint exceeds the action set: policy.Eligible) and
// that hold its footprint, it takes the cheapest whose expected latency (on
// the function's profile) meets its SLO; if none does, the fastest; if none
// holds the footprint, the largest. Among sizes of equal cost (Azure's
// Consumption plan bills the memory used, not the size) it takes the
// largest: the headroom is free (policy.BestLargerOnTie).
type Policy struct {
	region []uint8 // per provider, if a role is set
}

var _ sim.Tactical = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, env policy.Env) (sim.Tactical, error) {
	var c Config
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	p := &Policy{}
	if c.Region != "" {
		var err error
		if p.region, err = policy.RegionsByRole(env.Catalog, c.Region); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *Policy) Name() string { return Name }

// Placements tunes memory per function.
func (p *Policy) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	for i := range out {
		v := &obs.Functions[i]
		r := policy.NearestRegion(obs.Catalog, v.Zone, out[i].Provider)
		if p.region != nil {
			r = p.region[out[i].Provider]
		}
		out[i].Region = r
		pl, _ := policy.BestLargerOnTie(obs, v, out[i].Provider, &r, func(_ sim.Placement, o *sim.Offer) float64 {
			if o.MeetsSLO {
				return o.CostUSD
			}
			// Any size meeting the SLO (cost far below $1e6) beats every size
			// missing it; among those, the fastest wins.
			return missedSLO + o.Latency.Seconds()
		})
		out[i].Memory = pl.Memory
	}
	return nil
}
