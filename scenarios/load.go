package scenarios

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/traces"
)

// DefaultScenario is the embedded default scenario (default.toml): a
// synthetic day compared across the strategic baselines. It needs no file.
//
//go:embed default.toml
var DefaultScenario []byte

// DefaultName is how the embedded default scenario is named in messages.
const DefaultName = "default.toml (embedded)"

// Load reads, checks and resolves a scenario file, building its policies
// from reg (the caller's registry: the builtin baselines, plus whatever it
// registers, such as learned policies). Relative paths inside it are taken
// from the file's directory.
func Load(path string, reg *policies.Registry) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(path, data, filepath.Dir(path), reg)
}

// Default resolves the embedded default scenario with the policies of reg.
func Default(reg *policies.Registry) (*Plan, error) {
	return Parse(DefaultName, DefaultScenario, ".", reg)
}

// Parse checks and resolves scenario data read from file, whose relative
// paths are taken from dir. Every problem found is reported at once, each
// with its key path and line. Policies are looked up in reg.
func Parse(file string, data []byte, dir string, reg *policies.Registry) (*Plan, error) {
	if reg == nil {
		return nil, fmt.Errorf("scenario %s: no policy registry (pass policies.Builtin() for the baselines)", file)
	}
	var s Scenario
	md, err := decodeStrict(file, data, &s)
	if err != nil {
		return nil, err
	}
	ps := &problems{loc: newLocator(data)}
	unknownKeys(ps, md.Undecoded())
	if len(ps.list) > 0 {
		return nil, ps.err(file)
	}
	applyDefaults(&s, file)
	plan := &Plan{File: file, Dir: dir, Files: os.DirFS(dir), Registry: reg}
	checkScenario(&s, ps)
	cat, build, series, catErr := plan.loadCatalog(&s, ps)
	if catErr != nil {
		return nil, catErr
	}
	if cat != nil {
		plan.Catalog = cat
		if plan.checkWorkloadFiles(&s, ps) {
			plan.checkSpan(&s, ps)
		}
		plan.resolveArms(&s, ps, build, series)
	}
	if err := ps.err(file); err != nil {
		return nil, err
	}
	plan.Scenario = s
	return plan, nil
}

// decodeStrict decodes TOML data into v. A syntax error is reported as
// invalid TOML; a value of the wrong type or form (a number where a
// duration string belongs) by its key. Either stops decoding, so it is
// reported alone, with its line.
func decodeStrict(file string, data []byte, v any) (toml.MetaData, error) {
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return toml.MetaData{}, &Error{File: file, Problems: []Problem{{Line: pe.Position.Line, Msg: "invalid TOML: " + pe.Message}}}
		}
		return toml.MetaData{}, &Error{File: file, Problems: []Problem{{Msg: "invalid TOML: " + err.Error()}}}
	}
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(v)
	if err == nil {
		return md, nil
	}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return md, &Error{File: file, Problems: []Problem{{Path: pe.LastKey, Line: pe.Position.Line, Msg: pe.Message}}}
	}
	// Type mismatches come as "toml: line N (last key "k"): message".
	if m := typeError.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return md, &Error{File: file, Problems: []Problem{{Path: m[2], Line: line, Msg: m[3]}}}
	}
	return md, &Error{File: file, Problems: []Problem{{Msg: err.Error()}}}
}

var typeError = regexp.MustCompile(`^toml: (?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)

// policyTables are the keys whose values are policy specs or catalog
// overrides: the decoder leaves the contents of their subtables undecoded,
// and each policy decodes its settings strictly itself, as the catalog
// build does an override's keys.
var policyTables = []string{"arms.strategic", "arms.tactical", "arms.operational",
	"arm_defaults.strategic", "arm_defaults.tactical", "arm_defaults.operational",
	"catalog.override", "arms.override", "arm_defaults.override"}

// unknownKeys reports keys the schema has no field for, at their lines.
func unknownKeys(ps *problems, keys []toml.Key) {
	for _, k := range keys {
		plain := k.String()
		if slices.ContainsFunc(policyTables, func(t string) bool { return strings.HasPrefix(plain, t+".") }) {
			continue
		}
		for _, p := range ps.loc.indexedPaths(plain) {
			ps.add(p, "%s", unknownKeyMsg(plain))
		}
	}
}

// unknownKeyMsg says a key is not part of the schema, with a hint for keys
// that were.
func unknownKeyMsg(key string) string {
	if key == "limits.scope" || strings.HasSuffix(key, ".limits.scope") {
		return "unknown key: scope was replaced by concurrency_scope and scale_up_scope (each region, app or function)"
	}
	return "unknown key (misspelt, or not part of the schema)"
}

// applyDefaults fills every field left out.
func applyDefaults(s *Scenario, file string) {
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	}
	if s.Seed == nil {
		one := uint64(1)
		s.Seed = &one
	}
	if w := s.Workload.Synthetic; w != nil {
		if w.Duration == 0 {
			w.Duration = Duration(24 * time.Hour)
		}
		if w.PeakHour == nil {
			noon := 12.0
			w.PeakHour = &noon
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
		w.MemoryMB = 128
	}
	sm := &s.Simulation
	setDur(&sm.StrategicEpoch, time.Hour)
	setDur(&sm.TacticalEpoch, 15*time.Minute)
	setDur(&sm.Tick, 15*time.Second)
	setDur(&sm.MaxQueueWait, 30*time.Second)
	setStr(&sm.Routing, "most-recently-used")
	setStr(&sm.OnLimit, "queue")
	setStr(&sm.KeepAliveMode, "since-idle")
	setStr(&sm.ColdStartMode, "adds")
	setStr(&sm.MemorySharing, "process")
	setStr(&sm.InstancePacking, "cpu")
	if sm.MemorySizes == nil {
		sm.MemorySizes = slices.Clone(DefaultMemorySizes)
	}
	setFloat(&sm.CPUBoundFraction, 0.5)
	setFloat(&sm.BusyUtilisation, 0.5) // CCF AVG_CPU_UTILIZATION_2020 (FACTS §5.1)
	setFloat(&s.SLO.Factor, 2)
	if s.SLO.Slack == nil {
		d := Duration(500 * time.Millisecond)
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
	if s.ArmDefaults.Tactical == nil {
		s.ArmDefaults.Tactical = "nearest"
	}
	if s.ArmDefaults.Operational == nil {
		s.ArmDefaults.Operational = "provider-default"
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

// checkScenario validates the scenario's own fields.
func checkScenario(s *Scenario, ps *problems) {
	if s.Horizon < 0 {
		ps.add("horizon", "must not be negative (got %v)", s.Horizon)
	}
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
		if sp.Functions <= 0 || sp.Functions > 10_000_000 {
			ps.add("workload.synthetic.functions", "must be in 1..10000000 (got %d)", sp.Functions)
		}
		if sp.Duration <= 0 {
			ps.add("workload.synthetic.duration", "must be positive (got %v)", sp.Duration)
		}
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
		if !finite(a.MemoryMB) || a.MemoryMB < 0 {
			ps.add("workload.azure2021.memory_mb", "must be 0 (population) or a positive footprint (got %v)", a.MemoryMB)
		}
	}
	if p := w.Poisson; p != nil && w.Kind == "poisson" {
		if !finite(p.Rate) || p.Rate <= 0 {
			ps.add("workload.poisson.rate", "must be a positive rate per second (got %v)", p.Rate)
		}
		if p.MeanDuration <= 0 {
			ps.add("workload.poisson.mean_duration", "must be positive (got %v)", p.MeanDuration)
		}
		if p.Duration <= 0 {
			ps.add("workload.poisson.duration", "must be positive (got %v)", p.Duration)
		}
		if !finite(p.MemoryMB) || p.MemoryMB < 0 {
			ps.add("workload.poisson.memory_mb", "must be >= 0 (got %v)", p.MemoryMB)
		}
	}

	sm := &s.Simulation
	for _, d := range []struct {
		k string
		v Duration
	}{{"strategic_epoch", sm.StrategicEpoch}, {"tactical_epoch", sm.TacticalEpoch}, {"tick", sm.Tick}, {"max_queue_wait", sm.MaxQueueWait}} {
		if d.v <= 0 {
			ps.add("simulation."+d.k, "must be positive (got %v)", d.v)
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
	if w := sm.Window; w != nil {
		switch {
		case w.From < 0:
			ps.add("simulation.window.from", "must not be negative (got %v)", w.From)
		case w.From >= w.To:
			ps.add("simulation.window", "is empty: from must be before to (got from %v, to %v)", w.From, w.To)
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
	if s.SLO.Fixed < 0 {
		ps.add("slo.fixed", "must not be negative (got %v)", s.SLO.Fixed)
	}
	if f := *s.SLO.Factor; !finite(f) || f < 0 {
		ps.add("slo.factor", "must be a finite number >= 0 (got %v)", f)
	}
	if *s.SLO.Slack < 0 {
		ps.add("slo.slack", "must not be negative (got %v)", *s.SLO.Slack)
	}
	if s.SLO.Fixed == 0 && *s.SLO.Factor == 0 && *s.SLO.Slack == 0 {
		ps.add("slo", "an objective of zero latency can never be met: set fixed, factor or slack")
	}
	o := &s.Objective
	for _, f := range []struct {
		k string
		v float64
	}{{"cost", *o.Cost}, {"performance", *o.Performance}, {"carbon", *o.Carbon}, {"sla", *o.SLA}} {
		if !finite(f.v) || f.v < 0 {
			ps.add("objective."+f.k, "must be a finite weight >= 0 (got %v)", f.v)
		}
	}
	if *o.Cost+*o.Performance+*o.Carbon+*o.SLA == 0 {
		ps.add("objective", "every weight is 0: the objective would rank nothing")
	}
	for _, f := range []struct {
		k string
		v float64
	}{{"reference_cost_usd", *o.ReferenceCostUSD}, {"reference_carbon_g", *o.ReferenceCarbonG}} {
		if !finite(f.v) || f.v <= 0 {
			ps.add("objective."+f.k, "must be a finite number > 0 (got %v)", f.v)
		}
	}
	if *o.ReferenceLatency <= 0 || sim.FromStd(o.ReferenceLatency.Std()) <= 0 {
		ps.add("objective.reference_latency", "must be at least 1µs (got %v)", *o.ReferenceLatency)
	}
	if len(s.Arms) == 0 {
		ps.add("arms", "missing: a scenario compares at least one arm ([[arms]] with a strategic policy)")
	}
}

// loadCatalog builds the scenario's catalog: embedded or from a file,
// with the scenario's overrides, action set and carbon series. It returns
// the builder the arms' own catalogs are made with, and the carbon series
// to apply to them.
func (p *Plan) loadCatalog(s *Scenario, ps *problems) (*sim.Catalog, *catalogBuild, []regionSeries, error) {
	data, name := DefaultCatalog, "catalog.toml (embedded)"
	if s.Catalog.File != "" {
		path := p.path(s.Catalog.File)
		d, err := os.ReadFile(path)
		if err != nil {
			ps.add("catalog.file", "cannot read the catalog: %v", err)
			return nil, nil, nil, nil
		}
		data, name = d, path
	}
	p.CatalogName, p.CatalogSHA256 = name, catalogDigest(data)
	var cf catalogFile
	md, err := decodeStrict(name, data, &cf)
	if err != nil {
		return nil, nil, nil, err
	}
	cps := &problems{loc: newLocator(data)}
	unknownKeys(cps, md.Undecoded())
	if err := cps.err(name); err != nil {
		return nil, nil, nil, err
	}
	if buildCatalog(&cf, cps, "") == nil {
		return nil, nil, nil, cps.err(name)
	}
	b := &catalogBuild{}
	if _, err := toml.Decode(string(data), &b.raw); err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if checkMemorySizes(s.Simulation.MemorySizes, nil) {
		b.sizes = s.Simulation.MemorySizes
	}
	cat := b.build([]overrideSet{{"catalog.override", s.Catalog.Override}}, ps)
	if cat == nil {
		return nil, nil, nil, nil
	}
	if len(s.Clients.Mix) == 0 {
		s.Clients.Mix = map[string]float64{}
		for _, z := range cat.Zones {
			s.Clients.Mix[z.Name] = 1 / float64(len(cat.Zones))
		}
	}
	total := 0.0
	for _, z := range slices.Sorted(maps.Keys(s.Clients.Mix)) {
		share := s.Clients.Mix[z]
		if !slices.ContainsFunc(cat.Zones, func(cz sim.Zone) bool { return cz.Name == z }) {
			ps.add("clients.mix."+z, "unknown client zone (the catalog has %q)", names(cat.Zones, func(z sim.Zone) string { return z.Name }))
		}
		if !finite(share) || share < 0 {
			ps.add("clients.mix."+z, "must be a share >= 0 (got %v)", share)
		}
		total += share
	}
	if !(total > 0) || math.IsInf(total, 0) {
		ps.add("clients.mix", "shares must add up to a positive number (got %v)", total)
	}
	var series []regionSeries
	for i, cs := range s.Catalog.CarbonSeries {
		path := fmt.Sprintf("catalog.carbon_series[%d]", i)
		prov, reg, ok := strings.Cut(cs.Region, "/")
		pi := slices.IndexFunc(cat.Providers, func(sp sim.Provider) bool { return sp.Name == prov })
		ri := -1
		if ok && pi >= 0 {
			ri = slices.IndexFunc(cat.Providers[pi].Regions, func(r sim.Region) bool { return r.Name == reg })
		}
		if ri < 0 {
			ps.add(path+".region", "unknown region %q (write provider/region, e.g. aws/eu-central-1)", cs.Region)
			continue
		}
		cs, err := traces.ReadCarbonSeries(p.path(cs.File), cs.Column, cs.Start)
		if err != nil {
			ps.add(path+".file", "%v", err)
			continue
		}
		series = append(series, regionSeries{provider: prov, region: reg, series: cs})
	}
	applySeries(cat, series)
	return cat, b, series, nil
}

// regionSeries is a carbon series that replaces a region's intensity.
type regionSeries struct {
	provider, region string
	series           carbon.Intensity
}

// applySeries sets each series on its region, where the catalog has it.
func applySeries(cat *sim.Catalog, series []regionSeries) {
	for _, rs := range series {
		for pi := range cat.Providers {
			p := &cat.Providers[pi]
			if p.Name != rs.provider {
				continue
			}
			for ri := range p.Regions {
				if p.Regions[ri].Name == rs.region {
					p.Regions[ri].Carbon = rs.series
				}
			}
		}
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
		if v <= 0 {
			return bad("sizes must be positive MB (got %d)", v)
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
		f, err := os.Open(p.path(file))
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
	if sm.Warmup <= 0 && sm.ProfileFrom == nil && sm.Window == nil {
		return
	}
	var horizon sim.Time
	w := &s.Workload
	switch {
	case w.Kind == "synthetic" && w.Synthetic != nil:
		horizon = sim.Time(sim.FromStd(w.Synthetic.Duration.Std()))
	case w.Kind == "poisson" && w.Poisson != nil:
		horizon = sim.Time(sim.FromStd(w.Poisson.Duration.Std()))
	default:
		src, err := p.source(s, *s.Seed, 0)
		if err != nil {
			ps.add("workload", "cannot open the workload: %v", err)
			return
		}
		horizon = src.Horizon()
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

// resolveArms parses every arm's policies, filling defaults, builds the
// catalog of each arm that overrides figures, and builds each policy once
// so that bad settings are reported now.
func (p *Plan) resolveArms(s *Scenario, ps *problems, build *catalogBuild, series []regionSeries) {
	names := map[string]bool{}
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
		if names[arm.Name] {
			ps.add(at+".name", "arm %q appears twice: arm names must be unique", arm.Name)
		}
		names[arm.Name] = true
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
