package sweep

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/skyfaas/skyfaas/results"
)

// Metric is one figure of an arm that a sweep compares.
type Metric struct {
	// Key names it in files (snake_case), Label in captions and axes,
	// Short in table headers; Unit is its unit.
	Key, Label, Short, Unit string
	Value                   func(a *results.Arm) float64
}

// Metrics are the figures compared, in table order. Lower is better for
// every one of them.
var Metrics = []Metric{
	{"cost_usd", "total cost", "cost $", "USD", func(a *results.Arm) float64 { return a.Cost.Total }},
	{"cost_per_1k_usd", "cost per 1,000 completed", "$/1k done", "USD", func(a *results.Arm) float64 { return a.CostPer1kCompletedUSD }},
	{"carbon_kg", "carbon", "carbon kg", "kg CO2e", func(a *results.Arm) float64 { return a.CarbonG / 1000 }},
	{"energy_kwh", "energy", "energy kWh", "kWh", func(a *results.Arm) float64 { return a.EnergyKWh }},
	{"latency_p50_s", "p50 latency", "p50 s", "s", func(a *results.Arm) float64 { return a.Latency.P50 }},
	{"latency_p95_s", "p95 latency", "p95 s", "s", func(a *results.Arm) float64 { return a.Latency.P95 }},
	{"latency_p99_s", "p99 latency", "p99 s", "s", func(a *results.Arm) float64 { return a.Latency.P99 }},
	{"latency_mean_s", "mean latency", "mean s", "s", func(a *results.Arm) float64 { return a.Latency.Mean }},
	{"cold_start_pct", "cold starts", "cold %", "% of started", func(a *results.Arm) float64 { return a.ColdStartPct }},
	{"sla_violation_pct", "SLA violations", "SLA viol %", "% of finished", func(a *results.Arm) float64 { return a.SLAViolationPct }},
	{"failed_pct", "failures", "fail %", "% of arrived", func(a *results.Arm) float64 { return a.FailedPct }},
	{"app_cold_start_pct_p50", "cold starts of the median app", "app p50 cold %", "% of the app's started", perApp(func(p *results.PerApp) float64 { return p.ColdStartPct.P50 })},
	{"app_cold_start_pct_p75", "cold starts of the 3rd-quartile app", "app p75 cold %", "% of the app's started", perApp(func(p *results.PerApp) float64 { return p.ColdStartPct.P75 })},
	{"idle_gb_s", "idle memory-time (on-demand + pre-warmed)", "idle GB-s", "GB-s", func(a *results.Arm) float64 {
		return a.Resources.IdleGBSeconds + a.Resources.PrewarmIdleGBSeconds
	}},
	{"objective", "objective", "objective", "", objectiveTerm(func(o *results.ObjectiveValue) float64 { return o.Value })},
	{"objective_cost", "objective: cost term", "cost term", "", objectiveTerm(func(o *results.ObjectiveValue) float64 { return o.Cost })},
	{"objective_performance", "objective: performance term", "perf. term", "", objectiveTerm(func(o *results.ObjectiveValue) float64 { return o.Performance })},
	{"objective_carbon", "objective: carbon term", "carbon term", "", objectiveTerm(func(o *results.ObjectiveValue) float64 { return o.Carbon })},
	{"objective_sla", "objective: SLA term", "SLA term", "", objectiveTerm(func(o *results.ObjectiveValue) float64 { return o.SLA })},
	{"objective_function_mean", "objective: mean over functions", "fn-mean obj.", "", objectiveTerm(func(o *results.ObjectiveValue) float64 {
		if o.FunctionMean == nil {
			return math.NaN()
		}
		return *o.FunctionMean
	})},
}

// objectiveTerm reads a part of an arm's objective value (NaN for a
// record without one).
func objectiveTerm(part func(*results.ObjectiveValue) float64) func(a *results.Arm) float64 {
	return func(a *results.Arm) float64 {
		if a.Objective == nil {
			return math.NaN()
		}
		return part(a.Objective)
	}
}

// perApp reads a figure of an arm's per-app distributions (NaN for a
// record without them).
func perApp(part func(*results.PerApp) float64) func(a *results.Arm) float64 {
	return func(a *results.Arm) float64 {
		if a.PerApp == nil {
			return math.NaN()
		}
		return part(a.PerApp)
	}
}

// MetricByKey returns the metric with that key.
func MetricByKey(key string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// TableMetrics are the keys of the metrics the tables show.
var TableMetrics = []string{"cost_usd", "cost_per_1k_usd", "carbon_kg", "latency_p95_s", "latency_p99_s",
	"cold_start_pct", "sla_violation_pct", "failed_pct"}

// ObjectiveMetrics are the keys of the objective's table: its value over
// each arm's whole run (results.ObjectiveValue) and its weighted terms,
// then the mean over functions of each function's own value.
var ObjectiveMetrics = []string{"objective", "objective_cost", "objective_performance", "objective_carbon", "objective_sla", "objective_function_mean"}

// PerAppMetrics are the keys of the table of Serverless in the Wild's
// measures (Shahrad et al., ATC'20, Figs. 14-15): cold starts per app, the
// median and the 3rd-quartile app (every app weighing the same, where the
// main table's cold % weighs every invocation), and the memory-time spent
// idle; shown when every arm has per-app figures.
var PerAppMetrics = []string{"app_cold_start_pct_p50", "app_cold_start_pct_p75", "idle_gb_s"}

// Analysis is what a sweep's jobs show: per cell and arm, each metric's
// mean and interval over replications, and its difference from the
// reference arm, paired by replication and unpaired.
type Analysis struct {
	Scenario, Sweep string
	// Jobs is how many jobs were read; SweepJobs how many the sweep has
	// (0 if the runner did not say).
	Jobs, SweepJobs int
	// Reference is the arm differences are taken against.
	Reference string
	Metrics   []Metric
	Cells     []Cell
}

// Cell is one point of the parameter grid.
type Cell struct {
	Index  int
	Params []string
	// Window is the data the cell's jobs replayed (they agree, or
	// Windows lists every one).
	Windows []Window
	Arms    []ArmStats
}

// ArmStats is one arm in one cell.
type ArmStats struct {
	Index                            int
	Name                             string
	Strategic, Tactical, Operational string
	// Replications are the replications present, ascending; Values[m][r]
	// is metric m in replication Replications[r].
	Replications []int
	Values       [][]float64
	// Est[m] is metric m's mean and interval over the replications.
	Est []Interval
	// Paired[m] and Welch[m] are the difference arm - reference of metric
	// m: paired over the replications both have, and unpaired (Welch) over
	// the same replications. Nil for the reference arm itself, or when the
	// cell has no reference arm.
	Paired, Welch []Interval
	// CDF is the mean over replications of each latency quantile (the
	// quantile average, or Vincentization, of the replications' CDFs).
	CDF CDF
	// Jobs are the arm's records, in replication order.
	Jobs []*Job
}

// Analyze computes the statistics of jobs (sorted by key, as ReadJobs
// returns them). reference names the arm differences are taken against;
// empty means the arm with the lowest index.
func Analyze(jobs []Job, reference string) (*Analysis, error) {
	if len(jobs) == 0 {
		return nil, ErrNoJobs
	}
	an := &Analysis{Scenario: jobs[0].Scenario, Sweep: jobs[0].Sweep, Jobs: len(jobs), SweepJobs: jobs[0].SweepJobs, Metrics: Metrics}
	if reference == "" {
		ref := jobs[0].Arm
		for i := range jobs {
			if jobs[i].Arm < ref {
				ref = jobs[i].Arm
			}
		}
		for i := range jobs {
			if jobs[i].Arm == ref {
				reference = jobs[i].ArmName
				break
			}
		}
	} else {
		found := false
		var names []string
		for i := range jobs {
			found = found || jobs[i].ArmName == reference
			if !slices.Contains(names, jobs[i].ArmName) {
				names = append(names, jobs[i].ArmName)
			}
		}
		if !found {
			return nil, fmt.Errorf("reference arm %q: no such arm (arms: %s)", reference, strings.Join(names, ", "))
		}
	}
	an.Reference = reference
	for lo := 0; lo < len(jobs); {
		hi := lo
		for hi < len(jobs) && jobs[hi].Cell == jobs[lo].Cell {
			hi++
		}
		an.Cells = append(an.Cells, newCell(jobs[lo:hi], reference))
		lo = hi
	}
	return an, nil
}

func newCell(jobs []Job, reference string) Cell {
	c := Cell{Index: jobs[0].Cell, Params: jobs[0].Params}
	for i := range jobs {
		if !slices.Contains(c.Windows, jobs[i].Window) {
			c.Windows = append(c.Windows, jobs[i].Window)
		}
	}
	for lo := 0; lo < len(jobs); {
		hi := lo
		for hi < len(jobs) && jobs[hi].Arm == jobs[lo].Arm {
			hi++
		}
		c.Arms = append(c.Arms, newArmStats(jobs[lo:hi]))
		lo = hi
	}
	ref := slices.IndexFunc(c.Arms, func(a ArmStats) bool { return a.Name == reference })
	if ref < 0 {
		return c
	}
	r := &c.Arms[ref]
	for k := range c.Arms {
		a := &c.Arms[k]
		if k == ref {
			continue
		}
		a.Paired, a.Welch = make([]Interval, len(Metrics)), make([]Interval, len(Metrics))
		// the replications both arms have
		var ia, ir []int
		for i, rep := range a.Replications {
			if j := slices.Index(r.Replications, rep); j >= 0 {
				ia, ir = append(ia, i), append(ir, j)
			}
		}
		for m := range Metrics {
			xs, ys := make([]float64, len(ia)), make([]float64, len(ia))
			for p := range ia {
				xs[p], ys[p] = a.Values[m][ia[p]], r.Values[m][ir[p]]
			}
			a.Paired[m], a.Welch[m] = PairedCI(xs, ys), WelchCI(xs, ys)
		}
	}
	return c
}

func newArmStats(jobs []Job) ArmStats {
	j0 := &jobs[0]
	a := ArmStats{Index: j0.Arm, Name: j0.ArmName, Strategic: j0.Strategic, Tactical: j0.Tactical, Operational: j0.Operational,
		Values: make([][]float64, len(Metrics)), Est: make([]Interval, len(Metrics))}
	for i := range jobs {
		a.Replications = append(a.Replications, jobs[i].Replication)
		a.Jobs = append(a.Jobs, &jobs[i])
	}
	for m, met := range Metrics {
		a.Values[m] = make([]float64, len(jobs))
		for i := range jobs {
			a.Values[m][i] = met.Value(&jobs[i].Result)
		}
		a.Est[m] = MeanCI(a.Values[m])
	}
	a.CDF = meanCDF(jobs)
	return a
}

// meanCDF averages the jobs' latency quantiles at each probability, over
// the jobs that stored the same probabilities as the first.
func meanCDF(jobs []Job) CDF {
	ps := jobs[0].LatencyCDF.Probabilities
	c := CDF{Probabilities: slices.Clone(ps), Seconds: make([]float64, len(ps))}
	n := 0
	for i := range jobs {
		if !slices.Equal(jobs[i].LatencyCDF.Probabilities, ps) {
			continue
		}
		n++
		for k, s := range jobs[i].LatencyCDF.Seconds {
			c.Seconds[k] += s
		}
	}
	for k := range c.Seconds {
		c.Seconds[k] /= float64(n)
	}
	return c
}

// metricIndex returns the index in Metrics of a key; it panics on an
// unknown key (a programming error: keys are constants of this package).
func metricIndex(key string) int {
	i := slices.IndexFunc(Metrics, func(m Metric) bool { return m.Key == key })
	if i < 0 {
		panic("sweep: unknown metric " + key)
	}
	return i
}

// Replications describes how many replications the arms of the analysis
// have: "5", or "3 to 5" when they differ.
func (an *Analysis) Replications() string {
	lo, hi := -1, -1
	for _, c := range an.Cells {
		for _, a := range c.Arms {
			n := len(a.Replications)
			if lo < 0 || n < lo {
				lo = n
			}
			hi = max(hi, n)
		}
	}
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d to %d", lo, hi)
}

// Windows lists the distinct data windows of every cell, in cell order.
func (an *Analysis) Windows() []Window {
	var ws []Window
	for _, c := range an.Cells {
		for _, w := range c.Windows {
			if !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		}
	}
	return ws
}
