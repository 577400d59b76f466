package traces

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/skyfaas/skyfaas/sim"
)

// SortChunkRecords is how many invocations the Azure 2021 reader sorts in
// memory at once when its file is in no order: runs of this many records
// (32 bytes each in memory, 28 on disk), each sorted, are written to one
// temporary file and merged. 1<<20 records hold 32 MiB; the real two-week
// trace (1,980,951 rows) makes two runs.
const SortChunkRecords = 1 << 20

// Bounds of the read buffer of each run during the merge: the runs share
// about one chunk's worth of memory, within these bounds.
const (
	minRunBuffer = 4 << 10
	maxRunBuffer = 64 << 10
)

// record is one invocation as the reordering sees it.
type record struct {
	arrival sim.Time     // µs, before the reader's shift
	dur     sim.Duration // µs
	line    int64        // line in the trace file: orders equal arrivals
	fn      int32
	run     int32 // during a merge, the sorted run the record came from
}

// before orders records by arrival, then by file line.
func (r *record) before(s *record) bool {
	return r.arrival < s.arrival || (r.arrival == s.arrival && r.line < s.line)
}

func compareRecords(r, s record) int {
	switch {
	case r.before(&s):
		return -1
	case s.before(&r):
		return 1
	}
	return 0
}

// recordBytes is the size of a record on disk: arrival, duration, line, function.
const recordBytes = 8 + 8 + 8 + 4

// recordHeap is a binary min-heap of records in before order.
type recordHeap struct{ items []record }

func (h *recordHeap) len() int     { return len(h.items) }
func (h *recordHeap) top() *record { return &h.items[0] }

func (h *recordHeap) push(r record) {
	h.items = append(h.items, r)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h.items[i].before(&h.items[p]) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *recordHeap) pop() record {
	r := h.items[0]
	n := len(h.items) - 1
	h.items[0] = h.items[n]
	h.items = h.items[:n]
	h.down(0)
	return r
}

// down restores the heap below i after items[i] grew.
func (h *recordHeap) down(i int) {
	n := len(h.items)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h.items[c+1].before(&h.items[c]) {
			c++
		}
		if !h.items[c].before(&h.items[i]) {
			return
		}
		h.items[i], h.items[c] = h.items[c], h.items[i]
		i = c
	}
}

// externalSort sorts records in memory bounded by its chunk size: add
// collects records, writing each full chunk, sorted, as a run to one
// temporary file; finish ends the input; next returns the records in order,
// merging the runs through a heap. When every record fits in one chunk no
// file is written. close removes the file; it is also removed once next has
// returned the last record.
type externalSort struct {
	dir, source string // temp directory; the trace, to name in errors
	chunk       int
	buf         []record

	file *os.File
	w    *bufio.Writer
	runs [][2]int64 // offset and count of records of each run in file

	pos     int // in buf, when the records never left memory
	readers []*bufio.Reader
	left    []int64 // records not yet read of each run
	heap    recordHeap
	scratch [recordBytes]byte
}

func newExternalSort(dir, source string, chunk, expected int) *externalSort {
	return &externalSort{dir: dir, source: source, chunk: chunk, buf: make([]record, 0, min(chunk, expected))}
}

func (s *externalSort) fail(format string, args ...any) error {
	return &ParseError{File: s.source, Err: fmt.Errorf("sorting by arrival: "+format, args...)}
}

func (s *externalSort) add(r record) error {
	if len(s.buf) == s.chunk {
		if err := s.writeRun(); err != nil {
			return err
		}
	}
	s.buf = append(s.buf, r)
	return nil
}

// writeRun sorts buf and appends it to the temporary file as a run.
func (s *externalSort) writeRun() error {
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "skyfaas-azure2021-*.runs")
		if err != nil {
			return s.fail("%v", err)
		}
		s.file, s.w = f, bufio.NewWriterSize(f, maxRunBuffer)
	}
	slices.SortFunc(s.buf, compareRecords)
	var off int64
	if n := len(s.runs); n > 0 {
		off = s.runs[n-1][0] + s.runs[n-1][1]*recordBytes
	}
	b := s.scratch[:]
	for i := range s.buf {
		r := &s.buf[i]
		binary.LittleEndian.PutUint64(b[0:], uint64(r.arrival))
		binary.LittleEndian.PutUint64(b[8:], uint64(r.dur))
		binary.LittleEndian.PutUint64(b[16:], uint64(r.line))
		binary.LittleEndian.PutUint32(b[24:], uint32(r.fn))
		if _, err := s.w.Write(b); err != nil {
			return s.fail("writing %s: %v", s.file.Name(), err)
		}
	}
	s.runs = append(s.runs, [2]int64{off, int64(len(s.buf))})
	s.buf = s.buf[:0]
	return nil
}

// finish ends the input and prepares the merge.
func (s *externalSort) finish() error {
	if s.file == nil {
		slices.SortFunc(s.buf, compareRecords)
		return nil
	}
	if len(s.buf) > 0 {
		if err := s.writeRun(); err != nil {
			return err
		}
	}
	s.buf = nil
	if err := s.w.Flush(); err != nil {
		return s.fail("writing %s: %v", s.file.Name(), err)
	}
	size := min(max(s.chunk*recordBytes/len(s.runs), minRunBuffer), maxRunBuffer)
	s.heap.items = make([]record, 0, len(s.runs))
	for i, run := range s.runs {
		r := bufio.NewReaderSize(io.NewSectionReader(s.file, run[0], run[1]*recordBytes), size)
		s.readers = append(s.readers, r)
		s.left = append(s.left, run[1])
		rec, ok, err := s.read(i)
		if err != nil {
			return err
		}
		if ok {
			s.heap.push(rec)
		}
	}
	return nil
}

// read returns the next record of run i; false at its end.
func (s *externalSort) read(i int) (record, bool, error) {
	if s.left[i] == 0 {
		return record{}, false, nil
	}
	b := s.scratch[:]
	if _, err := io.ReadFull(s.readers[i], b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return record{}, false, s.fail("reading %s: run %d ends %d records short: %v", s.file.Name(), i+1, s.left[i], err)
	}
	s.left[i]--
	return record{
		arrival: sim.Time(binary.LittleEndian.Uint64(b[0:])),
		dur:     sim.Duration(binary.LittleEndian.Uint64(b[8:])),
		line:    int64(binary.LittleEndian.Uint64(b[16:])),
		fn:      int32(binary.LittleEndian.Uint32(b[24:])),
		run:     int32(i),
	}, true, nil
}

// next returns the next record in order; false after the last.
func (s *externalSort) next() (record, bool, error) {
	if s.file == nil {
		if s.pos >= len(s.buf) {
			s.buf = nil
			return record{}, false, nil
		}
		s.pos++
		return s.buf[s.pos-1], true, nil
	}
	if s.heap.len() == 0 {
		return record{}, false, s.close()
	}
	top := s.heap.top()
	out := *top
	rec, ok, err := s.read(int(top.run))
	switch {
	case err != nil:
		return record{}, false, err
	case ok:
		*top = rec
		s.heap.down(0)
	default:
		s.heap.pop()
	}
	return out, true, nil
}

// runCount is the number of runs written to disk (0 if sorted in memory).
func (s *externalSort) runCount() int { return len(s.runs) }

// close removes the temporary file, if any; it may be called more than once.
func (s *externalSort) close() error {
	s.buf, s.readers, s.left, s.heap.items = nil, nil, nil, nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	cerr := s.file.Close()
	rerr := os.Remove(name)
	s.file = nil
	if rerr != nil {
		return s.fail("removing %s: %v", name, rerr)
	}
	if cerr != nil {
		return s.fail("closing %s: %v", name, cerr)
	}
	return nil
}
