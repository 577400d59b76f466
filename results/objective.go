package results

import "github.com/skyfaas/skyfaas/sim"

// ObjectiveValue is an arm's value of the scenario's sim.Objective over its
// whole measured window: the run taken as one Outcome (every completed and
// failed invocation, the total cost after any free-tier credit, the carbon,
// the latency of completed invocations). Lower is better. The terms are
// the weighted, normalised parts whose sum is Value.
type ObjectiveValue struct {
	Value float64 `json:"value"`
	// FunctionMean is the objective of each function's own run (every
	// function with a finished invocation), averaged over functions: each
	// function weighs alike, as in a learner's batch, where Value is
	// dominated by the busiest functions. Before free-tier credit. Nil in
	// records written before it existed.
	FunctionMean *float64 `json:"function_mean,omitempty"`
	Cost         float64  `json:"cost_term"`
	Performance  float64  `json:"performance_term"`
	Carbon       float64  `json:"carbon_term"`
	SLA          float64  `json:"sla_term"`
}

// ObjectiveInfo states the objective the arms' values were computed with.
type ObjectiveInfo struct {
	Definition      string  `json:"definition"`
	CostWeight      float64 `json:"cost_weight"`
	PerfWeight      float64 `json:"performance_weight"`
	CarbonWeight    float64 `json:"carbon_weight"`
	SLAWeight       float64 `json:"sla_weight"`
	RefCostUSD      float64 `json:"reference_cost_usd"`
	RefLatencySecs  float64 `json:"reference_latency_s"`
	RefCarbonG      float64 `json:"reference_carbon_g"`
	AssumptionsNote string  `json:"note"`
}

// objectiveNote names what in the objective is an assumption.
const objectiveNote = "reference invocation (median Azure 2019 function on AWS US-East 1 GB) and SLA weight are assumptions: sweep objective.*"

// NewObjectiveInfo describes obj.
func NewObjectiveInfo(obj sim.Objective) *ObjectiveInfo {
	w, r := obj.Weights, obj.Reference
	return &ObjectiveInfo{Definition: obj.String(), CostWeight: w.Cost, PerfWeight: w.Performance, CarbonWeight: w.Carbon,
		SLAWeight: w.SLA, RefCostUSD: r.CostUSD, RefLatencySecs: r.Latency.Seconds(), RefCarbonG: r.CarbonG,
		AssumptionsNote: objectiveNote}
}

// RunOutcome is a whole run as one sim.Outcome; costUSD is the arm's total
// (Arm.Cost.Total: provisioned capacity included, free-tier credit
// deducted).
func RunOutcome(m *sim.Metrics, costUSD float64) sim.Outcome {
	return sim.Outcome{Completed: m.Completed, Failed: m.FailedTotal(), ColdStarts: m.ColdStarts,
		SLAViolations: m.SLAViolations, CostUSD: costUSD, CarbonG: m.Carbon, LatencySum: sim.Duration(m.Latency.Sum)}
}

// SetObjective computes the arm's objective value from its run's metrics.
func (a *Arm) SetObjective(obj sim.Objective, m *sim.Metrics) {
	out := RunOutcome(m, a.Cost.Total)
	t, sla := sim.PerInvocation(out)
	one := func(w sim.ObjectiveWeights) float64 {
		o := obj
		o.Weights = w
		return o.Score(t, obj.Reference)
	}
	a.Objective = &ObjectiveValue{Value: obj.Value(out),
		Cost:        one(sim.ObjectiveWeights{Cost: obj.Weights.Cost}),
		Performance: one(sim.ObjectiveWeights{Performance: obj.Weights.Performance}),
		Carbon:      one(sim.ObjectiveWeights{Carbon: obj.Weights.Carbon}),
		SLA:         obj.Weights.SLA * sla}
	if fm, ok := FunctionMeanObjective(obj, m); ok {
		a.Objective.FunctionMean = &fm
	}
}

// FunctionMeanObjective is the mean over functions with a finished
// invocation of the objective of each one's run (ObjectiveValue's
// FunctionMean); false if no function finished one.
func FunctionMeanObjective(obj sim.Objective, m *sim.Metrics) (float64, bool) {
	var s float64
	n := 0
	for i := range m.PerFunction {
		if o := m.PerFunction[i].Outcome; o.Completed+o.Failed > 0 {
			s += obj.Value(o)
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return s / float64(n), true
}
