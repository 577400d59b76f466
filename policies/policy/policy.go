// Package policy holds what every skyfaas policy shares: the settings
// decoder a policy receives (Args), the run environment (Env) and helpers to
// enumerate and score placements through the engine's offer model.
package policy

import (
	"fmt"
	"io/fs"
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

// Env is what a policy may know about the run when it is built.
type Env struct {
	Catalog *sim.Catalog
	Streams sim.Streams // for policies that draw random numbers
	// Objective is the scenario's: the policies that weigh cost, latency
	// and carbon score through it.
	Objective sim.Objective
	Tick      sim.Duration // operational interval
	// Files holds the files a policy's settings may name (a learned
	// policy's weights), relative to the scenario: policies read them from
	// here and never open files themselves. Nil when the policy is built
	// without a scenario.
	Files fs.FS
}

// A function's memory options. The scenario's tactical action set marks
// some of a provider's sizes (sim.MemoryOption.Action); the others are
// offered only to a function whose footprint exceeds every size of the
// action set. A provider none of whose sizes is marked (a catalog built in
// code) has every size in its action set. The rule, for a footprint of mb:
//
//   - some action size holds mb: the action sizes are eligible;
//   - else some offered size holds mb: only the smallest such size is;
//   - else (mb above Provider.MaxMemoryMB) the function is infeasible on
//     the provider: every size is eligible, none can run it, and the engine
//     counts its invocations as infeasible wherever it is put.
//
// Sizes are compared by MB, never by their order in the catalog.

// IsAction reports whether memory option m of p is in the action set.
func IsAction(p *sim.Provider, m int) bool {
	if p.Memory[m].Action {
		return true
	}
	for _, o := range p.Memory {
		if o.Action {
			return false
		}
	}
	return true
}

// smallestHolding returns the smallest option of p of at least mb among
// those for which ok holds, or -1 if there is none.
func smallestHolding(p *sim.Provider, mb float64, ok func(m int) bool) int {
	best := -1
	for m, o := range p.Memory {
		if float64(o.MB) >= mb && ok(m) && (best < 0 || o.MB < p.Memory[best].MB) {
			best = m
		}
	}
	return best
}

// largest returns the largest option of p among those for which ok holds,
// or -1 if there is none.
func largest(p *sim.Provider, ok func(m int) bool) int {
	best := -1
	for m, o := range p.Memory {
		if ok(m) && (best < 0 || o.MB > p.Memory[best].MB) {
			best = m
		}
	}
	return best
}

func anySize(int) bool { return true }

// Sizes is the set of memory options of one provider eligible for one
// footprint (see the rule above).
type Sizes struct {
	p    *sim.Provider
	only int  // >= 0: that option alone (the footprint exceeds every action size)
	all  bool // the footprint exceeds every size: the function is infeasible
}

// Eligible returns the memory options of p a function of footprint mb may
// take.
func Eligible(p *sim.Provider, mb float64) Sizes {
	if smallestHolding(p, mb, func(m int) bool { return IsAction(p, m) }) >= 0 {
		return Sizes{p: p, only: -1}
	}
	if m := smallestHolding(p, mb, anySize); m >= 0 {
		return Sizes{p: p, only: m}
	}
	return Sizes{p: p, only: -1, all: true}
}

// Has reports whether option m is eligible.
func (s Sizes) Has(m int) bool {
	switch {
	case s.all:
		return true
	case s.only >= 0:
		return m == s.only
	}
	return IsAction(s.p, m)
}

// Feasible reports whether some offered size holds the footprint.
func (s Sizes) Feasible() bool { return !s.all }

// FitMemory returns the smallest action size of provider p of at least mb;
// if mb exceeds every action size, the smallest offered size of at least
// mb; if it exceeds every offered size (the function is infeasible on p),
// the largest offered size.
func FitMemory(p *sim.Provider, mb float64) uint8 {
	if m := smallestHolding(p, mb, func(m int) bool { return IsAction(p, m) }); m >= 0 {
		return uint8(m)
	}
	if m := smallestHolding(p, mb, anySize); m >= 0 {
		return uint8(m)
	}
	return uint8(largest(p, anySize))
}

// FitFootprint returns the size of provider p for a function of footprint
// mb with a fraction headroom added, within the action set: the smallest
// action size of at least mb×(1+headroom), or the largest action size if
// only mb fits. A footprint above every action size gets FitMemory(p, mb)
// (the headroom never takes a function out of the action set, nor to a
// size beyond it larger than the smallest that holds it).
func FitFootprint(p *sim.Provider, mb, headroom float64) uint8 {
	action := func(m int) bool { return IsAction(p, m) }
	if smallestHolding(p, mb, action) < 0 {
		return FitMemory(p, mb)
	}
	if m := smallestHolding(p, mb*(1+headroom), action); m >= 0 {
		return uint8(m)
	}
	return uint8(largest(p, action))
}

// Runnable reports whether function v can run on provider p: an eligible
// memory size holds its footprint (it is at most p.MaxMemoryMB()) and, at
// some such size, its longest observed duration scaled to that size fits
// the provider's timeout.
func Runnable(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID) bool {
	prov := &obs.Catalog.Providers[p]
	mb := v.Profile.MaxMemoryMB
	sizes := Eligible(prov, mb)
	for m := range prov.Memory {
		if !sizes.Has(m) || float64(prov.Memory[m].MB) < mb {
			continue
		}
		exec := sim.Duration(float64(v.Profile.MaxDuration) * obs.Model.ExecScale(sim.Placement{Provider: p, Memory: uint8(m)}))
		if prov.Limits.Timeout == 0 || exec <= prov.Limits.Timeout {
			return true
		}
	}
	return false
}

// RunnableProviders appends to dst the providers on which v can run (see
// Runnable), in catalog order; if it can run on none, those that at least
// offer a size holding its footprint (its shorter invocations complete);
// if none does, every provider.
func RunnableProviders(dst []sim.ProviderID, obs *sim.StrategicObservation, v *sim.FunctionView) []sim.ProviderID {
	dst = dst[:0]
	for p := range obs.Catalog.Providers {
		if Runnable(obs, v, sim.ProviderID(p)) {
			dst = append(dst, sim.ProviderID(p))
		}
	}
	if len(dst) == 0 {
		for p := range obs.Catalog.Providers {
			if Eligible(&obs.Catalog.Providers[p], v.Profile.MaxMemoryMB).Feasible() {
				dst = append(dst, sim.ProviderID(p))
			}
		}
	}
	if len(dst) == 0 {
		for p := range obs.Catalog.Providers {
			dst = append(dst, sim.ProviderID(p))
		}
	}
	return dst
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
// is nil, else that region only) at the memory sizes eligible for v's
// footprint (see Eligible), the one whose offer has the lowest score,
// acceptable options first: those that are feasible and meet the SLO, else
// those that are feasible. If none is feasible (the footprint exceeds every
// size, or the run every timeout), it returns the best-scoring option of the
// largest eligible size, which fails least.
//
// Ties (equal scores) go to the smaller memory size, then to the region
// nearest v's clients, then to the first region in catalog order.
func Best(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64) (sim.Placement, sim.Offer) {
	return best(obs, v, p, region, score, false)
}

// BestLargerOnTie is Best with ties going to the larger memory size first
// (free headroom where memory does not change the price), then to the
// nearest region, then to the first in catalog order.
func BestLargerOnTie(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64) (sim.Placement, sim.Offer) {
	return best(obs, v, p, region, score, true)
}

func best(obs *sim.StrategicObservation, v *sim.FunctionView, p sim.ProviderID, region *uint8,
	score func(pl sim.Placement, o *sim.Offer) float64, largerOnTie bool) (sim.Placement, sim.Offer) {
	prov := &obs.Catalog.Providers[p]
	rtt := obs.Catalog.Zones[v.Zone].RTT[p]
	sizes := Eligible(prov, v.Profile.MaxMemoryMB)
	top := largest(prov, sizes.Has)
	var (
		bestPl    sim.Placement
		bestOffer sim.Offer
		bestScore = math.Inf(1)
		found     bool
	)
	// wins reports whether pl, scoring s, beats the best so far.
	wins := func(pl sim.Placement, s float64) bool {
		switch {
		case !found || s < bestScore:
			return true
		case s > bestScore:
			return false
		}
		mb, bestMB := prov.Memory[pl.Memory].MB, prov.Memory[bestPl.Memory].MB
		if mb != bestMB {
			return (mb < bestMB) != largerOnTie
		}
		return rtt[pl.Region] < rtt[bestPl.Region]
	}
	acceptable := []func(pl sim.Placement, o *sim.Offer) bool{
		func(_ sim.Placement, o *sim.Offer) bool { return Rank(o) == 0 },
		func(_ sim.Placement, o *sim.Offer) bool { return Rank(o) == 1 },
		func(_ sim.Placement, o *sim.Offer) bool { return Rank(o) == 2 },
		func(pl sim.Placement, _ *sim.Offer) bool { return int(pl.Memory) == top },
	}
	for _, ok := range acceptable {
		for r := range prov.Regions {
			if region != nil && uint8(r) != *region {
				continue
			}
			for m := range prov.Memory {
				if !sizes.Has(m) {
					continue
				}
				pl := sim.Placement{Provider: p, Region: uint8(r), Memory: uint8(m)}
				o := obs.Model.Offer(v, pl, obs.Now)
				if !ok(pl, &o) {
					continue
				}
				if s := score(pl, &o); wins(pl, s) {
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
// 1 feasible, 2 the memory holds the footprint (the longest invocations
// time out), 3 none of these.
func Rank(o *sim.Offer) int {
	switch {
	case o.Feasible && o.MeetsSLO:
		return 0
	case o.Feasible:
		return 1
	case o.Fits:
		return 2
	}
	return 3
}

// BestProvider writes to out[i], for every function, the provider whose best
// option (see Best) has the lowest score; a provider whose best option is
// more acceptable (meets the SLO, or at least is feasible) beats one whose
// best is less so, so a provider where the function can run always beats
// one where it cannot. Ties go to the first provider in catalog order.
func BestProvider(obs *sim.StrategicObservation, out []sim.ProviderID, score func(*sim.Offer) float64) {
	for i := range obs.Functions {
		v := &obs.Functions[i]
		var best sim.ProviderID
		bestScore, bestRank := 0.0, 4
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
// largest observed footprint with some headroom (see FitFootprint). A fixed
// size is never below the size that holds the footprint: the larger of the
// two is taken, so that the baseline does not fail by design.
type MemoryRule struct {
	// MemoryMB fixes the size: the provider's smallest action size of at
	// least this much (its largest action size if none is), raised to
	// FitMemory of the footprint if that is larger. 0 fits the footprint
	// instead.
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
	if m.MemoryMB <= 0 {
		return FitFootprint(p, v.Profile.MaxMemoryMB, m.Headroom)
	}
	action := func(i int) bool { return IsAction(p, i) }
	fixed := smallestHolding(p, float64(m.MemoryMB), action)
	if fixed < 0 {
		fixed = largest(p, action)
	}
	if floor := FitMemory(p, v.Profile.MaxMemoryMB); p.Memory[floor].MB > p.Memory[fixed].MB {
		return floor
	}
	return uint8(fixed)
}

// RegionBy sets out[i].Region to the region of out[i].Provider with the
// lowest score of the offer at the memory size the rule picks, ties going to
// the nearest region, then to the first in catalog order, and out[i].Memory
// to that size.
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
