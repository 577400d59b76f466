package traces

import (
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Azure2019Day names the three files of one day of the Azure Functions 2019
// trace (Shahrad et al., ATC'20; github.com/Azure/AzurePublicDataset).
//
// Columns are found by name, so both layouts work: the original release
// (HashOwner,HashApp,HashFunction,Trigger,1..1440) and the InVitro sampler's
// (HashFunction,HashApp,HashOwner,minute_1..minute_1440). The minute
// columns may be any contiguous increasing range (InVitro's cuts are headed
// e.g. 480..959): the first column is simulated minute 0, and every day
// must have as many minute columns as the first. Durations are
// read from percentile_Average_{0,1,25,50,75,99,100} (ms), memory from
// AverageAllocatedMb_pct{1,5,25,50,75,95,99,100} (MB).
type Azure2019Day struct {
	Invocations, Durations, Memory string
}

// Azure2019Options configures the reader: the files, and the replay
// (Azure2019Replay's fields, documented there).
type Azure2019Options struct {
	Days []Azure2019Day // consecutive days, in order
	// From and To cut the replay to the window [From, To) of trace time
	// (To 0: the end of the last day), on whole minutes. Only the days the
	// window touches are read for their counts.
	From, To     sim.Duration
	Spread       Spread
	DurationDraw DurationDraw
	Streams      sim.Streams
	// Open opens a file; nil uses os.Open. Tests and fuzzers pass their own.
	Open func(name string) (io.ReadCloser, error)
}

var (
	durationPoints = []float64{0, 0.01, 0.25, 0.50, 0.75, 0.99, 1}
	durationCols   = []string{"percentile_Average_0", "percentile_Average_1", "percentile_Average_25",
		"percentile_Average_50", "percentile_Average_75", "percentile_Average_99", "percentile_Average_100"}
	memoryPoints = []float64{0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99, 1}
	memoryCols   = []string{"AverageAllocatedMb_pct1", "AverageAllocatedMb_pct5", "AverageAllocatedMb_pct25",
		"AverageAllocatedMb_pct50", "AverageAllocatedMb_pct75", "AverageAllocatedMb_pct95",
		"AverageAllocatedMb_pct99", "AverageAllocatedMb_pct100"}
)

// Azure2019 streams the 2019 trace: each minute's counts are spread inside
// the minute, durations drawn from the function's percentiles (by
// piecewise-linear inverse CDF unless the DurationDraw says otherwise),
// footprints from its app's memory percentiles.
// Functions without a duration row, or apps without a memory row, get a
// draw from the population (PopulationDuration, PopulationMemory) at a
// position fixed by their hash, and are counted in Notes. A function given
// twice in one invocations file, or an empty hash in any file, is an
// error; a percentile row repeating an earlier row's function or app is
// ignored (the first is used) and counted in Notes.
//
// A source either reads its days from the files one at a time
// (OpenAzure2019: memory for one day) or replays a trace parsed once
// (Azure2019Trace.Source); both run this code and, for the same options,
// give the same invocations.
type Azure2019 struct {
	trace *Azure2019Trace
	// load returns day d, in increasing order of d.
	load func(d int) (*azureDay, error)
	opts Azure2019Replay
	last int // the window's last minute, counted from the first day's first

	day, minute int
	today       *azureDay
	dur         []dist.Quantiler // per function, for the current day
	mem         []dist.Quantiler // per app, for the current day
	spread      spreader
	batch       []minuteArrival
	pos         int
	base        sim.Time
	durRNG      *rand.Rand
	memRNG      *rand.Rand
	cur         sim.Invocation
	err         error
	done        bool // the last minute of the last day has been read

	fallbackDur, fallbackMem map[int32]bool
}

// OpenAzure2019 checks the files and loads the window's first day; the
// source reads each later day when its replay reaches it, so its memory is
// that of one day's counts. Every day's invocations file is read first for
// its functions.
func OpenAzure2019(opts Azure2019Options) (*Azure2019, error) {
	if err := checkDraw(opts.DurationDraw); err != nil {
		return nil, err
	}
	t, err := scanAzure2019(opts.Days, opts.Open)
	if err != nil {
		return nil, err
	}
	var day *azureDay
	load := func(d int) (*azureDay, error) {
		var err error
		day, err = t.readDay(d, day)
		return day, err
	}
	return newAzure2019(t, Azure2019Replay{From: opts.From, To: opts.To, Spread: opts.Spread,
		DurationDraw: opts.DurationDraw, Streams: opts.Streams}, load)
}

func checkDraw(d DurationDraw) error {
	if d > DrawUpper {
		return fmt.Errorf("azure2019: unknown duration draw %v", d)
	}
	return nil
}

// newAzure2019 starts a replay of t as o says, its days given by load.
func newAzure2019(t *Azure2019Trace, o Azure2019Replay, load func(d int) (*azureDay, error)) (*Azure2019, error) {
	if err := checkDraw(o.DurationDraw); err != nil {
		return nil, err
	}
	from, to, err := t.window(o)
	if err != nil {
		return nil, err
	}
	o.From, o.To = from, to
	a := &Azure2019{
		trace:       t,
		load:        load,
		opts:        o,
		spread:      spreader{mode: o.Spread, rng: o.Streams.New("arrivals")},
		durRNG:      o.Streams.New("durations"),
		memRNG:      o.Streams.New("memory"),
		dur:         make([]dist.Quantiler, len(t.funcs)),
		mem:         make([]dist.Quantiler, len(t.apps)),
		fallbackDur: map[int32]bool{},
		fallbackMem: map[int32]bool{},
	}
	first := int(int64(from) / minuteMicros)
	a.day, a.minute = first/t.minutes, first%t.minutes-1
	a.last = int(int64(to)/minuteMicros) - 1
	if err := a.enterDay(a.day); err != nil {
		return nil, err
	}
	return a, nil
}

// enterDay loads day d and sets the current duration and memory
// distributions from its tables, or from the population where it has none.
func (a *Azure2019) enterDay(d int) error {
	day, err := a.load(d)
	if err != nil {
		return err
	}
	a.today = day
	for i, f := range a.trace.funcs {
		switch {
		case day.dur[i].P == nil:
			a.dur[i] = PopulationDuration(a.opts.Streams.Hash01("duration/" + f.Name))
			a.fallbackDur[int32(i)] = true
		case a.opts.DurationDraw == DrawUpper:
			a.dur[i] = &day.durUpper[i]
		default:
			a.dur[i] = &day.dur[i]
		}
	}
	for i, k := range a.trace.apps {
		if day.mem[i].P == nil {
			a.mem[i] = dist.Constant{V: PopulationMemory(a.opts.Streams.Hash01("memory/" + k))}
			a.fallbackMem[int32(i)] = true
		} else {
			a.mem[i] = &day.mem[i]
		}
	}
	return nil
}

// Functions implements sim.Source.
func (a *Azure2019) Functions() []sim.FunctionInfo { return a.trace.funcs }

// Apps implements sim.Source.
func (a *Azure2019) Apps() []string { return a.trace.apps }

// Horizon is the end of the window: by default the end of the last minute
// of the last day.
func (a *Azure2019) Horizon() sim.Time { return sim.Time(a.opts.To) }

// Next implements sim.Source.
func (a *Azure2019) Next() bool {
	for a.pos >= len(a.batch) {
		if a.done || a.err != nil {
			a.done = true
			return false
		}
		if b, ok := a.spread.more(); ok { // the minute's next slice
			a.batch, a.pos = b, 0
			continue
		}
		if !a.advanceMinute() {
			a.done = true
			return false
		}
	}
	ma := a.batch[a.pos]
	a.pos++
	d := a.dur[ma.fn].Quantile(a.durRNG.Float64())
	m := a.mem[a.trace.fnApp[ma.fn]].Quantile(a.memRNG.Float64())
	a.cur = sim.Invocation{Arrival: a.base + sim.Time(ma.off), Duration: sim.Duration(d*1000 + 0.5), Function: sim.FunctionID(ma.fn), MemoryMB: float32(m)}
	return true
}

func (a *Azure2019) advanceMinute() bool {
	minutes := a.trace.minutes
	if a.day*minutes+a.minute >= a.last {
		return false
	}
	a.minute++
	if a.minute == minutes {
		a.day++
		if a.day == len(a.trace.files) {
			return false
		}
		if err := a.enterDay(a.day); err != nil {
			a.err = err
			return false
		}
		a.minute = 0
	}
	a.base = sim.Time(int64(a.day*minutes+a.minute) * minuteMicros)
	day := a.today
	a.batch = a.spread.minute(day.cells[day.start[a.minute]:day.start[a.minute+1]])
	a.pos = 0
	return true
}

// At implements sim.Source.
func (a *Azure2019) At() sim.Invocation { return a.cur }

// Err implements sim.Source.
func (a *Azure2019) Err() error { return a.err }

// Notes reports how the trace was completed where it lacked data, and
// the rows of its percentile files it ignored (repeats).
func (a *Azure2019) Notes() []string {
	var n []string
	if k := len(a.fallbackDur); k > 0 {
		n = append(n, fmt.Sprintf("%d of %d functions had no duration percentiles; their durations were drawn from the population (Shahrad et al. ATC'20 log-normal)", k, len(a.trace.funcs)))
	}
	if a.opts.DurationDraw == DrawUpper {
		n = append(n, "durations take the published percentile values only: each draw returns the upper percentile of its bucket (DSLab FaaS)")
	}
	if k := len(a.fallbackMem); k > 0 {
		n = append(n, fmt.Sprintf("%d of %d apps had no memory percentiles; their footprints were drawn from the population (Shahrad et al. ATC'20 Burr fit)", k, len(a.trace.apps)))
	}
	return append(n, a.trace.notes...)
}

// CheckDays reads every day of the trace as a replay would, one at a
// time (the memory of one day), and returns the first error: a validator
// finds a bad row of a later day before a run reaches it. The source's own
// replay is not disturbed.
func (a *Azure2019) CheckDays() error {
	var day *azureDay
	for d := range a.trace.files {
		var err error
		if day, err = a.trace.readDay(d, day); err != nil {
			return err
		}
	}
	return nil
}
