package scenarios

import (
	"fmt"

	"github.com/skyfaas/skyfaas/internal/slug"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Arms: each arm's policies resolved and built, with the run environment
// they are given.

// resolveArms parses every arm's policies, filling defaults, builds the
// catalog of each arm that overrides figures, and builds each policy once
// so that bad settings are reported now.
func (p *Plan) resolveArms(s *Scenario, ps *problems, build *catalogBuild, series []regionSeries) {
	names := map[string]int{} // arm name -> index of the first arm so named
	files := map[string]int{} // its file name (slug.Of) -> the same
	for i := range s.Arms {
		a := &s.Arms[i]
		at := fmt.Sprintf("arms[%d]", i)
		arm := Arm{Catalog: p.Catalog, CPUBoundFraction: *s.Simulation.CPUBoundFraction}
		if a.CPUBoundFraction != nil {
			arm.CPUBoundFraction = *a.CPUBoundFraction
		}
		ok := true
		if len(a.Override) > 0 {
			arm.Catalog = build.build([]overrideSet{{"catalog.override", s.Catalog.Override}, {at + ".override", a.Override}}, ps)
			if arm.Catalog == nil {
				arm.Catalog = p.Catalog // keeps the policy checks going
				ok = false
			} else {
				applySeries(arm.Catalog, series)
			}
		}
		env := p.env(s, arm.Catalog, sim.NewStreams(*s.Seed, 0))
		for _, l := range []struct {
			layer policies.Layer
			v     *any
			def   any
			dst   *PolicySpec
		}{{policies.Strategic, &a.Strategic, s.ArmDefaults.Strategic, &arm.Strategic},
			{policies.Tactical, &a.Tactical, s.ArmDefaults.Tactical, &arm.Tactical},
			{policies.Operational, &a.Operational, s.ArmDefaults.Operational, &arm.Operational}} {
			if *l.v == nil {
				*l.v = l.def
			}
			path := at + "." + string(l.layer)
			if *l.v == nil {
				ps.add(path, "missing: name the %s policy (skyfaas policies lists them)", l.layer)
				ok = false
				continue
			}
			spec, err := parsePolicy(*l.v)
			if err != nil {
				ps.add(path, "%v", err)
				ok = false
				continue
			}
			*l.dst = spec
			if err := p.checkPolicy(l.layer, spec, env); err != nil {
				ps.addErr(path, err)
				ok = false
			}
			*l.v = spec.table()
		}
		arm.Name = a.Name
		if arm.Name == "" && ok {
			arm.Name = arm.Strategic.Label() + " / " + arm.Tactical.Label() + " / " + arm.Operational.Label()
			a.Name = arm.Name
		}
		checkName(ps, at+".name", a.Name)
		if prev, twice := names[arm.Name]; twice && arm.Name != "" { // no name: its policies failed, already reported
			ps.add(at+".name", "arm %q appears twice (first as arms[%d]): arm names must be unique", arm.Name, prev)
		} else if prev, alike := files[slug.Of(arm.Name)]; alike && arm.Name != "" {
			// Its files (jobs/c000-a01-<name>-r000.json) would carry the
			// same name as the other arm's, told apart by index alone.
			ps.add(at+".name", "arm %q and arms[%d] %q%s have the same file name %q: arm names must differ in letters, digits, '-', '_' or '.' (case and other characters are not kept in file names)",
				arm.Name, prev, s.Arms[prev].Name, ps.at(fmt.Sprintf("arms[%d].name", prev)), slug.Of(arm.Name))
		}
		if _, seen := names[arm.Name]; !seen {
			names[arm.Name], files[slug.Of(arm.Name)] = i, i
		}
		p.Arms = append(p.Arms, arm)
	}
}

// checkPolicy builds a policy to validate its name and settings.
func (p *Plan) checkPolicy(layer policies.Layer, spec PolicySpec, env policy.Env) error {
	var err error
	switch layer {
	case policies.Strategic:
		_, err = p.Registry.NewStrategic(spec.Name, Args(spec.Args), env)
	case policies.Tactical:
		_, err = p.Registry.NewTactical(spec.Name, Args(spec.Args), env)
	case policies.Operational:
		_, err = p.Registry.NewOperational(spec.Name, Args(spec.Args), env)
	}
	return err
}

// env is what policies are built with, on catalog cat.
func (p *Plan) env(s *Scenario, cat *sim.Catalog, streams sim.Streams) policy.Env {
	return policy.Env{
		Catalog:   cat,
		Streams:   streams,
		Objective: objective(s),
		Tick:      sim.FromStd(s.Simulation.Tick.Std()),
		Files:     p.Files,
	}
}

// objective is the scenario's objective (s has its defaults filled).
func objective(s *Scenario) sim.Objective {
	o := &s.Objective
	return sim.Objective{
		Weights: sim.ObjectiveWeights{Cost: *o.Cost, Performance: *o.Performance, Carbon: *o.Carbon, SLA: *o.SLA},
		Reference: sim.Terms{CostUSD: *o.ReferenceCostUSD, Latency: sim.FromStd(o.ReferenceLatency.Std()),
			CarbonG: *o.ReferenceCarbonG},
	}
}
