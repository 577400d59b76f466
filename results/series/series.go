// Package series writes and reads the per-interval series (sim.SeriesRow)
// as Parquet with Apache Arrow for Go, readable by pandas and polars as is.
// It is a package of its own so that only the commands that write series
// link arrow-go (it quadruples a binary).
package series

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/skyfaas/skyfaas/sim"
)

// BatchRows is how many rows Write puts in one record batch
// (and so one Parquet row group), and how many Read decodes at a
// time: the memory a write needs beyond its input is one batch, not a
// second copy of the series.
const BatchRows = 64 * 1024

// seriesColumn is one column of the series file: its name, its Arrow type,
// how a row's field is appended to a builder of that type, and how it is
// read back from an array of that type.
type seriesColumn struct {
	name string
	typ  arrow.DataType
	put  func(b array.Builder, r *sim.SeriesRow)
	get  func(a arrow.Array, i int, r *sim.SeriesRow) error
}

func i64Column[T ~int64](name string, field func(*sim.SeriesRow) *T) seriesColumn {
	return seriesColumn{
		name: name,
		typ:  arrow.PrimitiveTypes.Int64,
		put:  func(b array.Builder, r *sim.SeriesRow) { b.(*array.Int64Builder).Append(int64(*field(r))) },
		get: func(a arrow.Array, i int, r *sim.SeriesRow) error {
			v, ok := a.(*array.Int64)
			if !ok {
				return fmt.Errorf("array is %s, want int64", a.DataType())
			}
			*field(r) = T(v.Value(i))
			return nil
		},
	}
}

func i32Column[T ~int32](name string, field func(*sim.SeriesRow) *T) seriesColumn {
	return seriesColumn{
		name: name,
		typ:  arrow.PrimitiveTypes.Int32,
		put:  func(b array.Builder, r *sim.SeriesRow) { b.(*array.Int32Builder).Append(int32(*field(r))) },
		get: func(a arrow.Array, i int, r *sim.SeriesRow) error {
			v, ok := a.(*array.Int32)
			if !ok {
				return fmt.Errorf("array is %s, want int32", a.DataType())
			}
			*field(r) = T(v.Value(i))
			return nil
		},
	}
}

func f64Column(name string, field func(*sim.SeriesRow) *float64) seriesColumn {
	return seriesColumn{
		name: name,
		typ:  arrow.PrimitiveTypes.Float64,
		put:  func(b array.Builder, r *sim.SeriesRow) { b.(*array.Float64Builder).Append(*field(r)) },
		get: func(a arrow.Array, i int, r *sim.SeriesRow) error {
			v, ok := a.(*array.Float64)
			if !ok {
				return fmt.Errorf("array is %s, want float64", a.DataType())
			}
			*field(r) = v.Value(i)
			return nil
		},
	}
}

// strColumn is a UTF-8 column; Parquet dictionary-encodes it on disk (the
// writer's default), so repeated provider and region names cost little.
func strColumn(name string, field func(*sim.SeriesRow) *string) seriesColumn {
	return seriesColumn{
		name: name,
		typ:  arrow.BinaryTypes.String,
		put:  func(b array.Builder, r *sim.SeriesRow) { b.(*array.StringBuilder).Append(*field(r)) },
		get: func(a arrow.Array, i int, r *sim.SeriesRow) error {
			switch v := a.(type) {
			case *array.String:
				*field(r) = v.Value(i)
			case *array.LargeString:
				*field(r) = v.Value(i)
			default:
				return fmt.Errorf("array is %s, want utf8", a.DataType())
			}
			return nil
		},
	}
}

// seriesColumns lists the columns of a series file, in file order: one per
// field of sim.SeriesRow.
func seriesColumns() []seriesColumn {
	return []seriesColumn{
		i64Column("interval", func(r *sim.SeriesRow) *int64 { return &r.Interval }),
		i64Column("start_us", func(r *sim.SeriesRow) *sim.Time { return &r.Start }),
		i64Column("length_us", func(r *sim.SeriesRow) *sim.Duration { return &r.Length }),
		i32Column("function", func(r *sim.SeriesRow) *sim.FunctionID { return &r.Function }),
		i32Column("app", func(r *sim.SeriesRow) *int32 { return &r.App }),
		i32Column("pool", func(r *sim.SeriesRow) *int32 { return &r.Pool }),
		strColumn("provider", func(r *sim.SeriesRow) *string { return &r.Provider }),
		strColumn("region", func(r *sim.SeriesRow) *string { return &r.Region }),
		i32Column("memory_mb", func(r *sim.SeriesRow) *int32 { return &r.MemoryMB }),
		i64Column("arrivals", func(r *sim.SeriesRow) *int64 { return &r.Arrivals }),
		i64Column("starts", func(r *sim.SeriesRow) *int64 { return &r.Starts }),
		i64Column("cold_starts", func(r *sim.SeriesRow) *int64 { return &r.ColdStarts }),
		i64Column("completed", func(r *sim.SeriesRow) *int64 { return &r.Completed }),
		i64Column("failed", func(r *sim.SeriesRow) *int64 { return &r.Failed }),
		i64Column("sla_violations", func(r *sim.SeriesRow) *int64 { return &r.SLAViolations }),
		i32Column("busy", func(r *sim.SeriesRow) *int32 { return &r.Busy }),
		i32Column("idle", func(r *sim.SeriesRow) *int32 { return &r.Idle }),
		i32Column("starting", func(r *sim.SeriesRow) *int32 { return &r.Starting }),
		i32Column("provisioned", func(r *sim.SeriesRow) *int32 { return &r.Provisioned }),
		i32Column("queued", func(r *sim.SeriesRow) *int32 { return &r.Queued }),
		f64Column("mean_concurrency", func(r *sim.SeriesRow) *float64 { return &r.MeanConcurrency }),
		f64Column("memory_mb_in_use", func(r *sim.SeriesRow) *float64 { return &r.MemoryMBInUse }),
		f64Column("gb_seconds", func(r *sim.SeriesRow) *float64 { return &r.GBSeconds }),
		f64Column("cost_usd", func(r *sim.SeriesRow) *float64 { return &r.CostUSD }),
		f64Column("carbon_g", func(r *sim.SeriesRow) *float64 { return &r.CarbonG }),
	}
}

// arrowMetaPrefix is the key prefix Arrow reserves for its own metadata
// (ARROW:schema holds a serialized Arrow schema).
const arrowMetaPrefix = "ARROW:"

// seriesSchema is the Arrow schema of a series file, with meta (sorted by
// key, so the same meta gives the same file) as its metadata.
func seriesSchema(cols []seriesColumn, meta map[string]string) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ, Nullable: false}
	}
	return SchemaWithMeta(fields, meta)
}

// SchemaWithMeta is the Arrow schema of fields with meta as its metadata,
// sorted by key, so that the same meta gives the same file.
func SchemaWithMeta(fields []arrow.Field, meta map[string]string) *arrow.Schema {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = meta[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(fields, &md)
}

// writerOnly hides the file's Close from the Parquet writer, which closes
// an io.Closer it writes to: the file must be synced before it is closed.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

// Writer writes a series to one Parquet file as the rows come: one typed,
// snake_case column per field of sim.SeriesRow (Start and Length in µs as
// start_us and length_us), with the run's metadata (scenario, arm, seed,
// version, ...) kept as the file's key/value metadata, which Arrow readers
// expose as the schema metadata. Rows go out in record batches (Parquet row
// groups) of BatchRows, so a writer holds one batch, never the series.
// It is a sim.Recorder. The file appears only when Close succeeds: rows go
// to a temporary file in the target's directory, which Close syncs and
// renames over the target, and Abort (or a failed Close) removes. A run
// killed midway leaves at most a hidden temporary file, never a truncated
// series under the target's name.
type Writer struct {
	path, tmp string
	f         *os.File
	fw        *pqarrow.FileWriter
	b         *array.RecordBuilder
	cols      []seriesColumn
	n         int // rows in the builder
	err       error
	done      bool
}

var _ sim.Recorder = (*Writer)(nil)

// Create starts a series file at path with meta as its metadata. Keys
// starting with "ARROW:" are reserved and refused.
func Create(path string, meta map[string]string) (*Writer, error) {
	for k := range meta {
		if strings.HasPrefix(k, arrowMetaPrefix) {
			return nil, fmt.Errorf("write series %s: metadata key %q: the %s prefix is reserved", path, k, arrowMetaPrefix)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("write series %s: %w", path, err)
	}
	w := &Writer{path: path, tmp: f.Name(), f: f, cols: seriesColumns()}
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it private
		w.Abort()
		return nil, fmt.Errorf("write series %s: %w", path, err)
	}
	schema := seriesSchema(w.cols, meta)
	mem := memory.NewGoAllocator()
	props := parquet.NewWriterProperties(
		parquet.WithAllocator(mem),
		parquet.WithCompression(compress.Codecs.Snappy),
		parquet.WithDictionaryDefault(false),
		parquet.WithDictionaryFor("provider", true),
		parquet.WithDictionaryFor("region", true),
		parquet.WithMaxRowGroupLength(BatchRows),
	)
	w.fw, err = pqarrow.NewFileWriter(schema, writerOnly{f}, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		w.Abort()
		return nil, fmt.Errorf("write series %s: %w", path, err)
	}
	w.b = array.NewRecordBuilder(mem, schema)
	return w, nil
}

// Record appends rows (sim.Recorder); a full batch is written out.
func (w *Writer) Record(rows []sim.SeriesRow) error {
	if w.err != nil {
		return w.err
	}
	if w.done {
		return fmt.Errorf("write series %s: Record after Close or Abort", w.path)
	}
	for i := range rows {
		if err := finiteRow(&rows[i]); err != nil {
			w.err = fmt.Errorf("write series %s: %w", w.path, err)
			return w.err
		}
	}
	for len(rows) > 0 {
		k := min(len(rows), BatchRows-w.n)
		for j, c := range w.cols {
			fb := w.b.Field(j)
			fb.Reserve(k)
			for i := range rows[:k] {
				c.put(fb, &rows[i])
			}
		}
		w.n += k
		rows = rows[k:]
		if w.n == BatchRows {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush writes the rows in the builder as one record batch.
func (w *Writer) flush() error {
	if w.n == 0 {
		return nil
	}
	rec := w.b.NewRecordBatch()
	err := w.fw.Write(rec)
	rec.Release()
	w.n = 0
	if err != nil {
		w.err = fmt.Errorf("write series %s: %w", w.path, err)
	}
	return w.err
}

// Close writes what is left and puts the file in place; on error nothing
// is left behind.
func (w *Writer) Close() (err error) {
	if w.done {
		return w.err
	}
	defer func() {
		if err != nil {
			w.Abort()
			w.err = err
		}
	}()
	if w.err != nil {
		return w.err
	}
	if err := w.flush(); err != nil {
		return err
	}
	w.done = true
	w.b.Release()
	wrap := func(err error) error { return fmt.Errorf("write series %s: %w", w.path, err) }
	if err := w.fw.Close(); err != nil {
		return wrap(err)
	}
	if err := w.f.Sync(); err != nil {
		return wrap(err)
	}
	f := w.f
	w.f = nil
	if err := f.Close(); err != nil {
		return wrap(err)
	}
	if err := os.Rename(w.tmp, w.path); err != nil {
		return wrap(err)
	}
	w.tmp = ""
	// The rename survives a crash once the directory is synced too.
	if d, derr := os.Open(filepath.Dir(w.path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort drops the file: the temporary file is removed and the target left
// as it was. It is safe after Close (then it does nothing).
func (w *Writer) Abort() {
	if !w.done && w.b != nil {
		w.b.Release()
	}
	w.done = true
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
	if w.tmp != "" {
		os.Remove(w.tmp)
		w.tmp = ""
	}
}

// Write writes rows to path as one series file (see Writer), atomically.
// Zero rows give a valid file holding the schema only.
func Write(path string, meta map[string]string, rows []sim.SeriesRow) error {
	w, err := Create(path, meta)
	if err != nil {
		return err
	}
	if err := w.Record(rows); err != nil {
		w.Abort()
		return err
	}
	return w.Close()
}

// Read reads a file Write wrote: its metadata (never nil) and
// its rows, in file order. Every column of sim.SeriesRow must be present
// with its type and without nulls; extra columns are ignored.
func Read(path string) (meta map[string]string, rows []sim.SeriesRow, err error) {
	defer func() {
		if err != nil {
			meta, rows = nil, nil
			err = fmt.Errorf("read series %s: %w", path, err)
		}
	}()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, nil, err
	}
	defer pf.Close()

	meta = make(map[string]string)
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if !strings.HasPrefix(k, arrowMetaPrefix) {
			meta[k] = kv.Values()[i]
		}
	}

	mem := memory.NewGoAllocator()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: BatchRows}, mem)
	if err != nil {
		return nil, nil, err
	}
	schema, err := fr.Schema()
	if err != nil {
		return nil, nil, err
	}
	cols := seriesColumns()
	indices := make([]int, len(cols))
	for j, c := range cols {
		idx := schema.FieldIndices(c.name)
		if len(idx) == 0 {
			return nil, nil, fmt.Errorf("column %q missing", c.name)
		}
		if len(idx) > 1 {
			return nil, nil, fmt.Errorf("column %q appears %d times", c.name, len(idx))
		}
		got := schema.Field(idx[0]).Type
		if !arrow.TypeEqual(got, c.typ) && !(c.typ.ID() == arrow.STRING && got.ID() == arrow.LARGE_STRING) {
			return nil, nil, fmt.Errorf("column %q is %s, want %s", c.name, got, c.typ)
		}
		// a top-level primitive field is one Parquet leaf column
		indices[j] = pf.MetaData().Schema.ColumnIndexByName(c.name)
		if indices[j] < 0 {
			return nil, nil, fmt.Errorf("column %q is not a top-level leaf column", c.name)
		}
	}

	n := pf.NumRows()
	if n < 0 {
		return nil, nil, fmt.Errorf("negative row count %d", n)
	}
	rows = make([]sim.SeriesRow, 0, n)
	if n == 0 {
		return meta, rows, nil
	}
	rr, err := fr.GetRecordReader(context.Background(), indices, nil)
	if err != nil {
		return nil, nil, err
	}
	defer rr.Release()
	// the reader's own column order, by name
	pos := make([]int, len(cols))
	for j, c := range cols {
		idx := rr.Schema().FieldIndices(c.name)
		if len(idx) != 1 {
			return nil, nil, fmt.Errorf("column %q: the record reader has %d of it", c.name, len(idx))
		}
		pos[j] = idx[0]
	}
	for rr.Next() {
		rec := rr.RecordBatch()
		lo, m := len(rows), int(rec.NumRows())
		rows = append(rows, make([]sim.SeriesRow, m)...)
		for j, c := range cols {
			a := rec.Column(pos[j])
			if a.NullN() > 0 {
				return nil, nil, fmt.Errorf("column %q has %d nulls", c.name, a.NullN())
			}
			for i := 0; i < m; i++ {
				if err := c.get(a, i, &rows[lo+i]); err != nil {
					return nil, nil, fmt.Errorf("column %q: %w", c.name, err)
				}
			}
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	if int64(len(rows)) != n {
		return nil, nil, fmt.Errorf("read %d rows, the footer says %d", len(rows), n)
	}
	return meta, rows, nil
}

// finiteRow refuses a row with a non-finite figure: a NaN or an infinity
// in a series is a model input out of range or a bug, never data.
func finiteRow(r *sim.SeriesRow) error {
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"mean_concurrency", r.MeanConcurrency}, {"memory_mb_in_use", r.MemoryMBInUse}, {"gb_seconds", r.GBSeconds},
		{"cost_usd", r.CostUSD}, {"carbon_g", r.CarbonG}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("interval %d, pool %d: %s is %v, not a finite number (nothing is written)", r.Interval, r.Pool, f.name, f.v)
		}
	}
	return nil
}
