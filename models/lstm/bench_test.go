package lstm

import (
	"math/rand/v2"
	"testing"
)

// benchStep times one training step (forward, backward, global-norm clip,
// Adam) of cfg at batch 128 on random data; compare with GORGONIA.md's
// ~290 ms (gorgonia f32) and ~47 ms (PyTorch, one thread) for the thesis
// preset.
func benchStep(b *testing.B, cfg Config) {
	ds, err := Build(synthetic(400, 1), DefaultData())
	if err != nil {
		b.Fatal(err)
	}
	tc := DefaultTrain()
	tr, err := NewTrainer(ds, cfg, tc, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	r := rand.New(rand.NewPCG(1, 1))
	for i := range tr.order { // any 128 windows: data does not change the cost
		tr.order[i] = r.IntN(len(ds.Windows[TrainPart]))
	}
	if len(tr.order) < tc.Batch {
		tr.order = append(tr.order, make([]int, tc.Batch)...)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := tr.Step(0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTrainStepThesis(b *testing.B) { benchStep(b, Thesis()) }
func BenchmarkTrainStepSmall(b *testing.B)  { benchStep(b, Small()) }

// BenchmarkForwardThesis times the plain-Go inference of 128 pools.
func BenchmarkForwardThesis(b *testing.B) {
	m, err := NewModel(Thesis(), Norm{Mode: NormGlobal}, 1)
	if err != nil {
		b.Fatal(err)
	}
	f := NewForward(m.Config, m.Params, 128)
	x := make([][]float64, m.Config.Window)
	for t := range x {
		x[t] = make([]float64, 128*NumFeatures)
	}
	out := make([]float64, 128*NumTargets)
	for b.Loop() {
		f.Run(x, 128, out)
	}
}
