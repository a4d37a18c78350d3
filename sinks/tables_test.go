package sinks

import (
	"bytes"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// sampleTable is a table filled with a few rows covering every column type,
// and the columns it should read back as.
type sampleTable struct {
	table Table
	fill  func(batch int) // appends the rows of batch 0 or 1
	want  map[string]any  // both batches, by column name
}

// sampleTables returns one sample of every table, empty.
func sampleTables() []sampleTable {
	spikes := new(SpikeRows)
	rates := new(RateRows)
	outputs := new(OutputRows)
	trials := new(TrialRows)
	neurons := new(NeuronRows)
	lambda := new(LambdaRows)
	return []sampleTable{
		{spikes, func(b int) {
			if b == 0 {
				spikes.Append(0, 3, 17, 17*5e-5)
				spikes.Append(0, 199, 17, 17*5e-5)
			} else {
				spikes.Append(1, 0, 19999, 19999*5e-5)
			}
		}, map[string]any{
			"trial":  []int32{0, 0, 1},
			"neuron": []int32{3, 199, 0},
			"step":   []int32{17, 17, 19999},
			"t":      []float32{17 * 5e-5, 17 * 5e-5, 19999 * 5e-5},
		}},
		{rates, func(b int) {
			rates.Append(int32(b), 5, 2, 0.01, 200*float32(b))
		}, map[string]any{
			"trial": []int32{0, 1}, "neuron": []int32{5, 5}, "bin": []int32{2, 2},
			"t": []float32{0.01, 0.01}, "rate_hz": []float32{0, 200},
		}},
		{outputs, func(b int) {
			outputs.Append(int32(b), 100, 100*5e-5, -0.25+float32(b))
		}, map[string]any{
			"trial": []int32{0, 1}, "step": []int32{100, 100},
			"t": []float32{100 * 5e-5, 100 * 5e-5}, "out": []float32{-0.25, 0.75},
		}},
		{trials, func(b int) {
			if b == 0 {
				trials.Append(0, "go-nogo", "go", 45, true, 51234, 1<<40)
				trials.Append(1, "go-nogo", "", 45, false, 0, -7)
			} else {
				trials.Append(2, "mante", "ctx=1 λ", 50.5, true, 1<<33, 3)
			}
		}, map[string]any{
			"trial":    []int32{0, 1, 2},
			"task":     []string{"go-nogo", "go-nogo", "mante"},
			"label":    []string{"go", "", "ctx=1 λ"},
			"lambda":   []float64{45, 45, 50.5},
			"correct":  []bool{true, false, true},
			"n_spikes": []int64{51234, 0, 1 << 33},
			"seed":     []int64{1 << 40, -7, 3},
		}},
		{neurons, func(b int) {
			neurons.Append(int32(b), []string{"E", "I"}[b], 20+float64(b)*5)
		}, map[string]any{
			"neuron": []int32{0, 1}, "type": []string{"E", "I"}, "td_ms": []float64{20, 25},
		}},
		{lambda, func(b int) {
			for i := range 9 {
				lambda.Append(20+5*float64(b), int32(i), []string{"go", "nogo"}[i%2], i%3 == 0, float64(i)/10, 1/3., 0.12, 0.65+float64(b)/10)
			}
		}, map[string]any{
			"factor":  []float64{20, 20, 20, 20, 20, 20, 20, 20, 20, 25, 25, 25, 25, 25, 25, 25, 25, 25},
			"trial":   []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8},
			"label":   []string{"go", "nogo", "go", "nogo", "go", "nogo", "go", "nogo", "go", "go", "nogo", "go", "nogo", "go", "nogo", "go", "nogo", "go"},
			"correct": []bool{true, false, false, true, false, false, true, false, false, true, false, false, true, false, false, true, false, false},
			"peak":    []float64{0, .1, .2, .3, .4, .5, .6, .7, .8, 0, .1, .2, .3, .4, .5, .6, .7, .8},
			"accuracy": []float64{1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3.,
				1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3., 1 / 3.},
			"accuracy_lo": []float64{.12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12, .12},
			"accuracy_hi": []float64{.65, .65, .65, .65, .65, .65, .65, .65, .65, .75, .75, .75, .75, .75, .75, .75, .75, .75},
		}},
	}
}

// columns returns the columns of tbl by name as Go slices.
func columns(t testing.TB, tbl arrow.Table) map[string]any {
	t.Helper()
	out := map[string]any{}
	for i, f := range tbl.Schema().Fields() {
		var chunks []arrow.Array
		if tbl.NumRows() > 0 {
			chunks = tbl.Column(i).Data().Chunks()
		}
		out[f.Name] = arrayValues(t, f.Type, chunks...)
	}
	return out
}

// recordColumns returns the columns of rec by name as Go slices.
func recordColumns(t testing.TB, rec arrow.RecordBatch) map[string]any {
	t.Helper()
	out := map[string]any{}
	for i, f := range rec.Schema().Fields() {
		out[f.Name] = arrayValues(t, f.Type, rec.Column(i))
	}
	return out
}

// arrayValues concatenates the values of chunks of type dt into a Go slice.
func arrayValues(t testing.TB, dt arrow.DataType, chunks ...arrow.Array) any {
	t.Helper()
	var (
		i32 []int32
		i64 []int64
		f32 []float32
		f64 []float64
		str []string
		bol []bool
	)
	for _, c := range chunks {
		if c.NullN() != 0 {
			t.Fatalf("column of %v has %d nulls", dt, c.NullN())
		}
		switch a := c.(type) {
		case *array.Int32:
			i32 = append(i32, a.Int32Values()...)
		case *array.Int64:
			i64 = append(i64, a.Int64Values()...)
		case *array.Float32:
			f32 = append(f32, a.Float32Values()...)
		case *array.Float64:
			f64 = append(f64, a.Float64Values()...)
		case *array.String:
			for i := range a.Len() {
				str = append(str, a.Value(i))
			}
		case *array.Boolean:
			for i := range a.Len() {
				bol = append(bol, a.Value(i))
			}
		default:
			t.Fatalf("unexpected array type %T", c)
		}
	}
	switch dt.ID() {
	case arrow.INT32:
		return i32
	case arrow.INT64:
		return i64
	case arrow.FLOAT32:
		return f32
	case arrow.FLOAT64:
		return f64
	case arrow.STRING:
		return str
	case arrow.BOOL:
		return bol
	}
	t.Fatalf("unexpected type %v", dt)
	return nil
}

// sliceRange returns want with every column cut to [lo, hi).
func sliceRange(want map[string]any, lo, hi int) map[string]any {
	out := map[string]any{}
	for k, v := range want {
		out[k] = reflect.ValueOf(v).Slice(lo, hi).Interface()
	}
	return out
}

func TestTablesColumns(t *testing.T) {
	for _, s := range sampleTables() {
		t.Run(s.table.Name(), func(t *testing.T) {
			s.fill(0)
			s.fill(1)
			schema := s.table.Schema()
			cols := s.table.Columns(nil)
			if len(cols) != schema.Len() || len(s.want) != schema.Len() {
				t.Fatalf("%d columns, sample %d, schema %v", len(cols), len(s.want), schema)
			}
			for i, c := range schema.Columns() {
				if !reflect.DeepEqual(cols[i], s.want[c.Name]) {
					t.Errorf("column %s = %v, want %v", c.Name, cols[i], s.want[c.Name])
				}
				if n, ok := columnLen(cols[i], c.Type); !ok || n != s.table.Len() {
					t.Errorf("column %s is a %T of %d rows, want a %v column of %d", c.Name, cols[i], n, c.Type, s.table.Len())
				}
			}
			if _, n, err := tableColumns(s.table, schema, nil); err != nil || n != s.table.Len() {
				t.Errorf("tableColumns: %d rows, %v", n, err)
			}
		})
	}
}

// TestTableSchemas pins the column names and types, a contract with the
// users' notebooks.
func TestTableSchemas(t *testing.T) {
	want := map[string]string{
		"spikes":  "trial int32, neuron int32, step int32, t float32",
		"rates":   "trial int32, neuron int32, bin int32, t float32, rate_hz float32",
		"outputs": "trial int32, step int32, t float32, out float32",
		"trials":  "trial int32, task string, label string, lambda float64, correct bool, n_spikes int64, seed int64",
		"neurons": "neuron int32, type string, td_ms float64",
		"lambda":  "factor float64, trial int32, label string, correct bool, peak float64, accuracy float64, accuracy_lo float64, accuracy_hi float64",
	}
	for _, s := range sampleTables() {
		if got := s.table.Schema().String(); got != want[s.table.Name()] {
			t.Errorf("%s: schema %q, want %q", s.table.Name(), got, want[s.table.Name()])
		}
	}
}

func TestNewSchemaErrors(t *testing.T) {
	for _, c := range []struct {
		cols   []Column
		expect string
	}{
		{nil, "no columns"},
		{[]Column{{"", Int32}}, "no name"},
		{[]Column{{"a", Int32}, {"a", Int64}}, `"a"`},
		{[]Column{{"a", Type(0)}}, "invalid type"},
		{[]Column{{"a", Type(99)}}, "Type(99)"},
	} {
		if _, err := NewSchema(c.cols...); err == nil || !strings.Contains(err.Error(), c.expect) {
			t.Errorf("NewSchema(%v): %v, want an error mentioning %s", c.cols, err, c.expect)
		}
	}
	s, err := NewSchema(Column{"x", Float64}, Column{"y", String})
	if err != nil {
		t.Fatal(err)
	}
	if s.Equal(nil) || !s.Equal(s) || s.Equal(trialsSchema) || s.String() != "x float64, y string" ||
		!reflect.DeepEqual(s.Names(), []string{"x", "y"}) {
		t.Errorf("schema %v: Equal, String or Names wrong", s)
	}
}

func TestTablesResetKeepsCapacity(t *testing.T) {
	for _, s := range sampleTables() {
		t.Run(s.table.Name(), func(t *testing.T) {
			s.fill(0)
			s.fill(1)
			n := s.table.Len()
			caps := capacities(s.table)
			s.table.Reset()
			if s.table.Len() != 0 {
				t.Fatalf("Len after Reset = %d", s.table.Len())
			}
			if got := capacities(s.table); !reflect.DeepEqual(got, caps) {
				t.Errorf("capacities after Reset %v, want %v", got, caps)
			}
			s.fill(0)
			s.fill(1)
			if s.table.Len() != n {
				t.Errorf("Len after refill = %d, want %d", s.table.Len(), n)
			}
		})
	}
}

// capacities returns the capacity of every exported slice field of t.
func capacities(t Table) []int {
	v := reflect.ValueOf(t).Elem()
	var caps []int
	for i := range v.NumField() {
		if f := v.Field(i); v.Type().Field(i).IsExported() && f.Kind() == reflect.Slice {
			caps = append(caps, f.Cap())
		}
	}
	return caps
}

func TestSpikeRowsAppendDoesNotAllocate(t *testing.T) {
	var rows SpikeRows
	for i := range 1000 {
		rows.Append(1, 2, int32(i), 3)
	}
	allocs := testing.AllocsPerRun(10, func() {
		rows.Reset()
		for i := range 1000 {
			rows.Append(1, 2, int32(i), float32(i))
		}
	})
	if allocs != 0 {
		t.Errorf("refilling a reset SpikeRows allocated %v times", allocs)
	}
}

// TestWriteAllocationsDoNotGrowWithRows checks that the writers allocate
// per batch, not per row: a batch of 20,000 rows allocates no more than
// one of 10 once the writer's buffers have grown.
func TestWriteAllocationsDoNotGrowWithRows(t *testing.T) {
	var spikes SpikeRows
	fillSpikes := func(n int) {
		spikes.Reset()
		for i := range n {
			spikes.Append(0, int32(i%200), int32(i), float32(i)*5e-5)
		}
	}
	var trials TrialRows
	fillTrials := func(n int) {
		trials.Reset()
		for i := range n {
			trials.Append(int32(i), "go-nogo", []string{"go", "nogo"}[i%2], 45, i%3 == 0, 100, 1)
		}
	}
	for _, c := range []struct {
		table Table
		fill  func(int)
	}{{&spikes, fillSpikes}, {&trials, fillTrials}} {
		allocsFor := func(write func(Table) error, n int) float64 {
			c.fill(n)
			for range 1 + 600000/n { // grow the buffers, past a few pages
				if err := write(c.table); err != nil {
					t.Fatal(err)
				}
			}
			return testing.AllocsPerRun(50, func() {
				if err := write(c.table); err != nil {
					t.Fatal(err)
				}
			})
		}
		pw, err := CreateParquet(filepath.Join(t.TempDir(), "x.parquet"), c.table.Schema(), nil,
			&ParquetOptions{RowGroupRows: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		as, err := NewArrowStream(io.Discard, c.table.Schema(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []struct {
			name  string
			write func(Table) error
		}{{"parquet", pw.Write}, {"arrow", as.Write}} {
			small, large := allocsFor(w.write, 10), allocsFor(w.write, 20000)
			t.Logf("%s %s: %v allocations per batch of 10 rows, %v per batch of 20,000", w.name, c.table.Name(), small, large)
			if large > small+1 || large > 8 {
				t.Errorf("%s %s: Write allocates %v times for 10 rows, %v for 20,000", w.name, c.table.Name(), small, large)
			}
		}
		pw.Abort()
	}
}

func TestColumnsShareMemory(t *testing.T) {
	var rows SpikeRows
	rows.Append(4, 5, 6, 7)
	if got := rows.Columns(nil)[2].([]int32); &got[0] != &rows.Step[0] {
		t.Error("step column was copied")
	}
}

func TestColumnLengthMismatch(t *testing.T) {
	rows := SpikeRows{Trial: []int32{1, 2}, Neuron: []int32{1, 2}, Step: []int32{1}, T: []float32{1, 2}}
	_, _, err := tableColumns(&rows, rows.Schema(), nil)
	if err == nil || !strings.Contains(err.Error(), "spikes") || !strings.Contains(err.Error(), "step") {
		t.Errorf("error %v, want one naming table spikes and column step", err)
	}
	trials := TrialRows{Trial: []int32{1}, Task: []string{"go-nogo"}}
	_, _, err = tableColumns(&trials, trials.Schema(), nil)
	if err == nil || !strings.Contains(err.Error(), "trials") || !strings.Contains(err.Error(), "label") {
		t.Errorf("error %v, want one naming table trials and column label", err)
	}
}

// badTable claims the spikes schema but hands over columns of other types
// or number.
type badTable struct {
	SpikeRows
	cols []any
}

func (b *badTable) Columns(dst []any) []any { return append(dst, b.cols...) }

func TestColumnTypeMismatch(t *testing.T) {
	for _, c := range []struct {
		cols   []any
		expect string
	}{
		{[]any{[]int32{1}, []int32{1}, []int32{1}, []float64{1}}, "column t is a []float64"},
		{[]any{[]int32{1}, []int32{1}, []int32{1}}, "3 columns, want 4"},
		{[]any{[]int32{1}, []int32{1}, []int32{1}, "x"}, "column t is a string"},
	} {
		_, _, err := tableColumns(&badTable{cols: c.cols}, spikesSchema, nil)
		if err == nil || !strings.Contains(err.Error(), c.expect) {
			t.Errorf("%v: error %v, want one mentioning %q", c.cols, err, c.expect)
		}
	}
}

func TestBoolColumnPastOneByte(t *testing.T) {
	// A scratch bitmap reused for a shorter batch must not keep old bits.
	var out bytes.Buffer
	var rows LambdaRows
	w, err := NewArrowStream(&out, rows.Schema(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		rows.Append(1, int32(i), "go", true, 0, 1, 0.8, 1)
	}
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	rows.Reset()
	want := []bool{false, true, false, false, true, true, false, true, false, false, true}
	for i, c := range want {
		rows.Append(1, int32(i), "nogo", c, 0, 0.4, 0.2, 0.7)
	}
	if err := w.Write(&rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, batches := readStream(t, out.Bytes())
	if len(batches) != 2 || !reflect.DeepEqual(batches[1]["correct"], want) {
		t.Errorf("correct = %v, want %v", batches, want)
	}
}
