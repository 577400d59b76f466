package rl

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/sim"
)

// DQNConfig is the strategic learner's settings ([train.dqn] in a
// scenario). Double DQN (van Hasselt et al. 2016): the online network
// picks the next action, the target network values it.
type DQNConfig struct {
	Run
	// Hidden are the hidden layers' widths (GORGONIA.md's DQN-sized MLP:
	// 128, 128).
	Hidden []int `toml:"hidden"`
	// Gamma discounts the next epoch's value.
	Gamma float64 `toml:"gamma"`
	// LearningRate is Adam's.
	LearningRate float64 `toml:"learning_rate"`
	// Batch is the minibatch size of an update.
	Batch int `toml:"batch"`
	// Buffer is the replay buffer's capacity (transitions).
	Buffer int `toml:"buffer"`
	// Warmup is how many transitions the buffer holds before the first
	// update.
	Warmup int `toml:"warmup"`
	// UpdateEvery: one update per that many transitions stored.
	UpdateEvery int `toml:"update_every"`
	// TargetSync: updates between copies of the online network to the
	// target network.
	TargetSync int `toml:"target_sync"`
	// Epsilon decays linearly from EpsilonStart to EpsilonEnd over the
	// first EpsilonDecay fraction of the training episodes.
	EpsilonStart float64 `toml:"epsilon_start"`
	EpsilonEnd   float64 `toml:"epsilon_end"`
	EpsilonDecay float64 `toml:"epsilon_decay"`
	// ClipNorm clips the gradients by global norm.
	ClipNorm float64 `toml:"clip_norm"`
}

// DefaultDQN returns the defaults: the common choices of the DQN
// literature scaled to episodes of a few thousand transitions (Mnih et al.
// 2015: batch 32, buffer 1 M, Huber loss, target copies every 10 k steps,
// γ 0.99 over frames). A provider's choice shows in the epoch it governs;
// beyond it only a move's cold starts and the remembered outcome carry
// over, so γ 0.5 (about two hour-long epochs ahead) rather than 0.99.
func DefaultDQN() DQNConfig {
	return DQNConfig{Run: DefaultRun(), Hidden: []int{128, 128}, Gamma: 0.5, LearningRate: 1e-3, Batch: 64,
		Buffer: 100_000, Warmup: 1000, UpdateEvery: 4, TargetSync: 250,
		EpsilonStart: 1, EpsilonEnd: 0.05, EpsilonDecay: 0.5, ClipNorm: 10}
}

func (c DQNConfig) validate() error {
	var errs []string
	if err := c.Run.validate(); err != nil {
		errs = append(errs, err.Error())
	}
	errs = append(errs, checkHidden(c.Hidden)...)
	if !(c.Gamma >= 0 && c.Gamma < 1) {
		errs = append(errs, fmt.Sprintf("gamma must be in [0, 1) (got %v)", c.Gamma))
	}
	if !(c.LearningRate > 0 && c.LearningRate <= 1) {
		errs = append(errs, fmt.Sprintf("learning_rate must be in (0, 1] (got %v)", c.LearningRate))
	}
	if c.Batch < 1 || c.Batch > 65536 {
		errs = append(errs, fmt.Sprintf("batch must be in 1..65536 (got %d)", c.Batch))
	}
	if c.Buffer < c.Batch || c.Buffer > 10_000_000 {
		errs = append(errs, fmt.Sprintf("buffer must be in batch..10000000 (got %d)", c.Buffer))
	}
	if c.Warmup < c.Batch {
		errs = append(errs, fmt.Sprintf("warmup must be at least the batch (got %d)", c.Warmup))
	}
	if c.UpdateEvery < 1 || c.TargetSync < 1 {
		errs = append(errs, fmt.Sprintf("update_every and target_sync must be at least 1 (got %d, %d)", c.UpdateEvery, c.TargetSync))
	}
	if !(c.EpsilonStart >= 0 && c.EpsilonStart <= 1 && c.EpsilonEnd >= 0 && c.EpsilonEnd <= c.EpsilonStart) {
		errs = append(errs, fmt.Sprintf("epsilon must satisfy 0 <= epsilon_end <= epsilon_start <= 1 (got %v, %v)", c.EpsilonStart, c.EpsilonEnd))
	}
	if !(c.EpsilonDecay > 0 && c.EpsilonDecay <= 1) {
		errs = append(errs, fmt.Sprintf("epsilon_decay must be in (0, 1] (got %v)", c.EpsilonDecay))
	}
	if !(c.ClipNorm > 0) {
		errs = append(errs, fmt.Sprintf("clip_norm must be positive (got %v)", c.ClipNorm))
	}
	return joinErrs(errs)
}

func checkHidden(h []int) []string {
	if len(h) < 1 || len(h) > 8 {
		return []string{fmt.Sprintf("hidden must list 1..8 layer widths (got %v)", h)}
	}
	for _, u := range h {
		if u < 1 || u > 4096 {
			return []string{fmt.Sprintf("hidden widths must be in 1..4096 (got %v)", h)}
		}
	}
	return nil
}

// epsilon is the exploration rate of training episode i of n.
func (c DQNConfig) epsilon(i, n int) float64 {
	f := float64(i) / (c.EpsilonDecay * float64(n))
	if f >= 1 {
		return c.EpsilonEnd
	}
	return c.EpsilonStart + f*(c.EpsilonEnd-c.EpsilonStart)
}

// QNet is a trained (or training) Q-network with its shape.
type QNet struct {
	Shape Shape
	Net   *MLP
	Meta  map[string]string
}

// qActor acts epsilon-greedily on a Q-network.
type qActor struct {
	fwd *Forward
	in  int
	eps float64
	rng *rand.Rand
}

func (a *qActor) Act(x []float64, _ []bool, n int, actions []int32, _, _ []float64) error {
	for i := range n {
		q := a.fwd.Run(x[i*a.in:(i+1)*a.in], 1)
		act := argmax(q, nil)
		if a.eps > 0 && a.rng.Float64() < a.eps {
			act = a.rng.IntN(len(q))
		}
		actions[i] = int32(act)
	}
	return nil
}

// DQNTrainer trains a Q-network on the environment.
type DQNTrainer struct {
	Cfg    DQNConfig
	Q      *QNet
	target *MLP
	graph  *dqnGraph
	adam   *models.Adam
	replay *Replay
	rng    *rand.Rand
	work   *workers
	src    Episodes
	now    func() time.Time

	batch       []*Transition
	fwdOnline   *Forward
	fwdTarget   *Forward
	nextX       []float64
	best        []int // per row of a minibatch, the online network's next action
	updates     int
	stored      int
	norm        float64 // the scaled rewards' standard deviation at the first update
	lossSum     float64
	lossN       int
	firstLosses []float64 // the first updates' losses (reproducibility tests)
}

// NewDQNTrainer prepares training on src's episodes; shape comes from the
// catalog of its first training episode.
func NewDQNTrainer(cfg DQNConfig, src Episodes, obj sim.Objective, now func() time.Time) (*DQNTrainer, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("train.dqn: %w", err)
	}
	shape, cat, err := shapeOf(src, Strategic)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xd9))
	net, err := NewMLP(rng, slices.Concat([]int{shape.Inputs()}, cfg.Hidden, []int{shape.Actions()})...)
	if err != nil {
		return nil, err
	}
	t := &DQNTrainer{Cfg: cfg, Q: &QNet{Shape: shape, Net: net, Meta: map[string]string{}}, target: net.Clone(),
		adam: models.NewAdam(cfg.LearningRate, net.sizes()), replay: NewReplay(cfg.Buffer), rng: rng, src: src, now: now,
		batch: make([]*Transition, cfg.Batch)}
	if t.graph, err = newDQNGraph(net, cfg.Batch); err != nil {
		return nil, err
	}
	t.fwdOnline = NewForward(net, cfg.Batch)
	t.fwdTarget = NewForward(t.target, cfg.Batch)
	t.nextX = make([]float64, cfg.Batch*shape.Inputs())
	t.best = make([]int, cfg.Batch)
	if t.work, err = newWorkers(cfg.Parallel, shape, cat, obj); err != nil {
		return nil, err
	}
	return t, nil
}

// Close releases the graph.
func (t *DQNTrainer) Close() { t.graph.close() }

// greedy returns an actor on a snapshot of the online network.
func (t *DQNTrainer) actor(eps float64, seed uint64) Actor {
	return &qActor{fwd: NewForward(t.Q.Net.Clone(), 1), in: t.Q.Shape.Inputs(), eps: eps, rng: rand.New(rand.NewPCG(t.Cfg.Seed, seed))}
}

// update does one double-DQN step on a minibatch from the buffer.
func (t *DQNTrainer) update() error {
	t.replay.Sample(t.rng, t.batch)
	in, na := t.Q.Shape.Inputs(), t.Q.Shape.Actions()
	g := t.graph
	clear(g.act)
	for i, tr := range t.batch {
		copy(g.x[i*in:], tr.Obs)
		g.act[i*na+int(tr.Action)] = 1
		if tr.Next != nil {
			copy(t.nextX[i*in:], tr.Next)
		} else {
			clear(t.nextX[i*in : (i+1)*in])
		}
	}
	b := len(t.batch)
	qOn := t.fwdOnline.Run(t.nextX, b)
	best := t.best[:b]
	for i := range b {
		best[i] = argmax(qOn[i*na:(i+1)*na], nil)
	}
	qTg := t.fwdTarget.Run(t.nextX, b)
	if t.norm == 0 {
		t.norm = t.rewardStd()
	}
	for i, tr := range t.batch {
		g.y[i] = tr.Scaled() / t.norm
		if !tr.Done && tr.Next != nil {
			g.y[i] += t.Cfg.Gamma * qTg[i*na+best[i]]
		}
	}
	loss, err := g.run()
	if err != nil {
		return err
	}
	models.ClipGlobalNorm(g.grads, t.Cfg.ClipNorm)
	t.adam.Step(t.Q.Net.Data, g.grads)
	g.zeroGrads()
	t.updates++
	if len(t.firstLosses) < 16 {
		t.firstLosses = append(t.firstLosses, loss)
	}
	t.lossSum += loss
	t.lossN++
	if t.updates%t.Cfg.TargetSync == 0 {
		t.target.CopyFrom(t.Q.Net)
	}
	return nil
}

// Run trains for Cfg.Episodes episodes, Cfg.Parallel at a time, and
// returns the learning curve. emit gets a row at every evaluation. The
// replay buffer takes every transition in which something happened (an
// invocation finished, or a charge was made: idle and pre-warmed
// capacity count); an epoch without arrival, instance or charge, most
// epochs of a rare function, teaches nothing about the provider. The
// network kept is the one of the best held-out evaluation (model selection
// on the validation window; the first evaluation is of the untrained
// network, so training that does not help leaves it).
func (t *DQNTrainer) Run(ctx context.Context, emit func(Row)) (*models.Curve, error) {
	c := t.Cfg
	pr := &progress{now: t.now, start: t.now(), total: c.Episodes, emit: emit, explore: "epsilon"}
	greedy := func() Actor { return t.actor(0, 0) }
	var trainSum float64
	trainN := 0
	nextEval := 0
	var best *MLP // the weights of the best held-out evaluation
	for ep := 0; ep < c.Episodes; {
		if ep >= nextEval {
			r, err := t.work.evaluate(ctx, t.src, c.EvalEpisodes, greedy)
			if err != nil {
				return nil, err
			}
			row := Row{Episode: ep, TrainReward: meanOf(trainSum, trainN), EvalReward: r, Explore: c.epsilon(ep, c.Episodes), Updates: t.updates,
				Loss: meanOf(t.lossSum, t.lossN)}
			if pr.add(row) {
				best = t.Q.Net.Clone()
			}
			trainSum, trainN, t.lossSum, t.lossN = 0, 0, 0, 0
			nextEval = ep + c.EvalEvery
		}
		tss, err := t.work.trainRound(ctx, t.src, ep, c.Episodes, func(k int) Actor { return t.actor(c.epsilon(k, c.Episodes), uint64(k)+1) })
		if err != nil {
			return nil, err
		}
		for _, ts := range tss {
			for i := range ts {
				trainSum += ts[i].Reward
				trainN++
				if !ts[i].Finished && ts[i].Reward == 0 {
					continue // nothing happened: no arrival, no instance, no charge
				}
				t.replay.Add(&ts[i])
				t.stored++
				if t.replay.Len() >= c.Warmup && t.stored%c.UpdateEvery == 0 {
					if err := t.update(); err != nil {
						return nil, err
					}
				}
			}
		}
		ep += len(tss)
	}
	r, err := t.work.evaluate(ctx, t.src, c.EvalEpisodes, greedy)
	if err != nil {
		return nil, err
	}
	row := Row{Episode: c.Episodes, TrainReward: meanOf(trainSum, trainN), EvalReward: r, Explore: c.epsilon(c.Episodes, c.Episodes), Updates: t.updates,
		Loss: meanOf(t.lossSum, t.lossN)}
	if pr.add(row) {
		best = t.Q.Net.Clone()
	}
	if !pr.haveBest {
		return nil, errNoEvaluation
	}
	t.Q.Net.CopyFrom(best)
	pr.keepBest(t.Q.Meta)
	return curveOf(pr.rows, pr.explore), nil
}

// rewardStd is the standard deviation of the scaled rewards in the replay
// buffer (1 if they are all equal): the DQN learns Q-values in its units,
// fixed at the first update, so that the Huber loss's quadratic part (errors
// under 1) covers most errors and it regresses on the mean, not the median,
// of rewards whose tail is long (epochs of a rare function whose idle
// instance's carbon is shared by one or two invocations). Dividing every
// reward by one positive constant leaves the greedy actions unchanged.
func (t *DQNTrainer) rewardStd() float64 {
	var s, s2 float64
	n := float64(t.replay.Len())
	for i := range t.replay.Len() {
		r := t.replay.At(i).Scaled()
		s += r
		s2 += r * r
	}
	v := s2/n - (s/n)*(s/n)
	if !(v > 0) {
		return 1
	}
	t.Q.Meta["reward_std"] = fmt.Sprintf("%.6g", math.Sqrt(v))
	return math.Sqrt(v)
}
