package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/skyfaas/skyfaas/results"
)

// Kind is a column's type.
type Kind int

// Column kinds: their values are string, int64, uint64 and float64.
const (
	String Kind = iota
	Int64
	Uint64
	Float64
)

// Column is one column of the rows.
type Column struct {
	Name string
	Kind Kind
}

// Rows is one row per job (cell, arm, replication), in job order: Cols
// names the columns and Values[i][k] is row i's value of column k, of the
// Go type of the column's Kind.
type Rows struct {
	Cols   []Column
	Values [][]any
}

// ParamPrefix starts the name of each grid parameter's column: the cell's
// value of parameter path p is in column "param.p" (as text, as the
// scenario wrote it).
const ParamPrefix = "param."

// rowColumn is a fixed column and how a job gives its value.
type rowColumn struct {
	Column
	get func(j *Job) any
}

func strCol(name string, f func(j *Job) string) rowColumn {
	return rowColumn{Column{name, String}, func(j *Job) any { return f(j) }}
}
func idCol(name string, f func(j *Job) int64) rowColumn {
	return rowColumn{Column{name, Int64}, func(j *Job) any { return f(j) }}
}
func armF(name string, g func(a *results.Arm) float64) rowColumn {
	return rowColumn{Column{name, Float64}, func(j *Job) any { return g(&j.Result) }}
}
func armI(name string, g func(a *results.Arm) int64) rowColumn {
	return rowColumn{Column{name, Int64}, func(j *Job) any { return g(&j.Result) }}
}

// headColumns identify the row; tailColumns are its figures. The grid's
// parameter columns go between them.
var headColumns = []rowColumn{
	strCol("scenario", func(j *Job) string { return j.Scenario }),
	strCol("sweep", func(j *Job) string { return j.Sweep }),
	idCol("cell", func(j *Job) int64 { return int64(j.Cell) }),
	strCol("params", func(j *Job) string { return strings.Join(j.Params, "; ") }),
	idCol("arm_index", func(j *Job) int64 { return int64(j.Arm) }),
	strCol("arm", func(j *Job) string { return j.ArmName }),
	strCol("strategic", func(j *Job) string { return j.Strategic }),
	strCol("tactical", func(j *Job) string { return j.Tactical }),
	strCol("operational", func(j *Job) string { return j.Operational }),
	idCol("replication", func(j *Job) int64 { return int64(j.Replication) }),
	{Column{"seed", Uint64}, func(j *Job) any { return j.Seed }},
	strCol("window", func(j *Job) string { return j.Window.Label }),
	{Column{"window_from_s", Float64}, func(j *Job) any { return j.Window.FromSeconds }},
	{Column{"window_to_s", Float64}, func(j *Job) any { return j.Window.ToSeconds }},
}

var tailColumns = []rowColumn{
	armF("warmup_s", func(a *results.Arm) float64 { return a.WarmupSeconds }),
	armF("end_s", func(a *results.Arm) float64 { return a.EndSeconds }),
	armI("arrived", func(a *results.Arm) int64 { return a.Invocations.Arrived }),
	armI("completed", func(a *results.Arm) int64 { return a.Invocations.Completed }),
	armI("failed", func(a *results.Arm) int64 {
		var n int64
		for _, v := range a.Invocations.Failed {
			n += v
		}
		return n
	}),
	armI("failed_oom", func(a *results.Arm) int64 { return a.Invocations.Failed["oom"] }),
	armI("failed_throttled", func(a *results.Arm) int64 { return a.Invocations.Failed["throttled"] }),
	armI("failed_timeout", func(a *results.Arm) int64 { return a.Invocations.Failed["timeout"] }),
	armI("failed_infeasible", func(a *results.Arm) int64 { return a.Invocations.Failed["infeasible"] }),
	armI("in_flight", func(a *results.Arm) int64 { return a.Invocations.InFlight }),
	armF("failed_pct", func(a *results.Arm) float64 { return a.FailedPct }),
	armI("cold_starts", func(a *results.Arm) int64 { return a.ColdStarts }),
	armI("warm_starts", func(a *results.Arm) int64 { return a.WarmStarts }),
	armF("cold_start_pct", func(a *results.Arm) float64 { return a.ColdStartPct }),
	armF("latency_p50_s", func(a *results.Arm) float64 { return a.Latency.P50 }),
	armF("latency_p95_s", func(a *results.Arm) float64 { return a.Latency.P95 }),
	armF("latency_p99_s", func(a *results.Arm) float64 { return a.Latency.P99 }),
	armF("latency_mean_s", func(a *results.Arm) float64 { return a.Latency.Mean }),
	armF("latency_max_s", func(a *results.Arm) float64 { return a.Latency.Max }),
	armF("mean_start_delay_s", func(a *results.Arm) float64 { return a.Latency.MeanStart }),
	armI("sla_violations", func(a *results.Arm) int64 { return a.SLAViolations }),
	armF("sla_violation_pct", func(a *results.Arm) float64 { return a.SLAViolationPct }),
	armF("cost_requests_usd", func(a *results.Arm) float64 { return a.Cost.Requests }),
	armF("cost_compute_usd", func(a *results.Arm) float64 { return a.Cost.Compute }),
	armF("cost_provisioned_usd", func(a *results.Arm) float64 { return a.Cost.Provisioned }),
	armF("free_tier_credit_usd", func(a *results.Arm) float64 { return a.Cost.FreeTierCredit }),
	armF("cost_total_usd", func(a *results.Arm) float64 { return a.Cost.Total }),
	armF("cost_per_1k_completed_usd", func(a *results.Arm) float64 { return a.CostPer1kCompletedUSD }),
	armF("energy_kwh", func(a *results.Arm) float64 { return a.EnergyKWh }),
	armF("carbon_g", func(a *results.Arm) float64 { return a.CarbonG }),
	armF("mean_instances", func(a *results.Arm) float64 { return a.Resources.MeanInstances }),
	armF("mean_busy", func(a *results.Arm) float64 { return a.Resources.MeanBusy }),
	armF("idle_gb_s", func(a *results.Arm) float64 { return a.Resources.IdleGBSeconds }),
	armF("prewarm_idle_gb_s", func(a *results.Arm) float64 { return a.Resources.PrewarmIdleGBSeconds }),
	armI("instances_started", func(a *results.Arm) int64 { return a.Resources.InstancesStarted }),
	armI("prewarms_started", func(a *results.Arm) int64 { return a.Resources.PrewarmsStarted }),
	armF("prewarm_hit_pct", func(a *results.Arm) float64 { return a.Resources.PrewarmHitPct }),
	armI("placement_changes", func(a *results.Arm) int64 { return a.Resources.PlacementChanges }),
}

// NewRows makes one row per job, in the jobs' order: the job's identity,
// one column per grid parameter (every path any job assigns, in the order
// they first appear), then its figures.
func NewRows(jobs []Job) Rows {
	var paths []string
	for k := range jobs {
		for _, p := range jobs[k].Params {
			path, _, _ := strings.Cut(p, "=")
			if !slices.Contains(paths, path) {
				paths = append(paths, path)
			}
		}
	}
	var r Rows
	for _, c := range headColumns {
		r.Cols = append(r.Cols, c.Column)
	}
	for _, p := range paths {
		r.Cols = append(r.Cols, Column{ParamPrefix + p, String})
	}
	for _, c := range tailColumns {
		r.Cols = append(r.Cols, c.Column)
	}
	for k := range jobs {
		j := &jobs[k]
		row := make([]any, 0, len(r.Cols))
		for _, c := range headColumns {
			row = append(row, c.get(j))
		}
		for _, p := range paths {
			v := ""
			for _, a := range j.Params {
				if path, val, _ := strings.Cut(a, "="); path == p {
					v = val
				}
			}
			row = append(row, v)
		}
		for _, c := range tailColumns {
			row = append(row, c.get(j))
		}
		r.Values = append(r.Values, row)
	}
	return r
}

// FormatValue prints a value as the CSV holds it: floats in the shortest
// form that reads back to the same float64.
func FormatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	panic(fmt.Sprintf("sweep: value of type %T in a row", v))
}

// ParseValue reads a CSV field as a value of kind k.
func ParseValue(k Kind, s string) (any, error) {
	switch k {
	case String:
		return s, nil
	case Int64:
		return strconv.ParseInt(s, 10, 64)
	case Uint64:
		return strconv.ParseUint(s, 10, 64)
	case Float64:
		return strconv.ParseFloat(s, 64)
	}
	return nil, fmt.Errorf("unknown column kind %d", k)
}

// CSV writes the rows with a header line.
func (r *Rows) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(r.Cols))
	for k, c := range r.Cols {
		head[k] = c.Name
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	rec := make([]string, len(r.Cols))
	for _, row := range r.Values {
		for k, v := range row {
			rec[k] = FormatValue(v)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
