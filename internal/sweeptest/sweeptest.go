// Package sweeptest makes synthetic sweep jobs for tests: figures with a
// known structure (an effect per arm, noise shared by the arms of one
// replication, as common random numbers give, and a little noise of each
// arm's own), from a fixed seed.
package sweeptest

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/sweep"
)

// Seed seeds every synthetic sweep.
const Seed = 20240607

// ArmNames are the synthetic arms, in index order.
var ArmNames = []string{"all_baseline", "strategic+tactical", "full #3", "cheap&dirty", "oracle 100%"}

// Jobs makes cells x arms x reps jobs (arms at most len(ArmNames)), in key
// order. Cell c assigns simulation.slo_ms = 100(c+1) and
// keep_alive = "10m".
func Jobs(cells, arms, reps int) []sweep.Job {
	rng := rand.New(rand.NewPCG(Seed, 1))
	shared := make([][]float64, cells) // noise per (cell, replication), shared by the arms
	for c := range shared {
		shared[c] = make([]float64, reps)
		for r := range shared[c] {
			shared[c][r] = rng.NormFloat64()
		}
	}
	var jobs []sweep.Job
	for c := range cells {
		params := []string{fmt.Sprintf("simulation.slo_ms=%d", 100*(c+1)), `simulation.keep_alive="10m"`}
		for a := range arms {
			for r := range reps {
				z := shared[c][r] + 0.1*rng.NormFloat64()
				effect := 1 - 0.08*float64(a)
				cost := 10 * effect * (1 + 0.2*z)
				arm := results.Arm{Name: ArmNames[a], Strategic: map[string]any{"policy": "cheapest"},
					Tactical: map[string]any{"policy": "power-tuning"}, Operational: map[string]any{"policy": "fixed"},
					HorizonSeconds: 86400, WarmupSeconds: 3600, EndSeconds: 86400}
				arm.Invocations = results.Invocations{Arrived: 100000, Completed: 99000 - int64(100*a), InFlight: 10,
					Failed: map[string]int64{"oom": 500, "throttled": 490 + int64(100*a), "timeout": 0, "infeasible": 0}, Conserved: true}
				arm.FailedPct = float64(990+100*a) / 1000
				arm.ColdStarts, arm.WarmStarts = 5000+int64(300*a)+int64(200*z), 94000
				arm.ColdStartPct = 100 * float64(arm.ColdStarts) / float64(arm.ColdStarts+arm.WarmStarts)
				p50 := 0.2 * (1 + 0.05*z) * (1 + 0.1*float64(a))
				arm.Latency = results.Latency{P50: p50, P95: 4 * p50, P99: 9 * p50, Mean: 1.5 * p50, Max: 30 * p50, MeanStart: 0.01}
				arm.SLAViolations = 2000 + int64(50*a)
				arm.SLAViolationPct = float64(arm.SLAViolations) / 990
				arm.Cost = results.Cost{Requests: 0.2 * cost, Compute: 0.7 * cost, Provisioned: 0.1 * cost, Total: cost}
				arm.CostPer1kCompletedUSD = 1000 * cost / float64(arm.Invocations.Completed)
				arm.EnergyKWh = 3 * (1 + 0.1*z) * (1 - 0.1*float64(a))
				arm.CarbonG = 1200 * (1 + 0.15*z) * (1 - 0.3*float64(a) + 0.1*float64(a*a))
				var cdf sweep.CDF
				for _, p := range sweep.CDFProbabilities {
					cdf.Probabilities = append(cdf.Probabilities, p)
					// an exponential tail scaled to the median
					q := p50 * 1.4427 * -logOneMinus(p)
					cdf.Seconds = append(cdf.Seconds, q)
				}
				id := sweep.JobID{Version: "test", Scenario: "synthetic", ScenarioSHA256: "5ca1ab1e", Sweep: "sweep-test",
					SweepJobs: cells * arms * reps, Cell: c, Params: params, Arm: a, ArmName: ArmNames[a],
					Strategic: "cheapest", Tactical: "power-tuning", Operational: "fixed", Replication: r, Seed: Seed + uint64(r),
					Window: sweep.Window{FromSeconds: 9 * 86400, ToSeconds: 10 * 86400, Label: "test window"}}
				j, err := sweep.NewJob(id, arm, nil)
				if err != nil {
					panic(err) // a bug of this package
				}
				j.LatencyCDF = cdf
				jobs = append(jobs, j)
			}
		}
	}
	return jobs
}

// logOneMinus is ln(1-p), capped at p = 0.99999 so that p = 1 stays finite.
func logOneMinus(p float64) float64 {
	p = min(p, 0.99999)
	return math.Log(1 - p)
}
