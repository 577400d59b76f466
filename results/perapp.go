package results

import (
	"slices"

	"github.com/skyfaas/skyfaas/sim"
)

// PerApp is the distribution over apps of the two figures Serverless in the
// Wild (Shahrad et al., ATC'20, §4) reports per application: the share of
// its invocations that started cold, and the memory-time its instances
// spent idle.
type PerApp struct {
	// Apps is the number of apps of the workload; Started those with at
	// least one started invocation in the measured window (the population
	// of ColdStartPct); Active those with at least one arrival or some idle
	// instance time (the population of IdleGBSeconds).
	Apps    int `json:"apps"`
	Started int `json:"apps_started"`
	Active  int `json:"apps_active"`
	// ColdStartPct is, per app, cold starts over started invocations
	// (0-100).
	ColdStartPct Quantiles `json:"cold_start_pct"`
	// IdleGBSeconds is, per app, the idle time of its on-demand and
	// pre-warmed instances × their memory.
	IdleGBSeconds Quantiles `json:"idle_gb_s"`
}

// Quantiles of a distribution over apps, by nearest rank: the p-quantile
// is the smallest value such that at least a fraction p of the apps are at
// or below it (0 when no app counts).
type Quantiles struct {
	P50 float64 `json:"p50"`
	P75 float64 `json:"p75"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

// NewPerApp sums m.PerFunction by app, fns[i].App being the app of
// function i (the source's Functions) and apps the number of apps, and
// returns the distributions over apps.
func NewPerApp(m *sim.Metrics, fns []sim.FunctionInfo, apps int) *PerApp {
	type sums struct {
		arrived, started, cold int64
		idle                   float64
	}
	by := make([]sums, apps)
	for f, fm := range m.PerFunction {
		if f >= len(fns) || int(fns[f].App) >= apps {
			continue // a source and metrics that disagree: counted nowhere
		}
		s := &by[fns[f].App]
		s.arrived += fm.Arrived
		s.started += fm.Started
		s.cold += fm.ColdStarts
		s.idle += fm.IdleGBSeconds
	}
	var cold, idle []float64
	for _, s := range by {
		if s.started > 0 {
			cold = append(cold, pct(s.cold, s.started))
		}
		if s.arrived > 0 || s.idle > 0 {
			idle = append(idle, s.idle)
		}
	}
	return &PerApp{Apps: apps, Started: len(cold), Active: len(idle),
		ColdStartPct: quantiles(cold), IdleGBSeconds: quantiles(idle)}
}

// quantiles sorts v and returns its nearest-rank quantiles.
func quantiles(v []float64) Quantiles {
	if len(v) == 0 {
		return Quantiles{}
	}
	slices.Sort(v)
	// at returns the value of rank ceil(pct/100 × n), in integers so that
	// no rounding moves a rank.
	at := func(pct int) float64 {
		k := (pct*len(v) + 99) / 100
		return v[max(k, 1)-1]
	}
	return Quantiles{P50: at(50), P75: at(75), P90: at(90), P99: at(99)}
}
