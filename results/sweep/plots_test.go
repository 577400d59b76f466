package sweep_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sweeptest"
	"github.com/skyfaas/skyfaas/results/sweep"
	"github.com/skyfaas/skyfaas/sim"
)

// plotDir is where TestFigures leaves its files: SKYFAAS_PLOT_DIR if set,
// for a person to look at them.
func plotDir(t *testing.T) string {
	if d := os.Getenv("SKYFAAS_PLOT_DIR"); d != "" {
		return d
	}
	return t.TempDir()
}

func TestFigures(t *testing.T) {
	an, err := sweep.Analyze(sweeptest.Jobs(2, 5, 5), "")
	if err != nil {
		t.Fatal(err)
	}
	var ss []sweep.Series
	for k, name := range sweeptest.ArmNames[:3] {
		var rows []sim.SeriesRow
		for iv := range int64(48) {
			for pool := range int32(2) {
				rows = append(rows, sim.SeriesRow{Interval: iv, Start: sim.Time(iv * 1800 * 1e6), Pool: pool,
					Arrivals: 100 + 50*(iv%24) + int64(pool), ColdStarts: int64(k+1) * (5 + iv%7)})
			}
		}
		ss = append(ss, sweep.SumSeries(name, rows))
	}
	dir := plotDir(t)
	figs := map[string]func() (sweep.Figure, error){
		"metrics": func() (sweep.Figure, error) { return sweep.MetricsFigure(an, 1) },
		"cdf":     func() (sweep.Figure, error) { return sweep.CDFFigure(an, 1) },
		"pareto":  func() (sweep.Figure, error) { return sweep.ParetoFigure(an, 1) },
		"series":  func() (sweep.Figure, error) { return sweep.SeriesFigure("synthetic, cell 1, replication 0", ss) },
	}
	for name, mk := range figs {
		for _, format := range []string{"png", "pdf"} {
			var a, b bytes.Buffer
			for _, buf := range []*bytes.Buffer{&a, &b} {
				f, err := mk()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				render := f.PNG
				if format == "pdf" {
					render = f.PDF
				}
				if err := render(buf); err != nil {
					t.Fatalf("%s.%s: %v", name, format, err)
				}
			}
			if a.Len() < 1000 {
				t.Errorf("%s.%s: %d bytes", name, format, a.Len())
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("%s.%s: two renderings differ", name, format)
			}
			if err := os.WriteFile(filepath.Join(dir, name+"."+format), a.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestPareto(t *testing.T) {
	// (5,1) is dominated by (4,1) and (3,4) by (2,3); the two equal points
	// (2,3) dominate neither each other: both are on the front.
	xs := []float64{1, 2, 3, 4, 2, 5}
	ys := []float64{5, 3, 4, 1, 3, 1}
	if got, want := sweep.Pareto(xs, ys), []int{0, 1, 4, 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("Pareto = %v, want %v", got, want)
	}
}

func TestSumSeries(t *testing.T) {
	rows := []sim.SeriesRow{
		{Interval: 1, Start: 60e6, Arrivals: 3, ColdStarts: 1},
		{Interval: 0, Start: 0, Arrivals: 2},
		{Interval: 1, Start: 60e6, Arrivals: 4, ColdStarts: 2},
	}
	s := sweep.SumSeries("a", rows)
	if !reflect.DeepEqual(s.Hours, []float64{0, 1.0 / 60}) || !reflect.DeepEqual(s.Arrivals, []float64{2, 7}) ||
		!reflect.DeepEqual(s.ColdStarts, []float64{0, 3}) {
		t.Errorf("SumSeries = %+v", s)
	}
}
