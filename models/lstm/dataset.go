package lstm

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/skyfaas/skyfaas/sim"
)

// Normalisation modes (DataConfig.Norm).
const (
	// NormGlobal fits one mean and standard deviation per feature over every
	// training interval of every pool: one model for all pools, and pools
	// never seen in training are normalised like the rest.
	NormGlobal = "global"
	// NormPerPool fits them per pool (falling back to the global statistics
	// for a pool absent from training or constant there): each pool's
	// series is scaled to its own level, at the price of statistics the
	// policy must find by pool key.
	NormPerPool = "per-pool"
)

// DataConfig shapes the dataset.
type DataConfig struct {
	Window int     `toml:"window" json:"window"`         // input intervals (default 12)
	Train  float64 `toml:"train" json:"train"`           // fraction of trace time for training (default 0.7)
	Val    float64 `toml:"validation" json:"validation"` // then validation (default 0.15); the rest is the test part
	Norm   string  `toml:"norm" json:"norm"`             // global (default) or per-pool
	// Functions keeps the pools of the busiest N functions by arrivals
	// in the training part (0 keeps all).
	Functions int `toml:"functions" json:"functions"`
}

// DefaultData is the setting: 12 intervals, 70/15/15, global.
func DefaultData() DataConfig {
	return DataConfig{Window: 12, Train: 0.7, Val: 0.15, Norm: NormGlobal}
}

func (c DataConfig) validate() error {
	var errs []string
	if c.Window < 1 || c.Window > 1000 {
		errs = append(errs, fmt.Sprintf("window: must be in 1..1000 (got %d)", c.Window))
	}
	if !(c.Train > 0 && c.Val > 0 && c.Train+c.Val < 1) {
		errs = append(errs, fmt.Sprintf("train, validation: must be positive with train + validation < 1 (got %v, %v)", c.Train, c.Val))
	}
	if c.Norm != NormGlobal && c.Norm != NormPerPool {
		errs = append(errs, fmt.Sprintf("norm: must be %q or %q (got %q)", NormGlobal, NormPerPool, c.Norm))
	}
	if c.Functions < 0 {
		errs = append(errs, fmt.Sprintf("functions: must be >= 0 (got %d)", c.Functions))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", joinLines(errs))
	}
	return nil
}

func joinLines(s []string) string {
	out := s[0]
	for _, x := range s[1:] {
		out += "; " + x
	}
	return out
}

// PoolKey identifies a pool's series across runs of one trace: function
// and placement (a function moved elsewhere starts a new series).
type PoolKey struct {
	Function sim.FunctionID
	Provider string
	Region   string
	MemoryMB int32
}

func (k PoolKey) String() string {
	return fmt.Sprintf("f%d/%s/%s/%dMB", k.Function, k.Provider, k.Region, k.MemoryMB)
}

func comparePoolKeys(a, b PoolKey) int {
	return cmp.Or(cmp.Compare(a.Function, b.Function), cmp.Compare(a.Provider, b.Provider),
		cmp.Compare(a.Region, b.Region), cmp.Compare(a.MemoryMB, b.MemoryMB))
}

// series is one pool's intervals, in order (gaps where the pool was not
// live).
type series struct {
	key       PoolKey
	intervals []int64
	raw       []Raw
}

// Collector is a sim.Recorder that keeps every pool's features per
// interval.
type Collector struct {
	tick   sim.Duration
	byKey  map[PoolKey]*series
	maxInt int64
}

// NewCollector returns an empty collector for a run of the given tick.
func NewCollector(tick sim.Duration) *Collector {
	return &Collector{tick: tick, byKey: map[PoolKey]*series{}, maxInt: -1}
}

var _ sim.Recorder = (*Collector)(nil)

// Record implements sim.Recorder. Two rows of one key in one interval (a
// pool freed and opened again within the tick) are merged: arrivals and
// concurrency add up, the end-of-interval counts are the later row's.
func (c *Collector) Record(rows []sim.SeriesRow) error {
	for i := range rows {
		r := &rows[i]
		k := PoolKey{r.Function, r.Provider, r.Region, r.MemoryMB}
		s := c.byKey[k]
		if s == nil {
			s = &series{key: k}
			c.byKey[k] = s
		}
		x := FromRow(r, c.tick)
		if n := len(s.intervals); n > 0 && s.intervals[n-1] == r.Interval {
			p := &s.raw[n-1]
			x[FeatRate] += p[FeatRate]
			x[FeatCPU] += p[FeatCPU]
			*p = x
			continue
		}
		s.intervals = append(s.intervals, r.Interval)
		s.raw = append(s.raw, x)
		c.maxInt = max(c.maxInt, r.Interval)
	}
	return nil
}

// Intervals is one past the last interval recorded.
func (c *Collector) Intervals() int64 { return c.maxInt + 1 }

// Stats are a feature's mean and standard deviation in transformed space.
type Stats struct {
	Mean [NumFeatures]float64 `json:"mean"`
	Std  [NumFeatures]float64 `json:"std"`
}

// Norm is the fitted normalisation, stored in the checkpoint.
type Norm struct {
	Mode    string           `json:"mode"`
	Global  Stats            `json:"global"`
	PerPool map[string]Stats `json:"per_pool,omitempty"`
}

// For returns the statistics for a pool.
func (n *Norm) For(k PoolKey) *Stats {
	if n.Mode == NormPerPool {
		if s, ok := n.PerPool[k.String()]; ok {
			return &s
		}
	}
	return &n.Global
}

// Normalise writes x's normalised features to z.
func (s *Stats) Normalise(x *Raw, z []float64) {
	for k := range NumFeatures {
		z[k] = (transform(k, x[k]) - s.Mean[k]) / s.Std[k]
	}
}

// Target returns target k's real value from its normalised prediction.
func (s *Stats) Target(k int, v float64) float64 {
	return untransform(k, v*s.Std[k]+s.Mean[k])
}

// Part names a part of the chronological split.
type Part int

const (
	TrainPart Part = iota
	ValPart
	TestPart
)

func (p Part) String() string { return [...]string{"train", "validation", "test"}[p] }

// Window is one example: inputs at intervals [start, start+W) of series s,
// the target at start+W.
type Window struct {
	Series int32
	Offset int32 // index into the series of the first input
}

// Dataset holds every selected pool's normalised series and the windows of
// each part.
type Dataset struct {
	Config  DataConfig
	Tick    sim.Duration
	Norm    Norm
	Cuts    [2]int64 // first interval of validation, of test
	series  []series
	z       [][]float64 // per series, len(intervals)×NumFeatures, normalised
	Windows [3][]Window
}

// Build turns the collected series into a dataset: pools chosen, split at
// Train and Train+Val of the run's intervals, normalisation fitted on the
// training part only, windows cut within one pool's contiguous intervals
// and within one part.
func Build(c *Collector, cfg DataConfig) (*Dataset, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := c.Intervals()
	d := &Dataset{Config: cfg, Tick: c.tick}
	d.Cuts = [2]int64{int64(math.Floor(cfg.Train * float64(n))), int64(math.Floor((cfg.Train + cfg.Val) * float64(n)))}
	keys := make([]PoolKey, 0, len(c.byKey))
	for k := range c.byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, comparePoolKeys)
	for _, k := range keys {
		d.series = append(d.series, *c.byKey[k])
	}
	if cfg.Functions > 0 {
		d.keepBusiest(cfg.Functions)
	}
	d.fit()
	d.normalise()
	for si := range d.series {
		s := &d.series[si]
		w := cfg.Window
		for i := 0; i+w < len(s.intervals); i++ {
			first, last := s.intervals[i], s.intervals[i+w]
			if last-first != int64(w) { // a gap: not contiguous
				continue
			}
			p1, p2 := d.part(first), d.part(last)
			if p1 != p2 {
				continue
			}
			d.Windows[p1] = append(d.Windows[p1], Window{int32(si), int32(i)})
		}
	}
	if len(d.Windows[TrainPart]) == 0 {
		return nil, fmt.Errorf("no training window: %d pools over %d intervals give no %d+1 contiguous intervals before interval %d", len(d.series), n, cfg.Window, d.Cuts[0])
	}
	return d, nil
}

// normalise computes every series' normalised features from d.Norm.
func (d *Dataset) normalise() {
	d.z = d.z[:0]
	for si := range d.series {
		s := &d.series[si]
		st := d.Norm.For(s.key)
		z := make([]float64, len(s.raw)*NumFeatures)
		for i := range s.raw {
			st.Normalise(&s.raw[i], z[i*NumFeatures:])
		}
		d.z = append(d.z, z)
	}
}

// SetNorm normalises the dataset with n instead of the statistics fitted
// on its own training part (a checkpoint's, to evaluate it on another run).
func (d *Dataset) SetNorm(n Norm) {
	d.Norm = n
	d.normalise()
}

func (d *Dataset) part(interval int64) Part {
	switch {
	case interval < d.Cuts[0]:
		return TrainPart
	case interval < d.Cuts[1]:
		return ValPart
	}
	return TestPart
}

// keepBusiest keeps the series of the n functions with most arrivals in
// the training part.
func (d *Dataset) keepBusiest(n int) {
	load := map[sim.FunctionID]float64{}
	for _, s := range d.series {
		for i, iv := range s.intervals {
			if iv < d.Cuts[0] {
				load[s.key.Function] += s.raw[i][FeatRate]
			}
		}
	}
	fns := make([]sim.FunctionID, 0, len(load))
	for f := range load {
		fns = append(fns, f)
	}
	slices.SortFunc(fns, func(a, b sim.FunctionID) int {
		return cmp.Or(cmp.Compare(load[b], load[a]), cmp.Compare(a, b))
	})
	keep := map[sim.FunctionID]bool{}
	for _, f := range fns[:min(n, len(fns))] {
		keep[f] = true
	}
	d.series = slices.DeleteFunc(d.series, func(s series) bool { return !keep[s.key.Function] })
}

// fit computes the normalisation from the training intervals.
func (d *Dataset) fit() {
	d.Norm = Norm{Mode: d.Config.Norm}
	var all moments
	per := map[string]*moments{}
	for _, s := range d.series {
		m := &moments{}
		for i, iv := range s.intervals {
			if iv >= d.Cuts[0] {
				break
			}
			all.add(&s.raw[i])
			m.add(&s.raw[i])
		}
		if d.Config.Norm == NormPerPool && m.n > 1 {
			per[s.key.String()] = m
		}
	}
	d.Norm.Global = all.stats(nil)
	if d.Config.Norm == NormPerPool {
		d.Norm.PerPool = map[string]Stats{}
		for k, m := range per {
			d.Norm.PerPool[k] = m.stats(&d.Norm.Global)
		}
	}
}

type moments struct {
	n     float64
	s, s2 [NumFeatures]float64
}

func (m *moments) add(x *Raw) {
	m.n++
	for k := range NumFeatures {
		v := transform(k, x[k])
		m.s[k] += v
		m.s2[k] += v * v
	}
}

// minStd is the smallest standard deviation used: a feature constant in
// training (a queue that never formed) is centred, not blown up.
const minStd = 1e-3

// stats returns the moments' statistics; a constant feature takes the
// fallback's standard deviation (1 without one).
func (m *moments) stats(fallback *Stats) Stats {
	var st Stats
	for k := range NumFeatures {
		if m.n == 0 {
			st.Std[k] = 1
			continue
		}
		mean := m.s[k] / m.n
		sd := math.Sqrt(math.Max(m.s2[k]/m.n-mean*mean, 0))
		st.Mean[k] = mean
		st.Std[k] = sd
		if sd < minStd {
			st.Std[k] = 1
			if fallback != nil {
				st.Std[k] = fallback.Std[k]
			}
		}
	}
	return st
}

// Pools is the number of series kept.
func (d *Dataset) Pools() int { return len(d.series) }

// Fill writes window w's inputs to x[t][b*NumFeatures:] (one slice per time
// step, batch-major) and its normalised targets to y[b*NumTargets:].
func (d *Dataset) Fill(w Window, b int, x [][]float64, y []float64) {
	z := d.z[w.Series]
	for t := range d.Config.Window {
		copy(x[t][b*NumFeatures:(b+1)*NumFeatures], z[(int(w.Offset)+t)*NumFeatures:])
	}
	tz := z[(int(w.Offset)+d.Config.Window)*NumFeatures:]
	copy(y[b*NumTargets:(b+1)*NumTargets], tz[:NumTargets])
}

// Raw returns window w's raw features at input step t (t = Window: the
// target interval).
func (d *Dataset) Raw(w Window, t int) *Raw {
	return &d.series[w.Series].raw[int(w.Offset)+t]
}

// Key returns the pool of window w.
func (d *Dataset) Key(w Window) PoolKey { return d.series[w.Series].key }

// StatsOf returns the normalisation of window w's pool.
func (d *Dataset) StatsOf(w Window) *Stats { return d.Norm.For(d.series[w.Series].key) }

// Interval returns the trace interval of window w's input step t.
func (d *Dataset) Interval(w Window, t int) int64 {
	return d.series[w.Series].intervals[int(w.Offset)+t]
}
