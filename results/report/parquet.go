package report

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/skyfaas/skyfaas/results/series"
	"github.com/skyfaas/skyfaas/results/sweep"
)

// arrowType is the Arrow type of a column kind.
func arrowType(k sweep.Kind) (arrow.DataType, error) {
	switch k {
	case sweep.String:
		return arrow.BinaryTypes.String, nil
	case sweep.Int64:
		return arrow.PrimitiveTypes.Int64, nil
	case sweep.Uint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case sweep.Float64:
		return arrow.PrimitiveTypes.Float64, nil
	}
	return nil, fmt.Errorf("unknown column kind %d", k)
}

// RowsParquet encodes rows as a Parquet file: one typed, non-null column
// per column of the rows (UTF-8 strings, int64, uint64, float64), one row
// group, Snappy-compressed, with meta (sorted by key) as the file's
// key/value metadata. The same rows and meta give the same bytes.
func RowsParquet(rows *sweep.Rows, meta map[string]string) ([]byte, error) {
	fields := make([]arrow.Field, len(rows.Cols))
	for k, c := range rows.Cols {
		t, err := arrowType(c.Kind)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		fields[k] = arrow.Field{Name: c.Name, Type: t}
	}
	schema := series.SchemaWithMeta(fields, meta)

	mem := memory.NewGoAllocator()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, row := range rows.Values {
		for k, v := range row {
			ok := true
			switch fb := b.Field(k).(type) {
			case *array.StringBuilder:
				var s string
				s, ok = v.(string)
				fb.Append(s)
			case *array.Int64Builder:
				var n int64
				n, ok = v.(int64)
				fb.Append(n)
			case *array.Uint64Builder:
				var n uint64
				n, ok = v.(uint64)
				fb.Append(n)
			case *array.Float64Builder:
				var x float64
				x, ok = v.(float64)
				fb.Append(x)
			}
			if !ok {
				return nil, fmt.Errorf("row %d column %s: value %v of type %T", i, rows.Cols[k].Name, v, v)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()

	var buf bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithAllocator(mem), parquet.WithCompression(compress.Codecs.Snappy))
	w, err := pqarrow.NewFileWriter(schema, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		return nil, err
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ReadRowsParquet decodes a file RowsParquet wrote: its rows and its
// metadata (Arrow's own keys left out).
func ReadRowsParquet(data []byte) (*sweep.Rows, map[string]string, error) {
	pf, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	defer pf.Close()
	meta := map[string]string{}
	kv := pf.MetaData().KeyValueMetadata()
	for i, k := range kv.Keys() {
		if k != "ARROW:schema" {
			meta[k] = kv.Values()[i]
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.NewGoAllocator())
	if err != nil {
		return nil, nil, err
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		return nil, nil, err
	}
	defer tbl.Release()
	rows := &sweep.Rows{Values: make([][]any, tbl.NumRows())}
	for i := range rows.Values {
		rows.Values[i] = make([]any, tbl.NumCols())
	}
	for k := range int(tbl.NumCols()) {
		col := tbl.Column(k)
		var kind sweep.Kind
		switch col.DataType().ID() {
		case arrow.STRING:
			kind = sweep.String
		case arrow.INT64:
			kind = sweep.Int64
		case arrow.UINT64:
			kind = sweep.Uint64
		case arrow.FLOAT64:
			kind = sweep.Float64
		default:
			return nil, nil, fmt.Errorf("column %s: type %s", col.Name(), col.DataType())
		}
		rows.Cols = append(rows.Cols, sweep.Column{Name: col.Name(), Kind: kind})
		i := 0
		for _, chunk := range col.Data().Chunks() {
			if chunk.NullN() > 0 {
				return nil, nil, fmt.Errorf("column %s has %d nulls", col.Name(), chunk.NullN())
			}
			for j := range chunk.Len() {
				switch a := chunk.(type) {
				case *array.String:
					rows.Values[i][k] = a.Value(j)
				case *array.Int64:
					rows.Values[i][k] = a.Value(j)
				case *array.Uint64:
					rows.Values[i][k] = a.Value(j)
				case *array.Float64:
					rows.Values[i][k] = a.Value(j)
				default:
					return nil, nil, fmt.Errorf("column %s: array %T", col.Name(), chunk)
				}
				i++
			}
		}
	}
	return rows, meta, nil
}
