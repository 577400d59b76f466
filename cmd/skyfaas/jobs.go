package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/results/sweep"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// A job runner runs a sweep's jobs (every arm in every cell, every
// replication; a share of them with a shard), workers at a time, each on
// its own engine, and writes each job's record as it finishes (atomically,
// under DIR/jobs). A job whose record is already there, from this very
// sweep, is not run again: a sweep killed midway and rerun resumes, and
// its files equal an uninterrupted run's.
type jobRunner struct {
	plan    *scenarios.Plan
	seed    uint64
	dir     string
	series  bool // also write each job's per-interval series
	id      sweep.JobID
	workers int
	shard   scenarios.Shard
}

// newJobRunner prepares the jobs of plan with seed into dir.
func newJobRunner(plan *scenarios.Plan, seed uint64, dir string, workers int, shard scenarios.Shard, withSeries bool) (*jobRunner, error) {
	digest, err := scenarioDigest(plan.Scenario)
	if err != nil {
		return nil, err
	}
	id := sweep.JobID{Version: version(), Scenario: plan.Scenario.Name, ScenarioSHA256: digest,
		Sweep: fmt.Sprintf("%.16s-seed%d", digest, seed), SweepJobs: plan.Jobs()}
	return &jobRunner{plan: plan, seed: seed, dir: dir, series: withSeries, id: id, workers: workers, shard: shard}, nil
}

// jobID is job j's identity.
func (r *jobRunner) jobID(j scenarios.Job) sweep.JobID {
	id := r.id
	cell := r.plan.Cells()[j.Cell]
	a := cell.Plan.Arms[j.Arm]
	id.Cell, id.Params = j.Cell, cell.Params
	id.Arm, id.ArmName = j.Arm, a.Name
	id.Strategic, id.Tactical, id.Operational = policyLabel(a.Strategic), policyLabel(a.Tactical), policyLabel(a.Operational)
	id.Replication, id.Seed = j.Replication, r.seed
	return id
}

// done reports whether job j's record is already in the directory, from
// this sweep.
func (r *jobRunner) done(j scenarios.Job) bool {
	id := r.jobID(j)
	rec, err := sweep.ReadJob(sweep.JobPath(r.dir, j.Cell, j.Arm, id.ArmName, j.Replication))
	return err == nil && rec.ScenarioSHA256 == id.ScenarioSHA256 && rec.Sweep == id.Sweep && rec.Version == id.Version
}

// run runs the jobs of the shard not done yet. It returns how many ran and
// how many were already done.
func (r *jobRunner) run(ctx context.Context, stderr io.Writer, progress bool) (ran, skipped int, err error) {
	var todo []scenarios.Job
	for k := range r.plan.Jobs() {
		if !r.shard.Has(k) {
			continue
		}
		if j := r.plan.JobAt(k); r.done(j) {
			skipped++
		} else {
			todo = append(todo, j)
		}
	}
	if len(todo) == 0 {
		return 0, skipped, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		arrived  atomic.Int64
		finished atomic.Int64
		wg       sync.WaitGroup
		jobs     = make(chan int)
		errs     = make([]error, len(todo))
	)
	stop := func() {}
	if progress {
		stop = startProgress(stderr, "jobs", len(todo), &finished, &arrived)
	}
	for w := 0; w < min(r.workers, len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				j := todo[i]
				if err := r.runJob(ctx, j, &arrived); err != nil {
					errs[i] = fmt.Errorf("job %s: %w", sweep.JobName(j.Cell, j.Arm, r.jobID(j).ArmName, j.Replication), err)
					cancel()
					continue
				}
				finished.Add(1)
			}
		}()
	}
feed:
	for i := range todo {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	stop()
	var failed []error
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			failed = append(failed, err)
		}
	}
	if err := errors.Join(failed...); err != nil {
		return int(finished.Load()), skipped, err
	}
	return int(finished.Load()), skipped, ctx.Err()
}

// runJob runs job j and writes its record (and series).
func (r *jobRunner) runJob(ctx context.Context, j scenarios.Job, arrived *atomic.Int64) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	cell := r.plan.Cells()[j.Cell]
	cfg, err := cell.Plan.Config(j.Arm, r.seed, j.Replication)
	if err != nil {
		return err
	}
	if c, ok := cfg.Source.(io.Closer); ok {
		defer c.Close() // a reader's temporary files, if a run stops early
	}
	id := r.jobID(j)
	if r.series {
		path := sweep.SeriesPath(r.dir, j.Cell, j.Arm, id.ArmName, j.Replication)
		if err := os.MkdirAll(filepath.Join(r.dir, sweep.SeriesDir), 0o755); err != nil {
			return err
		}
		w, err := series.Create(path, seriesMeta(cell.Plan, j, r.seed, &cfg))
		if err != nil {
			return err
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
		return err
	}
	arrived.Add(m.Arrived - last)
	a := cell.Plan.Arms[j.Arm]
	arm := results.NewArm(a.Name, a.Strategic, a.Tactical, a.Operational, m, a.Catalog, cell.Plan.Scenario.Catalog.FreeTier)
	arm.PerApp = results.NewPerApp(m, cfg.Source.Functions(), len(cfg.Source.Apps()))
	arm.SetObjective(cell.Plan.Objective(), m)
	id.Window = sweep.Window{FromSeconds: m.Start.Seconds(), ToSeconds: m.Horizon.Seconds(), Label: windowLabel(cell.Plan), MeasuredFromSeconds: m.Warmup.Seconds()}
	rec, err := sweep.NewJob(id, arm, m)
	if err != nil {
		return err
	}
	return sweep.WriteJob(r.dir, &rec)
}

// windowLabel says what part of the workload a plan replays.
func windowLabel(p *scenarios.Plan) string {
	if p.Scenario.Simulation.Window != nil {
		return "window"
	}
	return "whole workload"
}

// describe returns the workload and the assumptions of the sweep's first
// cell. One configuration is built (its source opened, not replayed, and
// any profile_from pass made once); what the assumptions read that differs
// by arm, the catalog and cpu_bound_fraction, is taken from each arm.
func (r *jobRunner) describe() (results.WorkloadInfo, results.Assumptions, error) {
	p := r.plan.Cells()[0].Plan
	cfg, err := p.Config(0, r.seed, 0)
	if err != nil {
		return results.WorkloadInfo{}, results.Assumptions{}, err
	}
	if c, ok := cfg.Source.(io.Closer); ok {
		defer c.Close()
	}
	h := cfg.Horizon
	if h == 0 {
		h = cfg.Source.Horizon()
	}
	load := results.WorkloadInfo{Kind: p.Scenario.Workload.Kind, Functions: len(cfg.Source.Functions()),
		Apps: len(cfg.Source.Apps()), HorizonSeconds: h.Seconds(), StartSeconds: cfg.Start.Seconds()}
	if n, ok := cfg.Source.(traces.Noter); ok {
		load.Notes = n.Notes()
	}
	as := results.NewAssumptions(&cfg, p.WorkloadLabel())
	for i := 1; i < len(p.Arms); i++ {
		c := cfg
		c.Catalog, c.CPUBoundFraction = p.Arms[i].Catalog, p.Arms[i].CPUBoundFraction
		a := results.NewAssumptions(&c, p.WorkloadLabel())
		as.Vary(&a)
	}
	return load, as, nil
}
