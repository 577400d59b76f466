package dist

// UpperStep is the distribution that takes only the published percentile
// values: P[i] (increasing, in [0,1]) maps to V[i] (non-decreasing), and a
// uniform p in the bucket (P[i-1], P[i]] draws V[i], the value at the
// bucket's upper percentile, so each value carries the probability mass of
// the bucket below it. A p on a boundary P[i] belongs to the lower bucket
// (it draws V[i]); p <= P[0] draws V[0] and p above the last point the
// last value.
//
// This is how DSLab FaaS draws Azure 2019 durations (gen_sample in
// github.com/osukhoroslov/dslab, crates/dslab-faas/src/extra/azure_trace_2019.rs),
// except that DSLab puts a boundary in the upper bucket, [P[i-1], P[i]):
// the two differ only where p falls exactly on a published point, which a
// uniform draw does with probability zero.
type UpperStep struct {
	P, V []float64
}

// NewUpperStep checks and returns the distribution; the table must satisfy
// the same conditions as NewPiecewiseLinear's.
func NewUpperStep(p, v []float64) (UpperStep, error) {
	if _, err := NewPiecewiseLinear(p, v); err != nil {
		return UpperStep{}, err
	}
	return UpperStep{P: p, V: v}, nil
}

func (d UpperStep) Quantile(p float64) float64 {
	for i, pi := range d.P {
		if p <= pi {
			return d.V[i]
		}
	}
	return d.V[len(d.V)-1]
}

// Mean is P[0]·V[0] + Σ (P[i]-P[i-1])·V[i] + (1-P[n-1])·V[n-1].
func (d UpperStep) Mean() float64 {
	n := len(d.P)
	m := d.P[0] * d.V[0]
	for i := 1; i < n; i++ {
		m += (d.P[i] - d.P[i-1]) * d.V[i]
	}
	return m + (1-d.P[n-1])*d.V[n-1]
}
