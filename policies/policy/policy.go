// Package policy holds what every skyfaas policy shares: the settings
// decoder a policy receives (Args), the run environment (Env) and helpers to
// enumerate and score placements through the engine's offer model.
package policy

import (
	"fmt"
	"math"

	"github.com/skyfaas/skyfaas/sim"
)

// Args decodes a policy's settings from the scenario.
type Args interface {
	// Decode fills v, a pointer to a struct with toml tags, from the
	// policy's settings. Keys that v has no field for are an error.
	Decode(v any) error
}

// NoArgs is an Args without settings.
type NoArgs struct{}

// Decode leaves v as it is.
func (NoArgs) Decode(any) error { return nil }

// NoSettings decodes the settings of a policy that takes none: any key is
// an error.
func NoSettings(args Args) error {
	var none struct{}
	return args.Decode(&none)
}

// Weights weigh the objective: cost, performance (latency) and carbon.
type Weights struct {
	Cost, Performance, Carbon float64
}

// Env is what a policy may know about the run when it is built.
type Env struct {
	Catalog *sim.Catalog
	Streams sim.Streams // for policies that draw random numbers
	Weights Weights
	Tick    sim.Duration // operational interval
}

// FitMemory returns the smallest memory option of provider p of at least
// mb, or the largest option if none is.
func FitMemory(p *sim.Provider, mb float64) uint8 {
	best := -1
	for i, m := range p.Memory {
		if float64(m.MB) >= mb && (best < 0 || m.MB < p.Memory[best].MB) {
			best = i
		}
	}
	if best < 0 {
		for i, m := range p.Memory {
			if best < 0 || m.MB > p.Memory[best].MB {
				best = i
			}
		}
	}
	return uint8(best)
}

// NearestRegion returns the region of provider p with the shortest round
// trip from zone z (the first on ties).
func NearestRegion(cat *sim.Catalog, z sim.ZoneID, p sim.ProviderID) uint8 {
	rtt := cat.Zones[z].RTT[p]
	best := 0
	for r := range rtt {
		if rtt[r] < rtt[best] {
			best = r
		}
	}
	return uint8(best)
}

// RegionsByRole returns, for every provider of the catalog, its region with
// the given role.
func RegionsByRole(cat *sim.Catalog, role string) ([]uint8, error) {
	out := make([]uint8, len(cat.Providers))
	for i := range cat.Providers {
		r, ok := RegionByRole(&cat.Providers[i], role)
		if !ok {
			return nil, fmt.Errorf("region: provider %s has no region with role %q", cat.Providers[i].Name, role)
		}
		out[i] = r
	}
	return out, nil
}

// RegionByRole returns the region of provider p whose role is role.
func RegionByRole(p *sim.Provider, role string) (uint8, bool) {
	for i, r := range p.Regions {
		if r.Role == role {
			return uint8(i), true
		}
	}
	return 0, false
}

// Best returns, among the placements of provider p (all regions if region
// is nil, else that region only; all memory options), the one whose offer
// has the lowest score, acceptable options first: those that are feasible
// and meet the SLO, else those that are feasible. If none is feasible (the
// footprint exceeds every size, or the run every timeout), it returns the
// best-scoring option of the largest size, which fails least. Ties go to the
// first in (region, memory) order, or to the larger memory if largerOnTie.
func Best(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64) (sim.Placement, sim.Offer) {
	return best(obs, v, p, region, score, false)
}

// BestLargerOnTie is Best with ties going to the larger memory size (free
// headroom where memory does not change the price).
func BestLargerOnTie(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64) (sim.Placement, sim.Offer) {
	return best(obs, v, p, region, score, true)
}

func best(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64, largerOnTie bool) (sim.Placement, sim.Offer) {
	prov := &obs.Catalog.Providers[p]
	var (
		bestPl    sim.Placement
		bestOffer sim.Offer
		bestScore = math.Inf(1)
		found     bool
	)
	largest := 0
	for m := range prov.Memory {
		if prov.Memory[m].MB > prov.Memory[largest].MB {
			largest = m
		}
	}
	acceptable := []func(pl sim.Placement, o *sim.Offer) bool{
		func(_ sim.Placement, o *sim.Offer) bool { return Rank(o) == 0 },
		func(_ sim.Placement, o *sim.Offer) bool { return Rank(o) == 1 },
		func(pl sim.Placement, _ *sim.Offer) bool { return int(pl.Memory) == largest },
	}
	for _, ok := range acceptable {
		for r := range prov.Regions {
			if region != nil && uint8(r) != *region {
				continue
			}
			for m := range prov.Memory {
				pl := sim.Placement{Provider: p, Region: uint8(r), Memory: uint8(m)}
				o := obs.Model.Offer(v, pl, obs.Now)
				if !ok(pl, &o) {
					continue
				}
				s := score(pl, &o)
				if !found || s < bestScore || (largerOnTie && s == bestScore) {
					bestPl, bestOffer, bestScore, found = pl, o, s, true
				}
			}
		}
		if found {
			break
		}
	}
	return bestPl, bestOffer
}

// Rank orders offers by acceptability: 0 feasible and meeting the SLO,
// 1 feasible, 2 neither.
func Rank(o *sim.Offer) int {
	switch {
	case o.Feasible && o.MeetsSLO:
		return 0
	case o.Feasible:
		return 1
	}
	return 2
}

// BestProvider writes to out[i], for every function, the provider whose best
// option (see Best) has the lowest score; a provider whose best option is
// more acceptable (meets the SLO, or at least is feasible) beats one whose
// best is less so. Ties go to the first provider.
func BestProvider(obs *sim.StrategicObservation, out []sim.ProviderID, score func(*sim.Offer) float64) {
	for i := range obs.Functions {
		v := &obs.Functions[i]
		var best sim.ProviderID
		bestScore, bestRank := 0.0, 3
		for pi := range obs.Catalog.Providers {
			_, o := Best(obs, v, sim.ProviderID(pi), nil, func(_ sim.Placement, o *sim.Offer) float64 { return score(o) })
			s, r := score(&o), Rank(&o)
			if r < bestRank || (r == bestRank && s < bestScore) {
				best, bestScore, bestRank = sim.ProviderID(pi), s, r
			}
		}
		out[i] = best
	}
}

// MemoryRule is the memory setting shared by tactical policies that choose
// a region: a fixed size, or the smallest size holding the function's
// largest observed footprint with some headroom.
type MemoryRule struct {
	// MemoryMB fixes the size: the provider's smallest option of at least
	// this much. 0 fits the footprint instead.
	MemoryMB int `toml:"memory_mb"`
	// Headroom is the fraction added to the footprint when fitting.
	Headroom float64 `toml:"headroom"`
}

// DecodeMemoryRule decodes and checks the settings of a policy whose only
// settings are a MemoryRule.
func DecodeMemoryRule(args Args) (MemoryRule, error) {
	var c struct{ MemoryRule }
	if err := args.Decode(&c); err != nil {
		return MemoryRule{}, err
	}
	return c.MemoryRule, c.Check()
}

// Check validates the rule.
func (m MemoryRule) Check() error {
	if m.MemoryMB < 0 {
		return fmt.Errorf("memory_mb: must be 0 (fit the footprint) or positive (got %d)", m.MemoryMB)
	}
	if !(m.Headroom >= 0 && m.Headroom <= 10) {
		return fmt.Errorf("headroom: must be a fraction in [0, 10] (got %v)", m.Headroom)
	}
	return nil
}

// Pick returns the memory option of provider p for function v.
func (m MemoryRule) Pick(p *sim.Provider, v *sim.FunctionView) uint8 {
	if m.MemoryMB > 0 {
		return FitMemory(p, float64(m.MemoryMB))
	}
	return FitMemory(p, v.Profile.MaxMemoryMB*(1+m.Headroom))
}

// RegionBy sets out[i].Region to the region of out[i].Provider with the
// lowest score of the offer at the memory size the rule picks, ties going to
// the nearest region, and out[i].Memory to that size.
func RegionBy(obs *sim.StrategicObservation, out []sim.Placement, rule MemoryRule, score func(*sim.Offer) float64) {
	for i := range out {
		v := &obs.Functions[i]
		prov := &obs.Catalog.Providers[out[i].Provider]
		mem := rule.Pick(prov, v)
		rtt := obs.Catalog.Zones[v.Zone].RTT[out[i].Provider]
		best, bestScore := -1, 0.0
		for r := range prov.Regions {
			o := obs.Model.Offer(v, sim.Placement{Provider: out[i].Provider, Region: uint8(r), Memory: mem}, obs.Now)
			s := score(&o)
			if best < 0 || s < bestScore || (s == bestScore && rtt[r] < rtt[best]) {
				best, bestScore = r, s
			}
		}
		out[i].Region, out[i].Memory = uint8(best), mem
	}
}
