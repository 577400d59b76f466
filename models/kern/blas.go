package kern

import (
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// BLAS is gonum's pure-Go BLAS with its float64 matrix product replaced by
// Gemm, for gorgonia's tensor package (tensor.Use): the products of a
// training graph, forward and backward, run in the kernels above.
// Transposed operands are copied into row-major buffers first; a product
// scaled by alpha ≠ 1 stays gonum's. Single-threaded and deterministic.
type BLAS struct{ gonum.Implementation }

var packPool = sync.Pool{New: func() any { return new([]float64) }}

// Dgemm computes C = alpha·op(A)·op(B) + beta·C, row-major, as blas.Float64
// specifies.
func (BLAS) Dgemm(tA, tB blas.Transpose, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if alpha != 1 || m <= 0 || n <= 0 || k < 0 || !validGemm(tA, tB, m, n, k, a, lda, b, ldb, c, ldc) {
		// gonum's computes these, or panics with its message.
		gonum.Implementation{}.Dgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if beta != 1 {
		for i := range m {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row) // C is not read: a NaN in it does not survive
				continue
			}
			for j := range row {
				row[j] *= beta
			}
		}
	}
	if k == 0 {
		return
	}
	if tA != blas.NoTrans { // a is k×m
		buf := pack(m * k)
		defer packPool.Put(buf)
		transpose(k, m, a, lda, *buf)
		a, lda = *buf, k
	}
	if tB != blas.NoTrans { // b is n×k
		buf := pack(k * n)
		defer packPool.Put(buf)
		transpose(n, k, b, ldb, *buf)
		b, ldb = *buf, n
	}
	Gemm(m, n, k, a, lda, b, ldb, c, ldc)
}

// pack returns a pooled buffer of n elements.
func pack(n int) *[]float64 {
	buf := packPool.Get().(*[]float64)
	if cap(*buf) < n {
		*buf = make([]float64, n)
	}
	*buf = (*buf)[:n]
	return buf
}

// transpose writes the transpose of x (r×c, row stride ldx) into t (c×r,
// dense), in tiles of 8×8 so that both sides stay in cache.
func transpose(r, c int, x []float64, ldx int, t []float64) {
	const tile = 8
	for i0 := 0; i0 < r; i0 += tile {
		i1 := min(i0+tile, r)
		for j0 := 0; j0 < c; j0 += tile {
			j1 := min(j0+tile, c)
			for i := i0; i < i1; i++ {
				row := x[i*ldx+j0 : i*ldx+j1]
				for j, v := range row {
					t[(j0+j)*r+i] = v
				}
			}
		}
	}
}

// validGemm reports whether Dgemm's arguments are what blas.Float64
// allows, as gonum checks them: known transpositions, strides at least
// the stored rows' widths (and 1), slices long enough.
func validGemm(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) bool {
	known := func(t blas.Transpose) bool { return t == blas.NoTrans || t == blas.Trans || t == blas.ConjTrans }
	if !known(tA) || !known(tB) {
		return false
	}
	ar, ac := m, k // A as stored
	if tA != blas.NoTrans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB != blas.NoTrans {
		br, bc = n, k
	}
	if lda < max(1, ac) || ldb < max(1, bc) || ldc < max(1, n) || !fits(m, n, ldc, len(c)) {
		return false
	}
	return k == 0 || fits(ar, ac, lda, len(a)) && fits(br, bc, ldb, len(b))
}
