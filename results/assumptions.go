package results

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/sim"
)

// Assumptions are the modelling choices a reader must know to read a run's
// figures. The caller fills them from the run's configuration
// (NewAssumptions); Table prints them under the table as "assumptions:"
// lines, and summary.json stores them.
type Assumptions struct {
	// Workload labels what was replayed and how far to trust it, e.g.
	// "STRESS TEST: sampled Azure 2019 day, counts inconsistent with
	// durations".
	Workload string `json:"workload"`
	// CPUBoundFraction is the share of an execution that runs slower with
	// less than one vCPU.
	CPUBoundFraction float64 `json:"cpu_bound_fraction"`
	// InstanceConcurrency is how many executions one instance runs at once,
	// per provider in catalog order.
	InstanceConcurrency []ProviderValue `json:"instance_concurrency"`
	MemorySharing       string          `json:"memory_sharing"`
	Packing             string          `json:"instance_packing"`
	KeepAlive           string          `json:"keep_alive"`
	ColdStart           string          `json:"cold_start"`
	// The measured window starts at WarmupSeconds and ends at the horizon,
	// or, if Drain, when the last instance stopped (each arm's end_s). The
	// run starts at StartSeconds (a window of the trace; 0 by default).
	StartSeconds   float64 `json:"start_s,omitempty"`
	WarmupSeconds  float64 `json:"warmup_s"`
	HorizonSeconds float64 `json:"horizon_s"`
	Drain          bool    `json:"drain"`
	// SLO states when an invocation violates its objective.
	SLO string `json:"slo"`
	// Latency states which invocations the latency percentiles cover.
	Latency string `json:"latency"`
	// VariesByArm names the figures above that differ between arms (the
	// first arm's value is shown).
	VariesByArm []string `json:"varies_by_arm,omitempty"`
}

// Vary records which figures of other differ from a's.
func (a *Assumptions) Vary(other *Assumptions) {
	add := func(name string) {
		if !slices.Contains(a.VariesByArm, name) {
			a.VariesByArm = append(a.VariesByArm, name)
		}
	}
	if other.CPUBoundFraction != a.CPUBoundFraction {
		add("cpu_bound_fraction")
	}
	if !slices.Equal(other.InstanceConcurrency, a.InstanceConcurrency) {
		add("executions per instance")
	}
}

// ProviderValue is one provider's value of a per-provider setting.
type ProviderValue struct {
	Provider string `json:"provider"`
	Value    int    `json:"value"`
}

// latencyRule is how failures enter the figures.
const latencyRule = "latency percentiles and wait are over completed (resp. started) invocations only; " +
	"failures of every cause (infeasible included) enter SLA viol % and fail %, not the percentiles"

// What each of the engine's modes means, as the footer says it.
var (
	memorySharingText = map[sim.MemorySharing]string{
		sim.MemoryProcess: "process: an instance holds the largest footprint of its executions",
		sim.MemorySum:     "sum: the footprints of an instance's executions add up",
	}
	packingText = map[sim.Packing]string{
		sim.PackCPU:   "an arrival joins a busy instance only while its executions' CPU-bound parts fit its vCPUs, else it scales out",
		sim.PackSlots: "an arrival fills every slot of a busy instance before another starts",
	}
	keepAliveText = map[sim.KeepAliveMode]string{
		sim.KeepAliveSinceIdle:      "restarts each time an instance goes idle",
		sim.KeepAliveSinceFirstIdle: "counts from an instance's first idle moment",
	}
	coldStartText = map[sim.ColdStartMode]string{
		sim.ColdStartAdds:     "adds to the execution",
		sim.ColdStartReplaces: "replaces the execution (a cold request's service time is the cold-start draw)",
	}
)

// modeText describes mode v, or says it is unknown.
func modeText[T comparable](texts map[T]string, v T) string {
	if t, ok := texts[v]; ok {
		return t
	}
	return fmt.Sprintf("mode %v", v)
}

// NewAssumptions reads the assumptions from a run's configuration; workload
// labels the workload.
func NewAssumptions(cfg *sim.Config, workload string) Assumptions {
	a := Assumptions{Workload: workload, CPUBoundFraction: cfg.CPUBoundFraction,
		StartSeconds: sim.Duration(cfg.Start).Seconds(), WarmupSeconds: sim.Duration(cfg.Start.Add(cfg.Warmup)).Seconds(), HorizonSeconds: sim.Duration(cfg.Horizon).Seconds(), Drain: cfg.Drain,
		Latency: latencyRule}
	if cfg.Horizon == 0 && cfg.Source != nil {
		a.HorizonSeconds = sim.Duration(cfg.Source.Horizon()).Seconds()
	}
	if cfg.Catalog != nil {
		for _, p := range cfg.Catalog.Providers {
			a.InstanceConcurrency = append(a.InstanceConcurrency, ProviderValue{Provider: p.Name, Value: p.InstanceConcurrency})
		}
	}
	a.MemorySharing = modeText(memorySharingText, cfg.MemorySharing)
	a.Packing = modeText(packingText, cfg.Packing)
	a.KeepAlive = modeText(keepAliveText, cfg.KeepAlive)
	a.ColdStart = modeText(coldStartText, cfg.ColdStart)
	if s := cfg.SLO; s.Fixed > 0 {
		a.SLO = fmt.Sprintf("latency over %s, or failed", s.Fixed)
	} else {
		a.SLO = fmt.Sprintf("latency over %g × reference duration + %s, or failed", s.Factor, s.Slack)
	}
	return a
}

// Write prints the assumptions as "assumptions:" lines.
func (a *Assumptions) Write(w io.Writer) error {
	var conc []string
	for _, p := range a.InstanceConcurrency {
		conc = append(conc, fmt.Sprintf("%s %d", p.Provider, p.Value))
	}
	from := "from the start (no warm-up)"
	switch {
	case a.StartSeconds > 0 && a.WarmupSeconds > a.StartSeconds:
		from = fmt.Sprintf("from %s (a window of the trace from %s, its warm-up excluded)", seconds(a.WarmupSeconds), seconds(a.StartSeconds))
	case a.StartSeconds > 0:
		from = fmt.Sprintf("from %s (a window of the trace; no warm-up)", seconds(a.StartSeconds))
	case a.WarmupSeconds > 0:
		from = fmt.Sprintf("from %s (the warm-up before it excluded)", seconds(a.WarmupSeconds))
	}
	window := fmt.Sprintf("measured window %s to the horizon %s; executions still running then are in flight", from, seconds(a.HorizonSeconds))
	if a.Drain {
		window = fmt.Sprintf("measured window %s; arrivals until the horizon %s, then drained until the last instance stopped (each arm's end_s)",
			from, seconds(a.HorizonSeconds))
	}
	workload := a.Workload
	if workload == "" {
		workload = "(unlabelled)"
	}
	varies := ""
	if len(a.VariesByArm) > 0 {
		varies = fmt.Sprintf(" (first arm's; %s vary by arm)", strings.Join(a.VariesByArm, " and "))
	}
	lines := []string{
		"workload: " + workload,
		fmt.Sprintf("cpu_bound_fraction %g (no published source: an assumption, swept in scenarios/sensitivity.toml); executions per instance: %s%s",
			a.CPUBoundFraction, strings.Join(conc, ", "), varies),
		"memory: " + a.MemorySharing + "; packing: " + a.Packing,
		fmt.Sprintf("keep-alive %s; cold start %s", a.KeepAlive, a.ColdStart),
		window,
		"SLO: " + a.SLO,
		a.Latency,
	}
	for _, l := range lines {
		if _, err := fmt.Fprintf(w, "assumptions: %s\n", l); err != nil {
			return err
		}
	}
	return nil
}

// seconds prints a span of seconds as a duration ("1h0m0s").
func seconds(s float64) string { return sim.FromSeconds(s).String() }
