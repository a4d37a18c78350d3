package matfile

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sampleVars returns one variable of every kind the writer handles, with
// awkward values: NaN payloads, ±Inf, -0, extremes of every integer type,
// empty arrays, N-d arrays, non-ASCII text, nested structs and cells.
func sampleVars() []*Var {
	nan := math.Float64frombits(0x7ff8000000000123)
	w := mat.NewDense(3, 4, nil)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			w.Set(i, j, float64(10*i+j)+0.125)
		}
	}
	nd := make([]float64, 2*3*4*2)
	for i := range nd {
		nd[i] = float64(i) * 1.5
	}
	return []*Var{
		NewScalar("scalar", math.Pi),
		NewScalar("negzero", math.Copysign(0, -1)),
		NewFloat64("specials", []int{1, 5}, []float64{nan, math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64, math.MaxFloat64}),
		NewFloat64("row", []int{1, 4}, []float64{1, 2, 3, 4}),
		NewFloat64("col", []int{4, 1}, []float64{1, 2, 3, 4}),
		NewFloat64("oned", []int{3}, []float64{7, 8, 9}),
		NewDense("w", w),
		NewFloat64("nd", []int{2, 3, 4, 2}, nd),
		NewFloat64("empty", []int{0, 0}, []float64{}),
		NewFloat64("empty03", []int{0, 3}, []float64{}),
		NewFloat32("f32", []int{2, 2}, []float32{1.5, float32(math.Inf(-1)), math.MaxFloat32, -1e-30}),
		NewInt8("i8", []int{1, 3}, []int8{math.MinInt8, 0, math.MaxInt8}),
		NewUint8("u8", []int{1, 3}, []uint8{0, 1, math.MaxUint8}),
		NewInt16("i16", []int{1, 2}, []int16{math.MinInt16, math.MaxInt16}),
		NewUint16("u16", []int{1, 1}, []uint16{math.MaxUint16}),
		NewInt32("i32", []int{2, 1}, []int32{math.MinInt32, math.MaxInt32}),
		NewUint32("u32", []int{1, 1}, []uint32{math.MaxUint32}),
		NewInt64("i64", []int{1, 3}, []int64{math.MinInt64, -1 << 40, math.MaxInt64}),
		NewUint64("u64", []int{1, 2}, []uint64{1 << 63, math.MaxUint64}),
		NewLogical("mask", []int{2, 3}, []bool{true, false, false, true, true, false}),
		NewLogical("onemask", nil, []bool{true}),
		NewChar("text", "sigmoid"),
		NewChar("accents", "Zürich – ½ µs"),
		NewChar("emptytext", ""),
		{Name: "charmat", Class: Char, Dims: []int{2, 3}, Data: []rune("adbecf")},
		NewComplex128("cplx", []int{1, 3}, []complex128{1 + 2i, -3.5i, 4}),
		NewStruct("model",
			NewFloat64("w", []int{2, 2}, []float64{1, 2, 3, 4}),
			NewInt64("N", nil, []int64{2}),
			NewChar("activation", "relu"),
			NewStruct("inner", NewScalar("x", 1), NewLogical("flag", nil, []bool{false})),
		),
		NewStructArray("sarr", []int{1, 2}, []string{"a", "b"}, []*Var{
			NewScalar("a", 1), NewChar("b", "one"),
			NewScalar("a", 2), NewChar("b", "two"),
		}),
		NewStruct("nofields"),
		NewCell("cells", []int{1, 3}, NewScalar("", 1), NewChar("", "two"), NewCell("", []int{1, 1}, NewInt8("", nil, []int8{3}))),
		NewCell("emptycell", []int{0, 0}),
		NewSparse("sp", 3, 4, &SparseMatrix{
			RowIndex: []int{0, 1, 2},
			ColStart: []int{0, 1, 1, 3, 3},
			Real:     []float64{1.5, -2, 3},
		}),
		NewSparse("spzero", 2, 2, &SparseMatrix{ColStart: []int{0, 0, 0}, RowIndex: []int{}, Real: []float64{}}),
		{Name: "glob", Class: Double, Dims: []int{1, 1}, Data: []float64{42}, Global: true},
		{Name: "obj", Class: Object, ClassName: "inline", Dims: []int{1, 1}, Fields: []string{"expr"}, Elems: []*Var{NewChar("expr", "x+1")}},
	}
}

// equalVar reports how a and b differ, comparing floating-point values bit
// for bit; "" when they are the same.
func equalVar(a, b *Var) string {
	if a.Name != b.Name || a.Class != b.Class || !reflect.DeepEqual(a.Dims, b.Dims) {
		return fmt.Sprintf("%v vs %v", a, b)
	}
	if !sameBits(a.Data, b.Data) || !sameBits(a.Imag, b.Imag) {
		return fmt.Sprintf("%s: data %v+%vi vs %v+%vi", a.Name, a.Data, a.Imag, b.Data, b.Imag)
	}
	if !reflect.DeepEqual(a.Fields, b.Fields) && !(len(a.Fields) == 0 && len(b.Fields) == 0) || a.ClassName != b.ClassName || a.Global != b.Global {
		return fmt.Sprintf("%s: fields %v vs %v", a.Name, a.Fields, b.Fields)
	}
	if len(a.Elems) != len(b.Elems) {
		return fmt.Sprintf("%s: %d vs %d elements", a.Name, len(a.Elems), len(b.Elems))
	}
	for i := range a.Elems {
		x, y := *a.Elems[i], *b.Elems[i]
		if a.Class == Cell {
			x.Name, y.Name = "", ""
		}
		if d := equalVar(&x, &y); d != "" {
			return fmt.Sprintf("%s[%d]: %s", a.Name, i, d)
		}
	}
	if (a.Sparse == nil) != (b.Sparse == nil) || a.Sparse != nil && !reflect.DeepEqual(a.Sparse, b.Sparse) {
		return fmt.Sprintf("%s: sparse %+v vs %+v", a.Name, a.Sparse, b.Sparse)
	}
	return ""
}

func sameBits(a, b any) bool {
	switch x := a.(type) {
	case []float64:
		y, ok := b.([]float64)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	case []float32:
		y, ok := b.([]float32)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestRoundTrip(t *testing.T) {
	vars := sampleVars()
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf)
			if err != nil {
				t.Fatal(err)
			}
			w.Compress = compress
			for _, v := range vars {
				if err := w.Write(v); err != nil {
					t.Fatalf("Write(%s): %v", v.Name, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			// Through the streaming Reader.
			r, err := NewReader(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range vars {
				got, err := r.Next()
				if err != nil {
					t.Fatalf("Next (want %s): %v", want.Name, err)
				}
				if d := equalVar(normalized(want), got); d != "" {
					t.Errorf("stream: %s", d)
				}
			}
			if _, err := r.Next(); err != errEOF() {
				t.Errorf("after the last variable Next returned %v, want io.EOF", err)
			}
			// Through Create and Open.
			path := filepath.Join(t.TempDir(), "rt.mat")
			fw, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			fw.Compress = compress
			for _, v := range vars {
				if err := fw.Write(v); err != nil {
					t.Fatal(err)
				}
			}
			if err := fw.Close(); err != nil {
				t.Fatal(err)
			}
			onDisk, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(onDisk, buf.Bytes()) {
				t.Errorf("Create wrote %d bytes, NewWriter %d: they differ", len(onDisk), buf.Len())
			}
			f := mustOpen(t, path)
			for _, want := range vars {
				if d := equalVar(normalized(want), mustVar(t, f, want.Name)); d != "" {
					t.Errorf("file: %s", d)
				}
			}
		})
	}
}

// normalized returns v as the reader will return it: dims and names as
// written.
func normalized(v *Var) *Var {
	c := *v
	if c.Class == Struct && len(c.Fields) == 0 {
		c.Fields = nil
	}
	return &c
}
