package rl

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// naiveDQNLoss is the mean Huber loss of Q(x_i, a_i) against y_i, written
// out with the plain forward pass.
func naiveDQNLoss(q *MLP, x []float64, acts []int, y []float64) float64 {
	b := len(y)
	out := NewForward(q, b).Run(x, b)
	var s float64
	for i := range b {
		d := math.Abs(out[i*q.Out()+acts[i]] - y[i])
		if d <= 1 {
			s += 0.5 * d * d
		} else {
			s += d - 0.5
		}
	}
	return s / float64(b)
}

// naivePPOLoss is PPO's loss written out per example.
func naivePPOLoss(actor, critic *MLP, x []float64, mask [][]bool, acts []int, oldLogP, adv, ret []float64, c ppoLoss) float64 {
	b := len(acts)
	A := actor.Out()
	logits := append([]float64(nil), NewForward(actor, b).Run(x, b)...)
	vals := NewForward(critic, b).Run(x, b)
	var pl, vl, ent float64
	for i := range b {
		l := logits[i*A : (i+1)*A]
		var z float64
		for a := range A {
			if mask[i][a] {
				z += math.Exp(l[a])
			}
		}
		lse := math.Log(z)
		for a := range A {
			if mask[i][a] {
				lp := l[a] - lse
				ent -= math.Exp(lp) * lp
			}
		}
		r := math.Exp(l[acts[i]] - lse - oldLogP[i])
		cl := math.Min(math.Max(r, 1-c.Clip), 1+c.Clip)
		pl -= math.Min(r*adv[i], cl*adv[i])
		d := vals[i] - ret[i]
		vl += d * d
	}
	n := float64(b)
	return pl/n + c.ValueCoef*vl/n - c.EntropyCoef*ent/n
}

// checkGradients compares the graph's gradients with central finite
// differences of loss, for every parameter of nets.
func checkGradients(t *testing.T, grads [][]float64, nets []*MLP, loss func() float64) {
	t.Helper()
	const h = 1e-6
	k, worst := 0, 0.0
	for _, m := range nets {
		for _, p := range m.Data {
			g := grads[k]
			k++
			for j := range p {
				old := p[j]
				p[j] = old + h
				up := loss()
				p[j] = old - h
				down := loss()
				p[j] = old
				fd := (up - down) / (2 * h)
				if d := math.Abs(fd - g[j]); d > worst {
					worst = d
				}
				if d := math.Abs(fd - g[j]); d > 1e-6*max(1, math.Abs(fd)) {
					t.Fatalf("parameter slice %d[%d]: gradient %v, finite difference %v", k-1, j, g[j], fd)
				}
			}
		}
	}
	t.Logf("largest |gradient - finite difference|: %.2g", worst)
}

func TestDQNGradientsFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	q, _ := NewMLP(r, 5, 7, 6, 3)
	const b = 8
	gr, err := newDQNGraph(q, b)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.close()
	acts := make([]int, b)
	for i := range b {
		for j := range 5 {
			gr.x[i*5+j] = r.NormFloat64()
		}
		acts[i] = r.IntN(3)
		gr.act[i*3+acts[i]] = 1
		gr.y[i] = 3 * r.NormFloat64() // some beyond the Huber kink
	}
	loss, err := gr.run()
	if err != nil {
		t.Fatal(err)
	}
	if want := naiveDQNLoss(q, gr.x, acts, gr.y); math.Abs(loss-want) > 1e-12 {
		t.Fatalf("graph loss %v, naive %v", loss, want)
	}
	grads := cloneAll(gr.grads)
	checkGradients(t, grads, []*MLP{q}, func() float64 { return naiveDQNLoss(q, gr.x, acts, gr.y) })
}

func TestPPOGradientsFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	actor, _ := NewMLP(r, 4, 6, 5)
	critic, _ := NewMLP(r, 4, 6, 1)
	const b = 10
	c := ppoLoss{Clip: 0.2, ValueCoef: 0.5, EntropyCoef: 0.01}
	gr, err := newPPOGraph(actor, critic, b, c)
	if err != nil {
		t.Fatal(err)
	}
	defer gr.close()
	acts := make([]int, b)
	mask := make([][]bool, b)
	for i := range b {
		for j := range 4 {
			gr.x[i*4+j] = r.NormFloat64()
		}
		mask[i] = make([]bool, 5)
		for a := range 5 {
			mask[i][a] = a == 0 || r.IntN(3) > 0
			if mask[i][a] {
				gr.mask[i*5+a] = 1
			}
		}
		for acts[i] = r.IntN(5); !mask[i][acts[i]]; acts[i] = r.IntN(5) {
		}
		gr.act[i*5+acts[i]] = 1
		// Old log-probabilities around the current ones, so that some
		// ratios fall outside the clip range on either side.
		gr.oldLogP[i] = math.Log(0.2) + 0.6*r.NormFloat64()
		gr.adv[i] = r.NormFloat64()
		gr.ret[i] = r.NormFloat64()
	}
	gr.setShift(NewForward(actor, b))
	loss, err := gr.run()
	if err != nil {
		t.Fatal(err)
	}
	naive := func() float64 {
		return naivePPOLoss(actor, critic, gr.x, mask, acts, gr.oldLogP, gr.adv, gr.ret, c)
	}
	if want := naive(); math.Abs(loss-want) > 1e-12 {
		t.Fatalf("graph loss %v, naive %v", loss, want)
	}
	checkGradients(t, cloneAll(gr.grads), []*MLP{actor, critic}, naive)
}

func cloneAll(s [][]float64) [][]float64 {
	out := make([][]float64, len(s))
	for i, x := range s {
		out[i] = append([]float64(nil), x...)
	}
	return out
}

// Logits far beyond exp's range (a policy grown confident), valid or not,
// keep PPO's loss finite: each row's softmax is taken from its largest
// valid logit, and invalid actions are pushed far below it before exp.
func TestPPOLossFiniteWithLargeLogits(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	actor, _ := NewMLP(r, 4, 6, 5)
	critic, _ := NewMLP(r, 4, 6, 1)
	for _, d := range actor.Data {
		for i := range d {
			d[i] *= 300
		}
	}
	const b = 6
	gr, err := newPPOGraph(actor, critic, b, ppoLoss{Clip: 0.2, ValueCoef: 0.5, EntropyCoef: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	defer gr.close()
	fwd := NewForward(actor, b)
	for i := range b {
		for j := range 4 {
			gr.x[i*4+j] = 3 * r.NormFloat64()
		}
		for a := range 4 { // action 4 is never valid
			gr.mask[i*5+a] = 1
		}
		gr.act[i*5+i%4] = 1
		gr.adv[i] = 1
	}
	// The invalid action's bias far above the others: its logit is beyond
	// exp's range even after the row's shift.
	actor.Data[len(actor.Data)-1][4] = 5000
	l := fwd.Run(gr.x, b)
	if m := slices.Max(l); m < 800 {
		t.Fatalf("largest logit %v: the test needs one beyond exp's range", m)
	}
	gr.setShift(fwd)
	if loss, err := gr.run(); err != nil || math.IsNaN(loss) {
		t.Fatalf("loss %v, %v", loss, err)
	}
}
