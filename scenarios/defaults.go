package scenarios

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// Defaults: what a scenario leaves out takes the values below, each named
// with its unit and where it comes from. A default without an outside
// source is marked as the project's choice; the README's scenario
// reference repeats them.
const (
	// DefaultSeed seeds every random stream.
	DefaultSeed uint64 = 1

	// DefaultSyntheticDuration is the synthetic workload's span: one day,
	// the unit of the Azure Functions 2019 trace it is calibrated to.
	DefaultSyntheticDuration = 24 * time.Hour
	// DefaultPeakHour is the hour of the synthetic diurnal peak (0-24): the
	// project's choice (noon).
	DefaultPeakHour = 12.0
	// DefaultPoissonMemoryMB is the footprint of the Poisson analytical
	// check's function (MB): AWS Lambda's smallest size.
	DefaultPoissonMemoryMB = 128

	// DefaultStrategicEpoch, DefaultTacticalEpoch and DefaultTick are the
	// decision intervals of the three layers, the thesis's (DESIGN.md,
	// "Layers").
	DefaultStrategicEpoch = time.Hour
	DefaultTacticalEpoch  = 15 * time.Minute
	DefaultTick           = 15 * time.Second

	// DefaultMaxQueueWait is how long a request waits at a limit before it
	// fails as throttled: the project's choice, no source.
	DefaultMaxQueueWait = 30 * time.Second

	// DefaultCPUBoundFraction is the share of an execution that scales with
	// CPU: no source; scenarios/sensitivity.toml sweeps it (0, 0.5, 1)
	// because it decides the provider ranking.
	DefaultCPUBoundFraction = 0.5
	// DefaultBusyUtilisation is the CPU utilisation of a busy instance in
	// the power model: Cloud Carbon Footprint's AVG_CPU_UTILIZATION_2020
	// (FACTS §5.1).
	DefaultBusyUtilisation = 0.5

	// DefaultSLOFactor and DefaultSLOSlack make an invocation's latency
	// objective factor × its reference duration + slack: the project's
	// choice (twice the work, plus half a second for the network and a
	// warm start), named on every table.
	DefaultSLOFactor = 2.0
	DefaultSLOSlack  = 500 * time.Millisecond

	// DefaultTactical and DefaultOperational fill the layers an arm and
	// arm_defaults leave out.
	DefaultTactical    = "nearest"
	DefaultOperational = "provider-default"
)

// applyDefaults fills every field left out (md says which keys the file
// gave: a value given as zero stays zero, for the checks to refuse, never
// silently replaced by the default).
func applyDefaults(s *Scenario, file string, md toml.MetaData) {
	given := func(key string) bool { return md.IsDefined("simulation", key) }
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if s.Seed == nil {
		seed := DefaultSeed
		s.Seed = &seed
	}
	if w := s.Workload.Synthetic; w != nil {
		if w.Duration == 0 {
			w.Duration = Duration(DefaultSyntheticDuration)
		}
		if w.PeakHour == nil {
			peak := DefaultPeakHour
			w.PeakHour = &peak
		}
	}
	if w := s.Workload.Azure2019; w != nil {
		if w.Spread == "" {
			w.Spread = traces.SpreadUniform.String()
		}
		if w.DurationDraw == "" {
			w.DurationDraw = traces.DrawInterpolate.String()
		}
	}
	if s.Workload.Label == "" {
		s.Workload.Label = defaultLabels[s.Workload.Kind]
	}
	if w := s.Workload.Poisson; w != nil && w.MemoryMB == 0 {
		w.MemoryMB = DefaultPoissonMemoryMB
	}
	sm := &s.Simulation
	for _, d := range []struct {
		key string
		p   *Duration
		v   time.Duration
	}{{"strategic_epoch", &sm.StrategicEpoch, DefaultStrategicEpoch}, {"tactical_epoch", &sm.TacticalEpoch, DefaultTacticalEpoch},
		{"tick", &sm.Tick, DefaultTick}, {"max_queue_wait", &sm.MaxQueueWait, DefaultMaxQueueWait}} {
		if !given(d.key) {
			setDur(d.p, d.v)
		}
	}
	setStr(&sm.Routing, "most-recently-used")
	setStr(&sm.OnLimit, "queue")
	setStr(&sm.KeepAliveMode, "since-idle")
	setStr(&sm.ColdStartMode, "adds")
	setStr(&sm.MemorySharing, "process")
	setStr(&sm.InstancePacking, "cpu")
	if sm.HistoryIntervals == nil {
		k := sim.DefaultHistoryIntervals
		sm.HistoryIntervals = &k
	}
	setDur(&sm.CarbonForecast.Horizon, time.Duration(sim.DefaultForecastHorizon)*time.Microsecond)
	if sm.MemorySizes == nil {
		sm.MemorySizes = slices.Clone(DefaultMemorySizes)
	}
	setFloat(&sm.CPUBoundFraction, DefaultCPUBoundFraction)
	setFloat(&sm.BusyUtilisation, DefaultBusyUtilisation)
	setFloat(&s.SLO.Factor, DefaultSLOFactor)
	if s.SLO.Slack == nil {
		d := Duration(DefaultSLOSlack)
		s.SLO.Slack = &d
	}
	o := &s.Objective
	setFloat(&o.Cost, sim.DefaultObjectiveWeights.Cost)
	setFloat(&o.Performance, sim.DefaultObjectiveWeights.Performance)
	setFloat(&o.Carbon, sim.DefaultObjectiveWeights.Carbon)
	setFloat(&o.SLA, sim.DefaultObjectiveWeights.SLA)
	setFloat(&o.ReferenceCostUSD, sim.ReferenceInvocation.CostUSD)
	setFloat(&o.ReferenceCarbonG, sim.ReferenceInvocation.CarbonG)
	if o.ReferenceLatency == nil {
		d := Duration(time.Duration(sim.ReferenceInvocation.Latency) * time.Microsecond)
		o.ReferenceLatency = &d
	}
	if s.Sweep.Replications == nil {
		r := DefaultReplications
		s.Sweep.Replications = &r
	}
	if s.ArmDefaults.Tactical == nil {
		s.ArmDefaults.Tactical = DefaultTactical
	}
	if s.ArmDefaults.Operational == nil {
		s.ArmDefaults.Operational = DefaultOperational
	}
}

// defaultLabels describe a workload kind when the scenario gives no label.
var defaultLabels = map[string]string{
	"synthetic": "synthetic day calibrated to the Azure Functions 2019 statistics (Shahrad et al., ATC'20)",
	"azure2019": "Azure Functions 2019 trace",
	"azure2021": "Azure Functions 2021 invocation trace",
	"poisson":   "one Poisson function (analytical check)",
}

func setStr(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setDur(d *Duration, v time.Duration) {
	if *d == 0 {
		*d = Duration(v)
	}
}

func setFloat(p **float64, v float64) {
	if *p == nil {
		*p = &v
	}
}

// MaxFileBytes bounds a scenario or catalog file: 16 MiB, a thousand times
// the largest shipped (scenarios/catalog.toml).
const MaxFileBytes = 16 << 20
