package scenarios

import (
	"fmt"

	"github.com/skyfaas/skyfaas/sim"
	"github.com/skyfaas/skyfaas/traces"
)

// Episodes holds a plan's workload read once, to build the sources and
// configurations of many episodes (a training loop's, each on its own seed and window) without
// reading files again. An azure2019 trace is held in memory as its
// per-minute counts and percentile tables (traces.Azure2019Trace: 2.7 MB
// for the shared 1,000-function day), all its days at once; synthetic
// and poisson workloads are generated and hold nothing. An azure2021 trace
// is not held: each of its sources reads the file again.
//
// Episodes is read-only once loaded: any number of goroutines may build
// sources and configurations from it at once, each running its own engine.
type Episodes struct {
	plan  *Plan
	azure *traces.Azure2019Trace // azure2019 workloads only
}

// Episodes reads the plan's workload for many episodes.
func (p *Plan) Episodes() (*Episodes, error) {
	w := &Episodes{plan: p}
	if a := p.Scenario.Workload.Azure2019; p.Scenario.Workload.Kind == "azure2019" {
		t, err := traces.ParseAzure2019(p.azureDays(a), nil)
		if err != nil {
			return nil, fmt.Errorf("workload.azure2019: %w", err)
		}
		w.azure = t
	}
	return w, nil
}

// Trace is the azure2019 trace held in memory, or nil for other kinds.
func (w *Episodes) Trace() *traces.Azure2019Trace { return w.azure }

// Source returns a fresh source of the workload for one episode: the seed
// and replication name its random streams (as Plan.Source's), win the
// window of trace time it replays (nil: the whole workload; for azure2019
// whole minutes inside the trace). For the same arguments it gives the
// invocations Plan.Source gives with win as simulation.window.
func (w *Episodes) Source(seed uint64, replication int, win *WindowSpec) (sim.Source, error) {
	p, s := w.plan, &w.plan.Scenario
	if win != nil {
		if k := s.Workload.Kind; k != "synthetic" && k != "azure2019" {
			return nil, fmt.Errorf("window [%v, %v): windows are supported for synthetic and azure2019 workloads, not %s", win.From, win.To, k)
		}
	}
	if w.azure == nil {
		return p.windowed(s, seed, replication, win)
	}
	r, err := azureReplay(s.Workload.Azure2019, sim.NewStreams(seed, replication), win)
	if err != nil {
		return nil, err
	}
	return w.azure.Source(r)
}

// Config builds one episode of arm as Plan.Config does, its source from
// the workload in memory: over win, or over simulation.window if win is
// nil (the whole workload if that is unset too). Decisions, warm-up and
// metrics count from the window's start; the scenario's horizon, if any,
// still applies.
func (w *Episodes) Config(arm int, seed uint64, replication int, win *WindowSpec) (sim.Config, error) {
	if win == nil {
		win = w.plan.Scenario.Simulation.Window
	}
	return w.plan.config(arm, seed, replication, win, w.Source)
}
