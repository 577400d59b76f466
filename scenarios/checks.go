package scenarios

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/skyfaas/skyfaas/internal/regular"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// Checks: every scenario value against its documented range.

// checkScenario validates the scenario's own fields.
func checkScenario(s *Scenario, ps *problems) {
	checkSweep(s, ps)
	checkName(ps, "name", s.Name)
	if s.Horizon < 0 {
		ps.add("horizon", "must not be negative (got %v)", s.Horizon)
	}
	spanAtMost(ps, "horizon", s.Horizon, MaxRunSpan)
	w := &s.Workload
	sections := map[string]bool{"synthetic": w.Synthetic != nil, "azure2019": w.Azure2019 != nil, "azure2021": w.Azure2021 != nil, "poisson": w.Poisson != nil}
	if _, ok := sections[w.Kind]; !ok {
		ps.add("workload.kind", "must be synthetic, azure2019, azure2021 or poisson (got %q)", w.Kind)
	} else if !sections[w.Kind] {
		ps.add("workload."+w.Kind, "missing: workload.kind is %q but there is no [workload.%s] table", w.Kind, w.Kind)
	}
	for _, k := range []string{"synthetic", "azure2019", "azure2021", "poisson"} {
		if sections[k] && k != w.Kind {
			ps.add("workload."+k, "given, but workload.kind is %q: remove it or change the kind", w.Kind)
		}
	}
	if sp := w.Synthetic; sp != nil && w.Kind == "synthetic" {
		if sp.Functions <= 0 || sp.Functions > traces.MaxSyntheticFunctions {
			ps.add("workload.synthetic.functions", "must be in 1..%d (got %d): a run holds about 5 kB per function", traces.MaxSyntheticFunctions, sp.Functions)
		}
		if sp.Duration <= 0 {
			ps.add("workload.synthetic.duration", "must be positive (got %v)", sp.Duration)
		}
		spanAtMost(ps, "workload.synthetic.duration", sp.Duration, MaxRunSpan)
		if h := *sp.PeakHour; !(h >= 0 && h < 24) {
			ps.add("workload.synthetic.peak_hour", "must be in [0, 24) (got %v)", h)
		}
	}
	if a := w.Azure2019; a != nil && w.Kind == "azure2019" {
		if _, err := traces.ParseSpread(a.Spread); err != nil {
			ps.add("workload.azure2019.spread", "%v", err)
		}
		if _, err := traces.ParseDurationDraw(a.DurationDraw); err != nil {
			ps.add("workload.azure2019.duration_draw", "%v", err)
		}
		single := a.Invocations != "" || a.Durations != "" || a.Memory != ""
		switch {
		case single && len(a.Days) > 0:
			ps.add("workload.azure2019", "give either invocations/durations/memory (one day) or days, not both")
		case !single && len(a.Days) == 0:
			ps.add("workload.azure2019", "needs invocations, durations and memory files (or days)")
		case single:
			for k, v := range map[string]string{"invocations": a.Invocations, "durations": a.Durations, "memory": a.Memory} {
				if v == "" {
					ps.add("workload.azure2019."+k, "missing: all three files are needed")
				}
			}
		}
	}
	if a := w.Azure2021; a != nil && w.Kind == "azure2021" {
		if a.File == "" {
			ps.add("workload.azure2021.file", "missing: the path of the downloaded AzureFunctionsInvocationTraceForTwoWeeksJan2021 file")
		}
		if !finite(a.MemoryMB) || a.MemoryMB < 0 || a.MemoryMB > MaxMemoryMB {
			ps.add("workload.azure2021.memory_mb", "must be 0 (population) or a footprint of at most %d MB (got %v)", MaxMemoryMB, a.MemoryMB)
		}
	}
	if p := w.Poisson; p != nil && w.Kind == "poisson" {
		if !finite(p.Rate) || p.Rate <= 0 || p.Rate > MaxPoissonRate {
			ps.add("workload.poisson.rate", "must be a rate per second in (0, %g] (got %v)", float64(MaxPoissonRate), p.Rate)
		}
		if p.MeanDuration <= 0 {
			ps.add("workload.poisson.mean_duration", "must be positive (got %v)", p.MeanDuration)
		}
		spanAtMost(ps, "workload.poisson.mean_duration", p.MeanDuration, MaxTimeout)
		if busy := p.Rate * p.MeanDuration.Std().Seconds(); p.Rate <= MaxPoissonRate && busy > MaxPoissonBusy {
			ps.add("workload.poisson", "rate × mean_duration, the mean number of executions in progress, must be at most %g (got %g): the engine holds each in memory", float64(MaxPoissonBusy), busy)
		}
		if p.Duration <= 0 {
			ps.add("workload.poisson.duration", "must be positive (got %v)", p.Duration)
		}
		spanAtMost(ps, "workload.poisson.duration", p.Duration, MaxRunSpan)
		if !finite(p.MemoryMB) || p.MemoryMB < 0 || p.MemoryMB > MaxMemoryMB {
			ps.add("workload.poisson.memory_mb", "must be in [0, %d] MB (got %v)", MaxMemoryMB, p.MemoryMB)
		}
	}

	sm := &s.Simulation
	for _, d := range []struct {
		k string
		v Duration
	}{{"strategic_epoch", sm.StrategicEpoch}, {"tactical_epoch", sm.TacticalEpoch}, {"tick", sm.Tick}, {"max_queue_wait", sm.MaxQueueWait}} {
		limit := MaxRunSpan
		if d.k == "max_queue_wait" {
			limit = MaxLatencySpan
		}
		if d.v <= 0 {
			ps.add("simulation."+d.k, "must be positive (got %v)", d.v)
		} else if time.Duration(d.v) > limit {
			ps.add("simulation."+d.k, "must be at most %v (got %v)", fmtSpan(limit), d.v)
		} else if time.Duration(d.v)%time.Microsecond != 0 {
			ps.add("simulation."+d.k, "must be a whole number of microseconds (got %v)", d.v)
		}
	}
	if sm.Tick > 0 && sm.TacticalEpoch > 0 && sm.StrategicEpoch > 0 {
		if sm.TacticalEpoch%sm.Tick != 0 {
			ps.add("simulation.tactical_epoch", "must be a multiple of the tick (%v is not a multiple of %v)", sm.TacticalEpoch, sm.Tick)
		}
		if sm.StrategicEpoch%sm.TacticalEpoch != 0 {
			ps.add("simulation.strategic_epoch", "must be a multiple of the tactical epoch (%v is not a multiple of %v)", sm.StrategicEpoch, sm.TacticalEpoch)
		}
	}
	if sm.Routing != "most-recently-used" && sm.Routing != "newest-created" {
		ps.add("simulation.routing", "must be most-recently-used or newest-created (got %q)", sm.Routing)
	}
	if sm.OnLimit != "queue" && sm.OnLimit != "throttle" {
		ps.add("simulation.on_limit", "must be queue or throttle (got %q)", sm.OnLimit)
	}
	for _, f := range []struct {
		k string
		v float64
	}{{"simulation.cpu_bound_fraction", *sm.CPUBoundFraction}, {"simulation.busy_utilisation", *sm.BusyUtilisation}} {
		if !(f.v >= 0 && f.v <= 1) {
			ps.add(f.k, "must be a fraction in [0, 1] (got %v)", f.v)
		}
	}
	if k := *sm.HistoryIntervals; k < 1 || k > sim.MaxHistoryIntervals {
		ps.add("simulation.history_intervals", "must be in 1..%d (got %d)", sim.MaxHistoryIntervals, k)
	}
	if f := sm.CarbonForecast; f.Horizon < 0 || f.Horizon.Std() > 7*24*time.Hour || !(f.Noise >= 0 && f.Noise <= 10) {
		ps.add("simulation.carbon_forecast", "horizon must be in [0, 7 days] and noise a relative error in [0, 10] (got %v and %v)", f.Horizon, f.Noise)
	}
	for _, m := range []struct {
		k, v    string
		choices []string
	}{{"keepalive_mode", sm.KeepAliveMode, slices.Sorted(maps.Keys(keepAliveModes))},
		{"cold_start_mode", sm.ColdStartMode, slices.Sorted(maps.Keys(coldStartModes))},
		{"memory_sharing", sm.MemorySharing, slices.Sorted(maps.Keys(memorySharings))},
		{"instance_packing", sm.InstancePacking, slices.Sorted(maps.Keys(packings))}} {
		if !slices.Contains(m.choices, m.v) {
			ps.add("simulation."+m.k, "must be %s (got %q)", strings.Join(m.choices, " or "), m.v)
		}
	}
	if sm.Warmup < 0 {
		ps.add("simulation.warmup", "must not be negative (got %v)", sm.Warmup)
	}
	spanAtMost(ps, "simulation.warmup", sm.Warmup, MaxRunSpan)
	if w := sm.Window; w != nil {
		switch {
		case w.From < 0:
			ps.add("simulation.window.from", "must not be negative (got %v)", w.From)
		case w.From >= w.To:
			ps.add("simulation.window", "is empty: from must be before to (got from %v, to %v)", w.From, w.To)
		case time.Duration(w.To) > MaxRunSpan:
			ps.add("simulation.window.to", "must be at most %v (got %v)", fmtSpan(MaxRunSpan), w.To)
		}
		if k := s.Workload.Kind; k != "synthetic" && k != "azure2019" {
			ps.add("simulation.window", "is supported for synthetic and azure2019 workloads, not %s", k)
		}
		if s.Workload.Kind == "azure2019" && (w.From.Std()%time.Minute != 0 || w.To.Std()%time.Minute != 0) {
			ps.add("simulation.window", "must start and end on whole minutes for the per-minute azure2019 trace (got [%v, %v))", w.From, w.To)
		}
		if s.Horizon > 0 {
			ps.add("simulation.window", "and horizon both cut the run: give one (window.to ends it)")
		}
	}
	if w := sm.ProfileFrom; w != nil {
		if w.From < 0 {
			ps.add("simulation.profile_from.from", "must not be negative (got %v)", w.From)
		}
		if w.From >= w.To {
			ps.add("simulation.profile_from", "from must be before to (got from %v, to %v)", w.From, w.To)
		}
		spanAtMost(ps, "simulation.profile_from.to", w.To, MaxRunSpan)
	}
	checkMemorySizes(sm.MemorySizes, ps)
	if s.ArmDefaults.CPUBoundFraction != nil || len(s.ArmDefaults.Override) > 0 {
		ps.add("arm_defaults", "cpu_bound_fraction and override belong to an arm (for every arm, use simulation.cpu_bound_fraction and catalog.override)")
	}
	for i, a := range s.Arms {
		if f := a.CPUBoundFraction; f != nil && !(*f >= 0 && *f <= 1) {
			ps.add(fmt.Sprintf("arms[%d].cpu_bound_fraction", i), "must be a fraction in [0, 1] (got %v)", *f)
		}
	}
	if s.SLO.Fixed < 0 || (s.SLO.Fixed > 0 && time.Duration(s.SLO.Fixed)%time.Microsecond != 0) {
		ps.add("slo.fixed", "must be 0 (none: factor and slack apply) or a positive whole number of microseconds (got %v)", s.SLO.Fixed)
	}
	spanAtMost(ps, "slo.fixed", s.SLO.Fixed, MaxLatencySpan)
	if f := *s.SLO.Factor; !finite(f) || f < 0 || f > MaxSLOFactor {
		ps.add("slo.factor", "must be a number in [0, %d], a multiple of the reference duration (got %v)", MaxSLOFactor, f)
	}
	if *s.SLO.Slack < 0 {
		ps.add("slo.slack", "must not be negative (got %v)", *s.SLO.Slack)
	}
	spanAtMost(ps, "slo.slack", *s.SLO.Slack, MaxLatencySpan)
	if s.SLO.Fixed == 0 && *s.SLO.Factor == 0 && *s.SLO.Slack == 0 {
		ps.add("slo", "an objective of zero latency can never be met: set fixed, factor or slack")
	}
	o := &s.Objective
	for _, f := range []struct {
		k string
		v float64
	}{{"cost", *o.Cost}, {"performance", *o.Performance}, {"carbon", *o.Carbon}, {"sla", *o.SLA}} {
		if !finite(f.v) || f.v < 0 || f.v > MaxWeight {
			ps.add("objective."+f.k, "must be a weight in [0, %g] (got %v)", float64(MaxWeight), f.v)
		}
	}
	if *o.Cost+*o.Performance+*o.Carbon+*o.SLA == 0 {
		ps.add("objective", "every weight is 0: the objective would rank nothing")
	}
	inRange(ps, "objective.reference_cost_usd", *o.ReferenceCostUSD, MinReference, MaxReferenceCostUSD, "USD")
	inRange(ps, "objective.reference_carbon_g", *o.ReferenceCarbonG, MinReference, MaxReferenceCarbonG, "g")
	if *o.ReferenceLatency <= 0 || sim.FromStd(o.ReferenceLatency.Std()) <= 0 {
		ps.add("objective.reference_latency", "must be at least 1µs (got %v)", *o.ReferenceLatency)
	}
	spanAtMost(ps, "objective.reference_latency", *o.ReferenceLatency, MaxLatencySpan)
	if len(s.Arms) == 0 {
		ps.add("arms", "missing: a scenario compares at least one arm ([[arms]] with a strategic policy)")
	}
}

// checkMemorySizes validates the tactical action set (reporting to ps if
// it is not nil).
func checkMemorySizes(sizes []int, ps *problems) bool {
	const at = "simulation.memory_sizes"
	bad := func(format string, args ...any) bool {
		if ps != nil {
			ps.add(at, format, args...)
		}
		return false
	}
	if len(sizes) == 0 || len(sizes) > 255 {
		return bad("needs 1 to 255 sizes (got %d)", len(sizes))
	}
	for i, v := range sizes {
		if v <= 0 || v > MaxMemoryMB {
			return bad("sizes must be in 1..%d MB (got %d)", MaxMemoryMB, v)
		}
		if i > 0 && v <= sizes[i-1] {
			return bad("sizes must increase (%d after %d)", v, sizes[i-1])
		}
	}
	return true
}

// names lists the names of catalog entries, for messages.
func names[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}

// checkWorkloadFiles reports trace files that cannot be opened; it
// returns whether the workload can be opened.
func (p *Plan) checkWorkloadFiles(s *Scenario, ps *problems) bool {
	n := len(ps.list)
	check := func(path, file string) {
		if file == "" {
			return
		}
		f, err := regular.Open(p.path(file))
		if err != nil {
			ps.add(path, "cannot open the trace file: %v", err)
			return
		}
		f.Close()
	}
	w := &s.Workload
	if a := w.Azure2019; a != nil && w.Kind == "azure2019" {
		check("workload.azure2019.invocations", a.Invocations)
		check("workload.azure2019.durations", a.Durations)
		check("workload.azure2019.memory", a.Memory)
		for i, d := range a.Days {
			at := fmt.Sprintf("workload.azure2019.days[%d]", i)
			for k, v := range map[string]string{"invocations": d.Invocations, "durations": d.Durations, "memory": d.Memory} {
				if v == "" {
					ps.add(at+"."+k, "missing")
				}
			}
			check(at+".invocations", d.Invocations)
			check(at+".durations", d.Durations)
			check(at+".memory", d.Memory)
		}
	}
	if a := w.Azure2021; a != nil && w.Kind == "azure2021" {
		check("workload.azure2021.file", a.File)
	}
	return len(ps.list) == n
}

// checkSpan checks the warm-up and the profile window against the
// workload's span. A trace's span is known once it is opened, so a trace
// is opened here if either is set.
func (p *Plan) checkSpan(s *Scenario, ps *problems) {
	sm := &s.Simulation
	w := &s.Workload
	trace := w.Kind == "azure2019" || w.Kind == "azure2021"
	if !trace && sm.Warmup <= 0 && sm.ProfileFrom == nil && sm.Window == nil {
		return
	}
	var horizon sim.Time
	switch {
	case w.Kind == "synthetic" && w.Synthetic != nil:
		horizon = sim.Time(sim.FromStd(w.Synthetic.Duration.Std()))
	case w.Kind == "poisson" && w.Poisson != nil:
		horizon = sim.Time(sim.FromStd(w.Poisson.Duration.Std()))
	default:
		// A trace is opened as a run opens it (headers, shapes and
		// figures of every day's invocations and of the first day's
		// durations and memory), so that validate finds what run would.
		src, err := p.source(s, *s.Seed, 0)
		if err != nil {
			ps.add("workload."+w.Kind, "cannot read the trace: %v", err)
			return
		}
		horizon = src.Horizon()
		if a, ok := src.(interface{ CheckDays() error }); ok && len(w.Azure2019.Days) > 1 {
			if err := a.CheckDays(); err != nil {
				ps.add("workload.azure2019.days", "cannot read the trace: %v", err)
			}
		}
		if c, ok := src.(io.Closer); ok {
			c.Close()
		}
	}
	if horizon <= 0 {
		return // the workload's own checks report it
	}
	span := horizon
	if h := sim.Time(sim.FromStd(s.Horizon.Std())); h > 0 && h < span {
		span = h
	}
	start := sim.Time(0)
	if w := sm.Window; w != nil && w.From < w.To && w.From >= 0 {
		start = sim.Time(sim.FromStd(w.From.Std()))
		if to := sim.Time(sim.FromStd(w.To.Std())); to > horizon {
			ps.add("simulation.window", "[%v, %v) is outside the workload's span (it ends at %v)", w.From, w.To, time.Duration(horizon)*time.Microsecond)
		} else {
			span = to
		}
	}
	if wu := sim.FromStd(sm.Warmup.Std()); wu > 0 && start.Add(wu) >= span {
		ps.add("simulation.warmup", "warm-up longer than the run (warm-up %v, run %v)", sm.Warmup, time.Duration(span.Sub(start))*time.Microsecond)
	}
	if f := sm.ProfileFrom; f != nil && f.From < f.To && sim.Time(sim.FromStd(f.To.Std())) > horizon {
		ps.add("simulation.profile_from", "window [%v, %v) is outside the workload's span (it ends at %v)", f.From, f.To, time.Duration(horizon)*time.Microsecond)
	}
}

// path resolves a path written in the scenario.
func (p *Plan) path(file string) string {
	if file == "" || filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(p.Dir, file)
}

// MaxNameBytes bounds a scenario or arm name: it names files and heads
// table rows.
const MaxNameBytes = 200

// checkName refuses a name that would reach a terminal or a file name as
// something else: control characters (an escape sequence), invalid UTF-8,
// or a name longer than MaxNameBytes. The message quotes it, escaped.
func checkName(ps *problems, path, name string) {
	switch {
	case !utf8.ValidString(name):
		ps.add(path, "is not valid UTF-8 (got %q)", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		ps.add(path, "must not contain control characters (got %q)", name)
	case len(name) > MaxNameBytes:
		ps.add(path, "must be at most %d bytes (got %d)", MaxNameBytes, len(name))
	}
}
