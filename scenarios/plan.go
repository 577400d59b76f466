package scenarios

import (
	"fmt"
	"io"
	"io/fs"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// Plan is a checked scenario, ready to run: its resolved settings, the
// catalog it builds, and the arms to compare.
type Plan struct {
	File, Dir string
	// Files is the scenario's directory as a file system: what policies
	// read their settings' files from (a learned policy's weights), so
	// that policies never open files themselves. A program that embeds
	// model files may replace it before building configurations.
	Files         fs.FS
	Scenario      Scenario
	Catalog       *sim.Catalog
	CatalogName   string
	CatalogSHA256 string
	Arms          []Arm
	Registry      *policies.Registry
	loc           *locator // key paths' lines, for Errorf

	cells []Cell // the sweep's (Cells)
}

// Arm is one policy combination.
type Arm struct {
	Name                             string
	Strategic, Tactical, Operational PolicySpec
	// Catalog is the catalog the arm runs on: the plan's, or its own copy
	// if the arm overrides figures ([[arms.override]]). Report the arm's
	// costs with it.
	Catalog *sim.Catalog
	// CPUBoundFraction is the arm's, or simulation.cpu_bound_fraction.
	CPUBoundFraction float64
}

// keepAliveModes, coldStartModes and memorySharings name the engine's
// modes as a scenario writes them.
var (
	keepAliveModes = map[string]sim.KeepAliveMode{"since-idle": sim.KeepAliveSinceIdle, "since-first-idle": sim.KeepAliveSinceFirstIdle}
	coldStartModes = map[string]sim.ColdStartMode{"adds": sim.ColdStartAdds, "replaces": sim.ColdStartReplaces}
	memorySharings = map[string]sim.MemorySharing{"process": sim.MemoryProcess, "sum": sim.MemorySum}
	packings       = map[string]sim.Packing{"cpu": sim.PackCPU, "slots": sim.PackSlots}
)

// WorkloadLabel says what the workload is, for every table.
func (p *Plan) WorkloadLabel() string { return p.Scenario.Workload.Label }

// Errorf returns an error about the scenario's key path (a dotted path
// such as "train.dqn.eval_window"), naming the file and the line of the
// key or of its closest enclosing table.
func (p *Plan) Errorf(path, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if n := p.loc.line(path); n > 0 {
		return fmt.Errorf("%s: line %d: %s: %s", p.File, n, path, msg)
	}
	return fmt.Errorf("%s: %s: %s", p.File, path, msg)
}

// Seed returns the scenario's seed.
func (p *Plan) Seed() uint64 { return *p.Scenario.Seed }

// Objective returns the scenario's objective: the reward of the learned
// layers, the score of the weighted policies, the tables' objective column.
func (p *Plan) Objective() sim.Objective { return objective(&p.Scenario) }

// Source opens a fresh workload source for one replication.
func (p *Plan) Source(seed uint64, replication int) (sim.Source, error) {
	return p.windowed(&p.Scenario, seed, replication, p.Scenario.Simulation.Window)
}

// source opens the whole workload.
func (p *Plan) source(s *Scenario, seed uint64, replication int) (sim.Source, error) {
	return p.windowed(s, seed, replication, nil)
}

// windowed opens the workload cut to win (the whole of it if nil).
func (p *Plan) windowed(s *Scenario, seed uint64, replication int, win *WindowSpec) (sim.Source, error) {
	streams := sim.NewStreams(seed, replication)
	w := &s.Workload
	switch w.Kind {
	case "synthetic":
		o := traces.SyntheticOptions{Functions: w.Synthetic.Functions,
			Duration: sim.FromStd(w.Synthetic.Duration.Std()), PeakHour: *w.Synthetic.PeakHour, Streams: streams}
		if win != nil {
			from, to := win.span()
			o.Start, o.Duration = from, to-from
		}
		return traces.NewSynthetic(o)
	case "azure2019":
		r, err := azureReplay(w.Azure2019, streams, win)
		if err != nil {
			return nil, err
		}
		return traces.OpenAzure2019(traces.Azure2019Options{Days: p.azureDays(w.Azure2019), From: r.From, To: r.To,
			Spread: r.Spread, DurationDraw: r.DurationDraw, Streams: streams})
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

// span returns the window in simulated time.
func (w *WindowSpec) span() (from, to sim.Duration) {
	return sim.FromStd(w.From.Std()), sim.FromStd(w.To.Std())
}

// azureDays lists the files of an azure2019 workload's days, resolved.
func (p *Plan) azureDays(a *Azure2019Spec) []traces.Azure2019Day {
	if len(a.Days) == 0 {
		return []traces.Azure2019Day{{Invocations: p.path(a.Invocations), Durations: p.path(a.Durations), Memory: p.path(a.Memory)}}
	}
	days := make([]traces.Azure2019Day, 0, len(a.Days))
	for _, d := range a.Days {
		days = append(days, traces.Azure2019Day{Invocations: p.path(d.Invocations), Durations: p.path(d.Durations), Memory: p.path(d.Memory)})
	}
	return days
}

// azureReplay says how an azure2019 workload is replayed over win (the
// whole trace if nil) with streams.
func azureReplay(a *Azure2019Spec, streams sim.Streams, win *WindowSpec) (traces.Azure2019Replay, error) {
	spread, err := traces.ParseSpread(a.Spread)
	if err != nil {
		return traces.Azure2019Replay{}, err
	}
	draw, err := traces.ParseDurationDraw(a.DurationDraw)
	if err != nil {
		return traces.Azure2019Replay{}, err
	}
	r := traces.Azure2019Replay{Spread: spread, DurationDraw: draw, Streams: streams}
	if win != nil {
		r.From, r.To = win.span()
	}
	return r, nil
}

// Config builds everything one run of arm needs: a fresh source, fresh
// policies and the engine settings.
func (p *Plan) Config(arm int, seed uint64, replication int) (sim.Config, error) {
	return p.config(arm, seed, replication, p.Scenario.Simulation.Window, func(seed uint64, replication int, win *WindowSpec) (sim.Source, error) {
		return p.windowed(&p.Scenario, seed, replication, win)
	})
}

// opener opens the workload over a window (the whole of it if nil).
type opener func(seed uint64, replication int, win *WindowSpec) (sim.Source, error)

// config builds a run of arm over the window win (nil: the whole
// workload) with sources from open.
func (p *Plan) config(arm int, seed uint64, replication int, win *WindowSpec, open opener) (sim.Config, error) {
	s := &p.Scenario
	streams := sim.NewStreams(seed, replication)
	src, err := open(seed, replication, win)
	if err != nil {
		return sim.Config{}, err
	}
	a := &p.Arms[arm]
	env := p.env(s, a.Catalog, streams)
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
		Catalog: a.Catalog, Source: src, Strategic: st, Tactical: ta, Operational: op, Streams: streams,
		StrategicEpoch:   sim.FromStd(sm.StrategicEpoch.Std()),
		TacticalEpoch:    sim.FromStd(sm.TacticalEpoch.Std()),
		Tick:             sim.FromStd(sm.Tick.Std()),
		Horizon:          sim.Time(sim.FromStd(s.Horizon.Std())),
		AppZones:         p.appZones(src.Apps(), streams),
		MaxQueueWait:     sim.FromStd(sm.MaxQueueWait.Std()),
		CPUBoundFraction: a.CPUBoundFraction,
		BusyUtilisation:  *sm.BusyUtilisation,
		Warmup:           sim.FromStd(sm.Warmup.Std()),
		KeepAlive:        keepAliveModes[sm.KeepAliveMode],
		ColdStart:        coldStartModes[sm.ColdStartMode],
		MemorySharing:    memorySharings[sm.MemorySharing],
		Packing:          packings[sm.InstancePacking],
		Drain:            sm.Drain,
		HistoryIntervals: *sm.HistoryIntervals,
		CarbonForecast: sim.CarbonForecast{Horizon: sim.FromStd(sm.CarbonForecast.Horizon.Std()),
			Noise: sm.CarbonForecast.Noise},
		SLO: sim.SLO{Fixed: sim.FromStd(s.SLO.Fixed.Std()), Factor: *s.SLO.Factor,
			Slack: sim.FromStd(s.SLO.Slack.Std())},
		PriorDuration: sim.FromSeconds(traces.PriorDuration),
		PriorMemoryMB: traces.PriorMemoryMB,
	}
	if win != nil {
		from, _ := win.span()
		cfg.Start = sim.Time(from)
	}
	if sm.Routing == "newest-created" {
		cfg.Routing = sim.RouteNewestCreated
	}
	if sm.OnLimit == "throttle" {
		cfg.OnLimit = sim.LimitThrottle
	}
	if sm.ProfileFrom != nil {
		if cfg.InitialProfiles, err = p.initialProfiles(seed, replication, open); err != nil {
			return sim.Config{}, err
		}
	}
	return cfg, nil
}

// InitialProfiles returns what simulation.profile_from's window of the
// workload teaches about each function (indexed as the source's
// Functions), read from a fresh source of the same seed and replication;
// nil if no window is set.
func (p *Plan) InitialProfiles(seed uint64, replication int) ([]sim.ProfileSeed, error) {
	return p.initialProfiles(seed, replication, func(seed uint64, replication int, win *WindowSpec) (sim.Source, error) {
		return p.windowed(&p.Scenario, seed, replication, win)
	})
}

// initialProfiles reads the profile window of the whole workload from
// open.
func (p *Plan) initialProfiles(seed uint64, replication int, open opener) ([]sim.ProfileSeed, error) {
	w := p.Scenario.Simulation.ProfileFrom
	if w == nil {
		return nil, nil
	}
	src, err := open(seed, replication, nil)
	if err != nil {
		return nil, err
	}
	if c, ok := src.(io.Closer); ok {
		defer c.Close() // a reader's temporary files: the profile stops early
	}
	from, to := sim.Time(sim.FromStd(w.From.Std())), sim.Time(sim.FromStd(w.To.Std()))
	seeds := make([]sim.ProfileSeed, len(src.Functions()))
	for src.Next() {
		inv := src.At()
		if inv.Arrival >= to {
			break
		}
		if inv.Arrival < from || int(inv.Function) >= len(seeds) {
			continue
		}
		sd := &seeds[inv.Function]
		sd.Invocations++
		sd.DurationSum += float64(inv.Duration)
		sd.MaxDuration = max(sd.MaxDuration, inv.Duration)
		sd.MaxMemoryMB = max(sd.MaxMemoryMB, float64(inv.MemoryMB))
	}
	if err := src.Err(); err != nil {
		return nil, fmt.Errorf("simulation.profile_from: %w", err)
	}
	return seeds, nil
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
