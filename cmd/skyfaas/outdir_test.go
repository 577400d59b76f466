package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets a test run the command in a child process (to kill it):
// with SKYFAAS_TEST_MAIN set, the test binary is the skyfaas command.
func TestMain(m *testing.M) {
	if os.Getenv("SKYFAAS_TEST_MAIN") == "1" {
		os.Args = append([]string{"skyfaas"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// temporaries lists the temporary files of atomic writes under dir.
func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	var tmp []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), ".tmp") {
			tmp = append(tmp, path)
		}
		return nil
	})
	return tmp
}

func globs(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// A second run into a directory another run is writing is refused.
func TestOutDirLock(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDir(filepath.Join(dir, lockName))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, _, err = runCmd(t, "run", writeScenario(t, small), "--out", dir, "--quiet")
	if err == nil || !strings.Contains(err.Error(), "another skyfaas run is writing into this directory") {
		t.Fatalf("run into a locked directory: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "summary.json")); !os.IsNotExist(err) {
		t.Errorf("the refused run wrote summary.json (stat: %v)", err)
	}
}

// Rerunning another scenario into a directory removes the old run's files
// (with a note) and the temporary files a killed run left; run.json names
// the run the files belong to.
func TestOutDirHoldsOneRun(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCmd(t, "run", writeScenario(t, small), "--out", dir, "--quiet", "--series"); err != nil {
		t.Fatal(err)
	}
	if n := len(globs(t, filepath.Join(dir, "jobs", "*.json"))); n != 6 {
		t.Fatalf("%d job records after the first run, want 6", n)
	}
	orphan := filepath.Join(dir, "jobs", ".c000-a00-aws-r000.json.tmp12345")
	if err := os.WriteFile(orphan, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	two := strings.Replace(small, "[[arms]]\nname = \"hybrid\"\nstrategic = \"cheapest\"\noperational = \"hybrid-histogram\"\n", "", 1)
	if two == small {
		t.Fatal("the scenario edit did not apply")
	}
	_, stderr, err := runCmd(t, "run", writeScenario(t, two), "--out", dir, "--quiet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "removed 1 temporary file") || !strings.Contains(stderr, "result file(s) of a run of another scenario") {
		t.Errorf("no notes on what was removed:\n%s", stderr)
	}
	if tmp := temporaries(t, dir); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	jobs := globs(t, filepath.Join(dir, "jobs", "*.json"))
	if len(jobs) != 4 || len(globs(t, filepath.Join(dir, "series", "*"))) != 0 {
		t.Errorf("after the second run: jobs %v, series %v", jobs, globs(t, filepath.Join(dir, "series", "*")))
	}
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil || len(m.Arms) != 2 || m.Seed != 7 || len(m.ScenarioSHA256) != 64 {
		t.Errorf("run.json: %+v, %v", m, err)
	}
}

// A run killed (SIGKILL) again and again while it writes, then rerun to
// the end, leaves the directory as an uninterrupted run does: the same
// files, byte for byte (the summary's timing line aside), and no temporary
// files.
func TestKilledRunsLeaveAConsistentDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a dozen runs; skipped with -short")
	}
	sc := writeScenario(t, small)
	want := t.TempDir()
	if _, _, err := runCmd(t, "run", sc, "--out", want, "--quiet", "--series", "--workers", "1"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	child := func() *exec.Cmd {
		c := exec.Command(os.Args[0], "run", sc, "--out", dir, "--quiet", "--series", "--workers", "1")
		c.Env = append(os.Environ(), "SKYFAAS_TEST_MAIN=1")
		return c
	}
	// Kill at growing delays, so that some runs die while writing arms,
	// series or the summary.
	killed := 0
	for k := 0; k < 12; k++ {
		c := child()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+k*25) * time.Millisecond)
		if c.Process.Signal(syscall.SIGKILL) == nil {
			killed++
		}
		c.Wait()
	}
	out, err := child().CombinedOutput()
	if err != nil {
		t.Fatalf("the rerun failed: %v\n%s", err, out)
	}
	if tmp := temporaries(t, dir); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	for _, f := range []string{"summary.json", "summary.csv", "run.json", "jobs/c000-a00-aws-r000.json", "jobs/c000-a02-hybrid-r001.json", "series/c000-a01-greenest-r001.parquet"} {
		a, err1 := os.ReadFile(filepath.Join(want, f))
		b, err2 := os.ReadFile(filepath.Join(dir, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from an uninterrupted run's (%v, %v)", f, err1, err2)
		}
	}
	t.Logf("%d runs killed before the rerun", killed)
}
