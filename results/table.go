package results

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
)

// Table prints the comparison of every arm: cost (total and per thousand
// completed invocations), latency quantiles, cold starts, carbon, SLA
// violations, failures (their share of arrivals, then counts by cause) and
// where the arm put its invocations; then, if the summary states them, the
// assumptions behind the figures. If the summary has an objective, its
// value per arm is the second column and its definition a footer line.
func Table(w io.Writer, s *Summary) error {
	header := []string{"arm"}
	if s.Objective != nil {
		header = append(header, "objective")
	}
	header = append(header, "cost $", "$/1k done", "p50 s", "p95 s", "p99 s", "wait ms", "cold %", "carbon kg", "SLA viol %",
		"fail %", "oom", "throttled", "timeout", "infeasible", "in flight")
	var names []string
	if len(s.Arms) > 0 {
		for _, p := range s.Arms[0].PerProvider {
			names = append(names, p.Name)
		}
		header = append(header, "share "+strings.Join(names, "/")+" %")
	}
	align := make([]tw.Align, len(header))
	for i := range align {
		align[i] = tw.AlignRight
	}
	align[0] = tw.AlignLeft
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderAlignment(tw.AlignCenter),
	)
	t.Header(Anys(header)...)
	for _, a := range s.Arms {
		var shares []string
		for _, p := range a.PerProvider {
			shares = append(shares, fmt.Sprintf("%.0f", p.SharePct))
		}
		per1k := "n/a" // nothing completed
		if a.Invocations.Completed > 0 {
			per1k = money(a.CostPer1kCompletedUSD)
		}
		f := a.Invocations.Failed
		row := []string{a.Name}
		if s.Objective != nil {
			obj := "n/a"
			if a.Objective != nil {
				obj = fmt.Sprintf("%.3f", a.Objective.Value)
			}
			row = append(row, obj)
		}
		row = append(row, money(a.Cost.Total), per1k, secs(a.Latency.P50), secs(a.Latency.P95), secs(a.Latency.P99),
			fmt.Sprintf("%.1f", 1000*a.Latency.MeanStart), percent(a.ColdStartPct), fmt.Sprintf("%.2f", a.CarbonG/1000),
			percent(a.SLAViolationPct), percent(a.FailedPct),
			Thousands(f["oom"]), Thousands(f["throttled"]), Thousands(f["timeout"]), Thousands(f["infeasible"]),
			Thousands(a.Invocations.InFlight), strings.Join(shares, "/"))
		if err := t.Append(Anys(row)...); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if s.Assumptions != nil {
		if err := s.Assumptions.Write(w); err != nil {
			return err
		}
	}
	if o := s.Objective; o != nil {
		if _, err := fmt.Fprintf(w, "objective: %s (%s)\n", o.Definition, o.AssumptionsNote); err != nil {
			return err
		}
	}
	return nil
}

// Anys converts strings for the table writer, which takes []any rows.
func Anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// money prints dollars with four significant digits.
func money(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1000:
		return fmt.Sprintf("%.0f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.4g", v)
	}
}

// percent prints a percentage with two decimals, or three significant
// digits below 0.1 so that a small non-zero rate does not print as 0.
func percent(v float64) string {
	if v > 0 && v < 0.1 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// secs prints seconds to the millisecond below 10 s.
func secs(v float64) string {
	if v >= 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// Thousands prints an integer with comma thousands separators.
func Thousands(n int64) string {
	s := fmt.Sprintf("%d", n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
