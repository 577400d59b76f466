package lstm

import "math/rand/v2"

// dropoutMask fills m with inverted-dropout factors drawn from r: 0 with
// probability p, else 1/(1-p), so the expected activation is unchanged and
// inference needs no rescaling (gorgonia's Dropout scales by 1/p and seeds
// itself from the clock, GORGONIA.md pitfall 2).
func dropoutMask(r *rand.Rand, m []float64, p float64) {
	keep := 1 / (1 - p)
	for i := range m {
		if r.Float64() < p {
			m[i] = 0
		} else {
			m[i] = keep
		}
	}
}
