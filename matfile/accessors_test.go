package matfile

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestAccessors(t *testing.T) {
	f := mustOpen(t, "../testdata/mat/types_v5.mat")
	path := "../testdata/mat/types_v5.mat"

	// Every accessor error names the file and the variable.
	cube := mustVar(t, f, "cube")
	_, err := cube.Dense()
	wantIn(t, err, path, `variable "cube"`, "is 2×3×4, not 2-D")
	if !errors.Is(err, ErrClass) {
		t.Errorf("Dense of 3-D: %v", err)
	}
	_, err = mustVar(t, f, "f64").Scalar()
	wantIn(t, err, `variable "f64"`, "is 2×3 double, not a scalar")
	_, err = mustVar(t, f, "f64").Text()
	wantIn(t, err, `variable "f64"`, "not char")
	_, err = mustVar(t, f, "text").Float64s()
	wantIn(t, err, `variable "text"`, "is 1×9 char, not numeric or logical")
	_, err = mustVar(t, f, "u8").Bools()
	wantIn(t, err, `variable "u8"`, "element 2 is 2; a uint8 mask must hold only 0 and 1")
	_, err = mustVar(t, f, "empty").Dense()
	wantIn(t, err, "is empty (0×0)")
	_, err = mustVar(t, f, "u64").Int64s()
	wantIn(t, err, "element 1 is 9223372036854775808, not an int64")
	_, err = mustVar(t, f, "f32").Int64s()
	wantIn(t, err, "element 3 is 0.33333334, not an int64") // 0 and 1 are whole
	_, err = mustVar(t, f, "cells").Field("a")
	wantIn(t, err, `variable "cells"`, "not a struct")
	_, err = mustVar(t, f, "nested").Elem(0)
	wantIn(t, err, "not a cell array")
	cells := mustVar(t, f, "cells")
	c1, _ := cells.Elem(1)
	_, err = c1.Scalar()
	wantIn(t, err, path, `variable "cells{2}"`, "not a scalar")
	nested := mustVar(t, f, "nested")
	b, _ := nested.Field("b")
	_, err = b.Float64s()
	wantIn(t, err, `variable "nested.b"`)
	_, err = f.Var("missing")
	wantIn(t, err, path, `variable "missing"`, "no such variable", "f64, f32")
	if !errors.Is(err, ErrNotFound) || f.Has("missing") || !f.Has("f64") {
		t.Errorf("missing variable: %v", err)
	}

	// Conversions.
	if x, err := mustVar(t, f, "f32").Float64s(); err != nil || x[3] != float64(float32(4.0/3)) {
		t.Errorf("f32 Float64s = %v, %v", x, err)
	}
	if x, err := mustVar(t, f, "i64").Int64s(); err != nil || !reflect.DeepEqual(x, []int64{-1 << 40, 1 << 40}) {
		t.Errorf("i64 Int64s = %v, %v", x, err)
	}
	if x, err := mustVar(t, f, "f64").Int64s(); err != nil || !reflect.DeepEqual(x, []int64{0, 3, 1, 4, 2, 5}) {
		t.Errorf("f64 Int64s = %v, %v", x, err)
	}
	if x, err := mustVar(t, f, "logical").Float64s(); err != nil || !reflect.DeepEqual(x, []float64{1, 0, 1}) {
		t.Errorf("logical Float64s = %v, %v", x, err)
	}
	if x, err := mustVar(t, f, "u64").Float64s(); err != nil || x[0] != math.Ldexp(1, 63) {
		t.Errorf("u64 Float64s = %v, %v", x, err)
	}
	if z, err := mustVar(t, f, "f64").Complex128s(); err != nil || z[1] != 3 {
		t.Errorf("f64 Complex128s = %v, %v", z, err)
	}
	if d, err := mustVar(t, f, "i32").Dense(); err != nil || d.At(1, 0) != 70000 {
		t.Errorf("i32 Dense = %v, %v", d, err)
	}
	if s := mustVar(t, f, "cplx").String(); s != "cplx: 1×2 complex double" {
		t.Errorf("String = %q", s)
	}
}

func TestCharArrays(t *testing.T) {
	m := &Var{Name: "m", Class: Char, Dims: []int{2, 3}, Data: []rune("adbecf")}
	if rows, err := m.Strings(); err != nil || !reflect.DeepEqual(rows, []string{"abc", "def"}) {
		t.Errorf("Strings = %q, %v", rows, err)
	}
	_, err := m.Text()
	wantIn(t, err, "is a 2×3 char array, not one line of text; use Strings")
	col := &Var{Name: "c", Class: Char, Dims: []int{3, 1}, Data: []rune("abc")}
	if s, err := col.Text(); err != nil || s != "abc" {
		t.Errorf("column Text = %q, %v", s, err)
	}
	// MATLAB's UTF-16: a surrogate pair is one character in Text; a lone
	// surrogate becomes U+FFFD.
	u := &Var{Name: "u", Class: Char, Dims: []int{1, 4}, Data: []rune{'a', 0xD83D, 0xDE00, 0xD800}}
	if s, err := u.Text(); err != nil || s != "a😀\uFFFD" {
		t.Errorf("UTF-16 Text = %q, %v", s, err)
	}
	empty := &Var{Name: "e", Class: Char, Dims: []int{1 << 30, 0}, Data: []rune{}}
	_, err = empty.Strings()
	wantIn(t, err, "more than 65536 empty rows")
	if rows, err := (&Var{Name: "e", Class: Char, Dims: []int{2, 0}, Data: []rune{}}).Strings(); err != nil || !reflect.DeepEqual(rows, []string{"", ""}) {
		t.Errorf("2×0 Strings = %q, %v", rows, err)
	}
}

func TestStructArrayAndSparse(t *testing.T) {
	var v *Var
	for _, s := range sampleVars() {
		if s.Name == "sarr" {
			v = s
		}
	}
	b, err := v.FieldAt(1, "b")
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := b.Text(); s != "two" {
		t.Errorf("sarr(2).b = %q", s)
	}
	_, err = v.Field("a")
	wantIn(t, err, "is a 1×2 struct array; use FieldAt")
	_, err = v.FieldAt(2, "a")
	wantIn(t, err, "element 3 is outside the 1×2 struct array")
	if !v.HasField("a") || v.HasField("c") {
		t.Error("HasField")
	}

	sp := NewSparse("sp", 3, 2, &SparseMatrix{RowIndex: []int{2, 0}, ColStart: []int{0, 1, 2}, Real: []float64{4, 5}, Imag: []float64{1, -1}})
	if _, err := sp.Float64s(); !errors.Is(err, ErrClass) {
		t.Errorf("complex sparse Float64s: %v", err)
	}
	z, err := sp.Complex128s()
	if err != nil || !reflect.DeepEqual(z, []complex128{0, 0, 4 + 1i, 5 - 1i, 0, 0}) {
		t.Errorf("sparse Complex128s = %v, %v", z, err)
	}
	sp.Sparse.Imag = nil
	d, err := sp.Dense()
	if err != nil || d.At(2, 0) != 4 || d.At(0, 1) != 5 || d.At(1, 1) != 0 {
		t.Errorf("sparse Dense = %v, %v", d, err)
	}
	big := NewSparse("big", 1<<20, 1<<20, &SparseMatrix{ColStart: make([]int, 1<<20+1)})
	_, err = big.Float64s()
	wantIn(t, err, "too large to expand")
}
