package kern

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func randSlice(r *rand.Rand, n int, scale float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = scale * r.NormFloat64()
	}
	return s
}

// withGo runs f with the plain-Go kernels.
func withGo(f func()) { with(false, false, f) }

// with runs f with the kernels chosen (as far as the processor has them).
func with(asm, avx512 bool, f func()) {
	oldAsm, old512 := useAsm, use512
	useAsm, use512 = asm && oldAsm, avx512 && old512
	defer func() { useAsm, use512 = oldAsm, old512 }()
	f()
}

// gemmShapes are the products the tests try: odd sizes around the
// kernels' 6×8 tiles and the LSTM's own.
func gemmShapes() [][3]int {
	var s [][3]int
	for _, m := range []int{1, 2, 5, 6, 7, 12, 13, 64, 370} {
		for _, n := range []int{1, 3, 7, 8, 9, 16, 17, 64, 128} {
			for _, k := range []int{1, 2, 5, 16, 32, 33} {
				s = append(s, [3]int{m, n, k})
			}
		}
	}
	return s
}

// Gemm equals a naive product summed in extended care (compensated), on
// both paths, for every shape and with row strides wider than the rows.
func TestGemmCorrect(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sh := range gemmShapes() {
		m, n, k := sh[0], sh[1], sh[2]
		lda, ldb, ldc := k+1, n+3, n+2
		a, b := randSlice(r, m*lda, 1), randSlice(r, k*ldb, 1)
		c0 := randSlice(r, m*ldc, 1)
		for _, path := range []int{512, 2, 0} {
			asm := path > 0
			c := append([]float64(nil), c0...)
			with(asm, path == 512, func() { Gemm(m, n, k, a, lda, b, ldb, c, ldc) })
			for i := range m {
				for j := range ldc {
					got := c[i*ldc+j]
					if j >= n {
						if got != c0[i*ldc+j] {
							t.Fatalf("%v path %d: C[%d,%d] beyond the row written", sh, path, i, j)
						}
						continue
					}
					want, comp := c0[i*ldc+j], 0.0 // Kahan
					for p := range k {
						y := a[i*lda+p]*b[p*ldb+j] - comp
						s := want + y
						comp = (s - want) - y
						want = s
					}
					if d := math.Abs(got - want); d > 1e-13*(1+math.Abs(want)) {
						t.Fatalf("%v path %d: C[%d,%d] = %v, want %v", sh, path, i, j, got, want)
					}
				}
			}
		}
	}
}

// The assembly (AVX2, and AVX-512 where the processor has it) and the
// plain-Go kernels agree bit for bit: products of every shape, and the cell
// on inputs from 0 to beyond the exponential's clamp and infinities (a NaN
// gives a NaN on both).
func TestAsmMatchesGo(t *testing.T) {
	if !Accelerated() {
		t.Skip("this processor lacks AVX2 or FMA: only the plain-Go kernels run here")
	}
	if !use512 {
		t.Log("no AVX-512 here: the AVX2 kernels only")
	}
	for _, avx512 := range []bool{true, false} {
		with(true, avx512, func() { asmMatchesGo(t) })
	}
}

func asmMatchesGo(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, sh := range gemmShapes() {
		m, n, k := sh[0], sh[1], sh[2]
		a, b, c0 := randSlice(r, m*k, 3), randSlice(r, k*n, 3), randSlice(r, m*n, 3)
		c1, c2 := append([]float64(nil), c0...), append([]float64(nil), c0...)
		Gemm(m, n, k, a, k, b, n, c1, n)
		withGo(func() { Gemm(m, n, k, a, k, b, n, c2, n) })
		for i := range c1 {
			if math.Float64bits(c1[i]) != math.Float64bits(c2[i]) {
				t.Fatalf("%v: element %d: asm %v, Go %v", sh, i, c1[i], c2[i])
			}
		}
	}
	special := []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, 19, -19, 30, -30, 354, -354, 708, -708, 709, -709, 800, -800, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, u := range []int{1, 3, 4, 5, 8, 16, 17, 32, 64, 128} {
		for _, scale := range []float64{0.01, 1, 5, 50, 500} {
			for _, first := range []bool{true, false} {
				g := randSlice(r, 4*u, scale)
				c0 := randSlice(r, u, scale)
				if scale == 500 {
					for i := range g {
						g[i] = special[r.IntN(len(special))]
					}
					for i := range c0 {
						c0[i] = special[r.IntN(len(special))]
					}
				}
				c1, c2 := append([]float64(nil), c0...), append([]float64(nil), c0...)
				h1, h2 := make([]float64, u), make([]float64, u)
				Cell(u, g, c1, h1, first)
				withGo(func() { Cell(u, g, c2, h2, first) })
				for j := range u {
					if !same(c1[j], c2[j]) || !same(h1[j], h2[j]) {
						t.Fatalf("u=%d scale=%v first=%v unit %d: asm c=%v h=%v, Go c=%v h=%v (inputs %v)", u, scale, first, j, c1[j], h1[j], c2[j], h2[j], []float64{g[j], g[u+j], g[2*u+j], g[3*u+j], c0[j]})
					}
				}
			}
		}
	}
}

// same is bitwise equality, any NaN equal to any NaN.
func same(x, y float64) bool {
	return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
}

// Exp is within 3 units in the last place of math.Exp over its range
// (2 measured).
func TestExpAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	worst := 0.0
	for i := range 2_000_000 {
		y := (r.Float64()*2 - 1) * 708
		if i%2 == 0 {
			y = r.NormFloat64() * 3
		}
		got, want := Exp(y), math.Exp(y)
		ulp := math.Abs(math.Nextafter(want, math.Inf(1)) - want)
		if e := math.Abs(got-want) / ulp; e > worst {
			worst = e
		}
	}
	t.Logf("worst error: %.2f ulp", worst)
	if worst > 3 {
		t.Fatalf("Exp off by %.2f ulp", worst)
	}
	if Exp(0) != 1 || Exp(1000) != Exp(708) || Exp(-1000) != Exp(-708) || !math.IsNaN(Exp(math.NaN())) {
		t.Fatal("Exp at 0, beyond the clamp or at NaN")
	}
}

// The cell equals the LSTM's equations written with the standard
// library's functions.
func TestCellEquations(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for _, u := range []int{1, 4, 7, 32} {
		for _, first := range []bool{true, false} {
			for _, path := range []int{512, 2, 0} {
				g, c0 := randSlice(r, 4*u, 4), randSlice(r, u, 2)
				c, h := append([]float64(nil), c0...), make([]float64, u)
				with(path > 0, path == 512, func() { Cell(u, g, c, h, first) })
				for j := range u {
					wc := sig(g[j]) * math.Tanh(g[2*u+j])
					if !first {
						wc += sig(g[u+j]) * c0[j]
					}
					wh := sig(g[3*u+j]) * math.Tanh(wc)
					if math.Abs(c[j]-wc) > 1e-14 || math.Abs(h[j]-wh) > 1e-14 {
						t.Fatalf("u=%d first=%v path %d unit %d: c=%v h=%v, want %v %v", u, first, path, j, c[j], h[j], wc, wh)
					}
				}
			}
		}
	}
}

func TestBadShapesPanic(t *testing.T) {
	for name, f := range map[string]func(){
		"short a": func() { Gemm(2, 2, 2, make([]float64, 3), 2, make([]float64, 4), 2, make([]float64, 4), 2) },
		"short c": func() { Gemm(2, 2, 2, make([]float64, 4), 2, make([]float64, 4), 2, make([]float64, 3), 2) },
		"stride":  func() { Gemm(2, 2, 2, make([]float64, 4), 1, make([]float64, 4), 2, make([]float64, 4), 2) },
		"cell":    func() { Cell(2, make([]float64, 7), make([]float64, 2), make([]float64, 2), false) },
		"BLAS stride below the transposed rows": func() {
			BLAS{}.Dgemm(blas.Trans, blas.NoTrans, 3, 2, 2, 1, make([]float64, 6), 2, make([]float64, 4), 2, 0, make([]float64, 6), 2)
		},
		"overflowing stride": func() {
			Gemm(6, 8, 1, make([]float64, 64), 1<<61+1, make([]float64, 8), 8, make([]float64, 48), 8)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// benchPaths runs f as a sub-benchmark on each path the processor has:
// AVX-512, AVX2, plain Go.
func benchPaths(b *testing.B, f func(b *testing.B)) {
	for _, path := range []string{"avx512", "avx2", "go"} {
		b.Run(path, func(b *testing.B) {
			if path == "avx512" && !use512 || path == "avx2" && !useAsm {
				b.Skip("not on this processor")
			}
			with(path != "go", path == "avx512", func() { f(b) })
		})
	}
}

// The LSTM's largest product per step: 370 pools (a busy tick of the
// sample's replay) × 32 units into 128 gates.
func BenchmarkGemm370x32x128(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	x, w, c := randSlice(r, 370*32, 1), randSlice(r, 32*128, 1), make([]float64, 370*128)
	benchPaths(b, func(b *testing.B) {
		for b.Loop() {
			Gemm(370, 128, 32, x, 32, w, 128, c, 128)
		}
		b.ReportMetric(2*370*32*128*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOPS")
	})
}

// One cell of 32 units.
func BenchmarkCell32(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	g, c, h := randSlice(r, 128, 2), randSlice(r, 32, 1), make([]float64, 32)
	benchPaths(b, func(b *testing.B) {
		for b.Loop() {
			Cell(32, g, c, h, false)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/32, "ns/unit")
	})
}

// BLAS's Dgemm equals gonum's for every transposition, alpha and beta
// (beta 0 ignores a NaN in C), within 1e-13.
func TestBLASDgemm(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	ref := gonum.Implementation{}
	for _, sh := range [][3]int{{1, 1, 1}, {3, 9, 5}, {13, 17, 33}, {64, 128, 32}, {5, 8, 0}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans} {
			for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans} {
				for _, ab := range [][2]float64{{1, 0}, {1, 1}, {1, 0.5}, {2, 1}} {
					ar, ac := m, k
					if tA == blas.Trans {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB == blas.Trans {
						br, bc = n, k
					}
					lda, ldb, ldc := max(ac, 1)+1, max(bc, 1)+2, n+3
					a, b := randSlice(r, max(ar, 1)*lda, 1), randSlice(r, max(br, 1)*ldb, 1)
					c0 := randSlice(r, m*ldc, 1)
					if ab[1] == 0 {
						c0[0] = math.NaN()
					}
					got, want := append([]float64(nil), c0...), append([]float64(nil), c0...)
					BLAS{}.Dgemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], got, ldc)
					ref.Dgemm(tA, tB, m, n, k, ab[0], a, lda, b, ldb, ab[1], want, ldc)
					for i := range got {
						if !(math.Abs(got[i]-want[i]) <= 1e-13*(1+math.Abs(want[i]))) && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
							t.Fatalf("%v tA=%v tB=%v alpha,beta=%v: element %d: %v, gonum %v", sh, tA, tB, ab, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
