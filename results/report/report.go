// Package report renders a sweep's output directory from its stored files
// alone: the job records under jobs/ and, where present, the per-interval
// series under series/ (results/sweep names both). It writes, under
// report/, the rows (Parquet and CSV), the tables (terminal text, Markdown,
// LaTeX) and the figures (PNG and PDF). Every output depends on the jobs'
// contents only, so shards written into one directory give the same bytes
// as one unsharded run, whatever order the file system lists them in.
// It is a package of its own because it links arrow-go (Parquet).
package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/results/sweep"
)

// Dir is the directory, under a sweep's output directory, that Write
// fills; PlotsDir is its figures' directory.
const (
	Dir      = "report"
	PlotsDir = "plots"
)

// Output files under Dir.
const (
	RowsParquetFile = "rows.parquet"
	RowsCSVFile     = "rows.csv"
	TextFile        = "tables.txt"
	MarkdownFile    = "tables.md"
	LaTeXFile       = "tables.tex"
)

// Options choose how a report is drawn.
type Options struct {
	// Reference names the arm differences are taken against (default: the
	// arm with the lowest index).
	Reference string
	// Style prints intervals as mean ± half-width or mean [lo, hi].
	Style sweep.Style
}

// Report is what Write produced.
type Report struct {
	Analysis *sweep.Analysis
	// Text is the terminal rendering of the tables (as in tables.txt).
	Text []byte
	// Files are the files written, relative to the sweep's directory, in
	// the order written.
	Files []string
	// Notes say what was not drawn, and why (a Pareto figure of more arms
	// than results.MaxTradeoffArms).
	Notes []string
}

// Write reads every job record under dir and writes the report under
// dir/report, each file atomically. Files under dir/report/plots that this
// report did not write (a figure of a cell no longer present) are removed,
// so the directory holds one report. On error nothing under dir/jobs or
// dir/series is touched.
func Write(dir string, o Options) (*Report, error) {
	jobs, err := sweep.ReadJobs(dir)
	if err != nil {
		return nil, err
	}
	an, err := sweep.Analyze(jobs, o.Reference)
	if err != nil {
		return nil, err
	}
	out := filepath.Join(dir, Dir)
	plots := filepath.Join(out, PlotsDir)
	if err := os.MkdirAll(plots, 0o755); err != nil {
		return nil, err
	}
	r := &Report{Analysis: an}
	put := func(name string, data []byte) error {
		if err := results.WriteFileAtomic(filepath.Join(out, name), data); err != nil {
			return err
		}
		r.Files = append(r.Files, filepath.Join(Dir, name))
		return nil
	}

	rows := sweep.NewRows(jobs)
	meta := map[string]string{"tool": "skyfaas", "scenario": an.Scenario, "scenario_sha256": jobs[0].ScenarioSHA256, "sweep": an.Sweep}
	pq, err := RowsParquet(&rows, meta)
	if err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	if err := put(RowsParquetFile, pq); err != nil {
		return nil, err
	}
	cs, err := rows.CSV()
	if err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	if err := put(RowsCSVFile, cs); err != nil {
		return nil, err
	}

	to := sweep.TableOptions{Style: o.Style}
	for _, t := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{TextFile, func(b *bytes.Buffer) error { return sweep.WriteText(b, an, to) }},
		{MarkdownFile, func(b *bytes.Buffer) error { return sweep.WriteMarkdown(b, an, to) }},
		{LaTeXFile, func(b *bytes.Buffer) error { return sweep.WriteLaTeX(b, an, to) }},
	} {
		var b bytes.Buffer
		if err := t.write(&b); err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		if err := put(t.name, b.Bytes()); err != nil {
			return nil, err
		}
		if t.name == TextFile {
			r.Text = b.Bytes()
		}
	}

	figure := func(name string, f sweep.Figure) error {
		for _, format := range []string{"png", "pdf"} {
			var b bytes.Buffer
			render := f.PNG
			if format == "pdf" {
				render = f.PDF
			}
			if err := render(&b); err != nil {
				return fmt.Errorf("figure %s.%s: %w", name, format, err)
			}
			if err := put(filepath.Join(PlotsDir, name+"."+format), b.Bytes()); err != nil {
				return err
			}
		}
		return nil
	}
	for ci := range an.Cells {
		c := &an.Cells[ci]
		for _, kind := range []struct {
			name string
			make func(*sweep.Analysis, int) (sweep.Figure, error)
		}{{"metrics", sweep.MetricsFigure}, {"cdf", sweep.CDFFigure}, {"pareto", sweep.ParetoFigure}} {
			f, err := kind.make(an, ci)
			if errors.Is(err, results.ErrTooManyArms) {
				r.Notes = append(r.Notes, fmt.Sprintf("cell %d: no %s figure: %v; the tables give every arm", c.Index, kind.name, err))
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("cell %d: %s figure: %w", c.Index, kind.name, err)
			}
			if err := figure(sweep.FigureName(kind.name, c.Index), f); err != nil {
				return nil, err
			}
		}
		ss, title, err := cellSeries(dir, an, c)
		if err != nil {
			return nil, err
		}
		if len(ss) > 0 {
			f, err := sweep.SeriesFigure(title, ss)
			if err != nil {
				return nil, fmt.Errorf("cell %d: %w", c.Index, err)
			}
			if err := figure(sweep.FigureName("series", c.Index), f); err != nil {
				return nil, err
			}
		}
	}
	if err := removeStale(plots, r.Files); err != nil {
		return nil, err
	}
	return r, nil
}

// cellSeries reads the series of a cell's arms in its lowest replication
// that has any, summed over pools; none if no series file exists.
func cellSeries(dir string, an *sweep.Analysis, c *sweep.Cell) ([]sweep.Series, string, error) {
	var reps []int
	for _, a := range c.Arms {
		for _, r := range a.Replications {
			if !slices.Contains(reps, r) {
				reps = append(reps, r)
			}
		}
	}
	slices.Sort(reps)
	for _, rep := range reps {
		var ss []sweep.Series
		for _, a := range c.Arms {
			p := sweep.SeriesPath(dir, c.Index, a.Index, a.Name, rep)
			if _, err := os.Stat(p); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				return nil, "", err
			}
			_, rows, err := series.Read(p)
			if err != nil {
				return nil, "", err
			}
			ss = append(ss, sweep.SumSeries(a.Name, rows))
		}
		if len(ss) > 0 {
			title := fmt.Sprintf("%s, cell %d", an.Scenario, c.Index)
			if len(c.Params) > 0 {
				title += " (" + strings.Join(c.Params, ", ") + ")"
			}
			title += fmt.Sprintf(", replication %d: per-interval series, summed over pools", rep)
			return ss, title, nil
		}
	}
	return nil, "", nil
}

// removeStale removes the figures under plots that are not among written
// (paths relative to the sweep's directory): what an earlier report drew of cells or series
// no longer there.
func removeStale(plots string, written []string) error {
	ents, err := os.ReadDir(plots)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".png") || strings.HasSuffix(name, ".pdf")) {
			continue
		}
		if !slices.Contains(written, filepath.Join(Dir, PlotsDir, name)) {
			if err := os.Remove(filepath.Join(plots, name)); err != nil {
				return err
			}
		}
	}
	return nil
}
