package traces

import (
	"container/heap"
	"fmt"
	"io"
	"math"
	"os"

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
}

// Azure2021 streams the Azure Functions 2021 invocation trace (Zhang et al.,
// "Faster and Cheaper Serverless Computing on Harvested Resources", SOSP'21;
// columns app,func,end_timestamp,duration in seconds, ordered by end time).
//
// An invocation arrives at end_timestamp - duration. Because the file is
// ordered by end time, arrivals are not; the reader first scans the file
// (checking every row and finding the longest duration D), then replays it
// through a min-heap that releases an invocation once the end time read
// reaches its arrival + D: no later row can arrive earlier. The heap holds
// only the invocations of the last D seconds. Times are shifted, if needed,
// so that the first arrival is at or after 0.
type Azure2021 struct {
	path   string
	opts   Azure2021Options
	funcs  []sim.FunctionInfo
	apps   []string
	fnApp  []int32
	appMem []float32

	maxDur  sim.Duration
	shift   sim.Duration
	horizon sim.Time
	rows    int64

	f       io.ReadCloser
	lr      *lineReader
	cols    []int
	fnIdx   map[[2]string]int32
	appIdx  map[string]int32
	h       arrivalHeap
	lastEnd sim.Time
	eof     bool
	cur     sim.Invocation
	err     error
}

// OpenAzure2021 scans and checks the file, then positions the reader at the
// start.
func OpenAzure2021(path string, opts Azure2021Options) (*Azure2021, error) {
	if opts.Open == nil {
		opts.Open = func(name string) (io.ReadCloser, error) { return os.Open(name) }
	}
	if opts.Memory == nil {
		return nil, fmt.Errorf("azure2021: no memory distribution for app footprints")
	}
	a := &Azure2021{path: path, opts: opts, fnIdx: map[[2]string]int32{}, appIdx: map[string]int32{}}
	if err := a.scan(); err != nil {
		return nil, err
	}
	mrng := opts.Streams.New("memory")
	a.appMem = make([]float32, len(a.apps))
	for i := range a.apps {
		a.appMem[i] = float32(opts.Memory.Quantile(mrng.Float64()))
	}
	if err := a.rewind(); err != nil {
		return nil, err
	}
	return a, nil
}

// maxSeconds bounds times so that microseconds fit comfortably in an int64
// (10^9 s is 31 years).
const maxSeconds = 1e9

// row parses the current line: function index, end and duration (µs).
func (a *Azure2021) row(lr *lineReader, register bool) (int32, sim.Time, sim.Duration, error) {
	if err := lr.checkWidth(); err != nil {
		return 0, 0, 0, err
	}
	app, fn := lr.str(a.cols[0]), lr.str(a.cols[1])
	if app == "" || fn == "" {
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
	if dur > maxSeconds {
		return 0, 0, 0, lr.errf(a.cols[3], "duration", "%v s is beyond %g s", dur, maxSeconds)
	}
	k := [2]string{app, fn}
	id, ok := a.fnIdx[k]
	if !ok {
		if !register {
			return 0, 0, 0, lr.errf(a.cols[1], "func", "function %s/%s was not in the file when it was first read", app, fn)
		}
		id = int32(len(a.funcs))
		a.fnIdx[k] = id
		ai, ok := a.appIdx[app]
		if !ok {
			ai = int32(len(a.apps))
			a.appIdx[app] = ai
			a.apps = append(a.apps, app)
		}
		a.funcs = append(a.funcs, sim.FunctionInfo{Name: app + "/" + fn, App: ai})
		a.fnApp = append(a.fnApp, ai)
	}
	return id, sim.Time(math.Round(end * 1e6)), sim.Duration(math.Round(dur * 1e6)), nil
}

func (a *Azure2021) open() (*lineReader, error) {
	lr, f, err := openTable(a.opts.Open, a.path, "azure2021")
	if err != nil {
		return nil, err
	}
	a.f = f
	cols, err := lr.requireColumns("app", "func", "end_timestamp", "duration")
	if err != nil {
		f.Close()
		return nil, err
	}
	a.cols = cols
	return lr, nil
}

// scan is the first pass: checks, function table, longest duration, span.
func (a *Azure2021) scan() error {
	lr, err := a.open()
	if err != nil {
		return err
	}
	defer a.f.Close()
	var lastEnd, minArrival sim.Time
	minArrival = math.MaxInt64
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
		if a.rows > 0 && end < lastEnd {
			return lr.errf(a.cols[2], "end_timestamp", "end time %.6f s goes back from %.6f s: the 2021 trace is ordered by end time",
				end.Seconds(), lastEnd.Seconds())
		}
		lastEnd = end
		if dur > a.maxDur {
			a.maxDur = dur
		}
		if arr := end - sim.Time(dur); arr < minArrival {
			minArrival = arr
		}
		a.rows++
	}
	if a.rows == 0 {
		return &ParseError{File: a.path, Err: fmt.Errorf("no invocation rows (%w)", ErrEmpty)}
	}
	if minArrival < 0 {
		a.shift = sim.Duration(-minArrival)
	}
	a.horizon = lastEnd.Add(a.shift) + 1
	return nil
}

// rewind reopens the file for the replay pass.
func (a *Azure2021) rewind() error {
	lr, err := a.open()
	if err != nil {
		return err
	}
	a.lr = lr
	return nil
}

// Functions implements sim.Source.
func (a *Azure2021) Functions() []sim.FunctionInfo { return a.funcs }

// Apps implements sim.Source.
func (a *Azure2021) Apps() []string { return a.apps }

// Horizon is just after the last end time.
func (a *Azure2021) Horizon() sim.Time { return a.horizon }

// Next implements sim.Source.
func (a *Azure2021) Next() bool {
	if a.err != nil {
		return false
	}
	for !a.eof && (a.h.Len() == 0 || a.h.items[0].Arrival+sim.Time(a.maxDur) > a.lastEnd) {
		ok, err := a.lr.next()
		if err != nil {
			a.fail(err)
			return false
		}
		if !ok {
			a.eof = true
			a.f.Close()
			break
		}
		fn, end, dur, err := a.row(a.lr, false)
		if err != nil {
			a.fail(err)
			return false
		}
		end = end.Add(a.shift)
		a.lastEnd = end
		heap.Push(&a.h, heapItem{Invocation: sim.Invocation{Arrival: end - sim.Time(dur), Duration: dur, Function: sim.FunctionID(fn),
			MemoryMB: a.appMem[a.fnApp[fn]]}, line: a.lr.line})
	}
	if a.h.Len() == 0 {
		return false
	}
	a.cur = heap.Pop(&a.h).(heapItem).Invocation
	return true
}

func (a *Azure2021) fail(err error) {
	a.err = err
	if a.f != nil {
		a.f.Close()
	}
}

// At implements sim.Source.
func (a *Azure2021) At() sim.Invocation { return a.cur }

// Err implements sim.Source.
func (a *Azure2021) Err() error { return a.err }

// Notes reports the reordering window and any time shift.
func (a *Azure2021) Notes() []string {
	n := []string{fmt.Sprintf("%d invocations; arrivals = end - duration, reordered within the longest duration (%v); app footprints drawn from the configured distribution", a.rows, a.maxDur)}
	if a.shift > 0 {
		n = append(n, fmt.Sprintf("times shifted by %v so that the first arrival is at 0", a.shift))
	}
	return n
}

type heapItem struct {
	sim.Invocation
	line int
}

// arrivalHeap orders invocations by arrival, then by file line.
type arrivalHeap struct{ items []heapItem }

func (h *arrivalHeap) Len() int { return len(h.items) }
func (h *arrivalHeap) Less(i, j int) bool {
	a, b := &h.items[i], &h.items[j]
	return a.Arrival < b.Arrival || (a.Arrival == b.Arrival && a.line < b.line)
}
func (h *arrivalHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *arrivalHeap) Push(x any)    { h.items = append(h.items, x.(heapItem)) }
func (h *arrivalHeap) Pop() any {
	n := len(h.items) - 1
	x := h.items[n]
	h.items = h.items[:n]
	return x
}
