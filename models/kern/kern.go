// Package kern holds the numeric kernels of the models: a dense matrix
// product C += A·B and the LSTM cell's gate nonlinearities, for the LSTM's
// inference, and the product as a BLAS for its gorgonia training graph
// (BLAS). On amd64 with AVX2 and FMA they run in assembly (kern_amd64.s);
// elsewhere, or when the processor lacks those instructions, in plain Go.
//
// The two paths give bit-identical results (a NaN gives a NaN on both, its
// sign and payload not guaranteed where two NaNs meet), so a simulation's
// output does not depend on the machine that ran it: every element of a
// product is one chain of fused multiply-adds in the order of k, starting
// from C's value, in both paths (math.FMA is exact wherever it runs), and
// the exponential is the same sequence of IEEE operations (Cody-Waite
// reduction, a degree 13 Taylor polynomial evaluated by Horner with fused
// multiply-adds, scaling by 2^k). TestAsmMatchesGo checks it bit for bit.
//
// The kernels are single-threaded: no goroutines (gonum's Dgemm, which
// they replace, spreads large products over goroutines).
package kern

import "math"

// Gemm computes C += A·B for row-major A (m×k, row stride lda), B (k×n,
// row stride ldb) and C (m×n, row stride ldc). It panics if a slice is too
// short for its shape.
func Gemm(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if m < 0 || n < 0 || k < 0 || !fits(m, k, lda, len(a)) || !fits(k, n, ldb, len(b)) || !fits(m, n, ldc, len(c)) {
		panic("kern: Gemm: bad shape")
	}
	gemm(m, n, k, a, lda, b, ldb, c, ldc)
}

// fits reports whether a slice of length l holds a rows×cols matrix of row
// stride ld >= cols, without overflow: (rows−1)·ld + cols <= l.
func fits(rows, cols, ld, l int) bool {
	return ld >= cols && l >= cols && (rows == 1 || ld <= (l-cols)/(rows-1))
}

// gemmGo is Gemm in plain Go: for every element of C, one chain of fused
// multiply-adds over k in order (row by row, so that B is read along its
// rows).
func gemmGo(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := range m {
		cr := c[i*ldc : i*ldc+n]
		ar := a[i*lda : i*lda+k]
		for p, aik := range ar {
			br := b[p*ldb : p*ldb+n]
			for j := range cr {
				cr[j] = math.FMA(aik, br[j], cr[j])
			}
		}
	}
}

// Constants of Exp: the Cody-Waite split of ln 2 (math/exp.go's) and the
// clamp that keeps 2^k a normal number.
const (
	expLim = 708.0
	log2e  = 1.44269504088896338700e+00
	ln2Hi  = 6.93147180369123816490e-01
	ln2Lo  = 1.90821492927058770002e-10
)

// expCoef are the Taylor coefficients 1/i! of e^r for i = 13 down to 2 (the
// terms of degree 1 and 0 are 1): for |r| <= ln2/2 the truncation error is
// under 5e-18.
var expCoef = [...]float64{
	1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040,
	1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2,
}

// Exp returns e^y for y clamped to [-708, 708], within 3 units in the
// last place of math.Exp there (TestExpAccuracy); NaN gives NaN.
func Exp(y float64) float64 {
	if y < -expLim {
		y = -expLim
	}
	if y > expLim {
		y = expLim
	}
	k := math.RoundToEven(y * log2e)
	r := math.FMA(k, -ln2Hi, y)
	r = math.FMA(k, -ln2Lo, r)
	p := expCoef[0]
	for _, c := range expCoef[1:] {
		p = math.FMA(p, r, c)
	}
	p = math.FMA(p, r, 1)
	p = math.FMA(p, r, 1)
	// float64(...) keeps the product from being fused with a caller's
	// addition on architectures that fuse (the assembly does not).
	return float64(p * math.Float64frombits(uint64(int64(k)+1023)<<52))
}

// Sigmoid returns 1/(1+e^-x).
func Sigmoid(x float64) float64 { return 1 / (1 + Exp(-x)) }

// Tanh returns 2/(1+e^-2x) − 1: one exponential; within 1e-15 of math.Tanh
// away from 0 and of the same absolute error near it; ±1 beyond |x| ≈ 19.
func Tanh(x float64) float64 { return 2/(1+Exp(-2*x)) - 1 }

// gateLim clamps the gates' exponentials: σ(x) is 1 − 4e-18 and tanh(x/2)
// 1 − 8e-18 at 40, both 1 in float64; below −40, σ(x) is 4.2e-18 instead
// of less, an absolute error under 5e-18.
const gateLim = 40.0

// gateExp returns e^y for y clamped to ±40.
func gateExp(y float64) float64 {
	if y < -gateLim {
		y = -gateLim
	}
	if y > gateLim {
		y = gateLim
	}
	return Exp(y)
}

// Cell applies an LSTM cell to one example of u units: g holds the
// pre-activations of the input, forget, candidate and output gates side by
// side (4u), c the cell state (u, updated), h receives the hidden state
// (u):
//
//	c = σ(f)·c + σ(i)·tanh(g)   (first: c = σ(i)·tanh(g))
//	h = σ(o)·tanh(c)
//
// With σ(x) = 1/(1+e^−x) and tanh(x) = (1−e^−2x)/(1+e^−2x), each over one
// denominator, two divisions per unit instead of five (the divisions
// bounded the cell's speed):
//
//	c = (c·(1+ei)(1+eg) + (1−eg)(1+ef)) / ((1+ef)(1+ei)(1+eg))
//	h = (1−ec) / ((1+eo)(1+ec))
//
// where ei = e^−i, ef = e^−f, eg = e^−2g, eo = e^−o, ec = e^−2c, each
// argument clamped to ±40 (gateLim) so that no product overflows.
// TestCellEquations checks it against the standard library's functions
// to 1e-14.
func Cell(u int, g, c, h []float64, first bool) {
	if len(g) < 4*u || len(c) < u || len(h) < u {
		panic("kern: Cell: bad shape")
	}
	cell(u, g, c, h, first)
}

// cellGo is Cell in plain Go, from unit j0 on; float64(...) keeps products
// from being fused into additions where the assembly does not fuse.
func cellGo(u, j0 int, g, c, h []float64, first bool) {
	gi, gf, gg, gO := g[:u], g[u:2*u], g[2*u:3*u], g[3*u:4*u]
	for j := j0; j < u; j++ {
		ei, eg := gateExp(-gi[j]), gateExp(-2*gg[j])
		pi := float64((1 + ei) * (1 + eg))
		ng := 1 - eg
		var cj float64
		if first {
			cj = ng / pi
		} else {
			pf := 1 + gateExp(-gf[j])
			cj = math.FMA(c[j], pi, float64(ng*pf)) / float64(pf*pi)
		}
		c[j] = cj
		ec := gateExp(-2 * cj)
		h[j] = (1 - ec) / float64((1+gateExp(-gO[j]))*(1+ec))
	}
}
