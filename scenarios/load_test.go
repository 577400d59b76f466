package scenarios_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/models/learned"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

func TestDefaultScenarioResolves(t *testing.T) {
	p, err := scenarios.Default(policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	s := &p.Scenario
	if s.Name != "default" || p.Seed() != 1 || s.Workload.Kind != "synthetic" || len(p.Arms) != 8 {
		t.Errorf("name %q seed %d kind %q arms %d", s.Name, p.Seed(), s.Workload.Kind, len(p.Arms))
	}
	if *s.SLO.Factor != 2 || s.Simulation.Tick.String() != "15s" || *s.Objective.Cost != 0.4 {
		t.Errorf("defaults not filled: slo %v tick %v cost weight %v", *s.SLO.Factor, s.Simulation.Tick, *s.Objective.Cost)
	}
	// The embedded catalog: 3 providers x 4 regions, each with the memory
	// sizes it offers (AWS a 15-step ladder to 10,240 MB, Azure one 1.5 GB
	// instance, GCP 1st gen's 7 tiers), 4 zones.
	if n := len(p.Catalog.Providers); n != 3 {
		t.Fatalf("%d providers", n)
	}
	for i, prov := range p.Catalog.Providers {
		want := []int{15, 1, 7}[i]
		if len(prov.Regions) != 4 || len(prov.Memory) != want {
			t.Errorf("%s: %d regions, %d memory sizes; want 4 and %d", prov.Name, len(prov.Regions), len(prov.Memory), want)
		}
	}
	if len(p.Catalog.Zones) != 4 {
		t.Errorf("%d client zones, want 4", len(p.Catalog.Zones))
	}
	for _, a := range p.Arms {
		if a.Tactical.Name != "power-tuning" || a.Operational.Name != "provider-default" {
			t.Errorf("arm %s: arm_defaults not applied (%v, %v)", a.Name, a.Tactical, a.Operational)
		}
	}
}

func TestExamplesResolve(t *testing.T) {
	files, err := filepath.Glob("*.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == "catalog.toml" {
			continue
		}
		t.Run(f, func(t *testing.T) {
			if strings.Contains(f, "2019") || strings.Contains(f, "ablation") || strings.Contains(f, "sample") {
				sharedtest.Dir(t)
			}
			// The learned policies are registered as the command line does.
			_, err := scenarios.Load(f, learned.Registry())
			if f == "azure2021.toml" {
				// The 2021 trace is a download: the error must say which file and line.
				if err == nil || !strings.Contains(err.Error(), "workload.azure2021.file: cannot open the trace file") || !strings.Contains(err.Error(), "line ") {
					t.Errorf("want a clear missing-file error, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// base is a valid scenario the bad-input cases start from.
const base = `name = "t"
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 5
duration = "1h"
[[arms]]
name = "a"
strategic = "cheapest"
`

func TestBadInputIsReportedWithPathAndLine(t *testing.T) {
	for _, c := range []struct {
		name string
		toml string
		want []string
	}{
		{"malformed TOML", "name = \"t\nseed = 1\n", []string{"x.toml: line 1: invalid TOML"}},
		{"unknown key", base + "[simulation]\ntick = \"15s\"\ntik = \"1s\"\n", []string{"line 12: simulation.tik: unknown key"}},
		{"unknown key in an arm", base + "[[arms]]\nnmae = \"b\"\nstrategic = \"random\"\n", []string{"line 11: arms[1].nmae: unknown key"}},
		{"unknown key in a catalog override", base + "[[catalog.override]]\nprovider = \"aws\"\nconcurency = 5\n", []string{"line 12: catalog.override[0].concurency: unknown key"}},
		{"unknown policy", strings.Replace(base, `"cheapest"`, `"cheepest"`, 1),
			[]string{"line 9: arms[0].strategic: unknown strategic policy \"cheepest\" (known: cheapest, greenest"}},
		{"unknown policy setting", strings.Replace(base, `"cheapest"`, `{ policy = "single-cloud", provdier = "aws" }`, 1),
			[]string{"line 9: arms[0].strategic.provdier: unknown setting"}},
		{"bad policy setting", strings.Replace(base, `"cheapest"`, `{ policy = "single-cloud", provider = "ibm" }`, 1),
			[]string{"line 9: arms[0].strategic.provider: unknown provider \"ibm\""}},
		{"negative fraction", base + "[simulation]\ncpu_bound_fraction = -0.1\n", []string{"line 11: simulation.cpu_bound_fraction: must be a fraction in [0, 1] (got -0.1)"}},
		{"NaN factor", base + "[slo]\nfactor = nan\n", []string{"line 11: slo.factor: must be a number in [0, 1000], a multiple of the reference duration (got NaN)"}},
		{"infinite weight", base + "[objective]\ncost = inf\n", []string{"objective.cost: must be a weight in [0, 1e+06]"}},
		{"objective references", base + "[objective]\nsla = -1\nreference_cost_usd = 0\nreference_latency = \"0s\"\nreference_carbon_g = nan\n",
			[]string{"objective.sla: must be a weight in [0, 1e+06] (got -1)", "objective.reference_cost_usd: must be in [1e-12, 1000] USD (got 0)",
				"objective.reference_latency: must be at least 1µs (got 0s)", "objective.reference_carbon_g: must be in [1e-12, 1e+06] g (got NaN)"}},
		{"objective of zero weights", base + "[objective]\ncost = 0\nperformance = 0\ncarbon = 0\nsla = 0\n",
			[]string{"objective: every weight is 0"}},
		{"negative functions", strings.Replace(base, "functions = 5", "functions = -5", 1), []string{"line 5: workload.synthetic.functions: must be in 1..200000 (got -5)"}},
		{"negative override", base + "[[catalog.override]]\nprovider = \"aws\"\nconcurrency = -1\n", []string{"line 12: catalog.override[0].concurrency: must be 0 (unlimited) or in 1..10000000 (got -1)"}},
		{"negative keep-alive", base + "[[catalog.override]]\nprovider = \"gcp\"\nkeepalive = \"-5m\"\n", []string{"line 12: catalog.override[0].keepalive: must not be negative"}},
		{"override of an unknown provider", base + "[[catalog.override]]\nprovider = \"ibm\"\n", []string{"line 11: catalog.override[0].provider: unknown provider \"ibm\""}},
		{"bad duration", base + "[simulation]\ntick = \"fast\"\n", []string{"line 11: simulation.tick: must be a duration"}},
		{"bare number duration", base + "[simulation]\ntick = 15\n", []string{"line 11: simulation.tick: must be a duration string"}},
		{"wrong type", base + "[simulation]\nrouting = 3\n", []string{"line 11: simulation.routing: incompatible types: TOML value has type int64; destination has type string"}},
		{"epochs not nested", base + "[simulation]\nstrategic_epoch = \"50m\"\n", []string{"simulation.strategic_epoch: must be a multiple of the tactical epoch"}},
		{"missing trace file", strings.Replace(base, "kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 5\nduration = \"1h\"",
			"kind = \"azure2019\"\n[workload.azure2019]\ninvocations = \"nope.csv\"\ndurations = \"d.csv\"\nmemory = \"m.csv\"", 1),
			[]string{"line 5: workload.azure2019.invocations: cannot open the trace file", "nope.csv"}},
		{"kind without table", strings.Replace(base, "kind = \"synthetic\"", "kind = \"poisson\"", 1),
			[]string{"workload.poisson: missing", "workload.synthetic: given, but workload.kind is \"poisson\""}},
		{"unknown zone", base + "[clients]\nmix = { mars = 1.0 }\n", []string{"clients.mix.mars: unknown client zone"}},
		{"no arms", strings.Split(base, "[[arms]]")[0], []string{"arms: missing"}},
		{"duplicate arm names", base + "[[arms]]\nname = \"a\"\nstrategic = \"random\"\n", []string{"line 11: arms[1].name: arm \"a\" appears twice (first as arms[0])"}},
		// Names that differ only where file names do not (case, other
		// characters) would name two arms' job files alike.
		{"arm names alike as file names", base + "[[arms]]\nname = \"b\"\nstrategic = \"random\"\n[[arms]]\nname = \"A\"\nstrategic = \"random\"\n[[arms]]\nname = \"b!\"\nstrategic = \"random\"\n",
			[]string{`line 14: arms[2].name: arm "A" and arms[0] "a" (line 8) have the same file name "a"`, `line 17: arms[3].name: arm "b!" and arms[1] "b" (line 11) have the same file name "b"`}},
		{"override without a provider", base + "[[catalog.override]]\nspeed = 2.0\n", []string{"line 10: catalog.override[0].provider: missing: name the provider"}},
		{"unknown concurrency scope", base + "[[catalog.override]]\nprovider = \"aws\"\nlimits.concurrency_scope = \"account\"\n",
			[]string{"line 12: catalog.override[0].limits.concurrency_scope: must be region, app or function (got \"account\")"}},
		{"unknown scale-up scope", base + "[[catalog.override]]\nprovider = \"gcp\"\n[catalog.override.limits]\nscale_up_scope = \"zone\"\n",
			[]string{"line 13: catalog.override[0].limits.scale_up_scope: must be region, app or function (got \"zone\")"}},
		{"old scope key", base + "[[catalog.override]]\nprovider = \"aws\"\nlimits.scope = \"region\"\n",
			[]string{"line 12: catalog.override[0].limits.scope: unknown key: scope was replaced by concurrency_scope and scale_up_scope"}},
		{"instance concurrency 0", base + "[[catalog.override]]\nprovider = \"azure\"\ninstance_concurrency = 0\n",
			[]string{"line 12: catalog.override[0].instance_concurrency: must be in 1..1000 executions per instance (got 0)"}},
		{"instance concurrency 5000", base + "[[catalog.override]]\nprovider = \"gcp\"\ninstance_concurrency = 5000\n",
			[]string{"line 12: catalog.override[0].instance_concurrency: must be in 1..1000 executions per instance (got 5000)"}},
		{"unknown catalog key in an override", base + "[[catalog.override]]\nprovider = \"aws\"\ncold_start.median_ms = 300\n",
			[]string{"line 12: catalog.override[0].cold_start.median_ms: unknown key"}},
		{"wrong type in an override", base + "[[catalog.override]]\nprovider = \"aws\"\nwarm_overhead = 25\n",
			[]string{"line 12: catalog.override[0].warm_overhead: must be a duration string"}},
		{"override key given twice", base + "[[catalog.override]]\nprovider = \"aws\"\nconcurrency = 5\nlimits.concurrency = 6\n",
			[]string{"line 12: catalog.override[0].concurrency: given twice"}},
		{"per-arm override", base + "[[arms.override]]\nprovider = \"azure\"\ninstance_concurrency = -1\n",
			[]string{"line 12: arms[0].override[0].instance_concurrency: must be in 1..1000"}},
		{"per-arm fraction", strings.Replace(base, "strategic = \"cheapest\"", "strategic = \"cheapest\"\ncpu_bound_fraction = 1.5", 1),
			[]string{"line 10: arms[0].cpu_bound_fraction: must be a fraction in [0, 1] (got 1.5)"}},
		{"negative warm-up", base + "[simulation]\nwarmup = \"-1h\"\n", []string{"line 11: simulation.warmup: must not be negative (got -1h0m0s)"}},
		{"warm-up longer than the run", base + "[simulation]\nwarmup = \"1h\"\n", []string{"line 11: simulation.warmup: warm-up longer than the run (warm-up 1h0m0s, run 1h0m0s)"}},
		{"warm-up longer than the horizon", "horizon = \"30m\"\n" + base + "[simulation]\nwarmup = \"45m\"\n", []string{"simulation.warmup: warm-up longer than the run (warm-up 45m0s, run 30m0s)"}},
		{"profile window reversed", base + "[simulation]\nprofile_from = { from = \"30m\", to = \"10m\" }\n",
			[]string{"line 11: simulation.profile_from: from must be before to"}},
		{"profile window outside the workload", base + "[simulation]\nprofile_from = { from = \"0s\", to = \"2h\" }\n",
			[]string{"line 11: simulation.profile_from: window [0s, 2h0m0s) is outside the workload's span (it ends at 1h0m0s)"}},
		{"window outside the workload", base + "[simulation]\nwindow = { from = \"30m\", to = \"2h\" }\n",
			[]string{"line 11: simulation.window: [30m0s, 2h0m0s) is outside the workload's span (it ends at 1h0m0s)"}},
		{"empty window", base + "[simulation]\nwindow = { from = \"30m\", to = \"30m\" }\n",
			[]string{"line 11: simulation.window: is empty: from must be before to"}},
		{"negative window", base + "[simulation]\nwindow = { from = \"-30m\", to = \"30m\" }\n",
			[]string{"simulation.window.from: must not be negative"}},
		{"window and horizon", "horizon = \"30m\"\n" + base + "[simulation]\nwindow = { from = \"10m\", to = \"20m\" }\n",
			[]string{"simulation.window: and horizon both cut the run"}},
		{"warm-up longer than the window", base + "[simulation]\nwindow = { from = \"10m\", to = \"20m\" }\nwarmup = \"10m\"\n",
			[]string{"simulation.warmup: warm-up longer than the run (warm-up 10m0s, run 10m0s)"}},
		{"window of a poisson workload", strings.Replace(base, "kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 5\n",
			"kind = \"poisson\"\n[workload.poisson]\nrate = 1.0\nmean_duration = \"1s\"\nmemory_mb = 128.0\n", 1) + "[simulation]\nwindow = { from = \"10m\", to = \"20m\" }\n",
			[]string{"simulation.window: is supported for synthetic and azure2019 workloads, not poisson"}},
		{"unknown mode", base + "[simulation]\nkeepalive_mode = \"never\"\ncold_start_mode = \"x\"\nmemory_sharing = \"y\"\ninstance_packing = \"z\"\n",
			[]string{"simulation.keepalive_mode: must be since-first-idle or since-idle", "simulation.cold_start_mode: must be adds or replaces", "simulation.memory_sharing: must be process or sum", "simulation.instance_packing: must be cpu or slots"}},
		{"memory sizes not increasing", base + "[simulation]\nmemory_sizes = [512, 256]\n", []string{"line 11: simulation.memory_sizes: sizes must increase (256 after 512)"}},
		{"empty memory sizes", base + "[simulation]\nmemory_sizes = []\n", []string{"simulation.memory_sizes: needs 1 to 255 sizes (got 0)"}},
		{"bare-number durations in policy settings", base + "[[arms]]\nname = \"k\"\nstrategic = \"cheapest\"\noperational = { policy = \"fixed-keepalive\", keepalive = 600 }\n[[arms]]\nname = \"o\"\nstrategic = \"cheapest\"\noperational = { policy = \"oracle\", lookahead = 60 }\n[[arms]]\nname = \"h\"\nstrategic = \"cheapest\"\noperational = { policy = \"hybrid-histogram\", range = \"4h\", bin = 60 }\n",
			[]string{"arms[1].operational.keepalive: must be a duration string such as \"10m\" or \"500ms\" (got 600)", "arms[2].operational.lookahead: must be a duration string", "arms[3].operational.bin: must be a duration string"}},
		{"zero tick and queue wait are not defaults", base + "[simulation]\ntick = \"0s\"\nmax_queue_wait = \"0s\"\n",
			[]string{"line 11: simulation.tick: must be positive (got 0s)", "line 12: simulation.max_queue_wait: must be positive (got 0s)"}},
		{"sub-microsecond fixed SLO", base + "[slo]\nfixed = \"1ns\"\n", []string{"slo.fixed: must be 0 (none: factor and slack apply) or a positive whole number of microseconds (got 1ns)"}},
		{"negative seed", "seed = -1\n" + base, []string{"line 1: seed: must be a non-negative integer (got -1)"}},
		{"no history", base + "[simulation]\nhistory_intervals = 0\n", []string{"line 11: simulation.history_intervals: must be in 1..5760 (got 0)"}},
		{"bad forecast", base + "[simulation.carbon_forecast]\nhorizon = \"-1h\"\nnoise = -0.5\n", []string{"simulation.carbon_forecast: horizon must be in [0, 7 days] and noise a relative error in [0, 10] (got -1h0m0s and -0.5)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("x.toml", []byte(c.toml), t.TempDir(), policies.Builtin())
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	bad := base + "[simulation]\ncpu_bound_fraction = 2\nrouting = \"random\"\n[slo]\nslack = \"-1s\"\n"
	_, err := scenarios.Parse("x.toml", []byte(bad), t.TempDir(), policies.Builtin())
	var se *scenarios.Error
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *scenarios.Error", err)
	}
	if len(se.Problems) != 3 {
		t.Fatalf("%d problems, want 3:\n%v", len(se.Problems), err)
	}
	for i, want := range []int{11, 12, 14} {
		if se.Problems[i].Line != want {
			t.Errorf("problem %d (%s) on line %d, want %d", i, se.Problems[i].Path, se.Problems[i].Line, want)
		}
	}
	if !strings.HasPrefix(err.Error(), "x.toml: 3 problems:") {
		t.Errorf("message %q", err)
	}
}

func TestRelativePathsFollowTheScenarioFile(t *testing.T) {
	dir := t.TempDir()
	series := "time,DE\n2020-01-01 00:00:00,100\n2020-01-01 00:15:00,300\n"
	if err := os.WriteFile(filepath.Join(dir, "ci.csv"), []byte(series), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := base + "[[catalog.carbon_series]]\nregion = \"aws/eu-central-1\"\nfile = \"ci.csv\"\ncolumn = \"DE\"\n"
	if err := os.WriteFile(filepath.Join(dir, "s.toml"), []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := scenarios.Load(filepath.Join(dir, "s.toml"), policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	r := p.Catalog.Providers[0].Regions[2]
	if r.Name != "eu-central-1" || r.Carbon.At(0) != 100 || r.Carbon.At(20*60e6) != 300 {
		t.Errorf("series not applied to %s: %v at 0, %v at 20 min", r.Name, r.Carbon.At(0), r.Carbon.At(20*60e6))
	}
	bad := strings.Replace(sc, "ci.csv", "missing.csv", 1)
	if _, err := scenarios.Parse("s.toml", []byte(bad), dir, policies.Builtin()); err == nil || !strings.Contains(err.Error(), "catalog.carbon_series[0].file") {
		t.Errorf("missing series file: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(base))
	f.Add(scenarios.DefaultScenario)
	f.Add([]byte("[[arms]]\nstrategic = { policy = \"weighted-greedy\", cost = 1.0 }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := scenarios.Parse("f.toml", data, t.TempDir(), policies.Builtin())
		if err != nil {
			return
		}
		if p.Catalog == nil || len(p.Arms) == 0 {
			t.Fatal("a scenario without catalog or arms was accepted")
		}
		// Semantic: what was accepted lies in its documented range, so
		// that the model's products stay finite and inside int64 µs.
		s := &p.Scenario
		if f := *s.SLO.Factor; !(f >= 0 && f <= scenarios.MaxSLOFactor) {
			t.Fatalf("slo.factor %v accepted", f)
		}
		if lim := (sim.SLO{Factor: *s.SLO.Factor, Slack: sim.FromStd(s.SLO.Slack.Std())}).Limit(7 * sim.Day); lim < 0 || lim == sim.MaxDuration {
			t.Fatalf("the SLO limit of a week's execution is %v: out of range", lim)
		}
		for _, prov := range p.Catalog.Providers {
			if !(prov.Speed >= scenarios.MinSpeed && prov.Speed <= scenarios.MaxSpeed) || !(prov.Billing.GBSecondUSD <= scenarios.MaxPriceUSD) {
				t.Fatalf("provider %s accepted with speed %v, GB-s price %v", prov.Name, prov.Speed, prov.Billing.GBSecondUSD)
			}
			for _, m := range prov.Memory {
				if !(m.VCPU >= scenarios.MinVCPU && m.VCPU <= scenarios.MaxVCPU) || m.MB > scenarios.MaxMemoryMB {
					t.Fatalf("provider %s: memory option %+v accepted", prov.Name, m)
				}
			}
			for _, r := range prov.Regions {
				if c := r.Carbon.At(0); !(c >= 0 && c <= scenarios.MaxCarbonGPerKWh) {
					t.Fatalf("region %s/%s: intensity %v accepted", prov.Name, r.Name, c)
				}
			}
		}
	})
}

// A plan's Files is the scenario's directory: policies read the files
// their settings name (a learned policy's weights) from it.
func TestPlanFilesIsTheScenarioDirectory(t *testing.T) {
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(sc, []byte("[workload]\nkind = \"synthetic\"\n[workload.synthetic]\nfunctions = 3\n[[arms]]\nstrategic = \"cheapest\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "weights.bin"), []byte("w"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := scenarios.Load(sc, policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(plan.Files, "weights.bin")
	if err != nil || string(b) != "w" {
		t.Errorf("plan.Files: %q, %v", b, err)
	}
}

// An unknown key of an array of tables is reported once per element that
// has it (the TOML decoder lists it once per element).
func TestUnknownKeyOncePerElement(t *testing.T) {
	s := base + "[[arms]]\nname = \"b\"\nstrategic = \"random\"\nfoo = 1\n[[arms]]\nname = \"c\"\nstrategic = \"random\"\nfoo = 2\n"
	_, err := scenarios.Parse("t.toml", []byte(s), ".", policies.Builtin())
	if err == nil {
		t.Fatal("accepted")
	}
	for _, k := range []string{"arms[1].foo", "arms[2].foo"} {
		if n := strings.Count(err.Error(), k+":"); n != 1 {
			t.Errorf("%s reported %d times:\n%v", k, n, err)
		}
	}
}
