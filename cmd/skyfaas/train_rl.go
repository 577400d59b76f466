package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/models/lstm"
	"github.com/skyfaas/skyfaas/models/rl"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// rlWindows is what [train.dqn] and [train.ppo] add to the learners'
// settings: the arm whose policies play the other layers, and the windows.
type rlWindows struct {
	// Arm plays the layers the learner does not (default: the first arm).
	// Its policy for the learner's own layer is not used.
	Arm string `toml:"arm"`
	// TrainWindow is the span of trace time training episodes come from;
	// each episode is EpisodeLength long (default: the whole span) at a
	// start drawn on whole minutes, on its own seed.
	TrainWindow   *scenarios.WindowSpec `toml:"train_window"`
	EpisodeLength scenarios.Duration    `toml:"episode_length"`
	// EvalWindow is the held-out span the learning curve's evaluation
	// episodes replay (each on its own seed, never a training one).
	EvalWindow *scenarios.WindowSpec `toml:"eval_window"`
	// Baselines are arms whose policy of the learner's layer the learning
	// curve shows for reference, each played as its arm is configured on
	// the held-out episodes (default: every arm whose policy there is not
	// a learned one).
	Baselines []string `toml:"baselines"`
}

// Replication numbers of the learners' episodes: far from the 0..N-1 of a
// sweep's replications, so no evaluation replays a training workload.
const (
	trainReplication0 = 1_000_000
	evalReplication0  = 2_000_000
)

// rlEpisodes builds the learners' episodes from a scenario.
type rlEpisodes struct {
	plan  *scenarios.Plan
	eps   *scenarios.Episodes
	arm   int
	layer rl.Layer
	w     rlWindows
}

func (e *rlEpisodes) config(rep int, win *scenarios.WindowSpec) (sim.Config, error) {
	cfg, err := e.eps.Config(e.arm, e.plan.Seed(), rep, win)
	if err != nil {
		return cfg, err
	}
	if e.layer == rl.Strategic {
		cfg.Strategic = nil
	} else {
		cfg.Tactical = nil
	}
	return cfg, nil
}

// Train is training episode i: its own replication (seed stream) and, if
// the episode is shorter than the training window, a start drawn from it.
func (e *rlEpisodes) Train(i int) (sim.Config, error) {
	win := *e.w.TrainWindow
	if l := e.w.EpisodeLength; l > 0 && l < win.To-win.From {
		r := rand.New(rand.NewPCG(e.plan.Seed(), uint64(trainReplication0+i)))
		minutes := int64((win.To - win.From - l) / scenarios.Duration(time.Minute))
		win.From += scenarios.Duration(r.Int64N(minutes+1)) * scenarios.Duration(time.Minute)
		win.To = win.From + l
	}
	return e.config(trainReplication0+i, &win)
}

// Eval is evaluation episode i on the held-out window.
func (e *rlEpisodes) Eval(i int) (sim.Config, error) {
	return e.config(evalReplication0+i, e.w.EvalWindow)
}

// loadRLEpisodes reads the [train.<kind>] table into the learner's
// settings (s, a pointer to its config with the defaults filled) and the
// windows.
func loadRLEpisodes(plan *scenarios.Plan, kind string, layer rl.Layer, s any) (*rlEpisodes, error) {
	table := plan.Scenario.Train[kind]
	if table == nil {
		return nil, plan.Errorf("train."+kind, "missing: the scenario has no [train.%s] table (it names the training and held-out windows)", kind)
	}
	// The learner's settings and the windows share the table: decode each
	// from it, ignoring the other's keys.
	var w rlWindows
	mine := map[string]any{}
	theirs := map[string]any{}
	for k, v := range table {
		switch k {
		case "arm", "train_window", "episode_length", "eval_window", "baselines":
			mine[k] = v
		default:
			theirs[k] = v
		}
	}
	if err := scenarios.Args(mine).Decode(&w); err != nil {
		return nil, plan.Errorf("train."+kind, "%v", err)
	}
	if err := scenarios.Args(theirs).Decode(s); err != nil {
		return nil, plan.Errorf("train."+kind, "%v", err)
	}
	if w.TrainWindow == nil || w.EvalWindow == nil {
		return nil, plan.Errorf("train."+kind, "train_window and eval_window must be set (training on early trace time, evaluating on later)")
	}
	if w.EvalWindow.From < w.TrainWindow.To {
		return nil, plan.Errorf("train."+kind+".eval_window", "starts at %v, before train_window ends (%v): the held-out window must come later", w.EvalWindow.From, w.TrainWindow.To)
	}
	if test := plan.Scenario.Simulation.Window; test != nil && w.EvalWindow.To > test.From {
		return nil, plan.Errorf("train."+kind+".eval_window", "ends at %v, after simulation.window starts (%v): the window the arms are measured on must not be seen in training or model selection", w.EvalWindow.To, test.From)
	}
	if w.EpisodeLength < 0 {
		return nil, plan.Errorf("train."+kind+".episode_length", "must not be negative (got %v)", w.EpisodeLength)
	}
	arm, err := armIndex(plan, w.Arm, "train."+kind+".arm")
	if err != nil {
		return nil, err
	}
	eps, err := plan.Episodes()
	if err != nil {
		return nil, err
	}
	return &rlEpisodes{plan: plan, eps: eps, arm: arm, layer: layer, w: w}, nil
}

func runTrainRL(ctx context.Context, kind, path, out string, stdout, stderr io.Writer) error {
	plan, err := scenarios.Load(path, registry())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	obj := plan.Objective()
	start := time.Now()
	var (
		curve *models.Curve
		meta  map[string]string
		write func(io.Writer) error
		src   *rlEpisodes
	)
	emit := func(r rl.Row) { fmt.Fprintln(stderr, r) }
	var refs []models.Ref
	switch kind {
	case "dqn":
		cfg := rl.DefaultDQN()
		if src, err = loadRLEpisodes(plan, kind, rl.Strategic, &cfg); err != nil {
			return err
		}
		if refs, err = src.references(ctx, obj, cfg.EvalEpisodes, stderr); err != nil {
			return err
		}
		t, err := rl.NewDQNTrainer(cfg, src, obj, time.Now)
		if err != nil {
			return err
		}
		defer t.Close()
		fmt.Fprintf(stderr, "training the strategic DQN: %d inputs, hidden %v, %d actions, %d parameters; %d episodes (%d at once), seed %d\n",
			t.Q.Shape.Inputs(), cfg.Hidden, t.Q.Shape.Actions(), t.Q.Net.Count(), cfg.Episodes, cfg.Parallel, cfg.Seed)
		if curve, err = t.Run(ctx, emit); err != nil {
			return err
		}
		meta = t.Q.Meta
		write = func(w io.Writer) error { return rl.WriteQNet(w, t.Q, obj) }
	default:
		cfg := rl.DefaultPPO()
		if src, err = loadRLEpisodes(plan, kind, rl.Tactical, &cfg); err != nil {
			return err
		}
		if refs, err = src.references(ctx, obj, cfg.EvalEpisodes, stderr); err != nil {
			return err
		}
		t, err := rl.NewPPOTrainer(cfg, src, obj, time.Now)
		if err != nil {
			return err
		}
		defer t.Close()
		fmt.Fprintf(stderr, "training the tactical PPO: %d inputs, hidden %v, %d actions, %d parameters; %d episodes (%d at once), seed %d\n",
			t.Net.Shape.Inputs(), cfg.Hidden, t.Net.Shape.Actions(), t.Net.Actor.Count()+t.Net.Critic.Count(), cfg.Episodes, cfg.Parallel, cfg.Seed)
		if curve, err = t.Run(ctx, emit); err != nil {
			return err
		}
		meta = t.Net.Meta
		write = func(w io.Writer) error { return rl.WritePolicyNet(w, t.Net, obj) }
	}
	curve.Refs = refs
	meta["scenario"] = plan.Scenario.Name
	meta["skyfaas"] = version()
	meta["arm"] = plan.Arms[src.arm].Name
	meta["train_window"] = fmt.Sprintf("[%v, %v)", src.w.TrainWindow.From, src.w.TrainWindow.To)
	meta["eval_window"] = fmt.Sprintf("[%v, %v)", src.w.EvalWindow.From, src.w.EvalWindow.To)
	meta["train_seconds"] = fmt.Sprintf("%.1f", time.Since(start).Seconds())
	ckpt := filepath.Join(out, kind+".ckpt")
	if err := writeFileAtomic(ckpt, write); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if err := writeFileAtomic(filepath.Join(out, "curve.csv"), curve.WriteCSV); err != nil {
		return err
	}
	title := fmt.Sprintf("%s learning curve (%s; held-out %s)", kind, plan.Scenario.Name, meta["eval_window"])
	if err := writeFileAtomic(filepath.Join(out, "curve.png"), func(w io.Writer) error {
		return curve.WritePanels(w, title, "training episodes")
	}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "trained in %s: %s, curve in %s\n", time.Since(start).Round(time.Second), ckpt, filepath.Join(out, "curve.csv"))
	return nil
}

// learnedPolicies names the learned policies, which are not baselines.
var learnedPolicies = map[string]bool{rl.DQNName: true, rl.PPOName: true, lstm.PolicyName: true}

// references plays the baseline arms on the held-out episodes and returns
// their mean reward per decision, the learning curve's reference lines.
func (e *rlEpisodes) references(ctx context.Context, obj sim.Objective, n int, stderr io.Writer) ([]models.Ref, error) {
	names := e.w.Baselines
	if names == nil {
		for _, a := range e.plan.Arms {
			spec := a.Strategic
			if e.layer == rl.Tactical {
				spec = a.Tactical
			}
			if !learnedPolicies[spec.Name] {
				names = append(names, a.Name)
			}
		}
	}
	var refs []models.Ref
	for _, name := range names {
		arm, err := armIndex(e.plan, name, "baselines")
		if err != nil {
			return nil, err
		}
		var cfgs []sim.Config
		for i := range n {
			cfg, err := e.eps.Config(arm, e.plan.Seed(), evalReplication0+i, e.w.EvalWindow)
			if err != nil {
				return nil, err
			}
			cfgs = append(cfgs, cfg)
		}
		r, err := rl.BaselineReward(ctx, e.layer, obj, cfgs)
		if err != nil {
			return nil, fmt.Errorf("baseline %s: %w", name, err)
		}
		fmt.Fprintf(stderr, "held-out reward of baseline %s: %.4f\n", name, r)
		refs = append(refs, models.Ref{Series: "eval_reward", Name: name, Value: r})
	}
	return refs, nil
}
