package traces_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

func TestParseDurationDraw(t *testing.T) {
	for _, d := range []traces.DurationDraw{traces.DrawInterpolate, traces.DrawUpper} {
		got, err := traces.ParseDurationDraw(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDurationDraw(%q) = %v, %v", d.String(), got, err)
		}
	}
	var zero traces.DurationDraw
	if zero != traces.DrawInterpolate {
		t.Error("the zero value is not DrawInterpolate")
	}
	_, err := traces.ParseDurationDraw("lower")
	if err == nil || !strings.Contains(err.Error(), "interpolate or upper") {
		t.Errorf("unknown draw: error %v should list the choices", err)
	}
	if s := traces.DurationDraw(9).String(); s != "DurationDraw(9)" {
		t.Errorf("String of an unknown draw = %q", s)
	}
}

// TestAzure2019DrawUpper replays the test trace with each draw: the arrivals
// are the same, and the upper draw returns published values only.
func TestAzure2019DrawUpper(t *testing.T) {
	open := func(draw traces.DurationDraw) (*traces.Azure2019, error) {
		files := map[string]string{"inv.csv": original, "dur.csv": durations, "mem.csv": memory}
		return traces.OpenAzure2019(traces.Azure2019Options{
			Days:         []traces.Azure2019Day{{Invocations: "inv.csv", Durations: "dur.csv", Memory: "mem.csv"}},
			DurationDraw: draw, Streams: sim.NewStreams(5, 0), Open: memFiles(files)})
	}
	up, err := open(traces.DrawUpper)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := open(traces.DrawInterpolate)
	if err != nil {
		t.Fatal(err)
	}
	iu, il := drain(t, up), drain(t, lin)
	if len(iu) != len(il) || len(iu) != 13 {
		t.Fatalf("%d and %d invocations, want 13", len(iu), len(il))
	}
	// The published percentiles 1..100 of f1 and f2 in the durations table
	// (ms); the 0th is never drawn, its bucket being empty.
	published := [][]sim.Duration{{12, 50, 90, 150, 400, 500}, {1000, 1500, 2000, 2500, 2900, 3000}}
	seen := map[sim.Duration]bool{}
	for i, inv := range iu {
		seen[inv.Duration] = true
		if inv.Arrival != il[i].Arrival || inv.Function != il[i].Function || inv.MemoryMB != il[i].MemoryMB {
			t.Fatalf("invocation %d: upper %+v, interpolate %+v differ beyond the duration", i, inv, il[i])
		}
		if !slices.Contains(published[inv.Function], inv.Duration/sim.Millisecond) || inv.Duration%sim.Millisecond != 0 {
			t.Errorf("upper draw %v of f%d is not a published value", inv.Duration, inv.Function+1)
		}
	}
	if len(seen) < 3 { // 13 draws over 12 values: a handful of distinct ones
		t.Errorf("only %d distinct durations in 13 upper draws", len(seen))
	}
	if notes := strings.Join(up.Notes(), "\n"); !strings.Contains(notes, "upper percentile") {
		t.Errorf("notes %q do not say durations are drawn at the upper percentile", notes)
	}
	if _, err := open(traces.DurationDraw(7)); err == nil {
		t.Error("an unknown duration draw was accepted")
	}
}
