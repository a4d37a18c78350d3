package matfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nested returns a cell array nested depth levels deep.
func nested(b mb, depth int) []byte {
	inner := b.double("", []int32{1, 1}, miDouble, []float64{1})
	for i := 0; i < depth; i++ {
		name := ""
		if i == depth-1 {
			name = "deep"
		}
		inner = b.matrix(b.flags(mxCell, 0, 0), b.dims(1, 1), b.name(name), inner)
	}
	return inner
}

// TestBadInput checks that every kind of damaged or unsupported input gets
// one clear *Error that names the file and says what is wrong, from Open
// (whole file in memory) and from the streaming Reader alike.
func TestBadInput(t *testing.T) {
	model := readTestdata(t, "../testdata/mat/model_v5.mat")
	modelZ := readTestdata(t, "../testdata/mat/model_v5_compressed.mat")
	corrupt := append([]byte(nil), modelZ...)
	for i := headerLen + 40; i < headerLen+60; i++ {
		corrupt[i] ^= 0x55
	}
	hugeTop := append([]byte(nil), model...)
	copy(hugeTop[headerLen+4:], le.u32(0xFFFFFFF0))
	badVersion := le.file()
	badVersion[124], badVersion[125] = 0, 3
	notMat := bytes.Repeat([]byte("hello world "), 20)
	hdf5 := append([]byte("\x89HDF\r\n\x1a\n"), make([]byte, 600)...)
	one := le.double("a", []int32{1, 1}, miDouble, []float64{1})

	cases := []struct {
		name  string
		data  []byte
		kind  error
		parts []string
	}{
		{"empty", nil, ErrFormat, []string{"empty file"}},
		{"short", []byte("MATLAB 5.0"), ErrFormat, []string{"truncated header", "10 bytes"}},
		{"v4", readTestdata(t, "../testdata/mat/v4.mat"), ErrUnsupported, []string{"level 4", "save(file, '-v7')"}},
		{"v73", readTestdata(t, "../testdata/mat/v73_header.mat"), ErrUnsupported, []string{"7.3", "HDF5", "save(file, '-v7')"}},
		{"hdf5", hdf5, ErrUnsupported, []string{"7.3", "HDF5"}},
		{"notmat", notMat, ErrFormat, []string{"not a level 5 MAT-file", "endian indicator"}},
		{"version", badVersion, ErrUnsupported, []string{"unknown MAT-file version 0x0300"}},
		{"truncated", model[:len(model)-100], ErrFormat, []string{"truncated", "declares"}},
		{"truncated-compressed", modelZ[:len(modelZ)-30], ErrFormat, []string{"truncated", "compressed"}},
		{"partial-tag", append(append([]byte(nil), model...), 1, 2, 3), ErrFormat, []string{"truncated", "3 bytes into an 8-byte element tag"}},
		{"corrupt-zlib", corrupt, ErrFormat, []string{"corrupt zlib stream"}},
		{"zlib-not-matrix", le.file(le.compressed(le.elem(miDouble, le.raw([]float64{1})))), ErrFormat, []string{"holds a miDOUBLE element, not miMATRIX"}},
		{"huge-element", hugeTop, ErrFormat, []string{"declares 4294967280 bytes but the file holds only"}},
		{"huge-subelement", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.u32(miInt32), le.u32(0x7FFFFFF0))), ErrFormat,
			[]string{"dimensions", "declares 2147483632 bytes but only 0 remain"}},
		{"dims-mismatch", le.file(le.double("x", []int32{3, 3}, miDouble, []float64{1, 2, 3, 4})), ErrFormat,
			[]string{`variable "x"`, "dims 3×3 need 9 values but the real part holds 4"}},
		{"huge-dims", le.file(le.double("x", []int32{0x7FFFFFFF, 0x7FFFFFFF}, miDouble, []float64{1})), ErrFormat,
			[]string{"need 4611686014132420609 values but the real part holds 1"}},
		{"huge-cell", le.file(le.matrix(le.flags(mxCell, 0, 0), le.dims(100000, 100000), le.name("c"))), ErrFormat,
			[]string{`variable "c"`, "need 10000000000 cell elements of at least 8 bytes each but only 0 bytes remain"}},
		{"huge-struct", le.file(le.matrix(le.flags(mxStruct, 0, 0), le.dims(100000, 100000), le.name("s"),
			le.small(miInt32, le.raw([]int32{8})), le.elem(miInt8, []byte("abcdefg\x00")))), ErrFormat,
			[]string{"struct elements of at least 8 bytes"}},
		{"unknown-class", le.file(le.matrix(le.flags(99, 0, 0), le.dims(1, 1), le.name("x"))), ErrFormat, []string{"unknown array class code 99"}},
		{"toplevel-type", le.file(le.elem(miDouble, le.raw([]float64{1}))), ErrFormat, []string{"top-level element of type miDOUBLE"}},
		{"toplevel-small", le.file(le.small(miInt8, []byte{1})), ErrFormat, []string{"small data element form"}},
		{"negative-dim", le.file(le.double("x", []int32{-1, 2}, miDouble, []float64{})), ErrFormat, []string{"dimension 1 is -1"}},
		{"one-dim", le.file(le.double("x", []int32{1}, miDouble, []float64{1})), ErrFormat, []string{"has 1 dimensions"}},
		{"bad-flags", le.file(le.matrix(le.elem(miDouble, le.raw([]float64{1})))), ErrFormat, []string{"array flags are a miDOUBLE element of 8 bytes"}},
		{"bad-dims-type", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.elem(miDouble, le.raw([]float64{1, 1})), le.name("x"))), ErrFormat, []string{`variable "x"`, "dimensions are a miDOUBLE element"}},
		{"bad-name-type", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.dims(1, 1), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat, []string{"array name is a miDOUBLE element"}},
		{"text-values", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.dims(1, 1), le.name("x"), le.elem(miUTF8, []byte("abcdefgh")))), ErrFormat, []string{"real part is a miUTF8 element, not numbers"}},
		{"ragged-values", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.dims(1, 1), le.name("x"), le.elem(miDouble, []byte{1, 2, 3}))), ErrFormat, []string{"3 bytes is not a whole number of miDOUBLE values"}},
		{"no-values", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.dims(1, 1), le.name("x"))), ErrFormat, []string{`variable "x"`, "ends before its real part"}},
		{"deep", le.file(nested(le, 300)), ErrFormat, []string{"nested deeper than 200 levels"}},
		{"char-mismatch", le.file(le.matrix(le.flags(mxChar, 0, 0), le.dims(1, 5), le.name("t"), le.small(miUTF16, le.raw([]uint16{'a', 'b'})))), ErrFormat,
			[]string{`variable "t"`, "dims 1×5 need 5 characters but the miUTF16 element holds 2"}},
		{"small-too-big", le.file(le.matrix(le.flags(mxDouble, 0, 0), le.dims(1, 1), le.u32(7<<16|miInt8), []byte("abcd"))), ErrFormat,
			[]string{"small data element declares 7 bytes"}},
		{"sparse-row", le.file(le.matrix(le.flags(mxSparse, 0, 1), le.dims(3, 1), le.name("sp"),
			le.small(miInt32, le.raw([]int32{5})), le.elem(miInt32, le.raw([]int32{0, 1})), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat,
			[]string{"sparse row index 6 outside 1..3"}},
		{"sparse-jc", le.file(le.matrix(le.flags(mxSparse, 0, 1), le.dims(3, 2), le.name("sp"),
			le.small(miInt32, le.raw([]int32{0})), le.elem(miInt32, le.raw([]int32{0, 1})), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat,
			[]string{"needs 3 column starts"}},
		{"sparse-negative-jc", le.file(le.matrix(le.flags(mxSparse, 0, 1), le.dims(3, 1), le.name("sp"),
			le.small(miInt32, le.raw([]int32{0})), le.elem(miInt32, le.raw([]int32{0, -5})), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat,
			[]string{"sparse column starts run from 0 to -5"}}, // found by FuzzReader
		{"sparse-decreasing-jc", le.file(le.matrix(le.flags(mxSparse, 0, 1), le.dims(3, 2), le.name("sp"),
			le.small(miInt32, le.raw([]int32{0})), le.elem(miInt32, le.raw([]int32{0, 2, 1})), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat,
			[]string{"sparse column starts decrease at column 2"}},
		{"struct-names", le.file(le.matrix(le.flags(mxStruct, 0, 0), le.dims(1, 1), le.name("s"),
			le.small(miInt32, le.raw([]int32{8})), le.elem(miInt8, []byte("abc")))), ErrFormat,
			[]string{"field names take 3 bytes, not a multiple of the field name length 8"}},
		{"cell-not-matrix", le.file(le.matrix(le.flags(mxCell, 0, 0), le.dims(1, 1), le.name("c"), le.elem(miDouble, le.raw([]float64{1})))), ErrFormat,
			[]string{`variable "c{1}"`, "is a miDOUBLE element, not miMATRIX"}},
		{"field-damaged", le.file(le.matrix(le.flags(mxStruct, 0, 0), le.dims(1, 1), le.name("s"),
			le.small(miInt32, le.raw([]int32{8})), le.elem(miInt8, []byte("alpha\x00\x00\x00")),
			le.double("", []int32{2, 2}, miDouble, []float64{1}))), ErrFormat,
			[]string{`variable "s.alpha"`, "dims 2×2 need 4 values"}},
		{"after-good-var", le.file(one, le.double("b", []int32{1, 2}, miDouble, []float64{1})), ErrFormat, []string{`variable "b"`, "need 2 values"}},
	}
	dir := t.TempDir()
	if d := os.Getenv("KEEP"); d != "" {
		dir = d
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".mat")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			check := func(how string, f *File, err error) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error; read %v", how, f.Names())
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Errorf("%s: %T, want *Error", how, err)
				}
				if !errors.Is(err, tc.kind) {
					t.Errorf("%s: %v, want errors.Is %v", how, err, tc.kind)
				}
				wantIn(t, err, append([]string{"matfile: " + path + ": "}, tc.parts...)...)
				if strings.Count(err.Error(), "matfile:") != 1 {
					t.Errorf("%s: %q says matfile: more than once", how, err)
				}
			}
			f, err := Open(path)
			check("Open", f, err)
			f, err = Decode(bytes.NewReader(tc.data), path)
			check("Decode(stream)", f, err)
		})
	}
}

// TestAllocationBounded checks that sizes declared by damaged input cost
// memory only for the bytes present, in the streaming reader where the
// input length is unknown.
func TestAllocationBounded(t *testing.T) {
	bigDims := le.double("x", []int32{0x7FFFFFFF, 0x7FFFFFFF}, miDouble, []float64{1})
	// A compressed element whose miMATRIX declares 4 GB but holds 100 bytes.
	var inner []byte
	inner = append(inner, le.u32(miMatrix)...)
	inner = append(inner, le.u32(0xFFFFFFF0)...)
	inner = append(inner, make([]byte, 100)...)
	hugeTop := le.file(le.u32(miMatrix), le.u32(0xFFFFFFF0), make([]byte, 100))
	hugeZ := le.file(le.compressed(inner))
	hugeCell := le.file(le.matrix(le.flags(mxCell, 0, 0), le.dims(0x7FFFFFFF, 0x7FFFFFFF), le.name("c")))
	hugeSparse := le.file(le.matrix(le.flags(mxSparse, 0, 0xFFFFFFFF), le.dims(1, 0x7FFFFFFF), le.name("sp"),
		le.elem(miInt32, nil), le.elem(miInt32, le.raw([]int32{0, 0}))))
	for name, data := range map[string][]byte{"dims": le.file(bigDims), "top": hugeTop, "compressed": hugeZ, "cell": hugeCell, "sparse": hugeSparse} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Decode(bytes.NewReader(data), name)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: decoding %d bytes allocated %d bytes (%v)", name, len(data), got, err)
		}
	}
}

// TestUnsupportedVariablesSkipped checks that a function handle or an
// opaque object (a MATLAB string, say) does not stop the other variables
// from being read, and that asking for it gives the reason.
func TestUnsupportedVariablesSkipped(t *testing.T) {
	data := le.file(
		le.double("a", []int32{1, 1}, miDouble, []float64{1}),
		le.matrix(le.flags(mxFunction, 0, 0), le.dims(1, 1), le.name("f")),
		le.compressed(le.matrix(le.flags(mxOpaque, 0, 0), le.name("s"), le.name("MCOS"), le.name("string"))),
		le.double("b", []int32{1, 1}, miDouble, []float64{2}),
	)
	path := filepath.Join(t.TempDir(), "mixed.mat")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, path)
	if got := f.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("names %v", got)
	}
	if len(f.Skipped()) != 2 {
		t.Errorf("skipped %v", f.Skipped())
	}
	_, err := f.Var("f")
	wantIn(t, err, path, `variable "f"`, "function handles are not supported")
	_, err = f.Var("s")
	wantIn(t, err, path, `variable "s"`, "opaque MATLAB objects", "string, table")
	if !errors.Is(err, ErrUnsupported) || f.Has("s") {
		t.Errorf("Var(s): %v", err)
	}

	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for {
		v, err := r.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, ErrUnsupported) {
			seen = append(seen, "!"+err.(*Error).Var)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, v.Name)
	}
	if !slices.Equal(seen, []string{"a", "!f", "!s", "b"}) {
		t.Errorf("Next saw %v", seen)
	}
}
