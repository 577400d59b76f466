package traces

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
)

// TestExternalSortMatchesSort checks the external sort against an in-memory
// sort, for chunk sizes from one record (a run per record) to all of them.
func TestExternalSortMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12)) // any fixed seed
	in := make([]record, 5000)
	for i := range in {
		// Few distinct arrivals, so that ties are common and decided by line.
		in[i] = record{arrival: sim.Time(rng.IntN(300)), dur: sim.Duration(rng.IntN(1e6)), line: int64(i + 2), fn: int32(rng.IntN(40))}
	}
	want := slices.Clone(in)
	slices.SortStableFunc(want, func(a, b record) int { return int(a.arrival - b.arrival) })
	for _, chunk := range []int{1, 7, 64, 4999, 5000, SortChunkRecords} {
		dir := t.TempDir()
		s := newExternalSort(dir, "t.txt", chunk, len(in))
		for _, r := range in {
			if err := s.add(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.finish(); err != nil {
			t.Fatal(err)
		}
		if wantRuns := (len(in) + chunk - 1) / chunk; s.runCount() != wantRuns && !(wantRuns == 1 && s.runCount() == 0) {
			t.Errorf("chunk %d: %d runs on disk, want %d", chunk, s.runCount(), wantRuns)
		}
		var got []record
		for {
			r, ok, err := s.next()
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			r.run = 0
			got = append(got, r)
		}
		if !slices.Equal(got, want) {
			t.Errorf("chunk %d: the external sort differs from a stable sort by arrival", chunk)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("chunk %d: %d files left after the last record", chunk, len(entries))
		}
		if err := s.close(); err != nil {
			t.Errorf("chunk %d: close after the end: %v", chunk, err)
		}
	}
}

func TestRecordHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14)) // any fixed seed
	var h recordHeap
	var all []record
	for i := range 2000 {
		r := record{arrival: sim.Time(rng.IntN(100)), line: int64(i)}
		all = append(all, r)
		h.push(r)
		if i%3 == 0 { // interleave pops with pushes
			want := slices.MinFunc(all, compareRecords)
			if got := h.pop(); got != want {
				t.Fatalf("pop after push %d = %+v, want %+v", i, got, want)
			}
			all = slices.DeleteFunc(all, func(x record) bool { return x == want })
		}
	}
	slices.SortFunc(all, compareRecords)
	for i, want := range all {
		if got := h.pop(); got != want {
			t.Fatalf("pop %d = %+v, want %+v", i, got, want)
		}
	}
	if h.len() != 0 {
		t.Errorf("%d records left", h.len())
	}
}
