package scenarios

import (
	"fmt"
	"time"

	"github.com/skyfaas/skyfaas/traces"
)

// Ranges: the documented range of every figure a scenario or catalog
// gives beyond the plain checks of sign (README, "Limits"; docs/catalog.md,
// "Ranges"). Each bound is far outside any real value, and tight enough
// that no product the model forms (a duration × an SLO factor × a speed ÷
// a vCPU share, a price × GB-seconds) leaves int64 microseconds or finite
// float64.
const (
	// MaxSLOFactor bounds slo.factor: an objective a thousand times the
	// work is no objective.
	MaxSLOFactor = 1000
	// MaxLatencySpan bounds the spans of one request's path: slo.fixed,
	// slo.slack, simulation.max_queue_wait, objective.reference_latency and
	// a provider's keepalive, warm overhead, provisioning delay and
	// cold-start inclusion.
	MaxLatencySpan = 24 * time.Hour
	// MaxRunSpan bounds a run's spans: horizon, the workloads' durations,
	// the epochs and tick, the warm-up and the windows (a leap year).
	MaxRunSpan = 366 * 24 * time.Hour
	// MaxTimeout bounds a provider's limits.timeout: the longest execution
	// a trace may give (traces.MaxExecutionSeconds, one week).
	MaxTimeout = traces.MaxExecutionSeconds * time.Second
	// MaxPoissonRate bounds workload.poisson.rate (per second), and
	// MaxPoissonBusy its rate × mean_duration, the mean number of
	// executions in progress (Little's law), which sets the engine's
	// memory.
	MaxPoissonRate = 1e5
	MaxPoissonBusy = 1e6
	// MaxWeight bounds an objective weight; MinReference and the
	// Max*Reference bounds keep the objective's ratios finite.
	MaxWeight           = 1e6
	MinReference        = 1e-12
	MaxReferenceCostUSD = 1e3
	MaxReferenceCarbonG = 1e6
	// The catalog's figures. A price (per request, GB-s, GHz-s, vCPU-s)
	// is at most 1 USD (AWS Lambda: 1.67e-5 per GB-s); a region's price
	// factor is in [1e-3, 100]; a speed (a multiplier on execution time) in
	// [0.01, 100]; a cold-start figure, or a distribution's mean, at most an
	// hour; a billing granularity or minimum at most an hour, a
	// provisioned granularity at most a day; a free grant at most 1e12 a
	// month; a vCPU share in [0.01, 1024] (AWS's smallest is 0.072), a
	// clock at most 100 GHz; watts at most 1,000 per vCPU and 100 per GB;
	// a round trip at most 10 s; a concurrency limit or burst at most 1e7
	// and a scale-up rate 0 or in [1e-3, 1e6] per second.
	MaxPriceUSD                    = 1.0
	MinPriceFactor, MaxPriceFactor = 1e-3, 100
	MinSpeed, MaxSpeed             = 1e-2, 1e2
	MaxColdStartSeconds            = 3600
	MaxBillingStepMS               = 3.6e6
	MaxProvisionedStepS            = 86400
	MaxFreeGrant                   = 1e12
	MinVCPU, MaxVCPU               = 0.01, 1024.0
	MaxGHz                         = 100
	MaxWattsPerVCPU                = 1000
	MaxWattsPerGB                  = 100
	MaxRTTMs                       = 10_000
	MaxConcurrencyLimit            = 10_000_000
	MinScaleUpPerS, MaxScaleUpPerS = 1e-3, 1e6
	// MaxCarbonGPerKWh bounds a region's intensity (g CO2e/kWh), as a
	// carbon series' values are; MaxMemoryMB a memory size or footprint
	// (MB), as a trace's are.
	MaxCarbonGPerKWh = traces.MaxCarbonGPerKWh
	MaxMemoryMB      = traces.MaxMemoryMB
)

// inRange records a problem unless lo <= v <= hi (v finite); unit names
// the figure's unit in the message ("" for none).
func inRange(ps *problems, path string, v, lo, hi float64, unit string) bool {
	if finite(v) && v >= lo && v <= hi {
		return true
	}
	if unit != "" {
		unit = " " + unit
	}
	ps.add(path, "must be in [%g, %g]%s (got %v)", lo, hi, unit, v)
	return false
}

// spanAtMost records a problem if a duration passes limit.
func spanAtMost(ps *problems, path string, d Duration, limit time.Duration) {
	if time.Duration(d) > limit {
		ps.add(path, "must be at most %v (got %v)", fmtSpan(limit), d)
	}
}

// fmtSpan writes a limit in days when it is whole days.
func fmtSpan(d time.Duration) string {
	if d >= 48*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd (%v)", d/(24*time.Hour), d)
	}
	return d.String()
}
