package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/skyfaas/skyfaas/results/report"
	"github.com/skyfaas/skyfaas/results/sweep"
)

const reportUsage = `Usage: skyfaas report DIR [flags]

Re-renders a sweep's report from the files stored in DIR alone: the job
records under DIR/jobs (one per cell, arm and replication, written by
"skyfaas sweep" as each job finishes) and, where present, the per-interval
series under DIR/series. Prints the tables and writes, under DIR/report:

  rows.parquet, rows.csv   one row per (cell, arm, replication)
  tables.txt, tables.md, tables.tex
                           per cell, each metric's mean and 95 % Student t
                           interval over replications, and each arm's
                           difference from the reference arm: paired by
                           replication (common random numbers) and unpaired
                           (Welch); LaTeX tables use booktabs
  plots/<kind>-c<cell>.png and .pdf, kind one of
      metrics  each metric per arm with its interval
      cdf      latency CDF per arm
      pareto   cost against carbon, the Pareto front of the means marked
               (at most 40 arms; a note says when it is not drawn)
      series   arrivals and cold starts per interval (if series exist)

Shards of one sweep written into one DIR merge into the same files as an
unsharded run. DIR holding jobs of two scenarios or two sweeps is refused.
Every file is written atomically; on error none is changed.

Flags:
`

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr, reportUsage)
	reference := fs.String("reference", "", "arm that differences are taken against (default: the sweep's first arm)")
	intervals := fs.String("intervals", "pm", `how tables print intervals: "pm" (mean ± half-width) or "bracket" (mean [lo, hi])`)
	quiet := fs.Bool("quiet", false, "do not print the tables")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		fs.Usage()
		return fmt.Errorf("%w: report needs exactly one directory (got %d)", errUsage, len(positional))
	}
	var o report.Options
	o.Reference = *reference
	switch *intervals {
	case "pm":
		o.Style = sweep.PlusMinus
	case "bracket":
		o.Style = sweep.Bracket
	default:
		return fmt.Errorf(`%w: --intervals must be "pm" or "bracket" (got %q)`, errUsage, *intervals)
	}
	dir := positional[0]
	if st, err := os.Stat(dir); err != nil {
		return err
	} else if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	r, err := report.Write(dir, o)
	if err != nil {
		return err
	}
	if !*quiet {
		if _, err := stdout.Write(r.Text); err != nil {
			return err
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	fmt.Fprintf(stdout, "wrote %d files under %s (tables.md, tables.tex, rows.parquet, rows.csv, plots/)\n",
		len(r.Files), filepath.Join(dir, report.Dir))
	return nil
}
