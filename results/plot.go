package results

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// MaxTradeoffArms is the most arms a trade-off plot draws (TradeoffPNG and
// the sweep's Pareto figure): 40 numbered points stay legible in a panel,
// their key in a few columns; more are not drawn (ErrTooManyArms), the
// tables giving every arm.
const MaxTradeoffArms = 40

// ErrTooManyArms is returned, wrapped, for a trade-off plot of more than
// MaxTradeoffArms arms.
var ErrTooManyArms = fmt.Errorf("more arms than the %d a trade-off plot keeps legible", MaxTradeoffArms)

// TradeoffPNG draws every arm as a point of cost against p95 latency,
// carbon and SLA violations (three panels side by side), the points
// numbered (each number where it overlaps no other, coinciding points
// sharing one) and the numbers keyed to arm names in columns below: the
// picture of a comparison that a table makes hard to read at a glance. It
// draws at most MaxTradeoffArms arms.
func TradeoffPNG(w io.Writer, s *Summary, title string) error {
	if n := len(s.Arms); n > MaxTradeoffArms {
		return fmt.Errorf("%d arms: %w", n, ErrTooManyArms)
	}
	panels := []struct {
		label string
		y     func(a *Arm) float64
	}{
		{"p95 latency (s)", func(a *Arm) float64 { return a.Latency.P95 }},
		{"carbon (kg CO2e)", func(a *Arm) float64 { return a.CarbonG / 1000 }},
		{"SLA violations (%)", func(a *Arm) float64 { return a.SLAViolationPct }},
	}
	const radius = vg.Length(3.5)
	row := make([]*plot.Plot, len(panels))
	points := make([]plotter.XYs, len(panels))
	numbers := make([]string, len(s.Arms))
	names := make([]string, len(s.Arms))
	for k := range s.Arms {
		numbers[k], names[k] = strconv.Itoa(k+1), s.Arms[k].Name
	}
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
		sc.GlyphStyle.Radius = radius
		sc.GlyphStyle.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
		p.Add(sc)
		pad(p, pts)
		row[i], points[i] = p, pts
	}
	row[1].Title.Text = title
	const width, panelHeight = 16 * vg.Inch, 4.8 * vg.Inch
	key := NewKey(numbers, names, width-vg.Points(24))
	height := panelHeight + key.Height() + vg.Points(12)
	img := vgimg.New(width, height)
	dc := draw.New(img)
	plots := draw.Crop(dc, 0, 0, height-panelHeight, 0)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Points(14), PadY: vg.Points(6),
		PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, plots)
	labels := plot.New().X.Label.TextStyle
	labels.Font.Size = vg.Points(9)
	for i := range row {
		row[i].Draw(canvases[0][i])
		LabelPoints(row[i], canvases[0][i], points[i], numbers, labels, radius)
	}
	key.Draw(draw.Crop(dc, vg.Points(12), -vg.Points(12), 0, -panelHeight))
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// Key is a table of numbered names (a figure's points keyed to arms)
// filled column after column, as many columns as the widest entry leaves
// room for. An entry wider than the whole table is cut with an ellipsis:
// the tables give the full names.
type Key struct {
	entries    []string
	sty        text.Style
	cols, rows int
	colWidth   vg.Length
	lineHeight vg.Length
}

// NewKey lays out entries "number  name" in the given width.
func NewKey(numbers, names []string, width vg.Length) *Key {
	sty := plot.New().X.Label.TextStyle
	sty.Font.Size = vg.Points(10)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YTop
	k := &Key{sty: sty, lineHeight: sty.Height("0") * 1.3}
	const gap = vg.Length(18) // points between columns
	for i, n := range names {
		e := numbers[i] + "  " + n
		if sty.Width(e) > width {
			r := []rune(e)
			for len(r) > 1 && sty.Width(string(r)+"…") > width {
				r = r[:len(r)-1]
			}
			e = string(r) + "…"
		}
		k.entries = append(k.entries, e)
		k.colWidth = max(k.colWidth, sty.Width(e)+gap)
	}
	if len(k.entries) == 0 {
		return k
	}
	k.cols = max(1, min(len(k.entries), int(width/k.colWidth)))
	k.rows = (len(k.entries) + k.cols - 1) / k.cols
	k.cols = (len(k.entries) + k.rows - 1) / k.rows // no empty column
	return k
}

// Height is the height the key needs.
func (k *Key) Height() vg.Length { return vg.Length(k.rows) * k.lineHeight }

// Draw draws the key from the top left of c.
func (k *Key) Draw(c draw.Canvas) {
	for i, e := range k.entries {
		col, row := i/k.rows, i%k.rows
		c.FillText(k.sty, vg.Point{X: c.Min.X + vg.Length(col)*k.colWidth, Y: c.Max.Y - vg.Length(row)*k.lineHeight}, e)
	}
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
