package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/report"
	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/results/sweep"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// realSweep runs arms x reps of the golden every-policy scenario as a
// sweep would, writing each job's record (and replication 0's series) into
// dir: what "skyfaas sweep" leaves for "skyfaas report".
func realSweep(t *testing.T, dir string, arms []int, reps int) {
	t.Helper()
	plan, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "testdata", "golden", "every-policy.toml"), registry())
	if err != nil {
		t.Fatal(err)
	}
	digest, err := sweep.Digest(plan.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range arms {
		a := plan.Arms[i]
		for rep := range reps {
			seed := plan.Seed()
			cfg, err := plan.Config(i, seed, rep)
			if err != nil {
				t.Fatal(err)
			}
			var w *series.Writer
			if rep == 0 {
				if err := os.MkdirAll(filepath.Join(dir, sweep.SeriesDir), 0o755); err != nil {
					t.Fatal(err)
				}
				w, err = series.Create(sweep.SeriesPath(dir, 0, i, a.Name, rep), nil)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Recorder = w
			}
			m, err := sim.Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if w != nil {
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
			}
			arm := results.NewArm(a.Name, a.Strategic, a.Tactical, a.Operational, m, a.Catalog, plan.Scenario.Catalog.FreeTier)
			id := sweep.JobID{Version: version(), Scenario: plan.Scenario.Name, ScenarioSHA256: digest, Sweep: "every-policy-test",
				SweepJobs: len(arms) * reps, Arm: i, ArmName: a.Name, Strategic: a.Strategic.Label(), Tactical: a.Tactical.Label(),
				Operational: a.Operational.Label(), Replication: rep, Seed: seed,
				Window: sweep.Window{FromSeconds: m.Start.Seconds(), ToSeconds: m.Horizon.Seconds(), Label: "whole workload"}}
			j, err := sweep.NewJob(id, arm, m)
			if err != nil {
				t.Fatal(err)
			}
			if err := sweep.WriteJob(dir, &j); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReportOfARealSweep(t *testing.T) {
	dir := os.Getenv("SKYFAAS_REPORT_DIR") // to look at the figures
	if dir == "" {
		dir = t.TempDir()
	}
	realSweep(t, dir, []int{0, 3, 4, 5}, 3)
	stdout, _, err := runCmd(t, "report", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3 replications per arm", "reference arm", "Welch", "p95 s", "wrote"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"rows.parquet", "rows.csv", "tables.md", "tables.tex", "plots/metrics-c000.pdf",
		"plots/cdf-c000.png", "plots/pareto-c000.png", "plots/series-c000.png"} {
		if st, err := os.Stat(filepath.Join(dir, report.Dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestReportErrors(t *testing.T) {
	if _, _, err := runCmd(t, "report"); !errors.Is(err, errUsage) {
		t.Errorf("no directory: %v", err)
	}
	empty := t.TempDir()
	if _, _, err := runCmd(t, "report", empty); err == nil || !strings.Contains(err.Error(), "no job records") {
		t.Errorf("empty directory: %v", err)
	}
	if _, _, err := runCmd(t, "report", filepath.Join(empty, "missing")); err == nil {
		t.Error("a missing directory gives no error")
	}
	if _, _, err := runCmd(t, "report", empty, "--intervals", "stars"); !errors.Is(err, errUsage) {
		t.Errorf("bad --intervals: %v", err)
	}
	if _, err := os.Stat(filepath.Join(empty, report.Dir)); !os.IsNotExist(err) {
		t.Errorf("a refused report left %s: %v", report.Dir, err)
	}
}
