package traces_test

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// write2021 writes a 2021-layout trace of n invocations ordered by end time
// (the full release's order) to a file in dir.
func write2021(tb testing.TB, dir string, n int) string {
	tb.Helper()
	path := filepath.Join(dir, "end.txt")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "app,func,end_timestamp,duration")
	rng := rand.New(rand.NewPCG(3, 4)) // any fixed seed
	end := 0.0
	for i := range n {
		end += rng.ExpFloat64() * 0.6 // 1.2 M invocations over two weeks: one every 0.6 s
		fmt.Fprintf(w, "app%d,f%d,%.3f,%.3f\n", i%119, i%424, end+10, rng.ExpFloat64())
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkAzure2021 opens (two passes) and replays a generated trace.
func BenchmarkAzure2021(b *testing.B) {
	path := write2021(b, b.TempDir(), bench2021Rows)
	var n int64
	for b.Loop() {
		a, err := traces.OpenAzure2021(path, traces.Azure2021Options{Memory: dist.Constant{V: 128}, Streams: sim.NewStreams(1, 0)})
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
