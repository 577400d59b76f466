// Package sweep turns the finished jobs of a sweep (arms x parameter grid x
// replications) into evidence: the job record each job leaves on disk, one
// row per job, means with 95 % confidence intervals over replications,
// paired and unpaired differences against a reference arm, and tables and
// plots of them. It reads and writes JSON only: the Parquet rows live in
// results/report, so that a runner that only writes job records does not
// link arrow-go through this package.
//
// Determinism: everything derived from a set of jobs depends on the jobs'
// contents only, never on the order a file system lists them in, on map
// iteration or on the clock.
package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/skyfaas/skyfaas/internal/regular"
	"github.com/skyfaas/skyfaas/internal/slug"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/sim"
)

// JobFormat is the version of the job record's layout; ReadJobs refuses
// another.
const JobFormat = 1

// JobsDir is the directory, under a sweep's output directory, that holds
// one record per finished job.
const JobsDir = "jobs"

// SeriesDir is the directory, under a sweep's output directory, that holds
// a job's per-interval series (results/series), named like its record with
// the extension ".parquet" (SeriesPath).
const SeriesDir = "series"

// Window is the stretch of the workload a job replayed, in seconds of
// trace time, and what it is ("test window", "whole trace", ...).
type Window struct {
	FromSeconds float64 `json:"from_s"`
	ToSeconds   float64 `json:"to_s"`
	Label       string  `json:"label"`
	// MeasuredFromSeconds is the end of the warm-up, where the figures
	// start (0 or FromSeconds: no warm-up).
	MeasuredFromSeconds float64 `json:"measured_from_s,omitempty"`
}

// String prints the window as its label and bounds in hours, and where the
// figures start after a warm-up.
func (w Window) String() string {
	s := fmt.Sprintf("%s h to %s h", fmtNum(w.FromSeconds/3600), fmtNum(w.ToSeconds/3600))
	if w.Label != "" {
		s = w.Label + " (" + s + ")"
	}
	if w.MeasuredFromSeconds > w.FromSeconds {
		s += fmt.Sprintf(", measured from %s h (before: warm-up)", fmtNum(w.MeasuredFromSeconds/3600))
	}
	return s
}

// CDF is a latency distribution as quantiles at fixed probabilities:
// Seconds[i] is the Probabilities[i]-quantile of the end-to-end latency of
// completed invocations. It is enough to draw the CDF from a stored job.
type CDF struct {
	Probabilities []float64 `json:"p"`
	Seconds       []float64 `json:"s"`
}

// CDFProbabilities are the probabilities a job's latency CDF is stored at:
// dense in the tail, where arms differ.
var CDFProbabilities = []float64{
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75,
	0.8, 0.85, 0.9, 0.925, 0.95, 0.96, 0.97, 0.975, 0.98, 0.985, 0.99, 0.995, 0.999, 0.9995, 0.9999, 1,
}

// NewCDF reads the quantiles at CDFProbabilities off a latency histogram
// (µs, as sim.Metrics.Latency).
func NewCDF(h *sim.Histogram) CDF {
	c := CDF{Probabilities: slices.Clone(CDFProbabilities), Seconds: make([]float64, len(CDFProbabilities))}
	for i, p := range CDFProbabilities {
		c.Seconds[i] = sim.Duration(h.Quantile(p)).Seconds()
	}
	return c
}

// JobID is what identifies a job and where it came from: everything in its
// record but its results. The runner fills it in.
type JobID struct {
	// Version is the tool's version (skyfaas version).
	Version string `json:"version"`
	// Scenario is the scenario's name; ScenarioSHA256 the SHA-256 of the
	// resolved scenario before any cell's assignments (the same for every
	// job of a sweep; Digest computes it).
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenario_sha256"`
	// Sweep identifies the sweep (its arms, grid and replications): jobs of
	// two sweeps never merge.
	Sweep string `json:"sweep"`
	// SweepJobs is how many jobs the whole sweep has (0 if unknown), so
	// that a report can say what is missing.
	SweepJobs int `json:"sweep_jobs,omitempty"`
	// Cell indexes the parameter grid; Params are its assignments as
	// "path=value", in the grid's order (empty without a grid).
	Cell   int      `json:"cell"`
	Params []string `json:"params"`
	// Arm indexes the arms; ArmName is its name and Strategic, Tactical
	// and Operational label its policies.
	Arm         int    `json:"arm"`
	ArmName     string `json:"arm_name"`
	Strategic   string `json:"strategic"`
	Tactical    string `json:"tactical"`
	Operational string `json:"operational"`
	// Replication indexes the replications; Seed is the seed of its random
	// streams (arms of one cell and replication share them: common random
	// numbers).
	Replication int    `json:"replication"`
	Seed        uint64 `json:"seed"`
	// Window is the data the job replayed.
	Window Window `json:"window"`
}

// Job is the record of one finished job: one arm, in one cell of the grid,
// in one replication.
type Job struct {
	Format int    `json:"format"`
	Tool   string `json:"tool"`
	JobID
	Result     results.Arm `json:"result"`
	LatencyCDF CDF         `json:"latency_cdf"`
}

// Key is a job's place in a sweep.
type Key struct{ Cell, Arm, Replication int }

// Key returns the job's key.
func (j *Job) Key() Key { return Key{j.Cell, j.Arm, j.Replication} }

func (k Key) compare(o Key) int {
	if c := k.Cell - o.Cell; c != 0 {
		return c
	}
	if c := k.Arm - o.Arm; c != 0 {
		return c
	}
	return k.Replication - o.Replication
}

// NewJob makes the record of a finished job from its identity, its
// summary (results.NewArm, with whatever the runner adds to it) and the
// engine's metrics, from which it takes the latency CDF.
func NewJob(id JobID, arm results.Arm, m *sim.Metrics) (Job, error) {
	j := Job{Format: JobFormat, Tool: "skyfaas", JobID: id, Result: arm}
	j.Params = slices.Clone(id.Params)
	if j.Params == nil {
		j.Params = []string{}
	}
	if m != nil {
		j.LatencyCDF = NewCDF(&m.Latency)
	}
	if err := j.check(); err != nil {
		return Job{}, fmt.Errorf("job %s: %w", JobName(id.Cell, id.Arm, id.ArmName, id.Replication), err)
	}
	return j, nil
}

// check reports what makes a record unusable.
func (j *Job) check() error {
	var errs []error
	if j.Format != JobFormat {
		errs = append(errs, fmt.Errorf("format %d, this tool reads %d", j.Format, JobFormat))
	}
	if j.Scenario == "" {
		errs = append(errs, errors.New("no scenario name"))
	}
	if j.ScenarioSHA256 == "" {
		errs = append(errs, errors.New("no scenario_sha256"))
	}
	if j.Sweep == "" {
		errs = append(errs, errors.New("no sweep id"))
	}
	if j.Cell < 0 || j.Arm < 0 || j.Replication < 0 {
		errs = append(errs, fmt.Errorf("negative index (cell %d, arm %d, replication %d)", j.Cell, j.Arm, j.Replication))
	}
	if j.ArmName == "" {
		errs = append(errs, errors.New("no arm name"))
	} else if j.Result.Name != j.ArmName {
		errs = append(errs, fmt.Errorf("arm_name %q but the result is arm %q", j.ArmName, j.Result.Name))
	}
	for _, p := range j.Params {
		if k, _, ok := strings.Cut(p, "="); !ok || k == "" {
			errs = append(errs, fmt.Errorf("parameter %q is not path=value", p))
		}
	}
	if len(j.LatencyCDF.Probabilities) != len(j.LatencyCDF.Seconds) {
		errs = append(errs, fmt.Errorf("latency_cdf has %d probabilities and %d quantiles",
			len(j.LatencyCDF.Probabilities), len(j.LatencyCDF.Seconds)))
	}
	return errors.Join(errs...)
}

// JobName is the base name (without extension) of a job's files:
// c<cell>-a<arm>-<arm name>-r<replication>, indices zero-padded
// (c003-a01-greenest-r004) so that a listing reads in job order.
func JobName(cell, arm int, armName string, replication int) string {
	return fmt.Sprintf("c%03d-a%02d-%s-r%03d", cell, arm, slug.Of(armName), replication)
}

// Name is the base name of the job's files (JobName).
func (j *Job) Name() string { return JobName(j.Cell, j.Arm, j.ArmName, j.Replication) }

// JobPath is where a sweep in dir keeps a job's record.
func JobPath(dir string, cell, arm int, armName string, replication int) string {
	return filepath.Join(dir, JobsDir, JobName(cell, arm, armName, replication)+".json")
}

// SeriesPath is where a sweep in dir keeps a job's per-interval series.
func SeriesPath(dir string, cell, arm int, armName string, replication int) string {
	return filepath.Join(dir, SeriesDir, JobName(cell, arm, armName, replication)+".parquet")
}

// Digest is the SHA-256, in hex, of v encoded as results.JSON encodes it
// (map keys sorted): the same resolved scenario gives the same digest.
func Digest(v any) (string, error) {
	b, err := results.JSON(v)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}

// WriteJob writes a job's record to dir/jobs/<JobName>.json atomically
// (results.WriteFileAtomic), creating dir/jobs if needed: a sweep killed
// midway leaves whole records or none.
func WriteJob(dir string, j *Job) error {
	if err := j.check(); err != nil {
		return fmt.Errorf("write job %s: %w", j.Name(), err)
	}
	b, err := results.JSON(j)
	if err != nil {
		return fmt.Errorf("write job %s: %w", j.Name(), err)
	}
	if err := os.MkdirAll(filepath.Join(dir, JobsDir), 0o755); err != nil {
		return err
	}
	return results.WriteFileAtomic(filepath.Join(dir, JobsDir, j.Name()+".json"), b)
}

// ReadJob reads one job record.
func ReadJob(path string) (Job, error) {
	b, err := regular.ReadFile(path, maxRecordBytes, "job record")
	if err != nil {
		return Job{}, err
	}
	var j Job
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(&j); err != nil {
		return Job{}, fmt.Errorf("job record %s: %w", path, err)
	}
	if d.More() {
		return Job{}, fmt.Errorf("job record %s: data after the record", path)
	}
	if err := j.check(); err != nil {
		return Job{}, fmt.Errorf("job record %s: %w", path, err)
	}
	if want := j.Name() + ".json"; filepath.Base(path) != want {
		return Job{}, fmt.Errorf("job record %s: holds job %s (a renamed or misplaced file)", path, want)
	}
	return j, nil
}

// ErrNoJobs is returned by ReadJobs for a directory without job records.
var ErrNoJobs = errors.New("no job records")

// ReadJobs reads every job record under dir/jobs, sorted by cell, arm and
// replication whatever order the file system lists them in. It refuses a
// corrupt record (naming its file), jobs of different scenarios (scenario
// name or digest) or sweeps, two records of one job, and records that
// disagree on an arm's name and policies or a cell's parameters.
// Hidden files (a write's temporary files) are skipped.
func ReadJobs(dir string) ([]Job, error) {
	jd := filepath.Join(dir, JobsDir)
	ents, err := os.ReadDir(jd)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (is %s a sweep's output directory?)", jd, ErrNoJobs, dir)
		}
		return nil, err
	}
	var jobs []Job
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".json") || e.IsDir() {
			continue
		}
		j, err := ReadJob(filepath.Join(jd, name))
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	if len(jobs) == 0 {
		return nil, fmt.Errorf("%s: %w", jd, ErrNoJobs)
	}
	slices.SortFunc(jobs, func(a, b Job) int { return a.Key().compare(b.Key()) })
	if err := checkOneSweep(jd, jobs); err != nil {
		return nil, err
	}
	return jobs, nil
}

// checkOneSweep refuses a set of jobs (sorted by key) that cannot come
// from one sweep.
func checkOneSweep(dir string, jobs []Job) error {
	first := &jobs[0]
	path := func(j *Job) string { return filepath.Join(dir, j.Name()+".json") }
	type armID struct{ name, s, t, o string }
	arms := map[int]armID{}
	cells := map[int]string{}
	for i := range jobs {
		j := &jobs[i]
		switch {
		case j.Scenario != first.Scenario || j.ScenarioSHA256 != first.ScenarioSHA256:
			return fmt.Errorf("%s is from scenario %q (sha256 %s) but %s is from %q (sha256 %s): one directory holds one sweep's jobs",
				path(j), j.Scenario, short(j.ScenarioSHA256), path(first), first.Scenario, short(first.ScenarioSHA256))
		case j.Sweep != first.Sweep:
			return fmt.Errorf("%s is from sweep %q but %s is from sweep %q: shards of different sweeps do not merge",
				path(j), j.Sweep, path(first), first.Sweep)
		case j.SweepJobs != first.SweepJobs:
			return fmt.Errorf("%s says the sweep has %d jobs but %s says %d", path(j), j.SweepJobs, path(first), first.SweepJobs)
		}
		if i > 0 && j.Key() == jobs[i-1].Key() {
			return fmt.Errorf("%s and %s are both cell %d, arm %d, replication %d", path(&jobs[i-1]), path(j), j.Cell, j.Arm, j.Replication)
		}
		id := armID{j.ArmName, j.Strategic, j.Tactical, j.Operational}
		if a, ok := arms[j.Arm]; !ok {
			arms[j.Arm] = id
		} else if a != id {
			return fmt.Errorf("%s: arm %d is %q (%s/%s/%s) here but %q (%s/%s/%s) in another job", path(j), j.Arm,
				id.name, id.s, id.t, id.o, a.name, a.s, a.t, a.o)
		}
		ps := strings.Join(j.Params, "\x00")
		if c, ok := cells[j.Cell]; !ok {
			cells[j.Cell] = ps
		} else if c != ps {
			return fmt.Errorf("%s: cell %d has parameters %q here but %q in another job", path(j), j.Cell,
				j.Params, strings.Split(c, "\x00"))
		}
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// fmtNum prints a number with up to six significant digits, no trailing
// zeros.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// maxRecordBytes bounds a job record read back: 1 GiB, far above any
// record (a few kB plus a per-interval series of a long run).
const maxRecordBytes = 1 << 30
