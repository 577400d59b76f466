package sweep_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sweeptest"
	"github.com/skyfaas/skyfaas/results"
	"github.com/skyfaas/skyfaas/results/sweep"
	"github.com/skyfaas/skyfaas/sim"
)

func writeJobs(t *testing.T, dir string, jobs []sweep.Job) {
	t.Helper()
	for i := range jobs {
		if err := sweep.WriteJob(dir, &jobs[i]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestJobName(t *testing.T) {
	if got := sweep.JobName(3, 1, "Full #3", 4); got != "c003-a01-full--3-r004" {
		t.Errorf("JobName = %q", got)
	}
	if got := sweep.JobPath("out", 12, 0, "aws", 1234); got != filepath.Join("out", "jobs", "c012-a00-aws-r1234.json") {
		t.Errorf("JobPath = %q", got)
	}
	if got := sweep.SeriesPath("out", 0, 0, "aws", 0); got != filepath.Join("out", "series", "c000-a00-aws-r000.parquet") {
		t.Errorf("SeriesPath = %q", got)
	}
}

func TestNewJobTakesTheLatencyCDF(t *testing.T) {
	var m sim.Metrics
	for v := int64(1); v <= 1000; v++ {
		m.Latency.Record(v * 1000) // 1 ms .. 1 s
	}
	id := sweep.JobID{Scenario: "s", ScenarioSHA256: "ab", Sweep: "w", ArmName: "a"}
	j, err := sweep.NewJob(id, results.Arm{Name: "a"}, &m)
	if err != nil {
		t.Fatal(err)
	}
	c := j.LatencyCDF
	if len(c.Probabilities) != len(sweep.CDFProbabilities) || len(c.Seconds) != len(c.Probabilities) {
		t.Fatalf("CDF sizes %d, %d", len(c.Probabilities), len(c.Seconds))
	}
	for k, p := range c.Probabilities {
		// the histogram's buckets are within 0.2 %; ranks are ceil(p·N)
		want := math.Max(1, math.Ceil(p*1000)) / 1000
		if math.Abs(c.Seconds[k]-want) > 0.003*want {
			t.Errorf("q(%g) = %g s, want %g s", p, c.Seconds[k], want)
		}
		if k > 0 && c.Seconds[k] < c.Seconds[k-1] {
			t.Errorf("CDF decreases at p = %g", p)
		}
	}
	if j.Params == nil {
		t.Error("no params gives nil, not an empty list (JSON null)")
	}
	if _, err := sweep.NewJob(id, results.Arm{Name: "b"}, &m); err == nil {
		t.Error("NewJob accepted a result of another arm")
	}
	bad := id
	bad.Sweep = ""
	if _, err := sweep.NewJob(bad, results.Arm{Name: "a"}, &m); err == nil || !strings.Contains(err.Error(), "sweep") {
		t.Errorf("NewJob without a sweep id: %v", err)
	}
}

func TestJobsRoundTripInKeyOrder(t *testing.T) {
	jobs := sweeptest.Jobs(2, 3, 4)
	dir := t.TempDir()
	// written in reverse, read back in key order
	for i := len(jobs) - 1; i >= 0; i-- {
		if err := sweep.WriteJob(dir, &jobs[i]); err != nil {
			t.Fatal(err)
		}
	}
	// a write's temporary file is ignored
	if err := os.WriteFile(filepath.Join(dir, "jobs", ".c000-a00-x-r000.json.tmp123"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := sweep.ReadJobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(jobs) {
		t.Fatalf("read %d jobs, wrote %d", len(got), len(jobs))
	}
	for i := range jobs {
		a, _ := results.JSON(&jobs[i])
		b, _ := results.JSON(&got[i])
		if !bytes.Equal(a, b) {
			t.Fatalf("job %d differs after a round trip:\n%s\n%s", i, a, b)
		}
	}
}

func TestReadJobsRefusesBadInput(t *testing.T) {
	jobs := sweeptest.Jobs(1, 2, 2)
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  []string
	}{
		{"no directory", func(t *testing.T, dir string) {}, []string{"no job records"}},
		{"empty directory", func(t *testing.T, dir string) { os.MkdirAll(filepath.Join(dir, "jobs"), 0o755) }, []string{"no job records"}},
		{"corrupt", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs)
			os.WriteFile(sweep.JobPath(dir, 0, 1, jobs[3].ArmName, 1), []byte(`{"format": 1, "tool"`), 0o644)
		}, []string{"c000-a01-strategic-tactical-r001.json", "unexpected EOF"}},
		{"unknown field", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs)
			b, _ := os.ReadFile(sweep.JobPath(dir, 0, 0, jobs[0].ArmName, 0))
			b = bytes.Replace(b, []byte(`"format"`), []byte(`"colour": 1, "format"`), 1)
			os.WriteFile(sweep.JobPath(dir, 0, 0, jobs[0].ArmName, 0), b, 0o644)
		}, []string{"c000-a00-all_baseline-r000.json", `unknown field "colour"`}},
		{"renamed", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs)
			os.Rename(sweep.JobPath(dir, 0, 0, jobs[0].ArmName, 0), filepath.Join(dir, "jobs", "c009-a00-all_baseline-r000.json"))
		}, []string{"c009-a00-all_baseline-r000.json", "holds job c000-a00-all_baseline-r000.json"}},
		{"another scenario", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs)
			j := jobs[2]
			j.ScenarioSHA256 = "0ther"
			writeJobs(t, dir, []sweep.Job{j})
		}, []string{"from scenario", "0ther", "5ca1ab1e", "one sweep"}},
		{"another sweep", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs)
			j := jobs[1]
			j.Sweep = "sweep-other"
			writeJobs(t, dir, []sweep.Job{j})
		}, []string{`sweep "sweep-other"`, "do not merge"}},
		{"arm renamed between shards", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs[:3])
			j := jobs[3]
			j.Strategic = "greenest"
			writeJobs(t, dir, []sweep.Job{j})
		}, []string{"arm 1", "greenest"}},
		{"cell with other parameters", func(t *testing.T, dir string) {
			writeJobs(t, dir, jobs[:2])
			j := jobs[2]
			j.Params = []string{"simulation.slo_ms=999"}
			writeJobs(t, dir, []sweep.Job{j})
		}, []string{"cell 0", "slo_ms=999"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(t, dir)
			_, err := sweep.ReadJobs(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	dir := t.TempDir()
	if _, err := sweep.ReadJobs(dir); !errors.Is(err, sweep.ErrNoJobs) {
		t.Errorf("empty: %v is not ErrNoJobs", err)
	}
}

func TestRowsCSV(t *testing.T) {
	jobs := sweeptest.Jobs(2, 2, 3)
	rows := sweep.NewRows(jobs)
	if len(rows.Values) != len(jobs) {
		t.Fatalf("%d rows for %d jobs", len(rows.Values), len(jobs))
	}
	b, err := rows.CSV()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range rows.Cols {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(recs[0], names) {
		t.Fatalf("header %q", recs[0])
	}
	col := func(name string) int {
		for k, n := range names {
			if n == name {
				return k
			}
		}
		t.Fatalf("no column %q", name)
		return -1
	}
	last := recs[len(recs)-1]
	if last[col("cell")] != "1" || last[col("arm")] != "strategic+tactical" || last[col("replication")] != "2" ||
		last[col("param.simulation.slo_ms")] != "200" || last[col("param.simulation.keep_alive")] != `"10m"` {
		t.Errorf("last row %q", last)
	}
	for i, rec := range recs[1:] {
		for k, c := range rows.Cols {
			v, err := sweep.ParseValue(c.Kind, rec[k])
			if err != nil {
				t.Fatalf("row %d column %s: %v", i, c.Name, err)
			}
			if v != rows.Values[i][k] {
				t.Errorf("row %d column %s: CSV %v, row %v", i, c.Name, v, rows.Values[i][k])
			}
		}
	}
}
