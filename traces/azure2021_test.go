package traces_test

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

func open2021(t testing.TB, data string) (*traces.Azure2021, error) {
	return open2021Chunk(t, data, t.TempDir(), 0)
}

// open2021Chunk opens an in-memory 2021 trace, sorting it (if it is in no
// order) in dir in runs of chunk invocations (0: the default).
func open2021Chunk(t testing.TB, data, dir string, chunk int) (*traces.Azure2021, error) {
	t.Helper()
	return traces.OpenAzure2021("t.txt", traces.Azure2021Options{Memory: traces.PopulationFootprint{},
		Streams: sim.NewStreams(1, 0), Open: memFiles(map[string]string{"t.txt": data}), TempDir: dir, SortChunk: chunk})
}

// noFiles fails the test if dir holds any file.
func noFiles(t testing.TB, dir, when string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s: temporary file %s left in %s", when, e.Name(), dir)
	}
}

// TestAzure2021Reorders builds a trace ordered by end time whose arrivals
// (end - duration) are scrambled, and checks the reader emits exactly the
// arrivals sorted, ties by file line.
func TestAzure2021Reorders(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var b strings.Builder
	b.WriteString("app,func,end_timestamp,duration\n")
	type row struct {
		arrival sim.Time
		line    int
	}
	var want []row
	end := 1.0
	for i := range 5000 {
		end += rng.ExpFloat64() * 0.05
		dur := rng.ExpFloat64() * 2
		if i%500 == 0 {
			dur = 30 // a few long ones reach far back
		}
		fmt.Fprintf(&b, "app%d,f%d,%.6f,%.6f\n", i%3, i%7, end, dur)
		want = append(want, row{sim.Time(sim.FromSeconds(end)) - sim.Time(sim.FromSeconds(dur)), i + 2})
	}
	slices.SortStableFunc(want, func(a, b row) int { return int(a.arrival - b.arrival) })
	a, err := open2021(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	if a.Order() != traces.OrderEnd {
		t.Errorf("order %v, want end", a.Order())
	}
	got := drain(t, a)
	if len(got) != len(want) {
		t.Fatalf("%d invocations, want %d", len(got), len(want))
	}
	shift := got[0].Arrival - want[0].arrival // the reader shifts times so the first arrival is >= 0
	for i := range got {
		if got[i].Arrival-shift != want[i].arrival {
			t.Fatalf("invocation %d arrives at %v, want %v", i, got[i].Arrival-shift, want[i].arrival)
		}
	}
	if got[0].Arrival < 0 || len(a.Functions()) != 21 || len(a.Apps()) != 3 {
		t.Errorf("first arrival %v, %d functions, %d apps; want >= 0, 21, 3", got[0].Arrival, len(a.Functions()), len(a.Apps()))
	}
}

func TestAzure2021Errors(t *testing.T) {
	h := "app,func,end_timestamp,duration\n"
	for _, c := range []struct {
		name, data string
		want       []string
	}{
		{"negative duration", h + "a,f,10.0,1.0\na,f,12.0,-0.5\n",
			[]string{"t.txt:3:", `column "duration" (field 4)`, "negative"}},
		{"negative duration in no order", h + "a,f,10.0,1.0\na,f,8.0,1.0\na,f,12.0,0.5\na,g,11.0,-0.5\n",
			[]string{"t.txt:5:", `column "duration" (field 4)`, "-0.5 is negative"}},
		{"infinite end in no order", h + "a,f,10.0,1.0\na,f,8.0,1.0\na,f,+Inf,1\n",
			[]string{"t.txt:4:", `column "end_timestamp" (field 3)`, "not a finite number"}},
		{"not a number", h + "a,f,ten,1.0\n", []string{"t.txt:2:", `column "end_timestamp"`, "not a number"}},
		{"NaN duration", h + "a,f,1,NaN\n", []string{"t.txt:2:", "not a finite number"}},
		{"missing column", "app,func,end_timestamp\na,f,1\n", []string{"t.txt:1:", "duration"}},
		{"short row", h + "a,f,1\n", []string{"t.txt:2:", "row has 3 fields"}},
		{"empty app", h + ",f,1,1\n", []string{"t.txt:2:", "empty app"}},
		{"header only", h, []string{"t.txt", "no invocation rows"}},
		{"empty file", "", []string{"t.txt", "no header"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := open2021(t, c.data)
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
	if _, err := open2021(t, h); !errors.Is(err, traces.ErrEmpty) {
		t.Errorf("empty trace error %v does not wrap ErrEmpty", err)
	}
}

func FuzzAzure2021(f *testing.F) {
	f.Add([]byte("app,func,end_timestamp,duration\na,f,1.5,0.5\nb,g,2,3\n"))
	f.Add([]byte("duration,end_timestamp,func,app\n1,1,f,a\n"))
	f.Add([]byte("app,func,end_timestamp,duration\na,f,5,1\nb,g,2,1\na,f,3,0\nb,h,9,8\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		a, err := open2021Chunk(t, string(data), dir, 2) // runs of 2: files in no order are merged from disk
		if err != nil {
			noFiles(t, dir, "after an error")
			return
		}
		var last sim.Time
		n := 0
		for a.Next() {
			inv := a.At()
			if inv.Arrival < last || inv.Arrival < 0 || inv.Duration < 0 || inv.Arrival >= a.Horizon() ||
				inv.Duration > traces.MaxExecutionSeconds*sim.Second || !(inv.MemoryMB >= 0 && inv.MemoryMB <= traces.MaxMemoryMB) {
				t.Fatalf("bad invocation %+v after %v (horizon %v)", inv, last, a.Horizon())
			}
			last = inv.Arrival
			n++
		}
		if a.Err() != nil || n == 0 {
			t.Fatalf("a trace that opened yields %d invocations, error %v", n, a.Err())
		}
		noFiles(t, dir, "after the end")
	})
}

// row2021 is one line of a 2021 trace and the arrival the reader computes.
type row2021 struct {
	text    string
	arrival sim.Time
	end     sim.Time
	name    string // app/func
	dur     sim.Duration
}

// gen2021 makes n invocations with distinct arrivals (10 ms apart at
// least), so that every file order has one correct replay.
func gen2021(n int) []row2021 {
	rng := rand.New(rand.NewPCG(21, 21)) // any fixed seed
	rows := make([]row2021, n)
	for i := range rows {
		arr := 1 + float64(i)*0.02 + rng.Float64()*0.01
		dur := rng.ExpFloat64() * 2
		if i%97 == 0 {
			dur = 30 // a few long ones
		}
		app, fn := fmt.Sprintf("app%d", i%5), fmt.Sprintf("f%d", i%11)
		es, ds := fmt.Sprintf("%.6f", arr+dur), fmt.Sprintf("%.6f", dur)
		e, _ := strconv.ParseFloat(es, 64)
		d, _ := strconv.ParseFloat(ds, 64)
		end, du := sim.Time(math.Round(e*1e6)), sim.Duration(math.Round(d*1e6))
		rows[i] = row2021{text: app + "," + fn + "," + es + "," + ds + "\n", arrival: end - sim.Time(du), end: end, name: app + "/" + fn, dur: du}
	}
	return rows
}

func text2021(rows []row2021) string {
	var b strings.Builder
	b.WriteString("app,func,end_timestamp,duration\n")
	for _, r := range rows {
		b.WriteString(r.text)
	}
	return b.String()
}

// orders2021 returns the rows by end time, by arrival and shuffled.
func orders2021(rows []row2021) (byEnd, byArrival, shuffled []row2021) {
	byEnd = slices.Clone(rows)
	slices.SortStableFunc(byEnd, func(a, b row2021) int { return cmp.Compare(a.end, b.end) })
	byArrival = slices.Clone(rows)
	slices.SortStableFunc(byArrival, func(a, b row2021) int { return cmp.Compare(a.arrival, b.arrival) })
	shuffled = slices.Clone(rows)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	return
}

// TestAzure2021AnyOrder writes the same invocations by end time, by arrival
// and shuffled: all replay identically, in arrival order.
func TestAzure2021AnyOrder(t *testing.T) {
	byEnd, byArrival, shuffled := orders2021(gen2021(3000))
	var want []sim.Invocation
	for i, c := range []struct {
		name  string
		rows  []row2021
		order traces.Azure2021Order
		chunk int
	}{
		{"end", byEnd, traces.OrderEnd, 0},
		{"arrival", byArrival, traces.OrderArrival, 0},
		{"shuffled in memory", shuffled, traces.OrderNone, 0},
		{"shuffled on disk", shuffled, traces.OrderNone, 100},
	} {
		dir := t.TempDir()
		a, err := open2021Chunk(t, text2021(c.rows), dir, c.chunk)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if a.Order() != c.order {
			t.Errorf("%s: order %v, want %v", c.name, a.Order(), c.order)
		}
		got := drain(t, a)
		noFiles(t, dir, c.name)
		if i == 0 {
			want = got
			// The replay is the rows sorted by arrival (times are not
			// shifted: the first arrival is after 0).
			for k, inv := range got {
				r := byArrival[k]
				if inv.Arrival != r.arrival || inv.Duration != r.dur || a.Functions()[inv.Function].Name != r.name {
					t.Fatalf("invocation %d is %+v (%s), want %s at %v for %v", k, inv, a.Functions()[inv.Function].Name, r.name, r.arrival, r.dur)
				}
			}
			continue
		}
		if !slices.Equal(got, want) {
			for k := range min(len(got), len(want)) {
				if got[k] != want[k] {
					t.Fatalf("%s: invocation %d is %+v, the end-ordered file's is %+v", c.name, k, got[k], want[k])
				}
			}
			t.Fatalf("%s: %d invocations, the end-ordered file gives %d", c.name, len(got), len(want))
		}
	}
}

// TestAzure2021Numbering: functions are numbered by (app, func) name and
// apps by name, whatever the order of first appearance.
func TestAzure2021Numbering(t *testing.T) {
	a, err := open2021(t, "app,func,end_timestamp,duration\nz,b,1,0\nm,c,2,0\nz,a,3,0\nm,a,4,0\n")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range a.Functions() {
		names = append(names, f.Name+"@"+a.Apps()[f.App])
	}
	if want := []string{"m/a@m", "m/c@m", "z/a@z", "z/b@z"}; !slices.Equal(names, want) {
		t.Errorf("functions %q, want %q", names, want)
	}
}

// TestAzure2021TiesInNoOrder: equal arrivals come out in file line order,
// as in the other orders.
func TestAzure2021TiesInNoOrder(t *testing.T) {
	h := "app,func,end_timestamp,duration\n"
	a, err := open2021Chunk(t, h+"a,f,10,1\na,g,12,3\nb,f,5,5\na,h,9.5,0.5\n", t.TempDir(), 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inv := range drain(t, a) {
		got = append(got, fmt.Sprintf("%s@%g", a.Functions()[inv.Function].Name, inv.Arrival.Seconds()))
	}
	if want := []string{"b/f@0", "a/f@9", "a/g@9", "a/h@9"}; !slices.Equal(got, want) {
		t.Errorf("replay %q, want %q", got, want)
	}
}

// TestAzure2021SortOnDisk sorts a shuffled file through runs on disk and
// checks the temporary file exists while the replay runs and is removed at
// its end, on Close, and on errors.
func TestAzure2021SortOnDisk(t *testing.T) {
	_, _, shuffled := orders2021(gen2021(2000))
	data := text2021(shuffled)
	const chunk = 64 // 2000 rows make 32 runs

	t.Run("to the end", func(t *testing.T) {
		dir := t.TempDir()
		a, err := open2021Chunk(t, data, dir, chunk)
		if err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%d files in the temp dir during the replay, want the one run file", len(entries))
		}
		if notes := strings.Join(a.Notes(), "\n"); !strings.Contains(notes, "in 32 runs of up to 64 invocations on disk") {
			t.Errorf("notes %q do not say how the file was sorted", notes)
		}
		if n := len(drain(t, a)); n != 2000 {
			t.Errorf("%d invocations, want 2000", n)
		}
		noFiles(t, dir, "after the end")
		if err := a.Close(); err != nil {
			t.Errorf("Close after the end: %v", err)
		}
	})
	t.Run("closed early", func(t *testing.T) {
		dir := t.TempDir()
		a, err := open2021Chunk(t, data, dir, chunk)
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			a.Next()
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		noFiles(t, dir, "after Close")
		if a.Next() || a.Err() != nil {
			t.Errorf("Next after Close: true or error %v", a.Err())
		}
		if err := a.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
	t.Run("file changed under the sort", func(t *testing.T) {
		// The second read (the sort's) finds a bad row after several runs
		// are on disk: the error locates it and the runs are removed.
		dir, opened := t.TempDir(), 0
		open := func(name string) (io.ReadCloser, error) {
			opened++
			s := data
			if opened > 1 {
				s += "app1,f1,3.5,-1\n"
			}
			return io.NopCloser(strings.NewReader(s)), nil
		}
		_, err := traces.OpenAzure2021("t.txt", traces.Azure2021Options{Memory: dist.Constant{V: 128}, Streams: sim.NewStreams(1, 0),
			Open: open, TempDir: dir, SortChunk: chunk})
		var pe *traces.ParseError
		if !errors.As(err, &pe) || pe.Line != 2002 || pe.Column != "duration" {
			t.Errorf("error %v, want a ParseError at line 2002, column duration", err)
		}
		noFiles(t, dir, "after an error in the sort")
	})
	t.Run("run file truncated", func(t *testing.T) {
		// Runs of 500 records (14,000 bytes) outgrow their 4 KiB read
		// buffers, so the merge reads the file after it is cut.
		dir := t.TempDir()
		a, err := open2021Chunk(t, data, dir, 500)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("%d files in the temp dir, want 1", len(entries))
		}
		if err := os.Truncate(filepath.Join(dir, entries[0].Name()), 28*1000); err != nil { // runs 3 and 4 lost
			t.Fatal(err)
		}
		n := 0
		for a.Next() {
			n++
		}
		if a.Err() == nil || !strings.Contains(a.Err().Error(), "records short") {
			t.Errorf("after %d invocations, error %v; want a short run reported", n, a.Err())
		}
		noFiles(t, dir, "after a read error")
	})
	t.Run("bad options", func(t *testing.T) {
		if _, err := open2021Chunk(t, data, t.TempDir(), -1); err == nil {
			t.Error("a negative sort chunk was accepted")
		}
		if _, err := open2021Chunk(t, data, filepath.Join(t.TempDir(), "missing"), chunk); err == nil || !strings.Contains(err.Error(), "sorting by arrival") {
			t.Errorf("a missing temp dir: error %v", err)
		}
	})
}
