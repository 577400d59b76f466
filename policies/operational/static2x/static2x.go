// Package static2x pre-warms twice the concurrency of the last interval.
package static2x

import (
	"fmt"
	"math"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "static-2x"

// Summary describes the policy in one line.
const Summary = "pre-warm factor (default 2) × the last interval's mean concurrency, rounded up; provider keep-alive"

// Config is the policy's settings.
type Config struct {
	Factor float64 `toml:"factor"`
}

// Policy over-provisions by a static factor: the mean concurrency of the
// interval that just ended (busy instance-time / interval, Little's law)
// times Factor, rounded up, is held pre-warmed for the next interval.
type Policy struct{ factor float64 }

var _ sim.Operational = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Operational, error) {
	c := Config{Factor: 2}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if !(c.Factor > 0 && c.Factor <= 100) {
		return nil, fmt.Errorf("factor: must be in (0, 100] (got %v)", c.Factor)
	}
	return &Policy{factor: c.Factor}, nil
}

func (p *Policy) Name() string { return Name }

// Decide sets the pre-warm targets.
func (p *Policy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range obs.Pools {
		conc := float64(obs.Pools[i].BusyTime) / float64(obs.Interval)
		out[i] = sim.PoolDecision{Prewarm: int(math.Ceil(p.factor*conc - 1e-9)), KeepAlive: sim.ProviderKeepAlive}
	}
	return nil
}
