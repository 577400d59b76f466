package scenarios

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"

	"github.com/BurntSushi/toml"

	"github.com/skyfaas/skyfaas/policies"
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
	data, err := regular.ReadFile(path, MaxFileBytes, "scenario")
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
	if md.IsDefined("providers") && !md.IsDefined("workload") {
		return nil, fmt.Errorf("%s: a catalog (top-level [[providers]]), not a scenario: a scenario names its catalog with [catalog] file = %q", file, filepath.Base(file))
	}
	ps := &problems{loc: newLocator(data)}
	unknownKeys(ps, md.Undecoded())
	if len(ps.list) > 0 {
		return nil, ps.err(file)
	}
	applyDefaults(&s, file, md)
	var signed struct {
		Seed *int64 `toml:"seed"`
	}
	if _, err := toml.Decode(string(data), &signed); err == nil && signed.Seed != nil && *signed.Seed < 0 {
		ps.add("seed", "must be a non-negative integer (got %d)", *signed.Seed)
	}
	plan := &Plan{File: file, Dir: dir, Files: regular.DirFS(dir), Registry: reg, loc: ps.loc}
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
	if s.Sweep.Reference == "" && len(plan.Arms) > 0 {
		plan.Scenario.Sweep.Reference = plan.Arms[0].Name
	}
	if err := plan.expandCells(data); err != nil {
		return nil, err
	}
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

// policyTables are the keys whose values are policy specs, catalog
// overrides or training settings: the decoder leaves the contents of their
// subtables undecoded, and each policy decodes its settings strictly
// itself, as the catalog build does an override's keys and `skyfaas
// train` its model's table.
var policyTables = []string{"arms.strategic", "arms.tactical", "arms.operational",
	"arm_defaults.strategic", "arm_defaults.tactical", "arm_defaults.operational",
	"catalog.override", "arms.override", "arm_defaults.override", "train"}

// unknownKeys reports keys the schema has no field for, at their lines.
// BurntSushi/toml lists a key of an array of tables once per element;
// each is reported once, at every element's line.
func unknownKeys(ps *problems, keys []toml.Key) {
	seen := map[string]bool{}
	for _, k := range keys {
		plain := k.String()
		if seen[plain] || slices.ContainsFunc(policyTables, func(t string) bool { return strings.HasPrefix(plain, t+".") }) {
			continue
		}
		seen[plain] = true
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

// loadCatalog builds the scenario's catalog: embedded or from a file,
// with the scenario's overrides, action set and carbon series. It returns
// the builder the arms' own catalogs are made with, and the carbon series
// to apply to them.
func (p *Plan) loadCatalog(s *Scenario, ps *problems) (*sim.Catalog, *catalogBuild, []regionSeries, error) {
	data, name := DefaultCatalog, "catalog.toml (embedded)"
	if s.Catalog.File != "" {
		path := p.path(s.Catalog.File)
		d, err := regular.ReadFile(path, MaxFileBytes, "catalog")
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
			if msg, ok := strings.CutPrefix(err.Error(), "start: "); ok {
				ps.add(path+".start", "%s", msg)
			} else {
				ps.add(path+".file", "%v", err)
			}
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
