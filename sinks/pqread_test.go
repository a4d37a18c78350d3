package sinks

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// asFloats returns a Go column as ReadParquet gives it: numbers as
// float64, strings as they are.
func asFloats(c any) ([]float64, []string) {
	conv := func(n int, at func(int) float64) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = at(i)
		}
		return out
	}
	switch v := c.(type) {
	case []int32:
		return conv(len(v), func(i int) float64 { return float64(v[i]) }), nil
	case []int64:
		return conv(len(v), func(i int) float64 { return float64(v[i]) }), nil
	case []float32:
		return conv(len(v), func(i int) float64 { return float64(v[i]) }), nil
	case []float64:
		return slices.Clone(v), nil
	case []bool:
		return conv(len(v), func(i int) float64 {
			if v[i] {
				return 1
			}
			return 0
		}), nil
	case []string:
		return nil, slices.Clone(v)
	}
	panic(fmt.Sprintf("column of %T", c))
}

// checkRead reads path with ReadParquet and compares it with the columns
// of want.
func checkRead(t *testing.T, path string, names []string, want []any) {
	t.Helper()
	pf, err := ReadParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Columns) != len(want) {
		t.Fatalf("%d columns, want %d", len(pf.Columns), len(want))
	}
	for i, c := range pf.Columns {
		f, s := asFloats(want[i])
		if c.Name != names[i] || !slices.Equal(c.Floats, f) || !slices.Equal(c.Strings, s) {
			t.Errorf("column %d %q: %d numbers %d strings, want %q with %d and %d, or values differ",
				i, c.Name, len(c.Floats), len(c.Strings), names[i], len(f), len(s))
		}
		if int64(len(c.Floats)+len(c.Strings)) != pf.Rows {
			t.Errorf("column %s: %d values for %d rows", c.Name, len(c.Floats)+len(c.Strings), pf.Rows)
		}
	}
}

// TestReadParquetOwnFiles reads back the files this package writes, in
// every codec and encoding it uses, over several row groups.
func TestReadParquetOwnFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var trials TrialRows
	for i := range int32(3000) {
		trials.Append(i, "go-nogo", []string{"go", "nogo"}[rng.IntN(2)], 30, rng.IntN(3) > 0, rng.Int64N(5000), rng.Int64())
	}
	var outputs OutputRows
	outputTrial(&outputs, 0, rng)
	var spikes SpikeRows
	spikeTrial(&spikes, 4, rng, nil)
	plainAll := func(s *Schema) map[string]encoding {
		m := map[string]encoding{}
		for i := range s.Len() {
			m[s.Column(i).Name] = encPlain
		}
		return m
	}
	for _, tb := range []Table{&trials, &outputs, &spikes} {
		for _, comp := range []string{"zstd", "snappy", "gzip", "none"} {
			for _, plain := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/plain=%v", tb.Name(), comp, plain), func(t *testing.T) {
					opts := &ParquetOptions{Compression: comp, RowGroupRows: 1700}
					if plain {
						opts.encodings = plainAll(tb.Schema())
					}
					path := filepath.Join(t.TempDir(), "t.parquet")
					w, err := CreateParquet(path, tb.Schema(), nil, opts)
					if err != nil {
						t.Fatal(err)
					}
					if err := w.Write(tb); err != nil {
						t.Fatal(err)
					}
					if err := w.Close(); err != nil {
						t.Fatal(err)
					}
					var names []string
					for i := range tb.Schema().Len() {
						names = append(names, tb.Schema().Column(i).Name)
					}
					checkRead(t, path, names, tb.Columns(nil))
				})
			}
		}
	}
}

// arrowTable builds a table of every column type ReadParquet takes, with
// nullable fields (OPTIONAL columns, as pandas writes them) or not.
func arrowTable(nullable bool, n int) (arrow.Table, []string, []any) {
	mem := memory.DefaultAllocator
	rng := rand.New(rand.NewPCG(3, 4))
	names := []string{"trial", "u0", "u1", "step", "big", "on", "label"}
	fields := []arrow.Field{
		{Name: "trial", Type: arrow.PrimitiveTypes.Int64}, {Name: "u0", Type: arrow.PrimitiveTypes.Float64},
		{Name: "u1", Type: arrow.PrimitiveTypes.Float32}, {Name: "step", Type: arrow.PrimitiveTypes.Int32},
		{Name: "big", Type: arrow.PrimitiveTypes.Int64}, {Name: "on", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "label", Type: arrow.BinaryTypes.String},
	}
	for i := range fields {
		fields[i].Nullable = nullable
	}
	trial, u0, u1 := make([]int64, n), make([]float64, n), make([]float32, n)
	step, big, on, label := make([]int32, n), make([]int64, n), make([]bool, n), make([]string, n)
	for i := range n {
		trial[i], u0[i], u1[i] = int64(i/201), rng.NormFloat64(), float32(rng.Float64())
		step[i], big[i], on[i] = int32(i%201), rng.Int64N(1<<40)-1<<39, i%201 >= 50 && i%201 < 75
		label[i] = []string{"go", "nogo", "a longer label"}[i/201%3]
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(trial, nil)
	b.Field(1).(*array.Float64Builder).AppendValues(u0, nil)
	b.Field(2).(*array.Float32Builder).AppendValues(u1, nil)
	b.Field(3).(*array.Int32Builder).AppendValues(step, nil)
	b.Field(4).(*array.Int64Builder).AppendValues(big, nil)
	b.Field(5).(*array.BooleanBuilder).AppendValues(on, nil)
	b.Field(6).(*array.StringBuilder).AppendValues(label, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}), names, []any{trial, u0, u1, step, big, on, label}
}

// TestReadParquetArrowFiles reads files arrow-go writes with every option
// the common writers use: OPTIONAL columns, data pages v1 and v2, every
// codec, dictionaries or not, and the delta and byte-stream-split
// encodings.
func TestReadParquetArrowFiles(t *testing.T) {
	codecs := map[string]compress.Compression{"snappy": compress.Codecs.Snappy, "gzip": compress.Codecs.Gzip,
		"zstd": compress.Codecs.Zstd, "lz4raw": compress.Codecs.Lz4Raw, "none": compress.Codecs.Uncompressed}
	type variant struct {
		name  string
		props []parquet.WriterProperty
	}
	variants := []variant{{"dict", nil}, {"plain", []parquet.WriterProperty{parquet.WithDictionaryDefault(false)}},
		{"delta", []parquet.WriterProperty{parquet.WithDictionaryDefault(false),
			parquet.WithEncodingFor("trial", parquet.Encodings.DeltaBinaryPacked), parquet.WithEncodingFor("step", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("big", parquet.Encodings.DeltaBinaryPacked), parquet.WithEncodingFor("label", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("u0", parquet.Encodings.ByteStreamSplit), parquet.WithEncodingFor("u1", parquet.Encodings.ByteStreamSplit)}},
		{"delta-length", []parquet.WriterProperty{parquet.WithDictionaryDefault(false),
			parquet.WithEncodingFor("label", parquet.Encodings.DeltaLengthByteArray), parquet.WithEncodingFor("on", parquet.Encodings.RLE)}},
	}
	for _, nullable := range []bool{true, false} {
		for _, v2 := range []bool{false, true} {
			for cname, codec := range codecs {
				for _, v := range variants {
					name := fmt.Sprintf("nullable=%v/v2=%v/%s/%s", nullable, v2, cname, v.name)
					t.Run(name, func(t *testing.T) {
						tbl, names, want := arrowTable(nullable, 2010)
						defer tbl.Release()
						version := parquet.DataPageV1
						if v2 {
							version = parquet.DataPageV2
						}
						props := append([]parquet.WriterProperty{parquet.WithCompression(codec), parquet.WithDataPageVersion(version),
							parquet.WithMaxRowGroupLength(900), parquet.WithDataPageSize(4096)}, v.props...)
						path := filepath.Join(t.TempDir(), "t.parquet")
						f, err := os.Create(path)
						if err != nil {
							t.Fatal(err)
						}
						if err := pqarrow.WriteTable(tbl, f, 900, parquet.NewWriterProperties(props...), pqarrow.DefaultWriterProps()); err != nil {
							t.Fatal(err)
						}
						checkRead(t, path, names, want)
					})
				}
			}
		}
	}
}

// TestReadParquetRefuses checks the errors for what ReadParquet does not
// read: nulls, nested columns, files that are not Parquet or are cut short.
func TestReadParquetRefuses(t *testing.T) {
	dir := t.TempDir()
	mem := memory.DefaultAllocator
	write := func(name string, rec arrow.RecordBatch) string {
		defer rec.Release()
		path := filepath.Join(dir, name)
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		tbl := array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec})
		defer tbl.Release()
		if err := pqarrow.WriteTable(tbl, f, 1024, nil, pqarrow.DefaultWriterProps()); err != nil {
			t.Fatal(err)
		}
		return path
	}
	nb := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "u0", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil))
	nb.Field(0).(*array.Float64Builder).AppendValues([]float64{1, 2, 3}, []bool{true, false, true})
	nulls := write("nulls.parquet", nb.NewRecordBatch())
	nb.Release()
	lb := array.NewRecordBuilder(mem, arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)}}, nil))
	l := lb.Field(0).(*array.ListBuilder)
	l.Append(true)
	l.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{1, 2}, nil)
	nested := write("nested.parquet", lb.NewRecordBatch())
	lb.Release()

	good, err := os.ReadFile(nulls)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.parquet")
	os.WriteFile(cut, append([]byte("PAR1"), good[len(good)-40:]...), 0o644)
	text := filepath.Join(dir, "text.parquet")
	os.WriteFile(text, []byte("trial,u0\n0,1\n"), 0o644)

	for path, want := range map[string]string{nulls: "null", nested: "flat", cut: "footer", text: "not a Parquet file"} {
		_, err := ReadParquet(path)
		if err == nil || !errors.Is(err, ErrParquet) || !containsAll(err.Error(), want, filepath.Base(path)) {
			t.Errorf("%s: error %v, want one naming the file and %q", filepath.Base(path), err, want)
		}
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// FuzzReadParquet checks that no input makes the reader panic.
func FuzzReadParquet(f *testing.F) {
	tbl, _, _ := arrowTable(true, 300)
	defer tbl.Release()
	for _, v2 := range []parquet.DataPageVersion{parquet.DataPageV1, parquet.DataPageV2} {
		path := filepath.Join(f.TempDir(), "seed.parquet")
		fh, err := os.Create(path)
		if err != nil {
			f.Fatal(err)
		}
		props := parquet.NewWriterProperties(parquet.WithDataPageVersion(v2), parquet.WithCompression(compress.Codecs.Snappy))
		if err := pqarrow.WriteTable(tbl, fh, 300, props, pqarrow.DefaultWriterProps()); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		f.Add(b)
	}
	limits := readLimits
	readLimits.pageBytes, readLimits.values = 1<<20, 1<<14
	f.Cleanup(func() { readLimits = limits })
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := decodeParquet(b)
		if err == nil {
			for _, c := range pf.Columns {
				if int64(len(c.Floats)+len(c.Strings)) != pf.Rows {
					t.Fatalf("column %s: %d values for %d rows", c.Name, len(c.Floats)+len(c.Strings), pf.Rows)
				}
			}
		}
	})
}

// BenchmarkReadParquet reads one trial of realistic spikes (50,000 rows of
// trial, neuron, step, t) written by this package.
func BenchmarkReadParquet(b *testing.B) {
	var spikes SpikeRows
	spikeTrial(&spikes, 0, rand.New(rand.NewPCG(5, 6)), nil)
	path := filepath.Join(b.TempDir(), "spikes.parquet")
	w, err := CreateParquet(path, spikes.Schema(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Write(&spikes); err != nil {
		b.Fatal(err)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadParquet(path); err != nil {
			b.Fatal(err)
		}
	}
}
