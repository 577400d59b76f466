package sim

import (
	"fmt"
	"math"

	"github.com/skyfaas/skyfaas/sim/billing"
	"github.com/skyfaas/skyfaas/sim/carbon"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// MaxInstanceConcurrency bounds Provider.InstanceConcurrency (Cloud Run's
// maximum, 1,000 requests per instance).
const MaxInstanceConcurrency = 1000

// ProviderID indexes Catalog.Providers.
type ProviderID uint8

// ZoneID indexes Catalog.Zones.
type ZoneID uint8

// Placement is where a function runs: a provider, one of its regions and one
// of its memory options (indices into the provider's slices).
type Placement struct {
	Provider ProviderID
	Region   uint8
	Memory   uint8
}

// Catalog is the simulated cloud: providers with their regions, memory
// options, prices, power model, cold starts and limits, and the client zones
// invocations come from. The scenario layer builds it (the embedded default
// names a source for every figure); the engine only reads it.
type Catalog struct {
	Providers []Provider
	Zones     []Zone
}

// Provider is one serverless platform.
type Provider struct {
	Name      string
	Regions   []Region
	Memory    []MemoryOption
	Billing   billing.Rules
	Power     PowerModel
	ColdStart dist.Quantiler // seconds
	KeepAlive Duration       // idle instance lifetime when no policy sets one
	Limits    Limits
	// Speed multiplies execution time on this provider relative to the
	// reference platform the trace was measured on (1 = same speed).
	Speed float64
	// InstanceConcurrency is how many executions one instance runs at once
	// (at least 1): AWS Lambda and GCF 1st gen 1, an Azure Functions host
	// process many, Cloud Run 80 by default. Concurrent executions share the
	// instance's CPU (processor sharing) and memory.
	InstanceConcurrency int
	// WarmOverhead is the platform's own latency on every invocation's path
	// (front end, routing), beside the network round trip and the
	// execution; not billed.
	WarmOverhead Duration
	// ColdStartIncluded is what each cold-start draw already contains besides
	// the start itself (the measurement's client round trip and warm path):
	// it is subtracted from the draw (floored at 0), so that the round trip
	// and warm overhead every invocation pays count once.
	ColdStartIncluded Duration
	// ProvisioningDelay is how long a pre-warmed (provisioned) instance takes
	// to become ready; 0 takes a cold-start draw.
	ProvisioningDelay Duration
}

// MaxMemoryMB returns the largest memory size the provider offers.
func (p *Provider) MaxMemoryMB() int {
	m := 0
	for _, o := range p.Memory {
		m = max(m, o.MB)
	}
	return m
}

// Region is one region of a provider.
type Region struct {
	Name        string // the provider's region name, e.g. "us-east-1"
	Role        string // the metro it stands for, e.g. "us-east"
	Carbon      carbon.Intensity
	PriceFactor float64 // compute prices relative to the provider's list price
}

// MemoryOption is one configurable memory size and the CPU it buys.
type MemoryOption struct {
	MB   int
	VCPU float64 // CPU share in vCPUs (energy model, execution-time scaling)
	GHz  float64 // CPU clock billed per GHz-second (0 where not billed)
	// Action marks the sizes of the scenario's tactical action set. The
	// others are offered by the provider but taken only by a function whose
	// footprint exceeds every size of the action set.
	Action bool
}

// LimitScope is what a provider's concurrency limit or scale-up rate applies to.
type LimitScope uint8

const (
	ScopeRegion   LimitScope = iota // the account in one region (AWS Lambda)
	ScopeApp                        // one function app (Azure Functions)
	ScopeFunction                   // one function (Google Cloud Functions)
)

// Limits are a provider's scaling limits. The concurrency limit and the
// scale-up rate have scopes of their own (AWS Lambda: concurrency per
// account-region, scale-up per function).
type Limits struct {
	ConcurrencyScope LimitScope
	// Concurrency is the maximum number of instances starting or executing
	// (plus provisioned ones) per scope; 0 means unlimited.
	Concurrency  int
	ScaleUpScope LimitScope
	// ScaleUpPerSecond is the rate at which new instances (pre-warmed ones
	// included) may be created per scope (a token bucket of size
	// ScaleUpBurst); 0 means unlimited.
	ScaleUpPerSecond float64
	ScaleUpBurst     int
	// Timeout is the longest an execution may run before it is killed; 0
	// means no limit.
	Timeout Duration
}

// PowerModel is a CCF-style power model: per vCPU, between MinW (idle) and
// MaxW (fully used); per GB of memory, MemWPerGB; all times PUE.
type PowerModel struct {
	MinWPerVCPU, MaxWPerVCPU, MemWPerGB, PUE float64
}

// Watts returns the facility power of an instance of vcpu and memGB at CPU
// utilisation util (0..1).
func (m PowerModel) Watts(vcpu, memGB, util float64) float64 {
	return ((m.MinWPerVCPU+util*(m.MaxWPerVCPU-m.MinWPerVCPU))*vcpu + m.MemWPerGB*memGB) * m.PUE
}

// Zone is a client location. RTT[p][r] is the network round trip from the
// zone to region r of provider p.
type Zone struct {
	Name string
	RTT  [][]Duration
}

// RTT returns the round trip from zone z to placement pl.
func (c *Catalog) RTT(z ZoneID, pl Placement) Duration {
	return c.Zones[z].RTT[pl.Provider][pl.Region]
}

// Valid reports whether pl names an existing provider, region and memory option.
func (c *Catalog) Valid(pl Placement) bool {
	if int(pl.Provider) >= len(c.Providers) {
		return false
	}
	p := &c.Providers[pl.Provider]
	return int(pl.Region) < len(p.Regions) && int(pl.Memory) < len(p.Memory)
}

// Describe returns "provider/region/MB" for pl.
func (c *Catalog) Describe(pl Placement) string {
	if !c.Valid(pl) {
		return fmt.Sprintf("invalid(%d/%d/%d)", pl.Provider, pl.Region, pl.Memory)
	}
	p := &c.Providers[pl.Provider]
	return fmt.Sprintf("%s/%s/%dMB", p.Name, p.Regions[pl.Region].Name, p.Memory[pl.Memory].MB)
}

// Check verifies that the catalog is complete and consistent. The scenario
// layer validates user input with paths and lines; this is the engine's own
// guard against a malformed value built in code.
func (c *Catalog) Check() error {
	if len(c.Providers) == 0 || len(c.Providers) > 255 {
		return fmt.Errorf("catalog: need 1..255 providers, have %d", len(c.Providers))
	}
	if len(c.Zones) == 0 || len(c.Zones) > 255 {
		return fmt.Errorf("catalog: need 1..255 client zones, have %d", len(c.Zones))
	}
	pos := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	for i := range c.Providers {
		p := &c.Providers[i]
		if len(p.Regions) == 0 || len(p.Regions) > 255 || len(p.Memory) == 0 || len(p.Memory) > 255 {
			return fmt.Errorf("catalog: provider %s needs 1..255 regions and memory options", p.Name)
		}
		for _, r := range p.Regions {
			if r.Carbon == nil || !pos(r.PriceFactor) {
				return fmt.Errorf("catalog: region %s/%s needs a carbon intensity and a positive price factor", p.Name, r.Name)
			}
		}
		for _, m := range p.Memory {
			if m.MB <= 0 || !pos(m.VCPU) || m.GHz < 0 {
				return fmt.Errorf("catalog: provider %s has an invalid memory option %+v", p.Name, m)
			}
		}
		if p.ColdStart == nil || !pos(p.Speed) || p.KeepAlive < 0 || !pos(p.Power.PUE) {
			return fmt.Errorf("catalog: provider %s needs a cold-start distribution, positive speed and PUE, non-negative keep-alive", p.Name)
		}
		if p.InstanceConcurrency < 1 || p.InstanceConcurrency > MaxInstanceConcurrency {
			return fmt.Errorf("catalog: provider %s needs an instance concurrency in 1..%d (got %d)", p.Name, MaxInstanceConcurrency, p.InstanceConcurrency)
		}
		if p.WarmOverhead < 0 || p.ColdStartIncluded < 0 || p.ProvisioningDelay < 0 {
			return fmt.Errorf("catalog: provider %s has a negative warm overhead, cold-start inclusion or provisioning delay", p.Name)
		}
	}
	for _, z := range c.Zones {
		if len(z.RTT) != len(c.Providers) {
			return fmt.Errorf("catalog: zone %s has round trips for %d providers, want %d", z.Name, len(z.RTT), len(c.Providers))
		}
		for p := range z.RTT {
			if len(z.RTT[p]) != len(c.Providers[p].Regions) {
				return fmt.Errorf("catalog: zone %s has %d round trips to %s, want %d", z.Name, len(z.RTT[p]), c.Providers[p].Name, len(c.Providers[p].Regions))
			}
		}
	}
	return nil
}
