package sinks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// closeRecorder is a writer that notes whether it was closed.
type closeRecorder struct {
	bytes.Buffer
	closed bool
}

func (c *closeRecorder) Close() error { c.closed = true; return nil }

// readStream reads a whole Arrow IPC stream: its schema and the columns of
// every batch.
func readStream(t testing.TB, data []byte) (*arrow.Schema, []map[string]any) {
	t.Helper()
	r, err := ipc.NewReader(bytes.NewReader(data), ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	defer r.Release()
	var batches []map[string]any
	for r.Next() {
		batches = append(batches, recordColumns(t, r.RecordBatch()))
	}
	if err := r.Err(); err != nil {
		t.Fatalf("read stream: %v", err)
	}
	return r.Schema(), batches
}

// checkMeta checks that schema carries exactly testMeta.
func checkMeta(t *testing.T, schema *arrow.Schema) {
	t.Helper()
	md := schema.Metadata()
	got := map[string]string{}
	for i, k := range md.Keys() {
		got[k] = md.Values()[i]
	}
	if !reflect.DeepEqual(got, testMeta) {
		t.Errorf("stream schema metadata %v, want %v", got, testMeta)
	}
}

func TestArrowStreamRoundTrip(t *testing.T) {
	for _, compression := range []string{"", "none", "zstd", "lz4"} {
		t.Run("compression="+compression, func(t *testing.T) {
			for _, s := range sampleTables() {
				var out closeRecorder
				w, err := NewArrowStream(&out, s.table.Schema(), testMeta, &ArrowOptions{Compression: compression})
				if err != nil {
					t.Fatal(err)
				}
				var n0 int
				for b := range 2 {
					s.table.Reset()
					s.fill(b)
					if b == 0 {
						n0 = s.table.Len()
					}
					if err := w.Write(s.table); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				if out.closed {
					t.Error("Close closed the underlying writer")
				}
				schema, batches := readStream(t, out.Bytes())
				if !schema.Equal(toArrow(s.table.Schema())) {
					t.Errorf("%s: schema %v, want %v", s.table.Name(), schema, s.table.Schema())
				}
				checkMeta(t, schema)
				n := reflect.ValueOf(s.want[schema.Field(0).Name]).Len()
				want := []map[string]any{sliceRange(s.want, 0, n0), sliceRange(s.want, n0, n)}
				if !reflect.DeepEqual(batches, want) {
					t.Errorf("%s: batches\n got %v\nwant %v", s.table.Name(), batches, want)
				}
				if w.Rows() != int64(n) {
					t.Errorf("%s: Rows() = %d, want %d", s.table.Name(), w.Rows(), n)
				}
			}
		})
	}
}

func TestArrowStreamEmpty(t *testing.T) {
	var out bytes.Buffer
	var rows SpikeRows
	w, err := NewArrowStream(&out, rows.Schema(), testMeta, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&rows); err != nil { // no rows: nothing sent
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	schema, batches := readStream(t, out.Bytes())
	if !schema.Equal(toArrow(rows.Schema())) || len(batches) != 0 {
		t.Errorf("read %d batches of %v, want none of %v", len(batches), schema, rows.Schema())
	}
	checkMeta(t, schema)
}

func TestCreateArrowStreamIsReadableWhileWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spikes.arrows")
	var rows SpikeRows
	w, err := CreateArrowStream(path, rows.Schema(), testMeta, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	rows.Append(0, 1, 2, 1e-4)
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	names := dirEntries(t, dir)
	if len(names) != 1 || !strings.HasPrefix(names[0], ".spikes.arrows.tmp-") {
		t.Fatalf("while writing the directory holds %v, want one hidden temporary file", names)
	}
	// A follower reads the first batch before the stream ends.
	f, err := os.Open(filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := ipc.NewReader(f)
	if err != nil {
		t.Fatalf("follow the stream: %v", err)
	}
	if !r.Next() || r.RecordBatch().NumRows() != 1 {
		t.Fatalf("follower did not see the first batch: %v", r.Err())
	}
	r.Release()

	rows.Reset()
	rows.Append(1, 3, 4, 2e-4)
	rows.Append(1, 5, 6, 3e-4)
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"spikes.arrows"}) {
		t.Errorf("after Close the directory holds %v", names)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schema, batches := readStream(t, data)
	checkMeta(t, schema)
	want := []map[string]any{
		{"trial": []int32{0}, "neuron": []int32{1}, "step": []int32{2}, "t": []float32{1e-4}},
		{"trial": []int32{1, 1}, "neuron": []int32{3, 5}, "step": []int32{4, 6}, "t": []float32{2e-4, 3e-4}},
	}
	if !reflect.DeepEqual(batches, want) {
		t.Errorf("batches\n got %v\nwant %v", batches, want)
	}
}

func TestCreateArrowStreamAbort(t *testing.T) {
	var rows RateRows
	rows.Append(0, 0, 0, 0, 200)
	w, path := checkAbortKeepsOldFile(t, "rates.arrows", &rows, func(path string) (tableFile, error) {
		return CreateArrowStream(path, rows.Schema(), nil, nil)
	})
	if err := w.Write(&rows); !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), path) {
		t.Errorf("Write after Abort: %v, want os.ErrClosed naming %s", err, path)
	}
}

func TestArrowStreamErrors(t *testing.T) {
	dir := t.TempDir()
	var spikes SpikeRows
	if _, err := NewArrowStream(&bytes.Buffer{}, spikes.Schema(), nil, &ArrowOptions{Compression: "gzip"}); err == nil ||
		!strings.Contains(err.Error(), `"gzip"`) {
		t.Errorf("unknown compression: %v", err)
	}
	if _, err := NewArrowStream(&bytes.Buffer{}, spikes.Schema(), map[string]string{"ARROW:x": ""}, nil); err == nil {
		t.Error("reserved metadata key: no error")
	}
	missing := filepath.Join(dir, "nope", "s.arrows")
	if _, err := CreateArrowStream(missing, spikes.Schema(), nil, nil); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: %v, want an error naming %s", err, missing)
	}
	bad := filepath.Join(dir, "bad.arrows")
	if _, err := CreateArrowStream(bad, spikes.Schema(), nil, &ArrowOptions{Compression: "gzip"}); err == nil ||
		!strings.Contains(err.Error(), bad) {
		t.Errorf("unknown compression: %v, want an error naming %s", err, bad)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("failed creates left %v", names)
	}

	w, err := NewArrowStream(&bytes.Buffer{}, spikes.Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var trials TrialRows
	trials.Append(0, "go-nogo", "go", 1, true, 2, 3)
	if err := w.Write(&trials); err == nil || !strings.Contains(err.Error(), "trials") {
		t.Errorf("writing trials to a spikes stream: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v, want os.ErrClosed", err)
	}
}

func TestArrowStreamWriteErrorIsSticky(t *testing.T) {
	var rows SpikeRows
	rows.Append(0, 1, 2, 3)
	w, err := NewArrowStream(failWriter{}, rows.Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(&rows); !errors.Is(err, errDiskFull) {
		t.Fatalf("Write: %v, want the writer's error", err)
	}
	if err := w.Write(&rows); !errors.Is(err, errDiskFull) {
		t.Errorf("second Write: %v, want the first error", err)
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close: %v, want the first error", err)
	}
}

func TestArrowStreamCompressionShrinks(t *testing.T) {
	rows := spikeBatches(1)[0]
	size := map[string]int{}
	for _, c := range []string{"none", "zstd", "lz4"} {
		var out bytes.Buffer
		w, err := NewArrowStream(&out, rows.Schema(), nil, &ArrowOptions{Compression: c})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		size[c] = out.Len()
	}
	if size["zstd"] >= size["none"]*3/4 || size["lz4"] >= size["none"] {
		t.Errorf("stream sizes %v: compression did not shrink 50,000 spike rows", size)
	}
}
