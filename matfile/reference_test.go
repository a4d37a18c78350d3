package matfile

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

// The reference corpus in testdata/mat was written by scipy 1.10; the
// expected values are those testdata/REFERENCE.md lists.

func mustOpen(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f
}

func mustVar(t *testing.T, f *File, name string) *Var {
	t.Helper()
	v, err := f.Var(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func checkVar(t *testing.T, v *Var, class Class, dims []int, data any) {
	t.Helper()
	if v.Class != class {
		t.Errorf("%s: class %s, want %s", v.Name, v.Class, class)
	}
	if !reflect.DeepEqual(v.Dims, dims) {
		t.Errorf("%s: dims %v, want %v", v.Name, v.Dims, dims)
	}
	if data != nil && !reflect.DeepEqual(v.Data, data) {
		t.Errorf("%s: data %v, want %v", v.Name, v.Data, data)
	}
}

func TestReadTypes(t *testing.T) {
	for _, path := range []string{"../testdata/mat/types_v5.mat", "../testdata/mat/types_v5_compressed.mat"} {
		t.Run(path, func(t *testing.T) {
			f := mustOpen(t, path)
			want := []string{"f64", "f32", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "logical", "empty", "scalar", "text", "cube", "cplx", "nested", "cells"}
			if got := f.Names(); !reflect.DeepEqual(got, want) {
				t.Fatalf("names %v, want %v", got, want)
			}
			// f64 holds 0 1 2 / 3 4 5 (row-major), stored column-major.
			checkVar(t, mustVar(t, f, "f64"), Double, []int{2, 3}, []float64{0, 3, 1, 4, 2, 5})
			f32 := make([]float32, 6)
			for i, x := range []float64{0, 3, 1, 4, 2, 5} {
				f32[i] = float32(x / 3)
			}
			checkVar(t, mustVar(t, f, "f32"), Single, []int{2, 3}, f32)
			checkVar(t, mustVar(t, f, "i8"), Int8, []int{1, 3}, []int8{-1, 2, -3})
			checkVar(t, mustVar(t, f, "u8"), Uint8, []int{1, 3}, []uint8{1, 2, 255})
			checkVar(t, mustVar(t, f, "i16"), Int16, []int{1, 2}, []int16{-300, 300})
			checkVar(t, mustVar(t, f, "u16"), Uint16, []int{1, 1}, []uint16{65535})
			checkVar(t, mustVar(t, f, "i32"), Int32, []int{2, 1}, []int32{-70000, 70000})
			checkVar(t, mustVar(t, f, "u32"), Uint32, []int{1, 1}, []uint32{4000000000})
			checkVar(t, mustVar(t, f, "i64"), Int64, []int{1, 2}, []int64{-1 << 40, 1 << 40})
			checkVar(t, mustVar(t, f, "u64"), Uint64, []int{1, 1}, []uint64{1 << 63})
			checkVar(t, mustVar(t, f, "logical"), Logical, []int{1, 3}, []bool{true, false, true})
			checkVar(t, mustVar(t, f, "empty"), Double, []int{0, 0}, []float64{})
			checkVar(t, mustVar(t, f, "scalar"), Double, []int{1, 1}, []float64{3.5})
			cube := make([]float64, 24)
			for i := 0; i < 2; i++ {
				for j := 0; j < 3; j++ {
					for k := 0; k < 4; k++ {
						cube[i+2*(j+3*k)] = float64(i*12 + j*4 + k) // numpy C order
					}
				}
			}
			checkVar(t, mustVar(t, f, "cube"), Double, []int{2, 3, 4}, cube)

			cplx := mustVar(t, f, "cplx")
			checkVar(t, cplx, Double, []int{1, 2}, []float64{1, 3})
			if !reflect.DeepEqual(cplx.Imag, []float64{2, -4}) {
				t.Errorf("cplx imag %v", cplx.Imag)
			}
			if z, err := cplx.Complex128s(); err != nil || !reflect.DeepEqual(z, []complex128{1 + 2i, 3 - 4i}) {
				t.Errorf("cplx Complex128s = %v, %v", z, err)
			}
			if _, err := cplx.Float64s(); !errors.Is(err, ErrClass) {
				t.Errorf("Float64s of complex: %v, want ErrClass", err)
			}

			text := mustVar(t, f, "text")
			if s, err := text.Text(); err != nil || s != "hello mat" {
				t.Errorf("text = %q, %v", s, err)
			}
			if !reflect.DeepEqual(text.Dims, []int{1, 9}) {
				t.Errorf("text dims %v", text.Dims)
			}

			nested := mustVar(t, f, "nested")
			checkVar(t, nested, Struct, []int{1, 1}, nil)
			if !reflect.DeepEqual(nested.FieldNames(), []string{"a", "b"}) {
				t.Errorf("nested fields %v", nested.FieldNames())
			}
			a, err := nested.Field("a")
			if err != nil {
				t.Fatal(err)
			}
			if x, err := a.Scalar(); err != nil || x != 1 {
				t.Errorf("nested.a = %v, %v", x, err)
			}
			b, err := nested.Field("b")
			if err != nil {
				t.Fatal(err)
			}
			if s, err := b.Text(); err != nil || s != "x" {
				t.Errorf("nested.b = %q, %v", s, err)
			}
			if _, err := nested.Field("c"); !errors.Is(err, ErrNotFound) {
				t.Errorf("nested.c: %v, want ErrNotFound", err)
			}

			cells := mustVar(t, f, "cells")
			checkVar(t, cells, Cell, []int{1, 2}, nil)
			c0, err := cells.Elem(0)
			if err != nil {
				t.Fatal(err)
			}
			if x, err := c0.Scalar(); err != nil || x != 1 {
				t.Errorf("cells{1} = %v, %v", x, err)
			}
			c1, err := cells.Elem(1)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := c1.Text(); err != nil || s != "two" {
				t.Errorf("cells{2} = %q, %v", s, err)
			}
			if _, err := cells.Elem(2); !errors.Is(err, ErrClass) {
				t.Errorf("cells{3}: %v, want ErrClass", err)
			}
		})
	}
}

func TestReadModel(t *testing.T) {
	plain := mustOpen(t, "../testdata/mat/model_v5.mat")
	comp := mustOpen(t, "../testdata/mat/model_v5_compressed.mat")
	want := []string{"w", "w_in", "w_out", "b_out", "N", "som_N", "inh", "exc", "taus", "activation", "tr"}
	for _, f := range []*File{plain, comp} {
		if got := f.Names(); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: names %v, want %v", f.Path, got, want)
		}
		shapes := map[string][]int{"w": {5, 5}, "w_in": {5, 1}, "w_out": {1, 5}, "b_out": {1, 1}, "taus": {1, 2}}
		for name, dims := range shapes {
			checkVar(t, mustVar(t, f, name), Double, dims, nil)
		}
		if x, err := mustVar(t, f, "b_out").Scalar(); err != nil || x != 0.25 {
			t.Errorf("b_out = %v, %v", x, err)
		}
		checkVar(t, mustVar(t, f, "N"), Int64, []int{1, 1}, []int64{5})
		checkVar(t, mustVar(t, f, "som_N"), Int64, []int{1, 1}, []int64{0})
		checkVar(t, mustVar(t, f, "tr"), Int64, []int{1, 1}, []int64{1234})
		if n, err := mustVar(t, f, "N").Int(); err != nil || n != 5 {
			t.Errorf("N.Int() = %d, %v", n, err)
		}
		if x, err := mustVar(t, f, "N").Scalar(); err != nil || x != 5 {
			t.Errorf("N.Scalar() = %v, %v", x, err)
		}
		checkVar(t, mustVar(t, f, "inh"), Logical, []int{5, 1}, []bool{true, false, false, true, false})
		checkVar(t, mustVar(t, f, "exc"), Logical, []int{5, 1}, []bool{false, true, true, false, true})
		if x, err := mustVar(t, f, "taus").Float64s(); err != nil || !reflect.DeepEqual(x, []float64{4, 20}) {
			t.Errorf("taus = %v, %v", x, err)
		}
		if s, err := mustVar(t, f, "activation").Text(); err != nil || s != "sigmoid" {
			t.Errorf("activation = %q, %v", s, err)
		}
	}
	// The compressed file holds exactly the same values.
	for _, name := range want {
		if !reflect.DeepEqual(mustVar(t, plain, name).Data, mustVar(t, comp, name).Data) {
			t.Errorf("%s differs between the plain and compressed files", name)
		}
	}
}

func TestReadReferenceModel(t *testing.T) {
	f := mustOpen(t, "../testdata/models/gonogo_ref1.mat")
	if n, err := mustVar(t, f, "N").Int(); err != nil || n != 200 {
		t.Fatalf("N = %d, %v", n, err)
	}
	for _, name := range []string{"N", "som_N", "tr"} {
		if c := mustVar(t, f, name).Class; c != Int64 {
			t.Errorf("%s is %s, want int64", name, c)
		}
	}
	if tr, err := mustVar(t, f, "tr").Int(); err != nil || tr != 1501 {
		t.Errorf("tr = %d, %v (1,502 trials, last index 1501)", tr, err)
	}
	checkVar(t, mustVar(t, f, "losses"), Double, []int{1, 1502}, nil)
	w := mustVar(t, f, "w")
	checkVar(t, w, Double, []int{200, 200}, nil)
	x, err := w.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	neg := 0
	for _, v := range x {
		if v < 0 {
			neg++
		}
	}
	if neg != 5808 {
		t.Errorf("w has %d negative entries, want 5808", neg)
	}
	d, err := w.Dense()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		for j := 0; j < 200; j++ {
			if d.At(i, j) != x[i+200*j] {
				t.Fatalf("Dense(%d,%d) = %v, column-major value %v", i, j, d.At(i, j), x[i+200*j])
			}
		}
	}
	inh, err := mustVar(t, f, "inh").Bools()
	if err != nil {
		t.Fatal(err)
	}
	exc, err := mustVar(t, f, "exc").Bools()
	if err != nil {
		t.Fatal(err)
	}
	nInh := 0
	for i := range inh {
		if inh[i] == exc[i] {
			t.Fatalf("unit %d: inh = exc = %v", i, inh[i])
		}
		if inh[i] {
			nInh++
		}
	}
	if nInh != 40 { // P_inh = 0.2 of 200
		t.Errorf("%d inhibitory units, want 40", nInh)
	}
	if s, err := mustVar(t, f, "activation").Text(); err != nil || s != "sigmoid" {
		t.Errorf("activation = %q, %v", s, err)
	}
	if taus, err := mustVar(t, f, "taus").Float64s(); err != nil || !reflect.DeepEqual(taus, []float64{4, 20}) {
		t.Errorf("taus = %v, %v", taus, err)
	}
}

func TestReadGolden(t *testing.T) {
	f := mustOpen(t, "../testdata/golden/lif_golden_gonogo_ref1.mat")
	for name, n := range map[string]int{"go_spk_step": 814, "nogo_spk_step": 254, "go_spk_neuron": 814} {
		v := mustVar(t, f, name)
		checkVar(t, v, Int64, []int{1, n}, nil)
	}
	out, err := mustVar(t, f, "go_out").Float64s()
	if err != nil {
		t.Fatal(err)
	}
	peak := math.Inf(-1)
	for _, x := range out {
		peak = math.Max(peak, x)
	}
	if math.Abs(peak-0.927) > 0.001 {
		t.Errorf("go_out peaks at %v, REFERENCE.md says 0.927", peak)
	}
	g := mustOpen(t, "../testdata/golden/rate_golden.mat")
	checkVar(t, mustVar(t, g, "mante_w_in"), Double, []int{20, 4}, nil)
	checkVar(t, mustVar(t, g, "go_nogo_o"), Double, []int{1, 59}, nil)
	if n, err := mustVar(t, g, "T").Int(); err != nil || n != 60 {
		t.Errorf("T = %d, %v", n, err)
	}
}

func TestRefuseOtherVersions(t *testing.T) {
	_, err := Open("../testdata/mat/v4.mat")
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("v4: %v, want ErrUnsupported", err)
	}
	wantIn(t, err, "../testdata/mat/v4.mat", "level 4", "-v7")
	_, err = Open("../testdata/mat/v73_header.mat")
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("v7.3: %v, want ErrUnsupported", err)
	}
	wantIn(t, err, "../testdata/mat/v73_header.mat", "7.3", "HDF5", "save(file, '-v7')")
}
