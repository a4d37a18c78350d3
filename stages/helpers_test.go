package stages_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// repoFile is the path of a file of the repository from this package.
func repoFile(name string) string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", name)
}

// run runs pipeline name of the file at path into workspace ws with the
// given overrides and returns the names of the stages that ran.
func run(t *testing.T, path, name, ws string, set ...string) (*pipeline.Result, []string) {
	t.Helper()
	_, res, err := pipelinetest.Run(context.Background(), pipeline.Default(), path,
		pipeline.CompileOptions{Pipeline: name, Workspace: ws, Set: set}, pipeline.Selection{})
	if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	ran := pipelinetest.Ran(res)
	slices.Sort(ran)
	return res, ran
}

// headline returns a stage's headline figures.
func headline(t *testing.T, res *pipeline.Result, stage string) map[string]any {
	t.Helper()
	for _, s := range res.Stages {
		if s.Stage == stage {
			return s.Headline()
		}
	}
	t.Fatalf("no stage %s", stage)
	return nil
}

// table is a Parquet file read back whole.
type table struct {
	rec    arrow.RecordBatch
	schema *arrow.Schema
	kv     map[string]string
}

// readParquet reads a Parquet file into one record batch.
func readParquet(t *testing.T, path string) table {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer pf.Close()
	tb := table{kv: map[string]string{}}
	for _, e := range pf.MetaData().KeyValueMetadata() {
		if e.Value != nil {
			tb.kv[e.Key] = *e.Value
		}
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	at, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, at.NumRows()+1)
	defer tr.Release()
	tb.schema = at.Schema()
	if tr.Next() {
		tb.rec = tr.RecordBatch()
		tb.rec.Retain()
		t.Cleanup(tb.rec.Release)
	}
	return tb
}

// columns returns the table's column names.
func (tb table) columns() []string {
	var names []string
	for _, f := range tb.schema.Fields() {
		names = append(names, f.Name)
	}
	return names
}

// col returns a column by name.
func (tb table) col(t *testing.T, name string) arrow.Array {
	t.Helper()
	idx := tb.schema.FieldIndices(name)
	if len(idx) != 1 || tb.rec == nil {
		t.Fatalf("no column %q in %v", name, tb.columns())
	}
	return tb.rec.Column(idx[0])
}

// rows returns the number of rows.
func (tb table) rows() int {
	if tb.rec == nil {
		return 0
	}
	return int(tb.rec.NumRows())
}

// cachedValue reads the cached JSON value of a stage's value output.
func cachedValue[T any](t *testing.T, g *pipeline.Graph, stage, port string) T {
	t.Helper()
	var v T
	m, err := g.Manifest(stage)
	if err != nil {
		t.Fatal(err)
	}
	vi, ok := m.Values[port]
	if !ok {
		t.Fatalf("stage %s has no cached value %s", stage, port)
	}
	b, err := os.ReadFile(filepath.Join(g.Dir, pipeline.StagesDir, stage, m.Data, vi.Dir, "value.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// compile compiles pipeline name of the file at path.
func compile(t *testing.T, path, name, ws string, set ...string) *pipeline.Graph {
	t.Helper()
	cfg, err := pipeline.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g, err := pipeline.Default().Compile(cfg, pipeline.CompileOptions{Pipeline: name, Workspace: ws, Set: set})
	if err != nil {
		t.Fatal(err)
	}
	return g
}
