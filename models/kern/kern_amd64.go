package kern

import "golang.org/x/sys/cpu"

// useAsm selects the assembly kernels (AVX2 and FMA), use512 their AVX-512
// versions where the processor has it; tests turn them off to compare.
var (
	useAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	use512 = useAsm && cpu.X86.HasAVX512F
)

// Accelerated reports whether the assembly kernels run.
func Accelerated() bool { return useAsm }

// gemm6x8 computes C[6×8] += A[6×k]·B[k×8]; gemm1x8 one row of it. k > 0.
//
//go:noescape
func gemm6x8(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

// gemm6x16 is gemm6x8 on 16 columns, AVX-512.
//
//go:noescape
func gemm6x16(k int, a *float64, lda int, b *float64, ldb int, c *float64, ldc int)

//go:noescape
func gemm1x8(k int, a *float64, b *float64, ldb int, c *float64)

// cell4 applies the cell to units [0, n), n a multiple of 4, of a layer of
// u units (g's gates are u apart).
//
//go:noescape
func cell4(n, u int, gp, cp, hp *float64, first bool)

// cell8 is cell4 on 8 units at a time, AVX-512; n a multiple of 8.
//
//go:noescape
func cell8(n, u int, gp, cp, hp *float64, first bool)

func gemm(m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	if !useAsm || n < 8 {
		gemmGo(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	n8, n16 := n&^7, 0
	if use512 {
		n16 = n &^ 15
	}
	i := 0
	for ; i+6 <= m; i += 6 {
		for j := 0; j < n16; j += 16 {
			gemm6x16(k, &a[i*lda], lda, &b[j], ldb, &c[i*ldc+j], ldc)
		}
		for j := n16; j < n8; j += 8 {
			gemm6x8(k, &a[i*lda], lda, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	}
	for ; i < m; i++ {
		for j := 0; j < n8; j += 8 {
			gemm1x8(k, &a[i*lda], &b[j], ldb, &c[i*ldc+j])
		}
	}
	if n8 < n { // the last columns, in Go
		gemmGo(m, n-n8, k, a, lda, b[n8:], ldb, c[n8:], ldc)
	}
}

func cell(u int, g, c, h []float64, first bool) {
	if !useAsm {
		cellGo(u, 0, g, c, h, first)
		return
	}
	j := 0
	if n := u &^ 7; use512 && n > 0 {
		cell8(n, u, &g[0], &c[0], &h[0], first)
		j = n
	}
	if n := u &^ 3; n > j {
		cell4(n-j, u, &g[j], &c[j], &h[j], first)
		j = n
	}
	if j < u {
		cellGo(u, j, g, c, h, first)
	}
}
