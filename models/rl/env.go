package rl

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/skyfaas/skyfaas/sim"
)

// The environment: the simulator, stepped through its caller-driven API
// (sim.Engine.Next/Advance) with the learner's layer external and the
// other layers played by the policies of the episode's configuration.
//
// A transition is one function over one epoch of the learner's layer: the
// observation at the epoch's start (Features), the action taken, the
// reward (Objective.Reward of the function's Outcome over the epoch:
// every charge attributed to it, pre-warmed and idle capacity included,
// and the SLA term), and the observation at the next epoch's start. The
// epoch's outcome is the next decision's FunctionView.Window (or, after
// the last epoch, Ready.StrategicWindow/TacticalWindow at PhaseDone). The
// last epoch of an episode is marked Done: the window ends there, and the
// learners do not bootstrap past it.

// Transition is one function over one epoch.
type Transition struct {
	Fn     int32
	Epoch  int32
	Action int32
	Reward float64
	Done   bool
	// Finished: some invocation of the function finished during the epoch
	// (see Finished).
	Finished bool
	warm     bool // the epoch ended within the run's warm-up: nothing of it was measured
	Obs      []float64
	Next     []float64 // nil when Done
	Mask     []bool    // tactical: the valid actions at Obs
	NextMask []bool
	// Scale is the function's reward scale at Obs (Featurizer.Scale): the
	// learners learn from Reward/Scale.
	Scale float64
	// LogP and Value are the PPO actor's log-probability of Action and the
	// critic's value of Obs when the action was taken.
	LogP, Value float64
}

// Scaled is the reward the learners learn from.
func (t *Transition) Scaled() float64 { return t.Reward / t.Scale }

// Actor chooses the actions of one decision: n rows of observations x
// (n×Inputs) and, for the tactical layer, masks (n×Actions); it writes an
// action per row, and for PPO the log-probability and value of each.
type Actor interface {
	Act(x []float64, mask []bool, n int, actions []int32, logp, value []float64) error
}

// Episode runs one episode of the environment.
type Episode struct {
	Feat *Featurizer
	// Obj scores outcomes into rewards.
	Obj sim.Objective

	eng      *sim.Engine
	x        []float64
	mask     []bool
	actions  []int32
	logp, vl []float64
	pending  []int // per function, its open transition in out, or -1
	epoch    int32
}

// Run plays one episode of cfg (whose learner layer must have no policy)
// with actor, and returns its transitions in order (epoch by epoch,
// function by function within an epoch) and the run's metrics (valid until
// the next Run).
func (ep *Episode) Run(ctx context.Context, cfg sim.Config, actor Actor) ([]Transition, *sim.Metrics, error) {
	layer := ep.Feat.Shape.Layer
	if (layer == Strategic && cfg.Strategic != nil) || (layer == Tactical && cfg.Tactical != nil) {
		return nil, nil, fmt.Errorf("rl: the episode's %s layer has a policy; the learner must decide it", layer)
	}
	if ep.eng == nil {
		e, err := sim.New(cfg)
		if err != nil {
			return nil, nil, err
		}
		ep.eng = e
	} else if err := ep.eng.Reset(cfg); err != nil {
		return nil, nil, err
	}
	ep.Feat.Reset()
	warmEnd := cfg.Start.Add(cfg.Warmup)
	ep.epoch = 0
	ep.pending = ep.pending[:0]
	in, na := ep.Feat.Shape.Inputs(), ep.Feat.Shape.Actions()
	var out []Transition
	for {
		r, err := ep.eng.Next(ctx)
		if err != nil {
			return nil, nil, err
		}
		switch r.Phase {
		case sim.PhaseDone:
			win := r.StrategicWindow
			if layer == Tactical {
				win = r.TacticalWindow
			}
			for f, k := range ep.pending {
				if k >= 0 {
					t := &out[k]
					t.Reward = ep.Obj.Reward(win[f])
					t.Finished = Finished(win[f])
					t.Done = true
				}
			}
			// Epochs within the warm-up have no outcome (the ledger drops
			// it): their zero reward would be the best any action gets.
			out = slices.DeleteFunc(out, func(t Transition) bool { return t.warm })
			return out, ep.eng.Metrics(), nil
		case sim.PhaseStrategic, sim.PhaseTactical:
			if (r.Phase == sim.PhaseStrategic) != (layer == Strategic) {
				return nil, nil, fmt.Errorf("rl: the engine asks a %v decision of the learner of the %s layer", r.Phase, layer)
			}
		default:
			return nil, nil, fmt.Errorf("rl: the engine asks a %v decision of the learner of the %s layer (give that layer a policy)", r.Phase, layer)
		}
		obs := r.Functions
		n := len(obs.Functions)
		ep.Feat.Observe(obs)
		ep.x = resize(ep.x, n*in)
		ep.actions = resize(ep.actions, n)
		ep.logp, ep.vl = resize(ep.logp, n), resize(ep.vl, n)
		if layer == Tactical {
			ep.mask = resize(ep.mask, n*na)
		}
		for i := range n {
			var m []bool
			if layer == Tactical {
				m = ep.mask[i*na : (i+1)*na]
			}
			x := ep.x[i*in : (i+1)*in]
			ep.Feat.Features(obs, i, ep.provider(r, i), x, m)
			for k, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, nil, fmt.Errorf("rl: feature %d of function %d is %v at %v", k, i, v, r.Now)
				}
			}
		}
		baseline, isBaseline := actor.(*PolicyActor)
		if isBaseline {
			if err := baseline.decide(r); err != nil {
				return nil, nil, err
			}
		} else if err := actor.Act(ep.x, ep.mask, n, ep.actions, ep.logp, ep.vl); err != nil {
			return nil, nil, err
		}
		if len(ep.pending) != n {
			ep.pending = make([]int, n)
			for i := range ep.pending {
				ep.pending[i] = -1
			}
		}
		for i := range n {
			a := ep.actions[i]
			if isBaseline {
				a = -1
			} else if a < 0 || int(a) >= na || (layer == Tactical && !ep.mask[i*na+int(a)]) {
				return nil, nil, fmt.Errorf("rl: the learner chose the invalid action %d for function %d", a, i)
			}
			x := append([]float64(nil), ep.x[i*in:(i+1)*in]...)
			var m []bool
			if layer == Tactical {
				m = append([]bool(nil), ep.mask[i*na:(i+1)*na]...)
			}
			if k := ep.pending[i]; k >= 0 {
				t := &out[k]
				t.Reward = ep.Obj.Reward(obs.Functions[i].Window)
				t.Finished = Finished(obs.Functions[i].Window)
				t.Next, t.NextMask = x, m
				t.warm = r.Now <= warmEnd
			}
			ep.pending[i] = len(out)
			out = append(out, Transition{Fn: int32(i), Epoch: ep.epoch, Action: a, Obs: x, Mask: m, LogP: ep.logp[i], Value: ep.vl[i],
				Scale: ep.Feat.Scale(obs, i)})
			switch {
			case isBaseline:
			case layer == Strategic:
				r.Providers[i] = sim.ProviderID(a)
			default:
				r.Placements[i] = ep.Feat.Placement(obs, i, r.Placements[i].Provider, int(a))
			}
		}
		ep.epoch++
		if err := ep.eng.Advance(); err != nil {
			return nil, nil, err
		}
	}
}

// provider is function i's provider for the features: the current one
// (strategic) or the one the strategic layer chose (tactical).
func (ep *Episode) provider(r *sim.Ready, i int) sim.ProviderID {
	if r.Phase == sim.PhaseTactical {
		return r.Placements[i].Provider
	}
	return r.Providers[i]
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// PolicyActor plays a baseline policy in the learner's place, for the
// reference rewards of the learning curve: its decisions are the policy's
// (transitions carry Action -1, nothing to learn from).
type PolicyActor struct {
	Strategic sim.Strategic
	Tactical  sim.Tactical
}

// Act is never called: Episode.Run asks the policy itself.
func (*PolicyActor) Act([]float64, []bool, int, []int32, []float64, []float64) error {
	return fmt.Errorf("rl: PolicyActor.Act called")
}

func (p *PolicyActor) decide(r *sim.Ready) error {
	if r.Phase == sim.PhaseStrategic {
		if p.Strategic == nil {
			return fmt.Errorf("rl: PolicyActor without a strategic policy")
		}
		return p.Strategic.Providers(r.Functions, r.Providers)
	}
	if p.Tactical == nil {
		return fmt.Errorf("rl: PolicyActor without a tactical policy")
	}
	return p.Tactical.Placements(r.Functions, r.Placements)
}

// BaselineReward plays each configuration's own policy of layer l (taken
// out of the configuration and played through the environment) and
// returns the mean reward per transition over all of them: the learning
// curve's reference for a baseline, on the learner's held-out episodes.
func BaselineReward(ctx context.Context, l Layer, obj sim.Objective, cfgs []sim.Config) (float64, error) {
	var all [][]Transition
	for _, cfg := range cfgs {
		pa := &PolicyActor{Strategic: cfg.Strategic, Tactical: cfg.Tactical}
		if l == Strategic {
			cfg.Strategic = nil
		} else {
			cfg.Tactical = nil
		}
		shape, err := ShapeOf(l, cfg.Catalog)
		if err != nil {
			return 0, err
		}
		f, err := NewFeaturizer(shape, cfg.Catalog, obj)
		if err != nil {
			return 0, err
		}
		ts, _, err := (&Episode{Feat: f, Obj: obj}).Run(ctx, cfg, pa)
		if err != nil {
			return 0, err
		}
		all = append(all, ts)
	}
	return meanReward(all), nil
}
