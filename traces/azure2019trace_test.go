package traces_test

import (
	"io"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// replays are the replay options the equality tests try: every spread and
// duration draw, whole and windowed, on several seeds and replications.
func replays(minute sim.Duration) []traces.Azure2019Replay {
	return []traces.Azure2019Replay{
		{Spread: traces.SpreadUniform, Streams: sim.NewStreams(1, 0)},
		{Spread: traces.SpreadPoisson, DurationDraw: traces.DrawUpper, Streams: sim.NewStreams(7, 2)},
		{From: 2 * minute, To: 5 * minute, Spread: traces.SpreadEquidistant, Streams: sim.NewStreams(3, 1)},
		{From: minute, Spread: traces.SpreadUniform, DurationDraw: traces.DrawUpper, Streams: sim.NewStreams(9, 0)},
	}
}

// open2019Files opens the file-reading source over days with the replay
// options r.
func open2019Files(t *testing.T, days []traces.Azure2019Day, r traces.Azure2019Replay, open func(string) (io.ReadCloser, error)) *traces.Azure2019 {
	t.Helper()
	a, err := traces.OpenAzure2019(traces.Azure2019Options{Days: days, From: r.From, To: r.To, Spread: r.Spread,
		DurationDraw: r.DurationDraw, Streams: r.Streams, Open: open})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// checkSameReplay checks that the parsed trace replays, twice, exactly
// what the file-reading source gives for the same options: invocations,
// functions, apps, horizon and notes.
func checkSameReplay(t *testing.T, tr *traces.Azure2019Trace, days []traces.Azure2019Day, r traces.Azure2019Replay, open func(string) (io.ReadCloser, error)) {
	t.Helper()
	files := open2019Files(t, days, r, open)
	want := drain(t, files)
	if len(want) == 0 {
		t.Fatalf("replay %+v: no invocation", r)
	}
	for round := range 2 { // a second replay of the same trace: rewound, not consumed
		mem, err := tr.Source(r)
		if err != nil {
			t.Fatal(err)
		}
		got := drain(t, mem)
		if len(got) != len(want) {
			t.Fatalf("replay %+v, round %d: %d invocations from memory, %d from the files", r, round, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("replay %+v, round %d: invocation %d from memory %+v, from the files %+v", r, round, i, got[i], want[i])
			}
		}
		if !reflect.DeepEqual(mem.Functions(), files.Functions()) || !reflect.DeepEqual(mem.Apps(), files.Apps()) {
			t.Errorf("replay %+v: functions or apps differ", r)
		}
		if mem.Horizon() != files.Horizon() {
			t.Errorf("replay %+v: horizon %v from memory, %v from the files", r, mem.Horizon(), files.Horizon())
		}
		if !reflect.DeepEqual(mem.Notes(), files.Notes()) {
			t.Errorf("replay %+v: notes %q from memory, %q from the files", r, mem.Notes(), files.Notes())
		}
	}
}

// Two days in memory, a function only in the second and a function and
// an app without percentile rows: the replay from memory is the one from
// the files, whatever the options.
func TestAzure2019TraceReplaysAsTheFiles(t *testing.T) {
	day2 := "HashOwner,HashApp,HashFunction,0,1,2\no1,a1,f1,1,0,1\no1,a2,f3,2,2,0\n" // f3, a2: no percentiles
	files := map[string]string{"inv1.csv": original, "inv2.csv": day2, "dur.csv": durations, "mem.csv": memory}
	days := []traces.Azure2019Day{{"inv1.csv", "dur.csv", "mem.csv"}, {"inv2.csv", "dur.csv", "mem.csv"}}
	tr, err := traces.ParseAzure2019(days, memFiles(files))
	if err != nil {
		t.Fatal(err)
	}
	if cells, n := tr.Counts(); cells != 9 || n != 19 { // day 1: 2+3 cells, 13; day 2: 2+2, 6
		t.Errorf("trace holds %d counts of %d invocations, want 9 of 19", cells, n)
	}
	if tr.Span() != 6*sim.Minute || len(tr.Functions()) != 3 || len(tr.Apps()) != 2 {
		t.Errorf("span %v, %d functions, %d apps; want 6m, 3, 2", tr.Span(), len(tr.Functions()), len(tr.Apps()))
	}
	for _, r := range replays(sim.Minute) {
		checkSameReplay(t, tr, days, r, memFiles(files))
	}
}

// The shared sample: one parse, replayed from memory, equals the
// file-reading replay, whole and windowed.
func TestAzure2019TraceSample(t *testing.T) {
	inv, dur, mem := sharedtest.Sample(t)
	days := []traces.Azure2019Day{{inv, dur, mem}}
	tr, err := traces.ParseAzure2019(days, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cells, n := tr.Counts(); cells != 252_581 || n != 11_639_447 { // counted with awk over the file
		t.Errorf("trace holds %d counts of %d invocations, want 252,581 of 11,639,447", cells, n)
	}
	if testing.Short() {
		t.Skip("replays the 11.6 M invocations of the sample several times; skipped with -short")
	}
	for _, r := range replays(sim.Hour) {
		checkSameReplay(t, tr, days, r, nil)
	}
}

// Many sources replay one trace at once (run with -race): each gives what
// it gives alone.
func TestAzure2019TraceConcurrentSources(t *testing.T) {
	files := map[string]string{"inv.csv": original, "dur.csv": durations, "mem.csv": memory}
	tr, err := traces.ParseAzure2019([]traces.Azure2019Day{{"inv.csv", "dur.csv", "mem.csv"}}, memFiles(files))
	if err != nil {
		t.Fatal(err)
	}
	const n = 8 // sources, one per goroutine
	alone := make([][]sim.Invocation, n)
	for k := range n {
		src, err := tr.Source(traces.Azure2019Replay{Spread: traces.SpreadPoisson, Streams: sim.NewStreams(uint64(k), 0)})
		if err != nil {
			t.Fatal(err)
		}
		alone[k] = drain(t, src)
	}
	together := make([][]sim.Invocation, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src, err := tr.Source(traces.Azure2019Replay{Spread: traces.SpreadPoisson, Streams: sim.NewStreams(uint64(k), 0)})
			if err != nil {
				errs[k] = err
				return
			}
			for src.Next() {
				together[k] = append(together[k], src.At())
			}
			errs[k] = src.Err()
		}()
	}
	wg.Wait()
	for k := range n {
		if errs[k] != nil {
			t.Fatal(errs[k])
		}
		if !reflect.DeepEqual(alone[k], together[k]) {
			t.Errorf("source %d: replayed alongside others it differs from its replay alone", k)
		}
	}
}

// Bad windows are refused by Source as by OpenAzure2019, and a bad file
// by ParseAzure2019, with the file named.
func TestAzure2019TraceErrors(t *testing.T) {
	files := map[string]string{"inv.csv": original, "dur.csv": durations, "mem.csv": memory}
	tr, err := traces.ParseAzure2019([]traces.Azure2019Day{{"inv.csv", "dur.csv", "mem.csv"}}, memFiles(files))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to sim.Duration
		want     string
	}{
		{0, 4 * sim.Minute, "window [0s, 4m0s) is outside the trace's [0, 3m0s)"},
		{2 * sim.Minute, 2 * sim.Minute, "window [2m0s, 2m0s) is empty"},
		{2 * sim.Minute, sim.Minute, "is empty"},
		{-sim.Minute, sim.Minute, "outside"},
		{0, 90 * sim.Second, "whole minutes"},
	} {
		if _, err := tr.Source(traces.Azure2019Replay{From: c.from, To: c.to}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("window [%v, %v): error %v, want %q", c.from, c.to, err, c.want)
		}
	}
	if _, err := tr.Source(traces.Azure2019Replay{DurationDraw: 9}); err == nil || !strings.Contains(err.Error(), "unknown duration draw") {
		t.Errorf("unknown draw: error %v", err)
	}
	if _, err := traces.ParseAzure2019(nil, nil); err == nil || !strings.Contains(err.Error(), "no day") {
		t.Errorf("no day: error %v", err)
	}
	bad := map[string]string{"inv.csv": "HashOwner,HashApp,HashFunction,1,2\no1,a1,f1,3,x\n", "dur.csv": durations, "mem.csv": memory}
	if _, err := traces.ParseAzure2019([]traces.Azure2019Day{{"inv.csv", "dur.csv", "mem.csv"}}, memFiles(bad)); err == nil || !strings.Contains(err.Error(), `inv.csv:2: column "2" (field 5)`) {
		t.Errorf("bad count: error %v", err)
	}
	empty := map[string]string{"inv.csv": "HashOwner,HashApp,HashFunction,1\n", "dur.csv": durations, "mem.csv": memory}
	if _, err := traces.ParseAzure2019([]traces.Azure2019Day{{"inv.csv", "dur.csv", "mem.csv"}}, memFiles(empty)); err == nil || !strings.Contains(err.Error(), "no function rows") {
		t.Errorf("no function: error %v", err)
	}
}
