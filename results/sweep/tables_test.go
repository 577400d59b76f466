package sweep_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sweeptest"
	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/sweep"
)

var update = flag.Bool("update", false, "rewrite the golden tables under testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is meant):\n%s", name, got)
	}
}

func TestTablesGolden(t *testing.T) {
	an, err := sweep.Analyze(sweeptest.Jobs(2, 4, 5), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer, sweep.TableOptions) error
	}{
		{"tables.txt", func(b *bytes.Buffer, o sweep.TableOptions) error { return sweep.WriteText(b, an, o) }},
		{"tables.md", func(b *bytes.Buffer, o sweep.TableOptions) error { return sweep.WriteMarkdown(b, an, o) }},
		{"tables.tex", func(b *bytes.Buffer, o sweep.TableOptions) error { return sweep.WriteLaTeX(b, an, o) }},
	} {
		for _, st := range []struct {
			suffix string
			style  sweep.Style
		}{{"", sweep.PlusMinus}, {".bracket", sweep.Bracket}} {
			var b bytes.Buffer
			if err := c.write(&b, sweep.TableOptions{Style: st.style}); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name+st.suffix, b.Bytes())
		}
	}
}

func TestTablesSayWhatTheyAre(t *testing.T) {
	one, err := sweep.Analyze(sweeptest.Jobs(1, 3, 1), "strategic+tactical")
	if err != nil {
		t.Fatal(err)
	}
	for name, write := range map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return sweep.WriteText(b, one, sweep.TableOptions{}) },
		"markdown": func(b *bytes.Buffer) error { return sweep.WriteMarkdown(b, one, sweep.TableOptions{}) },
		"latex":    func(b *bytes.Buffer) error { return sweep.WriteLaTeX(b, one, sweep.TableOptions{}) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		for _, want := range []string{"1 replication ", "n = 1", "no interval", "test window", "reference arm strategic"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: no %q in\n%s", name, want, s)
			}
		}
		if strings.Contains(s, "± 0.0") || strings.Contains(s, "NaN") {
			t.Errorf("%s: prints a zero or NaN interval for n = 1:\n%s", name, s)
		}
	}
}

func TestLaTeXEscape(t *testing.T) {
	got := sweep.LaTeXEscape.Replace(`cheap&dirty_1 #3 100% $5 {x} ~^\`)
	want := `cheap\&dirty\_1 \#3 100\% \$5 \{x\} \textasciitilde{}\textasciicircum{}\textbackslash{}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Jobs with objective values get the objective table, whose estimate is
// the mean of the jobs' values; jobs without keep the tables they had.
func TestObjectiveTable(t *testing.T) {
	jobs := sweeptest.Jobs(1, 2, 3)
	an, err := sweep.Analyze(jobs, "")
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if err := sweep.WriteMarkdown(&plain, an, sweep.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "perf. term") {
		t.Error("an objective table without objective values")
	}
	for i := range jobs {
		v := 1 + float64(i)
		jobs[i].Result.Objective = &results.ObjectiveValue{Value: v, Cost: v / 2, Performance: v / 4, Carbon: v / 8, SLA: v / 8}
	}
	if an, err = sweep.Analyze(jobs, ""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := sweep.WriteMarkdown(&b, an, sweep.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| arm | n | objective | cost term | perf. term | carbon term | SLA term |", "Δ objective", `| all\_baseline | 3 | 2.0 ± 2.5 |`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}

// Jobs with per-app figures get the table of Serverless in the Wild's
// measures, whose estimates are the means of the jobs' quantiles; jobs
// without keep the tables they had.
func TestPerAppTable(t *testing.T) {
	jobs := sweeptest.Jobs(1, 2, 3)
	an, err := sweep.Analyze(jobs, "")
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	if err := sweep.WriteMarkdown(&plain, an, sweep.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "app p75 cold %") {
		t.Error("a per-app table without per-app figures")
	}
	for i := range jobs {
		v := 10 * float64(i+1)
		jobs[i].Result.PerApp = &results.PerApp{ColdStartPct: results.Quantiles{P50: v / 2, P75: v}}
		jobs[i].Result.Resources.IdleGBSeconds, jobs[i].Result.Resources.PrewarmIdleGBSeconds = v, 1
	}
	if an, err = sweep.Analyze(jobs, ""); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := sweep.WriteMarkdown(&b, an, sweep.TableOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| arm | n | app p50 cold % | app p75 cold % | idle GB-s |", "Δ app p75 cold %", `| all\_baseline | 3 | 10 ± 12 | 20 ± 25 | 21 ± 25 |`, "3rd-quartile app"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}

// A window with a warm-up says where its figures start.
func TestWindowMeasuredFrom(t *testing.T) {
	for w, want := range map[sweep.Window]string{
		{FromSeconds: 0, ToSeconds: 86400, Label: "whole workload"}:                             "whole workload (0 h to 24 h)",
		{FromSeconds: 0, ToSeconds: 86400, Label: "whole workload", MeasuredFromSeconds: 73440}: "whole workload (0 h to 24 h), measured from 20.4 h (before: warm-up)",
		{FromSeconds: 73440, ToSeconds: 86400, Label: "window", MeasuredFromSeconds: 73440}:     "window (20.4 h to 24 h)",
	} {
		if got := w.String(); got != want {
			t.Errorf("%+v: %q, want %q", w, got, want)
		}
	}
}
