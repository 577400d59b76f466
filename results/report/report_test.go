package report_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/skyfaas/skyfaas/internal/sweeptest"
	"github.com/skyfaas/skyfaas/results/report"
	"github.com/skyfaas/skyfaas/results/series"
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

// readTree maps every file under dir/report to its bytes.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(filepath.Join(dir, report.Dir), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestParquetEqualsCSV(t *testing.T) {
	dir := t.TempDir()
	writeJobs(t, dir, sweeptest.Jobs(2, 3, 4))
	if _, err := report.Write(dir, report.Options{}); err != nil {
		t.Fatal(err)
	}
	pq, err := os.ReadFile(filepath.Join(dir, report.Dir, report.RowsParquetFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, meta, err := report.ReadRowsParquet(pq)
	if err != nil {
		t.Fatal(err)
	}
	if meta["scenario"] != "synthetic" || meta["sweep"] != "sweep-test" {
		t.Errorf("metadata %v", meta)
	}
	cb, err := os.ReadFile(filepath.Join(dir, report.Dir, report.RowsCSVFile))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(cb)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(rows.Values) || len(rows.Values) != 24 {
		t.Fatalf("CSV has %d rows, Parquet %d, want 24", len(recs)-1, len(rows.Values))
	}
	for k, c := range rows.Cols {
		if recs[0][k] != c.Name {
			t.Fatalf("column %d: CSV %q, Parquet %q", k, recs[0][k], c.Name)
		}
	}
	kinds := map[sweep.Kind]int{}
	for i, rec := range recs[1:] {
		for k, c := range rows.Cols {
			kinds[c.Kind]++
			v, err := sweep.ParseValue(c.Kind, rec[k])
			if err != nil {
				t.Fatalf("CSV row %d column %s: %v", i, c.Name, err)
			}
			if v != rows.Values[i][k] {
				t.Errorf("row %d column %s: CSV %#v, Parquet %#v", i, c.Name, v, rows.Values[i][k])
			}
		}
	}
	if len(kinds) != 4 {
		t.Errorf("column kinds %v: want strings, int64, uint64 and float64 all tested", kinds)
	}
	// and the Parquet holds what the jobs do
	want := sweep.NewRows(sweeptest.Jobs(2, 3, 4))
	if !reflect.DeepEqual(rows.Values, want.Values) || !reflect.DeepEqual(rows.Cols, want.Cols) {
		t.Error("Parquet rows differ from the jobs' rows")
	}
}

func TestShardsMergeIntoTheSameReport(t *testing.T) {
	jobs := sweeptest.Jobs(2, 3, 3)
	whole, sharded := t.TempDir(), t.TempDir()
	writeJobs(t, whole, jobs)
	// two shards, each writing its share in its own order
	for _, shard := range []int{1, 0} {
		for i := len(jobs) - 1; i >= 0; i-- {
			if i%2 == shard {
				writeJobs(t, sharded, jobs[i:i+1])
			}
		}
	}
	for _, d := range []string{whole, sharded} {
		if _, err := report.Write(d, report.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	a, b := readTree(t, whole), readTree(t, sharded)
	if len(a) != len(b) || len(a) < 5+2*3*2 {
		t.Fatalf("%d files against %d", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between the unsharded and the sharded directory", name)
		}
	}
	// a second report of the same directory gives the same bytes
	if _, err := report.Write(whole, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if again := readTree(t, whole); !reflect.DeepEqual(a, again) {
		t.Error("a second report differs from the first")
	}
}

func TestBadInputOverwritesNothing(t *testing.T) {
	if _, err := report.Write(t.TempDir(), report.Options{}); err == nil || !strings.Contains(err.Error(), "no job records") {
		t.Errorf("empty directory: %v", err)
	}
	dir := t.TempDir()
	writeJobs(t, dir, sweeptest.Jobs(1, 2, 2))
	if _, err := report.Write(dir, report.Options{}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dir)
	other := sweeptest.Jobs(1, 3, 2)[4] // arm 2: a job the directory lacks
	other.Sweep = "another-sweep"
	writeJobs(t, dir, []sweep.Job{other})
	_, err := report.Write(dir, report.Options{})
	if err == nil || !strings.Contains(err.Error(), "another-sweep") {
		t.Fatalf("mixed sweeps: %v", err)
	}
	if after := readTree(t, dir); !reflect.DeepEqual(before, after) {
		t.Error("a refused report changed the files of the previous one")
	}
	if err := os.Remove(sweep.JobPath(dir, other.Cell, other.Arm, other.ArmName, other.Replication)); err != nil {
		t.Fatal(err)
	}
	if _, err := report.Write(dir, report.Options{Reference: "nope"}); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("unknown reference arm: %v", err)
	}
}

func TestSeriesFigureAndStaleFiles(t *testing.T) {
	dir := t.TempDir()
	jobs := sweeptest.Jobs(2, 2, 2)
	writeJobs(t, dir, jobs)
	if err := os.MkdirAll(filepath.Join(dir, sweep.SeriesDir), 0o755); err != nil {
		t.Fatal(err)
	}
	for a := range 2 {
		var rows []sim.SeriesRow
		for iv := range int64(24) {
			rows = append(rows, sim.SeriesRow{Interval: iv, Start: sim.Time(iv * 3600 * 1e6), Arrivals: 100 * iv, ColdStarts: int64(a+1) * iv})
		}
		// cell 1, replication 1 only: the report takes the lowest replication with series
		if err := series.Write(sweep.SeriesPath(dir, 1, a, sweeptest.ArmNames[a], 1), nil, rows); err != nil {
			t.Fatal(err)
		}
	}
	stale := filepath.Join(dir, report.Dir, report.PlotsDir, "metrics-c007.png")
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := report.Write(dir, report.Options{Style: sweep.Bracket})
	if err != nil {
		t.Fatal(err)
	}
	files := strings.Join(r.Files, "\n")
	for _, want := range []string{"series-c001.png", "series-c001.pdf", "pareto-c000.pdf", "cdf-c001.png", "metrics-c000.png"} {
		if !strings.Contains(files, want) {
			t.Errorf("no %s among\n%s", want, files)
		}
	}
	if strings.Contains(files, "series-c000") {
		t.Error("a series figure for a cell without series")
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale figure left: %v", err)
	}
	if !bytes.Contains(r.Text, []byte("[")) {
		t.Error("the bracket style does not show intervals as [lo, hi]")
	}
}
