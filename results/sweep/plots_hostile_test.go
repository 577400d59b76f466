package sweep

import (
	"io"
	"testing"
)

// Every latency alike (a run where each invocation takes the same time, or
// none completed) once crossed zero on the CDF's log axis and crashed the
// run with a stack trace in gonum/plot.
func TestCDFFigureOfIdenticalLatencies(t *testing.T) {
	for _, secs := range [][]float64{{0.5, 0.5, 0.5}, {0, 0, 0}, nil} {
		an := &Analysis{Scenario: "t", Cells: []Cell{{Arms: []ArmStats{{Name: "a", CDF: CDF{Probabilities: []float64{0.5, 0.9, 1}[:len(secs)], Seconds: secs}}}}}}
		f, err := CDFFigure(an, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.PNG(io.Discard); err != nil {
			t.Errorf("latencies %v: %v", secs, err)
		}
	}
}

// A figure the plotting library cannot draw is an error, not a panic.
func TestDrawPanicIsAnError(t *testing.T) {
	f := Figure{Width: 100, Height: 100, draw: nil} // calling a nil draw panics
	if err := f.PNG(io.Discard); err == nil {
		t.Error("no error from a figure that panics")
	}
}
