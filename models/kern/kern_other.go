//go:build !amd64

package kern

// useAsm and use512 are false here: no assembly on this architecture (the
// tests switch them as on amd64).
var useAsm, use512 = false, false

func gemm(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	gemmGo(m, n, k, a, lda, b, ldb, c, ldc)
}

func cell(u int, g, c, h []float64, first bool) { cellGo(u, 0, g, c, h, first) }

// Accelerated reports whether the assembly kernels run.
func Accelerated() bool { return false }
