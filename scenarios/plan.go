package scenarios

import (
	"fmt"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// Plan is a checked scenario, ready to run: its resolved settings, the
// catalog it builds, and the arms to compare.
type Plan struct {
	File, Dir     string
	Scenario      Scenario
	Catalog       *sim.Catalog
	CatalogName   string
	CatalogSHA256 string
	Arms          []Arm
	Registry      *policies.Registry
}

// Arm is one policy combination.
type Arm struct {
	Name                             string
	Strategic, Tactical, Operational PolicySpec
}

// Seed returns the scenario's seed.
func (p *Plan) Seed() uint64 { return *p.Scenario.Seed }

// Source opens a fresh workload source for one replication.
func (p *Plan) Source(seed uint64, replication int) (sim.Source, error) {
	streams := sim.NewStreams(seed, replication)
	w := &p.Scenario.Workload
	switch w.Kind {
	case "synthetic":
		return traces.NewSynthetic(traces.SyntheticOptions{Functions: w.Synthetic.Functions,
			Duration: sim.FromStd(w.Synthetic.Duration.Std()), PeakHour: *w.Synthetic.PeakHour, Streams: streams})
	case "azure2019":
		a := w.Azure2019
		spread, err := traces.ParseSpread(a.Spread)
		if err != nil {
			return nil, err
		}
		days := []traces.Azure2019Day{{Invocations: p.path(a.Invocations), Durations: p.path(a.Durations), Memory: p.path(a.Memory)}}
		if len(a.Days) > 0 {
			days = days[:0]
			for _, d := range a.Days {
				days = append(days, traces.Azure2019Day{Invocations: p.path(d.Invocations), Durations: p.path(d.Durations), Memory: p.path(d.Memory)})
			}
		}
		return traces.OpenAzure2019(traces.Azure2019Options{Days: days, Spread: spread, Streams: streams})
	case "azure2021":
		var mem dist.Quantiler = traces.PopulationFootprint{}
		if w.Azure2021.MemoryMB > 0 {
			mem = dist.Constant{V: w.Azure2021.MemoryMB}
		}
		return traces.OpenAzure2021(p.path(w.Azure2021.File), traces.Azure2021Options{Memory: mem, Streams: streams})
	case "poisson":
		q := w.Poisson
		return traces.NewPoisson(traces.PoissonOptions{Rate: q.Rate, MeanDuration: sim.FromStd(q.MeanDuration.Std()),
			MemoryMB: float32(q.MemoryMB), Duration: sim.FromStd(q.Duration.Std()), Streams: streams})
	}
	return nil, fmt.Errorf("unknown workload kind %q", w.Kind)
}

// Config builds everything one run of arm needs: a fresh source, fresh
// policies and the engine settings.
func (p *Plan) Config(arm int, seed uint64, replication int) (sim.Config, error) {
	s := &p.Scenario
	streams := sim.NewStreams(seed, replication)
	src, err := p.Source(seed, replication)
	if err != nil {
		return sim.Config{}, err
	}
	env := p.env(s, streams)
	a := &p.Arms[arm]
	st, err := p.Registry.NewStrategic(a.Strategic.Name, Args(a.Strategic.Args), env)
	if err != nil {
		return sim.Config{}, fmt.Errorf("arm %q: strategic: %w", a.Name, err)
	}
	ta, err := p.Registry.NewTactical(a.Tactical.Name, Args(a.Tactical.Args), env)
	if err != nil {
		return sim.Config{}, fmt.Errorf("arm %q: tactical: %w", a.Name, err)
	}
	op, err := p.Registry.NewOperational(a.Operational.Name, Args(a.Operational.Args), env)
	if err != nil {
		return sim.Config{}, fmt.Errorf("arm %q: operational: %w", a.Name, err)
	}
	sm := &s.Simulation
	cfg := sim.Config{
		Catalog: p.Catalog, Source: src, Strategic: st, Tactical: ta, Operational: op, Streams: streams,
		StrategicEpoch:   sim.FromStd(sm.StrategicEpoch.Std()),
		TacticalEpoch:    sim.FromStd(sm.TacticalEpoch.Std()),
		Tick:             sim.FromStd(sm.Tick.Std()),
		Horizon:          sim.Time(sim.FromStd(s.Horizon.Std())),
		AppZones:         p.appZones(src.Apps(), streams),
		MaxQueueWait:     sim.FromStd(sm.MaxQueueWait.Std()),
		CPUBoundFraction: *sm.CPUBoundFraction,
		BusyUtilisation:  *sm.BusyUtilisation,
		SLO: sim.SLO{Fixed: sim.FromStd(s.SLO.Fixed.Std()), Factor: *s.SLO.Factor,
			Slack: sim.FromStd(s.SLO.Slack.Std())},
		PriorDuration: sim.FromSeconds(traces.PriorDuration),
		PriorMemoryMB: traces.PriorMemoryMB,
	}
	if sm.Routing == "newest-created" {
		cfg.Routing = sim.RouteNewestCreated
	}
	if sm.OnLimit == "throttle" {
		cfg.OnLimit = sim.LimitThrottle
	}
	return cfg, nil
}

// appZones gives each app a client zone, drawn from the mix by a hash of
// (seed, app name): the same app lands in the same zone in every arm and
// whatever the order apps are listed in.
func (p *Plan) appZones(apps []string, streams sim.Streams) []sim.ZoneID {
	cat := p.Catalog
	shares := make([]float64, len(cat.Zones))
	total := 0.0
	for i, z := range cat.Zones {
		shares[i] = p.Scenario.Clients.Mix[z.Name]
		total += shares[i]
	}
	out := make([]sim.ZoneID, len(apps))
	for i, a := range apps {
		u := streams.Hash01("zone/"+a) * total
		z := 0
		for z < len(shares)-1 && u >= shares[z] {
			u -= shares[z]
			z++
		}
		for shares[z] == 0 && z > 0 { // never land on an empty zone at the edge
			z--
		}
		out[i] = sim.ZoneID(z)
	}
	return out
}
