package sinks

import (
	"bufio"
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

var testMeta = map[string]string{
	"spikernn.version": "v0.1.0-test",
	"seed":             "1",
	"stage.key":        "3f2a9c",
	"task":             "go-nogo",
	"lambda":           "45",
}

// dirEntries lists the names in dir.
func dirEntries(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// checkKV checks that the key/value metadata of a file written with
// testMeta holds testMeta's keys and nothing else: no "ARROW:schema"
// entry, which Arrow readers do not need (the Parquet schema maps to the
// table's Arrow types one to one, TestParquetRoundTrip) and which would
// repeat the metadata in an opaque base64 blob among DuckDB's
// parquet_kv_metadata().
func checkKV(t *testing.T, kv map[string]string) {
	t.Helper()
	if !reflect.DeepEqual(kv, testMeta) {
		t.Errorf("file key/value metadata %v, want %v", kv, testMeta)
	}
}

func TestParquetRoundTrip(t *testing.T) {
	for _, s := range sampleTables() {
		t.Run(s.table.Name(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), s.table.Name()+".parquet")
			w, err := CreateParquet(path, s.table.Schema(), testMeta, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort()
			for b := range 2 {
				s.table.Reset()
				s.fill(b)
				if err := w.Write(s.table); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			pf := readParquet(t, path)
			if !sameColumns(pf.schema, s.table.Schema()) || !sameColumns(pf.table.Schema(), s.table.Schema()) {
				t.Errorf("schema read back\n%v\nwant\n%v", pf.schema, s.table.Schema())
			}
			if got := columns(t, pf.table); !reflect.DeepEqual(got, s.want) {
				t.Errorf("columns read back\n got %v\nwant %v", got, s.want)
			}
			checkKV(t, pf.kv)
			if want := int64(reflect.ValueOf(s.want[s.table.Schema().Column(0).Name]).Len()); w.Rows() != want {
				t.Errorf("Rows() = %d, want %d", w.Rows(), want)
			}
		})
	}
}

func TestParquetRowGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spikes.parquet")
	w, err := CreateParquet(path, (&SpikeRows{}).Schema(), nil, &ParquetOptions{RowGroupRows: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var rows SpikeRows
	var want []int32
	for b := range 10 {
		rows.Reset()
		for i := range 350 {
			step := int32(b*350 + i)
			rows.Append(int32(b), int32(i%200), step, float32(step)*5e-5)
			want = append(want, step)
		}
		if err := w.Write(&rows); err != nil {
			t.Fatal(err)
		}
	}
	if w.Rows() != 3500 {
		t.Errorf("Rows() = %d, want 3500", w.Rows())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, path)
	if !slices.Equal(pf.groups, []int64{1000, 1000, 1000, 500}) {
		t.Errorf("row groups %v, want [1000 1000 1000 500]", pf.groups)
	}
	if got := columns(t, pf.table)["step"]; !reflect.DeepEqual(got, want) {
		t.Error("step column read back differs")
	}
}

func TestParquetEncodings(t *testing.T) {
	dir := t.TempDir()
	spikes := filepath.Join(dir, "spikes.parquet")
	writeSpikesFile(t, spikes, 2, nil)
	outputs := filepath.Join(dir, "outputs.parquet")
	writeOutputsFile(t, outputs, 2, nil)
	rates := filepath.Join(dir, "rates.parquet")
	w, err := CreateParquet(rates, (&RateRows{}).Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rr RateRows
	for i := range 1000 {
		rr.Append(0, int32(i%200), int32(i/200), float32(i/200)*0.005, 200)
	}
	if err := w.Write(&rr); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	E := parquet.Encodings
	dict := E.RLEDict
	for _, c := range []struct {
		path string
		want map[string]parquet.Encoding // the data encoding of each column
	}{
		{spikes, map[string]parquet.Encoding{"trial": dict, "neuron": dict, "step": E.DeltaBinaryPacked, "t": E.Plain}},
		{outputs, map[string]parquet.Encoding{"trial": dict, "step": E.DeltaBinaryPacked, "t": E.Plain, "out": E.ByteStreamSplit}},
		{rates, map[string]parquet.Encoding{"trial": dict, "neuron": dict, "bin": dict, "t": dict, "rate_hz": dict}},
	} {
		pf, err := file.OpenParquetFile(c.path, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range pf.MetaData().Schema.NumColumns() {
			name := pf.MetaData().Schema.Column(i).Name()
			cc, err := pf.MetaData().RowGroup(0).ColumnChunk(i)
			if err != nil {
				t.Fatal(err)
			}
			if cc.Compression() != compress.Codecs.Zstd {
				t.Errorf("%s: column %s compressed with %v, want zstd", filepath.Base(c.path), name, cc.Compression())
			}
			encs := cc.Encodings()
			if !slices.Contains(encs, c.want[name]) || (c.want[name] != dict && cc.HasDictionaryPage()) {
				t.Errorf("%s: column %s has encodings %v (dictionary page %v), want %v",
					filepath.Base(c.path), name, encs, cc.HasDictionaryPage(), c.want[name])
			}
		}
		pf.Close()
	}
}

func TestParquetDeterministic(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	for _, p := range []string{a, b} {
		w, err := CreateParquet(p, (&SpikeRows{}).Schema(), testMeta, &ParquetOptions{RowGroupRows: 20000})
		if err != nil {
			t.Fatal(err)
		}
		rows := spikeBatches(1)[0]
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ab, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	bb, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ab, bb) {
		t.Error("two writes of the same rows and metadata differ")
	}
}

func TestParquetEmpty(t *testing.T) {
	for _, s := range sampleTables() {
		path := filepath.Join(t.TempDir(), s.table.Name()+".parquet")
		w, err := CreateParquet(path, s.table.Schema(), testMeta, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(s.table); err != nil { // an empty batch is a no-op
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pf := readParquet(t, path)
		if pf.table.NumRows() != 0 || !sameColumns(pf.schema, s.table.Schema()) {
			t.Errorf("%s: read back %d rows of %v", s.table.Name(), pf.table.NumRows(), pf.schema)
		}
		checkKV(t, pf.kv)
		if len(pf.groups) != 0 {
			t.Errorf("%s: %d row groups, want none", s.table.Name(), len(pf.groups))
		}
	}
}

func TestParquetTempFileAndRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spikes.parquet")
	w, err := CreateParquet(path, (&SpikeRows{}).Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(spikeBatches(1)[0]); err != nil {
		t.Fatal(err)
	}
	names := dirEntries(t, dir)
	if len(names) != 1 || names[0] == "spikes.parquet" || !strings.HasPrefix(names[0], ".spikes.parquet.tmp-") {
		t.Errorf("while writing the directory holds %v, want one hidden temporary file", names)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"spikes.parquet"}) {
		t.Errorf("after Close the directory holds %v", names)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Close: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("Abort after Close removed the file: %v", err)
	}
	err = w.Write(spikeBatches(1)[0])
	if !errors.Is(err, os.ErrClosed) || !strings.Contains(err.Error(), path) {
		t.Errorf("Write after Close: %v, want os.ErrClosed naming %s", err, path)
	}
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close: %v, want os.ErrClosed", err)
	}
}

func TestParquetAbortKeepsOldFile(t *testing.T) {
	var rows NeuronRows
	rows.Append(0, "E", 20)
	w, _ := checkAbortKeepsOldFile(t, "neurons.parquet", &rows, func(path string) (tableFile, error) {
		return CreateParquet(path, rows.Schema(), nil, nil)
	})
	if err := w.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close after Abort: %v, want os.ErrClosed", err)
	}
}

func TestParquetCreateErrors(t *testing.T) {
	dir := t.TempDir()
	spikes := (&SpikeRows{}).Schema()
	for _, c := range []struct {
		name   string
		path   string
		meta   map[string]string
		opts   *ParquetOptions
		expect []string
	}{
		{"missing directory", filepath.Join(dir, "nope", "x.parquet"), nil, nil, []string{"nope/x.parquet", "no such file"}},
		{"directory as path", dir + "/", nil, nil, []string{"not a file name"}},
		{"reserved key", filepath.Join(dir, "x.parquet"), map[string]string{"ARROW:schema": "x"}, nil, []string{"x.parquet", "reserved"}},
		{"empty key", filepath.Join(dir, "x.parquet"), map[string]string{"": "x"}, nil, []string{"x.parquet", "empty"}},
		{"unknown compression", filepath.Join(dir, "x.parquet"), nil, &ParquetOptions{Compression: "brotli"}, []string{"x.parquet", `"brotli"`, "zstd"}},
		{"negative row groups", filepath.Join(dir, "x.parquet"), nil, &ParquetOptions{RowGroupRows: -1}, []string{"x.parquet", "RowGroupRows"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, err := CreateParquet(c.path, spikes, c.meta, c.opts)
			if err == nil {
				w.Abort()
				t.Fatal("no error")
			}
			for _, e := range c.expect {
				if !strings.Contains(err.Error(), e) {
					t.Errorf("error %q does not mention %q", err, e)
				}
			}
		})
	}
	if _, err := CreateParquet(filepath.Join(dir, "x.parquet"), nil, nil, nil); err == nil {
		t.Error("nil schema: no error")
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("failed creates left %v", names)
	}
}

func TestParquetWriteRejectsOtherTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spikes.parquet")
	w, err := CreateParquet(path, (&SpikeRows{}).Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var rates RateRows
	rates.Append(0, 0, 0, 0, 0)
	err = w.Write(&rates)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "rates") {
		t.Errorf("error %v, want one naming %s and table rates", err, path)
	}
	bad := SpikeRows{Trial: []int32{1}, Neuron: []int32{1}, Step: []int32{1}}
	err = w.Write(&bad)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "column t") {
		t.Errorf("error %v, want one naming %s and column t", err, path)
	}
	// Neither mistake wrote anything, so the writer goes on.
	var rows SpikeRows
	rows.Append(1, 2, 3, 4)
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if pf := readParquet(t, path); pf.table.NumRows() != 1 {
		t.Errorf("read back %d rows, want 1", pf.table.NumRows())
	}
}

// failWriter fails every write.
type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestParquetWriteErrorIsSticky(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spikes.parquet")
	w, err := CreateParquet(path, (&SpikeRows{}).Schema(), nil, &ParquetOptions{RowGroupRows: 100})
	if err != nil {
		t.Fatal(err)
	}
	w.file.buf = bufio.NewWriterSize(failWriter{}, 16) // the disk fills up
	var rows SpikeRows
	for i := range 250 {
		rows.Append(0, 1, int32(i), 0)
	}
	err = w.Write(&rows) // closes two row groups, which must reach the disk
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Write: %v, want the disk's error naming %s", err, path)
	}
	if err2 := w.Write(&rows); !errors.Is(err2, errDiskFull) {
		t.Errorf("second Write: %v, want the first error", err2)
	}
	if err := w.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close: %v, want the first error", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("a failed write left %v", names)
	}
}

func TestParquetCommitError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "spikes.parquet")
	w, err := CreateParquet(path, (&SpikeRows{}).Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var rows SpikeRows
	rows.Append(0, 1, 2, 3)
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	w.file.buf = bufio.NewWriterSize(failWriter{}, 16)
	err = w.Close()
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), path) {
		t.Errorf("Close: %v, want the disk's error naming %s", err, path)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("a failed Close left %v", names)
	}
}

// liveHeap returns the bytes of live heap objects; the second GC frees what
// the first moved into sync.Pool victim caches.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestParquetMemoryFlat writes 2 M spike rows in row groups of 250,000 and
// checks, after every batch, that the live heap does not grow with the rows
// written: a writer that kept even the compressed rows (~2 MB per million)
// fails it, and one that kept the rows (16 MB per million) too.
func TestParquetMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2 M rows")
	}
	src := spikeBatches(5)
	path := filepath.Join(t.TempDir(), "spikes.parquet")
	// The zstd encoders are shared by every writer and made once per
	// process: write a file first so that they exist before the start.
	writeSpikesFile(t, path, 1, nil)
	base := liveHeap()
	w, err := CreateParquet(path, src[0].Schema(), nil, &ParquetOptions{RowGroupRows: 250000})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	const batches = 40 // of 50,000 rows
	live := make([]uint64, batches)
	for i := range batches {
		s := src[i%len(src)]
		relabel(s, int32(i))
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
		live[i] = liveHeap()
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	// The writer's buffers grow to their size in the first row group
	// (batches 0-4). After that the live heap rises and falls with each
	// row group; compare the lowest points of the rest of the first
	// million rows and of the second, which transient allocations cannot
	// raise.
	first, second := slices.Min(live[5:batches/2]), slices.Min(live[batches/2:])
	peak := slices.Max(live)
	const MiB = 1 << 20
	t.Logf("live heap above the start: at least %.1f MiB in rows 250,000 to 1 M, %.1f MiB in the second; peak %.1f MiB",
		float64(first-base)/MiB, float64(second-base)/MiB, float64(peak-base)/MiB)
	if second > first+MiB {
		t.Errorf("live heap grew from %.1f MiB to %.1f MiB between the first and the second million rows",
			float64(first-base)/MiB, float64(second-base)/MiB)
	}
	if peak-base > 32*MiB {
		t.Errorf("writer holds %.1f MiB for row groups of 250,000 rows", float64(peak-base)/MiB)
	}
}

// TestParquetManyTrials writes 100 realistic trials and checks the rows
// per trial read back; it also logs the file size.
func TestParquetManyTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 5 M rows")
	}
	path := filepath.Join(t.TempDir(), "spikes.parquet")
	writeSpikesFile(t, path, 100, nil)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("5 M realistic spike rows: %.2f MB", float64(fi.Size())/1e6)
	pf := readParquet(t, path)
	if pf.table.NumRows() != 100*benchSpikesPerTrial {
		t.Fatalf("read back %d rows", pf.table.NumRows())
	}
	if len(pf.groups) != 5 {
		t.Errorf("%d row groups, want 5 of up to %d rows", len(pf.groups), DefaultRowGroupRows)
	}
	cols := columns(t, pf.table)
	trials, steps, ts := cols["trial"].([]int32), cols["step"].([]int32), cols["t"].([]float32)
	// Regenerate the same data and compare.
	rng := rand.New(rand.NewPCG(1, 2))
	var rows SpikeRows
	var scratch []int32
	for trial := range int32(100) {
		rows.Reset()
		scratch = spikeTrial(&rows, trial, rng, scratch)
		lo := int(trial) * benchSpikesPerTrial
		if !slices.Equal(trials[lo:lo+rows.Len()], rows.Trial) || !slices.Equal(steps[lo:lo+rows.Len()], rows.Step) ||
			!slices.Equal(ts[lo:lo+rows.Len()], rows.T) || !slices.Equal(cols["neuron"].([]int32)[lo:lo+rows.Len()], rows.Neuron) {
			t.Fatalf("trial %d read back differs", trial)
		}
	}
}
