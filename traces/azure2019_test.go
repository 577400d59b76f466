package traces_test

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// memFiles opens files from a map, for readers' Open option.
func memFiles(files map[string]string) func(string) (io.ReadCloser, error) {
	return func(name string) (io.ReadCloser, error) {
		s, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("open %s: no such file", name)
		}
		return io.NopCloser(strings.NewReader(s)), nil
	}
}

const (
	durations = "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,percentile_Average_99,percentile_Average_100\n" +
		"o1,a1,f1,100,10,10,500,10,12,50,90,150,400,500\n" +
		"o1,a1,f2,2000,5,1000,3000,1000,1000,1500,2000,2500,2900,3000\n"
	memory = "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100\n" +
		"o1,a1,10,150,100,110,130,150,170,190,199,200\n"
	// The original release's layout: owner, app, function, trigger, 1..N.
	original = "HashOwner,HashApp,HashFunction,Trigger,1,2,3\n" +
		"o1,a1,f1,http,3,0,7\n" +
		"o1,a1,f2,timer,1,1,1\n"
	// The InVitro sampler's layout: function, app, owner, minute_1..N.
	sampler = "HashFunction,HashApp,HashOwner,minute_1,minute_2,minute_3\n" +
		"f1,a1,o1,3,0,7\n" +
		"f2,a1,o1,1,1,1\n"
)

func open2019(t *testing.T, inv, dur, mem string, spread traces.Spread) (*traces.Azure2019, error) {
	t.Helper()
	files := map[string]string{"inv.csv": inv, "dur.csv": dur, "mem.csv": mem}
	return traces.OpenAzure2019(traces.Azure2019Options{
		Days:   []traces.Azure2019Day{{Invocations: "inv.csv", Durations: "dur.csv", Memory: "mem.csv"}},
		Spread: spread, Streams: sim.NewStreams(5, 0), Open: memFiles(files)})
}

func drain(t *testing.T, src sim.Source) []sim.Invocation {
	t.Helper()
	var out []sim.Invocation
	for src.Next() {
		out = append(out, src.At())
	}
	if err := src.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAzure2019LayoutsAgree(t *testing.T) {
	a, err := open2019(t, original, durations, memory, traces.SpreadUniform)
	if err != nil {
		t.Fatal(err)
	}
	b, err := open2019(t, sampler, durations, memory, traces.SpreadUniform)
	if err != nil {
		t.Fatal(err)
	}
	ia, ib := drain(t, a), drain(t, b)
	if len(ia) != 13 {
		t.Fatalf("%d invocations, want 13 (3+0+7 and 1+1+1)", len(ia))
	}
	for i := range ia {
		if ia[i] != ib[i] {
			t.Fatalf("invocation %d: original layout %+v, sampler layout %+v", i, ia[i], ib[i])
		}
	}
	if got := a.Functions()[1].Trigger; got != "timer" {
		t.Errorf("trigger of f2 = %q, want timer", got)
	}
	per := map[sim.FunctionID][3]int{}
	for i, inv := range ia {
		if i > 0 && inv.Arrival < ia[i-1].Arrival {
			t.Fatalf("arrivals out of order at %d", i)
		}
		m := int(inv.Arrival / sim.Time(sim.Minute))
		c := per[inv.Function]
		c[m]++
		per[inv.Function] = c
		// f1's durations lie within its published 10..500 ms, f2's 1..3 s.
		lo, hi := 10*sim.Millisecond, 500*sim.Millisecond
		if inv.Function == 1 {
			lo, hi = sim.Second, 3*sim.Second
		}
		if inv.Duration < lo || inv.Duration > hi {
			t.Errorf("duration %v of f%d outside [%v, %v]", inv.Duration, inv.Function+1, lo, hi)
		}
		if inv.MemoryMB < 100 || inv.MemoryMB > 200 {
			t.Errorf("footprint %v outside the app's 100..200 MB", inv.MemoryMB)
		}
	}
	if per[0] != [3]int{3, 0, 7} || per[1] != [3]int{1, 1, 1} {
		t.Errorf("per-minute counts %v, want f1 3,0,7 and f2 1,1,1", per)
	}
}

func TestAzure2019Errors(t *testing.T) {
	for _, c := range []struct {
		name, inv, dur, mem string
		want                []string
	}{
		{"bad count", "HashOwner,HashApp,HashFunction,1,2\no1,a1,f1,3,x\n", durations, memory,
			[]string{"inv.csv:2:", `column "2" (field 5)`, `"x" is not a non-negative integer count`}},
		{"negative count", "HashOwner,HashApp,HashFunction,1,2\no1,a1,f1,-3,1\n", durations, memory,
			[]string{"inv.csv:2:", `column "1" (field 4)`}},
		{"short row", "HashOwner,HashApp,HashFunction,1,2\no1,a1,f1,3\n", durations, memory,
			[]string{"inv.csv:2:", "row has 4 fields, the header has 5"}},
		{"minute missing", "HashOwner,HashApp,HashFunction,1,2,4\no1,a1,f1,3,1,2\n", durations, memory,
			[]string{"inv.csv:1:", `column "4" (field 6)`, "contiguous", "found minute 4 after 2: minute 3 is missing"}},
		{"minute_ missing", "HashFunction,HashApp,HashOwner,minute_480,minute_482\nf1,a1,o1,3,1\n", durations, memory,
			[]string{"inv.csv:1:", `column "minute_482" (field 5)`, "minute 481 is missing"}},
		{"minutes go back", "HashOwner,HashApp,HashFunction,2,3,1\no1,a1,f1,3,1,1\n", durations, memory,
			[]string{"inv.csv:1:", `column "1" (field 6)`, "found minute 1 after 3: minutes must increase"}},
		{"minute repeated", "HashOwner,HashApp,HashFunction,7,7\no1,a1,f1,3,1\n", durations, memory,
			[]string{"inv.csv:1:", `column "7" (field 5)`, "found minute 7 after 7"}},
		{"no minutes", "HashOwner,HashApp,HashFunction,Trigger\no1,a1,f1,http\n", durations, memory,
			[]string{"inv.csv:1:", "no minute columns"}},
		{"no identity columns", "Owner,App,1\no,a,1\n", durations, memory,
			[]string{"inv.csv:1:", "HashFunction"}},
		{"empty trace", "", durations, memory, []string{"inv.csv", "no header"}},
		{"header only", "HashOwner,HashApp,HashFunction,1\n", durations, memory, []string{"inv.csv", "no function rows"}},
		{"bad percentile", original, strings.Replace(durations, "o1,a1,f1,100,10,10,500,10,12,50,90", "o1,a1,f1,100,10,10,500,10,12,50,NaN", 1), memory,
			[]string{"dur.csv:2:", "percentile_Average_50", "not a finite number"}},
		{"percentiles decrease", original, strings.Replace(durations, "10,12,50,90,150", "10,12,95,90,150", 1), memory,
			[]string{"dur.csv:2:", "must not decrease"}},
		{"memory column missing", original, durations, strings.Replace(memory, "AverageAllocatedMb_pct99,", "", 1),
			[]string{"mem.csv:1:", "AverageAllocatedMb_pct99"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := open2019(t, c.inv, c.dur, c.mem, traces.SpreadUniform)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	_, err := traces.OpenAzure2019(traces.Azure2019Options{Days: []traces.Azure2019Day{{"missing.csv", "d", "m"}}, Streams: sim.NewStreams(1, 0)})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: error %v should name it", err)
	}
	_, err = open2019(t, "", durations, memory, traces.SpreadUniform)
	if !errors.Is(err, traces.ErrEmpty) {
		t.Errorf("empty trace error %v does not wrap ErrEmpty", err)
	}
}

// TestAzure2019MinuteRange replays a file cut from the middle of a day
// (InVitro's layout, minutes 480..482): simulated time 0 is its first column,
// and the replay is the one of the same counts headed 1..3.
func TestAzure2019MinuteRange(t *testing.T) {
	cut := strings.NewReplacer("minute_1,", "minute_480,", "minute_2,", "minute_481,", "minute_3\n", "minute_482\n").Replace(sampler)
	if !strings.HasPrefix(cut, "HashFunction,HashApp,HashOwner,minute_480,minute_481,minute_482\n") {
		t.Fatalf("test header not rewritten: %q", cut)
	}
	a, err := open2019(t, cut, durations, memory, traces.SpreadUniform)
	if err != nil {
		t.Fatal(err)
	}
	b, err := open2019(t, sampler, durations, memory, traces.SpreadUniform)
	if err != nil {
		t.Fatal(err)
	}
	if a.Horizon() != sim.Time(3*sim.Minute) {
		t.Errorf("horizon %v, want 3 minutes", a.Horizon())
	}
	ia, ib := drain(t, a), drain(t, b)
	if len(ia) != 13 || len(ib) != 13 {
		t.Fatalf("%d and %d invocations, want 13 (3+0+7 and 1+1+1)", len(ia), len(ib))
	}
	for i, inv := range ia {
		if inv.Arrival < 0 || inv.Arrival >= sim.Time(3*sim.Minute) {
			t.Errorf("invocation %d arrives at %v, outside [0, 3 min)", i, inv.Arrival)
		}
		if inv != ib[i] {
			t.Errorf("invocation %d: minutes 480..482 give %+v, minutes 1..3 give %+v", i, inv, ib[i])
		}
	}
}

// TestAzure2019DaysMinuteRanges: each day may number its minutes from its
// own start, but all days must have as many minute columns.
func TestAzure2019DaysMinuteRanges(t *testing.T) {
	day2 := "HashOwner,HashApp,HashFunction,0,1,2\no1,a1,f1,1,1,1\n"
	open := func(inv2 string) (*traces.Azure2019, error) {
		files := map[string]string{"inv1.csv": original, "inv2.csv": inv2, "dur.csv": durations, "mem.csv": memory}
		return traces.OpenAzure2019(traces.Azure2019Options{
			Days:    []traces.Azure2019Day{{"inv1.csv", "dur.csv", "mem.csv"}, {"inv2.csv", "dur.csv", "mem.csv"}},
			Streams: sim.NewStreams(5, 0), Open: memFiles(files)})
	}
	a, err := open(day2)
	if err != nil {
		t.Fatal(err)
	}
	invs := drain(t, a)
	if len(invs) != 16 || a.Horizon() != sim.Time(6*sim.Minute) {
		t.Fatalf("%d invocations, horizon %v; want 16 over 6 minutes", len(invs), a.Horizon())
	}
	for _, inv := range invs[13:] { // day 2: one a minute in minutes 3, 4, 5
		if inv.Arrival < sim.Time(3*sim.Minute) {
			t.Errorf("day 2 invocation at %v, before day 2", inv.Arrival)
		}
	}
	_, err = open("HashOwner,HashApp,HashFunction,0,1,2,3\no1,a1,f1,1,1,1,1\n")
	if err == nil || !strings.Contains(err.Error(), "inv2.csv:1: 4 minute columns; the first day has 3") {
		t.Errorf("a day of 4 minutes after one of 3: error %v", err)
	}
}

func TestAzure2019FallbackIsReported(t *testing.T) {
	inv := original + "o1,a2,f3,http,1,1,1\n" // no duration row, no memory row for a2
	a, err := open2019(t, inv, durations, memory, traces.SpreadEquidistant)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(drain(t, a)); n != 16 {
		t.Errorf("%d invocations, want 16", n)
	}
	notes := strings.Join(a.Notes(), "\n")
	if !strings.Contains(notes, "1 of 3 functions had no duration") || !strings.Contains(notes, "1 of 2 apps had no memory") {
		t.Errorf("notes %q do not report the fallbacks", notes)
	}
}

// TestAzure2019Sample replays the shared one-day sample: every invocation,
// in order, from every function.
func TestAzure2019Sample(t *testing.T) {
	inv, dur, mem := sharedtest.Sample(t)
	a, err := traces.OpenAzure2019(traces.Azure2019Options{Days: []traces.Azure2019Day{{inv, dur, mem}}, Streams: sim.NewStreams(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := traces.Collect(a)
	if err != nil {
		t.Fatal(err)
	}
	if st.Invocations != 11_639_447 || st.Functions != 1000 || st.FunctionsInvoked != 1000 {
		t.Errorf("%d invocations of %d functions (%d invoked), want 11,639,447 of 1,000", st.Invocations, st.Functions, st.FunctionsInvoked)
	}
	if st.Horizon != sim.Time(sim.Day) || st.Last >= st.Horizon {
		t.Errorf("horizon %v, last arrival %v", st.Horizon, st.Last)
	}
	if len(st.Notes) != 0 {
		t.Errorf("the sample is complete, yet: %v", st.Notes)
	}
}

func FuzzAzure2019(f *testing.F) {
	f.Add([]byte(original))
	f.Add([]byte(sampler))
	f.Add([]byte("HashOwner,HashApp,HashFunction,1\n,,,\n"))
	f.Fuzz(func(t *testing.T, inv []byte) {
		a, err := open2019(t, string(inv), durations, memory, traces.SpreadUniform)
		if err != nil {
			return // errors are fine; panics are not
		}
		var last sim.Time
		for a.Next() {
			inv := a.At()
			if inv.Arrival < last || inv.Duration < 0 || int(inv.Function) >= len(a.Functions()) {
				t.Fatalf("bad invocation %+v after %v", inv, last)
			}
			// Semantic: every figure within the reader's documented limits.
			if inv.Duration > traces.MaxExecutionSeconds*sim.Second+sim.Millisecond || !(inv.MemoryMB >= 0 && inv.MemoryMB <= traces.MaxMemoryMB) || inv.Arrival >= a.Horizon() {
				t.Fatalf("invocation %+v outside the documented limits (horizon %v)", inv, a.Horizon())
			}
			last = inv.Arrival
		}
	})
}

// A window [2 min, 5 min) across two days replays exactly the trace's
// counts of those minutes; windows outside
// the trace, empty, or not on whole minutes are errors.
func TestAzure2019Window(t *testing.T) {
	day2 := "HashOwner,HashApp,HashFunction,0,1,2\no1,a1,f1,1,1,1\n"
	files := map[string]string{"inv1.csv": original, "inv2.csv": day2, "dur.csv": durations, "mem.csv": memory}
	open := func(from, to sim.Duration) (*traces.Azure2019, error) {
		return traces.OpenAzure2019(traces.Azure2019Options{
			Days: []traces.Azure2019Day{{"inv1.csv", "dur.csv", "mem.csv"}, {"inv2.csv", "dur.csv", "mem.csv"}},
			From: from, To: to,
			Streams: sim.NewStreams(5, 0), Open: memFiles(files)})
	}
	a, err := open(2*sim.Minute, 5*sim.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if a.Horizon() != sim.Time(5*sim.Minute) {
		t.Errorf("horizon %v, want 5m", a.Horizon())
	}
	perMinute := map[[2]int64]int{} // (minute, function) -> count
	for _, inv := range drain(t, a) {
		if inv.Arrival < sim.Time(2*sim.Minute) || inv.Arrival >= sim.Time(5*sim.Minute) {
			t.Errorf("arrival at %v outside the window", inv.Arrival)
		}
		perMinute[[2]int64{int64(inv.Arrival) / int64(sim.Minute), int64(inv.Function)}]++
	}
	// Minute 2 is day 1's third (f1 7, f2 1); minutes 3 and 4 are day 2's
	// first two (f1 once each).
	want := map[[2]int64]int{{2, 0}: 7, {2, 1}: 1, {3, 0}: 1, {4, 0}: 1}
	if !reflect.DeepEqual(perMinute, want) {
		t.Errorf("counts per (minute, function) %v, want %v", perMinute, want)
	}
	for _, c := range []struct {
		from, to sim.Duration
		want     string
	}{
		{0, 7 * sim.Minute, "outside the trace's [0, 6m0s)"},
		{3 * sim.Minute, 3 * sim.Minute, "is empty"},
		{-sim.Minute, sim.Minute, "outside"},
		{90 * sim.Second, 3 * sim.Minute, "whole minutes"},
	} {
		if _, err := open(c.from, c.to); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("window [%v, %v): error %v, want %q", c.from, c.to, err, c.want)
		}
	}
}

// Rows repeating a function, and empty hashes, are never merged silently
// (issue 10, point 7): in an invocations file they are errors naming the
// file, the line and the column; in a percentile file a repeat is ignored
// (the release repeats functions in its durations files) and counted in a
// note naming the file and the lines.
func TestAzure2019RepeatedAndEmptyRows(t *testing.T) {
	const (
		f1Dur = "o1,a1,f1,100,10,10,500,10,12,50,90,150,400,500\n"
		f1Mem = "o1,a1,10,150,100,110,130,150,170,190,199,200\n"
	)
	for _, c := range []struct {
		name, inv, dur, mem string
		want                []string // error substrings; nil for accepted
		note                string   // a note substring, if accepted
	}{
		{name: "function twice in the counts", inv: original + "o1,a1,f1,http,1,1,1\n", dur: durations, mem: memory,
			want: []string{"inv.csv:4:", `column "HashFunction" (field 3)`, `function "o1/a1/f1" has a row already, on line 2`}},
		{name: "function twice in the sampler's counts", inv: sampler + "f2,a1,o1,0,0,1\n", dur: durations, mem: memory,
			want: []string{"inv.csv:4:", `column "HashFunction" (field 1)`, "on line 3"}},
		{name: "empty function hash in the counts", inv: strings.Replace(original, "o1,a1,f2", "o1,a1,", 1), dur: durations, mem: memory,
			want: []string{"inv.csv:3:", `column "HashFunction"`, "empty hash"}},
		{name: "blank app hash in the counts", inv: strings.Replace(original, "o1,a1,f2", "o1, ,f2", 1), dur: durations, mem: memory,
			want: []string{"inv.csv:3:", `column "HashApp"`, "empty hash"}},
		{name: "empty owner hash in the counts", inv: strings.Replace(original, "o1,a1,f1", ",a1,f1", 1), dur: durations, mem: memory,
			want: []string{"inv.csv:2:", `column "HashOwner"`, "empty hash"}},
		{name: "empty function hash in the durations", inv: original, dur: durations + strings.Replace(f1Dur, "f1", "", 1), mem: memory,
			want: []string{"dur.csv:4:", `column "HashFunction"`, "empty hash"}},
		{name: "empty app hash in the memory", inv: original, dur: durations, mem: memory + strings.Replace(f1Mem, "a1", "", 1),
			want: []string{"mem.csv:3:", `column "HashApp"`, "empty hash"}},
		{name: "duration row repeated", inv: original, dur: durations + f1Dur, mem: memory,
			note: "dur.csv: 1 row(s) repeat an earlier row's function, 0 of them with other values (the first: line 4 repeats line 2)"},
		{name: "duration rows conflicting", inv: original, dur: durations + strings.Replace(f1Dur, ",400,500", ",450,500", 1) + f1Dur, mem: memory,
			note: "dur.csv: 2 row(s) repeat an earlier row's function, 1 of them with other values (the first: line 4 repeats line 2); each function's first row is used"},
		{name: "memory rows conflicting", inv: original, dur: durations, mem: memory + strings.Replace(f1Mem, ",200\n", ",300\n", 1),
			note: "mem.csv: 1 row(s) repeat an earlier row's app, 1 of them with other values (the first: line 3 repeats line 2); each app's first row is used"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, err := open2019(t, c.inv, c.dur, c.mem, traces.SpreadUniform)
			if c.want != nil {
				if err == nil {
					t.Fatal("accepted")
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(src.Notes(), "\n")
			if !strings.Contains(notes, c.note) {
				t.Errorf("notes\n%s\nlack %q", notes, c.note)
			}
			// The first row is the one used: the replay is the one without
			// the repeats.
			plain, err := open2019(t, c.inv, durations, memory, traces.SpreadUniform)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := drain(t, src), drain(t, plain); !reflect.DeepEqual(got, want) {
				t.Error("the repeated rows changed the replay")
			}
		})
	}
}

// A trace parsed once notes its repeated rows as a streaming source does,
// once per file however many days read it.
func TestAzure2019TraceNotesRepeatsOnce(t *testing.T) {
	files := map[string]string{"inv.csv": original, "dur.csv": durations + "o1,a1,f2,1,1,1,1,1,1,1,1,1,1,1\n", "mem.csv": memory}
	day := traces.Azure2019Day{Invocations: "inv.csv", Durations: "dur.csv", Memory: "mem.csv"}
	tr, err := traces.ParseAzure2019([]traces.Azure2019Day{day, day}, memFiles(files))
	if err != nil {
		t.Fatal(err)
	}
	src, err := tr.Source(traces.Azure2019Replay{Streams: sim.NewStreams(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(src.Notes(), "\n")
	if n := strings.Count(notes, "dur.csv: 1 row(s) repeat an earlier row's function, 1 of them with other values (the first: line 4 repeats line 3)"); n != 1 {
		t.Errorf("the repeat noted %d times, want once:\n%s", n, notes)
	}
}
