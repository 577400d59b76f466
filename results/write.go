package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed over path: readers, and a run killed
// midway, see the old file or the new one, never half of one.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		f.Close()
		os.Remove(tmp)
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	// The rename survives a crash once the directory is synced too.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// JSON encodes v indented, with a final newline. Map keys are sorted by
// encoding/json, so the same value always gives the same bytes.
// A NaN or infinite number is refused by its path (Finite).
func JSON(v any) ([]byte, error) {
	if err := Finite(v); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// csvColumns are the columns of summary.csv, one row per arm.
var csvColumns = []string{"arm", "strategic", "tactical", "operational", "seed", "replication", "warmup_s", "end_s",
	"arrived", "completed", "failed_oom", "failed_throttled", "failed_timeout", "failed_infeasible", "failed_pct", "in_flight",
	"cold_starts", "cold_start_pct", "latency_p50_s", "latency_p95_s", "latency_p99_s", "latency_mean_s", "mean_start_delay_s",
	"sla_violation_pct", "cost_requests_usd", "cost_compute_usd", "cost_provisioned_usd", "free_tier_credit_usd", "cost_total_usd",
	"cost_per_1k_completed_usd", "energy_kwh", "carbon_g", "mean_instances", "mean_busy", "idle_gb_s", "prewarm_idle_gb_s",
	"prewarms_started", "prewarm_hit_pct", "under_provisioned", "over_provisioned", "placement_changes"}

// perAppColumns follow csvColumns: the distributions over apps (PerApp).
var perAppColumns = []string{"apps", "apps_started", "apps_active",
	"app_cold_start_pct_p50", "app_cold_start_pct_p75", "app_cold_start_pct_p90", "app_cold_start_pct_p99",
	"app_idle_gb_s_p50", "app_idle_gb_s_p75", "app_idle_gb_s_p90", "app_idle_gb_s_p99"}

// CSV writes one row per arm. labels gives each arm's policies as text.
// The per-app columns are empty for an arm without per-app figures.
// A NaN or infinite figure is refused by its arm and field (Finite).
func CSV(s *Summary, label func(any) string) ([]byte, error) {
	if err := Finite(s); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	cols := append(append([]string(nil), csvColumns...), perAppColumns...)
	if len(s.Arms) > 0 {
		for _, p := range s.Arms[0].PerProvider {
			cols = append(cols, "share_pct_"+p.Name)
		}
	}
	if err := w.Write(cols); err != nil {
		return nil, err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, a := range s.Arms {
		fl := a.Invocations.Failed
		row := []string{a.Name, label(a.Strategic), label(a.Tactical), label(a.Operational),
			strconv.FormatUint(s.Seed, 10), strconv.Itoa(s.Replication), f(a.WarmupSeconds), f(a.EndSeconds),
			i(a.Invocations.Arrived), i(a.Invocations.Completed), i(fl["oom"]), i(fl["throttled"]), i(fl["timeout"]), i(fl["infeasible"]),
			f(a.FailedPct), i(a.Invocations.InFlight),
			i(a.ColdStarts), f(a.ColdStartPct), f(a.Latency.P50), f(a.Latency.P95), f(a.Latency.P99), f(a.Latency.Mean), f(a.Latency.MeanStart),
			f(a.SLAViolationPct), f(a.Cost.Requests), f(a.Cost.Compute), f(a.Cost.Provisioned), f(a.Cost.FreeTierCredit), f(a.Cost.Total),
			f(a.CostPer1kCompletedUSD), f(a.EnergyKWh), f(a.CarbonG), f(a.Resources.MeanInstances), f(a.Resources.MeanBusy),
			f(a.Resources.IdleGBSeconds), f(a.Resources.PrewarmIdleGBSeconds), i(a.Resources.PrewarmsStarted),
			f(a.Resources.PrewarmHitPct), i(a.Resources.UnderProvisioned), i(a.Resources.OverProvisioned),
			i(a.Resources.PlacementChanges)}
		if pa := a.PerApp; pa != nil {
			row = append(row, strconv.Itoa(pa.Apps), strconv.Itoa(pa.Started), strconv.Itoa(pa.Active))
			for _, q := range []Quantiles{pa.ColdStartPct, pa.IdleGBSeconds} {
				row = append(row, f(q.P50), f(q.P75), f(q.P90), f(q.P99))
			}
		} else {
			row = append(row, make([]string, len(perAppColumns))...)
		}
		for _, p := range a.PerProvider {
			row = append(row, f(p.SharePct))
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// CheckConservation returns an error naming every arm whose counts do not
// add up: a bug, never a result to publish.
func CheckConservation(s *Summary) error {
	for _, a := range s.Arms {
		if !a.Invocations.Conserved {
			v := a.Invocations
			return fmt.Errorf("arm %q: arrived %d != completed %d + failed %v + in flight %d", a.Name, v.Arrived, v.Completed, v.Failed, v.InFlight)
		}
	}
	return nil
}
