package sweep

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/skyfaas/skyfaas/results"
)

// Style is how a table prints an interval.
type Style int

const (
	// PlusMinus prints mean ± half-width.
	PlusMinus Style = iota
	// Bracket prints the mean and [lo, hi].
	Bracket
)

// TableOptions choose what the tables show.
type TableOptions struct {
	Style Style
	// Metrics are the keys of the metrics shown (TableMetrics if empty).
	Metrics []string
}

// sets returns the metric sets the tables show, each as metric indices:
// o.Metrics if set; else TableMetrics, then ObjectiveMetrics if every arm
// of the analysis has an objective value, then PerAppMetrics if every arm
// has per-app figures.
func (o TableOptions) sets(an *Analysis) [][]int {
	idx := func(keys []string) []int {
		out := make([]int, len(keys))
		for i, k := range keys {
			out[i] = metricIndex(k)
		}
		return out
	}
	if len(o.Metrics) > 0 {
		return [][]int{idx(o.Metrics)}
	}
	sets := [][]int{idx(TableMetrics)}
	every := func(key string) bool {
		m := metricIndex(key)
		for _, c := range an.Cells {
			for _, a := range c.Arms {
				if math.IsNaN(a.Est[m].Mean) {
					return false
				}
			}
		}
		return true
	}
	if every("objective") {
		sets = append(sets, idx(ObjectiveMetrics))
	}
	if every("app_cold_start_pct_p75") {
		sets = append(sets, idx(PerAppMetrics))
	}
	return sets
}

// grid is one table before it is rendered: a caption, a header and rows
// of cells, each cell either text or figures, and notes under it.
type grid struct {
	caption string
	header  []string
	rows    [][]gcell
	notes   []string
}

// gcell is a text (text set) or an estimate, or a difference with its
// paired and unpaired intervals (welch set).
type gcell struct {
	text   string
	isText bool
	est    Interval
	welch  *Interval
}

func textCell(s string) gcell { return gcell{text: s, isText: true} }

// grids are the tables of an analysis: per cell, the arms' estimates and
// then their differences from the reference arm.
func grids(an *Analysis, o TableOptions) []grid {
	var out []grid
	for _, ms := range o.sets(an) {
		out = append(out, setGrids(an, o, ms)...)
	}
	return out
}

// setGrids are the tables of one set of metrics.
func setGrids(an *Analysis, o TableOptions, ms []int) []grid {
	var out []grid
	objective := Metrics[ms[0]].Key == "objective"
	what := "mean ± half-width"
	if o.Style == Bracket {
		what = "mean [lo, hi]"
	}
	for _, c := range an.Cells {
		place := cellTitle(an, &c)
		n := cellReplications(&c)
		est := grid{caption: fmt.Sprintf("%s%s: %s of the 95 %% Student t interval over %s per arm (n); data: %s.",
			an.Scenario, place, what, replications(n), windowsText(c.Windows))}
		est.header = []string{"arm", "n"}
		for _, m := range ms {
			est.header = append(est.header, Metrics[m].Short)
		}
		for _, a := range c.Arms {
			row := []gcell{textCell(a.Name), textCell(strconv.Itoa(len(a.Replications)))}
			for _, m := range ms {
				row = append(row, gcell{est: a.Est[m]})
			}
			est.rows = append(est.rows, row)
		}
		if anySingle(&c) {
			est.notes = append(est.notes, "n = 1: a single replication gives a mean but no interval.")
		}
		if Metrics[ms[0]].Key == PerAppMetrics[0] {
			est.notes = append(est.notes, "Serverless in the Wild's measures (Shahrad et al., ATC'20, Figs. 14-15): the cold-start share of the median and of the 3rd-quartile app (apps with a started invocation, every app weighing the same; the main table's cold % weighs every invocation), and the memory-time instances spent idle, on-demand and pre-warmed.")
		}
		if objective {
			est.notes = append(est.notes, "Objective (lower is better): each arm's whole run taken as one outcome (per-invocation means over every finished invocation, so the busiest functions weigh most), then its weighted terms; fn-mean obj.: each function's own run scored alike and averaged over functions, every function weighing the same (the learners' reward averages per function and epoch). Definition, weights and references: the run's footer and results.ObjectiveInfo.")
		}
		out = append(out, est)

		diff := grid{caption: fmt.Sprintf("%s%s: difference from the reference arm %s (arm − %s), %s; first the paired 95 %% interval "+
			"(same replication, common random numbers), then in parentheses the unpaired (Welch) one. %s; data: %s.",
			an.Scenario, place, an.Reference, an.Reference, what, replications(n), windowsText(c.Windows))}
		diff.header = []string{"arm", "pairs"}
		for _, m := range ms {
			diff.header = append(diff.header, "Δ "+Metrics[m].Short)
		}
		hasRef := false
		for _, a := range c.Arms {
			if a.Name == an.Reference {
				hasRef = true
			}
			if a.Paired == nil {
				continue
			}
			row := []gcell{textCell(a.Name), textCell(strconv.Itoa(a.Paired[0].N))}
			for _, m := range ms {
				w := a.Welch[m]
				row = append(row, gcell{est: a.Paired[m], welch: &w})
			}
			diff.rows = append(diff.rows, row)
		}
		switch {
		case !hasRef:
			diff.notes = append(diff.notes, fmt.Sprintf("The reference arm %s has no job in this cell: no differences.", an.Reference))
		case len(diff.rows) == 0:
			diff.notes = append(diff.notes, "No arm besides the reference.")
		}
		out = append(out, diff)
	}
	return out
}

// cellTitle names a cell for a caption: "" when the sweep has one cell and
// no parameters.
func cellTitle(an *Analysis, c *Cell) string {
	if len(an.Cells) == 1 && len(c.Params) == 0 {
		return ""
	}
	s := fmt.Sprintf(", cell %d", c.Index)
	if len(c.Params) > 0 {
		s += " (" + strings.Join(c.Params, ", ") + ")"
	}
	return s
}

func cellReplications(c *Cell) string {
	an := Analysis{Cells: []Cell{*c}}
	return an.Replications()
}

// replications says "1 replication", "5 replications" or "3 to 5
// replications" for a count as Analysis.Replications prints it.
func replications(n string) string {
	if n == "1" {
		return "1 replication"
	}
	return n + " replications"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func anySingle(c *Cell) bool {
	for _, a := range c.Arms {
		if len(a.Replications) == 1 {
			return true
		}
	}
	return false
}

func windowsText(ws []Window) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = w.String()
	}
	return strings.Join(parts, "; ")
}

// sigDecimals is the number of decimals that shows the half-width hw to
// two significant digits (the mean is printed to the same place).
func sigDecimals(hw float64) int {
	if hw <= 0 || math.IsNaN(hw) || math.IsInf(hw, 0) {
		return -1
	}
	d := 1 - int(math.Floor(math.Log10(hw)))
	return min(max(d, 0), 12)
}

// num prints v to d decimals, or to four significant digits if d < 0.
func num(v float64, d int) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	if d < 0 {
		a := math.Abs(v)
		switch {
		case a == 0:
			return "0"
		case a >= 1000:
			return strconv.FormatFloat(v, 'f', 0, 64)
		case a >= 1e-3:
			d = max(3-int(math.Floor(math.Log10(a))), 0)
			return strconv.FormatFloat(v, 'f', d, 64)
		}
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// numbers formats estimates; pm, minus and brackets are the format's
// spelling of "±", "−" and the interval's brackets.
type numbers struct {
	pm, minus, lb, rb string
	// text wraps words set among the figures (LaTeX's math mode needs
	// \mbox); nil leaves them as they are.
	text  func(string) string
	style Style
}

func (f numbers) words(s string) string {
	if f.text == nil {
		return s
	}
	return f.text(s)
}

func (f numbers) fix(s string) string {
	if s == "n/a" {
		return f.words(s)
	}
	if strings.HasPrefix(s, "-") {
		return f.minus + s[1:]
	}
	return s
}

// interval prints an estimate without its mean's label: "3.0 ± 2.0" or
// "3.0 [1.0, 5.0]"; a lone mean when there is no interval.
func (f numbers) interval(iv Interval) string {
	if !iv.Has() {
		return f.fix(num(iv.Mean, -1))
	}
	d := sigDecimals(iv.HalfWidth)
	if d < 0 { // no spread
		return f.fix(num(iv.Mean, -1)) + " " + f.pm + " 0"
	}
	if f.style == Bracket {
		return f.fix(num(iv.Mean, d)) + " " + f.lb + f.fix(num(iv.Lo(), d)) + ", " + f.fix(num(iv.Hi(), d)) + f.rb
	}
	return f.fix(num(iv.Mean, d)) + " " + f.pm + " " + num(iv.HalfWidth, d)
}

// cell prints a grid cell.
func (f numbers) cell(c gcell) string {
	if c.isText {
		return c.text
	}
	s := f.interval(c.est)
	if c.welch == nil {
		return s
	}
	w := *c.welch
	if !w.Has() {
		return s + f.words(" (no interval)")
	}
	d := max(sigDecimals(c.est.HalfWidth), sigDecimals(w.HalfWidth))
	if d < 0 {
		return s + " (" + f.pm + " 0)"
	}
	if f.style == Bracket {
		return s + " (" + f.lb + f.fix(num(w.Lo(), d)) + ", " + f.fix(num(w.Hi(), d)) + f.rb + ")"
	}
	return s + " (" + f.pm + " " + num(w.HalfWidth, d) + ")"
}

// preamble is what every rendering states first: what was read, and how
// it is summarised.
func preamble(an *Analysis) []string {
	jobs := fmt.Sprintf("%d jobs", an.Jobs)
	if an.SweepJobs > 0 {
		jobs = fmt.Sprintf("%d of the sweep's %d jobs", an.Jobs, an.SweepJobs)
		if an.Jobs < an.SweepJobs {
			jobs += " (incomplete: the missing ones are not in these figures)"
		}
	}
	return []string{
		fmt.Sprintf("Scenario %s, sweep %s: %s, %s; %s per arm; data: %s.",
			an.Scenario, an.Sweep, jobs, plural(len(an.Cells), "cell"), replications(an.Replications()), windowsText(an.Windows())),
		fmt.Sprintf("Intervals: 95 %% Student t over replications; differences against the reference arm %s, paired by replication "+
			"(common random numbers) and unpaired (Welch).", an.Reference),
	}
}

// WriteText prints the tables for a terminal.
func WriteText(w io.Writer, an *Analysis, o TableOptions) error {
	f := numbers{pm: "±", minus: "-", lb: "[", rb: "]", style: o.Style}
	for _, l := range preamble(an) {
		if _, err := fmt.Fprintln(w, l); err != nil {
			return err
		}
	}
	for _, g := range grids(an, o) {
		if _, err := fmt.Fprintf(w, "\n%s\n", g.caption); err != nil {
			return err
		}
		align := make([]tw.Align, len(g.header))
		for i := range align {
			align[i] = tw.AlignRight
		}
		align[0] = tw.AlignLeft
		t := tablewriter.NewTable(w,
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
			tablewriter.WithHeaderAlignment(tw.AlignCenter),
		)
		t.Header(results.Anys(g.header)...)
		for _, r := range g.rows {
			row := make([]string, len(r))
			for k, c := range r {
				row[k] = f.cell(c)
			}
			if err := t.Append(results.Anys(row)...); err != nil {
				return err
			}
		}
		if len(g.rows) > 0 {
			if err := t.Render(); err != nil {
				return err
			}
		}
		for _, n := range g.notes {
			if _, err := fmt.Fprintln(w, n); err != nil {
				return err
			}
		}
	}
	return nil
}

// markdownEscape keeps a text from breaking a Markdown table cell or
// turning into emphasis.
var markdownEscape = strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")

// WriteMarkdown writes the tables as GitHub-flavoured Markdown.
func WriteMarkdown(w io.Writer, an *Analysis, o TableOptions) error {
	f := numbers{pm: "±", minus: "−", lb: "[", rb: "]", style: o.Style}
	var b strings.Builder
	for _, l := range preamble(an) {
		b.WriteString(markdownEscape.Replace(l) + "\n")
	}
	for _, g := range grids(an, o) {
		fmt.Fprintf(&b, "\n%s\n\n", markdownEscape.Replace(g.caption))
		if len(g.rows) > 0 {
			head := make([]string, len(g.header))
			rule := make([]string, len(g.header))
			for k, h := range g.header {
				head[k] = markdownEscape.Replace(h)
				rule[k] = "--:"
			}
			rule[0] = ":--"
			b.WriteString("| " + strings.Join(head, " | ") + " |\n")
			b.WriteString("|" + strings.Join(rule, "|") + "|\n")
			for _, r := range g.rows {
				row := make([]string, len(r))
				for k, c := range r {
					row[k] = markdownEscape.Replace(f.cell(c))
				}
				b.WriteString("| " + strings.Join(row, " | ") + " |\n")
			}
		}
		for _, n := range g.notes {
			fmt.Fprintf(&b, "\n%s\n", markdownEscape.Replace(n))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// LaTeXEscape escapes text for LaTeX's text mode: the ten special
// characters, and the few Unicode signs the captions use.
var LaTeXEscape = strings.NewReplacer(
	`\`, `\textbackslash{}`, "{", `\{`, "}", `\}`, "$", `\$`, "&", `\&`, "#", `\#`, "_", `\_`, "%", `\%`,
	"~", `\textasciitilde{}`, "^", `\textasciicircum{}`, "±", `$\pm$`, "−", `$-$`, "Δ", `$\Delta$`,
)

// WriteLaTeX writes the tables for LaTeX, one table environment each, with
// booktabs rules (\usepackage{booktabs}); figures are set in math mode.
func WriteLaTeX(w io.Writer, an *Analysis, o TableOptions) error {
	f := numbers{pm: `\pm`, minus: "-", lb: "[", rb: "]", style: o.Style,
		text: func(s string) string { return `\mbox{` + LaTeXEscape.Replace(s) + "}" }}
	var b strings.Builder
	b.WriteString("% Generated by skyfaas report; needs \\usepackage{booktabs}.\n")
	for _, l := range preamble(an) {
		b.WriteString("% " + l + "\n")
	}
	for _, g := range grids(an, o) {
		b.WriteString("\n\\begin{table}[htbp]\n\\centering\n\\small\n")
		fmt.Fprintf(&b, "\\caption{%s}\n", LaTeXEscape.Replace(g.caption))
		if len(g.rows) > 0 {
			fmt.Fprintf(&b, "\\begin{tabular}{l%s}\n\\toprule\n", strings.Repeat("r", len(g.header)-1))
			head := make([]string, len(g.header))
			for k, h := range g.header {
				head[k] = LaTeXEscape.Replace(h)
			}
			b.WriteString(strings.Join(head, " & ") + " \\\\\n\\midrule\n")
			for _, r := range g.rows {
				row := make([]string, len(r))
				for k, c := range r {
					if c.isText {
						row[k] = LaTeXEscape.Replace(c.text)
					} else {
						row[k] = "$" + f.cell(c) + "$"
					}
				}
				b.WriteString(strings.Join(row, " & ") + " \\\\\n")
			}
			b.WriteString("\\bottomrule\n\\end{tabular}\n")
		}
		for _, n := range g.notes {
			fmt.Fprintf(&b, "\\par\\smallskip\\footnotesize %s\n", LaTeXEscape.Replace(n))
		}
		b.WriteString("\\end{table}\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
