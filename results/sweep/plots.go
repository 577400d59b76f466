package sweep

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgpdf"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/sim"
)

// Figure is a drawing of a given size that renders to PNG or PDF.
type Figure struct {
	Width, Height vg.Length
	draw          func(dc draw.Canvas)
}

// pngDPI is the resolution of PNG figures: sharp on a screen and in a
// printed thesis alike.
const pngDPI = 150

// PNG writes the figure as a PNG image.
func (f Figure) PNG(w io.Writer) (err error) {
	defer drawFailed(&err)
	img := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(pngDPI))
	f.draw(draw.New(img))
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

// drawFailed turns a panic of the plotting library (gonum/plot panics on
// axes it cannot draw, such as a log scale reaching 0) into an error: a
// figure that cannot be drawn is reported, never a stack trace.
func drawFailed(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("cannot draw the figure: %v", r)
	}
}

// pdfEpoch is the creation and modification date of every PDF figure: a
// fixed date instead of the clock's, so that the same figure gives the
// same bytes.
var pdfEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

var pdfDefaults sync.Once

// PDF writes the figure as a PDF document, fonts embedded. Its dates are
// fixed (pdfEpoch) and its catalogs sorted, so the bytes depend on the
// figure only.
func (f Figure) PDF(w io.Writer) (err error) {
	pdfDefaults.Do(func() {
		// vgpdf does not expose its document: set fpdf's defaults, which
		// every document made afterwards takes.
		fpdf.SetDefaultCreationDate(pdfEpoch)
		fpdf.SetDefaultModificationDate(pdfEpoch)
		fpdf.SetDefaultCatalogSort(true)
	})
	defer drawFailed(&err)
	c := vgpdf.New(f.Width, f.Height)
	f.draw(draw.New(c))
	_, err = c.WriteTo(w)
	return err
}

// Figure sizes.
const (
	panelWidth  = 3.6 * vg.Inch
	panelHeight = 2.6 * vg.Inch
	titleHeight = 0.45 * vg.Inch
)

// newPlot is a plot with the figures' fonts and a light grid.
func newPlot() *plot.Plot {
	p := plot.New()
	p.Title.TextStyle.Font.Size = vg.Points(11)
	p.X.Label.TextStyle.Font.Size = vg.Points(10)
	p.Y.Label.TextStyle.Font.Size = vg.Points(10)
	p.X.Tick.Label.Font.Size = vg.Points(9)
	p.Y.Tick.Label.Font.Size = vg.Points(9)
	p.Legend.TextStyle.Font.Size = vg.Points(9)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{Y: 220}
	g.Horizontal.Color = color.Gray{Y: 220}
	p.Add(g)
	return p
}

// titled draws a title across the top of a figure and returns the canvas
// below it.
func titled(dc draw.Canvas, title string) draw.Canvas {
	sty := plot.New().Title.TextStyle
	sty.Font.Size = vg.Points(12)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	mid := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - titleHeight/2}
	dc.FillText(sty, mid, title)
	return draw.Crop(dc, 0, 0, 0, -titleHeight)
}

// key is a legend drawn beside a plot, outside its axes: a plot of its
// own with hidden axes. Its width fits the longest entry.
type key struct {
	p     *plot.Plot
	width vg.Length
}

func newKey() *key {
	p := plot.New()
	p.HideAxes()
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	return &key{p: p, width: vg.Points(40)}
}

func (k *key) add(name string, thumbs ...plot.Thumbnailer) {
	k.p.Legend.Add(name, thumbs...)
	k.width = max(k.width, k.p.Legend.TextStyle.Width(name)+k.p.Legend.ThumbnailWidth+vg.Points(24))
}

// drawBeside draws p in dc with the key to its right, below topPad, and
// returns the canvas p was drawn in.
func (k *key) drawBeside(dc draw.Canvas, p *plot.Plot, topPad vg.Length) draw.Canvas {
	pc := draw.Crop(dc, 0, -k.width, 0, 0)
	p.Draw(pc)
	k.p.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-k.width+vg.Points(6), 0, 0, -topPad))
	return pc
}

// fit returns a figure height of at least h that holds the key below
// topPad: a long key makes a figure taller, not its names cut off.
func (k *key) fit(h, topPad vg.Length) vg.Length {
	r := k.p.Legend.Rectangle(draw.Canvas{})
	return max(h, topPad+r.Max.Y-r.Min.Y+vg.Points(12))
}

// armColor is arm k's colour in every figure.
func armColor(k int) color.Color { return plotutil.Color(k) }

// errPoints are points with horizontal or vertical error bars.
type errPoints struct {
	plotter.XYs
	plotter.XErrors
	plotter.YErrors
}

// halfOrZero is an interval's half-width, 0 where there is none.
func halfOrZero(iv Interval) float64 {
	if iv.Has() {
		return iv.HalfWidth
	}
	return 0
}

// MetricsFigure draws, for one cell, each metric of TableMetrics per arm:
// a dot at the mean and a bar over its 95 % interval (none for n = 1).
// Arms are numbered down each panel and keyed to their names at the right,
// with the numbers of the other figures.
func MetricsFigure(an *Analysis, cell int) (Figure, error) {
	c := &an.Cells[cell]
	const cols = 4
	ms := TableMetrics
	rows := (len(ms) + cols - 1) / cols
	n := len(c.Arms)
	nums := make([]string, n)
	for k := range c.Arms {
		nums[n-1-k] = strconv.Itoa(k + 1) // the first arm on top
	}
	plots := make([][]*plot.Plot, rows)
	for r := range plots {
		plots[r] = make([]*plot.Plot, cols)
	}
	for i, key := range ms {
		m := metricIndex(key)
		p := newPlot()
		p.Title.Text = Metrics[m].Label
		p.X.Label.Text = Metrics[m].Unit
		p.NominalY(nums...)
		p.Y.Padding = vg.Points(6)
		for k, a := range c.Arms {
			e := a.Est[m]
			h := halfOrZero(e)
			pts := errPoints{XYs: plotter.XYs{{X: e.Mean, Y: float64(n - 1 - k)}}, XErrors: plotter.XErrors{{Low: -h, High: h}}}
			bars, err := plotter.NewXErrorBars(pts)
			if err != nil {
				return Figure{}, fmt.Errorf("metric %s, arm %s: %w", key, a.Name, err)
			}
			bars.LineStyle.Color, bars.LineStyle.Width = armColor(k), vg.Points(1.2)
			sc, err := plotter.NewScatter(pts.XYs)
			if err != nil {
				return Figure{}, fmt.Errorf("metric %s, arm %s: %w", key, a.Name, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: armColor(k), Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
			p.Add(bars, sc)
		}
		p.X.Tick.Marker = results.PlainTicks{}
		padX(p)
		plots[i/cols][i%cols] = p
	}
	k := armKey(c)
	width := cols*panelWidth*0.75 + k.width
	height := titleHeight + vg.Length(rows)*(panelHeight*0.45+vg.Length(n)*vg.Points(16))
	title := fmt.Sprintf("%s%s: mean and 95 %% interval over %s replications per arm", an.Scenario, cellTitle(an, c), cellReplications(c))
	return Figure{Width: width, Height: height, draw: func(dc draw.Canvas) {
		dc = titled(dc, title)
		k.p.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-k.width+vg.Points(6), 0, 0, -vg.Points(10)))
		dc = draw.Crop(dc, 0, -k.width, 0, 0)
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(10), PadY: vg.Points(10),
			PadTop: vg.Points(2), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
		canvases := plot.Align(plots, tiles, dc)
		for r := range plots {
			for k, p := range plots[r] {
				if p != nil {
					p.Draw(canvases[r][k])
				}
			}
		}
	}}, nil
}

// armKey keys a cell's arms' numbers and colours to their names.
func armKey(c *Cell) *key {
	k := newKey()
	for i, a := range c.Arms {
		sc, _ := plotter.NewScatter(plotter.XYs{{}})
		sc.GlyphStyle = draw.GlyphStyle{Color: armColor(i), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		k.add(fmt.Sprintf("%d  %s", i+1, a.Name), sc)
	}
	return k
}

// padX widens a plot's x range by 8 % each side (and gives a single
// value a range), so that dots and bars stay inside the axes.
func padX(p *plot.Plot) {
	lo, hi := p.X.Min, p.X.Max
	d := results.Spread(lo, hi)
	p.X.Min, p.X.Max = lo-0.08*d, hi+0.08*d
}

// CDFFigure draws, for one cell, each arm's latency CDF: the mean over
// replications of each stored quantile, on a logarithmic latency axis.
func CDFFigure(an *Analysis, cell int) (Figure, error) {
	c := &an.Cells[cell]
	p := newPlot()
	p.Title.Text = fmt.Sprintf("%s%s\nlatency CDF per arm (each quantile averaged over %s replications)",
		an.Scenario, cellTitle(an, c), cellReplications(c))
	p.X.Label.Text = "end-to-end latency of completed invocations (s, log scale)"
	p.Y.Label.Text = "fraction of completed invocations"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1
	k := newKey()
	lo := math.Inf(1)
	for _, a := range c.Arms {
		for _, s := range a.CDF.Seconds {
			if s > 0 {
				lo = min(lo, s)
			}
		}
	}
	if math.IsInf(lo, 1) {
		lo = 1e-3
	}
	hi := lo
	for _, a := range c.Arms {
		for _, s := range a.CDF.Seconds {
			if s > hi && !math.IsInf(s, 0) {
				hi = s
			}
		}
	}
	// Every latency alike (or none): gonum would widen the axis by ±1 and
	// cross zero on the log scale; give it a decade either side instead.
	if hi <= lo {
		p.X.Min, p.X.Max = lo/10, lo*10
	}
	for i, a := range c.Arms {
		var pts plotter.XYs
		for i, q := range a.CDF.Seconds {
			pts = append(pts, plotter.XY{X: max(q, lo), Y: a.CDF.Probabilities[i]})
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return Figure{}, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = armColor(i), vg.Points(1.5), plotutil.Dashes(i)
		p.Add(l)
		k.add(a.Name, l)
	}
	return Figure{Width: 8*vg.Inch + k.width, Height: k.fit(5*vg.Inch, vg.Points(40)), draw: func(dc draw.Canvas) { k.drawBeside(dc, p, vg.Points(40)) }}, nil
}

// Pareto returns the indices of the points not dominated by another: none
// other is at most as large on both coordinates and smaller on one. The
// front is sorted by x.
func Pareto(xs, ys []float64) []int {
	var front []int
	for i := range xs {
		dominated := false
		for j := range xs {
			if j != i && xs[j] <= xs[i] && ys[j] <= ys[i] && (xs[j] < xs[i] || ys[j] < ys[i]) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, i)
		}
	}
	slices.SortStableFunc(front, func(a, b int) int {
		if c := cmpFloat(xs[a], xs[b]); c != 0 {
			return c
		}
		return cmpFloat(ys[a], ys[b])
	})
	return front
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ParetoFigure draws, for one cell, each arm's mean cost against its mean
// carbon with both 95 % intervals, numbered (each number where it
// overlaps no other) and keyed to the arms' names, and the Pareto front of
// the means (lower is better on both) as a staircase through the arms on
// it, which are ringed. It draws at most results.MaxTradeoffArms arms.
func ParetoFigure(an *Analysis, cell int) (Figure, error) {
	c := &an.Cells[cell]
	if n := len(c.Arms); n > results.MaxTradeoffArms {
		return Figure{}, fmt.Errorf("%d arms: %w", n, results.ErrTooManyArms)
	}
	cost, carbon := metricIndex("cost_usd"), metricIndex("carbon_kg")
	p := newPlot()
	p.Title.Text = fmt.Sprintf("%s%s\ncost against carbon: means and 95 %% intervals over %s replications",
		an.Scenario, cellTitle(an, c), cellReplications(c))
	p.X.Label.Text = "total cost (USD)"
	p.Y.Label.Text = "carbon (kg CO2e)"
	p.X.Tick.Marker, p.Y.Tick.Marker = results.PlainTicks{}, results.PlainTicks{}
	n := len(c.Arms)
	xs, ys := make([]float64, n), make([]float64, n)
	for k, a := range c.Arms {
		xs[k], ys[k] = a.Est[cost].Mean, a.Est[carbon].Mean
	}
	front := Pareto(xs, ys)
	var frontThumbs []plot.Thumbnailer
	if len(front) > 0 {
		// the staircase: from each front point across, then down to the next
		var stair plotter.XYs
		for i, k := range front {
			if i > 0 {
				stair = append(stair, plotter.XY{X: xs[k], Y: ys[front[i-1]]})
			}
			stair = append(stair, plotter.XY{X: xs[k], Y: ys[k]})
		}
		l, err := plotter.NewLine(stair)
		if err != nil {
			return Figure{}, err
		}
		l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = color.Gray{Y: 90}, vg.Points(1), []vg.Length{vg.Points(4), vg.Points(3)}
		rings := make(plotter.XYs, len(front))
		for i, k := range front {
			rings[i] = plotter.XY{X: xs[k], Y: ys[k]}
		}
		rs, err := plotter.NewScatter(rings)
		if err != nil {
			return Figure{}, err
		}
		rs.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(7), Shape: draw.RingGlyph{}}
		p.Add(l, rs)
		frontThumbs = []plot.Thumbnailer{l, rs}
	}
	var labels []string
	pts := make(plotter.XYs, n)
	for k, a := range c.Arms {
		ex, ey := halfOrZero(a.Est[cost]), halfOrZero(a.Est[carbon])
		e := errPoints{XYs: plotter.XYs{{X: xs[k], Y: ys[k]}}, XErrors: plotter.XErrors{{Low: -ex, High: ex}},
			YErrors: plotter.YErrors{{Low: -ey, High: ey}}}
		xb, err := plotter.NewXErrorBars(e)
		if err != nil {
			return Figure{}, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		yb, err := plotter.NewYErrorBars(e)
		if err != nil {
			return Figure{}, fmt.Errorf("arm %s: %w", a.Name, err)
		}
		xb.LineStyle.Color, yb.LineStyle.Color = armColor(k), armColor(k)
		sc, err := plotter.NewScatter(e.XYs)
		if err != nil {
			return Figure{}, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: armColor(k), Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
		p.Add(xb, yb, sc)
		pts[k] = e.XYs[0]
		labels = append(labels, strconv.Itoa(k+1))
	}
	padX(p) // room inside the axes for the labels of the outer points
	dy := results.Spread(p.Y.Min, p.Y.Max)
	p.Y.Min, p.Y.Max = p.Y.Min-0.06*dy, p.Y.Max+0.06*dy
	k := armKey(c)
	if frontThumbs != nil {
		k.add("Pareto front of the means", frontThumbs...)
	}
	sty := p.X.Tick.Label
	sty.Font.Size = vg.Points(10)
	return Figure{Width: 7*vg.Inch + k.width, Height: k.fit(5*vg.Inch, vg.Points(40)), draw: func(dc draw.Canvas) {
		pc := k.drawBeside(dc, p, vg.Points(40))
		results.LabelPoints(p, pc, pts, labels, sty, vg.Points(3.5))
	}}, nil
}

// Series is an arm's per-interval series summed over pools: what the
// series figure draws.
type Series struct {
	Arm string
	// Hours[i] is the start of interval i in hours of trace time;
	// Arrivals[i] and ColdStarts[i] are its counts.
	Hours                []float64
	Arrivals, ColdStarts []float64
}

// SumSeries sums a series file's rows (results/series) over pools, by
// interval, in interval order.
func SumSeries(arm string, rows []sim.SeriesRow) Series {
	s := Series{Arm: arm}
	pos := map[int64]int{}
	var ivs []int64
	for i := range rows {
		if _, ok := pos[rows[i].Interval]; !ok {
			pos[rows[i].Interval] = len(ivs)
			ivs = append(ivs, rows[i].Interval)
		}
	}
	order := slices.Clone(ivs)
	slices.Sort(order)
	idx := make(map[int64]int, len(order))
	for i, iv := range order {
		idx[iv] = i
	}
	s.Hours, s.Arrivals, s.ColdStarts = make([]float64, len(order)), make([]float64, len(order)), make([]float64, len(order))
	for i := range rows {
		k := idx[rows[i].Interval]
		s.Hours[k] = rows[i].Start.Seconds() / 3600
		s.Arrivals[k] += float64(rows[i].Arrivals)
		s.ColdStarts[k] += float64(rows[i].ColdStarts)
	}
	return s
}

// seriesBins is at most how many points a series figure draws per line:
// finer series are summed over consecutive intervals, so that a day of
// 10 s ticks reads as a curve rather than a band.
const seriesBins = 240

// rebin sums s over groups of k consecutive intervals.
func rebin(s Series, k int) Series {
	if k <= 1 {
		return s
	}
	out := Series{Arm: s.Arm}
	for i := 0; i < len(s.Hours); i += k {
		out.Hours = append(out.Hours, s.Hours[i])
		var a, c float64
		for j := i; j < min(i+k, len(s.Hours)); j++ {
			a += s.Arrivals[j]
			c += s.ColdStarts[j]
		}
		out.Arrivals, out.ColdStarts = append(out.Arrivals, a), append(out.ColdStarts, c)
	}
	return out
}

// SeriesFigure draws arrivals and cold starts over time, one line per arm,
// in two panels one above the other, per interval or, for long series, per
// bin of consecutive intervals (at most seriesBins). title says whose
// series they are (scenario, cell, replication).
func SeriesFigure(title string, series []Series) (Figure, error) {
	if len(series) == 0 {
		return Figure{}, fmt.Errorf("series figure: no series")
	}
	longest := 0
	for _, s := range series {
		longest = max(longest, len(s.Hours))
	}
	k := (longest + seriesBins - 1) / seriesBins
	per := "interval"
	if s := series[0]; len(s.Hours) > 1 {
		per = duration(time.Duration(float64(k) * (s.Hours[1] - s.Hours[0]) * float64(time.Hour)))
	}
	binned := make([]Series, len(series))
	for i := range series {
		binned[i] = rebin(series[i], k)
	}
	series = binned
	top, bottom := newPlot(), newPlot()
	top.Y.Label.Text = "arrivals per " + per
	bottom.Y.Label.Text = "cold starts per " + per
	bottom.X.Label.Text = "trace time (h)"
	top.X.Tick.Marker, bottom.X.Tick.Marker = results.PlainTicks{}, results.PlainTicks{}
	top.Y.Tick.Marker, bottom.Y.Tick.Marker = results.PlainTicks{}, results.PlainTicks{}
	key := newKey()
	for i, s := range series {
		for _, pan := range []struct {
			p *plot.Plot
			y []float64
		}{{top, s.Arrivals}, {bottom, s.ColdStarts}} {
			pts := make(plotter.XYs, len(s.Hours))
			for i := range s.Hours {
				pts[i] = plotter.XY{X: s.Hours[i], Y: pan.y[i]}
			}
			if len(pts) == 0 {
				continue
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return Figure{}, fmt.Errorf("series of arm %s: %w", s.Arm, err)
			}
			l.LineStyle.Color, l.LineStyle.Width, l.LineStyle.Dashes = armColor(i), vg.Points(1.2), plotutil.Dashes(i)
			pan.p.Add(l)
			if pan.p == bottom {
				key.add(s.Arm, l)
			}
		}
	}
	top.Y.Min, bottom.Y.Min = 0, 0
	plots := [][]*plot.Plot{{top}, {bottom}}
	return Figure{Width: 9*vg.Inch + key.width, Height: key.fit(6.5*vg.Inch, titleHeight+vg.Points(10)), draw: func(dc draw.Canvas) {
		dc = titled(dc, title)
		key.p.Draw(draw.Crop(dc, dc.Max.X-dc.Min.X-key.width+vg.Points(6), 0, 0, -vg.Points(10)))
		dc = draw.Crop(dc, 0, -key.width, 0, 0)
		tiles := draw.Tiles{Rows: 2, Cols: 1, PadX: vg.Points(6), PadY: vg.Points(10),
			PadTop: vg.Points(2), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12)}
		cs := plot.Align(plots, tiles, dc)
		top.Draw(cs[0][0])
		bottom.Draw(cs[1][0])
	}}, nil
}

// duration prints a bin's length: "10 s", "1.5 min", "2 h".
func duration(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return strconv.FormatFloat(d.Hours(), 'g', 3, 64) + " h"
	case d >= time.Minute:
		return strconv.FormatFloat(d.Minutes(), 'g', 3, 64) + " min"
	}
	return strconv.FormatFloat(d.Seconds(), 'g', 3, 64) + " s"
}

// FigureName is the base name of a cell's figure of a kind ("metrics",
// "cdf", "pareto", "series"): <kind>-c<cell>.
func FigureName(kind string, cell int) string {
	return fmt.Sprintf("%s-c%03d", strings.ToLower(kind), cell)
}
