package traces

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"gonum.org/v1/gonum/stat/distuv"
)

// SyntheticOptions configures the synthetic generator.
type SyntheticOptions struct {
	Functions int
	// Start is the start of the generated window of simulated time (0 for
	// the whole span); Duration its length: arrivals fall in
	// [Start, Start+Duration), with the diurnal phase of their time of day.
	// A window draws its arrivals afresh from its start (Poisson arrivals
	// are memoryless; timers keep their phase), so it follows the same law
	// as the same window of a longer run but is not the same realisation.
	Start    sim.Duration
	Duration sim.Duration
	// PeakHour is the hour of simulated time (0-24) at which the diurnal
	// load peaks. The paper shows the shape, not a phase we could read, so
	// the phase is the scenario's choice.
	PeakHour float64
	Streams  sim.Streams
}

// Synthetic generates a workload whose population statistics follow the
// Azure Functions 2019 characterisation (population.go): daily invocation
// counts spanning eight orders of magnitude, timer functions firing
// periodically (about 10 % of functions average less than one invocation a
// day and may not appear in a one-day run), a diurnal load with a 50 %
// constant baseline, log-normal
// execution times and Burr-distributed app memory.
//
// Function rates are drawn by stratified sampling: function i of n takes the
// quantile (i+½)/n of the rate distribution, the assignment shuffled by the
// seed, so the population matches the published distribution at any seed and
// the total load does not swing with one lucky draw. Everything else is drawn
// per function from its own named stream ("synthetic/f<i>"): changing the
// number of functions does not change the others' arrivals.
//
// Timer functions fire periodically at their drawn rate, capped at once a
// minute (95% of timers fire at most that often in the trace): the cap puts
// about 84% of all functions at or below once a minute, against the 81% of
// the calibration. Non-timer functions arrive as a non-homogeneous Poisson
// process (thinning); burstiness beyond Poisson is not modelled. Each app has
// one footprint.
type Synthetic struct {
	funcs   []sim.FunctionInfo
	apps    []string
	gens    []fnGen
	h       []int32 // min-heap of functions by next arrival
	horizon sim.Time
	peak    float64
	cur     sim.Invocation
}

type fnGen struct {
	rng     *rand.Rand
	daily   float64 // mean invocations per day
	timer   bool
	period  sim.Duration
	rateMax float64 // candidate arrivals per µs (thinning envelope)
	next    sim.Time
	durMu   float64 // ln ms
	durSig  float64
	mem     float32
}

// NewSynthetic builds the generator.
func NewSynthetic(o SyntheticOptions) (*Synthetic, error) {
	if o.Functions <= 0 || o.Functions > MaxSyntheticFunctions {
		return nil, fmt.Errorf("synthetic: functions must be in 1..%d (got %d)", MaxSyntheticFunctions, o.Functions)
	}
	if o.Duration <= 0 {
		return nil, fmt.Errorf("synthetic: duration must be positive (got %v)", o.Duration)
	}
	if o.Start < 0 || o.Start > math.MaxInt64-o.Duration {
		return nil, fmt.Errorf("synthetic: window start must be >= 0 and the window end representable (got start %v, duration %v)", o.Start, o.Duration)
	}
	if !(o.PeakHour >= 0 && o.PeakHour < 24) {
		return nil, fmt.Errorf("synthetic: peak hour must be in [0, 24) (got %v)", o.PeakHour)
	}
	n := o.Functions
	start := sim.Time(o.Start)
	s := &Synthetic{horizon: start.Add(o.Duration), peak: o.PeakHour, gens: make([]fnGen, n), funcs: make([]sim.FunctionInfo, n)}

	// Apps: consecutive functions grouped by the functions-per-app law.
	arng := o.Streams.New("synthetic/apps")
	appOf := make([]int32, n)
	for i := 0; i < n; {
		u, size := arng.Float64(), 1
		for _, b := range FunctionsPerApp {
			if u < b.Share {
				size = b.Min + arng.IntN(b.Max-b.Min+1)
				break
			}
			u -= b.Share
		}
		app := int32(len(s.apps))
		s.apps = append(s.apps, "app"+strconv.Itoa(int(app)))
		for k := 0; k < size && i < n; k++ {
			appOf[i] = app
			i++
		}
	}
	mrng := o.Streams.New("synthetic/memory")
	appMem := make([]float32, len(s.apps))
	for i := range appMem {
		appMem[i] = float32(PopulationMemory(mrng.Float64()))
	}

	// Rates: stratified quantiles of the truncated log10-normal, shuffled.
	norm := distuv.Normal{Mu: DailyLog10Mean, Sigma: DailyLog10Sigma}
	lo, hi := norm.CDF(DailyLog10Min), norm.CDF(DailyLog10Max)
	perm := o.Streams.New("synthetic/rates").Perm(n)
	trng := o.Streams.New("synthetic/triggers")
	drng := o.Streams.New("synthetic/durations")
	meanDur := dist.LogNormal{Mu: DurationLogMean, Sigma: DurationLogSigma}
	for i := range n {
		u := (float64(perm[i]) + 0.5) / float64(n)
		daily := math.Pow(10, norm.Quantile(lo+(hi-lo)*u))
		g := &s.gens[i]
		g.daily = daily
		g.rng = o.Streams.New("synthetic/f" + strconv.Itoa(i))
		g.timer = trng.Float64() < TimerShare
		meanMS := meanDur.Quantile(drng.Float64()) * 1000
		g.durSig = WithinFunctionSigma
		g.durMu = math.Log(meanMS) - g.durSig*g.durSig/2
		g.mem = appMem[appOf[i]]
		trigger := "http"
		if g.timer {
			// Timers fire at most once a minute (95% do in the trace, §3.2).
			trigger = "timer"
			g.period = sim.Duration(math.Max(60, 86400/daily) * float64(sim.Second))
			g.daily = 86400 / g.period.Seconds()
			g.next = sim.Time(g.rng.Float64() * float64(g.period))
			if g.next < start { // the first firing in the window, same phase
				k := (int64(start-g.next) + int64(g.period) - 1) / int64(g.period)
				g.next += sim.Time(k * int64(g.period))
			}
		} else {
			g.rateMax = daily / float64(sim.Day) * (1 + DiurnalAmplitude)
			g.next = s.poissonNext(g, start)
		}
		s.funcs[i] = sim.FunctionInfo{Name: "f" + strconv.Itoa(i), App: appOf[i], Trigger: trigger}
	}
	s.h = make([]int32, 0, n)
	for i := range s.gens {
		if s.gens[i].next < s.horizon {
			s.push(int32(i))
		}
	}
	return s, nil
}

// DailyRate returns function f's mean number of invocations per day.
func (s *Synthetic) DailyRate(f sim.FunctionID) float64 { return s.gens[f].daily }

// diurnal is the load multiplier at time t (mean 1 over a day).
func (s *Synthetic) diurnal(t sim.Time) float64 {
	h := t.Seconds() / 3600
	return 1 + DiurnalAmplitude*math.Sin(2*math.Pi*(h-s.peak+6)/24)
}

// poissonNext draws the next accepted arrival after t by thinning.
func (s *Synthetic) poissonNext(g *fnGen, t sim.Time) sim.Time {
	for {
		t += sim.Time(g.rng.ExpFloat64()/g.rateMax) + 1
		if t >= s.horizon {
			return t
		}
		if g.rng.Float64()*(1+DiurnalAmplitude) < s.diurnal(t) {
			return t
		}
	}
}

func (s *Synthetic) less(a, b int32) bool {
	ta, tb := s.gens[a].next, s.gens[b].next
	return ta < tb || (ta == tb && a < b)
}

func (s *Synthetic) push(f int32) {
	s.h = append(s.h, f)
	i := len(s.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.less(s.h[i], s.h[p]) {
			break
		}
		s.h[i], s.h[p] = s.h[p], s.h[i]
		i = p
	}
}

// fix restores the heap after the root's key grew.
func (s *Synthetic) fixRoot() {
	n, i := len(s.h), 0
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && s.less(s.h[r], s.h[l]) {
			m = r
		}
		if !s.less(s.h[m], s.h[i]) {
			return
		}
		s.h[i], s.h[m] = s.h[m], s.h[i]
		i = m
	}
}

// Next implements sim.Source.
func (s *Synthetic) Next() bool {
	if len(s.h) == 0 {
		return false
	}
	f := s.h[0]
	g := &s.gens[f]
	d := math.Exp(g.durMu + g.durSig*g.rng.NormFloat64()) // ms
	s.cur = sim.Invocation{Arrival: g.next, Duration: sim.Duration(d*1000 + 0.5), Function: sim.FunctionID(f), MemoryMB: g.mem}
	if g.timer {
		g.next = g.next.Add(g.period)
	} else {
		g.next = s.poissonNext(g, g.next)
	}
	if g.next >= s.horizon {
		n := len(s.h) - 1
		s.h[0] = s.h[n]
		s.h = s.h[:n]
	}
	s.fixRoot()
	return true
}

// At implements sim.Source.
func (s *Synthetic) At() sim.Invocation { return s.cur }

// Err implements sim.Source; generation cannot fail once built.
func (s *Synthetic) Err() error { return nil }

// Functions implements sim.Source.
func (s *Synthetic) Functions() []sim.FunctionInfo { return s.funcs }

// Apps implements sim.Source.
func (s *Synthetic) Apps() []string { return s.apps }

// Horizon implements sim.Source.
func (s *Synthetic) Horizon() sim.Time { return s.horizon }
