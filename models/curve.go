package models

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Epoch is one row of a learning curve: what an epoch (or an evaluation
// round, for the reinforcement learners) measured. Series holds named
// values (train_loss, val_loss, episode_return, epsilon, ...) in Names'
// order.
type Epoch struct {
	Epoch   int
	Values  []float64
	LR      float64
	Elapsed time.Duration // wall time since training started
}

// Curve is a learning curve: the names of its series, one row per epoch.
type Curve struct {
	Names []string
	Rows  []Epoch
}

// Add appends an epoch.
func (c *Curve) Add(e Epoch) { c.Rows = append(c.Rows, e) }

// WriteCSV writes epoch, each series, lr and elapsed seconds.
func (c *Curve) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := append(append([]string{"epoch"}, c.Names...), "lr", "elapsed_s")
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range c.Rows {
		rec := []string{strconv.Itoa(r.Epoch)}
		for _, v := range r.Values {
			rec = append(rec, strconv.FormatFloat(v, 'g', 8, 64))
		}
		rec = append(rec, strconv.FormatFloat(r.LR, 'g', 6, 64), strconv.FormatFloat(r.Elapsed.Seconds(), 'f', 2, 64))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WritePNG plots every series against the epoch.
func (c *Curve) WritePNG(w io.Writer, title, ylabel string) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	for k, name := range c.Names {
		xy := make(plotter.XYs, len(c.Rows))
		for i, r := range c.Rows {
			xy[i] = plotter.XY{X: float64(r.Epoch), Y: r.Values[k]}
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return fmt.Errorf("curve %s: %w", name, err)
		}
		l.Color = plotter.DefaultLineStyle.Color
		l.Color = palette(k)
		pts.Color = palette(k)
		p.Add(l, pts)
		p.Legend.Add(name, l, pts)
	}
	p.Legend.Top = true
	wt, err := p.WriterTo(6*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
