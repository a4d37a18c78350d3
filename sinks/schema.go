package sinks

import (
	"fmt"
	"strings"
)

// Type is the type of a column. Every column is non-nullable.
type Type uint8

// The column types, with the Go slice that holds a column of each, its
// Parquet physical type and its Arrow type.
const (
	Int32   Type = iota + 1 // []int32; Parquet INT32; Arrow int32
	Int64                   // []int64; Parquet INT64; Arrow int64
	Float32                 // []float32; Parquet FLOAT; Arrow float32
	Float64                 // []float64; Parquet DOUBLE; Arrow float64
	Bool                    // []bool; Parquet BOOLEAN; Arrow bool
	String                  // []string; Parquet BYTE_ARRAY (STRING, UTF8); Arrow utf8
)

var typeNames = [...]string{Int32: "int32", Int64: "int64", Float32: "float32", Float64: "float64", Bool: "bool", String: "string"}

// String returns the type's name: int32, int64, float32, float64, bool or
// string.
func (t Type) String() string {
	if t.valid() {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

func (t Type) valid() bool { return t >= Int32 && t <= String }

// Column describes one column of a table: its name and type.
type Column struct {
	Name string
	Type Type
}

// Schema is the ordered list of a table's columns. It is immutable; the
// tables of this package return shared schemas.
type Schema struct {
	cols []Column
}

// NewSchema returns the schema of the given columns. Names must be non-empty
// and distinct and types valid.
func NewSchema(cols ...Column) (*Schema, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("sinks: schema has no columns")
	}
	seen := make(map[string]bool, len(cols))
	for i, c := range cols {
		switch {
		case c.Name == "":
			return nil, fmt.Errorf("sinks: schema column %d has no name", i)
		case seen[c.Name]:
			return nil, fmt.Errorf("sinks: schema has two columns named %q", c.Name)
		case !c.Type.valid():
			return nil, fmt.Errorf("sinks: schema column %q has invalid type %v", c.Name, c.Type)
		}
		seen[c.Name] = true
	}
	return &Schema{cols: append([]Column(nil), cols...)}, nil
}

// mustSchema is NewSchema for the package's own tables.
func mustSchema(cols ...Column) *Schema {
	s, err := NewSchema(cols...)
	if err != nil {
		panic(err)
	}
	return s
}

// Len returns the number of columns.
func (s *Schema) Len() int { return len(s.cols) }

// Column returns column i.
func (s *Schema) Column(i int) Column { return s.cols[i] }

// Columns returns a copy of the columns.
func (s *Schema) Columns() []Column { return append([]Column(nil), s.cols...) }

// Names returns the column names in order.
func (s *Schema) Names() []string {
	names := make([]string, len(s.cols))
	for i, c := range s.cols {
		names[i] = c.Name
	}
	return names
}

// Equal reports whether s and o have the same columns in the same order.
func (s *Schema) Equal(o *Schema) bool {
	if s == o {
		return true
	}
	if s == nil || o == nil || len(s.cols) != len(o.cols) {
		return false
	}
	for i, c := range s.cols {
		if c != o.cols[i] {
			return false
		}
	}
	return true
}

// String returns the columns as "name type, …".
func (s *Schema) String() string {
	if s == nil {
		return "<nil schema>"
	}
	var b strings.Builder
	for i, c := range s.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name)
		b.WriteByte(' ')
		b.WriteString(c.Type.String())
	}
	return b.String()
}
