package rl

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/skyfaas/skyfaas/models"
	"github.com/skyfaas/skyfaas/sim"
)

// Checkpoint kinds.
const (
	KindDQN = "dqn"
	KindPPO = "ppo"
)

// netConfig is a learner's configuration as its checkpoint stores it: the
// shape (which fixes the features and actions), the networks' sizes, and
// the objective whose weights and references scale the outcome features.
type netConfig struct {
	Shape     Shape                `json:"shape"`
	Sizes     [][]int              `json:"sizes"` // per network, input..output
	Objective sim.ObjectiveWeights `json:"objective_weights"`
	Reference objectiveRef         `json:"objective_reference"`
}

type objectiveRef struct {
	CostUSD  float64 `json:"cost_usd"`
	LatencyU int64   `json:"latency_us"`
	CarbonG  float64 `json:"carbon_g"`
}

func (c netConfig) objective() sim.Objective {
	return sim.Objective{Weights: c.Objective, Reference: sim.Terms{CostUSD: c.Reference.CostUSD, Latency: sim.Duration(c.Reference.LatencyU), CarbonG: c.Reference.CarbonG}}
}

func writeNets(w io.Writer, kind string, s Shape, obj sim.Objective, meta map[string]string, nets map[string]*MLP, order []string) error {
	c := netConfig{Shape: s, Objective: obj.Weights,
		Reference: objectiveRef{CostUSD: obj.Reference.CostUSD, LatencyU: int64(obj.Reference.Latency), CarbonG: obj.Reference.CarbonG}}
	ck := models.Checkpoint{Kind: kind, Meta: meta}
	for _, name := range order {
		c.Sizes = append(c.Sizes, nets[name].Sizes)
		ck.Tensors = append(ck.Tensors, nets[name].tensors(name)...)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	ck.Config = b
	return ck.Write(w)
}

// readNets reads a checkpoint of kind with the named networks, checking
// that its configuration and weights agree.
func readNets(r io.Reader, kind string, layer Layer, names ...string) (netConfig, []*MLP, map[string]string, error) {
	var c netConfig
	ck, err := models.ReadCheckpoint(r, kind)
	if err != nil {
		return c, nil, nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", models.ErrCheckpoint, fmt.Sprintf(format, a...))
	}
	if err := json.Unmarshal(ck.Config, &c); err != nil {
		return c, nil, nil, bad("configuration: %v", err)
	}
	if c.Shape.Layer != layer {
		return c, nil, nil, bad("a %s learner, want %s", c.Shape.Layer, layer)
	}
	if err := c.Shape.check(); err != nil {
		return c, nil, nil, bad("%v", err)
	}
	if err := c.objective().Check(); err != nil {
		return c, nil, nil, bad("%v", err)
	}
	if len(c.Sizes) != len(names) {
		return c, nil, nil, bad("%d networks, want %d", len(c.Sizes), len(names))
	}
	// Every size is checked against the shape, the limits and the tensors
	// the file holds before a network is allocated (a small header must not
	// ask for gigabytes).
	held := 0
	for _, t := range ck.Tensors {
		held += len(t.Data)
	}
	need := 0
	for k, name := range names {
		s := c.Sizes[k]
		want := c.Shape.Actions()
		if name == "critic" {
			want = 1
		}
		if len(s) < 2 || len(s) > maxLayers+1 || s[0] != c.Shape.Inputs() || s[len(s)-1] != want {
			return c, nil, nil, bad("network %s has sizes %v; its shape needs %d inputs, %d outputs and at most %d layers", name, s, c.Shape.Inputs(), want, maxLayers)
		}
		for l := range len(s) - 1 {
			if s[l+1] < 1 || s[l+1] > maxWidth {
				return c, nil, nil, bad("network %s has a layer of width %d (1..%d)", name, s[l+1], maxWidth)
			}
			need += (s[l] + 1) * s[l+1]
		}
	}
	if need != held {
		return c, nil, nil, bad("the configuration needs %d weights, the file holds %d", need, held)
	}
	var nets []*MLP
	for k, name := range names {
		m, err := NewMLP(nil, c.Sizes[k]...)
		if err != nil {
			return c, nil, nil, bad("%v", err)
		}
		if err := m.load(ck, name); err != nil {
			return c, nil, nil, err
		}
		nets = append(nets, m)
	}
	if want := 2 * (len(slices.Concat(c.Sizes...)) - len(c.Sizes)); len(ck.Tensors) != want {
		return c, nil, nil, bad("%d tensors, the configuration needs %d", len(ck.Tensors), want)
	}
	return c, nets, ck.Meta, nil
}

// WriteQNet writes q as a "dqn" checkpoint.
func WriteQNet(w io.Writer, q *QNet, obj sim.Objective) error {
	return writeNets(w, KindDQN, q.Shape, obj, q.Meta, map[string]*MLP{"q": q.Net}, []string{"q"})
}

// ReadQNet reads a "dqn" checkpoint and the objective it was trained with.
func ReadQNet(r io.Reader) (*QNet, sim.Objective, error) {
	c, nets, meta, err := readNets(r, KindDQN, Strategic, "q")
	if err != nil {
		return nil, sim.Objective{}, err
	}
	return &QNet{Shape: c.Shape, Net: nets[0], Meta: meta}, c.objective(), nil
}

// WritePolicyNet writes p as a "ppo" checkpoint.
func WritePolicyNet(w io.Writer, p *PolicyNet, obj sim.Objective) error {
	return writeNets(w, KindPPO, p.Shape, obj, p.Meta, map[string]*MLP{"actor": p.Actor, "critic": p.Critic}, []string{"actor", "critic"})
}

// ReadPolicyNet reads a "ppo" checkpoint and the objective it was trained
// with.
func ReadPolicyNet(r io.Reader) (*PolicyNet, sim.Objective, error) {
	c, nets, meta, err := readNets(r, KindPPO, Tactical, "actor", "critic")
	if err != nil {
		return nil, sim.Objective{}, err
	}
	return &PolicyNet{Shape: c.Shape, Actor: nets[0], Critic: nets[1], Meta: meta}, c.objective(), nil
}
