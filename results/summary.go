// Package results turns what the engine measured into run summaries, and
// writes them: JSON and CSV files (atomically, so a killed run leaves either
// the old file or the new one), and comparison tables.
package results

import (
	"github.com/skyfaas/skyfaas/sim"
)

// Summary is one run of a scenario: every arm, with everything needed to
// reproduce it (tool version, resolved scenario, catalog digest, seed).
type Summary struct {
	Tool          string       `json:"tool"`
	Version       string       `json:"version"`
	ScenarioFile  string       `json:"scenario_file"`
	Scenario      any          `json:"scenario"`
	CatalogName   string       `json:"catalog"`
	CatalogSHA256 string       `json:"catalog_sha256"`
	Seed          uint64       `json:"seed"`
	Replication   int          `json:"replication"`
	Workload      WorkloadInfo `json:"workload"`
	// Assumptions are the modelling choices behind every figure (nil if
	// the caller did not state them); Table prints them under the table.
	Assumptions *Assumptions `json:"assumptions,omitempty"`
	// Objective states the objective the arms' Objective values were
	// computed with (nil if the caller computed none).
	Objective *ObjectiveInfo `json:"objective,omitempty"`
	Arms      []Arm          `json:"arms"`
}

// WorkloadInfo describes the workload replayed.
type WorkloadInfo struct {
	Kind           string   `json:"kind"`
	Functions      int      `json:"functions"`
	Apps           int      `json:"apps"`
	HorizonSeconds float64  `json:"horizon_s"`
	StartSeconds   float64  `json:"start_s,omitempty"` // a window of the trace starts here
	Notes          []string `json:"notes,omitempty"`
}

// Arm is the outcome of one policy combination. Units: USD, seconds,
// grams CO2e, kWh; percentages are 0-100.
type Arm struct {
	Name        string `json:"name"`
	Strategic   any    `json:"strategic"`
	Tactical    any    `json:"tactical"`
	Operational any    `json:"operational"`

	HorizonSeconds float64 `json:"horizon_s"`
	// The measured window is [WarmupSeconds, EndSeconds): the end is the
	// horizon, or, for a drained run, when the last instance stopped.
	WarmupSeconds float64     `json:"warmup_s"`
	EndSeconds    float64     `json:"end_s"`
	Invocations   Invocations `json:"invocations"`
	// FailedPct is every failure (infeasible included) over arrived
	// invocations.
	FailedPct float64 `json:"failed_pct"`
	// ColdStartPct is cold starts over started invocations (cold + warm).
	ColdStarts   int64   `json:"cold_starts"`
	WarmStarts   int64   `json:"warm_starts"`
	ColdStartPct float64 `json:"cold_start_pct"`
	Latency      Latency `json:"latency_s"`
	// SLAViolationPct is violations over finished invocations (completed
	// over their objective, plus every failure).
	SLAViolations   int64   `json:"sla_violations"`
	SLAViolationPct float64 `json:"sla_violation_pct"`
	Cost            Cost    `json:"cost_usd"`
	// CostPer1kCompletedUSD is the total cost per thousand completed
	// invocations (0 if none completed): what a served request costs,
	// failures' charges included.
	CostPer1kCompletedUSD float64    `json:"cost_per_1k_completed_usd"`
	EnergyKWh             float64    `json:"energy_kwh"`
	CarbonG               float64    `json:"carbon_g"`
	Resources             Resources  `json:"resources"`
	PerProvider           []Provider `json:"per_provider"`
	// PerApp is the distribution over apps of cold starts and idle memory
	// (nil unless the caller adds it: see NewPerApp).
	PerApp *PerApp `json:"per_app,omitempty"`
	// Objective is the run's value of the scenario's objective (nil unless
	// the caller adds it: see SetObjective).
	Objective *ObjectiveValue `json:"objective,omitempty"`
}

// Invocations are counts by outcome. Conserved records Arrived = Completed +
// failures + InFlight, which the engine guarantees and the writer checks.
type Invocations struct {
	Arrived   int64            `json:"arrived"`
	Completed int64            `json:"completed"`
	Failed    map[string]int64 `json:"failed"`
	InFlight  int64            `json:"in_flight"`
	Queued    int64            `json:"queued_at_limits"`
	Conserved bool             `json:"conserved"`
}

// Latency quantiles of completed invocations, seconds, and the mean wait
// of started invocations before they execute (queueing + cold start).
type Latency struct {
	P50       float64 `json:"p50"`
	P95       float64 `json:"p95"`
	P99       float64 `json:"p99"`
	Mean      float64 `json:"mean"`
	Max       float64 `json:"max"`
	MeanStart float64 `json:"mean_start_delay"`
}

// Cost is USD by component; Total = Requests + Compute + Provisioned -
// FreeTierCredit.
type Cost struct {
	Requests       float64 `json:"requests"`
	Compute        float64 `json:"compute"`
	Provisioned    float64 `json:"provisioned"`
	FreeTierCredit float64 `json:"free_tier_credit"`
	Total          float64 `json:"total"`
}

// Resources is what the instances used and how pre-warming fared.
type Resources struct {
	MeanInstances        float64 `json:"mean_instances"`
	MeanBusy             float64 `json:"mean_busy"`
	IdleGBSeconds        float64 `json:"idle_gb_s"`
	PrewarmIdleGBSeconds float64 `json:"prewarm_idle_gb_s"`
	InstancesStarted     int64   `json:"instances_started"`
	PrewarmsStarted      int64   `json:"prewarms_started"`
	PrewarmsUsed         int64   `json:"prewarms_used"`
	PrewarmHitPct        float64 `json:"prewarm_hit_pct"`
	PrewarmsDenied       int64   `json:"prewarms_denied"`
	UnderProvisioned     int64   `json:"under_provisioned_instance_intervals"`
	OverProvisioned      int64   `json:"over_provisioned_instance_intervals"`
	PlacementChanges     int64   `json:"placement_changes"`
	FunctionsInvoked     int     `json:"functions_invoked"`
	PeakQueuedRequests   int     `json:"peak_queued_requests"`
	PeakEventQueue       int     `json:"peak_event_queue"`
	OperationalTicks     int64   `json:"operational_ticks"`
}

// Provider is an arm's figures on one provider.
type Provider struct {
	Name        string  `json:"name"`
	Invocations int64   `json:"invocations"`
	SharePct    float64 `json:"share_pct"`
	ColdStarts  int64   `json:"cold_starts"`
	CostUSD     float64 `json:"cost_usd"`
	CarbonG     float64 `json:"carbon_g"`
}

// secondsPerMonth prorates monthly free grants: 30 days.
const secondsPerMonth = 30 * 86400

// NewArm summarises one run. freeTier deducts each provider's monthly free
// grant, prorated to the measured window.
func NewArm(name string, strategic, tactical, operational any, m *sim.Metrics, cat *sim.Catalog, freeTier bool) Arm {
	a := Arm{Name: name, Strategic: strategic, Tactical: tactical, Operational: operational, HorizonSeconds: m.Horizon.Seconds(),
		WarmupSeconds: m.Warmup.Seconds(), EndSeconds: m.End.Seconds()}
	if m.End == 0 {
		a.EndSeconds = a.HorizonSeconds
	}
	a.Invocations = Invocations{Arrived: m.Arrived, Completed: m.Completed, InFlight: m.InFlight, Queued: m.Queued,
		Failed: map[string]int64{}}
	for i, n := range m.Failed {
		a.Invocations.Failed[sim.FailCauseNames[i]] = n
	}
	a.Invocations.Conserved = m.Arrived == m.Completed+m.FailedTotal()+m.InFlight
	a.FailedPct = pct(m.FailedTotal(), m.Arrived)
	a.ColdStarts, a.WarmStarts = m.ColdStarts, m.WarmStarts
	a.ColdStartPct = pct(m.ColdStarts, m.ColdStarts+m.WarmStarts)
	q := func(p float64) float64 { return sim.Duration(m.Latency.Quantile(p)).Seconds() }
	a.Latency = Latency{P50: q(0.5), P95: q(0.95), P99: q(0.99), Mean: m.Latency.Mean() / 1e6, Max: sim.Duration(m.Latency.Max).Seconds()}
	if started := m.ColdStarts + m.WarmStarts; started > 0 {
		a.Latency.MeanStart = m.StartDelaySeconds / float64(started)
	}
	a.SLAViolations = m.SLAViolations
	a.SLAViolationPct = pct(m.SLAViolations, m.Finished())
	a.Cost = Cost{Requests: m.Cost.Requests, Compute: m.Cost.Compute, Provisioned: m.Cost.Provisioned}
	// Charges, instance time and energy cover the measured window only.
	window := a.EndSeconds - a.WarmupSeconds
	if freeTier {
		months := window / secondsPerMonth
		for i := range cat.Providers {
			u := &m.BillableUnits[i]
			a.Cost.FreeTierCredit += cat.Providers[i].Billing.FreeTierCredit(months, u.Requests, u.GBSeconds, u.GHzSeconds)
		}
	}
	a.Cost.Total = a.Cost.Requests + a.Cost.Compute + a.Cost.Provisioned - a.Cost.FreeTierCredit
	if m.Completed > 0 {
		a.CostPer1kCompletedUSD = 1000 * a.Cost.Total / float64(m.Completed)
	}
	a.EnergyKWh, a.CarbonG = m.Energy, m.Carbon
	r := Resources{IdleGBSeconds: m.IdleGBSeconds, PrewarmIdleGBSeconds: m.PrewarmIdleGBSecs,
		InstancesStarted: m.InstancesStarted, PrewarmsStarted: m.PrewarmsStarted, PrewarmsUsed: m.PrewarmsUsed,
		PrewarmHitPct: pct(m.PrewarmsUsed, m.PrewarmsStarted), PrewarmsDenied: m.PrewarmsDenied,
		UnderProvisioned: m.UnderProvisioned, OverProvisioned: m.OverProvisioned, PlacementChanges: m.PlacementChanges,
		FunctionsInvoked: m.FunctionsInvoked, PeakQueuedRequests: m.PeakQueuedRequests, PeakEventQueue: m.PeakEventQueue,
		OperationalTicks: m.Ticks}
	if window > 0 {
		r.MeanInstances, r.MeanBusy = m.InstanceSeconds/window, m.BusySeconds/window
	}
	a.Resources = r
	for i, pm := range m.PerProvider {
		a.PerProvider = append(a.PerProvider, Provider{Name: cat.Providers[i].Name, Invocations: pm.Invocations,
			SharePct: pct(pm.Invocations, m.Arrived), ColdStarts: pm.ColdStarts, CostUSD: pm.Cost, CarbonG: pm.Carbon})
	}
	return a
}

func pct(n, d int64) float64 {
	if d == 0 {
		return 0
	}
	return 100 * float64(n) / float64(d)
}
