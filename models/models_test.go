package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// An orthogonal matrix has orthonormal rows (or columns, the smaller side).
func TestOrthogonal(t *testing.T) {
	for _, s := range [][2]int{{8, 8}, {5, 3}, {3, 5}} {
		n, m := s[0], s[1]
		w := make([]float64, n*m)
		Orthogonal(rand.New(rand.NewPCG(1, 2)), w, n, m)
		// Gram matrix over the smaller side must be the identity.
		k := min(n, m)
		for a := range k {
			for b := range k {
				var dot float64
				for i := range max(n, m) {
					if n >= m {
						dot += w[i*m+a] * w[i*m+b]
					} else {
						dot += w[a*m+i] * w[b*m+i]
					}
				}
				want := 0.0
				if a == b {
					want = 1
				}
				if math.Abs(dot-want) > 1e-12 {
					t.Fatalf("%dx%d: Gram[%d][%d] = %v", n, m, a, b, dot)
				}
			}
		}
	}
}

// Clipping by global norm rescales all gradients together.
func TestClipGlobalNorm(t *testing.T) {
	g := [][]float64{{3, 0}, {4}}
	if n := ClipGlobalNorm(g, 1); n != 5 {
		t.Fatalf("norm %v, want 5", n)
	}
	if math.Abs(g[0][0]-0.6) > 1e-9 || math.Abs(g[1][0]-0.8) > 1e-9 {
		t.Fatalf("clipped to %v", g)
	}
	small := [][]float64{{0.1}}
	ClipGlobalNorm(small, 1)
	if small[0][0] != 0.1 {
		t.Fatal("a gradient under the norm changed")
	}
}

// Adam's first step moves each parameter by lr against its gradient's sign.
func TestAdamFirstStep(t *testing.T) {
	p := [][]float64{{1, 1}}
	a := NewAdam(0.1, []int{2})
	a.Step(p, [][]float64{{2, -0.5}})
	if math.Abs(p[0][0]-0.9) > 1e-6 || math.Abs(p[0][1]-1.1) > 1e-6 {
		t.Fatalf("after one step %v", p)
	}
}

// Reduce on plateau halves the rate after patience epochs without a best;
// early stopping follows.
func TestSchedule(t *testing.T) {
	s := Schedule{Factor: 0.5, Patience: 2, StopPatience: 3}
	lr := 1.0
	var stop, best bool
	for i, v := range []float64{3, 2, 2.5, 2.5, 2.5} {
		lr, best, stop = s.Observe(v, lr)
		switch i {
		case 1:
			if !best {
				t.Fatal("2 is the best")
			}
		case 3:
			if lr != 0.5 {
				t.Fatalf("lr %v after 2 epochs without a best", lr)
			}
		}
	}
	if !stop {
		t.Fatal("no stop after 3 epochs without a best")
	}
}

// A header whose tensor shape overflows (or is negative) is refused, not
// allocated: the checksum is right, the file is crafted.
func TestCheckpointShapeOverflow(t *testing.T) {
	for _, shape := range []string{"[2305843009213693952]", "[4294967296, 4294967296]", "[-1]", "[3, -2]"} {
		header := `{"kind":"x","config":{},"tensors":[{"name":"w","shape":` + shape + `}]}`
		var b bytes.Buffer
		b.WriteString(CheckpointMagic)
		binary.Write(&b, binary.LittleEndian, uint32(CheckpointVersion))
		binary.Write(&b, binary.LittleEndian, uint32(len(header)))
		b.WriteString(header)
		b.Write(make([]byte, 16)) // two float64s
		sum := sha256.Sum256(b.Bytes())
		b.Write(sum[:])
		if _, err := ReadCheckpoint(&b, "x"); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("shape %s: %v", shape, err)
		}
	}
}
