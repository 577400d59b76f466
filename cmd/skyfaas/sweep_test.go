package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// smallSweep is small over a grid of two cells.
const smallSweep = small + `[[sweep.grid]]
path = "simulation.cpu_bound_fraction"
values = [0.0, 1.0]
`

// sameFiles fails unless every file under a's jobs/ and report/ (plots
// aside: their bytes are checked by the report's own tests) is in b with
// the same bytes.
func sameFiles(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	for _, g := range []string{"jobs/*.json", "report/*.*"} {
		files, _ := filepath.Glob(filepath.Join(a, g))
		for _, f := range files {
			rel, _ := filepath.Rel(a, f)
			x, _ := os.ReadFile(f)
			y, err := os.ReadFile(filepath.Join(b, rel))
			if err != nil || !bytes.Equal(x, y) {
				t.Errorf("%s differs (%v)", rel, err)
			}
			n++
		}
	}
	if n < 12+5 {
		t.Errorf("compared only %d files", n)
	}
}

// Two shards into one directory give the files of one unsharded sweep;
// a sweep rerun over a directory where part of it is done runs only the
// rest and ends with the same files.
func TestSweepShardsAndResume(t *testing.T) {
	sc := writeScenario(t, smallSweep)
	whole := t.TempDir()
	if _, _, err := runCmd(t, "sweep", sc, "--out", whole, "--quiet"); err != nil {
		t.Fatal(err)
	}
	sharded := t.TempDir()
	out, _, err := runCmd(t, "sweep", sc, "--out", sharded, "--quiet", "--shard", "2/2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "the sweep has 6 of 12 jobs recorded") || !strings.Contains(out, "skyfaas report "+sharded) {
		t.Errorf("shard 2/2 output:\n%s", out)
	}
	out, _, err = runCmd(t, "sweep", sc, "--out", sharded, "--quiet", "--shard", "1/2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "6 jobs run, 0 already done") || !strings.Contains(out, "difference from the reference arm") {
		t.Errorf("the shard that completes the sweep should report it:\n%s", out)
	}
	sameFiles(t, whole, sharded)

	resumed := t.TempDir()
	if _, _, err := runCmd(t, "sweep", sc, "--out", resumed, "--quiet", "--shard", "1/3"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCmd(t, "sweep", sc, "--out", resumed, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "8 jobs run, 4 already done") {
		t.Errorf("the rerun should run only what is left:\n%s", out)
	}
	sameFiles(t, whole, resumed)
}

func TestSweepBadInput(t *testing.T) {
	sc := writeScenario(t, smallSweep)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", sc, "--out", dir, "--shard", "3/2"}, `shard "3/2": want i/n with 1 <= i <= n`},
		{[]string{"sweep", sc, "--out", dir, "--shard", "0/2"}, `shard "0/2"`},
		{[]string{"sweep", sc}, "sweep needs a scenario file and --out"},
		{[]string{"sweep", sc, "--out", dir, "--replications", "0"}, "--replications must be in 1..10000 (got 0)"},
	} {
		_, _, err := runCmd(t, append(c.args, "--quiet")...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.args, err, c.want)
		}
	}
	// A directory holding another sweep is refused, and left as it was.
	if _, _, err := runCmd(t, "sweep", sc, "--out", dir, "--quiet", "--shard", "1/2"); err != nil {
		t.Fatal(err)
	}
	before, _ := filepath.Glob(filepath.Join(dir, "jobs", "*"))
	other := writeScenario(t, strings.Replace(smallSweep, "values = [0.0, 1.0]", "values = [0.0, 0.5]", 1))
	_, _, err := runCmd(t, "sweep", other, "--out", dir, "--quiet", "--shard", "2/2")
	if err == nil || !strings.Contains(err.Error(), "holds another sweep") {
		t.Errorf("a shard of another sweep: err = %v", err)
	}
	_, _, err = runCmd(t, "sweep", sc, "--out", dir, "--quiet", "--seed", "9")
	if err == nil || !strings.Contains(err.Error(), "refusing to mix or overwrite") {
		t.Errorf("another seed: err = %v", err)
	}
	after, _ := filepath.Glob(filepath.Join(dir, "jobs", "*"))
	if len(before) != 6 || len(after) != len(before) {
		t.Errorf("jobs before %d, after %d", len(before), len(after))
	}
}

// A run of more arms than a trade-off plot holds draws neither trade-off
// plot (tradeoff.png, the report's pareto figure) and says so; the tables
// and the summary give every arm (issue 10, point 8).
func TestRunOfTooManyArmsForAPlot(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runCmd(t, "run", writeScenario(t, manyArms(41)), "--out", dir, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "note: no tradeoff.png: 41 arms") || !strings.Contains(out, "note: cell 0: no pareto figure: 41 arms") {
		t.Errorf("no notes on the plots not drawn:\n%s", out)
	}
	for _, f := range []string{"tradeoff.png", "report/plots/pareto-c000.png", "report/plots/pareto-c000.pdf"} {
		if _, err := os.Stat(filepath.Join(dir, f)); !os.IsNotExist(err) {
			t.Errorf("%s: stat %v, want it absent", f, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), "\n"); n != 42 { // a header and 41 arms
		t.Errorf("summary.csv has %d lines, want 42", n)
	}
}
