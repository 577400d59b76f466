package sweep_test

import (
	"math"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sweeptest"
	"github.com/skyfaas/skyfaas/results/sweep"
)

func metric(t *testing.T, key string) int {
	t.Helper()
	for i, m := range sweep.Metrics {
		if m.Key == key {
			return i
		}
	}
	t.Fatalf("no metric %q", key)
	return -1
}

func TestAnalyze(t *testing.T) {
	jobs := sweeptest.Jobs(2, 3, 5)
	an, err := sweep.Analyze(jobs, "")
	if err != nil {
		t.Fatal(err)
	}
	if an.Reference != sweeptest.ArmNames[0] || len(an.Cells) != 2 || len(an.Cells[1].Arms) != 3 || an.Replications() != "5" {
		t.Fatalf("reference %q, %d cells, replications %s", an.Reference, len(an.Cells), an.Replications())
	}
	cost := metric(t, "cost_usd")
	c := an.Cells[1]
	ref, arm := &c.Arms[0], &c.Arms[2]
	if ref.Paired != nil {
		t.Error("the reference arm has differences from itself")
	}
	// the estimates are those of the stats functions on the jobs' values
	var xs, ys []float64
	for r := range 5 {
		xs = append(xs, jobs[5*(3+2)+r].Result.Cost.Total) // cell 1, arm 2
		ys = append(ys, jobs[5*(3+0)+r].Result.Cost.Total) // cell 1, arm 0
	}
	if got, want := arm.Est[cost], sweep.MeanCI(xs); got != want {
		t.Errorf("estimate %+v, want %+v", got, want)
	}
	if got, want := arm.Paired[cost], sweep.PairedCI(xs, ys); got != want {
		t.Errorf("paired %+v, want %+v", got, want)
	}
	if got, want := arm.Welch[cost], sweep.WelchCI(xs, ys); got != want {
		t.Errorf("welch %+v, want %+v", got, want)
	}
	// common random numbers: the paired interval is the narrower
	if !(arm.Paired[cost].HalfWidth < arm.Welch[cost].HalfWidth/3) {
		t.Errorf("paired ±%g not much narrower than Welch ±%g", arm.Paired[cost].HalfWidth, arm.Welch[cost].HalfWidth)
	}
	// arm 2 costs 16 % of 10 USD less than arm 0 by construction, times
	// 1 + 0.2z for the replications' shared noise z
	if d := arm.Paired[cost]; math.Abs(d.Mean+1.6) > 0.3 {
		t.Errorf("paired cost difference %+v, want about -1.6", d)
	}

	named, err := sweep.Analyze(jobs, sweeptest.ArmNames[2])
	if err != nil {
		t.Fatal(err)
	}
	if named.Cells[0].Arms[2].Paired != nil || named.Cells[0].Arms[0].Paired == nil {
		t.Error("the named reference is not the one differences are taken against")
	}
	if _, err := sweep.Analyze(jobs, "nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown reference: %v", err)
	}
}

func TestAnalyzeUnevenReplications(t *testing.T) {
	jobs := sweeptest.Jobs(1, 2, 3)
	jobs = append(jobs[:3], jobs[4:]...) // arm 1 lacks replication 0
	an, err := sweep.Analyze(jobs, "")
	if err != nil {
		t.Fatal(err)
	}
	if an.Replications() != "2 to 3" {
		t.Errorf("replications %q", an.Replications())
	}
	if d := an.Cells[0].Arms[1].Paired[0]; d.N != 2 {
		t.Errorf("paired over %d replications, want the 2 both arms have", d.N)
	}
	one := sweeptest.Jobs(1, 2, 1)
	an, err = sweep.Analyze(one, "")
	if err != nil {
		t.Fatal(err)
	}
	if e := an.Cells[0].Arms[1].Est[0]; e.Has() || e.N != 1 {
		t.Errorf("n = 1 gives an interval: %+v", e)
	}
}
