package rl

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Policy names and summaries in scenarios.
const (
	DQNName    = "dqn"
	DQNSummary = "the provider with the highest Q-value of a double DQN trained on the simulator (greedy; checkpoint: shipped or a file)"
	PPOName    = "ppo"
	PPOSummary = "the region and memory size of highest probability under a PPO policy trained on the simulator (greedy, invalid actions masked; checkpoint: shipped or a file)"
)

// Shipped names the embedded checkpoints, trained on the default scenario
// by `skyfaas train dqn|ppo` with its [train.dqn]/[train.ppo] settings.
const Shipped = "shipped"

// policyConfig is both policies' settings.
type policyConfig struct {
	// Checkpoint is "shipped" (default) or a file relative to the scenario.
	Checkpoint string `toml:"checkpoint"`
}

// openCheckpoint returns the checkpoint's bytes: the embedded one, or the
// file from the scenario's directory.
func openCheckpoint(args policy.Args, env policy.Env, shipped []byte) (io.Reader, string, error) {
	c := policyConfig{Checkpoint: Shipped}
	if err := args.Decode(&c); err != nil {
		return nil, "", err
	}
	if c.Checkpoint == Shipped {
		return bytes.NewReader(shipped), c.Checkpoint, nil
	}
	if env.Files == nil {
		return nil, c.Checkpoint, fmt.Errorf("checkpoint %q: no scenario directory to read it from", c.Checkpoint)
	}
	b, err := fs.ReadFile(env.Files, c.Checkpoint)
	if err != nil {
		return nil, c.Checkpoint, fmt.Errorf("checkpoint %q: %w", c.Checkpoint, err)
	}
	return bytes.NewReader(b), c.Checkpoint, nil
}

// DQNPolicy is the strategic DQN, greedy: each function goes to the
// provider of highest Q-value, one preallocated batch-1 forward pass per
// function.
type DQNPolicy struct {
	q    *QNet
	feat *Featurizer
	fwd  *Forward
	x    []float64
}

var _ sim.Strategic = (*DQNPolicy)(nil)

// NewDQNPolicy builds the policy from its checkpoint.
func NewDQNPolicy(args policy.Args, env policy.Env) (sim.Strategic, error) {
	r, name, err := openCheckpoint(args, env, shippedDQN)
	if err != nil {
		return nil, err
	}
	q, obj, err := ReadQNet(r)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %q: %w", name, err)
	}
	return newDQNPolicy(q, obj, env.Catalog)
}

func newDQNPolicy(q *QNet, obj sim.Objective, cat *sim.Catalog) (*DQNPolicy, error) {
	f, err := NewFeaturizer(q.Shape, cat, obj)
	if err != nil {
		return nil, err
	}
	return &DQNPolicy{q: q, feat: f, fwd: NewForward(q.Net, 1), x: make([]float64, q.Shape.Inputs())}, nil
}

func (p *DQNPolicy) Name() string { return DQNName }

// Providers picks each function's provider.
func (p *DQNPolicy) Providers(obs *sim.StrategicObservation, out []sim.ProviderID) error {
	p.feat.Observe(obs)
	for i := range out {
		p.feat.Features(obs, i, out[i], p.x, nil)
		out[i] = sim.ProviderID(argmax(p.fwd.Run(p.x, 1), nil))
	}
	return nil
}

// PPOPolicy is the tactical PPO, greedy: each function takes the valid
// action of highest probability.
type PPOPolicy struct {
	net  *PolicyNet
	feat *Featurizer
	fwd  *Forward
	x    []float64
	mask []bool
}

var _ sim.Tactical = (*PPOPolicy)(nil)

// NewPPOPolicy builds the policy from its checkpoint.
func NewPPOPolicy(args policy.Args, env policy.Env) (sim.Tactical, error) {
	r, name, err := openCheckpoint(args, env, shippedPPO)
	if err != nil {
		return nil, err
	}
	n, obj, err := ReadPolicyNet(r)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %q: %w", name, err)
	}
	return newPPOPolicy(n, obj, env.Catalog)
}

func newPPOPolicy(n *PolicyNet, obj sim.Objective, cat *sim.Catalog) (*PPOPolicy, error) {
	f, err := NewFeaturizer(n.Shape, cat, obj)
	if err != nil {
		return nil, err
	}
	return &PPOPolicy{net: n, feat: f, fwd: NewForward(n.Actor, 1), x: make([]float64, n.Shape.Inputs()), mask: make([]bool, n.Shape.Actions())}, nil
}

func (p *PPOPolicy) Name() string { return PPOName }

// Placements picks each function's region and memory size.
func (p *PPOPolicy) Placements(obs *sim.TacticalObservation, out []sim.Placement) error {
	p.feat.Observe(obs)
	for i := range out {
		prov := out[i].Provider
		p.feat.Features(obs, i, prov, p.x, p.mask)
		a := argmax(p.fwd.Run(p.x, 1), p.mask)
		if a < 0 {
			return fmt.Errorf("function %d has no valid placement on %s", i, obs.Catalog.Providers[prov].Name)
		}
		out[i] = p.feat.Placement(obs, i, prov, a)
	}
	return nil
}
