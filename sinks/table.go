package sinks

import "fmt"

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
	// Schema is the table's columns. Every column is non-nullable.
	Schema() *Schema
	// Len is the number of rows in the batch.
	Len() int
	// Reset empties the batch and keeps the capacity of its columns.
	Reset()
	// Columns appends the table's columns to dst in schema order and
	// returns the result. Each is the Go slice that holds the column, not
	// a copy: []int32, []int64, []float32, []float64, []bool or []string
	// according to the column's Type. The writers check that the columns
	// have these types and equal lengths.
	Columns(dst []any) []any
}

// Annotated is implemented by a Table whose batches carry key/value
// metadata for the file they are written into (the tables that embed
// Meta). The table sinks of package kinds add the first batch's metadata
// to the file's.
type Annotated interface {
	Table
	Metadata() map[string]string
}

// Meta is the key/value metadata a batch carries for its file; nil for
// none.
type Meta map[string]string

// Metadata returns m.
func (m Meta) Metadata() map[string]string { return m }

// tableColumns returns the columns of t, checked against schema: one Go
// slice of the column's type per column, all of the same length, which it
// returns too. dst is reused.
func tableColumns(t Table, schema *Schema, dst []any) ([]any, int, error) {
	cols := t.Columns(dst[:0])
	if len(cols) != schema.Len() {
		return cols, 0, fmt.Errorf("sinks: %s: %d columns, want %d (%v)", t.Name(), len(cols), schema.Len(), schema)
	}
	n := 0
	for i, c := range cols {
		l, ok := columnLen(c, schema.Column(i).Type)
		if !ok {
			return cols, 0, fmt.Errorf("sinks: %s: column %s is a %T, want the Go slice of a %v column",
				t.Name(), schema.Column(i).Name, c, schema.Column(i).Type)
		}
		if i == 0 {
			n = l
		} else if l != n {
			return cols, 0, fmt.Errorf("sinks: %s: column %s has %d rows, column %s has %d",
				t.Name(), schema.Column(i).Name, l, schema.Column(0).Name, n)
		}
	}
	return cols, n, nil
}

// columnLen returns the length of c if it is the Go slice of a column of
// type typ.
func columnLen(c any, typ Type) (int, bool) {
	switch v := c.(type) {
	case []int32:
		return len(v), typ == Int32
	case []int64:
		return len(v), typ == Int64
	case []float32:
		return len(v), typ == Float32
	case []float64:
		return len(v), typ == Float64
	case []bool:
		return len(v), typ == Bool
	case []string:
		return len(v), typ == String
	}
	return 0, false
}
