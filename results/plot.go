package results

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// TradeoffPNG draws every arm as a point of cost against p95 latency,
// carbon and SLA violations (three panels side by side), the points
// numbered and the numbers keyed to arm names in a fourth panel: the
// picture of a comparison that a table makes hard to read at a glance.
func TradeoffPNG(w io.Writer, s *Summary, title string) error {
	panels := []struct {
		label string
		y     func(a *Arm) float64
	}{
		{"p95 latency (s)", func(a *Arm) float64 { return a.Latency.P95 }},
		{"carbon (kg CO2e)", func(a *Arm) float64 { return a.CarbonG / 1000 }},
		{"SLA violations (%)", func(a *Arm) float64 { return a.SLAViolationPct }},
	}
	row := make([]*plot.Plot, len(panels))
	for i, pan := range panels {
		p := plot.New()
		p.X.Label.Text = "cost (USD)"
		p.Y.Label.Text = pan.label
		p.Add(plotter.NewGrid())
		pts := make(plotter.XYs, len(s.Arms))
		for k := range s.Arms {
			pts[k] = plotter.XY{X: s.Arms[k].Cost.Total, Y: pan.y(&s.Arms[k])}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		sc.GlyphStyle.Radius = vg.Points(3.5)
		sc.GlyphStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
		at, labels := clusterLabels(pts, s.Arms)
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: at, Labels: labels})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		for k := range lb.TextStyle {
			lb.TextStyle[k].Font.Size = vg.Points(9)
			lb.TextStyle[k].XAlign = draw.XLeft
		}
		lb.Offset = vg.Point{X: vg.Points(5), Y: vg.Points(-3)}
		p.Add(sc, lb)
		pad(p, pts)
		row[i] = p
	}
	row[1].Title.Text = title
	key := plot.New()
	key.HideAxes()
	key.Legend.Top, key.Legend.Left = true, true
	key.Legend.TextStyle.Font.Size = vg.Points(10)
	key.Legend.Padding = vg.Points(3)
	for k, a := range s.Arms {
		key.Legend.Add(fmt.Sprintf("%d  %s", k+1, a.Name))
	}
	const width, height, keyWidth = 16 * vg.Inch, 4.8 * vg.Inch, 2.2 * vg.Inch
	img := vgimg.New(width, height)
	dc := draw.New(img)
	plots := draw.Crop(dc, 0, -keyWidth, 0, 0)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Points(14), PadY: vg.Points(6),
		PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, plots)
	for i := range row {
		row[i].Draw(canvases[0][i])
	}
	key.Draw(draw.Crop(dc, width-keyWidth, 0, 0, -vg.Points(20)))
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// clusterLabels numbers the points 1..n; points that would overlap on the
// plot (within 4 % of the x range and 5 % of the y range) share one label
// listing their numbers, so that coinciding arms stay legible.
func clusterLabels(pts plotter.XYs, arms []Arm) (plotter.XYs, []string) {
	minX, maxX, minY, maxY := bounds(pts)
	tx, ty := 0.04*Spread(minX, maxX), 0.05*Spread(minY, maxY)
	var at plotter.XYs
	var labels []string
	done := make([]bool, len(pts))
	for i := range pts {
		if done[i] {
			continue
		}
		nums := strconv.Itoa(i + 1)
		for j := i + 1; j < len(pts); j++ {
			if !done[j] && math.Abs(pts[j].X-pts[i].X) < tx && math.Abs(pts[j].Y-pts[i].Y) < ty {
				done[j] = true
				nums += "," + strconv.Itoa(j+1)
			}
		}
		at = append(at, pts[i])
		labels = append(labels, nums)
	}
	return at, labels
}

// pad fits the axes to the points with a margin (more on the right, for
// the labels): differences between arms are what the plot is for.
func pad(p *plot.Plot, pts plotter.XYs) {
	minX, maxX, minY, maxY := bounds(pts)
	dx, dy := Spread(minX, maxX), Spread(minY, maxY)
	p.X.Min, p.X.Max = minX-0.06*dx, maxX+0.14*dx
	p.Y.Min, p.Y.Max = minY-0.08*dy, maxY+0.08*dy
	p.X.Tick.Marker = PlainTicks{}
	p.Y.Tick.Marker = PlainTicks{}
}

func bounds(pts plotter.XYs) (minX, maxX, minY, maxY float64) {
	minX, maxX, minY, maxY = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, q := range pts {
		minX, maxX = math.Min(minX, q.X), math.Max(maxX, q.X)
		minY, maxY = math.Min(minY, q.Y), math.Max(maxY, q.Y)
	}
	return
}

// Spread is the width of a range, or a tenth of its magnitude if the range
// is a single value (so that equal values still get an axis).
func Spread(lo, hi float64) float64 {
	if d := hi - lo; d > 0 {
		return d
	}
	return math.Max(math.Abs(hi)/10, 1e-9)
}

// PlainTicks are gonum's default ticks labelled without trailing zeros.
type PlainTicks struct{}

// Ticks implements plot.Ticker.
func (PlainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'g', 6, 64)
		}
	}
	return ticks
}
