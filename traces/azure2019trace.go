package traces

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Azure2019Trace is an Azure 2019 trace read into memory once, to be
// replayed many times (a training loop's episodes) without reading its
// files again. It holds what the files say and nothing drawn: each day's
// non-zero per-minute counts and its functions' duration and apps' memory
// percentile tables, never the invocations (the shared 1,000-function day,
// 11.6 M invocations, is 252,581 counts: 2.7 MB of live heap with its
// tables and names).
//
// A trace is immutable once parsed: any number of sources, on any number
// of goroutines, may replay it at once.
type Azure2019Trace struct {
	funcs   []sim.FunctionInfo
	apps    []string
	fnKey   map[string]int32
	appKey  map[string]int32
	fnApp   []int32
	files   []Azure2019Day
	open    func(name string) (io.ReadCloser, error)
	minutes int         // per day
	days    []*azureDay // nil until read (a streaming source reads them one at a time)
	// notes on the files read so far (rows repeated in a percentile
	// file), each file noted once; written only as days are read.
	notes []string
	noted map[string]bool
}

// azureDay is one day of the trace as its files give it.
type azureDay struct {
	// cells holds the day's non-zero counts minute by minute, in the
	// file's row order within a minute; minute m's are
	// cells[start[m]:start[m+1]].
	cells []cell
	start []int
	// dur and durUpper are a function's duration table read as the two
	// DurationDraw modes (the same points and values); mem an app's memory
	// table. A table without points (P nil) had no row: the source draws
	// from the population instead.
	dur      []dist.PiecewiseLinear
	durUpper []dist.UpperStep
	mem      []dist.PiecewiseLinear
}

// Azure2019Replay says how a source replays a trace: the window, the
// spreading of counts inside a minute, the duration draw and the random
// streams. Two sources with the same replay options give the same
// invocations.
type Azure2019Replay struct {
	// From and To cut the replay to the window [From, To) of trace time
	// (To 0: the end of the last day). Both are whole minutes. Arrivals
	// are drawn afresh from the window's start: its minutes' counts are
	// the trace's, the spreading and the duration and memory draws follow
	// the same law as in a whole replay but are not the same realisation.
	From, To sim.Duration
	Spread   Spread
	// DurationDraw says how durations are drawn from a function's
	// percentiles; the zero value interpolates. Memory footprints always
	// interpolate, and functions without percentiles draw from the
	// population whatever the mode.
	DurationDraw DurationDraw
	Streams      sim.Streams
}

// ParseAzure2019 reads the days' files (consecutive, in order) into
// memory. open opens a file; nil uses os.Open.
func ParseAzure2019(days []Azure2019Day, open func(name string) (io.ReadCloser, error)) (*Azure2019Trace, error) {
	t, err := scanAzure2019(days, open)
	if err != nil {
		return nil, err
	}
	t.days = make([]*azureDay, len(days))
	for d := range days {
		if t.days[d], err = t.readDay(d, nil); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// scanAzure2019 starts a trace of the days' files with every function of
// every day registered (functions must all be known before time 0), and
// no day read.
func scanAzure2019(days []Azure2019Day, open func(name string) (io.ReadCloser, error)) (*Azure2019Trace, error) {
	t, err := newAzure2019Trace(days, open)
	if err != nil {
		return nil, err
	}
	for _, d := range days {
		if err := t.scanFunctions(d.Invocations); err != nil {
			return nil, err
		}
	}
	if len(t.funcs) == 0 {
		return nil, &ParseError{File: days[0].Invocations, Err: fmt.Errorf("no function rows (%w)", ErrEmpty)}
	}
	return t, nil
}

func newAzure2019Trace(days []Azure2019Day, open func(name string) (io.ReadCloser, error)) (*Azure2019Trace, error) {
	if len(days) == 0 {
		return nil, fmt.Errorf("azure2019: no day given")
	}
	if open == nil {
		open = regular.ReadCloser
	}
	return &Azure2019Trace{files: days, open: open, fnKey: map[string]int32{}, appKey: map[string]int32{}}, nil
}

// Source returns a new source replaying the trace as o says. It reads no
// file and shares the trace read-only.
func (t *Azure2019Trace) Source(o Azure2019Replay) (*Azure2019, error) {
	return newAzure2019(t, o, func(d int) (*azureDay, error) { return t.days[d], nil })
}

// Functions lists the trace's functions, as every source of it does:
// the slice is shared by them all, not to be modified.
func (t *Azure2019Trace) Functions() []sim.FunctionInfo { return t.funcs }

// Apps lists the trace's applications.
func (t *Azure2019Trace) Apps() []string { return t.apps }

// Span is the length of the trace: its days' minutes.
func (t *Azure2019Trace) Span() sim.Duration {
	return sim.Duration(int64(len(t.files)*t.minutes) * minuteMicros)
}

// Counts returns the number of non-zero (function, minute) counts the
// trace holds in memory, and the number of invocations they add up to.
func (t *Azure2019Trace) Counts() (cells, invocations int64) {
	for _, d := range t.days {
		if d == nil {
			continue
		}
		cells += int64(len(d.cells))
		for _, c := range d.cells {
			invocations += int64(c.n)
		}
	}
	return cells, invocations
}

// window checks o's window against the trace and returns it with To
// resolved.
func (t *Azure2019Trace) window(o Azure2019Replay) (from, to sim.Duration, err error) {
	span := t.Span()
	from, to = o.From, o.To
	if to == 0 {
		to = span
	}
	switch {
	case from < 0 || to > span:
		return 0, 0, fmt.Errorf("azure2019: window [%v, %v) is outside the trace's [0, %v)", from, to, span)
	case from >= to:
		return 0, 0, fmt.Errorf("azure2019: window [%v, %v) is empty: it must end after it starts", from, to)
	case from%minuteMicros != 0 || to%minuteMicros != 0:
		return 0, 0, fmt.Errorf("azure2019: window [%v, %v) must start and end on whole minutes (the trace counts per minute)", from, to)
	}
	return from, to, nil
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

// funcKeyOf returns the current row's function key (owner/app/function)
// and app key (owner/app); fn < 0 (a memory file) gives the app key alone,
// owner < 0 (no owner column) an empty owner. An empty hash is refused: a
// row without its app or function would be taken for another's.
func funcKeyOf(lr *lineReader, fn, app, owner int) (fkey, akey string, err error) {
	for _, c := range [...]int{owner, app, fn} {
		if c >= 0 && lr.str(c) == "" {
			return "", "", lr.errf(c, lr.header[c], "empty hash: every row must name its owner, app and function")
		}
	}
	o := ""
	if owner >= 0 {
		o = lr.str(owner)
	}
	akey = o + "/" + lr.str(app)
	if fn < 0 {
		return "", akey, nil
	}
	return akey + "/" + lr.str(fn), akey, nil
}

// checkMinutes checks that an invocations file has as many minute columns
// as the first day's.
func (t *Azure2019Trace) checkMinutes(path string, n int) error {
	if t.minutes == 0 {
		t.minutes = n
	} else if t.minutes != n {
		return &ParseError{File: path, Line: 1, Err: fmt.Errorf("%d minute columns; the first day has %d", n, t.minutes)}
	}
	return nil
}

// register adds the current row's function (and its app) if it is new,
// and returns its id.
func (t *Azure2019Trace) register(lr *lineReader, fkey, akey string, trigger int) int32 {
	if id, seen := t.fnKey[fkey]; seen {
		return id
	}
	ai, ok := t.appKey[akey]
	if !ok {
		ai = int32(len(t.apps))
		t.appKey[akey] = ai
		t.apps = append(t.apps, akey)
	}
	trig := ""
	if trigger >= 0 {
		trig = lr.str(trigger)
	}
	id := int32(len(t.funcs))
	t.fnKey[fkey] = id
	t.funcs = append(t.funcs, sim.FunctionInfo{Name: fkey, App: ai, Trigger: trig})
	t.fnApp = append(t.fnApp, ai)
	return id
}

// scanFunctions registers the functions (and apps) of an invocations file,
// for a source that reads its days one at a time but must know every
// function before time 0. A function given twice in one file is refused:
// its rows are not merged.
func (t *Azure2019Trace) scanFunctions(path string) error {
	lr, f, err := openTable(t.open, path, "azure2019")
	if err != nil {
		return err
	}
	defer f.Close()
	fn, app, owner, trigger, minuteCols, err := invocationColumns(lr)
	if err != nil {
		return err
	}
	if err := t.checkMinutes(path, len(minuteCols)); err != nil {
		return err
	}
	firstLine := map[int32]int{} // the line of each function's row in this file
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
		fkey, akey, err := funcKeyOf(lr, fn, app, owner)
		if err != nil {
			return err
		}
		id := t.register(lr, fkey, akey, trigger)
		if l, twice := firstLine[id]; twice {
			return lr.errf(fn, lr.header[fn], "function %q has a row already, on line %d: one row per function (the rows are not merged; remove or add up the duplicate)", fkey, l)
		}
		firstLine[id] = lr.line
	}
}

// readDay reads day d's three files into reuse's storage (a new day if
// reuse is nil). Its functions must have been registered by
// scanFunctions.
func (t *Azure2019Trace) readDay(d int, reuse *azureDay) (*azureDay, error) {
	files := t.files[d]
	day := reuse
	if day == nil {
		day = &azureDay{}
	}
	lr, f, err := openTable(t.open, files.Invocations, "azure2019")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fn, app, owner, _, minuteCols, err := invocationColumns(lr)
	if err != nil {
		return nil, err
	}
	if err := t.checkMinutes(files.Invocations, len(minuteCols)); err != nil {
		return nil, err
	}
	// Counts arrive row by row (function by function) and are kept minute
	// by minute: gather (minute, cell) pairs, then place them by a
	// counting sort on the minute, which keeps the row order within one.
	type minuteCell struct {
		m int32
		c cell
	}
	var rows []minuteCell
	perMinute := make([]int, t.minutes+1)
	arrivals := make([]int, t.minutes) // per minute, over every function
	for {
		ok, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if err := lr.checkWidth(); err != nil {
			return nil, err
		}
		fkey, _, err := funcKeyOf(lr, fn, app, owner)
		if err != nil {
			return nil, err
		}
		id, known := t.fnKey[fkey]
		if !known {
			return nil, lr.errf(fn, "HashFunction", "function %q was not in the file when it was first read", fkey)
		}
		for m, col := range minuteCols {
			n, err := lr.count(col)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				rows = append(rows, minuteCell{m: int32(m), c: cell{fn: id, n: n}})
				perMinute[m+1]++
				if arrivals[m] += int(n); arrivals[m] > MaxArrivalsPerMinute {
					return nil, lr.errf(col, lr.header[col], "the minute's arrivals over every function so far (%d) pass the limit of %d arrivals in a minute", arrivals[m], MaxArrivalsPerMinute)
				}
			}
		}
	}
	for m := range t.minutes {
		perMinute[m+1] += perMinute[m]
	}
	day.start = append(day.start[:0], perMinute...)
	if cap(day.cells) < len(rows) {
		day.cells = make([]cell, len(rows))
	}
	day.cells = day.cells[:len(rows)]
	for _, r := range rows {
		day.cells[perMinute[r.m]] = r.c
		perMinute[r.m]++
	}

	durs, err := t.readPercentiles(files.Durations, []string{"HashFunction", "HashApp"}, durationCols, durationPoints, MaxExecutionSeconds*1000, "ms")
	if err != nil {
		return nil, err
	}
	mems, err := t.readPercentiles(files.Memory, []string{"HashApp"}, memoryCols, memoryPoints, MaxMemoryMB, "MB")
	if err != nil {
		return nil, err
	}
	day.dur = make([]dist.PiecewiseLinear, len(t.funcs))
	day.durUpper = make([]dist.UpperStep, len(t.funcs))
	day.mem = make([]dist.PiecewiseLinear, len(t.apps))
	for i, f := range t.funcs {
		if q, ok := durs[f.Name]; ok {
			day.dur[i], day.durUpper[i] = q, dist.UpperStep{P: q.P, V: q.V}
		}
	}
	for i, k := range t.apps {
		day.mem[i] = mems[k]
	}
	return day, nil
}

// readPercentiles reads a durations or memory file into percentile tables
// keyed like the functions (owner/app/function) or apps (owner/app): ids
// name the function and app columns, or the app column alone.
//
// A row repeating an earlier row's function (app) is not merged with it:
// the first row is used and the repeats are counted in a note (notePath).
// The 2019 release itself repeats functions within a day's durations file
// (github.com/Azure/AzurePublicDataset issue #40), so refusing them would
// refuse the trace.
func (t *Azure2019Trace) readPercentiles(path string, ids, cols []string, points []float64, limit float64, unit string) (map[string]dist.PiecewiseLinear, error) {
	lr, f, err := openTable(t.open, path, "azure2019")
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
	out := map[string]dist.PiecewiseLinear{}
	firstLine := map[string]int{}
	var rep repeats
	for {
		ok, err := lr.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			what := "function"
			if len(ids) == 1 {
				what = "app"
			}
			t.note(path, rep.note(path, what))
			return out, nil
		}
		if err := lr.checkWidth(); err != nil {
			return nil, err
		}
		vals := make([]float64, len(cols))
		for k, c := range colIdx {
			if vals[k], err = lr.floatMax(c, limit, unit); err != nil {
				return nil, err
			}
		}
		var key string
		if len(ids) == 2 {
			key, _, err = funcKeyOf(lr, idIdx[0], idIdx[1], owner)
		} else {
			_, key, err = funcKeyOf(lr, -1, idIdx[0], owner)
		}
		if err != nil {
			return nil, err
		}
		q, err := dist.NewPiecewiseLinear(points, vals)
		if err != nil {
			return nil, lr.errf(colIdx[0], lr.header[colIdx[0]], "%v", err)
		}
		if first, again := firstLine[key]; again {
			rep.add(first, lr.line, !slices.Equal(out[key].V, vals))
			continue
		}
		firstLine[key] = lr.line
		out[key] = q
	}
}

// repeats counts the rows of a percentile file that repeat an earlier
// row's function or app.
type repeats struct {
	rows, conflicting int
	first, again      int // the lines of the first repeat and of its first row
}

func (r *repeats) add(first, again int, conflicting bool) {
	if r.rows == 0 {
		r.first, r.again = first, again
	}
	r.rows++
	if conflicting {
		r.conflicting++
	}
}

// note says what was done with the repeats; "" if there were none.
func (r *repeats) note(path, what string) string {
	if r.rows == 0 {
		return ""
	}
	return fmt.Sprintf("%s: %d row(s) repeat an earlier row's %s, %d of them with other values (the first: line %d repeats line %d); each %s's first row is used, the repeats are ignored",
		path, r.rows, what, r.conflicting, r.again, r.first, what)
}

// note records a note on a file once, however many days read it.
func (t *Azure2019Trace) note(path, n string) {
	if n == "" || t.noted[path] {
		return
	}
	if t.noted == nil {
		t.noted = map[string]bool{}
	}
	t.noted[path] = true
	t.notes = append(t.notes, n)
}
