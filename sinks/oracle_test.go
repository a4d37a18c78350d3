package sinks

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// The tests in this file use arrow-go, an independent implementation of
// both formats, as the oracle: whatever the writers write, arrow-go's
// Parquet and Arrow IPC readers must read back with the same values, types
// and metadata.

// edgeStrings are strings a column must carry unchanged: empty, multibyte
// UTF-8, a NUL byte, a long one.
var edgeStrings = []string{"", "go", "nogo", "λ", "日本語テキスト", "emoji 🧠⚡", "tab\tand\nnewline", "nul\x00byte",
	"é", "z", strings.Repeat("long ", 300)}

// fillRandom appends n random rows to t (one of the package's tables),
// column by column through its exported slices: runs of repeated values
// and single values, extremes (MinInt32, NaN, ±Inf, -0, edge strings)
// among ordinary ones, so that every encoding meets runs, literals, wide
// and narrow deltas and exotic bit patterns.
func fillRandom(t Table, n int, rng *rand.Rand) {
	v := reflect.ValueOf(t).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || f.Kind() != reflect.Slice {
			continue
		}
		for k := 0; k < n; {
			run := 1
			if rng.IntN(3) == 0 {
				run = 1 + rng.IntN(20)
			}
			x := randomValue(f.Type().Elem().Kind(), rng)
			for ; run > 0 && k < n; run-- {
				f.Set(reflect.Append(f, x))
				k++
			}
		}
	}
}

func randomValue(kind reflect.Kind, rng *rand.Rand) reflect.Value {
	edge := rng.IntN(8) == 0
	switch kind {
	case reflect.Int32:
		if edge {
			return reflect.ValueOf([]int32{math.MinInt32, math.MaxInt32, 0, -1, 1}[rng.IntN(5)])
		}
		return reflect.ValueOf(int32(rng.IntN(300)) - 20)
	case reflect.Int64:
		if edge {
			return reflect.ValueOf([]int64{math.MinInt64, math.MaxInt64, 0, -1, 1 << 40}[rng.IntN(5)])
		}
		return reflect.ValueOf(rng.Int64N(1<<34) - 1<<20)
	case reflect.Float32:
		if edge {
			return reflect.ValueOf([]float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)),
				float32(math.Copysign(0, -1)), 0, math.SmallestNonzeroFloat32, math.MaxFloat32}[rng.IntN(7)])
		}
		return reflect.ValueOf(float32(rng.IntN(1000)) * 0.005)
	case reflect.Float64:
		if edge {
			return reflect.ValueOf([]float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
				math.SmallestNonzeroFloat64, -math.MaxFloat64}[rng.IntN(7)])
		}
		return reflect.ValueOf(rng.NormFloat64() * 50)
	case reflect.Bool:
		return reflect.ValueOf(rng.IntN(2) == 0)
	case reflect.String:
		if edge {
			return reflect.ValueOf(edgeStrings[rng.IntN(len(edgeStrings))])
		}
		return reflect.ValueOf(fmt.Sprintf("s%d", rng.IntN(50)))
	}
	panic(kind)
}

// comparable turns float columns into their bits, so that NaNs compare
// equal to themselves and -0 differs from +0.
func comparableColumns(cols map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range cols {
		switch v := v.(type) {
		case []float32:
			b := make([]uint32, len(v))
			for i, x := range v {
				b[i] = math.Float32bits(x)
			}
			out[k] = b
		case []float64:
			b := make([]uint64, len(v))
			for i, x := range v {
				b[i] = math.Float64bits(x)
			}
			out[k] = b
		default:
			out[k] = v
		}
	}
	return out
}

// tableMap returns the columns of t by name.
func tableMap(t Table) map[string]any {
	out := map[string]any{}
	for i, c := range t.Columns(nil) {
		out[t.Schema().Column(i).Name] = c
	}
	return out
}

// appendColumns appends the columns of t to acc, by name.
func appendColumns(acc map[string]any, t Table) {
	for k, v := range tableMap(t) {
		if acc[k] == nil {
			acc[k] = reflect.MakeSlice(reflect.TypeOf(v), 0, 0).Interface()
		}
		acc[k] = reflect.AppendSlice(reflect.ValueOf(acc[k]), reflect.ValueOf(v)).Interface()
	}
}

// otherEncodings overrides every column with the encoding that the
// defaults do not give its type: DELTA_BINARY_PACKED for integers,
// BYTE_STREAM_SPLIT for floats, PLAIN for strings.
func otherEncodings(s *Schema) map[string]encoding {
	m := map[string]encoding{}
	for _, c := range s.Columns() {
		switch c.Type {
		case Int32, Int64:
			m[c.Name] = encDelta
		case Float32, Float64:
			m[c.Name] = encBSS
		default:
			m[c.Name] = encPlain
		}
	}
	return m
}

// allEncodings overrides every column with enc where it applies.
func allEncodings(s *Schema, enc encoding) map[string]encoding {
	m := map[string]encoding{}
	for _, c := range s.Columns() {
		if c.Type != Bool {
			m[c.Name] = enc
		}
	}
	return m
}

// TestParquetRandomRoundTrip writes random batches of every table with
// every encoding and codec in row groups of 1,000 rows, and checks that
// arrow-go reads back the same values bit for bit, row group by row group.
func TestParquetRandomRoundTrip(t *testing.T) {
	for _, s := range sampleTables() {
		schema := s.table.Schema()
		configs := []struct {
			name string
			opts ParquetOptions
		}{
			{"default", ParquetOptions{}},
			{"plain", ParquetOptions{encodings: allEncodings(schema, encPlain), Compression: "snappy"}},
			{"dictionary", ParquetOptions{encodings: allEncodings(schema, encRLEDict), Compression: "gzip"}},
			{"delta-bss", ParquetOptions{encodings: otherEncodings(schema), Compression: "none"}},
			{"zstd-9", ParquetOptions{CompressionLevel: 9}},
		}
		for _, c := range configs {
			t.Run(s.table.Name()+"/"+c.name, func(t *testing.T) {
				rng := rand.New(rand.NewPCG(3, uint64(len(c.name))))
				path := filepath.Join(t.TempDir(), "x.parquet")
				opts := c.opts
				opts.RowGroupRows = 1000
				w, err := CreateParquet(path, schema, testMeta, &opts)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Abort()
				want := map[string]any{}
				for _, n := range []int{1, 999, 7, 2500, 0, 493} {
					s.table.Reset()
					fillRandom(s.table, n, rng)
					appendColumns(want, s.table)
					if err := w.Write(s.table); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				pf := readParquet(t, path)
				if !slices.Equal(pf.groups, []int64{1000, 1000, 1000, 1000}) {
					t.Errorf("row groups %v, want 4 of 1000", pf.groups)
				}
				if !sameColumns(pf.schema, schema) {
					t.Errorf("schema read back %v, want %v", pf.schema, schema)
				}
				got := columns(t, pf.table)
				if !reflect.DeepEqual(comparableColumns(got), comparableColumns(want)) {
					for k := range want {
						if !reflect.DeepEqual(comparableColumns(got)[k], comparableColumns(want)[k]) {
							t.Errorf("column %s read back differs", k)
						}
					}
				}
				checkKV(t, pf.kv)
				checkStatistics(t, path, want)
			})
		}
	}
}

// checkStatistics checks the min, max and null count of every column chunk
// of the Parquet file at path against the column values in want, read
// with arrow-go.
func checkStatistics(t *testing.T, path string, want map[string]any) {
	t.Helper()
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	md := pf.MetaData()
	var row int
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		n := int(rg.NumRows())
		for i := range md.Schema.NumColumns() {
			name := md.Schema.Column(i).Name()
			cc, err := rg.ColumnChunk(i)
			if err != nil {
				t.Fatal(err)
			}
			st, err := cc.Statistics()
			if err != nil || st == nil {
				t.Fatalf("row group %d column %s: statistics %v, %v", g, name, st, err)
			}
			if !st.HasNullCount() || st.NullCount() != 0 {
				t.Errorf("row group %d column %s: null count %d (set %v), want 0", g, name, st.NullCount(), st.HasNullCount())
			}
			lo, hi, ok := minMax(reflect.ValueOf(want[name]).Slice(row, row+n).Interface())
			var gotLo, gotHi any
			switch st := st.(type) {
			case *metadata.Int32Statistics:
				gotLo, gotHi = st.Min(), st.Max()
			case *metadata.Int64Statistics:
				gotLo, gotHi = st.Min(), st.Max()
			case *metadata.Float32Statistics:
				gotLo, gotHi = st.Min(), st.Max()
			case *metadata.Float64Statistics:
				gotLo, gotHi = st.Min(), st.Max()
			case *metadata.BooleanStatistics:
				gotLo, gotHi = st.Min(), st.Max()
			case *metadata.ByteArrayStatistics:
				gotLo, gotHi = string(st.Min()), string(st.Max())
			}
			if st.HasMinMax() != ok || ok && (fmt.Sprint(gotLo) != fmt.Sprint(lo) || fmt.Sprint(gotHi) != fmt.Sprint(hi)) {
				t.Errorf("row group %d column %s: min, max %v %v (set %v), want %v %v (%v)",
					g, name, gotLo, gotHi, st.HasMinMax(), lo, hi, ok)
			}
		}
		row += n
	}
}

// minMax returns the least and greatest values of a column, NaNs left out,
// a zero min as -0 and a zero max as +0, as the format asks; ok is false
// when there are none, or for strings longer than the writer keeps.
func minMax(col any) (lo, hi any, ok bool) {
	switch v := col.(type) {
	case []int32:
		return slices.Min(v), slices.Max(v), true
	case []int64:
		return slices.Min(v), slices.Max(v), true
	case []string:
		l, h := slices.Min(v), slices.Max(v)
		return l, h, len(l) <= maxStatBytes && len(h) <= maxStatBytes
	case []bool:
		return !slices.Contains(v, false), slices.Contains(v, true), true
	case []float32:
		var f []float64
		for _, x := range v {
			f = append(f, float64(x))
		}
		l, h, ok := minMax(f)
		if !ok {
			return nil, nil, false
		}
		return float32(l.(float64)), float32(h.(float64)), true
	case []float64:
		var f []float64
		for _, x := range v {
			if !math.IsNaN(x) {
				f = append(f, x)
			}
		}
		if len(f) == 0 {
			return nil, nil, false
		}
		l, h := slices.Min(f), slices.Max(f)
		if l == 0 {
			l = math.Copysign(0, -1)
		}
		if h == 0 {
			h = 0
		}
		return l, h, true
	}
	panic(col)
}

// TestParquetSchema checks the Parquet schema and footer fields that
// readers rely on: physical types, REQUIRED repetition, the STRING logical
// type and UTF8 converted type of strings, the writer's name and the
// column orders.
func TestParquetSchema(t *testing.T) {
	physical := map[Type]parquet.Type{Int32: parquet.Types.Int32, Int64: parquet.Types.Int64, Float32: parquet.Types.Float,
		Float64: parquet.Types.Double, Bool: parquet.Types.Boolean, String: parquet.Types.ByteArray}
	for _, s := range sampleTables() {
		path := filepath.Join(t.TempDir(), s.table.Name()+".parquet")
		w, err := CreateParquet(path, s.table.Schema(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		s.fill(0)
		if err := w.Write(s.table); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pf, err := file.OpenParquetFile(path, false)
		if err != nil {
			t.Fatal(err)
		}
		md := pf.MetaData()
		if v := md.WriterVersion(); v.App != "spikernn-sinks" || v.Version.Major != 2 {
			t.Errorf("%s: created_by parsed as %+v", s.table.Name(), v)
		}
		for i, c := range s.table.Schema().Columns() {
			col := md.Schema.Column(i)
			if col.Name() != c.Name || col.PhysicalType() != physical[c.Type] ||
				col.SchemaNode().RepetitionType() != parquet.Repetitions.Required || col.MaxDefinitionLevel() != 0 {
				t.Errorf("%s: column %d is %v, want %s %v REQUIRED", s.table.Name(), i, col, c.Name, physical[c.Type])
			}
			if col.ColumnOrder() != parquet.ColumnOrders.TypeDefinedOrder {
				t.Errorf("%s: column %s has order %v", s.table.Name(), c.Name, col.ColumnOrder())
			}
			str := c.Type == String
			if _, ok := col.LogicalType().(schema.StringLogicalType); ok != str ||
				(col.ConvertedType() == schema.ConvertedTypes.UTF8) != str {
				t.Errorf("%s: column %s has logical type %v, converted type %v", s.table.Name(), c.Name,
					col.LogicalType(), col.ConvertedType())
			}
		}
		pf.Close()
	}
}

// TestParquetDictionaryFallback writes more distinct strings than a 1 MiB
// dictionary holds into one row group: the first pages are dictionary
// encoded, the rest PLAIN, and every value reads back.
func TestParquetDictionaryFallback(t *testing.T) {
	path := filepath.Join(t.TempDir(), "neurons.parquet")
	w, err := CreateParquet(path, neuronsSchema, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var rows NeuronRows
	const n = 200000 // × ~20 bytes: 4 MB of distinct strings
	for i := range n {
		rows.Append(int32(i), fmt.Sprintf("neuron-%08d-λ", i), float64(i))
	}
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, path)
	if got := columns(t, pf.table); !reflect.DeepEqual(got, tableMap(&rows)) {
		t.Error("columns read back differ")
	}
	f, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cc, err := f.MetaData().RowGroup(0).ColumnChunk(1)
	if err != nil {
		t.Fatal(err)
	}
	var dictPages, plainPages int
	for _, es := range cc.EncodingStats() {
		switch {
		case es.PageType == 2: // dictionary page
			dictPages++
		case es.Encoding == parquet.Encodings.Plain:
			plainPages++
		}
	}
	if !cc.HasDictionaryPage() || dictPages != 1 || plainPages == 0 ||
		!slices.Contains(cc.Encodings(), parquet.Encodings.RLEDict) || !slices.Contains(cc.Encodings(), parquet.Encodings.Plain) {
		t.Errorf("type column: encodings %v, encoding stats %+v; want a dictionary then PLAIN pages",
			cc.Encodings(), cc.EncodingStats())
	}
}

// TestParquetBigDictionaryInt32 covers the int32 dictionary's paths:
// small values (the direct table), large and negative ones (the map).
func TestParquetBigDictionaryInt32(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rates.parquet")
	w, err := CreateParquet(path, ratesSchema, nil, &ParquetOptions{RowGroupRows: 70000})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	var rows RateRows
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 200000 {
		rows.Append(int32(i/1000), int32(rng.IntN(1<<17))-1000, int32(i%200), float32(i%200)*0.005, float32(rng.IntN(5))*200)
	}
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf := readParquet(t, path)
	if got := columns(t, pf.table); !reflect.DeepEqual(got, tableMap(&rows)) {
		t.Error("columns read back differ")
	}
	checkStatistics(t, path, tableMap(&rows))
}

// TestArrowStreamRandomRoundTrip writes random batches of every table with
// every body compression and checks that arrow-go's IPC reader reads the
// same batches back.
func TestArrowStreamRandomRoundTrip(t *testing.T) {
	for _, compression := range []string{"none", "zstd", "lz4"} {
		for _, s := range sampleTables() {
			t.Run(compression+"/"+s.table.Name(), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(7, 8))
				var out bytes.Buffer
				w, err := NewArrowStream(&out, s.table.Schema(), testMeta, &ArrowOptions{Compression: compression})
				if err != nil {
					t.Fatal(err)
				}
				var want []map[string]any
				for _, n := range []int{1, 999, 0, 7, 3000, 64} {
					s.table.Reset()
					fillRandom(s.table, n, rng)
					if n > 0 {
						batch := map[string]any{} // a copy: the table's slices are reused
						appendColumns(batch, s.table)
						want = append(want, comparableColumns(batch))
					}
					if err := w.Write(s.table); err != nil {
						t.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				schema, batches := readStream(t, out.Bytes())
				if !schema.Equal(toArrow(s.table.Schema())) {
					t.Errorf("schema %v, want %v", schema, s.table.Schema())
				}
				checkMeta(t, schema)
				if len(batches) != len(want) {
					t.Fatalf("%d batches, want %d", len(batches), len(want))
				}
				for i := range batches {
					if !reflect.DeepEqual(comparableColumns(batches[i]), want[i]) {
						t.Errorf("batch %d read back differs", i)
					}
				}
			})
		}
	}
}

// TestArrowStreamLayout checks the framing that every reader depends on:
// each message starts with the continuation marker and a metadata length
// that keeps the body 8-byte aligned, and the stream ends with the
// end-of-stream marker.
func TestArrowStreamLayout(t *testing.T) {
	var out bytes.Buffer
	rows := spikeBatches(1)[0]
	w, err := NewArrowStream(&out, rows.Schema(), testMeta, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b := out.Bytes()
	if !bytes.HasSuffix(b, []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}) {
		t.Errorf("stream ends with % x, want the end-of-stream marker", b[len(b)-8:])
	}
	if len(b)%8 != 0 {
		t.Errorf("stream of %d bytes, not a multiple of 8", len(b))
	}
	// Walk the messages: schema, three batches of 4 columns × 16 bytes of
	// buffers + a body of 50,000 × 16 bytes.
	var msgs int
	for off := 0; off < len(b)-8; msgs++ {
		if !bytes.Equal(b[off:off+4], []byte{0xff, 0xff, 0xff, 0xff}) {
			t.Fatalf("message %d at %d starts with % x", msgs, off, b[off:off+4])
		}
		metaLen := int(uint32(b[off+4]) | uint32(b[off+5])<<8 | uint32(b[off+6])<<16 | uint32(b[off+7])<<24)
		if (8+metaLen)%8 != 0 {
			t.Errorf("message %d: metadata length %d leaves the body unaligned", msgs, metaLen)
		}
		off += 8 + metaLen
		if msgs > 0 {
			off += 50000 * 16
		}
	}
	if msgs != 4 {
		t.Errorf("%d messages, want 4", msgs)
	}
}

// TestParquetDictionaryWidths writes dictionary indices of every width
// from 1 to 17 bits, in batches that end mid-group of 8, with runs and
// without, and checks that arrow-go reads them back.
func TestParquetDictionaryWidths(t *testing.T) {
	for width := 1; width <= 17; width++ {
		distinct := 1 << width
		path := filepath.Join(t.TempDir(), "spikes.parquet")
		w, err := CreateParquet(path, spikesSchema, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var rows SpikeRows
		// All the values, then bit-packed runs past the 63 groups of one
		// run header, ending mid-group.
		for i := range distinct + 3*(63*8+width) + 5 {
			v := int32(i % distinct)
			if i%50 < 10 { // a run of 10
				v = int32(i / 50 % distinct)
			}
			rows.Append(v, v, int32(i), float32(v))
		}
		if err := w.Write(&rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		pf := readParquet(t, path)
		if got := columns(t, pf.table); !reflect.DeepEqual(got, tableMap(&rows)) {
			t.Errorf("width %d: columns read back differ", width)
		}
	}
}
