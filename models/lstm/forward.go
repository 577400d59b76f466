package lstm

import (
	"math"

	"github.com/skyfaas/skyfaas/models/kern"
)

// Forward is a preallocated inference pass of the network in plain Go
// (models/kern's products and cell: AVX2 assembly where the processor has
// it, bit-identical plain Go elsewhere), without dropout: the policy's and the
// evaluation's. TestForwardMatchesGorgonia checks it against the gorgonia
// graph to 1e-6. It copies the weights when built, the four gates of each
// layer side by side (one product per step instead of four: the fused
// layout is safe here, GORGONIA.md's slicing pitfall is gorgonia's). It
// holds buffers for up to its capacity of examples; it is not safe for
// concurrent use.
type Forward struct {
	cfg  Config
	p    *Params
	lay  layout
	capB int
	// Per layer: input and recurrent weights of the four gates side by
	// side (in×4u, u×4u) and their biases (4u).
	w, u, b [][]float64
	// Per layer: the hidden sequence (T × B×units) and the cell state.
	hs    [][][]float64
	c     [][]float64
	gates []float64 // B × 4·units
	dense []float64
}

// NewForward returns a pass over p's current weights for batches of up to
// capB examples.
func NewForward(cfg Config, p *Params, capB int) *Forward {
	_, lay := newParams(cfg)
	f := &Forward{cfg: cfg, p: p, lay: lay}
	in := NumFeatures
	for l, u := range cfg.Units {
		g := lay.lstm[l]
		w, uu, b := make([]float64, in*4*u), make([]float64, u*4*u), make([]float64, 4*u)
		for k := range numGates {
			W, U, B := p.Data[g[k]], p.Data[g[k]+1], p.Data[g[k]+2]
			for r := range in {
				copy(w[r*4*u+k*u:r*4*u+(k+1)*u], W[r*u:(r+1)*u])
			}
			for r := range u {
				copy(uu[r*4*u+k*u:r*4*u+(k+1)*u], U[r*u:(r+1)*u])
			}
			copy(b[k*u:(k+1)*u], B)
		}
		f.w, f.u, f.b = append(f.w, w), append(f.u, uu), append(f.b, b)
		in = u
	}
	f.grow(capB)
	return f
}

func (f *Forward) grow(b int) {
	if b <= f.capB {
		return
	}
	f.capB = b
	f.hs, f.c = nil, nil
	maxU := 0
	for _, u := range f.cfg.Units {
		seq := make([][]float64, f.cfg.Window)
		for t := range seq {
			seq[t] = make([]float64, b*u)
		}
		f.hs = append(f.hs, seq)
		f.c = append(f.c, make([]float64, b*u))
		maxU = max(maxU, u)
	}
	f.gates = make([]float64, b*4*maxU)
	f.dense = make([]float64, b*max(f.cfg.Dense, 1))
}

// gemm computes c = a·b + c for row-major a (m×k), b (k×n), c (m×n).
func gemm(m, n, k int, a, b, c []float64) { kern.Gemm(m, n, k, a, k, b, n, c, n) }

// Run computes the normalised predictions of b examples: x[t] holds step
// t's inputs, b×NumFeatures row-major; out receives b×NumTargets.
func (f *Forward) Run(x [][]float64, b int, out []float64) {
	f.grow(b)
	T := f.cfg.Window
	in, inW := x, NumFeatures
	for l, u := range f.cfg.Units {
		c := f.c[l][:b*u]
		u4 := 4 * u
		G := f.gates[:b*u4]
		for t := range T {
			h := f.hs[l][t][:b*u]
			for r := range b {
				copy(G[r*u4:(r+1)*u4], f.b[l])
			}
			gemm(b, u4, inW, in[t][:b*inW], f.w[l], G)
			if t > 0 {
				gemm(b, u4, u, f.hs[l][t-1][:b*u], f.u[l], G)
			}
			for r := range b {
				kern.Cell(u, G[r*u4:(r+1)*u4], c[r*u:(r+1)*u], h[r*u:(r+1)*u], t == 0)
			}
		}
		in, inW = f.hs[l], u
	}
	last := in[T-1][:b*inW]
	if f.lay.denseW >= 0 {
		d := f.cfg.Dense
		dense := f.dense[:b*d]
		for r := range b {
			copy(dense[r*d:(r+1)*d], f.p.Data[f.lay.denseB])
		}
		gemm(b, d, inW, last, f.p.Data[f.lay.denseW], dense)
		for j := range dense {
			dense[j] = math.Max(dense[j], 0)
		}
		last, inW = dense, d
	}
	out = out[:b*NumTargets]
	for r := range b {
		copy(out[r*NumTargets:(r+1)*NumTargets], f.p.Data[f.lay.outB])
	}
	gemm(b, NumTargets, inW, last, f.p.Data[f.lay.outW], out)
	if f.cfg.Residual {
		xl := x[T-1]
		for r := range b {
			for k := range NumTargets {
				out[r*NumTargets+k] += xl[r*NumFeatures+k]
			}
		}
	}
	if f.cfg.Output == OutputReLU {
		for j := range out {
			out[j] = math.Max(out[j], 0)
		}
	}
}

// AsymmetricLoss is the mean over every element of w·(pred-y)², w the
// under-prediction weight where pred < y, else the over-prediction weight.
func AsymmetricLoss(pred, y []float64, under, over float64) float64 {
	var s float64
	for i := range pred {
		e := pred[i] - y[i]
		if e < 0 {
			s += under * e * e
		} else {
			s += over * e * e
		}
	}
	return s / float64(len(pred))
}
