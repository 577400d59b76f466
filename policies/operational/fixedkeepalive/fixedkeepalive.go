// Package fixedkeepalive keeps idle instances for a fixed time.
package fixedkeepalive

import (
	"fmt"
	"time"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "fixed-keepalive"

// Summary describes the policy in one line.
const Summary = "no pre-warming, idle instances kept for a fixed time (setting: keepalive, default 10m as AWS in 2020)"

// DefaultKeepAlive is the fixed keep-alive AWS Lambda used in 2020 (Shahrad
// et al., ATC'20: "AWS and Azure use a fixed keep-alive policy ... 10 and 20
// minutes").
const DefaultKeepAlive = 10 * time.Minute

// Config is the policy's settings.
type Config struct {
	KeepAlive time.Duration `toml:"keepalive"`
}

// Policy is the fixed keep-alive operational baseline.
type Policy struct {
	name string
	ka   sim.Duration
}

var (
	_ sim.Operational = (*Policy)(nil)
	_ sim.Stationary  = (*Policy)(nil)
)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Operational, error) {
	c := Config{KeepAlive: DefaultKeepAlive}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if c.KeepAlive < 0 {
		return nil, fmt.Errorf("keepalive: must not be negative (got %v)", c.KeepAlive)
	}
	return &Policy{name: fmt.Sprintf("%s:%v", Name, c.KeepAlive), ka: sim.FromStd(c.KeepAlive)}, nil
}

func (p *Policy) Name() string                                                 { return p.name }
func (p *Policy) Decide(*sim.OperationalObservation, []sim.PoolDecision) error { return nil }

// Stationary sets the fixed keep-alive everywhere.
func (p *Policy) Stationary() sim.PoolDecision { return sim.PoolDecision{KeepAlive: p.ka} }
