package models

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// XavierUniform fills w, a fanIn×fanOut matrix, from U(-a, a) with
// a = sqrt(6/(fanIn+fanOut)) (Glorot and Bengio 2010; Keras's
// glorot_uniform), drawn from r.
func XavierUniform(r *rand.Rand, w []float64, fanIn, fanOut int) {
	a := math.Sqrt(6 / float64(fanIn+fanOut))
	for i := range w {
		w[i] = (2*r.Float64() - 1) * a
	}
}

// Orthogonal fills w, an n×m matrix, with a (semi-)orthogonal matrix: the Q
// of the QR decomposition of a standard normal matrix drawn from r, its
// columns' signs fixed by R's diagonal so the distribution is uniform
// (Saxe et al. 2014; Keras's orthogonal initialiser, gain 1).
func Orthogonal(r *rand.Rand, w []float64, n, m int) {
	rows, cols := max(n, m), min(n, m)
	a := mat.NewDense(rows, cols, nil)
	for i := range rows {
		for j := range cols {
			a.Set(i, j, r.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	for i := range n {
		for j := range m {
			// w = Q (rows×cols) or its transpose when n < m.
			qi, qj := i, j
			if n < m {
				qi, qj = j, i
			}
			v := q.At(qi, qj)
			if rr.At(qj, qj) < 0 {
				v = -v
			}
			w[i*m+j] = v
		}
	}
}
