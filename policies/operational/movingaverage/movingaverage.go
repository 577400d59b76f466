// Package movingaverage pre-warms the moving average of recent concurrency.
package movingaverage

import (
	"fmt"
	"math"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "moving-average"

// Summary describes the policy in one line.
const Summary = "pre-warm the mean concurrency of the last window intervals (default 12, the LSTM's input length), rounded up; provider keep-alive"

// Config is the policy's settings.
type Config struct {
	Window int `toml:"window"`
}

// Policy predicts the next interval's concurrency as the mean of the last
// Window intervals' mean concurrency (per function, so a move keeps its
// history) and holds that many instances pre-warmed, rounded up.
type Policy struct {
	window  int
	history map[sim.FunctionID]*ring
}

type ring struct {
	v   []float64
	i   int
	n   int
	sum float64
}

var _ sim.Operational = (*Policy)(nil)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Operational, error) {
	c := Config{Window: 12}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if c.Window < 1 || c.Window > 10000 {
		return nil, fmt.Errorf("window: must be in 1..10000 intervals (got %d)", c.Window)
	}
	return &Policy{window: c.Window, history: map[sim.FunctionID]*ring{}}, nil
}

func (p *Policy) Name() string { return Name }

// Decide sets the pre-warm targets.
func (p *Policy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range obs.Pools {
		v := &obs.Pools[i]
		r := p.history[v.Function]
		if r == nil {
			r = &ring{v: make([]float64, p.window)}
			p.history[v.Function] = r
		}
		conc := float64(v.BusyTime) / float64(obs.Interval)
		r.sum += conc - r.v[r.i]
		r.v[r.i] = conc
		r.i = (r.i + 1) % len(r.v)
		r.n = min(r.n+1, len(r.v))
		mean := math.Max(0, r.sum/float64(r.n))
		out[i] = sim.PoolDecision{Prewarm: int(math.Ceil(mean - 1e-9)), KeepAlive: sim.ProviderKeepAlive}
	}
	return nil
}
