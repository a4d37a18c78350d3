package sinks

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// Realistic spike data: go-nogo LIF trials last nt = 20000 steps of
// dt = 5e-5 s (1 s); N = 200 neurons firing at about 12.5 Hz give 50,000
// spikes a trial, in step order within a trial.
const (
	benchSteps          = 20000
	benchNeurons        = 200
	benchSpikesPerTrial = 50000
	benchDt             = 5e-5
)

// spikeTrial appends one trial of realistic spikes to rows, reusing steps
// as scratch, and returns it.
func spikeTrial(rows *SpikeRows, trial int32, rng *rand.Rand, steps []int32) []int32 {
	steps = steps[:0]
	for range benchSpikesPerTrial {
		steps = append(steps, int32(rng.IntN(benchSteps)))
	}
	slices.Sort(steps)
	for _, s := range steps {
		rows.Append(trial, int32(rng.IntN(benchNeurons)), s, float32(float64(s)*benchDt))
	}
	return steps
}

// outputTrial appends one trial of a realistic network output to rows: a
// noisy first-order approach to a random target after the stimulus.
func outputTrial(rows *OutputRows, trial int32, rng *rand.Rand) {
	target, out := rng.Float64(), 0.0
	for s := range int32(benchSteps) {
		goal := 0.0
		if s > benchSteps/2 {
			goal = target
		}
		out += (goal-out)*0.001 + rng.NormFloat64()*0.002
		rows.Append(trial, s, float32(float64(s)*benchDt), float32(out))
	}
}

// parquetFile is a Parquet file read back whole.
type parquetFile struct {
	table  arrow.Table       // the rows, as ReadTable returns them
	schema *arrow.Schema     // the file's schema as pqarrow maps it, with metadata
	kv     map[string]string // the file's key/value metadata
	groups []int64           // rows per row group
}

// readParquet reads a whole Parquet file back with pqarrow.
func readParquet(t testing.TB, path string) parquetFile {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer pf.Close()
	out := parquetFile{kv: map[string]string{}}
	for _, e := range pf.MetaData().KeyValueMetadata() {
		v := ""
		if e.Value != nil {
			v = *e.Value
		}
		out.kv[e.Key] = v
	}
	for i := range pf.NumRowGroups() {
		out.groups = append(out.groups, pf.RowGroup(i).NumRows())
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if out.schema, err = fr.Schema(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if out.table, err = fr.ReadTable(context.Background()); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	t.Cleanup(out.table.Release)
	return out
}

// arrowTypes are the Arrow types of the column types.
var arrowTypes = map[Type]arrow.DataType{
	Int32:   arrow.PrimitiveTypes.Int32,
	Int64:   arrow.PrimitiveTypes.Int64,
	Float32: arrow.PrimitiveTypes.Float32,
	Float64: arrow.PrimitiveTypes.Float64,
	Bool:    arrow.FixedWidthTypes.Boolean,
	String:  arrow.BinaryTypes.String,
}

// toArrow returns the Arrow schema that s should read back as: the same
// names, the Arrow types of the column types, nothing nullable.
func toArrow(s *Schema) *arrow.Schema {
	var fields []arrow.Field
	for _, c := range s.Columns() {
		fields = append(fields, arrow.Field{Name: c.Name, Type: arrowTypes[c.Type]})
	}
	return arrow.NewSchema(fields, nil)
}

// sameColumns reports whether a has the column names, types and
// nullability of b, ignoring metadata (pqarrow adds PARQUET:field_id).
func sameColumns(a *arrow.Schema, b *Schema) bool {
	want := toArrow(b)
	if a.NumFields() != want.NumFields() {
		return false
	}
	for i, f := range a.Fields() {
		g := want.Field(i)
		if f.Name != g.Name || f.Nullable != g.Nullable || !arrow.TypeEqual(f.Type, g.Type) {
			return false
		}
	}
	return true
}

// heapInuse returns the bytes in in-use heap spans (live data and garbage
// not yet swept).
func heapInuse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// tableFile is a writer of a table file: *ParquetWriter or *ArrowStream.
type tableFile interface {
	Write(Table) error
	Abort() error
	Close() error
}

// checkAbortKeepsOldFile creates name over an existing file in a new
// directory with create, writes rows, aborts, and checks that the old file
// is untouched and alone in the directory. It returns the writer and the
// file's path.
func checkAbortKeepsOldFile(t *testing.T, name string, rows Table, create func(path string) (tableFile, error)) (tableFile, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("after Abort the file holds %q, %v; want the old contents", b, err)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{name}) {
		t.Errorf("after Abort the directory holds %v", names)
	}
	return w, path
}
