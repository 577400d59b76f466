package rl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/sim"
)

// Run holds the settings both learners share: how many training episodes,
// how many run at once, the seed, and the evaluation on held-out windows
// that the learning curve reports.
type Run struct {
	// Episodes is the number of training episodes.
	Episodes int `toml:"episodes"`
	// Parallel is how many episodes run at once, each on its own engine
	// and goroutine; the learner updates between such rounds, so the
	// result does not depend on scheduling.
	Parallel int `toml:"parallel"`
	// Seed seeds the weights, exploration and minibatches (the episodes'
	// workloads are seeded by the caller).
	Seed uint64 `toml:"seed"`
	// EvalEvery is how many training episodes pass between evaluations of
	// the greedy policy on the EvalEpisodes held-out episodes.
	EvalEvery    int `toml:"eval_every"`
	EvalEpisodes int `toml:"eval_episodes"`
}

// DefaultRun: 2 episodes at once (the project's machines have 2 cores).
func DefaultRun() Run {
	return Run{Episodes: 120, Parallel: 2, Seed: 1, EvalEvery: 10, EvalEpisodes: 4}
}

func (r Run) validate() error {
	var errs []string
	if r.Episodes < 1 || r.Episodes > 1_000_000 {
		errs = append(errs, fmt.Sprintf("episodes must be in 1..1000000 (got %d)", r.Episodes))
	}
	if r.Parallel < 1 || r.Parallel > 256 {
		errs = append(errs, fmt.Sprintf("parallel must be in 1..256 (got %d)", r.Parallel))
	}
	if r.EvalEvery < 1 {
		errs = append(errs, fmt.Sprintf("eval_every must be at least 1 (got %d)", r.EvalEvery))
	}
	if r.EvalEpisodes < 1 || r.EvalEpisodes > 1000 {
		errs = append(errs, fmt.Sprintf("eval_episodes must be in 1..1000 (got %d)", r.EvalEpisodes))
	}
	return joinErrs(errs)
}

func joinErrs(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}

// Episodes builds the configurations of episodes: training episode i
// (0, 1, ...) on an early window of the trace, evaluation episode i on a
// held-out later one. The learner's layer must have no policy in them.
type Episodes interface {
	Train(i int) (sim.Config, error)
	Eval(i int) (sim.Config, error)
}

// Row is one evaluation's line of progress and of the learning curve.
type Row struct {
	Episode int // training episodes done
	// TrainReward is the mean reward per transition of the training
	// episodes since the last row (exploring); EvalReward that of the
	// greedy policy on the held-out episodes.
	TrainReward, EvalReward float64
	Loss                    float64 // mean loss of the updates since the last row
	Explore                 float64 // DQN: epsilon; PPO: mean policy entropy (nats)
	ExploreName             string  // "epsilon" or "entropy"
	Updates                 int
	Elapsed                 time.Duration
	ETA                     time.Duration
}

func (r Row) String() string {
	return fmt.Sprintf("episode %d: train reward %.4f, held-out reward %.4f, loss %.4g, %s, %d updates, %s elapsed, ETA %s",
		r.Episode, r.TrainReward, r.EvalReward, r.Loss, r.exploreName(), r.Updates, r.Elapsed.Round(time.Second), r.ETA.Round(time.Second))
}

func (r Row) exploreName() string { return fmt.Sprintf("%s %.3f", r.ExploreName, r.Explore) }

// curveOf turns rows into a learning curve (one row per evaluation).
func curveOf(rows []Row, explore string) *models.Curve {
	c := &models.Curve{Names: []string{"train_reward", "eval_reward", "loss", explore}}
	for _, r := range rows {
		c.Add(models.Epoch{Epoch: r.Episode, Values: []float64{r.TrainReward, r.EvalReward, r.Loss, r.Explore}, Elapsed: r.Elapsed})
	}
	return c
}

// episodeResult is what one episode of a round gave.
type episodeResult struct {
	ts  []Transition
	err error
}

// workers runs the episodes of a round, one engine and goroutine each.
type workers struct {
	eps []*Episode
}

func newWorkers(n int, shape Shape, cat *sim.Catalog, obj sim.Objective) (*workers, error) {
	w := &workers{}
	for range n {
		f, err := NewFeaturizer(shape, cat, obj)
		if err != nil {
			return nil, err
		}
		w.eps = append(w.eps, &Episode{Feat: f, Obj: obj})
	}
	return w, nil
}

// round runs len(cfgs) episodes at once with actors[k] (one per episode)
// and returns their transitions in episode order.
func (w *workers) round(ctx context.Context, cfgs []sim.Config, actors []Actor) ([][]Transition, error) {
	res := make([]episodeResult, len(cfgs))
	var wg sync.WaitGroup
	for k := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts, _, err := w.eps[k].Run(ctx, cfgs[k], actors[k])
			res[k] = episodeResult{ts: ts, err: err}
		}()
	}
	wg.Wait()
	out := make([][]Transition, len(cfgs))
	for k, r := range res {
		if r.err != nil {
			return nil, r.err
		}
		out[k] = r.ts
	}
	return out, nil
}

// meanReward is the mean reward per transition.
func meanReward(tss [][]Transition) float64 {
	var s float64
	n := 0
	for _, ts := range tss {
		for i := range ts {
			s += ts[i].Reward
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// evaluate runs the held-out episodes with actor makers (greedy) and
// returns the mean reward per transition.
func (w *workers) evaluate(ctx context.Context, src Episodes, n int, greedy func() Actor) (float64, error) {
	var all [][]Transition
	for i := 0; i < n; i += len(w.eps) {
		var cfgs []sim.Config
		var actors []Actor
		for k := i; k < min(n, i+len(w.eps)); k++ {
			cfg, err := src.Eval(k)
			if err != nil {
				return 0, err
			}
			cfgs = append(cfgs, cfg)
			actors = append(actors, greedy())
		}
		tss, err := w.round(ctx, cfgs, actors)
		if err != nil {
			return 0, err
		}
		all = append(all, tss...)
	}
	return meanReward(all), nil
}

// progress tracks rows and the ETA.
type progress struct {
	now   func() time.Time
	start time.Time
	total int
	rows  []Row
	emit  func(Row)
	// explore names the exploration column.
	explore  string
	best     Row // the evaluation of the best held-out reward
	haveBest bool
}

// errNoEvaluation: no held-out evaluation gave a reward to select by.
var errNoEvaluation = errors.New("rl: no held-out evaluation had a transition: the eval_window holds no decision of the learner's layer")

// keepBest records in meta which evaluation's weights the trainer kept.
func (p *progress) keepBest(meta map[string]string) {
	meta["best_episode"] = fmt.Sprint(p.best.Episode)
	meta["best_eval_reward"] = fmt.Sprintf("%.6g", p.best.EvalReward)
	meta["final_eval_reward"] = fmt.Sprintf("%.6g", p.rows[len(p.rows)-1].EvalReward)
	meta["episodes"] = fmt.Sprint(p.total)
}

// add records an evaluation's row and reports whether its held-out reward
// is the best so far (the trainers keep that evaluation's weights).
func (p *progress) add(r Row) (best bool) {
	r.ExploreName = p.explore
	if !math.IsNaN(r.EvalReward) && (!p.haveBest || r.EvalReward > p.best.EvalReward) {
		p.best, p.haveBest, best = r, true, true
	}
	r.Elapsed = p.now().Sub(p.start)
	if r.Episode > 0 {
		r.ETA = time.Duration(float64(r.Elapsed) * float64(p.total-r.Episode) / float64(r.Episode))
	}
	p.rows = append(p.rows, r)
	if p.emit != nil {
		p.emit(r)
	}
	return best
}

// argmax returns the index of the largest of q among the valid (mask nil:
// all), the first on ties.
func argmax(q []float64, mask []bool) int {
	best := -1
	for a, v := range q {
		if mask != nil && !mask[a] {
			continue
		}
		if best < 0 || v > q[best] {
			best = a
		}
	}
	return best
}

// meanOf is s/n, NaN if n is 0.
func meanOf(s float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// shapeOf is the shape of layer l on the catalog of src's first training
// episode, which the trainers build their networks and workers for.
func shapeOf(src Episodes, l Layer) (Shape, *sim.Catalog, error) {
	first, err := src.Train(0)
	if err != nil {
		return Shape{}, nil, err
	}
	shape, err := ShapeOf(l, first.Catalog)
	return shape, first.Catalog, err
}

// trainRound runs training episodes from, from+1, ... (at most one per
// worker, none past total) with actor(k) for episode k, and returns their
// transitions in episode order.
func (w *workers) trainRound(ctx context.Context, src Episodes, from, total int, actor func(k int) Actor) ([][]Transition, error) {
	var cfgs []sim.Config
	var actors []Actor
	for k := from; k < min(total, from+len(w.eps)); k++ {
		cfg, err := src.Train(k)
		if err != nil {
			return nil, err
		}
		cfgs = append(cfgs, cfg)
		actors = append(actors, actor(k))
	}
	return w.round(ctx, cfgs, actors)
}
