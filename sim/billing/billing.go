// Package billing prices serverless invocations and provisioned capacity the
// way each provider's price list states: a per-request fee, the duration
// rounded up to the provider's granularity with a minimum, memory either as
// configured or as observed (rounded up to a step, with a floor and a cap),
// GB-seconds and, where the provider bills CPU separately, GHz-seconds.
//
// Durations are integer microseconds; prices are USD.
package billing

import "math"

// MemoryBasis says which memory a provider bills.
type MemoryBasis uint8

const (
	// Configured bills the memory size the function is configured with
	// (AWS Lambda, Google Cloud Functions).
	Configured MemoryBasis = iota
	// Observed bills the memory the execution used, rounded up to a step
	// (Azure Functions Consumption plan).
	Observed
)

// Rules is one provider's price list.
type Rules struct {
	RequestUSD    float64 // per invocation
	GranularityUS int64   // billed duration is rounded up to a multiple of this
	MinimumUS     int64   // billed duration is at least this
	Memory        MemoryBasis
	MemoryStepMB  float64 // observed memory is rounded up to a multiple of this
	MinMemoryMB   float64 // observed memory is billed at least this
	GBSecondUSD   float64 // per GB-second of billed duration × memory
	GHzSecondUSD  float64 // per GHz-second of billed duration × CPU clock (0 if not billed)
	// PerInstance bills an instance's executing time (the union of its
	// concurrent executions, each busy period rounded and held to the
	// minimum as one execution would be) at the memory it holds, instead of
	// each execution apart: the Azure Functions host process, sampled
	// (Microsoft's Consumption-plan cost docs), or Cloud Run's
	// request-based billing. With one execution per instance both agree.
	PerInstance bool

	// Provisioned (pre-warmed) capacity: billed per second it is held,
	// whether or not it serves invocations, with the held time rounded up to
	// ProvisionedGranularityUS per instance.
	ProvisionedGBSecondUSD   float64
	ProvisionedVCPUSecondUSD float64
	ProvisionedGranularityUS int64
	// ProvisionedExecGBSecondUSD replaces GBSecondUSD for invocations that a
	// provisioned instance serves (0: the on-demand rate applies).
	ProvisionedExecGBSecondUSD float64

	// Monthly free grant, deducted only when a scenario turns free tiers on.
	FreeRequests, FreeGBSeconds, FreeGHzSeconds float64
}

// FreeTierCredit returns the charge that a free grant of months months
// removes from the given usage: requests, GB-s and GHz-s up to the grant, at
// list price.
func (r *Rules) FreeTierCredit(months float64, requests int64, gbSeconds, ghzSeconds float64) float64 {
	return math.Min(float64(requests), r.FreeRequests*months)*r.RequestUSD +
		math.Min(gbSeconds, r.FreeGBSeconds*months)*r.GBSecondUSD +
		math.Min(ghzSeconds, r.FreeGHzSeconds*months)*r.GHzSecondUSD
}

// BilledMicros is the billed duration of an execution lasting us microseconds.
func (r *Rules) BilledMicros(us int64) int64 {
	if us < r.MinimumUS {
		us = r.MinimumUS
	}
	if g := r.GranularityUS; g > 1 {
		us = (us + g - 1) / g * g
	}
	return us
}

// BilledMemoryMB is the memory billed for an execution on an instance
// configured with configuredMB whose footprint was footprintMB.
func (r *Rules) BilledMemoryMB(configuredMB, footprintMB float64) float64 {
	if r.Memory == Configured {
		return configuredMB
	}
	m := footprintMB
	if r.MemoryStepMB > 0 {
		m = math.Ceil(m/r.MemoryStepMB) * r.MemoryStepMB
	}
	if m < r.MinMemoryMB {
		m = r.MinMemoryMB
	}
	if m > configuredMB {
		m = configuredMB
	}
	return m
}

// Usage is what one execution is billed for.
type Usage struct {
	BilledUS  int64
	GBSeconds float64
	GHzSecs   float64
	USD       float64 // compute charge, excluding the request fee
}

// Execution prices one execution: us microseconds at memMB billed memory and
// ghz CPU clock, in a region whose compute prices are factor times the list
// price, on a provisioned instance or not. The request fee is separate
// (RequestUSD).
func (r *Rules) Execution(us int64, memMB, ghz, factor float64, provisioned bool) Usage {
	b := r.BilledMicros(us)
	s := float64(b) / 1e6
	u := Usage{BilledUS: b, GBSeconds: s * memMB / 1024, GHzSecs: s * ghz}
	gbPrice := r.GBSecondUSD
	if provisioned && r.ProvisionedExecGBSecondUSD > 0 {
		gbPrice = r.ProvisionedExecGBSecondUSD
	}
	u.USD = factor * (u.GBSeconds*gbPrice + u.GHzSecs*r.GHzSecondUSD)
	return u
}

// Provisioned prices holding one pre-warmed instance of memMB and vcpu for
// heldUS microseconds.
func (r *Rules) Provisioned(heldUS int64, memMB, vcpu, factor float64) (usd, gbSeconds float64) {
	if g := r.ProvisionedGranularityUS; g > 1 {
		heldUS = (heldUS + g - 1) / g * g
	}
	s := float64(heldUS) / 1e6
	gbSeconds = s * memMB / 1024
	return factor * (gbSeconds*r.ProvisionedGBSecondUSD + s*vcpu*r.ProvisionedVCPUSecondUSD), gbSeconds
}

// InstanceTime prices an instance's executing time under per-instance
// billing: mbMicros is the integral of its billed memory (MB) over the
// time billed, us that time (µs), ghz its CPU clock.
func (r *Rules) InstanceTime(mbMicros float64, us int64, ghz, factor float64, provisioned bool) Usage {
	s := float64(us) / 1e6
	u := Usage{BilledUS: us, GBSeconds: mbMicros / 1024 / 1e6, GHzSecs: s * ghz}
	gbPrice := r.GBSecondUSD
	if provisioned && r.ProvisionedExecGBSecondUSD > 0 {
		gbPrice = r.ProvisionedExecGBSecondUSD
	}
	u.USD = factor * (u.GBSeconds*gbPrice + u.GHzSecs*r.GHzSecondUSD)
	return u
}
