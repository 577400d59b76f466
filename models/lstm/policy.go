package lstm

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io/fs"
	"math"
	"time"

	"github.com/skyfaas/skyfaas/policies/operational/movingaverage"
	"github.com/skyfaas/skyfaas/policies/operational/providerdefault"
	"github.com/skyfaas/skyfaas/policies/operational/static2x"
	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// PolicyName is the operational policy's name in scenarios.
const PolicyName = "lstm"

// PolicySummary describes the policy in one line.
const PolicySummary = "pre-warm headroom (default 1) × the LSTM's predicted concurrency of the next interval, rounded up; pools with under 12 intervals of history fall back to a baseline (default moving-average)"

// Shipped names the checkpoint embedded in the binary: trained on the
// default scenario by `skyfaas train lstm` with its [train.lstm] settings.
const Shipped = "shipped"

//go:embed shipped/default.ckpt
var shippedCheckpoint []byte

// ShippedModel returns the embedded checkpoint's model.
func ShippedModel() (*Model, error) { return Read(bytes.NewReader(shippedCheckpoint)) }

// PolicyConfig is the policy's settings.
type PolicyConfig struct {
	// Checkpoint is "shipped" (default) or a file relative to the scenario.
	Checkpoint string `toml:"checkpoint"`
	// Headroom multiplies the predicted concurrency before rounding up.
	Headroom float64 `toml:"headroom"`
	// Fallback decides for pools with too little history: moving-average
	// (default), static-2x or provider-default.
	Fallback string `toml:"fallback"`
	// QuietKeepAlive, if set (a Go duration, "0s" allowed), is the idle
	// keep-alive of pools expected to receive under half an invocation in
	// the next interval; otherwise every pool keeps the provider's.
	QuietKeepAlive string `toml:"quiet_keepalive"`
}

// Policy is the LSTM operational policy. Each tick it appends every pool's
// features of the interval just ended to that pool's history; every pool
// with Window intervals of history is predicted in one batched forward
// pass, and its decision is
//
//	pre-warm   = ceil(headroom × predicted mean concurrency next interval)
//	keep-alive = the provider's, or QuietKeepAlive if set and the predicted
//	             arrivals of the next interval (rate × tick) are below 0.5.
//
// The others take the fallback's decision. A pool whose identifier is
// reused for another function or placement starts a new history.
type Policy struct {
	m        *Model
	f        *Forward
	headroom float64
	quiet    sim.Duration // < 0: none
	fallback sim.Operational
	hist     map[int32]*poolHistory
	gen      uint64
	x        [][]float64
	out      []float64
	rows     []int // pools with a full history
	slot     []int // per row, its distinct window
	first    []int // per distinct window, the first pool that has it
	stats    []*Stats
	uniq     map[string]int
	key      []byte
	noDedupe bool // tests: predict every pool

	predicted, distinct int64 // pools predicted, distinct windows run
}

type poolHistory struct {
	fn  sim.FunctionID
	pl  sim.Placement
	raw []Raw // ring
	i   int
	n   int
	gen uint64
}

var _ sim.Operational = (*Policy)(nil)

// NewPolicy builds the policy.
func NewPolicy(args policy.Args, env policy.Env) (sim.Operational, error) {
	c := PolicyConfig{Checkpoint: Shipped, Headroom: 1, Fallback: movingaverage.Name}
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	if !(c.Headroom > 0 && c.Headroom <= 100) {
		return nil, fmt.Errorf("headroom: must be in (0, 100] (got %v)", c.Headroom)
	}
	var m *Model
	var err error
	if c.Checkpoint == Shipped {
		m, err = ShippedModel()
	} else {
		if env.Files == nil {
			return nil, fmt.Errorf("checkpoint %q: no scenario directory to read it from", c.Checkpoint)
		}
		var b []byte
		if b, err = fs.ReadFile(env.Files, c.Checkpoint); err == nil {
			m, err = Read(bytes.NewReader(b))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint %q: %w", c.Checkpoint, err)
	}
	if env.Tick > 0 && m.Meta["tick"] != "" && m.Meta["tick"] != env.Tick.String() {
		return nil, fmt.Errorf("checkpoint %q was trained on %s intervals, the scenario's tick is %s", c.Checkpoint, m.Meta["tick"], env.Tick)
	}
	p := &Policy{m: m, f: NewForward(m.Config, m.Params, 64), headroom: c.Headroom, quiet: -1, hist: map[int32]*poolHistory{}, uniq: map[string]int{}}
	if c.QuietKeepAlive != "" {
		d, err := time.ParseDuration(c.QuietKeepAlive)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("quiet_keepalive: must be a non-negative duration (got %q)", c.QuietKeepAlive)
		}
		p.quiet = sim.Duration(d / time.Microsecond)
	}
	switch c.Fallback {
	case movingaverage.Name:
		p.fallback, err = movingaverage.New(policy.NoArgs{}, env)
	case static2x.Name:
		p.fallback, err = static2x.New(policy.NoArgs{}, env)
	case providerdefault.Name:
		p.fallback, err = providerdefault.New(policy.NoArgs{}, env)
	default:
		return nil, fmt.Errorf("fallback: must be %s, %s or %s (got %q)", movingaverage.Name, static2x.Name, providerdefault.Name, c.Fallback)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Policy) Name() string { return PolicyName }

// Decide sets every pool's pre-warm target and keep-alive.
func (p *Policy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	if err := p.fallback.Decide(obs, out); err != nil {
		return err
	}
	W := p.m.Config.Window
	p.gen++
	p.rows = p.rows[:0]
	for i := range obs.Pools {
		v := &obs.Pools[i]
		h := p.hist[v.Pool]
		if h == nil || h.fn != v.Function || h.pl != v.Placement {
			h = &poolHistory{fn: v.Function, pl: v.Placement, raw: make([]Raw, W)}
			p.hist[v.Pool] = h
		}
		prov := &obs.Catalog.Providers[v.Placement.Provider]
		h.raw[h.i] = FromView(v, obs.Now, obs.Interval, prov.Memory[v.Placement.Memory].MB)
		h.i = (h.i + 1) % W
		h.n = min(h.n+1, W)
		h.gen = p.gen
		if h.n == W {
			p.rows = append(p.rows, i)
		}
	}
	for k, h := range p.hist { // pools gone since the last tick
		if h.gen != p.gen {
			delete(p.hist, k)
		}
	}
	if len(p.rows) == 0 {
		return nil
	}
	// Pools whose 12 intervals of raw features are identical get the same
	// prediction under a global normalisation (most often: idle pools,
	// whose only non-zero feature is the time of day, shared by the tick):
	// each distinct window is predicted once. Per-pool normalisation
	// predicts every pool.
	clear(p.uniq)
	p.slot = p.slot[:0]
	p.first = p.first[:0]
	for _, i := range p.rows {
		v := &obs.Pools[i]
		h := p.hist[v.Pool]
		slot := len(p.first)
		if p.m.Norm.Mode == NormGlobal && !p.noDedupe {
			p.key = p.key[:0]
			for t := range W {
				for _, x := range h.raw[(h.i+t)%W] {
					p.key = binary.LittleEndian.AppendUint64(p.key, math.Float64bits(x))
				}
			}
			if s, ok := p.uniq[string(p.key)]; ok {
				p.slot = append(p.slot, s)
				continue
			}
			p.uniq[string(p.key)] = slot
		}
		p.slot = append(p.slot, slot)
		p.first = append(p.first, i)
	}
	n := len(p.first)
	p.predicted += int64(len(p.rows))
	p.distinct += int64(n)
	if len(p.x) == 0 || len(p.x[0]) < n*NumFeatures {
		p.x = p.x[:0]
		for range W {
			p.x = append(p.x, make([]float64, 2*n*NumFeatures))
		}
		p.out = make([]float64, 2*n*NumTargets)
	}
	p.stats = p.stats[:0]
	for b, i := range p.first {
		v := &obs.Pools[i]
		h := p.hist[v.Pool]
		st := &p.m.Norm.Global
		if p.m.Norm.Mode == NormPerPool {
			prov := &obs.Catalog.Providers[v.Placement.Provider]
			st = p.m.Norm.For(PoolKey{v.Function, prov.Name, prov.Regions[v.Placement.Region].Name, int32(prov.Memory[v.Placement.Memory].MB)})
		}
		p.stats = append(p.stats, st)
		for t := range W {
			st.Normalise(&h.raw[(h.i+t)%W], p.x[t][b*NumFeatures:])
		}
	}
	p.f.Run(p.x, n, p.out)
	for r, i := range p.rows {
		b := p.slot[r]
		st := p.stats[b]
		conc := st.Target(FeatCPU, p.out[b*NumTargets+FeatCPU])
		rate := st.Target(FeatRate, p.out[b*NumTargets+FeatRate])
		pre := math.Ceil(p.headroom*conc - 1e-9)
		if !(pre >= 0) { // NaN
			pre = 0
		}
		d := sim.PoolDecision{Prewarm: int(math.Min(pre, sim.MaxPrewarm)), KeepAlive: sim.ProviderKeepAlive}
		if p.quiet >= 0 && rate*obs.Interval.Seconds() < 0.5 {
			d.KeepAlive = p.quiet
		}
		out[i] = d
	}
	return nil
}
