package lstm

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Forward is a preallocated inference pass of the network in plain Go
// (gonum's BLAS for the products), without dropout: the policy's and the
// evaluation's. TestForwardMatchesGorgonia checks it against the gorgonia
// graph to 1e-6. It holds buffers for up to its capacity of examples; it is
// not safe for concurrent use.
type Forward struct {
	cfg  Config
	p    *Params
	lay  layout
	capB int
	// Per layer: the hidden sequence (T × B×units) and the cell state.
	hs    [][][]float64
	c     [][]float64
	gates [numGates][]float64
	dense []float64
}

// NewForward returns a pass over p for batches of up to capB examples.
func NewForward(cfg Config, p *Params, capB int) *Forward {
	_, lay := newParams(cfg)
	f := &Forward{cfg: cfg, p: p, lay: lay}
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
	for k := range f.gates {
		f.gates[k] = make([]float64, b*maxU)
	}
	f.dense = make([]float64, b*max(f.cfg.Dense, 1))
}

// gemm computes c = a·b + beta·c for row-major a (m×k), b (k×n), c (m×n).
func gemm(m, n, k int, a, b []float64, beta float64, c []float64) {
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas64.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas64.General{Rows: k, Cols: n, Stride: n, Data: b},
		beta,
		blas64.General{Rows: m, Cols: n, Stride: n, Data: c})
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Run computes the normalised predictions of b examples: x[t] holds step
// t's inputs, b×NumFeatures row-major; out receives b×NumTargets.
func (f *Forward) Run(x [][]float64, b int, out []float64) {
	f.grow(b)
	T := f.cfg.Window
	in, inW := x, NumFeatures
	for l, u := range f.cfg.Units {
		g := f.lay.lstm[l]
		c := f.c[l][:b*u]
		for t := range T {
			h := f.hs[l][t][:b*u]
			for k := range numGates {
				gk := f.gates[k][:b*u]
				W, U, bias := f.p.Data[g[k]], f.p.Data[g[k]+1], f.p.Data[g[k]+2]
				for r := range b {
					copy(gk[r*u:(r+1)*u], bias)
				}
				gemm(b, u, inW, in[t][:b*inW], W, 1, gk)
				if t > 0 {
					gemm(b, u, u, f.hs[l][t-1][:b*u], U, 1, gk)
				}
			}
			gi, gf, gg, gO := f.gates[gateI], f.gates[gateF], f.gates[gateG], f.gates[gateO]
			for j := range b * u {
				i, gc, o := sigmoid(gi[j]), math.Tanh(gg[j]), sigmoid(gO[j])
				if t == 0 {
					c[j] = i * gc
				} else {
					c[j] = sigmoid(gf[j])*c[j] + i*gc
				}
				h[j] = o * math.Tanh(c[j])
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
		gemm(b, d, inW, last, f.p.Data[f.lay.denseW], 1, dense)
		for j := range dense {
			dense[j] = math.Max(dense[j], 0)
		}
		last, inW = dense, d
	}
	out = out[:b*NumTargets]
	for r := range b {
		copy(out[r*NumTargets:(r+1)*NumTargets], f.p.Data[f.lay.outB])
	}
	gemm(b, NumTargets, inW, last, f.p.Data[f.lay.outW], 1, out)
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
