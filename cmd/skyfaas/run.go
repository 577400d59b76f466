package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

const runUsage = `Usage: skyfaas run [SCENARIO] [flags]

Runs every arm of SCENARIO (the embedded default scenario if omitted), one
engine per arm, in parallel. Prints the comparison table and writes, under
the output directory, arms/<n>-<arm>.json as each arm finishes and then
summary.json, summary.csv and tradeoff.png (each arm's cost against its p95
latency, carbon and SLA violations). The seed is recorded with the results.

With --series, each arm also writes its per-interval series (one row per
pool and tick: arrivals, starts, cold starts, instances busy, idle,
starting and pre-warmed, queue, concurrency, memory, GB-s, cost, carbon,
SLA violations) to series/<n>-<arm>.parquet, streamed as it runs and put
in place when the arm finishes. Read it with pandas or polars as is:
  pandas.read_parquet("OUT/series/01-ARM.parquet")

Flags:
`

func runRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", stderr, runUsage)
	out := fs.String("out", "", "output directory (default skyfaas-out/<scenario>-seed<N>)")
	seedFlag := fs.String("seed", "", "seed of every random stream (default: the scenario's)")
	workers := fs.Int("workers", runtime.NumCPU(), "arms run at once")
	quiet := fs.Bool("quiet", false, "no progress line")
	withSeries := fs.Bool("series", false, "write each arm's per-interval series as Parquet under OUT/series")
	// Accept flags before or after the scenario path.
	var positional []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(positional) > 1 {
		return fmt.Errorf("%w: run takes at most one scenario file (got %q)", errUsage, positional)
	}
	if *workers < 1 {
		return fmt.Errorf("%w: --workers must be at least 1", errUsage)
	}
	var (
		plan *scenarios.Plan
		err  error
	)
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
	dir := *out
	if dir == "" {
		dir = filepath.Join("skyfaas-out", fmt.Sprintf("%s-seed%d", slug(plan.Scenario.Name), seed))
	}
	digest, err := scenarioDigest(plan.Scenario)
	if err != nil {
		return err
	}
	man := &manifest{Tool: "skyfaas", Version: version(), ScenarioFile: plan.File, ScenarioSHA256: digest,
		CatalogSHA256: plan.CatalogSHA256, Seed: seed}
	for i, a := range plan.Arms {
		man.Arms = append(man.Arms, armFile(i, a.Name))
	}
	release, err := openOutDir(dir, man, stderr)
	if err != nil {
		return fmt.Errorf("output directory %s: %w", dir, err)
	}
	defer release()
	seriesDir := ""
	if *withSeries {
		seriesDir = filepath.Join(dir, "series")
		if err := checkWritableDir(seriesDir); err != nil {
			return fmt.Errorf("series directory: %w", err)
		}
	}

	sum := results.Summary{Tool: "skyfaas", Version: version(), ScenarioFile: plan.File, Scenario: plan.Scenario,
		CatalogName: plan.CatalogName, CatalogSHA256: plan.CatalogSHA256, Seed: seed, Objective: results.NewObjectiveInfo(plan.Objective())}
	fmt.Fprintf(stderr, "skyfaas %s: scenario %q (%s), seed %d, %d arms, output %s\n",
		sum.Version, plan.Scenario.Name, plan.File, seed, len(plan.Arms), dir)
	start := time.Now()
	arms, workload, assumptions, err := runArms(ctx, plan, seed, *workers, dir, seriesDir, stderr, !*quiet && isTerminal(stderr))
	if err != nil {
		return err
	}
	sum.Arms, sum.Workload, sum.Assumptions = arms, workload, &assumptions
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
	title := fmt.Sprintf("%s, seed %d: %d arms, one point each", plan.Scenario.Name, seed, len(arms))
	if err := results.TradeoffPNG(&png, &sum, title); err != nil {
		return err
	}
	if err := results.WriteFileAtomic(filepath.Join(dir, "tradeoff.png"), png.Bytes()); err != nil {
		return err
	}
	var invocations int64
	for _, a := range arms {
		invocations += a.Invocations.Arrived
	}
	el := time.Since(start)
	fmt.Fprintf(stdout, "scenario %s, seed %d: %s workload, %d functions, %d invocations per arm, %.1f simulated hours\n",
		plan.Scenario.Name, seed, sum.Workload.Kind, sum.Workload.Functions, arms[0].Invocations.Arrived, (sum.Workload.HorizonSeconds-sum.Workload.StartSeconds)/3600)
	for _, n := range sum.Workload.Notes {
		fmt.Fprintf(stdout, "note: %s\n", n)
	}
	if err := results.Table(stdout, &sum); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "columns: cost $ total incl. provisioned capacity; $/1k done per 1,000 completed invocations; cold %% of started;\n"+
		"SLA viol %% of finished; fail %% of arrived (oom/throttled/timeout/infeasible counts beside it); wait = mean delay before\n"+
		"execution (queueing + cold start); in flight = executing or queued at the end; share = invocations per provider.\n"+
		"Full figures: summary.json.\n")
	also := ""
	if seriesDir != "" {
		also = fmt.Sprintf(", series in %s", seriesDir)
	}
	fmt.Fprintf(stdout, "wrote %s, summary.csv and tradeoff.png%s (%d arms, %s invocations simulated in %.1fs, %.2f M/s)\n",
		filepath.Join(dir, "summary.json"), also, len(arms), humanCount(invocations), el.Seconds(),
		float64(invocations)/el.Seconds()/1e6)
	return nil
}

// runArms runs every arm, workers at a time, each on its own engine, and
// writes each arm's summary as it finishes. It returns the arms, and the
// workload and assumptions as the first arm described them after replaying
// it.
func runArms(ctx context.Context, plan *scenarios.Plan, seed uint64, workers int, dir, seriesDir string, stderr io.Writer, progress bool) ([]results.Arm, results.WorkloadInfo, results.Assumptions, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	n := len(plan.Arms)
	out := make([]results.Arm, n)
	loads := make([]results.WorkloadInfo, n)
	assume := make([]results.Assumptions, n)
	errs := make([]error, n)
	var (
		arrived atomic.Int64
		done    atomic.Int64
		wg      sync.WaitGroup
		jobs    = make(chan int)
	)
	stopProgress := func() {}
	if progress {
		stopProgress = startProgress(stderr, n, &done, &arrived)
	}
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				arm, load, as, err := runArm(ctx, plan, i, seed, seriesDir, &arrived)
				if err != nil {
					errs[i] = fmt.Errorf("arm %q: %w", plan.Arms[i].Name, err)
					cancel()
					continue
				}
				out[i], loads[i], assume[i] = arm, load, as
				js, err := results.JSON(arm)
				if err == nil {
					err = results.WriteFileAtomic(filepath.Join(dir, "arms", armFile(i, arm.Name)+".json"), js)
				}
				if err != nil {
					errs[i] = err
					cancel()
				}
				done.Add(1)
			}
		}()
	}
feed:
	for i := range n {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	stopProgress()
	// Report the arms that failed, not the others that were stopped because
	// of it (or of an interrupt).
	var failed []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			failed = append(failed, err)
		}
	}
	if err := errors.Join(failed...); err != nil {
		return nil, results.WorkloadInfo{}, results.Assumptions{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, results.WorkloadInfo{}, results.Assumptions{}, fmt.Errorf("interrupted after %d of %d arms (their results are in %s): %w", done.Load(), n, filepath.Join(dir, "arms"), err)
	}
	for i := 1; i < n; i++ {
		assume[0].Vary(&assume[i])
	}
	return out, loads[0], assume[0], nil
}

// armFile names arm i's files: <n>-<arm>, n from 1.
func armFile(i int, name string) string { return fmt.Sprintf("%02d-%s", i+1, slug(name)) }

// runArm runs arm i and describes the workload its source replayed and the
// assumptions of its configuration. With a series directory, it writes the
// arm's series there.
func runArm(ctx context.Context, plan *scenarios.Plan, i int, seed uint64, seriesDir string, arrived *atomic.Int64) (_ results.Arm, _ results.WorkloadInfo, _ results.Assumptions, err error) {
	if err := ctx.Err(); err != nil {
		return results.Arm{}, results.WorkloadInfo{}, results.Assumptions{}, err // interrupted before it began
	}
	cfg, err := plan.Config(i, seed, 0)
	if err != nil {
		return results.Arm{}, results.WorkloadInfo{}, results.Assumptions{}, err
	}
	if c, ok := cfg.Source.(io.Closer); ok {
		defer c.Close() // a reader's temporary files, if a run stops early
	}
	if seriesDir != "" {
		w, err := series.Create(filepath.Join(seriesDir, armFile(i, plan.Arms[i].Name)+".parquet"), seriesMeta(plan, i, seed, &cfg))
		if err != nil {
			return results.Arm{}, results.WorkloadInfo{}, results.Assumptions{}, err
		}
		defer func() {
			if err == nil {
				err = w.Close()
			} else {
				w.Abort()
			}
		}()
		cfg.Recorder = w
	}
	var last int64
	cfg.ProgressEvery = 1 << 18
	cfg.Progress = func(_ sim.Time, n int64) {
		arrived.Add(n - last)
		last = n
	}
	m, err := sim.Run(ctx, cfg)
	if err != nil {
		return results.Arm{}, results.WorkloadInfo{}, results.Assumptions{}, err
	}
	arrived.Add(m.Arrived - last)
	a := plan.Arms[i]
	load := results.WorkloadInfo{Kind: plan.Scenario.Workload.Kind, Functions: len(cfg.Source.Functions()),
		Apps: len(cfg.Source.Apps()), HorizonSeconds: m.Horizon.Seconds(), StartSeconds: m.Start.Seconds()}
	if n, ok := cfg.Source.(traces.Noter); ok {
		load.Notes = n.Notes()
	}
	arm := results.NewArm(a.Name, a.Strategic, a.Tactical, a.Operational, m, a.Catalog, plan.Scenario.Catalog.FreeTier)
	arm.PerApp = results.NewPerApp(m, cfg.Source.Functions(), len(cfg.Source.Apps()))
	arm.SetObjective(plan.Objective(), m)
	return arm, load, results.NewAssumptions(&cfg, plan.WorkloadLabel()), nil
}

// seriesMeta is what a series file records about its run.
func seriesMeta(plan *scenarios.Plan, i int, seed uint64, cfg *sim.Config) map[string]string {
	a := plan.Arms[i]
	return map[string]string{
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

// startProgress redraws one status line on the terminal until stopped.
func startProgress(w io.Writer, arms int, done, arrived *atomic.Int64) func() {
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
				fmt.Fprintf(w, "\r\033[Karms done %d/%d, %s invocations simulated, %.1f M/s, %.0fs",
					done.Load(), arms, humanCount(arrived.Load()), float64(arrived.Load())/el/1e6, el)
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

// slug makes a name safe as a file name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
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
