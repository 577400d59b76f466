package traces_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

func open2021(data string) (*traces.Azure2021, error) {
	return traces.OpenAzure2021("t.txt", traces.Azure2021Options{Memory: dist.Constant{V: 256},
		Streams: sim.NewStreams(1, 0), Open: memFiles(map[string]string{"t.txt": data})})
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
	a, err := open2021(b.String())
	if err != nil {
		t.Fatal(err)
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
		{"end goes backwards", h + "a,f,10.0,1.0\na,f,12.0,1.0\na,g,11.5,0.2\n",
			[]string{"t.txt:4:", `column "end_timestamp" (field 3)`, "goes back from 12"}},
		{"negative duration", h + "a,f,10.0,1.0\na,f,12.0,-0.5\n",
			[]string{"t.txt:3:", `column "duration" (field 4)`, "negative"}},
		{"not a number", h + "a,f,ten,1.0\n", []string{"t.txt:2:", `column "end_timestamp"`, "not a number"}},
		{"NaN duration", h + "a,f,1,NaN\n", []string{"t.txt:2:", "not a finite number"}},
		{"missing column", "app,func,end_timestamp\na,f,1\n", []string{"t.txt:1:", "duration"}},
		{"short row", h + "a,f,1\n", []string{"t.txt:2:", "row has 3 fields"}},
		{"empty app", h + ",f,1,1\n", []string{"t.txt:2:", "empty app"}},
		{"header only", h, []string{"t.txt", "no invocation rows"}},
		{"empty file", "", []string{"t.txt", "no header"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := open2021(c.data)
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
	if _, err := open2021(h); !errors.Is(err, traces.ErrEmpty) {
		t.Errorf("empty trace error %v does not wrap ErrEmpty", err)
	}
}

func FuzzAzure2021(f *testing.F) {
	f.Add([]byte("app,func,end_timestamp,duration\na,f,1.5,0.5\nb,g,2,3\n"))
	f.Add([]byte("duration,end_timestamp,func,app\n1,1,f,a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := open2021(string(data))
		if err != nil {
			return
		}
		var last sim.Time
		n := 0
		for a.Next() {
			inv := a.At()
			if inv.Arrival < last || inv.Arrival < 0 || inv.Duration < 0 || inv.Arrival >= a.Horizon() {
				t.Fatalf("bad invocation %+v after %v (horizon %v)", inv, last, a.Horizon())
			}
			last = inv.Arrival
			n++
		}
		if a.Err() != nil || n == 0 {
			t.Fatalf("a trace that opened yields %d invocations, error %v", n, a.Err())
		}
	})
}
