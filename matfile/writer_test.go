package matfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// dirNames lists the files in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestCreateIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.mat")
	if err := os.WriteFile(path, []byte("old contents"), 0o644); err != nil {
		t.Fatal(err)
	}

	// While writing, the old file stays; the new one is a temporary file
	// in the same directory.
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(NewScalar("x", 1)); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); len(names) != 2 {
		t.Errorf("while writing the directory holds %v, want m.mat and a temporary file", names)
	}
	if b, _ := os.ReadFile(path); string(b) != "old contents" {
		t.Errorf("the old file changed before Close")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "m.mat" {
		t.Errorf("after Close the directory holds %v", names)
	}
	if x, err := mustVar(t, mustOpen(t, path), "x").Scalar(); err != nil || x != 1 {
		t.Errorf("x = %v, %v", x, err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := w.Write(NewScalar("y", 1)); err == nil {
		t.Error("Write after Close succeeded")
	}

	// Abort leaves the previous file alone and no temporary file.
	w, err = Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(NewScalar("z", 2)); err != nil {
		t.Fatal(err)
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("after Abort the directory holds %v", names)
	}
	if f := mustOpen(t, path); !slices.Equal(f.Names(), []string{"x"}) {
		t.Errorf("after Abort the file holds %v", f.Names())
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}

	// A missing directory is an error that names the path.
	_, err = Create(filepath.Join(dir, "nope", "m.mat"))
	wantIn(t, err, filepath.Join(dir, "nope", "m.mat"), "create")
}

// failWriter fails after n bytes.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriterStickyError(t *testing.T) {
	if _, err := NewWriter(&failWriter{n: 10}); !errors.Is(err, errDiskFull) {
		t.Errorf("header write: %v, want disk full", err)
	}
	w, err := NewWriter(&failWriter{n: 200})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(NewScalar("a", 1)); err != nil {
		t.Fatal(err)
	}
	big := NewFloat64("big", []int{1, 100}, make([]float64, 100))
	err = w.Write(big)
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Write: %v, want disk full", err)
	}
	wantIn(t, err, `variable "big"`, "disk full")
	if err2 := w.Write(NewScalar("c", 1)); err2 != err {
		t.Errorf("later Write: %v, want the sticky %v", err2, err)
	}
	if err2 := w.Close(); err2 != err {
		t.Errorf("Close: %v, want the sticky %v", err2, err)
	}
}

func TestCreateRemovesTempOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.mat")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Make the flush fail: close the file under the writer.
	w.file.Close()
	if err := w.Write(NewFloat64("big", []int{1, 1 << 16}, make([]float64, 1<<16))); err == nil {
		if err = w.Close(); err == nil {
			t.Fatal("no error writing to a closed file")
		}
	} else if err := w.Close(); err == nil {
		t.Fatal("Close after a failed Write succeeded")
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("after a failed write the directory holds %v", names)
	}
}

func TestWriteRejectsInvalid(t *testing.T) {
	cases := []struct {
		v     *Var
		parts []string
	}{
		{NewScalar("", 1), []string{"not a valid MATLAB variable name"}},
		{NewScalar("1x", 1), []string{`"1x"`, "not a valid"}},
		{NewScalar("a b", 1), []string{"not a valid"}},
		{NewScalar("_x", 1), []string{"not a valid"}},
		{NewScalar(strings.Repeat("a", 64), 1), []string{"not a valid"}},
		{&Var{Name: "x", Class: Double, Dims: []int{1, 2}, Data: []float32{1, 2}}, []string{"class double needs Data of type []float64, not []float32"}},
		{&Var{Name: "x", Class: Double, Dims: []int{2, 2}, Data: []float64{1, 2}}, []string{"dims need 4 values, Data has 2"}},
		{&Var{Name: "x", Class: Double, Dims: []int{3}, Data: []float64{1, 2, 3}}, []string{"has 1 dims"}},
		{&Var{Name: "x", Class: Double, Dims: []int{-1, 2}, Data: []float64{}}, []string{"dimension 1 is -1"}},
		{&Var{Name: "x", Class: Double, Dims: []int{1, 1}, Data: []float64{1}, Imag: []float32{1}}, []string{"imaginary part is []float32"}},
		{&Var{Name: "x", Class: Logical, Dims: []int{1, 1}, Data: []uint8{1}}, []string{"needs Data of type []bool"}},
		{&Var{Name: "x", Class: Char, Dims: []int{1, 1}, Data: "a"}, []string{"needs Data of type []rune"}},
		{&Var{Name: "x", Class: Char, Dims: []int{1, 2}, Data: []rune{0x1F600, 0xD800}}, []string{"character 2 (U+D800) cannot be stored"}},
		{&Var{Name: "x", Class: Invalid, Dims: []int{1, 1}}, []string{"cannot write class invalid"}},
		{NewStruct("s", NewScalar("ok", 1), NewScalar("bad name", 2)), []string{`field name "bad name"`}},
		{NewStruct("s", NewScalar("a", 1), NewScalar("a", 2)), []string{`field "a" appears twice`}},
		{NewStruct("s", NewScalar("a", 1), &Var{Name: "b", Class: Double, Dims: []int{1, 1}, Data: []int8{1}}), []string{`variable "s.b"`, "needs Data of type []float64"}},
		{&Var{Name: "s", Class: Struct, Dims: []int{1, 2}, Fields: []string{"a"}, Elems: []*Var{NewScalar("a", 1)}}, []string{"need 2 values, Elems has 1"}},
		{NewCell("c", []int{1, 2}, NewScalar("", 1), nil), []string{`variable "c{2}"`, "nil variable"}},
		{&Var{Name: "c", Class: Cell, Dims: []int{1, 2}, Elems: []*Var{NewScalar("", 1)}}, []string{"need 2 cell elements, Elems has 1"}},
		{&Var{Name: "o", Class: Object, ClassName: "", Dims: []int{1, 1}}, []string{"object class name"}},
		{NewSparse("sp", 2, 2, &SparseMatrix{ColStart: []int{0, 1}, RowIndex: []int{0}, Real: []float64{1}}), []string{"need 3 column starts"}},
		{NewSparse("sp", 2, 2, &SparseMatrix{ColStart: []int{0, 1, 1}, RowIndex: []int{5}, Real: []float64{1}}), []string{"row index 5 outside 0..1"}},
		{NewSparse("sp", 2, 2, nil), []string{"without Sparse contents"}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	size := buf.Len()
	for _, tc := range cases {
		err := w.Write(tc.v)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v, want ErrInvalid", tc.v, err)
			continue
		}
		wantIn(t, err, tc.parts...)
	}
	if buf.Len() != size {
		t.Errorf("rejected variables wrote %d bytes", buf.Len()-size)
	}
	// The Writer is still usable, and refuses a second variable of a name.
	if err := w.Write(NewScalar("ok", 1)); err != nil {
		t.Fatal(err)
	}
	if err := w.Write(NewScalar("ok", 2)); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate name: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestConstructorsPanicOnMisuse(t *testing.T) {
	for name, f := range map[string]func(){
		"NewFloat64":     func() { NewFloat64("x", []int{2, 2}, []float64{1}) },
		"NewLogical":     func() { NewLogical("x", []int{3}, []bool{true}) },
		"NewInt64":       func() { NewInt64("x", nil, []int64{1, 2}) },
		"NewCell":        func() { NewCell("x", []int{1, 2}) },
		"NewStructArray": func() { NewStructArray("x", []int{1, 2}, []string{"a"}, nil) },
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.HasPrefix(r.(string), "matfile: "+name) {
					t.Errorf("%s: recovered %v, want a matfile: %s panic", name, r, name)
				}
			}()
			f()
		}()
	}
	// Shapes numpy-style: nil dims a scalar, one dim a row vector.
	if v := NewFloat64("x", nil, []float64{1}); !slices.Equal(v.Dims, []int{1, 1}) {
		t.Errorf("nil dims: %v", v.Dims)
	}
	if v := NewFloat64("x", []int{3}, []float64{1, 2, 3}); !slices.Equal(v.Dims, []int{1, 3}) {
		t.Errorf("one dim: %v", v.Dims)
	}
}

// TestDeterministic checks that equal variables give byte-identical files
// (the header carries no date), which keeps pipeline caches stable.
func TestDeterministic(t *testing.T) {
	enc := func() []byte {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf)
		for _, v := range sampleVars() {
			if err := w.WriteCompressed(v); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		return buf.Bytes()
	}
	if !bytes.Equal(enc(), enc()) {
		t.Error("two writes of the same variables differ")
	}
}
