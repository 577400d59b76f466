package lstm

import (
	"fmt"
	"sync"

	"github.com/skyfaas/skyfaas/models/kern"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graph is the training graph, built once for a fixed batch size
// (GORGONIA.md pitfall 7): inputs, targets and dropout masks are nodes whose
// tensors are backed by the graph's own slices, refilled in place each
// batch; the parameters' tensors are backed by Params.Data, which the
// optimiser updates in place.
type graph struct {
	cfg    Config
	batch  int
	g      *G.ExprGraph
	vm     G.VM
	params []*G.Node
	x      [][]float64 // per step, batch×NumFeatures
	y      []float64   // batch×NumTargets
	last   []float64   // batch×NumTargets: the last step's normalised targets (Residual)
	masks  [][]float64 // dropout masks, pre-scaled by 1/(1-p)
	loss   G.Value
	pred   G.Value
	grads  [][]float64
	blas   bool // holds acquireBLAS
}

func backed(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	if len(shape) == 1 {
		return G.NewVector(g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	}
	return G.NewMatrix(g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

// newGraph builds the graph of cfg over p for batches of b examples.
func newGraph(cfg Config, p *Params, b int) (gr *graph, err error) {
	defer func() {
		// gorgonia's constructors panic through Must; report instead.
		if r := recover(); r != nil {
			gr, err = nil, fmt.Errorf("lstm: building the training graph: %v", r)
		}
	}()
	_, lay := newParams(cfg)
	g := G.NewGraph()
	gr = &graph{cfg: cfg, batch: b, g: g}
	for i, name := range p.Names {
		shape := p.Shapes[i]
		if len(shape) == 1 { // biases as 1×n rows, broadcast over the batch
			shape = []int{1, shape[0]}
		}
		gr.params = append(gr.params, backed(g, name, p.Data[i], shape...))
	}
	T := cfg.Window
	in := make([]*G.Node, T)
	for t := range T {
		gr.x = append(gr.x, make([]float64, b*NumFeatures))
		in[t] = backed(g, fmt.Sprintf("x%d", t), gr.x[t], b, NumFeatures)
	}
	gr.y = make([]float64, b*NumTargets)
	y := backed(g, "y", gr.y, b, NumTargets)
	mask := func(name string, n int) *G.Node {
		gr.masks = append(gr.masks, make([]float64, b*n))
		return backed(g, name, gr.masks[len(gr.masks)-1], b, n)
	}
	M := G.Must
	for l, u := range cfg.Units {
		gi := lay.lstm[l]
		last := l == len(cfg.Units)-1
		var h, c *G.Node
		out := make([]*G.Node, T)
		for t := range T {
			gate := func(k int) *G.Node {
				s := M(G.Mul(in[t], gr.params[gi[k]]))
				if t > 0 {
					s = M(G.Add(s, M(G.Mul(h, gr.params[gi[k]+1]))))
				}
				return M(G.BroadcastAdd(s, gr.params[gi[k]+2], nil, []byte{0}))
			}
			i, gc, o := M(G.Sigmoid(gate(gateI))), M(G.Tanh(gate(gateG))), M(G.Sigmoid(gate(gateO)))
			if t == 0 {
				c = M(G.HadamardProd(i, gc))
			} else {
				f := M(G.Sigmoid(gate(gateF)))
				c = M(G.Add(M(G.HadamardProd(f, c)), M(G.HadamardProd(i, gc))))
			}
			h = M(G.HadamardProd(o, M(G.Tanh(c))))
			out[t] = h
			if cfg.Dropout > 0 && (!last || t == T-1) {
				out[t] = M(G.HadamardProd(h, mask(fmt.Sprintf("mask%d.%d", l, t), u)))
			}
		}
		in = out
	}
	z := in[T-1]
	if lay.denseW >= 0 {
		z = M(G.Rectify(M(G.BroadcastAdd(M(G.Mul(z, gr.params[lay.denseW])), gr.params[lay.denseB], nil, []byte{0}))))
	}
	pred := M(G.BroadcastAdd(M(G.Mul(z, gr.params[lay.outW])), gr.params[lay.outB], nil, []byte{0}))
	if cfg.Residual {
		gr.last = make([]float64, b*NumTargets)
		pred = M(G.Add(pred, backed(g, "last", gr.last, b, NumTargets)))
	}
	if cfg.Output == OutputReLU {
		// relu(x) = (x + |x|)/2: gorgonia's Rectify here gave the output
		// bias a wrong gradient (TestGradientsFiniteDifferences).
		pred = M(G.Mul(G.NewConstant(0.5), M(G.Add(pred, M(G.Abs(pred))))))
	}
	// Asymmetric MSE: under·mean(relu(y-pred)²) + over·mean(relu(pred-y)²),
	// the mean over every element of w·(pred-y)² with w by the sign.
	d := M(G.Sub(pred, y))
	under := M(G.Mean(M(G.Square(M(G.Rectify(M(G.Neg(d))))))))
	over := M(G.Mean(M(G.Square(M(G.Rectify(d))))))
	loss := M(G.Add(M(G.Mul(G.NewConstant(cfg.UnderWeight), under)), M(G.Mul(G.NewConstant(cfg.OverWeight), over))))
	G.Read(loss, &gr.loss)
	G.Read(pred, &gr.pred)
	if _, err := G.Grad(loss, gr.params...); err != nil {
		return nil, fmt.Errorf("lstm: gradient: %w", err)
	}
	gr.vm = G.NewTapeMachine(g, G.BindDualValues(gr.params...))
	acquireBLAS()
	gr.blas = true
	return gr, nil
}

// run computes the loss and the gradients of the batch now in x, y and the
// masks. The gradients stay in the graph's dual values (gr.grads) until
// zeroGrads: gorgonia accumulates them across runs (pitfall 4).
func (gr *graph) run() (float64, error) {
	defer gr.vm.Reset()
	if gr.last != nil {
		x := gr.x[len(gr.x)-1]
		for r := range gr.batch {
			copy(gr.last[r*NumTargets:(r+1)*NumTargets], x[r*NumFeatures:])
		}
	}
	if err := gr.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("lstm: training step: %w", err)
	}
	gr.grads = gr.grads[:0]
	{
		for _, n := range gr.params {
			v, err := n.Grad()
			if err != nil {
				return 0, fmt.Errorf("lstm: gradient of %s: %w", n.Name(), err)
			}
			gr.grads = append(gr.grads, v.Data().([]float64))
		}
	}
	return gr.loss.Data().(float64), nil
}

// zeroGrads clears the accumulated gradients.
func (gr *graph) zeroGrads() {
	for _, g := range gr.grads {
		clear(g)
	}
}

// close releases the machine.
func (gr *graph) close() {
	gr.vm.Close()
	if gr.blas {
		gr.blas = false
		releaseBLAS()
	}
}

// While a training graph lives, gorgonia's tensor package multiplies with
// kern.BLAS (products in AVX2/AVX-512 assembly, single-threaded) instead
// of gonum's: a process-wide setting, taken and restored by count, so that
// the DQN's and PPO's graphs keep gonum's products (their shipped
// checkpoints were trained with them) when trained in a process of their
// own, as skyfaas train does. A DQN or PPO graph running while an LSTM
// graph lives in the same process would multiply with kern.BLAS too, and
// tensor.Use is not synchronised with running products: build and close
// LSTM graphs while no other graph runs.
var (
	blasMu    sync.Mutex
	blasUsers int
	blasPrev  tensor.BLAS
)

func acquireBLAS() {
	blasMu.Lock()
	defer blasMu.Unlock()
	if blasUsers == 0 {
		blasPrev = tensor.WhichBLAS()
		tensor.Use(kern.BLAS{})
	}
	blasUsers++
}

func releaseBLAS() {
	blasMu.Lock()
	defer blasMu.Unlock()
	if blasUsers--; blasUsers == 0 {
		tensor.Use(blasPrev)
	}
}
