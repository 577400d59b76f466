package lstm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tiny is a configuration small enough for finite differences.
func tiny() Config {
	return Config{Units: []int{4, 3}, Dense: 5, Dropout: 0.2, Output: OutputLinear, Residual: true, UnderWeight: 5, OverWeight: 1, Window: 3}
}

// fillRandom fills the graph's inputs and targets from r, and its masks
// with dropout draws.
func fillRandom(gr *graph, r *rand.Rand) {
	for _, x := range gr.x {
		for i := range x {
			x[i] = r.NormFloat64()
		}
	}
	for i := range gr.y {
		gr.y[i] = r.NormFloat64()
	}
	for _, m := range gr.masks {
		dropoutMask(r, m, gr.cfg.Dropout)
	}
}

func newTiny(t *testing.T, cfg Config, b int, seed uint64) (*Params, *graph) {
	t.Helper()
	p, _ := newParams(cfg)
	p.initialise(rand.New(rand.NewPCG(seed, 1)))
	gr, err := newGraph(cfg, p, b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(gr.close)
	fillRandom(gr, rand.New(rand.NewPCG(seed, 2)))
	return p, gr
}

// The gradient of the loss with respect to every parameter, as gorgonia
// computes it, matches central finite differences of the loss (a second
// run checks that gradients do not accumulate once zeroed).
func TestGradientsFiniteDifferences(t *testing.T) {
	for _, out := range []string{OutputLinear, OutputReLU} {
		cfg := tiny()
		cfg.Output = out
		p, gr := newTiny(t, cfg, 6, 7)
		for range 2 {
			gr.zeroGrads()
			if _, err := gr.run(); err != nil {
				t.Fatal(err)
			}
		}
		grads := make([][]float64, len(gr.grads))
		for i, g := range gr.grads {
			grads[i] = append([]float64(nil), g...)
		}
		const h = 1e-6 // step of the central difference
		worst := 0.0
		for i := range p.Data {
			for j := range p.Data[i] {
				v := p.Data[i][j]
				p.Data[i][j] = v + h
				gr.zeroGrads()
				lp, _ := gr.run()
				p.Data[i][j] = v - h
				gr.zeroGrads()
				lm, _ := gr.run()
				p.Data[i][j] = v
				fd := (lp - lm) / (2 * h)
				err := math.Abs(fd-grads[i][j]) / math.Max(1, math.Abs(fd))
				worst = math.Max(worst, err)
				if err > 1e-6 {
					t.Errorf("%s output: d loss / d %s[%d]: gorgonia %.9g, finite difference %.9g", out, p.Names[i], j, grads[i][j], fd)
				}
			}
		}
		t.Logf("%s output: %d parameters, worst relative gradient error %.2g", out, p.Count(), worst)
	}
}

// The plain-Go forward pass equals the gorgonia graph's prediction (without
// dropout) to 1e-6; its loss equals the graph's.
func TestForwardMatchesGorgonia(t *testing.T) {
	noRes := tiny()
	noRes.Residual = false
	for _, cfg := range []Config{tiny(), Small(), noRes} {
		cfg.Dropout = 0 // no masks: the graph is the inference network
		const b = 9
		p, gr := newTiny(t, cfg, b, 3)
		loss, err := gr.run()
		if err != nil {
			t.Fatal(err)
		}
		want := append([]float64(nil), gr.pred.Data().([]float64)...)
		f := NewForward(cfg, p, 4)
		got := make([]float64, b*NumTargets)
		f.Run(gr.x, b, got)
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Fatalf("units %v: prediction %d: forward %.12g, gorgonia %.12g", cfg.Units, i, got[i], want[i])
			}
		}
		if l := AsymmetricLoss(got, gr.y, cfg.UnderWeight, cfg.OverWeight); math.Abs(l-loss) > 1e-9 {
			t.Fatalf("loss: forward %.12g, gorgonia %.12g", l, loss)
		}
	}
}
