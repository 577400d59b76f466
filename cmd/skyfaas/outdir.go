package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"
	"github.com/skyfaas/skyfaas/internal/slug"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/scenarios"
)

// An output directory holds one run: run.json says which (tool version,
// scenario digest, seed, arms) before any result is written, so that the
// files beside it can always be told apart from another run's. While a run
// writes, it holds a lock on the directory: a second run into it is
// refused. On opening, results of a different run (another scenario,
// seed or version, or files without a run.json) are removed, with a note,
// and so are temporary files a killed run left behind.

// manifestName is the file naming the run a directory holds.
const manifestName = "run.json"

// lockName is the file a run locks while it writes.
const lockName = ".skyfaas.lock"

// manifest identifies a run.
type manifest struct {
	Tool           string   `json:"tool"`
	Version        string   `json:"version"`
	ScenarioFile   string   `json:"scenario_file"`
	ScenarioSHA256 string   `json:"scenario_sha256"` // of the resolved scenario, every default filled in
	CatalogSHA256  string   `json:"catalog_sha256"`
	Seed           uint64   `json:"seed"`
	Arms           []string `json:"arms"` // file stems, in arm order
	Jobs           int      `json:"jobs"` // cells × arms × replications
}

// same reports whether m and o are the same run.
func (m *manifest) same(o *manifest) bool {
	return m.Version == o.Version && m.ScenarioSHA256 == o.ScenarioSHA256 &&
		m.CatalogSHA256 == o.CatalogSHA256 && m.Seed == o.Seed && slices.Equal(m.Arms, o.Arms) && m.Jobs == o.Jobs
}

// scenarioDigest is the SHA-256 of a resolved scenario's JSON.
func scenarioDigest(scenario any) (string, error) {
	b, err := json.Marshal(scenario)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// tradeoffName is the trade-off plot of a run's replication 1.
const tradeoffName = "tradeoff.png"

// outputs are the files a run writes, relative to its directory (globs).
var outputs = []string{
	"summary.json", "summary.csv", tradeoffName,
	filepath.Join("arms", "*.json"), filepath.Join("series", "*.parquet"), filepath.Join("jobs", "*.json"),
	filepath.Join("report", "*.*"), filepath.Join("report", "plots", "*.*"),
}

// openOutDir prepares dir for the run m: it takes the directory's lock,
// removes what another run or a killed one left there, and writes run.json.
// The returned function releases the lock. Notes on what was removed go to
// stderr.
//
// Shards of one sweep share a directory: each locks only its own share, and
// with strict (sweep) a directory holding another run is refused, never
// cleaned, since its files may be a colleague's shards.
func openOutDir(dir string, m *manifest, shard scenarios.Shard, strict bool, stderr io.Writer) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lock := lockName
	if shard.N > 1 {
		lock = fmt.Sprintf("%s.shard-%d-of-%d", lockName, shard.I, shard.N)
	}
	unlock, err := lockDir(filepath.Join(dir, lock))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	if n, err := removeTemporaries(dir); err != nil {
		return nil, err
	} else if n > 0 {
		fmt.Fprintf(stderr, "note: removed %d temporary file(s) an interrupted run left in %s\n", n, dir)
	}
	var old manifest
	b, err := regular.ReadFile(filepath.Join(dir, manifestName), 1<<26, "run manifest")
	switch {
	case err == nil:
		if jerr := json.Unmarshal(b, &old); jerr != nil {
			return nil, fmt.Errorf("%s: %w (remove the directory or choose another --out)", filepath.Join(dir, manifestName), jerr)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if !old.same(m) && strict && (old.ScenarioSHA256 != "" || hasOutputs(dir)) {
		what := "results without a run.json"
		if old.ScenarioSHA256 != "" {
			what = fmt.Sprintf("another sweep (%s, seed %d, %s, %d jobs)", old.ScenarioFile, old.Seed, old.Version, old.Jobs)
		}
		return nil, fmt.Errorf("holds %s: refusing to mix or overwrite them; choose another --out", what)
	}
	if !old.same(m) {
		n, err := removeOutputs(dir)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			what := "a run without a run.json (an older skyfaas)"
			if old.ScenarioSHA256 != "" {
				what = fmt.Sprintf("a run of another scenario, seed or version (%s, seed %d, %s)", old.ScenarioFile, old.Seed, old.Version)
			}
			fmt.Fprintf(stderr, "note: removed %d result file(s) of %s from %s\n", n, what, dir)
		}
	}
	js, err := results.JSON(m)
	if err != nil {
		return nil, err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, manifestName), js); err != nil {
		return nil, err
	}
	return unlock, nil
}

// hasOutputs reports whether dir holds result files of a run.
func hasOutputs(dir string) bool {
	for _, g := range outputs {
		if files, _ := filepath.Glob(filepath.Join(dir, g)); len(files) > 0 {
			return true
		}
	}
	return false
}

// removeOutputs removes the result files of a run from dir.
func removeOutputs(dir string) (int, error) {
	n := 0
	for _, g := range outputs {
		files, err := filepath.Glob(filepath.Join(dir, g))
		if err != nil {
			return n, err
		}
		for _, f := range files {
			if err := os.Remove(f); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// removeTemporaries removes the temporary files of atomic writes
// (".<name>.tmp<random>") from dir and its arms and series directories.
func removeTemporaries(dir string) (int, error) {
	n := 0
	for _, d := range []string{dir, filepath.Join(dir, "arms"), filepath.Join(dir, "series"), filepath.Join(dir, "jobs"),
		filepath.Join(dir, "report"), filepath.Join(dir, "report", "plots")} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			continue // absent, or not a directory: nothing of ours (the run reports it when it writes there)
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			return n, err
		}
		for _, e := range ents {
			if name := e.Name(); e.Type().IsRegular() && strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp") {
				if err := os.Remove(filepath.Join(d, name)); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

// newManifest describes the run of runner's sweep.
func newManifest(plan *scenarios.Plan, r *jobRunner) *manifest {
	m := &manifest{Tool: "skyfaas", Version: version(), ScenarioFile: plan.File, ScenarioSHA256: r.id.ScenarioSHA256,
		CatalogSHA256: plan.CatalogSHA256, Seed: r.seed, Jobs: plan.Jobs()}
	for i, a := range plan.Arms {
		m.Arms = append(m.Arms, fmt.Sprintf("a%02d-%s", i, slug.Of(a.Name)))
	}
	return m
}

// newDirs creates dir and the parents it lacks, returning those it
// created, deepest first.
func newDirs(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return missing, nil
}

// discardEmptyRun removes what a run that failed before recording any
// result left in dir: its run.json (if ours is true: the run wrote it),
// its empty subdirectories, and the directories it created, if empty,
// with the lock file in them (a lock file in a directory that existed is
// left: another run may be about to lock it). A directory holding results
// (of this run or another), and any file the run did not write, are left
// as they are.
func discardEmptyRun(dir string, created []string, ours bool) {
	if hasOutputs(dir) {
		return
	}
	if ours {
		os.Remove(filepath.Join(dir, manifestName))
	}
	for _, sub := range []string{"jobs", "series", "arms", filepath.Join("report", "plots"), "report"} {
		p := filepath.Join(dir, sub)
		if st, err := os.Lstat(p); err == nil && st.IsDir() {
			os.Remove(p) // only if empty
		}
	}
	if len(created) == 0 {
		return
	}
	if locks, _ := filepath.Glob(filepath.Join(dir, lockName+"*")); len(locks) > 0 {
		for _, l := range locks {
			os.Remove(l)
		}
	}
	for _, d := range created {
		os.Remove(d) // only if empty
	}
}
