package sinks

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Table is a batch of rows of one output table, held column by column in Go
// slices. The writers in this package take any Table; the concrete types
// (SpikeRows, RateRows, OutputRows, TrialRows, NeuronRows, LambdaRows) fix
// the column names and types that users load in pandas or DuckDB.
//
// A Table is filled with its Append method (or by appending to its exported
// column slices directly, keeping them of equal length), handed to a
// writer, and Reset for the next batch; Reset keeps the capacity, so a
// producer that reuses one Table allocates nothing per row.
type Table interface {
	// Name is the table's name, e.g. "spikes"; it appears in errors.
	Name() string
	// Schema is the table's Arrow schema, without metadata. Every column
	// is non-nullable.
	Schema() *arrow.Schema
	// Len is the number of rows in the batch.
	Len() int
	// Reset empties the batch and keeps the capacity of its columns.
	Reset()
	// RecordBatch returns the rows as an Arrow record batch with Schema.
	// Numeric columns share memory with the table and are not copied; the
	// batch stays valid until the table is next modified. The caller
	// releases it. RecordBatch fails when the columns differ in length or a
	// string column exceeds 2 GiB.
	RecordBatch() (arrow.RecordBatch, error)
}

// checkLens returns an error unless every column has n rows; names and lens
// are in schema order.
func checkLens(table string, names []string, lens ...int) error {
	for i, l := range lens {
		if l != lens[0] {
			return fmt.Errorf("sinks: %s: column %s has %d rows, column %s has %d", table, names[i], l, names[0], lens[0])
		}
	}
	return nil
}

// fieldNames lists the column names of s in order.
func fieldNames(s *arrow.Schema) []string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return names
}

// newSchema builds a schema of non-nullable columns.
func newSchema(cols ...arrow.Field) *arrow.Schema {
	for i := range cols {
		cols[i].Nullable = false
	}
	return arrow.NewSchema(cols, nil)
}

// The helpers below build Arrow arrays without nulls. Fixed-width columns
// wrap the Go slice's memory (no copy); strings and booleans, which Arrow
// lays out differently from Go, are encoded into scratch buffers owned by
// the table so that they are reused from batch to batch.

func fixedArray(dt arrow.DataType, n int, b []byte) arrow.Array {
	data := array.NewData(dt, n, []*memory.Buffer{nil, memory.NewBufferBytes(b)}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

func int32Array(v []int32) arrow.Array {
	return fixedArray(arrow.PrimitiveTypes.Int32, len(v), arrow.Int32Traits.CastToBytes(v))
}

func int64Array(v []int64) arrow.Array {
	return fixedArray(arrow.PrimitiveTypes.Int64, len(v), arrow.Int64Traits.CastToBytes(v))
}

func float32Array(v []float32) arrow.Array {
	return fixedArray(arrow.PrimitiveTypes.Float32, len(v), arrow.Float32Traits.CastToBytes(v))
}

func float64Array(v []float64) arrow.Array {
	return fixedArray(arrow.PrimitiveTypes.Float64, len(v), arrow.Float64Traits.CastToBytes(v))
}

// boolScratch holds the bitmap of a boolean column.
type boolScratch struct{ bits []byte }

func (s *boolScratch) array(v []bool) arrow.Array {
	nb := int(bitutil.BytesForBits(int64(len(v))))
	if cap(s.bits) < nb {
		s.bits = make([]byte, nb)
	}
	s.bits = s.bits[:nb]
	clear(s.bits)
	for i, b := range v {
		if b {
			bitutil.SetBit(s.bits, i)
		}
	}
	return fixedArray(arrow.FixedWidthTypes.Boolean, len(v), s.bits)
}

// stringScratch holds the offsets and bytes of a string column.
type stringScratch struct {
	offsets []int32
	data    []byte
}

func (s *stringScratch) array(table, column string, v []string) (arrow.Array, error) {
	s.offsets = append(s.offsets[:0], 0)
	s.data = s.data[:0]
	for _, str := range v {
		if len(s.data)+len(str) > math.MaxInt32 {
			return nil, fmt.Errorf("sinks: %s: column %s holds more than 2 GiB of text", table, column)
		}
		s.data = append(s.data, str...)
		s.offsets = append(s.offsets, int32(len(s.data)))
	}
	data := array.NewData(arrow.BinaryTypes.String, len(v), []*memory.Buffer{
		nil,
		memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(s.offsets)),
		memory.NewBufferBytes(s.data),
	}, nil, 0, 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// recordBatch assembles cols into a record batch of schema s with n rows
// and releases the columns' own references.
func recordBatch(s *arrow.Schema, n int, cols ...arrow.Array) arrow.RecordBatch {
	rec := array.NewRecordBatch(s, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}
