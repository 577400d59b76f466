package series

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/skyfaas/skyfaas/policies"
	"github.com/skyfaas/skyfaas/scenarios"
	"github.com/skyfaas/skyfaas/sim"
)

// seriesRows makes n varied rows: every field differs from row to row and
// from the zero value, with edge values (zeros, the largest int32 and
// int64, the smallest positive and the largest float64, empty and non-ASCII
// strings) mixed in.
func seriesRows(n int) []sim.SeriesRow {
	providers := []string{"aws", "azure", "gcp", ""}
	regions := []string{"us-east-1", "", "europe-west4", "東京-1", "eu-central-1"}
	rows := make([]sim.SeriesRow, n)
	for i := range rows {
		k := int64(i)
		rows[i] = sim.SeriesRow{
			Interval:        k,
			Start:           sim.Time(k * 60_000_000),
			Length:          sim.Duration(60_000_000 + k),
			Function:        sim.FunctionID(i * 7),
			App:             int32(i / 3),
			Pool:            int32(i % 11),
			Provider:        providers[i%len(providers)],
			Region:          regions[i%len(regions)],
			MemoryMB:        int32(128 << (i % 5)),
			Arrivals:        k * 1_000_003,
			Starts:          k * 999,
			ColdStarts:      k % 17,
			Completed:       k * 998,
			Failed:          k % 3,
			SLAViolations:   k % 5,
			Busy:            int32(i % 13),
			Idle:            int32(i % 7),
			Starting:        int32(i % 2),
			Provisioned:     int32(i % 4),
			Queued:          int32(i * 31),
			MeanConcurrency: float64(i) / 7,
			MemoryMBInUse:   float64(i) * 128.5,
			GBSeconds:       float64(i) * 0.125,
			CostUSD:         float64(i) * 1.6667e-5,
			CarbonG:         float64(i) * 0.0031,
		}
	}
	if n >= 3 {
		rows[1] = sim.SeriesRow{} // all zero, empty strings
		rows[2] = sim.SeriesRow{
			Interval:        math.MaxInt64,
			Start:           sim.Time(math.MaxInt64),
			Length:          sim.Duration(math.MaxInt64),
			Function:        math.MaxInt32,
			App:             math.MaxInt32,
			Pool:            math.MaxInt32,
			Provider:        strings.Repeat("p", 200),
			Region:          "",
			MemoryMB:        math.MaxInt32,
			Arrivals:        math.MaxInt64,
			Starts:          math.MaxInt64,
			ColdStarts:      math.MaxInt64,
			Completed:       math.MaxInt64,
			Failed:          math.MaxInt64,
			SLAViolations:   math.MaxInt64,
			Busy:            math.MaxInt32,
			Idle:            math.MaxInt32,
			Starting:        math.MaxInt32,
			Provisioned:     math.MaxInt32,
			Queued:          math.MaxInt32,
			MeanConcurrency: math.MaxFloat64,
			MemoryMBInUse:   math.SmallestNonzeroFloat64,
			GBSeconds:       1e300,
			CostUSD:         math.SmallestNonzeroFloat64,
			CarbonG:         math.MaxFloat64,
		}
	}
	return rows
}

func TestSeriesRoundTrip(t *testing.T) {
	meta := map[string]string{"scenario": "azure-2019", "arm": "keepalive-10m", "seed": "42", "version": "0.3.1", "empty": ""}
	for _, n := range []int{0, 1, 3, 347} {
		path := filepath.Join(t.TempDir(), "series.parquet")
		in := seriesRows(n)
		if err := Write(path, meta, in); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		gotMeta, got, err := Read(path)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !reflect.DeepEqual(gotMeta, meta) {
			t.Errorf("n=%d: meta = %v, want %v", n, gotMeta, meta)
		}
		if len(got) != len(in) {
			t.Fatalf("n=%d: read %d rows", n, len(got))
		}
		for i := range in {
			if !reflect.DeepEqual(got[i], in[i]) {
				t.Fatalf("n=%d: row %d = %+v, want %+v", n, i, got[i], in[i])
			}
		}
		// nothing but the file is left in the directory
		ents, err := os.ReadDir(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if len(ents) != 1 || ents[0].Name() != "series.parquet" {
			t.Errorf("n=%d: directory holds %v", n, ents)
		}
	}
}

// TestSeriesManyBatches crosses record-batch (row-group) boundaries.
func TestSeriesManyBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 150k rows")
	}
	path := filepath.Join(t.TempDir(), "big.parquet")
	in := seriesRows(2*BatchRows + 1234)
	if err := Write(path, nil, in); err != nil {
		t.Fatal(err)
	}
	meta, got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta == nil || len(meta) != 0 {
		t.Errorf("meta = %v, want empty and non-nil", meta)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("round trip of %d rows differs", len(in))
	}
}

// TestSeriesOverwrite replaces an existing file.
func TestSeriesOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.parquet")
	if err := Write(path, map[string]string{"arm": "a"}, seriesRows(10)); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, map[string]string{"arm": "b"}, seriesRows(4)); err != nil {
		t.Fatal(err)
	}
	meta, got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["arm"] != "b" || !reflect.DeepEqual(got, seriesRows(4)) {
		t.Errorf("after overwrite: meta %v, %d rows", meta, len(got))
	}
}

func TestSeriesWriteErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "such", "dir", "s.parquet")
	err := Write(missing, nil, seriesRows(5))
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("write into a missing directory: err = %v, want one naming %s", err, missing)
	}
	if _, serr := os.Stat(missing); !os.IsNotExist(serr) {
		t.Errorf("write into a missing directory left %s (stat: %v)", missing, serr)
	}

	// a path that is a directory: the temporary file is written, the
	// rename fails, and the temporary file must go
	target := filepath.Join(dir, "isdir")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Write(target, nil, seriesRows(5))
	if err == nil || !strings.Contains(err.Error(), target) {
		t.Errorf("write over a directory: err = %v, want one naming %s", err, target)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "isdir" {
		t.Errorf("write over a directory left %v", ents)
	}

	err = Write(filepath.Join(dir, "r.parquet"), map[string]string{"ARROW:schema": "x"}, nil)
	if err == nil {
		t.Error("reserved metadata key accepted")
	}
	if _, serr := os.Stat(filepath.Join(dir, "r.parquet")); !os.IsNotExist(serr) {
		t.Errorf("refused write left a file (stat: %v)", serr)
	}

	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	if f, err := os.CreateTemp(ro, "probe"); err == nil { // root ignores modes
		f.Close()
		os.Remove(f.Name())
		t.Log("read-only directory is writable (running as root?): case skipped")
	} else {
		p := filepath.Join(ro, "s.parquet")
		err := Write(p, nil, seriesRows(5))
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("write into a read-only directory: err = %v, want one naming %s", err, p)
		}
		if ents, _ := os.ReadDir(ro); len(ents) != 0 {
			t.Errorf("write into a read-only directory left %v", ents)
		}
	}
}

func TestSeriesReadErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string][]byte{
		"empty.parquet": nil,
		"text.parquet":  []byte("interval,start_us\n1,2\n"),
		"magic.parquet": []byte("PAR1 not really PAR1"),
	}
	for name, data := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		meta, rows, err := Read(p)
		if err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
		if meta != nil || rows != nil {
			t.Errorf("%s: got meta %v and %d rows with the error", name, meta, len(rows))
		}
	}
	missing := filepath.Join(dir, "missing.parquet")
	if _, _, err := Read(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v", err)
	}

	// a truncated series file
	good := filepath.Join(dir, "good.parquet")
	if err := Write(good, nil, seriesRows(50)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.parquet")
	if err := os.WriteFile(cut, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(cut); err == nil || !strings.Contains(err.Error(), cut) {
		t.Errorf("truncated file: err = %v", err)
	}
}

// writeParquet writes a one-row Parquet file whose columns are cols, all
// int64 but for wrongType, which is a string column.
func writeParquet(t *testing.T, path string, cols []string, wrongType string) {
	t.Helper()
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Int64}
		if c == wrongType {
			fields[i].Type = arrow.BinaryTypes.String
		}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	defer b.Release()
	for i := range cols {
		switch fb := b.Field(i).(type) {
		case *array.Int64Builder:
			fb.Append(1)
		case *array.StringBuilder:
			fb.Append("x")
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := pqarrow.NewFileWriter(schema, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSeriesReadSchema(t *testing.T) {
	dir := t.TempDir()
	var names []string
	for _, c := range seriesColumns() {
		names = append(names, c.name)
	}

	missing := filepath.Join(dir, "missing.parquet")
	writeParquet(t, missing, []string{"interval", "start_us"}, "")
	_, _, err := Read(missing)
	if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), `"length_us" missing`) {
		t.Errorf("missing column: err = %v", err)
	}

	// every column is there, interval is int64 and region a string as they
	// should be, but function (int32 in a series file) is int64 here
	wrong := filepath.Join(dir, "wrong.parquet")
	writeParquet(t, wrong, names, "region")
	_, _, err = Read(wrong)
	if err == nil || !strings.Contains(err.Error(), wrong) || !strings.Contains(err.Error(), `"function" is int64, want int32`) {
		t.Errorf("wrong type: err = %v", err)
	}
}

// TestWriterStreams writes rows in uneven chunks across batch boundaries:
// the file equals one written at once; nothing is visible before Close;
// Abort leaves nothing behind.
func TestWriterStreams(t *testing.T) {
	dir := t.TempDir()
	in := seriesRows(2*BatchRows + 17)
	path := filepath.Join(dir, "s.parquet")
	w, err := Create(path, map[string]string{"arm": "a"})
	if err != nil {
		t.Fatal(err)
	}
	for lo, k := 0, 1; lo < len(in); k = k*3 + 1 {
		hi := min(lo+k, len(in))
		if err := w.Record(in[lo:hi]); err != nil {
			t.Fatal(err)
		}
		lo = hi
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the series is visible before Close (stat: %v)", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Record(in[:1]); err == nil {
		t.Error("Record after Close accepted")
	}
	meta, got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["arm"] != "a" || !reflect.DeepEqual(got, in) {
		t.Errorf("streamed series differs: meta %v, %d rows of %d", meta, len(got), len(in))
	}

	aborted := filepath.Join(dir, "aborted.parquet")
	w, err = Create(aborted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Record(in[:BatchRows+1]); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w.Abort()
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "s.parquet" {
		t.Errorf("Abort left %v", ents)
	}
}

// tee keeps a copy of every row and passes them on.
type tee struct {
	rows []sim.SeriesRow
	next sim.Recorder
}

func (t *tee) Record(rows []sim.SeriesRow) error {
	t.rows = append(t.rows, rows...)
	return t.next.Record(rows)
}

// The series of a real run (every operational policy, pre-warms included),
// written as it runs and read back with arrow-go, equals the rows the
// engine handed out.
func TestSeriesOfARunRoundTrips(t *testing.T) {
	plan, err := scenarios.Load("../../scenarios/testdata/golden/every-policy.toml", policies.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range plan.Arms {
		cfg, err := plan.Config(i, plan.Seed(), 0)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%d.parquet", i))
		w, err := Create(path, map[string]string{"arm": plan.Arms[i].Name})
		if err != nil {
			t.Fatal(err)
		}
		rec := &tee{next: w}
		cfg.Recorder = rec
		if _, err := sim.Run(context.Background(), cfg); err != nil {
			w.Abort()
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		_, got, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.rows) == 0 || !reflect.DeepEqual(got, rec.rows) {
			t.Errorf("arm %s: %d rows read back, %d recorded, or they differ", plan.Arms[i].Name, len(got), len(rec.rows))
		}
	}
}

// A non-finite figure is refused and nothing is written.
func TestWriterRefusesNonFinite(t *testing.T) {
	dir := t.TempDir()
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		rows := seriesRows(3)
		rows[2].CostUSD = bad
		path := filepath.Join(dir, "s.parquet")
		err := Write(path, nil, rows)
		if err == nil || !strings.Contains(err.Error(), "cost_usd is") {
			t.Errorf("cost %v: err = %v", bad, err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("cost %v: left %v", bad, ents)
		}
	}
}
