package models

import (
	"encoding/csv"
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
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
	// Refs are horizontal reference lines (a baseline's value of a series),
	// drawn by WritePanels in their series' panel.
	Refs []Ref
}

// Ref is a reference value of one series.
type Ref struct {
	Series, Name string
	Value        float64
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

// WritePanels plots each series in its own panel, one above the other,
// against the x axis named xlabel (the reinforcement learners' curves:
// rewards, loss and exploration have different scales). Non-finite values
// (a loss before the first update) are left out. Reference lines are
// dashed, named in a legend beside the panels with their values.
func (c *Curve) WritePanels(w io.Writer, title, xlabel string) error {
	n := len(c.Names)
	if n == 0 || len(c.Rows) == 0 {
		return fmt.Errorf("curve: nothing to plot")
	}
	x0, x1 := float64(c.Rows[0].Epoch), float64(c.Rows[len(c.Rows)-1].Epoch)
	if x1 <= x0 {
		x1 = x0 + 1
	}
	legend := plot.NewLegend()
	legend.TextStyle.Font.Size = vg.Points(8)
	legend.Top, legend.Left = true, true
	plots := make([][]*plot.Plot, n)
	for k, name := range c.Names {
		p := plot.New()
		if k == 0 {
			p.Title.Text = title
		}
		if k == n-1 {
			p.X.Label.Text = xlabel
		}
		p.Y.Label.Text = name
		p.X.Min, p.X.Max = x0, x1
		p.Add(plotter.NewGrid())
		j := 0
		for _, ref := range c.Refs {
			if ref.Series != name || math.IsNaN(ref.Value) || math.IsInf(ref.Value, 0) {
				continue
			}
			l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: ref.Value}, {X: x1, Y: ref.Value}})
			if err != nil {
				return fmt.Errorf("reference %s: %w", ref.Name, err)
			}
			l.Color = palette(j + 1)
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(2 + 1.5*float64(j%3))}
			p.Add(l)
			legend.Add(fmt.Sprintf("%s %.4g", ref.Name, ref.Value), l)
			j++
		}
		var xy plotter.XYs
		for _, r := range c.Rows {
			if v := r.Values[k]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				xy = append(xy, plotter.XY{X: float64(r.Epoch), Y: v})
			}
		}
		if len(xy) > 0 {
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return fmt.Errorf("curve %s: %w", name, err)
			}
			l.Color, pts.Color = palette(0), palette(0)
			if j > 0 { // the learner over its references: black, thicker
				l.Color, pts.Color = color.Black, color.Black
				l.Width = vg.Points(2)
				legend.Add(name+" (learner)", l, pts)
			}
			p.Add(l, pts)
		}
		plots[k] = []*plot.Plot{p}
	}
	const width, panel = 6.5 * vg.Inch, 1.9 * vg.Inch
	side := vg.Length(0)
	if len(c.Refs) > 0 {
		side = 2.2 * vg.Inch
	}
	img := vgimg.New(width+side, panel*vg.Length(n))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: n, Cols: 1, PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	canvases := plot.Align(plots, tiles, draw.Crop(dc, 0, -side, 0, 0))
	for k := range n {
		plots[k][0].Draw(canvases[k][0])
	}
	if side > 0 {
		legend.Draw(draw.Crop(dc, width, 0, 0, -vg.Points(30)))
	}
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}
