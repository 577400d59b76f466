package lstm

import (
	"fmt"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// A Predictor of the evaluation: the LSTM or a baseline, giving the next
// interval's targets in real units from a window's raw history.
type baseline struct {
	name string
	// predict writes the targets for window w; ok false if it cannot (too
	// little history for a seasonal naive).
	predict func(ds *Dataset, w Window, out *[NumTargets]float64) bool
}

func baselines(ds *Dataset) []baseline {
	W := ds.Config.Window
	last := func(ds *Dataset, w Window, out *[NumTargets]float64) bool {
		x := ds.Raw(w, W-1)
		copy(out[:], x[:NumTargets])
		return true
	}
	bs := []baseline{
		{"reactive (last value)", last},
		{"static 2x", func(ds *Dataset, w Window, out *[NumTargets]float64) bool {
			last(ds, w, out)
			for k := range out {
				out[k] *= 2
			}
			return true
		}},
		{"moving average 5", func(ds *Dataset, w Window, out *[NumTargets]float64) bool {
			*out = [NumTargets]float64{}
			n := min(5, W)
			for t := W - n; t < W; t++ {
				x := ds.Raw(w, t)
				for k := range out {
					out[k] += x[k] / float64(n)
				}
			}
			return true
		}},
	}
	perDay := int64(day / ds.Tick)
	if ds.Cuts[0] > perDay { // the trace spans more than a day: the test part has a day before it
		bs = append(bs, baseline{"seasonal naive (1 day)", func(ds *Dataset, w Window, out *[NumTargets]float64) bool {
			s := &ds.series[w.Series]
			target := s.intervals[int(w.Offset)+W] - perDay
			i, ok := slices.BinarySearch(s.intervals, target)
			if !ok {
				return false
			}
			copy(out[:], s.raw[i][:NumTargets])
			return true
		}})
	}
	return bs
}

// Scores are one predictor's errors on the test windows, per target in
// real units, and for the request rate the provisioning they imply.
type Scores struct {
	Name      string
	N         int
	MSE, RMSE [NumTargets]float64
	MAE, R2   [NumTargets]float64
	// UnderFrac is the fraction of intervals whose rate was under-predicted;
	// Under and Over the invocations arriving beyond the prediction and the
	// predicted invocations that did not arrive (rate × tick, summed).
	UnderFrac   float64
	Under, Over float64
}

// Evaluation is the test-part comparison.
type Evaluation struct {
	Windows int
	Tick    float64 // seconds
	Scores  []Scores
	// Series for the plots: the busiest test pool's actual and predicted
	// rate (LSTM) of the test pool whose rate varies most, and every
	// window's (actual, predicted) rate.
	Pool               string
	Actual, Pred       []float64
	ScatterA, ScatterP []float64
	Skipped            map[string]int // windows a baseline could not predict
}

type accum struct {
	n                   int
	se, ae, sum, sum2   [NumTargets]float64
	under, over, underN float64
}

func (a *accum) add(pred, y *[NumTargets]float64, tick float64) {
	a.n++
	for k := range NumTargets {
		e := pred[k] - y[k]
		a.se[k] += e * e
		a.ae[k] += math.Abs(e)
		a.sum[k] += y[k]
		a.sum2[k] += y[k] * y[k]
	}
	e := pred[FeatRate] - y[FeatRate]
	if e < 0 {
		a.underN++
		a.under += -e * tick
	} else {
		a.over += e * tick
	}
}

func (a *accum) scores(name string) Scores {
	s := Scores{Name: name, N: a.n}
	n := float64(a.n)
	for k := range NumTargets {
		s.MSE[k] = a.se[k] / n
		s.RMSE[k] = math.Sqrt(s.MSE[k])
		s.MAE[k] = a.ae[k] / n
		ss := a.sum2[k] - a.sum[k]*a.sum[k]/n
		s.R2[k] = 1 - a.se[k]/ss
	}
	s.UnderFrac = a.underN / n
	s.Under, s.Over = a.under, a.over
	return s
}

// Evaluate compares m with the baselines on the test windows of ds.
func Evaluate(m *Model, ds *Dataset) (*Evaluation, error) {
	test := ds.Windows[TestPart]
	if len(test) == 0 {
		return nil, fmt.Errorf("lstm: no test window")
	}
	if m.Config.Window != ds.Config.Window {
		return nil, fmt.Errorf("lstm: the model reads %d intervals, the dataset's windows are %d", m.Config.Window, ds.Config.Window)
	}
	tick := ds.Tick.Seconds()
	ev := &Evaluation{Windows: len(test), Tick: tick, Skipped: map[string]int{}}
	bs := baselines(ds)
	acc := make([]accum, 1+len(bs))
	// The test pool whose rate varies most (variance over its test
	// windows), for the time plot: a busy but constant pool shows nothing.
	type moments struct{ n, s, s2 float64 }
	mom := map[int32]*moments{}
	for _, w := range test {
		m := mom[w.Series]
		if m == nil {
			m = &moments{}
			mom[w.Series] = m
		}
		v := ds.Raw(w, ds.Config.Window)[FeatRate]
		m.n, m.s, m.s2 = m.n+1, m.s+v, m.s2+v*v
	}
	busiest, most := int32(-1), -1.0
	for s, m := range mom {
		if l := m.s2/m.n - (m.s/m.n)*(m.s/m.n); l > most || (l == most && s < busiest) {
			busiest, most = s, l
		}
	}
	ev.Pool = ds.series[busiest].key.String()
	var y, pred [NumTargets]float64
	NewPredictor(m, 512).Each(ds, test, func(i int, p, _ []float64) {
		w := test[i]
		st := ds.StatsOf(w)
		x := ds.Raw(w, ds.Config.Window)
		for k := range NumTargets {
			y[k] = x[k]
			pred[k] = st.Target(k, p[k])
		}
		acc[0].add(&pred, &y, tick)
		ev.ScatterA = append(ev.ScatterA, y[FeatRate])
		ev.ScatterP = append(ev.ScatterP, pred[FeatRate])
		if w.Series == busiest {
			ev.Actual = append(ev.Actual, y[FeatRate])
			ev.Pred = append(ev.Pred, pred[FeatRate])
		}
		for j, b := range bs {
			if b.predict(ds, w, &pred) {
				acc[1+j].add(&pred, &y, tick)
			} else {
				ev.Skipped[b.name]++
			}
		}
	})
	ev.Scores = append(ev.Scores, acc[0].scores("LSTM"))
	for j, b := range bs {
		ev.Scores = append(ev.Scores, acc[1+j].scores(b.name))
	}
	return ev, nil
}

// WriteTable writes the evaluation as a Markdown table.
func (ev *Evaluation) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Test part: %d windows, %g s intervals; errors in real units (rate req/s, memory MB, cpu executions).\n\n", ev.Windows, ev.Tick)
	fmt.Fprintln(w, "| predictor | rate RMSE | rate MAE | rate R2 | memory RMSE | memory R2 | cpu RMSE | cpu R2 | rate under-predicted | under-provisioned inv. | over-provisioned inv. |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range ev.Scores {
		fmt.Fprintf(w, "| %s | %.4g | %.4g | %.3f | %.4g | %.3f | %.4g | %.3f | %.1f %% | %.0f | %.0f |\n", s.Name,
			s.RMSE[0], s.MAE[0], s.R2[0], s.RMSE[1], s.R2[1], s.RMSE[2], s.R2[2], 100*s.UnderFrac, s.Under, s.Over)
	}
	for _, s := range ev.Scores {
		if k := ev.Skipped[s.Name]; k > 0 {
			fmt.Fprintf(w, "\n%s: %d windows without a value one day earlier left out.\n", s.Name, k)
		}
	}
	fmt.Fprintln(w, "\nMSE per target:")
	for _, s := range ev.Scores {
		fmt.Fprintf(w, "- %s: rate %.4g, memory %.4g, cpu %.4g; MAE memory %.4g, cpu %.4g\n", s.Name, s.MSE[0], s.MSE[1], s.MSE[2], s.MAE[1], s.MAE[2])
	}
	return nil
}

// WritePlots writes the prediction-vs-actual time plot of the busiest test
// pool and the scatter of every test window's rate, as PNG.
func (ev *Evaluation) WritePlots(series, scatter io.Writer) error {
	p := plot.New()
	p.Title.Text = "request rate, test part: " + ev.Pool
	p.X.Label.Text = "test interval"
	p.Y.Label.Text = "req/s"
	p.Add(plotter.NewGrid())
	for k, s := range []struct {
		name string
		v    []float64
	}{{"actual", ev.Actual}, {"LSTM", ev.Pred}} {
		xy := make(plotter.XYs, len(s.v))
		for i, v := range s.v {
			xy[i] = plotter.XY{X: float64(i), Y: v}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = palette(k)
		p.Add(l)
		p.Legend.Add(s.name, l)
	}
	p.Legend.Top = true
	if err := writePNG(p, series); err != nil {
		return err
	}
	q := plot.New()
	q.Title.Text = "request rate per test window: LSTM vs actual"
	q.X.Label.Text = "actual req/s (log)"
	q.Y.Label.Text = "predicted req/s (log)"
	q.X.Scale, q.Y.Scale = plot.LogScale{}, plot.LogScale{}
	q.X.Tick.Marker, q.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	xy := make(plotter.XYs, 0, len(ev.ScatterA))
	lo, hi := math.Inf(1), 0.0
	for i := range ev.ScatterA {
		a, b := ev.ScatterA[i], ev.ScatterP[i]
		if a > 0 && b > 0 { // a log scale shows positive values only
			xy = append(xy, plotter.XY{X: a, Y: b})
			lo, hi = math.Min(lo, math.Min(a, b)), math.Max(hi, math.Max(a, b))
		}
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Radius = vg.Points(1)
	sc.GlyphStyle.Color = palette(0)
	q.Add(sc)
	if len(xy) > 0 {
		diag, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
		diag.Color = palette(3)
		q.Add(diag)
		q.Legend.Add("y = x", diag)
	}
	return writePNG(q, scatter)
}

func writePNG(p *plot.Plot, w io.Writer) error {
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
