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

// PPOConfig is the tactical learner's settings ([train.ppo] in a
// scenario): PPO with the clipped objective (Schulman et al. 2017),
// separate actor and critic networks, generalised advantage estimation,
// an entropy bonus, and invalid actions masked out of the softmax.
type PPOConfig struct {
	Run
	Hidden       []int   `toml:"hidden"`
	Gamma        float64 `toml:"gamma"`
	Lambda       float64 `toml:"lambda"`
	LearningRate float64 `toml:"learning_rate"`
	// Clip is the surrogate's clip range ε.
	Clip        float64 `toml:"clip"`
	ValueCoef   float64 `toml:"value_coef"`
	EntropyCoef float64 `toml:"entropy_coef"`
	// Batch is the minibatch size; Epochs the passes over each round's
	// transitions.
	Batch    int     `toml:"batch"`
	Epochs   int     `toml:"epochs"`
	ClipNorm float64 `toml:"clip_norm"`
}

// DefaultPPO returns the defaults of Schulman et al. (2017) and the
// common PPO implementations (clip 0.2, GAE λ 0.95, value coefficient 0.5,
// entropy 0.01, learning rate 3e-4, gradient norm 0.5, applied to actor
// and critic apart); γ 0.5 as the DQN's (a placement shows in the epoch it
// governs), and 2 passes of minibatches of 64 (each round holds ~13 k
// transitions on the default scenario).
func DefaultPPO() PPOConfig {
	r := DefaultRun()
	r.Episodes = 100
	return PPOConfig{Run: r, Hidden: []int{128, 128}, Gamma: 0.5, Lambda: 0.95, LearningRate: 3e-4, Clip: 0.2,
		ValueCoef: 0.5, EntropyCoef: 0.01, Batch: 64, Epochs: 2, ClipNorm: 0.5}
}

func (c PPOConfig) validate() error {
	var errs []string
	if err := c.Run.validate(); err != nil {
		errs = append(errs, err.Error())
	}
	errs = append(errs, checkHidden(c.Hidden)...)
	if !(c.Gamma >= 0 && c.Gamma < 1) || !(c.Lambda >= 0 && c.Lambda <= 1) {
		errs = append(errs, fmt.Sprintf("gamma must be in [0, 1) and lambda in [0, 1] (got %v, %v)", c.Gamma, c.Lambda))
	}
	if !(c.LearningRate > 0 && c.LearningRate <= 1) {
		errs = append(errs, fmt.Sprintf("learning_rate must be in (0, 1] (got %v)", c.LearningRate))
	}
	if !(c.Clip > 0 && c.Clip < 1) {
		errs = append(errs, fmt.Sprintf("clip must be in (0, 1) (got %v)", c.Clip))
	}
	if !(c.ValueCoef >= 0 && c.EntropyCoef >= 0 && c.ValueCoef <= 100 && c.EntropyCoef <= 100) {
		errs = append(errs, fmt.Sprintf("value_coef and entropy_coef must be in [0, 100] (got %v, %v)", c.ValueCoef, c.EntropyCoef))
	}
	if c.Batch < 1 || c.Batch > 65536 || c.Epochs < 1 || c.Epochs > 100 {
		errs = append(errs, fmt.Sprintf("batch must be in 1..65536 and epochs in 1..100 (got %d, %d)", c.Batch, c.Epochs))
	}
	if !(c.ClipNorm > 0) {
		errs = append(errs, fmt.Sprintf("clip_norm must be positive (got %v)", c.ClipNorm))
	}
	return joinErrs(errs)
}

// PolicyNet is a trained (or training) PPO actor and critic with their
// shape.
type PolicyNet struct {
	Shape  Shape
	Actor  *MLP
	Critic *MLP
	Meta   map[string]string
}

// maskedSoftmax writes the probabilities of the valid actions of logits
// to p (0 for the invalid ones) and returns log Σ exp over the valid.
func maskedSoftmax(logits []float64, mask []bool, p []float64) float64 {
	m := math.Inf(-1)
	for a, l := range logits {
		if mask[a] && l > m {
			m = l
		}
	}
	var z float64
	for a, l := range logits {
		p[a] = 0
		if mask[a] {
			p[a] = math.Exp(l - m)
			z += p[a]
		}
	}
	for a := range p {
		p[a] /= z
	}
	return m + math.Log(z)
}

// piActor samples from (or, greedy, takes the mode of) the masked policy.
type piActor struct {
	actor, critic *Forward
	in, na        int
	greedy        bool
	rng           *rand.Rand
	p             []float64
}

func (a *piActor) Act(x []float64, mask []bool, n int, actions []int32, logp, value []float64) error {
	for i := range n {
		xi := x[i*a.in : (i+1)*a.in]
		m := mask[i*a.na : (i+1)*a.na]
		l := a.actor.Run(xi, 1)
		lse := maskedSoftmax(l, m, a.p)
		act := argmax(l, m)
		if !a.greedy {
			u := a.rng.Float64()
			for k, pk := range a.p {
				if !m[k] {
					continue
				}
				act = k
				if u < pk {
					break
				}
				u -= pk
			}
		}
		if act < 0 {
			return fmt.Errorf("rl: no valid action for row %d", i)
		}
		actions[i] = int32(act)
		if logp != nil {
			logp[i] = l[act] - lse
			value[i] = a.critic.Run(xi, 1)[0]
		}
	}
	return nil
}

// PPOTrainer trains a PPO policy on the environment.
type PPOTrainer struct {
	Cfg   PPOConfig
	Net   *PolicyNet
	graph *ppoGraph
	adam  *models.Adam
	rng   *rand.Rand
	work  *workers
	src   Episodes
	now   func() time.Time

	fwd         *Forward // the actor over a minibatch (the graph's shifts)
	updates     int
	firstLosses []float64
}

// NewPPOTrainer prepares training on src's episodes.
func NewPPOTrainer(cfg PPOConfig, src Episodes, obj sim.Objective, now func() time.Time) (*PPOTrainer, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("train.ppo: %w", err)
	}
	shape, cat, err := shapeOf(src, Tactical)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x990))
	layers := func(out int) []int { return slices.Concat([]int{shape.Inputs()}, cfg.Hidden, []int{out}) }
	actor, err := NewMLP(rng, layers(shape.Actions())...)
	if err != nil {
		return nil, err
	}
	critic, err := NewMLP(rng, layers(1)...)
	if err != nil {
		return nil, err
	}
	t := &PPOTrainer{Cfg: cfg, Net: &PolicyNet{Shape: shape, Actor: actor, Critic: critic, Meta: map[string]string{}},
		rng: rng, src: src, now: now}
	t.adam = models.NewAdam(cfg.LearningRate, append(actor.sizes(), critic.sizes()...))
	if t.graph, err = newPPOGraph(actor, critic, cfg.Batch, ppoLoss{Clip: cfg.Clip, ValueCoef: cfg.ValueCoef, EntropyCoef: cfg.EntropyCoef}); err != nil {
		return nil, err
	}
	if t.work, err = newWorkers(cfg.Parallel, shape, cat, obj); err != nil {
		return nil, err
	}
	t.fwd = NewForward(actor, cfg.Batch)
	return t, nil
}

// Close releases the graph.
func (t *PPOTrainer) Close() { t.graph.close() }

func (t *PPOTrainer) actor(greedy bool, seed uint64) Actor {
	s := t.Net.Shape
	return &piActor{actor: NewForward(t.Net.Actor.Clone(), 1), critic: NewForward(t.Net.Critic.Clone(), 1),
		in: s.Inputs(), na: s.Actions(), greedy: greedy, rng: rand.New(rand.NewPCG(t.Cfg.Seed, seed)), p: make([]float64, s.Actions())}
}

// advantages computes GAE over each function's trajectory in each
// episode, and returns every transition with its advantage (normalised
// over the round) and return.
func (t *PPOTrainer) advantages(tss [][]Transition) (all []*Transition, adv, ret []float64) {
	for _, ts := range tss {
		byFn := map[int32][]*Transition{}
		var order []int32
		for i := range ts {
			f := ts[i].Fn
			if _, ok := byFn[f]; !ok {
				order = append(order, f)
			}
			byFn[f] = append(byFn[f], &ts[i])
		}
		for _, f := range order {
			traj := byFn[f]
			a, r := make([]float64, len(traj)), make([]float64, len(traj))
			GAE(traj, 0, t.Cfg.Gamma, t.Cfg.Lambda, a, r)
			all = append(all, traj...)
			adv = append(adv, a...)
			ret = append(ret, r...)
		}
	}
	var mean, sq float64
	for _, a := range adv {
		mean += a
	}
	mean /= float64(max(len(adv), 1))
	for _, a := range adv {
		sq += (a - mean) * (a - mean)
	}
	std := math.Sqrt(sq/float64(max(len(adv), 1))) + 1e-8
	for i := range adv {
		adv[i] = (adv[i] - mean) / std
	}
	return all, adv, ret
}

// update runs Cfg.Epochs passes of minibatches over a round's
// transitions and returns the mean loss and entropy.
func (t *PPOTrainer) update(all []*Transition, adv, ret []float64) (loss, entropy float64, err error) {
	in, na := t.Net.Shape.Inputs(), t.Net.Shape.Actions()
	g := t.graph
	b := t.Cfg.Batch
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	n := 0
	params := append(append([][]float64{}, t.Net.Actor.Data...), t.Net.Critic.Data...)
	for range t.Cfg.Epochs {
		t.rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for s := 0; s+b <= len(idx); s += b {
			clear(g.act)
			for r, k := range idx[s : s+b] {
				tr := all[k]
				copy(g.x[r*in:], tr.Obs)
				for a, ok := range tr.Mask {
					g.mask[r*na+a] = 0
					if ok {
						g.mask[r*na+a] = 1
					}
				}
				g.act[r*na+int(tr.Action)] = 1
				g.oldLogP[r], g.adv[r], g.ret[r] = tr.LogP, adv[k], ret[k]
			}
			g.setShift(t.fwd)
			l, err := g.run()
			if err != nil {
				return 0, 0, err
			}
			// Actor and critic clipped apart: the critic's gradient, on
			// returns of tens of units, would otherwise dominate the norm
			// and starve the policy's.
			models.ClipGlobalNorm(g.grads[:g.nActor], t.Cfg.ClipNorm)
			models.ClipGlobalNorm(g.grads[g.nActor:], t.Cfg.ClipNorm)
			t.adam.Step(params, g.grads)
			g.zeroGrads()
			t.updates++
			if len(t.firstLosses) < 16 {
				t.firstLosses = append(t.firstLosses, l)
			}
			loss += l
			entropy += g.ent.Data().(float64)
			n++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), nil
	}
	return loss / float64(n), entropy / float64(n), nil
}

// Run trains for Cfg.Episodes episodes: rounds of Cfg.Parallel episodes
// sampled from the current policy, each followed by the PPO update. The
// networks kept are those of the best held-out evaluation (as the DQN's).
func (t *PPOTrainer) Run(ctx context.Context, emit func(Row)) (*models.Curve, error) {
	c := t.Cfg
	pr := &progress{now: t.now, start: t.now(), total: c.Episodes, emit: emit, explore: "entropy"}
	greedy := func() Actor { return t.actor(true, 0) }
	var trainSum, lossSum, entSum float64
	trainN, lossN := 0, 0
	var bestActor, bestCritic *MLP // the weights of the best held-out evaluation
	flush := func(ep int) error {
		r, err := t.work.evaluate(ctx, t.src, c.EvalEpisodes, greedy)
		if err != nil {
			return err
		}
		row := Row{Episode: ep, TrainReward: meanOf(trainSum, trainN), EvalReward: r, Updates: t.updates,
			Loss: meanOf(lossSum, lossN), Explore: meanOf(entSum, lossN)}
		if pr.add(row) {
			bestActor, bestCritic = t.Net.Actor.Clone(), t.Net.Critic.Clone()
		}
		trainSum, trainN, lossSum, entSum, lossN = 0, 0, 0, 0, 0
		return nil
	}
	nextEval := 0
	for ep := 0; ep < c.Episodes; {
		if ep >= nextEval {
			if err := flush(ep); err != nil {
				return nil, err
			}
			nextEval = ep + c.EvalEvery
		}
		tss, err := t.work.trainRound(ctx, t.src, ep, c.Episodes, func(k int) Actor { return t.actor(false, uint64(k)+1) })
		if err != nil {
			return nil, err
		}
		for _, ts := range tss {
			for i := range ts {
				trainSum += ts[i].Reward
				trainN++
			}
		}
		all, adv, ret := t.advantages(tss)
		l, e, err := t.update(all, adv, ret)
		if err != nil {
			return nil, err
		}
		if !math.IsNaN(l) {
			lossSum += l
			entSum += e
			lossN++
		}
		ep += len(tss)
	}
	if err := flush(c.Episodes); err != nil {
		return nil, err
	}
	if !pr.haveBest {
		return nil, errNoEvaluation
	}
	t.Net.Actor.CopyFrom(bestActor)
	t.Net.Critic.CopyFrom(bestCritic)
	pr.keepBest(t.Net.Meta)
	return curveOf(pr.rows, pr.explore), nil
}
