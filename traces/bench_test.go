package traces_test

import (
	"bufio"
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// BenchmarkAzure2019Sample replays the shared one-day sample (11.6 M
// invocations).
func BenchmarkAzure2019Sample(b *testing.B) {
	inv, dur, mem := sharedtest.Sample(b)
	var n int64
	for b.Loop() {
		a, err := traces.OpenAzure2019(traces.Azure2019Options{Days: []traces.Azure2019Day{{inv, dur, mem}}, Streams: sim.NewStreams(1, 0)})
		if err != nil {
			b.Fatal(err)
		}
		for a.Next() {
			n++
		}
		if a.Err() != nil {
			b.Fatal(a.Err())
		}
	}
	b.ReportMetric(float64(n)/float64(b.N), "invocations/op")
}

// bench2021Rows is the size of the generated 2021 trace: about half the
// real two-week file's 1,980,951 rows.
const bench2021Rows = 1 << 20

// write2021 writes a 2021-layout trace of n invocations to a file in dir,
// ordered by end time (the full release's order), by arrival (InVitro's
// cuts) or shuffled, and returns its path.
func write2021(tb testing.TB, dir, order string, n int) string {
	tb.Helper()
	type row struct {
		arrival int64 // ms, as the reader computes it from the rounded times
		line    string
	}
	rng := rand.New(rand.NewPCG(3, 4)) // any fixed seed
	rows := make([]row, n)
	end := 0.0
	for i := range rows {
		end += rng.ExpFloat64() * 0.6 // 1.2 M invocations over two weeks: one every 0.6 s
		dur := rng.ExpFloat64()
		e, d := math.Round((end+10)*1000), math.Round(dur*1000)
		fn := i % 424 // the real trace's 424 functions in 119 apps
		rows[i] = row{int64(e - d), fmt.Sprintf("app%d,f%d,%.3f,%.3f\n", fn%119, fn, e/1000, d/1000)}
	}
	switch order {
	case "arrival":
		slices.SortStableFunc(rows, func(a, b row) int { return cmp.Compare(a.arrival, b.arrival) })
	case "shuffled":
		rng.Shuffle(n, func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	}
	path := filepath.Join(dir, order+".txt")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "app,func,end_timestamp,duration")
	for _, r := range rows {
		w.WriteString(r.line)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkAzure2021 opens (two passes; a sort on disk for the shuffled
// file) and replays a generated trace in each order.
func BenchmarkAzure2021(b *testing.B) {
	dir := b.TempDir()
	for _, order := range []string{"end", "arrival", "shuffled"} {
		path := write2021(b, dir, order, bench2021Rows)
		b.Run(order, func(b *testing.B) {
			var n int64
			for b.Loop() {
				a, err := traces.OpenAzure2021(path, traces.Azure2021Options{Memory: dist.Constant{V: 128}, Streams: sim.NewStreams(1, 0),
					TempDir: dir, SortChunk: bench2021Rows / 4}) // the shuffled file makes 4 runs on disk
				if err != nil {
					b.Fatal(err)
				}
				if a.Order().String() != order && !(order == "shuffled" && a.Order() == traces.OrderNone) {
					b.Fatalf("%s file read in %v order", order, a.Order())
				}
				for a.Next() {
					n++
				}
				if a.Err() != nil {
					b.Fatal(a.Err())
				}
			}
			b.ReportMetric(float64(n)/float64(b.N), "invocations/op")
		})
	}
}
