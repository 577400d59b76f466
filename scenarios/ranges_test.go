package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/scenarios"
)

// The examples (issue 10, point 2): figures that once ran into
// plausible nonsense are refused at load, with path and line.
func TestOverflowingFiguresAreRefused(t *testing.T) {
	for _, c := range []struct{ name, toml, want string }{
		// slo.factor = 1e13 reported 78 % SLA violations (the limit wrapped negative).
		{"slo factor 1e13", base + "[slo]\nfactor = 1e13\n", "line 11: slo.factor: must be a number in [0, 1000]"},
		{"slo slack of a year", base + "[slo]\nslack = \"8760h\"\n", "line 11: slo.slack: must be at most 24h0m0s"},
		// An override speed = 1e13 reported 0 s latency (and crashed the plot).
		{"override speed 1e13", base + "[[catalog.override]]\nprovider = \"aws\"\nspeed = 1e13\n", "line 12: catalog.override[0].speed: must be in [0.01, 100] (a multiplier on execution time) (got 1e+13)"},
		{"override speed 1e-300", base + "[[catalog.override]]\nprovider = \"aws\"\nspeed = 1e-300\n", "catalog.override[0].speed: must be in [0.01, 100]"},
		// A price of 1e308 ended the run in "json: unsupported value: +Inf".
		{"override price 1e308", base + "[[catalog.override]]\nprovider = \"gcp\"\nbilling.gb_second_usd = 1e308\n", "line 12: catalog.override[0].billing.gb_second_usd: must be in [0, 1] USD (got 1e+308)"},
		{"per-arm request fee 1e308", base + "[[arms.override]]\nprovider = \"aws\"\nbilling = { request_usd = 1e308 }\n", "line 12: arms[0].override[0].billing.request_usd: must be in [0, 1] USD"},
		{"cold start of a day", base + "[[catalog.override]]\nprovider = \"aws\"\ncold_start = { dist = \"constant\", value_s = 86400.0 }\n", "catalog.override[0].cold_start.value_s: must be in [0, 3600] s"},
		{"cold start tail", base + "[[catalog.override]]\nprovider = \"aws\"\ncold_start = { median_s = 0.001, p975_s = 3000.0 }\n", "catalog.override[0].cold_start: the distribution's mean"},
		{"timeout of a year", base + "[[catalog.override]]\nprovider = \"aws\"\ntimeout = \"8760h\"\n", "catalog.override[0].timeout: must be at most 7d"},
		{"scale-up rate 1e-300", base + "[[catalog.override]]\nprovider = \"aws\"\nscale_up_per_s = 1e-300\nscale_up_burst = 1\n", "catalog.override[0].scale_up_per_s: must be in [0.001, 1e+06] per second"},
		{"memory size of a petabyte", base + "[simulation]\nmemory_sizes = [128, 1000000000]\n", "simulation.memory_sizes: sizes must be in 1..1048576 MB"},
		{"poisson rate 1e12", strings.Replace(base, "kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 5\n",
			"kind = \"poisson\"\n[workload.poisson]\nrate = 1e12\nmean_duration = \"1s\"\n", 1), "workload.poisson.rate: must be a rate per second in (0, 100000]"},
		{"poisson concurrency", strings.Replace(base, "kind = \"synthetic\"\n[workload.synthetic]\nfunctions = 5\n",
			"kind = \"poisson\"\n[workload.poisson]\nrate = 1e5\nmean_duration = \"100s\"\n", 1), "workload.poisson: rate × mean_duration"},
		{"horizon of ten years", "horizon = \"87600h\"\n" + base, "line 1: horizon: must be at most 366d"},
		{"reference cost denormal", base + "[objective]\nreference_cost_usd = 1e-320\n", "objective.reference_cost_usd: must be in [1e-12, 1000] USD"},
		{"weight 1e300", base + "[objective]\ncarbon = 1e300\n", "objective.carbon: must be a weight in [0, 1e+06]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := scenarios.Parse("x.toml", []byte(c.toml), t.TempDir(), policies.Builtin())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error\n%v\nwant %q", err, c.want)
			}
		})
	}
}

// A catalog file with a price of 1e308 is refused by its own path and line.
func TestCatalogFileRangesAreChecked(t *testing.T) {
	dir := t.TempDir()
	cat := strings.Replace(string(scenarios.DefaultCatalog), "gb_second_usd = 0.0000166667", "gb_second_usd = 1e308", 1)
	if cat == string(scenarios.DefaultCatalog) {
		t.Fatal("the catalog's AWS GB-s price moved: update the test")
	}
	cat = strings.Replace(cat, "carbon_g_per_kwh = ", "carbon_g_per_kwh = 1e6 #", 1)
	if err := os.WriteFile(filepath.Join(dir, "cat.toml"), []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := scenarios.Parse("x.toml", []byte(base+"[catalog]\nfile = \"cat.toml\"\n"), dir, policies.Builtin())
	for _, w := range []string{"providers[0].billing.gb_second_usd: must be in [0, 1] USD (got 1e+308)", "carbon_g_per_kwh: must be in [0, 2000] g/kWh (got 1e+06)"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error\n%v\nlacks %q", err, w)
		}
	}
}

// Figures at the edges of their ranges run to finite, in-range results.
func TestFiguresAtTheirLimitsGiveFiniteResults(t *testing.T) {
	toml := strings.Replace(base, "strategic = \"cheapest\"", "strategic = { policy = \"single-cloud\", provider = \"aws\" }", 1) + `[slo]
factor = 1000.0
slack = "24h"
[[catalog.override]]
provider = "aws"
speed = 100.0
billing = { gb_second_usd = 1.0, request_usd = 1.0 }
cold_start = { dist = "constant", value_s = 3600.0 }
[[arms]]
name = "fast"
strategic = { policy = "single-cloud", provider = "gcp" }
[[arms.override]]
provider = "gcp"
speed = 0.01
`
	plan, err := scenarios.Parse("x.toml", []byte(toml), t.TempDir(), policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range plan.Arms {
		m := simulate(t, plan, i)
		arm := results.NewArm(a.Name, nil, nil, nil, m, plan.Catalog, false)
		if err := results.Finite(arm); err != nil {
			t.Errorf("arm %s: %v", a.Name, err)
		}
		if arm.Latency.P50 < 0 || arm.Cost.Total < 0 || arm.SLAViolationPct < 0 || arm.SLAViolationPct > 100 || m.Arrived == 0 {
			t.Errorf("arm %s: p50 %v s, cost %v, SLA violations %v %%, arrived %d", a.Name, arm.Latency.P50, arm.Cost.Total, arm.SLAViolationPct, m.Arrived)
		}
		if a.Name == "a" && arm.SLAViolationPct > 0 {
			t.Errorf("arm a: %v %% SLA violations under a factor of 1000 and a day's slack", arm.SLAViolationPct)
		}
	}
}
