package sweep

import (
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/skyfaas/skyfaas/results"
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

// armsCell is an analysis of one cell of n arms, each metric's mean
// growing with the arm (no interval: one replication).
func armsCell(n int) *Analysis {
	c := Cell{}
	for k := range n {
		est := make([]Interval, len(Metrics))
		for m := range est {
			est[m] = Interval{N: 1, Mean: float64(k%7 + m), HalfWidth: math.NaN()}
		}
		c.Arms = append(c.Arms, ArmStats{Index: k, Name: fmt.Sprintf("arm-with-a-long-name-%02d", k), Est: est})
	}
	return &Analysis{Scenario: "t", Metrics: Metrics, Cells: []Cell{c}}
}

// The Pareto figure draws 40 arms, taller than 5 inches so that its key
// fits, and refuses 41 with ErrTooManyArms (issue 10, point 8).
func TestParetoFigureAtTheLimit(t *testing.T) {
	f, err := ParetoFigure(armsCell(results.MaxTradeoffArms), 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Height <= 5*vg.Inch {
		t.Errorf("40 arms in a figure %v high: the key does not fit", f.Height)
	}
	if err := f.PNG(io.Discard); err != nil {
		t.Fatal(err)
	}
	if small, err := ParetoFigure(armsCell(3), 0); err != nil || small.Height != 5*vg.Inch {
		t.Errorf("3 arms: height %v, %v; want 5 inches", small.Height, err)
	}
	if _, err := ParetoFigure(armsCell(results.MaxTradeoffArms+1), 0); !errors.Is(err, results.ErrTooManyArms) {
		t.Errorf("41 arms: %v, want ErrTooManyArms", err)
	}
}
