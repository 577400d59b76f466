package sim

import "fmt"

// Objective is the one measure of how well functions were served: the
// learned layers' reward, the score weighted-greedy ranks its options by,
// and the "objective" column of the results tables are all computed here.
// Lower values are better; Reward is its negation.
//
// # Definition
//
// For an Outcome o (a function over an epoch, or a whole run), with
// n = max(o.Completed + o.Failed, 1) finished invocations:
//
//	Value(o) = w_cost · (o.CostUSD / n) / ref_cost
//	         + w_perf · (o.LatencySum / o.Completed) / ref_latency   (0 if none completed)
//	         + w_carbon · (o.CarbonG / n) / ref_carbon
//	         + w_sla · o.SLAViolations / n
//
// Each of the first three terms is a per-invocation mean divided by the
// same quantity for a reference invocation (ReferenceInvocation), so that a
// function served like the reference scores w_cost + w_perf + w_carbon (1
// with the default weights) whatever its traffic: a busy function and a
// rare one weigh alike in a learner's batch, and arms replaying the same
// workload compare on one scale. The SLA term is the share of finished
// invocations that violated their objective (every failure does, see
// Metrics.SLAViolations), already in [0, 1]: with the default weight 1, an
// invocation that violates its objective costs as much again as the whole
// reference invocation.
//
// Why these choices:
//
//   - Per invocation, not per epoch: cost and carbon grow with traffic, which
//     is not the agent's doing; their means per finished invocation do not.
//     Idle, pre-warmed and provisioned charges are part of CostUSD and
//     CarbonG, so keeping instances warm raises the mean cost of the
//     invocations they serve. An epoch with no finished invocation counts
//     its standing charges as one invocation's (n = 1): holding instances
//     for nothing is penalised, not divided by zero.
//   - Mean latency, not a percentile: an Outcome holds a sum, and the tail
//     enters through the SLA term.
//   - Fixed references, not per-decision maxima: a reward must mean the
//     same thing from one epoch to the next. Weighted-greedy instead
//     normalises by the largest value among the options it compares (Score
//     with those maxima as norms): that ranks options of one decision and
//     needs no reference.
//
// # Assumptions that can change a ranking
//
// The ratios between the references, and the SLA weight, set the exchange
// rate between dollars, seconds, grams and violations; they have no
// published source. They are scenario settings (objective.reference_*,
// objective.sla) named in every table's footer, to be swept.
type Objective struct {
	Weights ObjectiveWeights
	// Reference is the reference invocation's cost, latency and carbon:
	// each must be positive.
	Reference Terms
}

// ObjectiveWeights weigh the objective's terms; each is >= 0.
type ObjectiveWeights struct {
	Cost, Performance, Carbon float64
	// SLA weighs the share of finished invocations that violated their
	// latency objective or failed.
	SLA float64
}

// Terms are the three measured quantities the objective trades off: for an
// Objective's reference, per invocation; for Score, whatever the caller
// compares (an Offer's expected values per invocation, say).
type Terms struct {
	CostUSD float64
	Latency Duration
	CarbonG float64
}

// The reference invocation: the median Azure function's mean execution
// time, run on AWS Lambda (x86) in US-East at 1,024 MB.
//
//   - Latency: exp(-0.38) s = 0.684 s, the median of the log-normal fit of
//     per-function mean execution times (Shahrad et al., "Serverless in the
//     Wild", USENIX ATC'20, §3: log mean -0.38, σ 2.36 [V]; median [D],
//     rounded to the ms; the same fit as traces.DurationLogMean).
//   - Cost: $0.20 per million requests + 0.684 s × 1 GB × $0.0000166667 per
//     GB-s (AWS Lambda x86 list price, FACTS §1.1 [V]) = $1.16e-5 [D].
//   - Carbon: Cloud Carbon Footprint power (FACTS §5.1 [V]: 0.74 / 3.5 W per
//     vCPU idle / at 100 %, at the 50 % utilisation CCF assumes, and 0.392 W
//     per GB) of 1,024/1,769 vCPU and 1 GB = 1.619 W, × PUE 1.15 (AWS 2023,
//     FACTS §5.2 [V]) × 0.684 s = 3.538e-7 kWh, × 323.05 g/kWh (US-East grid
//     2024, Google region-carbon-info us-east4, FACTS §2.1 [V]) = 1.143e-4 g
//     [D]. These are the embedded catalog's figures for aws us-east.
//
// The size (1,024 MB) and the provider are a choice, not a measurement: a
// reference on another placement changes the exchange rates between terms.
var ReferenceInvocation = Terms{CostUSD: 1.16e-5, Latency: 684 * Millisecond, CarbonG: 1.143e-4}

// DefaultObjectiveWeights are the thesis's weights (0.4 cost, 0.4
// performance, 0.2 carbon) and an SLA weight of 1 (an assumption: a
// violation costs as much as a reference invocation; no source).
var DefaultObjectiveWeights = ObjectiveWeights{Cost: 0.4, Performance: 0.4, Carbon: 0.2, SLA: 1}

// DefaultObjective is the objective with the default weights and the
// reference invocation.
func DefaultObjective() Objective {
	return Objective{Weights: DefaultObjectiveWeights, Reference: ReferenceInvocation}
}

// Check reports an objective whose weights are negative or all zero, or
// whose references are not positive.
func (o Objective) Check() error {
	w := o.Weights
	if !(w.Cost >= 0 && w.Performance >= 0 && w.Carbon >= 0 && w.SLA >= 0) || w.Cost+w.Performance+w.Carbon+w.SLA <= 0 {
		return fmt.Errorf("sim: objective weights must be non-negative and not all zero (got %+v)", w)
	}
	r := o.Reference
	if !(r.CostUSD > 0 && r.Latency > 0 && r.CarbonG > 0) {
		return fmt.Errorf("sim: objective references must be positive (got cost %v USD, latency %v, carbon %v g)", r.CostUSD, r.Latency, r.CarbonG)
	}
	return nil
}

// Score returns w_cost·t.CostUSD/norm.CostUSD + w_perf·t.Latency/norm.Latency
// + w_carbon·t.CarbonG/norm.CarbonG, a term being 0 where its norm is not
// positive. The SLA weight does not enter: Score compares quantities, Value
// outcomes.
func (o Objective) Score(t, norm Terms) float64 {
	ratio := func(x, n float64) float64 {
		if n <= 0 {
			return 0
		}
		return x / n
	}
	w := o.Weights
	return w.Cost*ratio(t.CostUSD, norm.CostUSD) + w.Performance*ratio(float64(t.Latency), float64(norm.Latency)) +
		w.Carbon*ratio(t.CarbonG, norm.CarbonG)
}

// PerInvocation returns an outcome's mean cost and carbon per finished
// invocation (n = max(Completed + Failed, 1)), its mean latency over
// completed invocations (0 if none) and the share of finished invocations
// that violated their objective (0 if none finished).
func PerInvocation(out Outcome) (t Terms, slaRate float64) {
	n := float64(max(out.Completed+out.Failed, 1))
	t = Terms{CostUSD: out.CostUSD / n, CarbonG: out.CarbonG / n}
	if out.Completed > 0 {
		t.Latency = out.LatencySum / Duration(out.Completed)
	}
	return t, float64(out.SLAViolations) / n
}

// Value returns the objective of an outcome (see Objective): lower is
// better.
func (o Objective) Value(out Outcome) float64 {
	t, sla := PerInvocation(out)
	return o.Score(t, o.Reference) + o.Weights.SLA*sla
}

// Reward returns -Value(out): what a learner maximises.
func (o Objective) Reward(out Outcome) float64 { return -o.Value(out) }

// String states the objective's definition with its weights and references,
// as the results tables print it.
func (o Objective) String() string {
	w, r := o.Weights, o.Reference
	return fmt.Sprintf("%g·(cost/inv)/$%.3g + %g·(mean latency)/%v + %g·(carbon/inv)/%.4gg + %g·(SLA violations/finished); lower is better",
		w.Cost, r.CostUSD, w.Performance, r.Latency, w.Carbon, r.CarbonG, w.SLA)
}
