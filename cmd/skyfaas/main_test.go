package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sharedtest"
	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/results/sweep"
)

// small is a quick scenario: 30 functions for 3 hours, three arms.
const small = `name = "small"
seed = 7
[workload]
kind = "synthetic"
[workload.synthetic]
functions = 30
duration = "3h"
[arm_defaults]
tactical = "power-tuning"
[[arms]]
name = "aws"
strategic = { policy = "single-cloud", provider = "aws" }
[[arms]]
name = "greenest"
strategic = "greenest"
[[arms]]
name = "hybrid"
strategic = "cheapest"
operational = "hybrid-histogram"
[sweep]
replications = 2
`

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func writeScenario(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "s.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunIsReproducible(t *testing.T) {
	sc := writeScenario(t, small)
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, d := range dirs {
		args := []string{"run", sc, "--out", d, "--quiet"}
		if i == 2 {
			args = append(args, "--seed", "8")
		}
		stdout, _, err := runCmd(t, args...)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stdout, "greenest") || !strings.Contains(stdout, "p99 s") {
			t.Errorf("no comparison table in the output:\n%s", stdout)
		}
	}
	read := func(d, f string) []byte {
		b, err := os.ReadFile(filepath.Join(d, f))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, f := range []string{"summary.json", "summary.csv"} {
		if !bytes.Equal(read(dirs[0], f), read(dirs[1], f)) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
		if bytes.Equal(read(dirs[0], f), read(dirs[2], f)) {
			t.Errorf("%s is the same for seeds 7 and 8", f)
		}
	}
	var sum struct {
		Seed     uint64
		Version  string
		Scenario struct{ Name string }
		Arms     []struct {
			Name        string
			Invocations struct{ Conserved bool }
		}
	}
	if err := json.Unmarshal(read(dirs[2], "summary.json"), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Seed != 8 || sum.Version == "" || sum.Scenario.Name != "small" || len(sum.Arms) != 3 || !sum.Arms[2].Invocations.Conserved {
		t.Errorf("summary.json records seed %d, version %q, scenario %q, %d arms", sum.Seed, sum.Version, sum.Scenario.Name, len(sum.Arms))
	}
	if st, err := os.Stat(filepath.Join(dirs[0], "tradeoff.png")); err != nil || st.Size() == 0 {
		t.Errorf("no trade-off plot: %v", err)
	}
	jobs, _ := filepath.Glob(filepath.Join(dirs[0], "jobs", "*.json"))
	if len(jobs) != 6 {
		t.Errorf("%d job records, want 6 (3 arms, 2 replications)", len(jobs))
	}
	for _, f := range []string{"summary.json", "jobs/c000-a01-greenest-r001.json"} {
		if !bytes.Equal(read(dirs[0], f), read(dirs[1], f)) {
			t.Errorf("%s differs between two runs with the same seed", f)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(dirs[0], ".*tmp*")); len(tmp) > 0 {
		t.Errorf("temporary files left behind: %v", tmp)
	}
}

func TestRunDefaultScenario(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default scenario")
	}
	d := t.TempDir()
	stdout, _, err := runCmd(t, "run", "--out", d, "--quiet", "--replications", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, arm := range []string{"aws-only", "azure-only", "gcp-only", "cheapest", "greenest", "lowest-latency"} {
		if !strings.Contains(stdout, arm) {
			t.Errorf("default run lacks arm %s:\n%s", arm, stdout)
		}
	}
}

func TestValidate(t *testing.T) {
	stdout, _, err := runCmd(t, "validate", writeScenario(t, small))
	if err != nil || !strings.Contains(stdout, "ok") || !strings.Contains(stdout, "hybrid-histogram") {
		t.Errorf("validate a good file: %v\n%s", err, stdout)
	}
	_, _, err = runCmd(t, "validate", writeScenario(t, strings.Replace(small, "functions = 30", "functions = 0", 1)))
	if err == nil || !strings.Contains(err.Error(), "line 6: workload.synthetic.functions") {
		t.Errorf("validate a bad file: %v", err)
	}
	if _, _, err := runCmd(t, "validate"); !errors.Is(err, errUsage) {
		t.Errorf("validate without a file: %v", err)
	}
}

func TestCommandLineErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"run", "--seed", "x"}, {"run", "a.toml", "b.toml"}, {"trace"}, {"trace", "stats"}, {"policies", "extra"}} {
		if _, _, err := runCmd(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: error %v, want a usage error", args, err)
		}
	}
	if _, _, err := runCmd(t, "run", filepath.Join(t.TempDir(), "none.toml")); err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("missing scenario: %v", err)
	}
}

func TestPolicies(t *testing.T) {
	stdout, _, err := runCmd(t, "policies")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"strategic:", "tactical:", "operational:", "skypilot", "power-tuning", "hybrid-histogram", "oracle"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("policies output lacks %q", want)
		}
	}
}

func TestTraceStats(t *testing.T) {
	d := t.TempDir()
	trace := "app,func,end_timestamp,duration\na,f,1.5,0.5\na,g,2.0,1.5\nb,f,4.0,0.25\n"
	if err := os.WriteFile(filepath.Join(d, "t.txt"), []byte(trace), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := runCmd(t, "trace", "stats", filepath.Join(d, "t.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Azure Functions 2021", "functions 3 (3 invoked), apps 2, invocations 3", "execution time (ms)"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("trace stats output lacks %q:\n%s", want, stdout)
		}
	}
	if _, _, err := runCmd(t, "trace", "stats", filepath.Join(d, "t.txt"), filepath.Join(d, "t.txt")); !errors.Is(err, errUsage) {
		t.Errorf("two 2021 files: %v", err)
	}
}

func TestTraceStatsSample(t *testing.T) {
	dir := filepath.Join(sharedtest.Dir(t), "traces", "azure2019-sample1000")
	stdout, _, err := runCmd(t, "trace", "stats", dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "functions 1000 (1000 invoked), apps 1000, invocations 11,639,447") {
		t.Errorf("trace stats of the sample:\n%s", stdout)
	}
}

func TestInterruptedRunSaysWhereResultsAre(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	err := Run(ctx, []string{"run", writeScenario(t, small), "--out", t.TempDir(), "--quiet"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "interrupted after 0 of 6 jobs") {
		t.Errorf("interrupted run: %v", err)
	}
}

// --series writes one Parquet file per arm whose rows add up to the arm's
// summary; a series directory that cannot be written fails the run before
// it starts, leaving no results behind.
func TestRunSeries(t *testing.T) {
	sc := writeScenario(t, small)
	dir := t.TempDir()
	stdout, _, err := runCmd(t, "run", sc, "--out", dir, "--quiet", "--series")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "series in "+filepath.Join(dir, "series")) {
		t.Errorf("the output does not say where the series is:\n%s", stdout)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Arms []struct {
			Name        string
			Cost        struct{ Total float64 } `json:"cost_usd"`
			CarbonG     float64                 `json:"carbon_g"`
			Invocations struct{ Completed int64 }
		}
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Arms) != 3 {
		t.Fatalf("%d arms in the summary", len(sum.Arms))
	}
	for i, a := range sum.Arms {
		path := sweep.SeriesPath(dir, 0, i, a.Name, 0)
		meta, rows, err := series.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		var cost, carbon float64
		var completed int64
		for _, r := range rows {
			cost += r.CostUSD
			carbon += r.CarbonG
			completed += r.Completed
		}
		if meta["arm"] != a.Name || meta["seed"] != "7" || meta["replication"] != "0" || len(rows) == 0 {
			t.Errorf("%s: meta %v, %d rows", path, meta, len(rows))
		}
		if math.Abs(cost-a.Cost.Total) > 0.005 || math.Abs(carbon-a.CarbonG) > 0.5 || completed != a.Invocations.Completed {
			t.Errorf("%s: $%.4f, %.2f g, %d completed; summary $%.4f, %.2f g, %d", path, cost, carbon, completed, a.Cost.Total, a.CarbonG, a.Invocations.Completed)
		}
	}

	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "series"), []byte("a file, not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = runCmd(t, "run", sc, "--out", bad, "--quiet", "--series")
	if err == nil || !strings.Contains(err.Error(), "series directory") || !strings.Contains(err.Error(), filepath.Join(bad, "series")) {
		t.Errorf("series directory that is a file: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(bad, "summary.json")); !os.IsNotExist(err) {
		t.Errorf("a refused run wrote summary.json (stat: %v)", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(bad, "jobs")); len(ents) != 0 {
		t.Errorf("a refused run wrote %v", ents)
	}
}
