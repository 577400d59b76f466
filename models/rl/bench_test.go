package rl

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// benchUpdate times one update of a graph at batch 64 on random inputs:
// the forward and backward passes, clipping and the Adam step.
func benchUpdate(b *testing.B, g *trainGraph, params [][]float64, fill func(r *rand.Rand)) {
	r := rand.New(rand.NewPCG(1, 1))
	fill(r)
	sizes := make([]int, len(params))
	for i, p := range params {
		sizes[i] = len(p)
	}
	adam := models.NewAdam(1e-4, sizes)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.run(); err != nil {
			b.Fatal(err)
		}
		models.ClipGlobalNorm(g.grads, 10)
		adam.Step(params, g.grads)
		g.zeroGrads()
	}
}

// BenchmarkDQNUpdate: one double-DQN update at batch 64, the strategic
// network of the default catalog (45 inputs, 128-128, 3 actions), and
// GORGONIA.md's DQN-sized MLP (16-128-128-3: gorgonia ~2.8 ms, PyTorch
// one thread ~1.9 ms on this machine kind). The target network's forward
// pass (plain Go) is timed apart in BenchmarkForward.
func BenchmarkDQNUpdate(b *testing.B) {
	for _, in := range []int{16, 45} {
		b.Run(map[int]string{16: "16-128-128-3", 45: "45-128-128-3"}[in], func(b *testing.B) {
			q, _ := NewMLP(rand.New(rand.NewPCG(1, 2)), in, 128, 128, 3)
			g, err := newDQNGraph(q, 64)
			if err != nil {
				b.Fatal(err)
			}
			defer g.close()
			benchUpdate(b, &g.trainGraph, q.Data, func(r *rand.Rand) {
				for i := range g.x {
					g.x[i] = r.NormFloat64()
				}
				for i := range 64 {
					g.act[i*3+r.IntN(3)] = 1
					g.y[i] = r.NormFloat64()
				}
			})
		})
	}
}

// BenchmarkPPOUpdate: one PPO update at batch 64 of the tactical actor
// (168 inputs, 128-128, 24 actions) and critic (168-128-128-1).
func BenchmarkPPOUpdate(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 3))
	actor, _ := NewMLP(r, 168, 128, 128, 24)
	critic, _ := NewMLP(r, 168, 128, 128, 1)
	g, err := newPPOGraph(actor, critic, 64, ppoLoss{Clip: 0.2, ValueCoef: 0.5, EntropyCoef: 0.01})
	if err != nil {
		b.Fatal(err)
	}
	defer g.close()
	benchUpdate(b, &g.trainGraph, append(append([][]float64{}, actor.Data...), critic.Data...), func(r *rand.Rand) {
		for i := range g.x {
			g.x[i] = r.NormFloat64() * 0.1
		}
		for i := range 64 {
			for a := range 24 {
				g.mask[i*24+a] = float64(r.IntN(2))
			}
			g.mask[i*24] = 1
			g.act[i*24] = 1
			g.oldLogP[i] = -2
			g.adv[i] = r.NormFloat64()
			g.ret[i] = r.NormFloat64()
		}
		g.setShift(NewForward(actor, 64))
	})
}

// BenchmarkForward: one batch-1 decision of the policies' preallocated
// forward pass (no allocation).
func BenchmarkForward(b *testing.B) {
	for _, s := range [][]int{{45, 128, 128, 3}, {168, 128, 128, 24}} {
		m, _ := NewMLP(rand.New(rand.NewPCG(1, 4)), s...)
		f := NewForward(m, 1)
		x := make([]float64, s[0])
		for i := range x {
			x[i] = 0.1 * float64(i%7)
		}
		b.Run(map[int]string{45: "strategic", 168: "tactical"}[s[0]], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f.Run(x, 1)
			}
		})
	}
}

// BenchmarkEnvironment: the environment's decisions per second over the
// default scenario (200 synthetic functions) in 4-hour episodes, the DQN
// deciding every strategic epoch (1 h) greedily from a fixed network: the
// simulation, the features and the bookkeeping together.
func BenchmarkEnvironment(b *testing.B) {
	plan, err := scenarios.Load("../../scenarios/default.toml", policies.Builtin())
	if err != nil {
		b.Fatal(err)
	}
	eps, err := plan.Episodes()
	if err != nil {
		b.Fatal(err)
	}
	win := &scenarios.WindowSpec{To: scenarios.Duration(4 * time.Hour)}
	cfg, err := eps.Config(0, 1, 0, win)
	if err != nil {
		b.Fatal(err)
	}
	shape, _ := ShapeOf(Strategic, cfg.Catalog)
	f, _ := NewFeaturizer(shape, cfg.Catalog, plan.Objective())
	q, _ := NewMLP(rand.New(rand.NewPCG(1, 5)), shape.Inputs(), 128, 128, shape.Actions())
	ep := &Episode{Feat: f, Obj: plan.Objective()}
	actor := &qActor{fwd: NewForward(q, 1), in: shape.Inputs(), rng: rand.New(rand.NewPCG(1, 6))}
	var n, inv int64
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		c, err := eps.Config(0, 1, i, win)
		if err != nil {
			b.Fatal(err)
		}
		c.Strategic = nil
		ts, m, err := ep.Run(context.Background(), c, actor)
		if err != nil {
			b.Fatal(err)
		}
		n += int64(len(ts))
		inv += m.Arrived
	}
	secs := time.Since(start).Seconds()
	b.ReportMetric(float64(n)/secs, "transitions/s")
	b.ReportMetric(float64(inv)/secs, "invocations/s")
}

// BenchmarkReplayLearned: a full day of the default scenario's workload
// (strategic-ablation.toml and tactical-ablation.toml over 0-24h) with the
// learned policies' shipped checkpoints against the baseline each replaces:
// weighted-greedy then dqn choosing the provider; power-tuning then ppo
// choosing region and memory (target: a learned layer within 1.5x of the
// weighted-greedy replay).
func BenchmarkReplayLearned(b *testing.B) {
	reg := policies.Builtin()
	if err := reg.AddStrategic(DQNName, DQNSummary, NewDQNPolicy); err != nil {
		b.Fatal(err)
	}
	if err := reg.AddTactical(PPOName, PPOSummary, NewPPOPolicy); err != nil {
		b.Fatal(err)
	}
	day := &scenarios.WindowSpec{To: scenarios.Duration(24 * time.Hour)}
	for _, c := range []struct{ file, arm string }{
		{"strategic-ablation", "weighted-greedy"}, {"strategic-ablation", "dqn"},
		{"tactical-ablation", "power-tuning"}, {"tactical-ablation", "ppo"},
	} {
		plan, err := scenarios.Load("../../scenarios/"+c.file+".toml", reg)
		if err != nil {
			b.Fatal(err)
		}
		eps, err := plan.Episodes()
		if err != nil {
			b.Fatal(err)
		}
		arm := slices.IndexFunc(plan.Arms, func(a scenarios.Arm) bool { return a.Name == c.arm })
		b.Run(c.file+"/"+c.arm, func(b *testing.B) {
			var inv int64
			for b.Loop() {
				cfg, err := eps.Config(arm, plan.Seed(), 0, day)
				if err != nil {
					b.Fatal(err)
				}
				m, err := sim.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				inv += m.Arrived
			}
			b.ReportMetric(float64(inv)/b.Elapsed().Seconds(), "invocations/s")
		})
	}
}
