package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/skyfaas/skyfaas/internal/slug"
	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/report"
	"github.com/skyfaas/skyfaas/results/sweep"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

const runUsage = `Usage: skyfaas run [SCENARIO] [flags]

Runs every arm of SCENARIO (the embedded default scenario if omitted) in
every cell of its [sweep] grid, sweep.replications times (5 unless set;
--replications overrides), one engine per job, --workers at a time. Arms of
one replication share their random numbers, so their differences are
paired. Each job's record is written under OUT/jobs as it finishes; a rerun
of the same command skips the jobs already done. At the end it prints the
means with 95 % intervals and the differences from the reference arm, and
writes OUT/report (rows as Parquet and CSV, tables as text, Markdown and
LaTeX, plots as PNG and PDF), and replication 1 in full as summary.json,
summary.csv and tradeoff.png (not drawn for more than 40 arms: a note says
so). The seed is recorded with the results.

With --series, each job also writes its per-interval series (one row per
pool and tick: arrivals, starts, cold starts, instances busy, idle,
starting and pre-warmed, queue, concurrency, memory, GB-s, cost, carbon,
SLA violations) to OUT/series/<job>.parquet, streamed as it runs and put
in place when the job finishes. Read it with pandas or polars as is:
  pandas.read_parquet("OUT/series/c000-a00-ARM-r000.parquet")

Flags:
`

const sweepUsage = `Usage: skyfaas sweep SCENARIO --out DIR [--shard i/n] [flags]

Runs the jobs of SCENARIO's sweep as run does, or with --shard i/n only
every n-th of them (jobs i, i+n, ...), so that a Slurm job array or a
Kubernetes Indexed Job spreads a sweep over machines writing into one
shared DIR. A shard resumes where it stopped. The shard that completes
the sweep writes the report; otherwise, once every shard has finished,
skyfaas report DIR merges what is there. DIR must hold this sweep or
nothing: jobs of another scenario, seed or version are refused, never
overwritten.

Flags:
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runJobsCommand(ctx, "run", runUsage, args, stdout, stderr)
}

func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runJobsCommand(ctx, "sweep", sweepUsage, args, stdout, stderr)
}

// runJobsCommand is run and sweep.
func runJobsCommand(ctx context.Context, name, usage string, args []string, stdout, stderr io.Writer) (err error) {
	fs := newFlags(name, stderr, usage)
	out := fs.String("out", "", "output directory (default skyfaas-out/<scenario>-seed<N>)")
	seedFlag := fs.String("seed", "", "seed of every random stream (default: the scenario's)")
	workers := fs.Int("workers", runtime.NumCPU(), "arms run at once")
	quiet := fs.Bool("quiet", false, "no progress line")
	reps := fs.Int("replications", 0, "replications of every arm (default: the scenario's sweep.replications, 5 unless set)")
	withSeries := fs.Bool("series", false, "write each job's per-interval series as Parquet under OUT/series")
	shardFlag := ""
	if name == "sweep" {
		fs.StringVar(&shardFlag, "shard", "", "run share i of n of the jobs (1 <= i <= n)")
	}
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) > 1 {
		return fmt.Errorf("%w: %s takes at most one scenario file (got %q)", errUsage, name, positional)
	}
	if name == "sweep" && (len(positional) == 0 || *out == "") {
		return fmt.Errorf("%w: sweep needs a scenario file and --out (shards share one directory)", errUsage)
	}
	var shard scenarios.Shard
	if shardFlag != "" {
		var err error
		if shard, err = scenarios.ParseShard(shardFlag); err != nil {
			return fmt.Errorf("%w: --%v", errUsage, err)
		}
	}
	if *workers < 1 {
		return fmt.Errorf("%w: --workers must be at least 1", errUsage)
	}
	var plan *scenarios.Plan
	if len(positional) == 1 {
		plan, err = scenarios.Load(positional[0], registry())
	} else {
		plan, err = scenarios.Default(registry())
	}
	if err != nil {
		return err
	}
	seed := plan.Seed()
	if *seedFlag != "" {
		seed, err = strconv.ParseUint(*seedFlag, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: --seed must be a non-negative integer (got %q)", errUsage, *seedFlag)
		}
	}
	plan.Scenario.Seed = &seed
	repsSet := false
	fs.Visit(func(f *flag.Flag) { repsSet = repsSet || f.Name == "replications" })
	if repsSet {
		if *reps < 1 || *reps > scenarios.MaxReplications {
			return fmt.Errorf("%w: --replications must be in 1..%d (got %d)", errUsage, scenarios.MaxReplications, *reps)
		}
		plan.Scenario.Sweep.Replications = reps
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("skyfaas-out", fmt.Sprintf("%s-seed%d", slug.Of(plan.Scenario.Name), seed))
	}
	runner, err := newJobRunner(plan, seed, dir, *workers, shard, *withSeries)
	if err != nil {
		return err
	}
	created, err := newDirs(dir)
	if err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	release, err := openOutDir(dir, newManifest(plan, runner), shard, name == "sweep", stderr)
	if err != nil {
		discardEmptyRun(dir, created, false)
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	defer func() {
		release()
		if err != nil {
			discardEmptyRun(dir, created, true) // a run that recorded nothing leaves nothing
		}
	}()
	if *withSeries {
		if err := checkWritableDir(filepath.Join(dir, sweep.SeriesDir)); err != nil {
			return fmt.Errorf("series directory: %w", err)
		}
	}
	share := ""
	if shard.N > 1 {
		share = fmt.Sprintf(", shard %d/%d", shard.I, shard.N)
	}
	fmt.Fprintf(stderr, "skyfaas %s: scenario %q (%s), seed %d, %d arms x %d cell(s) x %d replications = %d jobs%s, output %s\n",
		version(), plan.Scenario.Name, plan.File, seed, len(plan.Arms), len(plan.Cells()), plan.Replications(), plan.Jobs(), share, dir)
	start := time.Now()
	ran, skipped, err := runner.run(ctx, stderr, !*quiet && isTerminal(stderr))
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("interrupted after %d of %d jobs (finished jobs are kept in %s; rerun the same command to resume): %w",
				ran+skipped, plan.Jobs(), filepath.Join(dir, sweep.JobsDir), err)
		}
		return err
	}
	el := time.Since(start)
	if shard.N > 1 {
		recorded := 0
		for k := range plan.Jobs() {
			if runner.done(plan.JobAt(k)) {
				recorded++
			}
		}
		if recorded < plan.Jobs() {
			fmt.Fprintf(stdout, "shard %d/%d done in %.1fs (%d jobs run, %d already done); the sweep has %d of %d jobs recorded in %s.\n"+
				"When every shard has finished: skyfaas report %s\n", shard.I, shard.N, el.Seconds(), ran, skipped, recorded, plan.Jobs(), dir, dir)
			return nil
		}
	}
	return finishRun(stdout, plan, runner, dir, ran, skipped, el)
}

// finishRun writes the summary of the first replication (summary.json,
// summary.csv, tradeoff.png), then the report over every replication, and
// prints its tables.
func finishRun(stdout io.Writer, plan *scenarios.Plan, runner *jobRunner, dir string, ran, skipped int, el time.Duration) error {
	jobs, err := sweep.ReadJobs(dir)
	if err != nil {
		return err
	}
	workload, assumptions, err := runner.describe()
	if err != nil {
		return err
	}
	sum := results.Summary{Tool: "skyfaas", Version: version(), ScenarioFile: plan.File, Scenario: plan.Scenario,
		CatalogName: plan.CatalogName, CatalogSHA256: plan.CatalogSHA256, Seed: runner.seed,
		Objective: results.NewObjectiveInfo(plan.Objective()), Workload: workload, Assumptions: &assumptions}
	var invocations int64
	for _, j := range jobs {
		if j.Cell == 0 && j.Replication == 0 {
			sum.Arms = append(sum.Arms, j.Result)
		}
		invocations += j.Result.Invocations.Arrived
	}
	if len(sum.Arms) != len(plan.Arms) {
		return fmt.Errorf("internal error: %d of %d arms of the first replication in %s", len(sum.Arms), len(plan.Arms), dir)
	}
	if err := results.CheckConservation(&sum); err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	js, err := results.JSON(&sum)
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "summary.json"), js); err != nil {
		return err
	}
	cs, err := results.CSV(&sum, policyLabel)
	if err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "summary.csv"), cs); err != nil {
		return err
	}
	var png bytes.Buffer
	var notes []string
	title := fmt.Sprintf("%s, seed %d, replication 1 of %d: %d arms, one point each", plan.Scenario.Name, runner.seed, plan.Replications(), len(sum.Arms))
	switch err := results.TradeoffPNG(&png, &sum, title); {
	case errors.Is(err, results.ErrTooManyArms):
		// No plot rather than an illegible one, nor a stale one.
		if err := os.Remove(filepath.Join(dir, tradeoffName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		notes = append(notes, fmt.Sprintf("no %s: %v; summary.csv gives every arm", tradeoffName, err))
	case err != nil:
		return err
	default:
		if err := results.WriteFileAtomic(filepath.Join(dir, tradeoffName), png.Bytes()); err != nil {
			return err
		}
	}
	rep, err := report.Write(dir, report.Options{Reference: plan.Scenario.Sweep.Reference})
	if err != nil {
		return err
	}
	notes = append(notes, rep.Notes...)
	fmt.Fprintf(stdout, "scenario %s, seed %d: %s workload, %d functions, %d invocations per arm (replication 1), %.1f simulated hours\n",
		plan.Scenario.Name, runner.seed, workload.Kind, workload.Functions, sum.Arms[0].Invocations.Arrived, (workload.HorizonSeconds-workload.StartSeconds)/3600)
	for _, n := range append(workload.Notes, notes...) {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if _, err := stdout.Write(rep.Text); err != nil {
		return err
	}
	if err := assumptions.Write(stdout); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "columns: cost $ total incl. provisioned capacity; $/1k done per 1,000 completed invocations; cold %% of started;\n"+
		"SLA viol %% of finished; fail %% of arrived. Replication 1 in full (latency, failures by cause, shares, objective):\n"+
		"summary.json and summary.csv; every replication: jobs/ and report/rows.{parquet,csv}; tables in Markdown and\n"+
		"LaTeX and plots (PNG, PDF): report/.\n")
	also := ""
	if runner.series {
		also = ", series in " + filepath.Join(dir, sweep.SeriesDir)
	}
	fmt.Fprintf(stdout, "wrote %s%s (%d jobs run, %d already done; %s invocations in %.1fs, %.2f M/s)\n",
		dir, also, ran, skipped, humanCount(invocations), el.Seconds(), float64(invocations)/max(el.Seconds(), 1e-9)/1e6)
	return nil
}

// seriesMeta is what a series file records about its job.
func seriesMeta(plan *scenarios.Plan, j scenarios.Job, seed uint64, cfg *sim.Config) map[string]string {
	a := plan.Arms[j.Arm]
	return map[string]string{
		"replication": strconv.Itoa(j.Replication),
		"tool":        "skyfaas " + version(),
		"scenario":    plan.Scenario.Name,
		"file":        plan.File,
		"arm":         a.Name,
		"strategic":   policyLabel(a.Strategic),
		"tactical":    policyLabel(a.Tactical),
		"operational": policyLabel(a.Operational),
		"seed":        strconv.FormatUint(seed, 10),
		"workload":    plan.WorkloadLabel(),
		"tick_us":     strconv.FormatInt(int64(cfg.Tick), 10),
		"start_us":    strconv.FormatInt(int64(cfg.Start), 10),
		"warmup_us":   strconv.FormatInt(int64(cfg.Warmup), 10),
	}
}

// checkWritableDir creates dir if needed and checks a file can be created
// in it, so that a run does not fail at its end for want of a place to
// write.
func checkWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".probe*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// startProgress redraws one status line on the terminal until stopped:
// jobs done of total, invocations simulated, and an estimate of the time
// left from the mean time per job so far.
func startProgress(w io.Writer, what string, total int, done, arrived *atomic.Int64) func() {
	stop := make(chan struct{})
	finished := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(finished)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprintf(w, "\r\033[K")
				return
			case <-t.C:
				el := time.Since(start).Seconds()
				n := done.Load()
				eta := "ETA -"
				if n > 0 {
					eta = fmt.Sprintf("ETA %.0fs", el/float64(n)*float64(int64(total)-n))
				}
				fmt.Fprintf(w, "\r\033[K%s done %d/%d, %s invocations simulated, %.1f M/s, %.0fs, %s",
					what, n, total, humanCount(arrived.Load()), float64(arrived.Load())/el/1e6, el, eta)
			}
		}
	}()
	return func() {
		close(stop)
		<-finished
	}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func policyLabel(v any) string {
	if s, ok := v.(scenarios.PolicySpec); ok {
		return s.Label()
	}
	return fmt.Sprint(v)
}

func humanCount(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f G", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f k", float64(n)/1e3)
	}
	return strconv.FormatInt(n, 10)
}
