package traces

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
)

// Azure2021Options configures the 2021 reader.
type Azure2021Options struct {
	// Memory is the distribution of app footprints (MB): the 2021 trace has
	// no memory column, so each app draws one footprint from it.
	Memory  dist.Quantiler
	Streams sim.Streams
	// Open opens the file; nil uses os.Open. The reader opens it twice.
	Open func(name string) (io.ReadCloser, error)
	// TempDir is where a file in no order is sorted (one temporary file of
	// 28 bytes per invocation); "" uses os.TempDir().
	TempDir string
	// SortChunk is how many invocations such a sort holds in memory at once;
	// 0 uses SortChunkRecords.
	SortChunk int
}

// Azure2021Order is the order the 2021 reader found its file in, which
// decides how it puts the invocations in arrival order.
type Azure2021Order uint8

const (
	// OrderArrival: arrivals (end - duration) never decrease, as in InVitro's
	// cuts. The file is streamed as read.
	OrderArrival Azure2021Order = iota
	// OrderEnd: end times never decrease, as in the full release. The
	// invocations pass through a min-heap that releases one once the end
	// time read reaches its arrival + D, D the longest duration: no later
	// row can arrive earlier. The heap holds the invocations of the last D.
	OrderEnd
	// OrderNone: neither (a file re-sorted by its user). The invocations are
	// sorted by an external merge sort: runs of Azure2021Options.SortChunk
	// records, each sorted in memory, are written to one temporary file and
	// merged through a heap. A file that fits in one run is sorted in memory.
	OrderNone
)

var orderNames = [...]string{"arrival", "end", "none"}

func (o Azure2021Order) String() string {
	if int(o) < len(orderNames) {
		return orderNames[o]
	}
	return fmt.Sprintf("Azure2021Order(%d)", uint8(o))
}

// Azure2021 streams the Azure Functions 2021 invocation trace (Zhang et al.,
// "Faster and Cheaper Serverless Computing on Harvested Resources", SOSP'21;
// columns app,func,end_timestamp,duration in seconds; the release is ordered
// by end time).
//
// An invocation arrives at end_timestamp - duration. The reader first scans
// the file, checking every row and finding which order it is in (see
// Azure2021Order): by arrival, by end time, or none; a file in no order is
// then sorted on disk. Invocations come out by arrival, equal arrivals in
// file line order, whatever the order of the file. Functions are numbered
// by (app, func) name and apps by name, so a file's invocations in any order
// replay identically. Times are shifted, if needed, so that the first
// arrival is at or after 0.
//
// Memory stays bounded whatever the file's length: the functions, plus the
// invocations of the longest duration (order by end) or one sort chunk and
// a read buffer per run (no order). Close releases the open file and the
// temporary file of a sort; a replay read to its end, or stopped by an
// error, has released them already.
type Azure2021 struct {
	path   string
	opts   Azure2021Options
	funcs  []sim.FunctionInfo
	apps   []string
	fnApp  []int32
	appMem []float32
	fnIdx  map[string]int32 // "app,func": neither name can hold a comma
	key    []byte

	order   Azure2021Order
	maxDur  sim.Duration
	shift   sim.Duration
	horizon sim.Time
	rows    int64

	f       io.ReadCloser // the trace, while streamed
	lr      *lineReader
	cols    []int
	h       recordHeap // OrderEnd
	lastEnd sim.Time
	eof     bool
	sort    *externalSort // OrderNone
	runs    int           // sorted runs written to disk
	done    bool
	cur     sim.Invocation
	err     error
}

// OpenAzure2021 scans and checks the file, sorts it if it is in no order,
// then positions the reader at the start. The caller should Close the
// reader if it stops before the end.
func OpenAzure2021(path string, opts Azure2021Options) (*Azure2021, error) {
	if opts.Open == nil {
		opts.Open = regular.ReadCloser
	}
	if opts.Memory == nil {
		return nil, fmt.Errorf("azure2021: no memory distribution for app footprints")
	}
	if opts.SortChunk < 0 {
		return nil, fmt.Errorf("azure2021: sort chunk %d is negative", opts.SortChunk)
	}
	if opts.SortChunk == 0 {
		opts.SortChunk = SortChunkRecords
	}
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	a := &Azure2021{path: path, opts: opts, fnIdx: map[string]int32{}}
	if err := a.scan(); err != nil {
		return nil, err
	}
	a.numberFunctions()
	mrng := opts.Streams.New("memory")
	a.appMem = make([]float32, len(a.apps))
	for i := range a.apps {
		a.appMem[i] = float32(opts.Memory.Quantile(mrng.Float64()))
	}
	var err error
	if a.order == OrderNone {
		if err = a.sortFile(); err == nil {
			a.runs = a.sort.runCount()
		}
	} else {
		a.lr, err = a.open()
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// maxSeconds bounds times so that microseconds fit comfortably in an int64
// (10^9 s is 31 years).
const maxSeconds = 1e9

// row parses the current line: function index, end and duration (µs). While
// scanning (register), a new function gets a provisional index.
func (a *Azure2021) row(lr *lineReader, register bool) (int32, sim.Time, sim.Duration, error) {
	if err := lr.checkWidth(); err != nil {
		return 0, 0, 0, err
	}
	app, fn := bytes.TrimSpace(lr.fields[a.cols[0]]), bytes.TrimSpace(lr.fields[a.cols[1]])
	if len(app) == 0 || len(fn) == 0 {
		return 0, 0, 0, lr.errf(-1, "", "empty app or func")
	}
	end, err := lr.float(a.cols[2])
	if err != nil {
		return 0, 0, 0, err
	}
	dur, err := lr.float(a.cols[3])
	if err != nil {
		return 0, 0, 0, err
	}
	if end > maxSeconds {
		return 0, 0, 0, lr.errf(a.cols[2], "end_timestamp", "%v s is beyond %g s", end, maxSeconds)
	}
	if dur > MaxExecutionSeconds {
		return 0, 0, 0, lr.errf(a.cols[3], "duration", "%v s is above the limit of %d s (one week)", dur, MaxExecutionSeconds)
	}
	a.key = append(append(append(a.key[:0], app...), ','), fn...)
	id, ok := a.fnIdx[string(a.key)]
	if !ok {
		if !register {
			return 0, 0, 0, lr.errf(a.cols[1], "func", "function %s/%s was not in the file when it was first read", app, fn)
		}
		id = int32(len(a.fnIdx))
		a.fnIdx[string(a.key)] = id
	}
	return id, sim.Time(math.Round(end * 1e6)), sim.Duration(math.Round(dur * 1e6)), nil
}

// open opens the trace and finds its columns.
func (a *Azure2021) open() (*lineReader, error) {
	lr, f, err := openTable(a.opts.Open, a.path, "azure2021")
	if err != nil {
		return nil, err
	}
	a.f = f
	cols, err := lr.requireColumns("app", "func", "end_timestamp", "duration")
	if err != nil {
		a.closeFile()
		return nil, err
	}
	a.cols = cols
	return lr, nil
}

func (a *Azure2021) closeFile() {
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
}

// scan is the first pass: checks, functions, order, longest duration, span.
func (a *Azure2021) scan() error {
	lr, err := a.open()
	if err != nil {
		return err
	}
	defer a.closeFile()
	byEnd, byArrival := true, true
	var lastEnd, lastArrival, maxEnd sim.Time
	minArrival := sim.Time(math.MaxInt64)
	for {
		ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		_, end, dur, err := a.row(lr, true)
		if err != nil {
			return err
		}
		arr := end - sim.Time(dur)
		if a.rows > 0 {
			byEnd = byEnd && end >= lastEnd
			byArrival = byArrival && arr >= lastArrival
		}
		lastEnd, lastArrival = end, arr
		a.maxDur = max(a.maxDur, dur)
		maxEnd = max(maxEnd, end)
		minArrival = min(minArrival, arr)
		a.rows++
	}
	if a.rows == 0 {
		return &ParseError{File: a.path, Err: fmt.Errorf("no invocation rows (%w)", ErrEmpty)}
	}
	switch {
	case byArrival: // also when both hold: streaming needs no heap
		a.order = OrderArrival
	case byEnd:
		a.order = OrderEnd
	default:
		a.order = OrderNone
	}
	if minArrival < 0 {
		a.shift = sim.Duration(-minArrival)
	}
	a.horizon = maxEnd.Add(a.shift) + 1
	return nil
}

// numberFunctions numbers the functions by (app, func) name and the apps
// by name, so that the numbering does not depend on the file's order.
func (a *Azure2021) numberFunctions() {
	keys := make([]string, 0, len(a.fnIdx))
	for k := range a.fnIdx {
		keys = append(keys, k)
	}
	split := func(k string) (string, string) { app, fn, _ := strings.Cut(k, ","); return app, fn }
	slices.SortFunc(keys, func(x, y string) int {
		xa, xf := split(x)
		ya, yf := split(y)
		if c := strings.Compare(xa, ya); c != 0 {
			return c
		}
		return strings.Compare(xf, yf)
	})
	for i, k := range keys {
		app, fn := split(k)
		if len(a.apps) == 0 || a.apps[len(a.apps)-1] != app {
			a.apps = append(a.apps, app)
		}
		ai := int32(len(a.apps) - 1)
		a.fnIdx[k] = int32(i)
		a.funcs = append(a.funcs, sim.FunctionInfo{Name: app + "/" + fn, App: ai})
		a.fnApp = append(a.fnApp, ai)
	}
}

// sortFile is the second pass of a file in no order: it feeds every row to
// an external sort.
func (a *Azure2021) sortFile() error {
	lr, err := a.open()
	if err != nil {
		return err
	}
	defer a.closeFile()
	a.sort = newExternalSort(a.opts.TempDir, a.path, a.opts.SortChunk, int(min(a.rows, math.MaxInt32)))
	for {
		ok, err := lr.next()
		if err != nil {
			return err
		}
		if !ok {
			return a.sort.finish()
		}
		fn, end, dur, err := a.row(lr, false)
		if err != nil {
			return err
		}
		if err := a.sort.add(record{arrival: end - sim.Time(dur), dur: dur, line: int64(lr.line), fn: fn}); err != nil {
			return err
		}
	}
}

// Functions implements sim.Source.
func (a *Azure2021) Functions() []sim.FunctionInfo { return a.funcs }

// Apps implements sim.Source.
func (a *Azure2021) Apps() []string { return a.apps }

// Horizon is just after the last end time.
func (a *Azure2021) Horizon() sim.Time { return a.horizon }

// Order is the order the file was found in.
func (a *Azure2021) Order() Azure2021Order { return a.order }

// Next implements sim.Source.
func (a *Azure2021) Next() bool {
	if a.done {
		return false
	}
	var r record
	var ok bool
	var err error
	switch a.order {
	case OrderArrival:
		r, ok, err = a.nextRow()
	case OrderEnd:
		r, ok, err = a.nextFromHeap()
	default:
		r, ok, err = a.sort.next()
	}
	if err == nil && ok && (r.fn < 0 || int(r.fn) >= len(a.funcs)) {
		err = &ParseError{File: a.path, Err: fmt.Errorf("function index %d out of range after sorting", r.fn)}
	}
	if err != nil || !ok {
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		a.err = err
		return false
	}
	a.cur = sim.Invocation{Arrival: r.arrival.Add(a.shift), Duration: r.dur, Function: sim.FunctionID(r.fn),
		MemoryMB: a.appMem[a.fnApp[r.fn]]}
	return true
}

// nextRow reads the next row of the file (OrderArrival, OrderEnd).
func (a *Azure2021) nextRow() (record, bool, error) {
	ok, err := a.lr.next()
	if err != nil || !ok {
		return record{}, false, err
	}
	fn, end, dur, err := a.row(a.lr, false)
	if err != nil {
		return record{}, false, err
	}
	a.lastEnd = end
	return record{arrival: end - sim.Time(dur), dur: dur, line: int64(a.lr.line), fn: fn}, true, nil
}

// nextFromHeap reads rows until the earliest arrival held is final.
func (a *Azure2021) nextFromHeap() (record, bool, error) {
	for !a.eof && (a.h.len() == 0 || a.h.top().arrival+sim.Time(a.maxDur) > a.lastEnd) {
		r, ok, err := a.nextRow()
		if err != nil {
			return record{}, false, err
		}
		if !ok {
			a.eof = true
			a.closeFile()
			break
		}
		a.h.push(r)
	}
	if a.h.len() == 0 {
		return record{}, false, nil
	}
	return a.h.pop(), true, nil
}

// Close releases the open trace file and removes the temporary file of a
// sort. Next returns false after it. It may be called more than once, and
// is needed only when a replay stops before the end: reading to the end
// (or to an error) releases everything.
func (a *Azure2021) Close() error {
	a.done = true
	a.closeFile()
	a.h.items = nil
	if a.sort != nil {
		err := a.sort.close()
		a.sort = nil
		return err
	}
	return nil
}

// At implements sim.Source.
func (a *Azure2021) At() sim.Invocation { return a.cur }

// Err implements sim.Source.
func (a *Azure2021) Err() error { return a.err }

// Notes reports how the invocations were put in arrival order and any
// time shift.
func (a *Azure2021) Notes() []string {
	var how string
	switch a.order {
	case OrderArrival:
		how = "the file is in arrival order (end - duration): streamed as read"
	case OrderEnd:
		how = fmt.Sprintf("the file is in end-time order: arrivals = end - duration, reordered within the longest duration (%v)", a.maxDur)
	default:
		how = "the file is in no order: sorted by arrival (end - duration) in memory"
		if a.runs > 0 {
			how = fmt.Sprintf("the file is in no order: sorted by arrival (end - duration) in %d runs of up to %d invocations on disk", a.runs, a.opts.SortChunk)
		}
	}
	n := []string{fmt.Sprintf("%d invocations; %s; app footprints drawn from the configured distribution", a.rows, how)}
	if a.shift > 0 {
		n = append(n, fmt.Sprintf("times shifted by %v so that the first arrival is at 0", a.shift))
	}
	return n
}
