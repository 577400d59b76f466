package rl

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/sim"
)

// The ring buffer holds what a naive list that drops its oldest holds,
// in the same order, and samples from it alike.
func TestReplayAgainstNaive(t *testing.T) {
	const capN = 7
	r := NewReplay(capN)
	var naive []*Transition
	for i := range 30 {
		tr := &Transition{Epoch: int32(i)}
		r.Add(tr)
		naive = append(naive, tr)
		if len(naive) > capN {
			naive = naive[1:]
		}
		if r.Len() != len(naive) {
			t.Fatalf("after %d: %d held, want %d", i+1, r.Len(), len(naive))
		}
		for k := range naive {
			if r.At(k) != naive[k] {
				t.Fatalf("after %d: position %d holds epoch %d, want %d", i+1, k, r.At(k).Epoch, naive[k].Epoch)
			}
		}
	}
	// Sampling draws uniformly from what is held: every held transition
	// appears, nothing else does.
	got := make([]*Transition, 2000)
	r.Sample(rand.New(rand.NewPCG(1, 1)), got)
	seen := map[int32]int{}
	for _, tr := range got {
		if !slices.Contains(naive, tr) {
			t.Fatalf("sampled epoch %d, not held", tr.Epoch)
		}
		seen[tr.Epoch]++
	}
	for _, tr := range naive {
		if n := seen[tr.Epoch]; n < 2000/capN/2 {
			t.Errorf("epoch %d drawn %d times of 2000", tr.Epoch, n)
		}
	}
}

// GAE's recursion equals the definition as a discounted sum of TD errors,
// A_t = Σ_l (γλ)^l δ_{t+l}, stopped at a Done transition.
func TestGAEAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for trial := range 20 {
		n := 1 + r.IntN(12)
		traj := make([]*Transition, n)
		for i := range traj {
			traj[i] = &Transition{Reward: r.NormFloat64(), Scale: 0.5 + r.Float64(), Value: r.NormFloat64()}
		}
		traj[n-1].Done = trial%2 == 0
		next := r.NormFloat64()
		gamma, lambda := 0.9, 0.8
		adv, ret := make([]float64, n), make([]float64, n)
		GAE(traj, next, gamma, lambda, adv, ret)
		delta := func(t int) float64 {
			nv := next
			if t+1 < n {
				nv = traj[t+1].Value
			}
			if traj[t].Done {
				nv = 0
			}
			return traj[t].Scaled() + gamma*nv - traj[t].Value
		}
		for t0 := range n {
			var want, w float64 = 0, 1
			for l := t0; l < n; l++ {
				want += w * delta(l)
				if traj[l].Done {
					break
				}
				w *= gamma * lambda
			}
			if math.Abs(adv[t0]-want) > 1e-12 || math.Abs(ret[t0]-(want+traj[t0].Value)) > 1e-12 {
				t.Fatalf("trial %d, t=%d: advantage %v return %v, want %v and %v", trial, t0, adv[t0], ret[t0], want, want+traj[t0].Value)
			}
		}
	}
}

// A masked policy never chooses an invalid action, greedy or sampling,
// whatever its logits.
func TestMaskedActionsNeverChosen(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	const in, na, n = 4, 24, 50
	actor, _ := NewMLP(r, in, 16, na)
	critic, _ := NewMLP(r, in, 16, 1)
	// Large weights: the invalid actions have the largest logits often.
	for _, d := range actor.Data {
		for i := range d {
			d[i] *= 20
		}
	}
	x := make([]float64, n*in)
	mask := make([]bool, n*na)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	for i := range n {
		mask[i*na+r.IntN(na)] = true // at least one valid
		for a := range na {
			if r.IntN(4) == 0 {
				mask[i*na+a] = true
			}
		}
	}
	for _, greedy := range []bool{true, false} {
		a := &piActor{actor: NewForward(actor, 1), critic: NewForward(critic, 1), in: in, na: na, greedy: greedy,
			rng: rand.New(rand.NewPCG(4, 4)), p: make([]float64, na)}
		acts, logp, v := make([]int32, n), make([]float64, n), make([]float64, n)
		for range 200 {
			if err := a.Act(x, mask, n, acts, logp, v); err != nil {
				t.Fatal(err)
			}
			for i, k := range acts {
				if !mask[i*na+int(k)] {
					t.Fatalf("greedy %v: row %d chose masked action %d", greedy, i, k)
				}
				if math.IsInf(logp[i], 0) || math.IsNaN(logp[i]) || logp[i] > 0 {
					t.Fatalf("row %d: log-probability %v", i, logp[i])
				}
			}
		}
	}
}

// fakeEpisodes are hand-built worlds (env_test.go) with a few hundred
// invocations of one function, on their own seeds.
type fakeEpisodes struct{ layer Layer }

func (f fakeEpisodes) world(seed uint64) sim.Config {
	r := rand.New(rand.NewPCG(seed, 9))
	var invs []sim.Invocation
	at := 0.0
	for at < 6*3600 {
		at += r.ExpFloat64() * 60
		invs = append(invs, sim.Invocation{Arrival: sim.Time(sim.FromSeconds(at)), Duration: sim.FromSeconds(0.2 + r.Float64()), MemoryMB: 100})
	}
	cfg := handWorld(&listSource{invs: invs, i: -1, horizon: sim.Time(6 * sim.Hour)})
	cfg.Streams = sim.NewStreams(seed, 0)
	if f.layer == Tactical {
		cfg.Strategic, cfg.Tactical = onProvider(1), nil
	}
	return cfg
}
func (f fakeEpisodes) Train(i int) (sim.Config, error) { return f.world(uint64(i)), nil }
func (f fakeEpisodes) Eval(i int) (sim.Config, error)  { return f.world(1000 + uint64(i)), nil }

func fixedClock() time.Time { return time.Unix(0, 0) }

// Two DQN runs on a fixed seed make the same updates to the bit.
func TestDQNReproducible(t *testing.T) {
	cfg := DefaultDQN()
	cfg.Episodes, cfg.EvalEvery, cfg.EvalEpisodes, cfg.Warmup, cfg.Batch, cfg.UpdateEvery = 4, 2, 1, 8, 8, 1
	cfg.Hidden = []int{16}
	run := func() *DQNTrainer {
		tr, err := NewDQNTrainer(cfg, fakeEpisodes{}, sim.DefaultObjective(), fixedClock)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if _, err := tr.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b := run(), run()
	if a.updates == 0 || len(a.firstLosses) == 0 {
		t.Fatalf("no update made (%d)", a.updates)
	}
	if !slices.Equal(a.firstLosses, b.firstLosses) {
		t.Fatalf("first losses differ: %v vs %v", a.firstLosses, b.firstLosses)
	}
	for i := range a.Q.Net.Data {
		if !slices.Equal(a.Q.Net.Data[i], b.Q.Net.Data[i]) {
			t.Fatalf("weights %d differ after training", i)
		}
	}
}

// So do two PPO runs.
func TestPPOReproducible(t *testing.T) {
	cfg := DefaultPPO()
	cfg.Episodes, cfg.EvalEvery, cfg.EvalEpisodes, cfg.Batch = 2, 2, 1, 8
	cfg.Hidden = []int{16}
	run := func() *PPOTrainer {
		tr, err := NewPPOTrainer(cfg, fakeEpisodes{Tactical}, sim.DefaultObjective(), fixedClock)
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if _, err := tr.Run(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		return tr
	}
	a, b := run(), run()
	if a.updates == 0 {
		t.Fatal("no update made")
	}
	if !slices.Equal(a.firstLosses, b.firstLosses) {
		t.Fatalf("first losses differ: %v vs %v", a.firstLosses, b.firstLosses)
	}
	for i := range a.Net.Actor.Data {
		if !slices.Equal(a.Net.Actor.Data[i], b.Net.Actor.Data[i]) {
			t.Fatalf("actor weights %d differ after training", i)
		}
	}
}

// Checkpoints round-trip to the bit; a corrupted byte, a truncation, the
// other kind and a network of the wrong shape are refused.
func TestCheckpointRoundTripAndRefusals(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	shape := Shape{Layer: Strategic, Providers: 3}
	net, _ := NewMLP(r, shape.Inputs(), 8, shape.Actions())
	q := &QNet{Shape: shape, Net: net, Meta: map[string]string{"seed": "5"}}
	obj := sim.DefaultObjective()
	var buf bytes.Buffer
	if err := WriteQNet(&buf, q, obj); err != nil {
		t.Fatal(err)
	}
	back, obj2, err := ReadQNet(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if obj2 != obj || back.Meta["seed"] != "5" || !slices.Equal(back.Net.Sizes, net.Sizes) {
		t.Fatalf("round trip: objective %+v, meta %v, sizes %v", obj2, back.Meta, back.Net.Sizes)
	}
	for i := range net.Data {
		if !slices.Equal(net.Data[i], back.Net.Data[i]) {
			t.Fatalf("weights %d differ", i)
		}
	}
	b := buf.Bytes()
	corrupt := slices.Clone(b)
	corrupt[len(corrupt)/2] ^= 1
	if _, _, err := ReadQNet(bytes.NewReader(corrupt)); !errors.Is(err, models.ErrCheckpoint) {
		t.Errorf("corrupted: %v", err)
	}
	if _, _, err := ReadQNet(bytes.NewReader(b[:len(b)-10])); !errors.Is(err, models.ErrCheckpoint) {
		t.Errorf("truncated: %v", err)
	}
	if _, _, err := ReadPolicyNet(bytes.NewReader(b)); !errors.Is(err, models.ErrCheckpoint) {
		t.Errorf("read as ppo: %v", err)
	}
	// Shapes out of range, whose widths would wrap around (a crafted
	// file), are refused before anything is allocated.
	for _, sh := range []Shape{{Layer: Tactical, Providers: 3, Regions: math.MaxInt, Slots: math.MaxInt},
		{Layer: Tactical, Providers: 3, Regions: 65, Slots: 1}, {Layer: Strategic, Providers: 0}, {Layer: 7, Providers: 3}} {
		if sh.Layer == Tactical {
			p := &PolicyNet{Shape: sh, Actor: net, Critic: net}
			buf.Reset()
			if err := WritePolicyNet(&buf, p, obj); err != nil {
				t.Fatal(err)
			}
			if _, _, err := ReadPolicyNet(&buf); !errors.Is(err, models.ErrCheckpoint) {
				t.Errorf("shape %+v: %v", sh, err)
			}
			continue
		}
		buf.Reset()
		if err := WriteQNet(&buf, &QNet{Shape: sh, Net: net}, obj); err != nil {
			t.Fatal(err)
		}
		if _, _, err := ReadQNet(&buf); !errors.Is(err, models.ErrCheckpoint) {
			t.Errorf("shape %+v: %v", sh, err)
		}
	}
	// A network whose input width does not match its shape.
	bad, _ := NewMLP(r, shape.Inputs()+1, 8, shape.Actions())
	buf.Reset()
	if err := WriteQNet(&buf, &QNet{Shape: shape, Net: bad}, obj); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadQNet(&buf); !errors.Is(err, models.ErrCheckpoint) {
		t.Errorf("wrong shape: %v", err)
	}
}
