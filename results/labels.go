package results

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LabelPoints draws each point's text beside it on plot p, drawn before in
// canvas c, where the text overlaps no other label and no point: at the
// first free place of eight around the point (right, left, above, below,
// then the diagonals), then of eight twice and three times as far, with a
// thin line to its point. A label with no free place, or none inside the
// plot's data area, goes to the right of its point, overlapping. Points
// whose glyphs (of the given radius) overlap share one label, their texts
// joined by commas, so that coinciding points stay legible. It returns the
// number of labels that found no free place.
func LabelPoints(p *plot.Plot, c draw.Canvas, pts plotter.XYs, texts []string, sty text.Style, radius vg.Length) (crowded int) {
	dc := p.DataCanvas(c)
	tx, ty := p.Transforms(&dc)
	at := make([]vg.Point, len(pts))
	for i, q := range pts {
		at[i] = vg.Point{X: tx(q.X), Y: ty(q.Y)}
	}
	sty.XAlign, sty.YAlign, sty.Rotation = draw.XLeft, draw.YBottom, 0
	leader := draw.LineStyle{Color: color.Gray{Y: 140}, Width: vg.Points(0.5)}
	for _, l := range placeLabels(at, texts, sty, radius, dc.Rectangle) {
		if !l.free {
			crowded++
		}
		if l.ring > 0 {
			mid := vg.Point{X: (l.box.Min.X + l.box.Max.X) / 2, Y: (l.box.Min.Y + l.box.Max.Y) / 2}
			to := vg.Point{X: clamp(l.point.X, l.box.Min.X, l.box.Max.X), Y: clamp(l.point.Y, l.box.Min.Y, l.box.Max.Y)}
			if d := mid.Sub(l.point); d.X != 0 || d.Y != 0 { // from the glyph's edge
				n := vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
				from := l.point.Add(d.Scale(radius / n))
				c.StrokeLine2(leader, from.X, from.Y, to.X, to.Y)
			}
		}
		box := sty.Rectangle(l.text)
		c.FillText(sty, vg.Point{X: l.box.Min.X - box.Min.X, Y: l.box.Min.Y - box.Min.Y}, l.text)
	}
	return crowded
}

// placedLabel is a label placed by placeLabels: its text, its box, the
// point it labels, the ring it was placed on (0 beside the point), and
// whether its place was free.
type placedLabel struct {
	text  string
	box   vg.Rectangle
	point vg.Point
	ring  int
	free  bool
}

// placeLabels places the labels of points at (drawing coordinates) inside
// area, as LabelPoints says; sty must be aligned left and bottom.
func placeLabels(at []vg.Point, texts []string, sty text.Style, radius vg.Length, area vg.Rectangle) []placedLabel {
	// Groups: each point joins the first earlier leader whose glyph its
	// own overlaps.
	var leaders []int
	joined := map[int][]string{}
	for i := range at {
		lead := -1
		for _, l := range leaders {
			if abs(at[i].X-at[l].X) < radius && abs(at[i].Y-at[l].Y) < radius {
				lead = l
				break
			}
		}
		if lead < 0 {
			leaders = append(leaders, i)
			lead = i
		}
		joined[lead] = append(joined[lead], texts[i])
	}
	var taken []vg.Rectangle
	for i := range at {
		taken = append(taken, vg.Rectangle{Min: vg.Point{X: at[i].X - radius, Y: at[i].Y - radius}, Max: vg.Point{X: at[i].X + radius, Y: at[i].Y + radius}})
	}
	const gap = vg.Length(2) // points between a glyph and its label
	var out []placedLabel
	for _, l := range leaders {
		txt := strings.Join(joined[l], ",")
		box := sty.Rectangle(txt)
		w, h := box.Max.X-box.Min.X, box.Max.Y-box.Min.Y
		place := func(ring, dir int) vg.Rectangle {
			d := radius + gap + vg.Length(ring)*(h+gap)
			lo := vg.Point{X: along(at[l].X, directions[dir][0], d, w), Y: along(at[l].Y, directions[dir][1], d, h)}
			return vg.Rectangle{Min: lo, Max: vg.Point{X: lo.X + w, Y: lo.Y + h}}
		}
		p := placedLabel{text: txt, box: place(0, 0), point: at[l]}
	search:
		for ring := range 3 {
			for dir := range directions {
				if r := place(ring, dir); inside(r, area) && !overlapsAny(r, taken) {
					p.box, p.ring, p.free = r, ring, true
					break search
				}
			}
		}
		taken = append(taken, p.box)
		out = append(out, p)
	}
	return out
}

// directions are the places tried around a point, in order: right, left,
// above, below, then the diagonals.
var directions = [...][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1}, {-1, -1}}

// along is where a label of the given size starts on one axis, placed at
// distance d from center in direction dir: after it (1), before it (-1),
// or centred on it (0).
func along(center vg.Length, dir int, d, size vg.Length) vg.Length {
	switch dir {
	case 1:
		return center + d
	case -1:
		return center - d - size
	}
	return center - size/2
}

func abs(v vg.Length) vg.Length {
	if v < 0 {
		return -v
	}
	return v
}

func clamp(v, lo, hi vg.Length) vg.Length { return max(lo, min(v, hi)) }

func inside(r, in vg.Rectangle) bool {
	return r.Min.X >= in.Min.X && r.Max.X <= in.Max.X && r.Min.Y >= in.Min.Y && r.Max.Y <= in.Max.Y
}

func overlapsAny(r vg.Rectangle, rs []vg.Rectangle) bool {
	for _, o := range rs {
		if r.Min.X < o.Max.X && o.Min.X < r.Max.X && r.Min.Y < o.Max.Y && o.Min.Y < r.Max.Y {
			return true
		}
	}
	return false
}
