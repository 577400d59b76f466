package scenarios

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// DefaultCatalog is the embedded catalog (catalog.toml), every figure with
// its source.
//
//go:embed catalog.toml
var DefaultCatalog []byte

// catalogFile is the TOML schema of a catalog.
type catalogFile struct {
	Providers []providerSpec `toml:"providers"`
	Network   networkSpec    `toml:"network"`
	Zones     []zoneSpec     `toml:"zones"`
}

type providerSpec struct {
	Name                string        `toml:"name"`
	Service             string        `toml:"service"`
	KeepAlive           Duration      `toml:"keepalive"`
	Speed               *float64      `toml:"speed"`
	InstanceConcurrency int           `toml:"instance_concurrency"`
	WarmOverhead        Duration      `toml:"warm_overhead"`
	ProvisioningDelay   Duration      `toml:"provisioning_delay"`
	ColdStart           coldStartSpec `toml:"cold_start"`
	CPU                 cpuSpec       `toml:"cpu"`
	Billing             billingSpec   `toml:"billing"`
	Power               powerSpec     `toml:"power"`
	Limits              limitsSpec    `toml:"limits"`
	Memory              []memorySpec  `toml:"memory"`
	Regions             []regionSpec  `toml:"regions"`
}

type coldStartSpec struct {
	// Dist is "lognormal" (median_s, p975_s), "exponential" (mean_s) or
	// "constant" (value_s).
	Dist    string  `toml:"dist"`
	MedianS float64 `toml:"median_s"`
	P975S   float64 `toml:"p975_s"`
	MeanS   float64 `toml:"mean_s"`
	ValueS  float64 `toml:"value_s"`
	// Included is what a draw already contains besides the start itself
	// (sim.Provider.ColdStartIncluded).
	Included Duration `toml:"included"`
}

type cpuSpec struct {
	Rule       string  `toml:"rule"` // proportional | fixed | clock
	MBPerVCPU  float64 `toml:"mb_per_vcpu"`
	VCPU       float64 `toml:"vcpu"`
	GHzPerVCPU float64 `toml:"ghz_per_vcpu"`
}

type billingSpec struct {
	RequestUSD                 float64 `toml:"request_usd"`
	GranularityMS              float64 `toml:"granularity_ms"`
	MinimumMS                  float64 `toml:"minimum_ms"`
	Memory                     string  `toml:"memory"` // configured | observed
	MemoryStepMB               float64 `toml:"memory_step_mb"`
	MinMemoryMB                float64 `toml:"min_memory_mb"`
	GBSecondUSD                float64 `toml:"gb_second_usd"`
	GHzSecondUSD               float64 `toml:"ghz_second_usd"`
	ProvisionedGBSecondUSD     float64 `toml:"provisioned_gb_second_usd"`
	ProvisionedExecGBSecondUSD float64 `toml:"provisioned_exec_gb_second_usd"`
	ProvisionedVCPUSecondUSD   float64 `toml:"provisioned_vcpu_second_usd"`
	ProvisionedGranularityS    float64 `toml:"provisioned_granularity_s"`
	FreeRequests               float64 `toml:"free_requests_per_month"`
	FreeGBSeconds              float64 `toml:"free_gb_seconds_per_month"`
	FreeGHzSeconds             float64 `toml:"free_ghz_seconds_per_month"`
	PerInstance                bool    `toml:"per_instance"`
}

type powerSpec struct {
	MinWPerVCPU float64 `toml:"min_w_per_vcpu"`
	MaxWPerVCPU float64 `toml:"max_w_per_vcpu"`
	MemWPerGB   float64 `toml:"mem_w_per_gb"`
	PUE         float64 `toml:"pue"`
}

type limitsSpec struct {
	ConcurrencyScope string   `toml:"concurrency_scope"` // region | app | function
	ScaleUpScope     string   `toml:"scale_up_scope"`    // region | app | function
	Concurrency      int      `toml:"concurrency"`
	ScaleUpPerS      float64  `toml:"scale_up_per_s"`
	ScaleUpBurst     int      `toml:"scale_up_burst"`
	Timeout          Duration `toml:"timeout"`
}

type memorySpec struct {
	MB   int     `toml:"mb"`
	VCPU float64 `toml:"vcpu"`
	GHz  float64 `toml:"ghz"`
}

type regionSpec struct {
	Name          string   `toml:"name"`
	Role          string   `toml:"role"`
	CarbonGPerKWh float64  `toml:"carbon_g_per_kwh"`
	PriceFactor   *float64 `toml:"price_factor"`
	Site          string   `toml:"site"`
}

type networkSpec struct {
	Sites []string    `toml:"sites"`
	RTTMs [][]float64 `toml:"rtt_ms"`
}

type zoneSpec struct {
	Name  string   `toml:"name"`
	Sites []string `toml:"sites"`
}

// finite reports whether v is a finite number (not NaN, not ±Inf).
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// nonNeg and positive check a catalog number and record a problem.
func nonNeg(ps *problems, path string, v float64) {
	if !finite(v) || v < 0 {
		ps.add(path, "must be a finite number >= 0 (got %v)", v)
	}
}

func positive(ps *problems, path string, v float64) {
	if !finite(v) || v <= 0 {
		ps.add(path, "must be a finite number > 0 (got %v)", v)
	}
}

// buildCatalog validates a decoded catalog and turns it into the engine's
// form. Problems go to ps with paths under prefix.
func buildCatalog(cf *catalogFile, ps *problems, prefix string) *sim.Catalog {
	at := func(format string, args ...any) string { return prefix + fmt.Sprintf(format, args...) }
	cat := &sim.Catalog{}
	if len(cf.Providers) == 0 {
		ps.add(at("providers"), "the catalog needs at least one provider")
	}
	if len(cf.Providers) > 255 {
		ps.add(at("providers"), "at most 255 providers (got %d)", len(cf.Providers))
		return nil
	}
	sites := map[string]int{}
	for i, s := range cf.Network.Sites {
		if _, dup := sites[s]; dup {
			ps.add(at("network.sites"), "site %q listed twice", s)
		}
		sites[s] = i
	}
	if len(cf.Network.RTTMs) != len(cf.Network.Sites) {
		ps.add(at("network.rtt_ms"), "needs one row per site (%d sites, %d rows)", len(cf.Network.Sites), len(cf.Network.RTTMs))
	}
	for i, row := range cf.Network.RTTMs {
		if len(row) != len(cf.Network.Sites) {
			ps.add(at("network.rtt_ms[%d]", i), "needs one value per site (%d sites, %d values)", len(cf.Network.Sites), len(row))
			continue
		}
		for j, v := range row {
			inRange(ps, at("network.rtt_ms[%d][%d]", i, j), v, 0, MaxRTTMs, "ms")
		}
	}
	names := map[string]bool{}
	for i := range cf.Providers {
		sp := &cf.Providers[i]
		pp := at("providers[%d]", i)
		if sp.Name == "" || strings.ContainsAny(sp.Name, "/ ") {
			ps.add(pp+".name", "needs a name without spaces or slashes (got %q)", sp.Name)
		}
		if names[sp.Name] {
			ps.add(pp+".name", "provider %q defined twice", sp.Name)
		}
		names[sp.Name] = true
		p := sim.Provider{Name: sp.Name, KeepAlive: sim.FromStd(sp.KeepAlive.Std()), Speed: 1,
			InstanceConcurrency: sp.InstanceConcurrency,
			WarmOverhead:        sim.FromStd(sp.WarmOverhead.Std()),
			ColdStartIncluded:   sim.FromStd(sp.ColdStart.Included.Std()),
			ProvisioningDelay:   sim.FromStd(sp.ProvisioningDelay.Std()),
		}
		if sp.InstanceConcurrency < 1 || sp.InstanceConcurrency > sim.MaxInstanceConcurrency {
			ps.add(pp+".instance_concurrency", "must be in 1..%d executions per instance (got %d)", sim.MaxInstanceConcurrency, sp.InstanceConcurrency)
		}
		for _, d := range []struct {
			k string
			v Duration
		}{{".keepalive", sp.KeepAlive}, {".warm_overhead", sp.WarmOverhead}, {".provisioning_delay", sp.ProvisioningDelay}, {".cold_start.included", sp.ColdStart.Included}} {
			if d.v < 0 {
				ps.add(pp+d.k, "must not be negative (got %v)", d.v)
			}
			spanAtMost(ps, pp+d.k, d.v, MaxLatencySpan)
		}
		if sp.Speed != nil {
			if inRange(ps, pp+".speed", *sp.Speed, MinSpeed, MaxSpeed, "(a multiplier on execution time)") {
				p.Speed = *sp.Speed
			}
		}
		p.ColdStart = buildColdStart(&sp.ColdStart, ps, pp+".cold_start")
		p.Billing = buildBilling(&sp.Billing, ps, pp+".billing")
		p.Power = sim.PowerModel{MinWPerVCPU: sp.Power.MinWPerVCPU, MaxWPerVCPU: sp.Power.MaxWPerVCPU, MemWPerGB: sp.Power.MemWPerGB, PUE: sp.Power.PUE}
		inRange(ps, pp+".power.min_w_per_vcpu", sp.Power.MinWPerVCPU, 0, MaxWattsPerVCPU, "W")
		inRange(ps, pp+".power.max_w_per_vcpu", sp.Power.MaxWPerVCPU, 0, MaxWattsPerVCPU, "W")
		inRange(ps, pp+".power.mem_w_per_gb", sp.Power.MemWPerGB, 0, MaxWattsPerGB, "W")
		if !(sp.Power.PUE >= 1 && sp.Power.PUE < 10) {
			ps.add(pp+".power.pue", "must be in [1, 10) (got %v)", sp.Power.PUE)
		}
		if sp.Power.MaxWPerVCPU < sp.Power.MinWPerVCPU {
			ps.add(pp+".power.max_w_per_vcpu", "must be >= min_w_per_vcpu (got %v < %v)", sp.Power.MaxWPerVCPU, sp.Power.MinWPerVCPU)
		}
		p.Limits = buildLimits(&sp.Limits, ps, pp+".limits")
		if len(sp.Memory) == 0 || len(sp.Memory) > 255 {
			ps.add(pp+".memory", "needs 1 to 255 memory options (got %d)", len(sp.Memory))
		}
		for j, m := range sp.Memory {
			mp := fmt.Sprintf("%s.memory[%d]", pp, j)
			if m.MB <= 0 || m.MB > MaxMemoryMB {
				ps.add(mp+".mb", "must be in 1..%d MB (got %d)", MaxMemoryMB, m.MB)
			}
			if j > 0 && m.MB <= sp.Memory[j-1].MB {
				ps.add(mp+".mb", "memory options must increase (%d after %d)", m.MB, sp.Memory[j-1].MB)
			}
			inRange(ps, mp+".ghz", m.GHz, 0, MaxGHz, "GHz")
			if m.VCPU != 0 {
				inRange(ps, mp+".vcpu", m.VCPU, MinVCPU, MaxVCPU, "vCPU")
			}
			vcpu := vcpuOf(&sp.CPU, m, ps, mp)
			if m.VCPU == 0 && !(vcpu >= MinVCPU && vcpu <= MaxVCPU) {
				ps.add(mp, "the cpu rule gives %v vCPU, outside [%g, %g] (set vcpu, or change the provider's cpu table)", vcpu, MinVCPU, MaxVCPU)
			}
			p.Memory = append(p.Memory, sim.MemoryOption{MB: m.MB, GHz: m.GHz, VCPU: vcpu})
		}
		if len(sp.Regions) == 0 || len(sp.Regions) > 255 {
			ps.add(pp+".regions", "needs 1 to 255 regions (got %d)", len(sp.Regions))
		}
		for j, r := range sp.Regions {
			rp := fmt.Sprintf("%s.regions[%d]", pp, j)
			if r.Name == "" || r.Role == "" {
				ps.add(rp, "needs a name and a role")
			}
			inRange(ps, rp+".carbon_g_per_kwh", r.CarbonGPerKWh, 0, MaxCarbonGPerKWh, "g/kWh")
			factor := 1.0
			if r.PriceFactor != nil {
				inRange(ps, rp+".price_factor", *r.PriceFactor, MinPriceFactor, MaxPriceFactor, "")
				factor = *r.PriceFactor
			}
			if _, ok := sites[r.Site]; !ok {
				ps.add(rp+".site", "unknown network site %q (network.sites lists %q)", r.Site, cf.Network.Sites)
			}
			p.Regions = append(p.Regions, sim.Region{Name: r.Name, Role: r.Role, Carbon: carbon.Constant(r.CarbonGPerKWh), PriceFactor: factor})
		}
		cat.Providers = append(cat.Providers, p)
	}
	if len(cf.Zones) == 0 || len(cf.Zones) > 255 {
		ps.add(at("zones"), "needs 1 to 255 client zones (got %d)", len(cf.Zones))
	}
	zoneNames := map[string]bool{}
	for i, z := range cf.Zones {
		zp := at("zones[%d]", i)
		if z.Name == "" || zoneNames[z.Name] {
			ps.add(zp+".name", "needs a unique name (got %q)", z.Name)
		}
		zoneNames[z.Name] = true
		if len(z.Sites) == 0 {
			ps.add(zp+".sites", "needs at least one network site")
		}
		for _, s := range z.Sites {
			if _, ok := sites[s]; !ok {
				ps.add(zp+".sites", "unknown network site %q", s)
			}
		}
	}
	if len(ps.list) > 0 {
		return nil
	}
	for _, z := range cf.Zones {
		zone := sim.Zone{Name: z.Name}
		for i := range cf.Providers {
			var row []sim.Duration
			for _, r := range cf.Providers[i].Regions {
				var rtts []float64
				for _, s := range z.Sites {
					rtts = append(rtts, cf.Network.RTTMs[sites[s]][sites[r.Site]])
				}
				row = append(row, sim.FromSeconds(median(rtts)/1000))
			}
			zone.RTT = append(zone.RTT, row)
		}
		cat.Zones = append(cat.Zones, zone)
	}
	return cat
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func buildColdStart(c *coldStartSpec, ps *problems, path string) dist.Quantiler {
	for _, f := range []struct {
		k string
		v float64
	}{{"median_s", c.MedianS}, {"p975_s", c.P975S}, {"mean_s", c.MeanS}, {"value_s", c.ValueS}} {
		if f.v != 0 && !inRange(ps, path+"."+f.k, f.v, 0, MaxColdStartSeconds, "s") {
			return nil
		}
	}
	q := coldStartDist(c, ps, path)
	if q != nil && !(q.Mean() <= MaxColdStartSeconds) {
		ps.add(path, "the distribution's mean, %v s, is above %d s (a log-normal's p975_s too far above its median_s)", q.Mean(), MaxColdStartSeconds)
		return nil
	}
	return q
}

func coldStartDist(c *coldStartSpec, ps *problems, path string) dist.Quantiler {
	switch c.Dist {
	case "", "lognormal":
		l, err := dist.LogNormalFromQuantiles(c.MedianS, 0.975, c.P975S)
		if err != nil {
			ps.add(path, "%v", err)
			return nil
		}
		return l
	case "exponential":
		positive(ps, path+".mean_s", c.MeanS)
		return dist.Exponential{M: c.MeanS}
	case "constant":
		nonNeg(ps, path+".value_s", c.ValueS)
		return dist.Constant{V: c.ValueS}
	}
	ps.add(path+".dist", "unknown distribution %q (want lognormal, exponential or constant)", c.Dist)
	return nil
}

func buildBilling(b *billingSpec, ps *problems, path string) billing.Rules {
	for _, f := range []struct {
		k string
		v float64
	}{{"request_usd", b.RequestUSD}, {"granularity_ms", b.GranularityMS}, {"minimum_ms", b.MinimumMS},
		{"memory_step_mb", b.MemoryStepMB}, {"min_memory_mb", b.MinMemoryMB}, {"gb_second_usd", b.GBSecondUSD},
		{"ghz_second_usd", b.GHzSecondUSD}, {"provisioned_gb_second_usd", b.ProvisionedGBSecondUSD},
		{"provisioned_exec_gb_second_usd", b.ProvisionedExecGBSecondUSD},
		{"provisioned_vcpu_second_usd", b.ProvisionedVCPUSecondUSD}, {"provisioned_granularity_s", b.ProvisionedGranularityS},
		{"free_requests_per_month", b.FreeRequests}, {"free_gb_seconds_per_month", b.FreeGBSeconds},
		{"free_ghz_seconds_per_month", b.FreeGHzSeconds}} {
		hi, unit := MaxPriceUSD, "USD"
		switch {
		case f.k == "granularity_ms" || f.k == "minimum_ms":
			hi, unit = MaxBillingStepMS, "ms"
		case f.k == "memory_step_mb" || f.k == "min_memory_mb":
			hi, unit = MaxMemoryMB, "MB"
		case f.k == "provisioned_granularity_s":
			hi, unit = MaxProvisionedStepS, "s"
		case strings.HasPrefix(f.k, "free_"):
			hi, unit = MaxFreeGrant, "a month"
		}
		inRange(ps, path+"."+f.k, f.v, 0, hi, unit)
	}
	r := billing.Rules{
		RequestUSD:                 b.RequestUSD,
		GranularityUS:              int64(math.Round(b.GranularityMS * 1000)),
		MinimumUS:                  int64(math.Round(b.MinimumMS * 1000)),
		MemoryStepMB:               b.MemoryStepMB,
		MinMemoryMB:                b.MinMemoryMB,
		GBSecondUSD:                b.GBSecondUSD,
		GHzSecondUSD:               b.GHzSecondUSD,
		ProvisionedGBSecondUSD:     b.ProvisionedGBSecondUSD,
		ProvisionedExecGBSecondUSD: b.ProvisionedExecGBSecondUSD,
		ProvisionedVCPUSecondUSD:   b.ProvisionedVCPUSecondUSD,
		ProvisionedGranularityUS:   int64(math.Round(b.ProvisionedGranularityS * 1e6)),
		FreeRequests:               b.FreeRequests,
		FreeGBSeconds:              b.FreeGBSeconds,
		FreeGHzSeconds:             b.FreeGHzSeconds,
		PerInstance:                b.PerInstance,
	}
	switch b.Memory {
	case "configured":
		r.Memory = billing.Configured
	case "observed":
		r.Memory = billing.Observed
	default:
		ps.add(path+".memory", "must be \"configured\" or \"observed\" (got %q)", b.Memory)
	}
	return r
}

func buildLimits(l *limitsSpec, ps *problems, path string) sim.Limits {
	lim := sim.Limits{Concurrency: l.Concurrency, ScaleUpPerSecond: l.ScaleUpPerS, ScaleUpBurst: l.ScaleUpBurst, Timeout: sim.FromStd(l.Timeout.Std())}
	lim.ConcurrencyScope = limitScope(l.ConcurrencyScope, ps, path+".concurrency_scope")
	lim.ScaleUpScope = limitScope(l.ScaleUpScope, ps, path+".scale_up_scope")
	if l.Concurrency < 0 || l.Concurrency > MaxConcurrencyLimit {
		ps.add(path+".concurrency", "must be 0 (unlimited) or in 1..%d (got %d)", MaxConcurrencyLimit, l.Concurrency)
	}
	if v := l.ScaleUpPerS; v != 0 {
		inRange(ps, path+".scale_up_per_s", v, MinScaleUpPerS, MaxScaleUpPerS, "per second (or 0: unlimited)")
	}
	if l.ScaleUpPerS > 0 && l.ScaleUpBurst < 1 {
		ps.add(path+".scale_up_burst", "must be at least 1 when scale_up_per_s is set (got %d)", l.ScaleUpBurst)
	}
	if l.ScaleUpBurst < 0 || l.ScaleUpBurst > MaxConcurrencyLimit {
		ps.add(path+".scale_up_burst", "must be in 0..%d (got %d)", MaxConcurrencyLimit, l.ScaleUpBurst)
	}
	if l.Timeout < 0 {
		ps.add(path+".timeout", "must not be negative (got %v)", l.Timeout)
	}
	spanAtMost(ps, path+".timeout", l.Timeout, MaxTimeout)
	return lim
}

// limitScopes names the scopes a limit may apply to.
var limitScopes = map[string]sim.LimitScope{"region": sim.ScopeRegion, "app": sim.ScopeApp, "function": sim.ScopeFunction}

func limitScope(v string, ps *problems, path string) sim.LimitScope {
	sc, ok := limitScopes[v]
	if !ok {
		ps.add(path, "must be region, app or function (got %q)", v)
	}
	return sc
}

// DefaultMemorySizes is the tactical action set when a scenario sets no
// simulation.memory_sizes: the thesis's six sizes, MB.
var DefaultMemorySizes = []int{128, 256, 512, 1024, 2048, 4096}

// markActions marks the memory options of the tactical action set: for each
// size s of sizes, the provider's smallest offered size >= s, or its largest
// if none is that large (so Azure's single 1.5 GB instance is the action for
// every s). Options left unmarked are offered but taken only by a function
// whose footprint exceeds every action size.
func markActions(cat *sim.Catalog, sizes []int) {
	for pi := range cat.Providers {
		mem := cat.Providers[pi].Memory
		for i := range mem {
			mem[i].Action = false
		}
		if len(mem) == 0 {
			continue
		}
		for _, s := range sizes {
			k := slices.IndexFunc(mem, func(o sim.MemoryOption) bool { return o.MB >= s })
			if k < 0 {
				k = len(mem) - 1
			}
			mem[k].Action = true
		}
	}
}

func vcpuOf(c *cpuSpec, m memorySpec, ps *problems, path string) float64 {
	if m.VCPU > 0 {
		return m.VCPU
	}
	switch c.Rule {
	case "proportional":
		if c.MBPerVCPU > 0 {
			return float64(m.MB) / c.MBPerVCPU
		}
	case "fixed":
		if c.VCPU > 0 {
			return c.VCPU
		}
	case "clock":
		if c.GHzPerVCPU > 0 && m.GHz > 0 {
			return m.GHz / c.GHzPerVCPU
		}
	}
	ps.add(path, "no vCPU share: set vcpu, or a cpu rule (proportional + mb_per_vcpu, fixed + vcpu, clock + ghz_per_vcpu with ghz)")
	return 1
}

// catalogDigest identifies the exact catalog bytes a run used.
func catalogDigest(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
