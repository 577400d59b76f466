package models

import "math"

// Adam is the Adam optimiser (Kingma and Ba 2015) in PyTorch's form
// (epsilon added to the bias-corrected root of the second moment), over
// parameter slices updated in place. Its learning rate may be changed
// between steps (reduce on plateau) without losing the moments, which
// gorgonia's solver keeps private.
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	t                     int
	m, v                  [][]float64
}

// Adam's defaults, as PyTorch and Keras.
const (
	AdamBeta1 = 0.9
	AdamBeta2 = 0.999
	AdamEps   = 1e-8
)

// NewAdam returns an optimiser for parameters of the given sizes.
func NewAdam(lr float64, sizes []int) *Adam {
	a := &Adam{LR: lr, Beta1: AdamBeta1, Beta2: AdamBeta2, Eps: AdamEps}
	for _, n := range sizes {
		a.m = append(a.m, make([]float64, n))
		a.v = append(a.v, make([]float64, n))
	}
	return a
}

// Step updates params[i] from grads[i].
func (a *Adam) Step(params, grads [][]float64) {
	a.t++
	c1 := 1 - math.Pow(a.Beta1, float64(a.t))
	c2 := 1 - math.Pow(a.Beta2, float64(a.t))
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		for j := range p {
			m[j] = a.Beta1*m[j] + (1-a.Beta1)*g[j]
			v[j] = a.Beta2*v[j] + (1-a.Beta2)*g[j]*g[j]
			p[j] -= a.LR * (m[j] / c1) / (math.Sqrt(v[j]/c2) + a.Eps)
		}
	}
}

// ClipGlobalNorm scales every gradient by maxNorm/‖g‖ when the global L2
// norm ‖g‖ over all of them exceeds maxNorm (Pascanu et al. 2013; PyTorch's
// clip_grad_norm_, Keras's clipnorm applied globally). It returns the norm
// before clipping.
func ClipGlobalNorm(grads [][]float64, maxNorm float64) float64 {
	var s float64
	for _, g := range grads {
		for _, x := range g {
			s += x * x
		}
	}
	norm := math.Sqrt(s)
	if maxNorm > 0 && norm > maxNorm {
		k := maxNorm / (norm + 1e-12)
		for _, g := range grads {
			for j := range g {
				g[j] *= k
			}
		}
	}
	return norm
}
