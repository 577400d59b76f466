package traces_test

import (
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/sim/dist"
	"github.com/skyfaas/skyfaas/traces"
)

// Every source keeps reporting its end once it has ended (the engine's
// read-ahead may ask again).
func TestSourcesStayExhausted(t *testing.T) {
	s19, err := open2019(t, original, durations, memory, traces.SpreadPoisson)
	if err != nil {
		t.Fatal(err)
	}
	s21, err := traces.OpenAzure2021("t.txt", traces.Azure2021Options{Memory: dist.Constant{V: 128}, Streams: sim.NewStreams(1, 0),
		Open: memFiles(map[string]string{"t.txt": "app,func,end_timestamp,duration\na,f,1,0.5\n"})})
	if err != nil {
		t.Fatal(err)
	}
	syn, err := traces.NewSynthetic(traces.SyntheticOptions{Functions: 3, Duration: 10 * sim.Minute, Streams: sim.NewStreams(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	poi, err := traces.NewPoisson(traces.PoissonOptions{Rate: 1, MeanDuration: sim.Second, Duration: sim.Minute, Streams: sim.NewStreams(1, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]sim.Source{"azure2019": s19, "azure2021": s21, "synthetic": syn, "poisson": poi} {
		n := 0
		for src.Next() {
			n++
		}
		for range 3 {
			if src.Next() {
				t.Errorf("%s: Next returned true after the end", name)
			}
		}
		if src.Err() != nil || n == 0 {
			t.Errorf("%s: %d invocations, error %v", name, n, src.Err())
		}
	}
}
