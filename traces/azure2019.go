package traces

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

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

// Azure2019Options configures the reader.
type Azure2019Options struct {
	Days []Azure2019Day // consecutive days, in order
	// From and To cut the replay to the window [From, To) of trace time
	// (To 0: the end of the last day). Both are whole minutes. Arrivals
	// are drawn afresh from the window's start: its minutes' counts are
	// the trace's, the spreading and the duration and memory draws follow
	// the same law as in a whole replay but are not the same realisation.
	// Only the days the window touches are read for their counts.
	From, To sim.Duration
	Spread   Spread
	// DurationDraw says how durations are drawn from a function's
	// percentiles; the zero value interpolates. Memory footprints always
	// interpolate, and functions without percentiles draw from the
	// population whatever the mode.
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
// piecewise-linear inverse CDF unless Azure2019Options.DurationDraw says
// otherwise), footprints from its app's memory percentiles.
// Functions without a duration row, or apps without a memory row, get a
// draw from the population (PopulationDuration, PopulationMemory) at a
// position fixed by their hash, and are counted in Notes.
type Azure2019 struct {
	opts    Azure2019Options
	funcs   []sim.FunctionInfo
	apps    []string
	fnKey   map[string]int32
	appKey  map[string]int32
	fnApp   []int32
	minutes int // per day
	last    int // the window's last minute, counted from the first day's first

	day, minute int
	perMinute   [][]cell
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

// OpenAzure2019 checks the files and loads the first day.
func OpenAzure2019(opts Azure2019Options) (*Azure2019, error) {
	if len(opts.Days) == 0 {
		return nil, fmt.Errorf("azure2019: no day given")
	}
	if opts.DurationDraw > DrawUpper {
		return nil, fmt.Errorf("azure2019: unknown duration draw %v", opts.DurationDraw)
	}
	if opts.Open == nil {
		opts.Open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	a := &Azure2019{
		opts:        opts,
		fnKey:       map[string]int32{},
		appKey:      map[string]int32{},
		spread:      spreader{mode: opts.Spread, rng: opts.Streams.New("arrivals")},
		durRNG:      opts.Streams.New("durations"),
		memRNG:      opts.Streams.New("memory"),
		fallbackDur: map[int32]bool{},
		fallbackMem: map[int32]bool{},
	}
	// Every function of every day must be known before time 0.
	for _, d := range opts.Days {
		if err := a.scanFunctions(d.Invocations); err != nil {
			return nil, err
		}
	}
	if len(a.funcs) == 0 {
		return nil, &ParseError{File: opts.Days[0].Invocations, Err: fmt.Errorf("no function rows (%w)", ErrEmpty)}
	}
	span := sim.Duration(int64(len(opts.Days)*a.minutes) * minuteMicros)
	if opts.To == 0 {
		a.opts.To = span
	}
	from, to := opts.From, a.opts.To
	switch {
	case from < 0 || to > span || from >= to:
		return nil, fmt.Errorf("azure2019: window [%v, %v) is empty or outside the trace's [0, %v)", from, to, span)
	case from%minuteMicros != 0 || to%minuteMicros != 0:
		return nil, fmt.Errorf("azure2019: window [%v, %v) must start and end on whole minutes (the trace counts per minute)", from, to)
	}
	first := int(int64(from) / minuteMicros)
	a.day, a.minute = first/a.minutes, first%a.minutes-1
	a.last = int(int64(to)/minuteMicros) - 1
	if err := a.loadDay(a.day); err != nil {
		return nil, err
	}
	return a, nil
}

// invocationColumns finds the identity and minute columns of an
// invocations file header. A minute column is named by a non-negative
// integer, bare or after "minute_". The minute columns must number a
// contiguous increasing range, which may start anywhere (1..1440 in the
// release, 480..959 in an InVitro cut): the first is simulated minute 0.
func invocationColumns(lr *lineReader) (fn, app, owner, trigger int, minuteCols []int, err error) {
	fn, app, owner, trigger = lr.column("HashFunction"), lr.column("HashApp"), lr.column("HashOwner"), lr.column("Trigger")
	if fn < 0 || app < 0 {
		_, err = lr.requireColumns("HashFunction", "HashApp")
		return
	}
	prev := 0
	for i, h := range lr.header {
		name := strings.TrimPrefix(h, "minute_")
		m, convErr := strconv.Atoi(name)
		if convErr != nil || m < 0 || (name == h && h != strconv.Itoa(m)) {
			continue
		}
		if len(minuteCols) > 0 {
			var problem string
			switch {
			case m <= prev:
				problem = fmt.Sprintf("found minute %d after %d: minutes must increase", m, prev)
			case m-prev > 1:
				problem = fmt.Sprintf("found minute %d after %d: minute %d is missing", m, prev, prev+1)
			}
			if problem != "" {
				err = &ParseError{File: lr.file, Line: 1, Column: h, Field: i + 1,
					Err: fmt.Errorf("minute columns must be a contiguous increasing range; %s", problem)}
				return
			}
		}
		prev = m
		minuteCols = append(minuteCols, i)
	}
	if len(minuteCols) == 0 {
		err = &ParseError{File: lr.file, Line: 1, Err: fmt.Errorf("no minute columns (named by minute number, 1..1440 or minute_1..minute_1440, or any contiguous range)")}
	}
	return
}

func funcKeyOf(lr *lineReader, fn, app, owner int) (fkey, akey string) {
	o := ""
	if owner >= 0 {
		o = lr.str(owner)
	}
	akey = o + "/" + lr.str(app)
	return akey + "/" + lr.str(fn), akey
}

// scanFunctions registers the functions (and apps) of an invocations file.
func (a *Azure2019) scanFunctions(path string) error {
	lr, f, err := openTable(a.opts.Open, path, "azure2019")
	if err != nil {
		return err
	}
	defer f.Close()
	fn, app, owner, trigger, minuteCols, err := invocationColumns(lr)
	if err != nil {
		return err
	}
	if a.minutes == 0 {
		a.minutes = len(minuteCols)
	} else if a.minutes != len(minuteCols) {
		return &ParseError{File: path, Line: 1, Err: fmt.Errorf("%d minute columns; the first day has %d", len(minuteCols), a.minutes)}
	}
	for {
		ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := lr.checkWidth(); err != nil {
			return err
		}
		fkey, akey := funcKeyOf(lr, fn, app, owner)
		if _, seen := a.fnKey[fkey]; seen {
			continue
		}
		ai, ok := a.appKey[akey]
		if !ok {
			ai = int32(len(a.apps))
			a.appKey[akey] = ai
			a.apps = append(a.apps, akey)
		}
		trig := ""
		if trigger >= 0 {
			trig = lr.str(trigger)
		}
		a.fnKey[fkey] = int32(len(a.funcs))
		a.funcs = append(a.funcs, sim.FunctionInfo{Name: fkey, App: ai, Trigger: trig})
		a.fnApp = append(a.fnApp, ai)
	}
}

// loadDay reads day d's three files.
func (a *Azure2019) loadDay(d int) error {
	day := a.opts.Days[d]
	durs, err := a.readPercentiles(day.Durations, []string{"HashFunction", "HashApp"}, durationCols, durationPoints, a.opts.DurationDraw)
	if err != nil {
		return err
	}
	mems, err := a.readPercentiles(day.Memory, []string{"HashApp"}, memoryCols, memoryPoints, DrawInterpolate)
	if err != nil {
		return err
	}
	a.dur = make([]dist.Quantiler, len(a.funcs))
	a.mem = make([]dist.Quantiler, len(a.apps))
	for i, f := range a.funcs {
		if q, ok := durs[f.Name]; ok {
			a.dur[i] = q
		} else {
			a.dur[i] = PopulationDuration(a.opts.Streams.Hash01("duration/" + f.Name))
			a.fallbackDur[int32(i)] = true
		}
	}
	for i, k := range a.apps {
		if q, ok := mems[k]; ok {
			a.mem[i] = q
		} else {
			a.mem[i] = dist.Constant{V: PopulationMemory(a.opts.Streams.Hash01("memory/" + k))}
			a.fallbackMem[int32(i)] = true
		}
	}

	lr, f, err := openTable(a.opts.Open, day.Invocations, "azure2019")
	if err != nil {
		return err
	}
	defer f.Close()
	fn, app, owner, _, minuteCols, err := invocationColumns(lr)
	if err != nil {
		return err
	}
	if len(a.perMinute) != a.minutes {
		a.perMinute = make([][]cell, a.minutes)
	}
	for m := range a.perMinute {
		a.perMinute[m] = a.perMinute[m][:0]
	}
	for {
		ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := lr.checkWidth(); err != nil {
			return err
		}
		fkey, _ := funcKeyOf(lr, fn, app, owner)
		id, known := a.fnKey[fkey]
		if !known {
			return lr.errf(fn, "HashFunction", "function %q was not in the file when it was first read", fkey)
		}
		for m, col := range minuteCols {
			n, err := lr.count(col)
			if err != nil {
				return err
			}
			if n > 0 {
				a.perMinute[m] = append(a.perMinute[m], cell{fn: id, n: n})
			}
		}
	}
	return nil
}

// readPercentiles reads a durations or memory file into percentile tables
// keyed like the functions (owner/app/function) or apps (owner/app): ids
// name the function and app columns, or the app column alone. draw builds
// each table's distribution.
func (a *Azure2019) readPercentiles(path string, ids, cols []string, points []float64, draw DurationDraw) (map[string]dist.Quantiler, error) {
	lr, f, err := openTable(a.opts.Open, path, "azure2019")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	idIdx, err := lr.requireColumns(ids...)
	if err != nil {
		return nil, err
	}
	colIdx, err := lr.requireColumns(cols...)
	if err != nil {
		return nil, err
	}
	owner := lr.column("HashOwner")
	out := map[string]dist.Quantiler{}
	vals := make([]float64, len(cols))
	for {
		ok, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		if err := lr.checkWidth(); err != nil {
			return nil, err
		}
		for k, c := range colIdx {
			if vals[k], err = lr.float(c); err != nil {
				return nil, err
			}
		}
		var key string
		if len(ids) == 2 {
			key, _ = funcKeyOf(lr, idIdx[0], idIdx[1], owner)
		} else {
			o := ""
			if owner >= 0 {
				o = lr.str(owner)
			}
			key = o + "/" + lr.str(idIdx[0])
		}
		q, err := draw.table(points, append([]float64(nil), vals...))
		if err != nil {
			return nil, lr.errf(colIdx[0], lr.header[colIdx[0]], "%v", err)
		}
		out[key] = q
	}
}

// Functions implements sim.Source.
func (a *Azure2019) Functions() []sim.FunctionInfo { return a.funcs }

// Apps implements sim.Source.
func (a *Azure2019) Apps() []string { return a.apps }

// Horizon is the end of the window: by default the end of the last minute
// of the last day.
func (a *Azure2019) Horizon() sim.Time { return sim.Time(a.opts.To) }

// Next implements sim.Source.
func (a *Azure2019) Next() bool {
	for a.pos >= len(a.batch) {
		if a.done || a.err != nil || !a.advanceMinute() {
			a.done = true
			return false
		}
	}
	ma := a.batch[a.pos]
	a.pos++
	d := a.dur[ma.fn].Quantile(a.durRNG.Float64())
	m := a.mem[a.fnApp[ma.fn]].Quantile(a.memRNG.Float64())
	a.cur = sim.Invocation{Arrival: a.base + sim.Time(ma.off), Duration: sim.Duration(d*1000 + 0.5), Function: sim.FunctionID(ma.fn), MemoryMB: float32(m)}
	return true
}

func (a *Azure2019) advanceMinute() bool {
	if a.day*a.minutes+a.minute >= a.last {
		return false
	}
	a.minute++
	if a.minute == a.minutes {
		a.day++
		if a.day == len(a.opts.Days) {
			return false
		}
		if err := a.loadDay(a.day); err != nil {
			a.err = err
			return false
		}
		a.minute = 0
	}
	a.base = sim.Time(int64(a.day*a.minutes+a.minute) * minuteMicros)
	a.batch = a.spread.minute(a.perMinute[a.minute])
	a.pos = 0
	return true
}

// At implements sim.Source.
func (a *Azure2019) At() sim.Invocation { return a.cur }

// Err implements sim.Source.
func (a *Azure2019) Err() error { return a.err }

// Notes reports how the trace was completed where it lacked data.
func (a *Azure2019) Notes() []string {
	var n []string
	if k := len(a.fallbackDur); k > 0 {
		n = append(n, fmt.Sprintf("%d of %d functions had no duration percentiles; their durations were drawn from the population (Shahrad et al. ATC'20 log-normal)", k, len(a.funcs)))
	}
	if a.opts.DurationDraw == DrawUpper {
		n = append(n, "durations take the published percentile values only: each draw returns the upper percentile of its bucket (DSLab FaaS)")
	}
	if k := len(a.fallbackMem); k > 0 {
		n = append(n, fmt.Sprintf("%d of %d apps had no memory percentiles; their footprints were drawn from the population (Shahrad et al. ATC'20 Burr fit)", k, len(a.apps)))
	}
	return n
}
