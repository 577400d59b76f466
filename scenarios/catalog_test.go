package scenarios_test

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// parse resolves a scenario given as text, failing the test on error.
func parse(t *testing.T, text string) *scenarios.Plan {
	t.Helper()
	p, err := scenarios.Parse("x.toml", []byte(text), t.TempDir(), policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// provider returns the named provider of cat.
func provider(t *testing.T, cat *sim.Catalog, name string) *sim.Provider {
	t.Helper()
	for i := range cat.Providers {
		if cat.Providers[i].Name == name {
			return &cat.Providers[i]
		}
	}
	t.Fatalf("no provider %q", name)
	return nil
}

func TestCatalogBuildsTheNewFigures(t *testing.T) {
	cat := parse(t, base).Catalog
	aws, azure, gcp := provider(t, cat, "aws"), provider(t, cat, "azure"), provider(t, cat, "gcp")
	for _, c := range []struct {
		p           *sim.Provider
		conc        int
		warm, delay sim.Duration
		perInstance bool
		scopes      [2]sim.LimitScope
		limit       int
		maxMB       int
	}{
		{aws, 1, 25 * sim.Millisecond, 2 * sim.Minute, false, [2]sim.LimitScope{sim.ScopeRegion, sim.ScopeFunction}, 1000, 10240},
		{azure, 100, 320 * sim.Millisecond, 0, true, [2]sim.LimitScope{sim.ScopeApp, sim.ScopeApp}, 100, 1536},
		{gcp, 1, 79 * sim.Millisecond, 0, false, [2]sim.LimitScope{sim.ScopeFunction, sim.ScopeFunction}, 3000, 8192},
	} {
		p := c.p
		if p.InstanceConcurrency != c.conc || p.WarmOverhead != c.warm || p.ProvisioningDelay != c.delay || p.ColdStartIncluded != 0 {
			t.Errorf("%s: instance concurrency %d, warm overhead %v, provisioning %v, included %v", p.Name, p.InstanceConcurrency, p.WarmOverhead, p.ProvisioningDelay, p.ColdStartIncluded)
		}
		if p.Billing.PerInstance != c.perInstance {
			t.Errorf("%s: per-instance billing %v", p.Name, p.Billing.PerInstance)
		}
		if l := p.Limits; l.ConcurrencyScope != c.scopes[0] || l.ScaleUpScope != c.scopes[1] || l.Concurrency != c.limit {
			t.Errorf("%s: scopes %v/%v, concurrency %d", p.Name, l.ConcurrencyScope, l.ScaleUpScope, l.Concurrency)
		}
		if p.MaxMemoryMB() != c.maxMB {
			t.Errorf("%s: largest memory %d MB, want %d", p.Name, p.MaxMemoryMB(), c.maxMB)
		}
	}
	if err := cat.Check(); err != nil {
		t.Error(err)
	}
	// Azure on Linux: median 1.575 s (Shilkov, coldstart_azure_bylanguagelinux.json).
	if m := azure.ColdStart.Quantile(0.5); math.Abs(m-1.575) > 1e-9 {
		t.Errorf("azure cold-start median %v s", m)
	}
	// GCP europe-west3 is price Tier 2 (1.4x), the others Tier 1.
	for _, r := range gcp.Regions {
		if want := map[bool]float64{true: 1.4, false: 1}[r.Name == "europe-west3"]; r.PriceFactor != want {
			t.Errorf("gcp/%s: price factor %v, want %v", r.Name, r.PriceFactor, want)
		}
	}
	// 8 GB on GCP 1st gen is 4.8 GHz, 2 vCPU.
	if m := gcp.Memory[len(gcp.Memory)-1]; m.MB != 8192 || m.GHz != 4.8 || m.VCPU != 2 {
		t.Errorf("gcp 8 GB tier: %+v", m)
	}
}

// actions lists the memory sizes marked Action.
func actions(p *sim.Provider) []int {
	var out []int
	for _, m := range p.Memory {
		if m.Action {
			out = append(out, m.MB)
		}
	}
	return out
}

func TestMemorySizesMarkTheActionSet(t *testing.T) {
	for _, c := range []struct {
		sizes            string
		aws, azure, gcpW []int
	}{
		// The default set: AWS's ladder and GCP's tiers hold every size, so
		// they map exactly; Azure's one 1.5 GB instance stands for all.
		{"", []int{128, 256, 512, 1024, 2048, 4096}, []int{1536}, []int{128, 256, 512, 1024, 2048, 4096}},
		// Sizes between offered ones take the next size up; past the
		// largest, the largest.
		{"memory_sizes = [1000, 3000, 20000]", []int{1024, 3008, 10240}, []int{1536}, []int{1024, 4096, 8192}},
	} {
		sc := base
		if c.sizes != "" {
			sc += "[simulation]\n" + c.sizes + "\n"
		}
		cat := parse(t, sc).Catalog
		for _, w := range []struct {
			name string
			want []int
		}{{"aws", c.aws}, {"azure", c.azure}, {"gcp", c.gcpW}} {
			if got := actions(provider(t, cat, w.name)); !slices.Equal(got, w.want) {
				t.Errorf("%q: %s actions %v, want %v", c.sizes, w.name, got, w.want)
			}
		}
	}
}

func TestOverridesChangeAnyCatalogFigure(t *testing.T) {
	p := parse(t, base+`
[[catalog.override]]
provider = "aws"
cold_start.median_s = 0.5
concurrency = 7            # the old key, now limits.concurrency
[catalog.override.billing]
per_instance = true
[[catalog.override]]
provider = "gcp"
instance_concurrency = 80
warm_overhead = "10ms"
memory = [{ mb = 512, vcpu = 1.0 }, { mb = 2048, vcpu = 1.0 }]
`)
	aws, gcp := provider(t, p.Catalog, "aws"), provider(t, p.Catalog, "gcp")
	if m := aws.ColdStart.Quantile(0.5); math.Abs(m-0.5) > 1e-9 {
		t.Errorf("aws cold-start median %v s, want the override's 0.5", m)
	}
	if aws.Limits.Concurrency != 7 || !aws.Billing.PerInstance || aws.Billing.GBSecondUSD != 0.0000166667 {
		t.Errorf("aws limits %+v, billing per instance %v, GB-s %v", aws.Limits, aws.Billing.PerInstance, aws.Billing.GBSecondUSD)
	}
	if gcp.InstanceConcurrency != 80 || gcp.WarmOverhead != 10*sim.Millisecond || len(gcp.Memory) != 2 || gcp.Memory[1].VCPU != 1 {
		t.Errorf("gcp: concurrency %d, warm overhead %v, memory %+v", gcp.InstanceConcurrency, gcp.WarmOverhead, gcp.Memory)
	}
	// The embedded catalog itself is untouched.
	if d := parse(t, base).Catalog; provider(t, d, "aws").Limits.Concurrency != 1000 || provider(t, d, "gcp").InstanceConcurrency != 1 {
		t.Error("an override leaked into the default catalog")
	}
}

func TestPerArmSettingsReachTheConfig(t *testing.T) {
	p := parse(t, base+`cpu_bound_fraction = 0.25
[[arms]]
name = "b"
strategic = { policy = "single-cloud", provider = "azure" }
cpu_bound_fraction = 1.0
[[arms.override]]
provider = "azure"
instance_concurrency = 1
[simulation]
cpu_bound_fraction = 0.5
warmup = "10m"
keepalive_mode = "since-first-idle"
cold_start_mode = "replaces"
memory_sharing = "sum"
drain = true
[[catalog.override]]
provider = "azure"
keepalive = "5m"
`)
	for i, want := range []struct {
		fraction float64
		conc     int
	}{{0.25, 100}, {1, 1}} {
		cfg, err := p.Config(i, p.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		az := provider(t, cfg.Catalog, "azure")
		if cfg.CPUBoundFraction != want.fraction || az.InstanceConcurrency != want.conc || cfg.Catalog != p.Arms[i].Catalog {
			t.Errorf("arm %d: fraction %v, azure instance concurrency %d (want %v, %d)", i, cfg.CPUBoundFraction, az.InstanceConcurrency, want.fraction, want.conc)
		}
		// The scenario's overrides apply under the arm's.
		if az.KeepAlive != 5*sim.Minute {
			t.Errorf("arm %d: azure keep-alive %v, want the scenario override's 5m", i, az.KeepAlive)
		}
		if cfg.Warmup != 10*sim.Minute || cfg.KeepAlive != sim.KeepAliveSinceFirstIdle || cfg.ColdStart != sim.ColdStartReplaces ||
			cfg.MemorySharing != sim.MemorySum || !cfg.Drain || cfg.InitialProfiles != nil {
			t.Errorf("arm %d: settings not wired: %v %v %v %v %v", i, cfg.Warmup, cfg.KeepAlive, cfg.ColdStart, cfg.MemorySharing, cfg.Drain)
		}
	}
	if p.Arms[0].Catalog != p.Catalog || p.Arms[1].Catalog == p.Catalog {
		t.Error("only the arm with overrides should have its own catalog")
	}
}

func TestOldScopeKeyIsRefusedInACatalogFile(t *testing.T) {
	dir := t.TempDir()
	cat := strings.Replace(string(scenarios.DefaultCatalog), `concurrency_scope = "region"`, `scope = "region"`, 1)
	if err := os.WriteFile(filepath.Join(dir, "c.toml"), []byte(cat), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := scenarios.Parse("x.toml", []byte(base+"[catalog]\nfile = \"c.toml\"\n"), dir, policies.Builtin())
	for _, want := range []string{"line 98: providers[0].limits.scope: unknown key: scope was replaced by concurrency_scope and scale_up_scope"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}

// TestProfileFromReadsTheWindow checks the sample scenario's initial
// profiles against the first 60 minute columns of the invocations file.
func TestProfileFromReadsTheWindow(t *testing.T) {
	inv, _, _ := sharedtest.Sample(t)
	p, err := scenarios.Load("azure2019-sample.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if w := p.Scenario.Simulation.ProfileFrom; w == nil || w.From != 0 || w.To.String() != "1h0m0s" {
		t.Fatalf("profile_from %+v, want the first hour", w)
	}
	seeds, err := p.InitialProfiles(p.Seed(), 0)
	if err != nil {
		t.Fatal(err)
	}
	src, err := p.Source(p.Seed(), 0)
	if err != nil {
		t.Fatal(err)
	}
	fns := src.Functions()
	if len(seeds) != len(fns) {
		t.Fatalf("%d seeds for %d functions", len(seeds), len(fns))
	}
	// Expected invocations per function: the sum of minute_1..minute_60.
	f, err := os.Open(inv)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]int64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	sc.Scan()
	header := strings.Split(sc.Text(), ",")
	first := slices.Index(header, "minute_1")
	fn, app, owner := slices.Index(header, "HashFunction"), slices.Index(header, "HashApp"), slices.Index(header, "HashOwner")
	for sc.Scan() {
		cols := strings.Split(sc.Text(), ",")
		key := cols[owner] + "/" + cols[app] + "/" + cols[fn] // the reader's function name
		for _, c := range cols[first : first+60] {
			n, err := strconv.ParseInt(c, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			want[key] += n
		}
	}
	var total int64
	for i, s := range seeds {
		total += s.Invocations
		if s.Invocations != want[fns[i].Name] {
			t.Errorf("%s: %d invocations in the first hour, the file has %d", fns[i].Name, s.Invocations, want[fns[i].Name])
		}
		if s.Invocations > 0 && (s.DurationSum <= 0 || s.MaxDuration <= 0 || s.MaxMemoryMB <= 0 || float64(s.MaxDuration)*float64(s.Invocations) < s.DurationSum) {
			t.Errorf("%s: inconsistent seed %+v", fns[i].Name, s)
		}
	}
	if total == 0 {
		t.Fatal("no invocation in the first hour")
	}
	cfg, err := p.Config(0, p.Seed(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.InitialProfiles) != len(seeds) || cfg.Warmup != sim.Hour {
		t.Errorf("config: %d initial profiles, warm-up %v", len(cfg.InitialProfiles), cfg.Warmup)
	}
}

func TestSensitivityScenarioSweepsTheFraction(t *testing.T) {
	p, err := scenarios.Load("sensitivity.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Arms) != 12 {
		t.Fatalf("%d arms, want 12", len(p.Arms))
	}
	for _, a := range p.Arms[:9] {
		var prov, f string
		if _, err := fmt.Sscanf(a.Name, "%s f=%s", &prov, &f); err != nil {
			t.Fatalf("arm name %q: %v", a.Name, err)
		}
		want, _ := strconv.ParseFloat(f, 64)
		if a.CPUBoundFraction != want || a.Strategic.Args["provider"] != strings.TrimSuffix(prov, "-only") {
			t.Errorf("%s: fraction %v, strategic %v", a.Name, a.CPUBoundFraction, a.Strategic)
		}
		if conc := provider(t, a.Catalog, "azure").InstanceConcurrency; conc != 100 || a.Catalog != p.Catalog {
			t.Errorf("%s: azure instance concurrency %d on its own catalog", a.Name, conc)
		}
	}
	// The Azure arms that isolate per-instance concurrency and the limit.
	for _, c := range []struct {
		name        string
		conc, limit int
	}{{"azure-only C=1", 1, 100}, {"azure-only no limit", 100, 0}, {"azure-only C=1 no limit", 1, 0}} {
		i := slices.IndexFunc(p.Arms, func(a scenarios.Arm) bool { return a.Name == c.name })
		if i < 0 {
			t.Errorf("no arm %q", c.name)
			continue
		}
		az := provider(t, p.Arms[i].Catalog, "azure")
		if az.InstanceConcurrency != c.conc || az.Limits.Concurrency != c.limit || p.Arms[i].CPUBoundFraction != 0.5 {
			t.Errorf("%s: concurrency %d, limit %d, fraction %v", c.name, az.InstanceConcurrency, az.Limits.Concurrency, p.Arms[i].CPUBoundFraction)
		}
	}
}

// TestCloudRunExampleOfTheDocs applies the Cloud Run override that
// docs/catalog.md shows.
func TestCloudRunExampleOfTheDocs(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "catalog.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(doc), "```toml\n# Cloud Run (2nd gen) for gcp\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok {
		t.Fatal("docs/catalog.md has no Cloud Run example")
	}
	gcp := provider(t, parse(t, base+block).Catalog, "gcp")
	b := gcp.Billing
	if gcp.InstanceConcurrency != 80 || !b.PerInstance || b.GHzSecondUSD != 0.000024 || b.GBSecondUSD != 0.0000025 ||
		b.GranularityUS != 100_000 || gcp.Limits.Timeout != 60*sim.Minute || gcp.Limits.Concurrency != 3000 {
		t.Errorf("gcp after the Cloud Run override: concurrency %d, billing %+v, limits %+v", gcp.InstanceConcurrency, b, gcp.Limits)
	}
	if m := gcp.Memory[len(gcp.Memory)-1]; m.MB != 16384 || m.VCPU != 4 || m.GHz != 4 {
		t.Errorf("largest size %+v, want 16 GiB with 4 vCPU", m)
	}
}
