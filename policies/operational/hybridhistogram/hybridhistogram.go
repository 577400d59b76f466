// Package hybridhistogram is the hybrid histogram keep-alive and pre-warming
// policy of Shahrad et al., "Serverless in the Wild", USENIX ATC 2020 (§4),
// with the parameters of its open reproduction in dslab
// (osukhoroslov/dslab, crates/dslab-faas/src/extra/hybrid_histogram.rs):
// a 4-hour histogram of idle times in 1-minute bins, pre-warm at the 5th
// percentile less 10 %, keep alive to the 99th percentile plus 10 %, the
// histogram trusted when the coefficient of variation of its bin counts is
// at least 2, and a time-series forecast when half or more of the idle
// times fall beyond the histogram's range.
//
// Two differences, both stated in the README: the idle times are kept per
// function (the paper keeps them per application), and the forecast for
// out-of-range idle times is ARIMA(0,1,0), i.e. the last idle time, where
// the paper fits an ARIMA model.
package hybridhistogram

import (
	"fmt"
	"math"
	"time"

	"github.com/skyfaas/skyfaas/policies/policy"
	"github.com/skyfaas/skyfaas/sim"
)

// Name is the policy's name in scenarios.
const Name = "hybrid-histogram"

// Summary describes the policy in one line.
const Summary = "Shahrad et al. ATC'20: idle-time histogram per function sets a pre-warm window (5th pct) and a keep-alive window (99th pct)"

// Config is the policy's settings; the defaults are the paper's.
type Config struct {
	Range        time.Duration `toml:"range"`
	Bin          time.Duration `toml:"bin"`
	Head         float64       `toml:"head_percentile"`
	Tail         float64       `toml:"tail_percentile"`
	Margin       float64       `toml:"margin"`
	ForecastMarg float64       `toml:"forecast_margin"`
	CVThreshold  float64       `toml:"cv_threshold"`
	OOBThreshold float64       `toml:"oob_threshold"`
}

// DefaultConfig returns the paper's parameters.
func DefaultConfig() Config {
	return Config{Range: 4 * time.Hour, Bin: time.Minute, Head: 5, Tail: 99, Margin: 0.10,
		ForecastMarg: 0.15, CVThreshold: 2, OOBThreshold: 0.5}
}

// Policy is the hybrid histogram operational policy.
type Policy struct {
	c        Config
	bin      sim.Duration
	rangeDur sim.Duration
	fns      map[sim.FunctionID]*histogram
}

// histogram is one function's idle-time record.
type histogram struct {
	bins  []uint32
	sum   int    // idle times within range
	sumSq uint64 // Σ count² over the bins, exact
	oob   int    // idle times beyond range
	last  sim.Duration
	// windows, recomputed at the first tick after a new idle time
	dirty            bool
	prewarm, aliveTo sim.Duration
	uncertain        bool
}

var (
	_ sim.Operational      = (*Policy)(nil)
	_ sim.IdleTimeObserver = (*Policy)(nil)
)

// New builds the policy.
func New(args policy.Args, _ policy.Env) (sim.Operational, error) {
	c := DefaultConfig()
	if err := args.Decode(&c); err != nil {
		return nil, err
	}
	switch {
	case c.Bin <= 0 || c.Range < c.Bin || c.Range/c.Bin > 100000:
		return nil, fmt.Errorf("range and bin: need 0 < bin <= range and at most 100000 bins (got range %v, bin %v)", c.Range, c.Bin)
	case !(c.Head >= 0 && c.Head <= c.Tail && c.Tail <= 100):
		return nil, fmt.Errorf("head_percentile and tail_percentile: need 0 <= head <= tail <= 100 (got %v, %v)", c.Head, c.Tail)
	case !(c.Margin >= 0 && c.Margin < 1) || !(c.ForecastMarg >= 0 && c.ForecastMarg < 1):
		return nil, fmt.Errorf("margin and forecast_margin: must be in [0, 1)")
	case !(c.CVThreshold >= 0) || !(c.OOBThreshold >= 0 && c.OOBThreshold <= 1):
		return nil, fmt.Errorf("cv_threshold must be >= 0 and oob_threshold in [0, 1]")
	}
	return &Policy{c: c, bin: sim.FromStd(c.Bin), rangeDur: sim.FromStd(c.Range), fns: map[sim.FunctionID]*histogram{}}, nil
}

func (p *Policy) Name() string { return Name }

func (p *Policy) hist(f sim.FunctionID) *histogram {
	h := p.fns[f]
	if h == nil {
		h = &histogram{bins: make([]uint32, int(p.rangeDur/p.bin)), uncertain: true}
		p.fns[f] = h
	}
	return h
}

// ObserveIdleTime records one idle time of function f.
func (p *Policy) ObserveIdleTime(f sim.FunctionID, idle sim.Duration) {
	h := p.hist(f)
	h.last = idle
	h.dirty = true
	b := int(idle / p.bin)
	if b >= len(h.bins) {
		h.oob++
		return
	}
	h.sumSq += 2*uint64(h.bins[b]) + 1 // (c+1)² - c²
	h.bins[b]++
	h.sum++
}

// windows recomputes the pre-warm and keep-alive windows of h.
func (p *Policy) windows(h *histogram) {
	h.dirty = false
	total := h.sum + h.oob
	if total == 0 {
		h.uncertain = true
		return
	}
	if float64(h.oob)/float64(total) >= p.c.OOBThreshold {
		// ARIMA(0,1,0): the next idle time is forecast as the last one.
		f := float64(h.last)
		h.uncertain = false
		h.prewarm = sim.Duration(f * (1 - p.c.ForecastMarg))
		h.aliveTo = sim.Duration(f * (1 + p.c.ForecastMarg))
		return
	}
	// Coefficient of variation of the bin counts (sample standard deviation
	// over the mean), from Σc² and Σc.
	n := float64(len(h.bins))
	mean := float64(h.sum) / n
	cv := 0.0
	if mean > 0 && n > 1 {
		ss := math.Max(0, float64(h.sumSq)-float64(h.sum)*mean)
		cv = math.Sqrt(ss/(n-1)) / mean
	}
	if cv < p.c.CVThreshold {
		h.uncertain = true
		return
	}
	h.uncertain = false
	head, tail := p.percentile(h, p.c.Head), p.percentile(h, p.c.Tail)
	h.prewarm = sim.Duration(float64(head) * float64(p.bin) * (1 - p.c.Margin))
	h.aliveTo = sim.Duration(float64(tail+1) * float64(p.bin) * (1 + p.c.Margin))
}

// percentile returns the bin holding the q-th percentile of idle times.
func (p *Policy) percentile(h *histogram, q float64) int {
	seen := 0
	for i, c := range h.bins {
		seen += int(c)
		if float64(seen) >= q/100*float64(h.sum) && seen > 0 {
			return i
		}
	}
	return len(h.bins) - 1
}

// Decide turns each function's windows into this interval's decision: with
// no pre-warm window, keep idle instances for the keep-alive window; with
// one, unload after execution and hold one pre-warmed instance from the tick
// before the pre-warm window opens until the keep-alive window closes,
// measured from the function's last completion.
func (p *Policy) Decide(obs *sim.OperationalObservation, out []sim.PoolDecision) error {
	for i := range obs.Pools {
		v := &obs.Pools[i]
		h := p.hist(v.Function)
		if h.dirty {
			p.windows(h)
		}
		switch {
		case h.uncertain:
			out[i] = sim.PoolDecision{KeepAlive: p.rangeDur}
		case h.prewarm <= 0:
			out[i] = sim.PoolDecision{KeepAlive: h.aliveTo}
		default:
			d := sim.PoolDecision{KeepAlive: 0}
			if v.Busy == 0 && v.Queued == 0 && v.LastFinish >= 0 {
				idle := obs.Now.Sub(v.LastFinish)
				if idle+obs.Interval >= h.prewarm && idle < h.aliveTo {
					d.Prewarm = 1
				}
			}
			out[i] = d
		}
	}
	return nil
}
