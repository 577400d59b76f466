package rl

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The training graphs, each built once for a fixed minibatch size
// (GORGONIA.md pitfall 7). Inputs are nodes backed by the graph's own
// slices, refilled in place each minibatch; the weights' tensors are
// backed by the networks' slices, which the optimiser updates in place.
// Losses are written with Abs instead of Rectify where a kink matters
// (relu(x) = (x+|x|)/2), as the LSTM's graph does; the gradients are
// checked against finite differences (graph_test.go).

func backed(g *G.ExprGraph, name string, data []float64, shape ...int) *G.Node {
	t := tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
	if len(shape) == 1 {
		return G.NewVector(g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
	}
	return G.NewMatrix(g, tensor.Float64, G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

// relu is max(x, 0) as (x + |x|)/2.
func relu(x *G.Node) *G.Node {
	return G.Must(G.Mul(G.NewConstant(0.5), G.Must(G.Add(x, G.Must(G.Abs(x))))))
}

// mlpNodes adds m's weights to g as parameters named prefix.W0, ...
func mlpNodes(g *G.ExprGraph, m *MLP, prefix string) []*G.Node {
	var ps []*G.Node
	for l := range m.Layers() {
		in, out := m.Sizes[l], m.Sizes[l+1]
		ps = append(ps, backed(g, fmt.Sprintf("%s.W%d", prefix, l), m.Data[2*l], in, out),
			backed(g, fmt.Sprintf("%s.b%d", prefix, l), m.Data[2*l+1], 1, out))
	}
	return ps
}

// mlpApply is the network over x (b×in): ReLU hidden layers, linear output.
func mlpApply(x *G.Node, ps []*G.Node) *G.Node {
	M := G.Must
	h := x
	for l := 0; l < len(ps); l += 2 {
		h = M(G.BroadcastAdd(M(G.Mul(h, ps[l])), ps[l+1], nil, []byte{0}))
		if l+2 < len(ps) {
			h = relu(h)
		}
	}
	return h
}

// trainGraph is what both graphs share: the machine, the parameters and
// their gradients after a run.
type trainGraph struct {
	g      *G.ExprGraph
	vm     G.VM
	params []*G.Node
	grads  [][]float64
	loss   G.Value
}

func (t *trainGraph) compile(loss *G.Node) error {
	G.Read(loss, &t.loss)
	if _, err := G.Grad(loss, t.params...); err != nil {
		return fmt.Errorf("rl: gradient: %w", err)
	}
	t.vm = G.NewTapeMachine(t.g, G.BindDualValues(t.params...))
	return nil
}

// run computes the loss and the gradients of the minibatch now in the
// inputs. The gradients stay in t.grads until zeroGrads: gorgonia
// accumulates them across runs (pitfall 4).
func (t *trainGraph) run() (float64, error) {
	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return 0, fmt.Errorf("rl: training step: %w", err)
	}
	t.grads = t.grads[:0]
	for _, n := range t.params {
		v, err := n.Grad()
		if err != nil {
			return 0, fmt.Errorf("rl: gradient of %s: %w", n.Name(), err)
		}
		t.grads = append(t.grads, v.Data().([]float64))
	}
	loss := t.loss.Data().(float64)
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, errors.New("rl: the loss is not finite (diverged: lower the learning rate)")
	}
	return loss, nil
}

func (t *trainGraph) zeroGrads() {
	for _, g := range t.grads {
		clear(g)
	}
}

func (t *trainGraph) close() { t.vm.Close() }

func recovered(what string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("rl: building the %s graph: %v", what, r)
	}
}

// dqnGraph computes the Huber loss of Q(s, a) against targets y over a
// minibatch: x (b×in), action one-hot (b×A), y (b).
type dqnGraph struct {
	trainGraph
	b         int
	x, act, y []float64
}

func newDQNGraph(q *MLP, b int) (gr *dqnGraph, err error) {
	defer recovered("DQN", &err)
	M := G.Must
	g := G.NewGraph()
	gr = &dqnGraph{trainGraph: trainGraph{g: g}, b: b,
		x: make([]float64, b*q.In()), act: make([]float64, b*q.Out()), y: make([]float64, b)}
	gr.params = mlpNodes(g, q, "q")
	x := backed(g, "x", gr.x, b, q.In())
	act := backed(g, "action", gr.act, b, q.Out())
	y := backed(g, "y", gr.y, b)
	qa := M(G.Sum(M(G.HadamardProd(mlpApply(x, gr.params), act)), 1))
	// Huber (δ = 1): with a = |qa - y| and c = min(a, 1) = a - relu(a-1),
	// 0.5·c² + (a - c).
	a := M(G.Abs(M(G.Sub(qa, y))))
	c := M(G.Sub(a, relu(M(G.Sub(a, G.NewConstant(1.0))))))
	loss := M(G.Mean(M(G.Add(M(G.Mul(G.NewConstant(0.5), M(G.Square(c)))), M(G.Sub(a, c))))))
	if err := gr.compile(loss); err != nil {
		return nil, err
	}
	return gr, nil
}

// ppoGraph computes PPO's loss over a minibatch: the clipped surrogate of
// the actor's masked softmax, the critic's squared error, and an entropy
// bonus. Inputs: x (b×in), mask (b×A, 1 valid 0 invalid), action one-hot
// (b×A), old log-probability, advantage and return (b each).
type ppoGraph struct {
	trainGraph
	b                          int
	x, mask, act               []float64
	oldLogP, adv, ret          []float64
	shift                      []float64 // per row, its largest valid logit (setShift)
	penalty                    []float64 // per row and action, 0 if valid, what brings it under -maskPenalty if not (setShift)
	policyLoss, valueLoss, ent G.Value
	nActor                     int // the first nActor params are the actor's
}

// PPO's loss coefficients and clip range.
type ppoLoss struct {
	Clip, ValueCoef, EntropyCoef float64
}

func newPPOGraph(actor, critic *MLP, b int, c ppoLoss) (gr *ppoGraph, err error) {
	defer recovered("PPO", &err)
	M := G.Must
	g := G.NewGraph()
	A := actor.Out()
	gr = &ppoGraph{trainGraph: trainGraph{g: g}, b: b,
		x: make([]float64, b*actor.In()), mask: make([]float64, b*A), act: make([]float64, b*A),
		oldLogP: make([]float64, b), adv: make([]float64, b), ret: make([]float64, b), shift: make([]float64, b), penalty: make([]float64, b*A)}
	ap := mlpNodes(g, actor, "actor")
	cp := mlpNodes(g, critic, "critic")
	gr.params = append(ap, cp...)
	gr.nActor = len(ap)
	x := backed(g, "x", gr.x, b, actor.In())
	mask := backed(g, "mask", gr.mask, b, A)
	act := backed(g, "action", gr.act, b, A)
	oldLogP := backed(g, "old_logp", gr.oldLogP, b)
	adv := backed(g, "advantage", gr.adv, b)
	ret := backed(g, "return", gr.ret, b)

	// Masked softmax: p = exp(l)·mask / Σ exp(l)·mask; log p = l - lse,
	// lse = m + log Σ exp(l - m)·mask with m each row's largest valid
	// logit, an input computed before the run (a constant: the value and
	// gradient of lse do not depend on it, only whether exp overflows).
	logits := mlpApply(x, ap)
	shift := backed(g, "shift", gr.shift, b, 1)
	// penalty is 0 for a valid action and a large constant for an invalid
	// one, whose exp would otherwise overflow to Inf before the mask
	// multiplies it by 0 (Inf·0 = NaN).
	penalty := backed(g, "penalty", gr.penalty, b, A)
	e := M(G.HadamardProd(M(G.Exp(M(G.Sub(M(G.BroadcastSub(logits, shift, nil, []byte{1})), penalty)))), mask))
	lse := M(G.Add(M(G.Reshape(M(G.Log(M(G.Sum(e, 1)))), tensor.Shape{b, 1})), shift))
	logp := M(G.BroadcastSub(logits, lse, nil, []byte{1}))
	logpA := M(G.Sum(M(G.HadamardProd(logp, act)), 1))
	p := M(G.HadamardProd(M(G.Exp(M(G.Sub(logp, penalty)))), mask))
	entropy := M(G.Neg(M(G.Sum(M(G.HadamardProd(p, logp)), 1))))

	ratio := M(G.Exp(M(G.Sub(logpA, oldLogP))))
	lo, hi := G.NewConstant(1-c.Clip), G.NewConstant(1+c.Clip)
	clipped := M(G.Sub(M(G.Add(lo, relu(M(G.Sub(ratio, lo))))), relu(M(G.Sub(ratio, hi)))))
	s1 := M(G.HadamardProd(ratio, adv))
	s2 := M(G.HadamardProd(clipped, adv))
	surr := M(G.Sub(s1, relu(M(G.Sub(s1, s2))))) // min(s1, s2)
	policyLoss := M(G.Neg(M(G.Mean(surr))))

	v := M(G.Reshape(mlpApply(x, cp), tensor.Shape{b}))
	valueLoss := M(G.Mean(M(G.Square(M(G.Sub(v, ret))))))
	entMean := M(G.Mean(entropy))
	loss := M(G.Add(policyLoss, M(G.Sub(M(G.Mul(G.NewConstant(c.ValueCoef), valueLoss)), M(G.Mul(G.NewConstant(c.EntropyCoef), entMean))))))
	G.Read(policyLoss, &gr.policyLoss)
	G.Read(valueLoss, &gr.valueLoss)
	G.Read(entMean, &gr.ent)
	if err := gr.compile(loss); err != nil {
		return nil, err
	}
	return gr, nil
}

// maskPenalty: an invalid action's shifted logit is brought to at most
// -maskPenalty before exp, which gives 0.
const maskPenalty = 1e4

// setShift sets each row's shift to its largest valid logit under the
// actor's current weights (fwd: a forward pass of the actor for batches of
// b), and the invalid actions' penalties, from the mask in the graph.
func (gr *ppoGraph) setShift(fwd *Forward) {
	A := len(gr.mask) / gr.b
	l := fwd.Run(gr.x, gr.b)
	for r := range gr.b {
		m := math.Inf(-1)
		for a := range A {
			if gr.mask[r*A+a] != 0 {
				m = max(m, l[r*A+a])
			}
		}
		if math.IsInf(m, -1) {
			m = 0
		}
		gr.shift[r] = m
		for a := range A {
			gr.penalty[r*A+a] = 0
			if gr.mask[r*A+a] == 0 { // its shifted logit becomes -maskPenalty
				gr.penalty[r*A+a] = max(l[r*A+a]-m, 0) + maskPenalty
			}
		}
	}
}
