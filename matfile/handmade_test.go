package matfile

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// handmadeFile builds, in byte order b, a file with what MATLAB and older
// writers produce and our writer does not: values stored in types
// narrower than their class, small data elements, old char encodings,
// empty miMATRIX elements, sparse storage with nzmax > nnz, objects, a
// global variable and a compressed element.
func handmadeFile(b mb) []byte {
	str := func(s string) []byte { return []byte(s) }
	field := func(s string) []byte { // a 32-byte field name slot
		out := make([]byte, 32)
		copy(out, s)
		return out
	}
	return b.file(
		b.double("d8", []int32{2, 2}, miUint8, []uint8{1, 2, 3, 255}),
		b.double("dn", []int32{1, 3}, miInt16, []int16{-300, 0, 300}),
		b.double("di32", []int32{1, 2}, miInt32, []int32{-70000, 1}),
		b.double("dsingle", []int32{1, 2}, miSingle, []float32{0.5, 1.5}),
		b.matrix(b.flags(mxInt16, 0, 0), b.dims(1, 2), b.name("i16"), b.small(miUint8, []byte{1, 2})),
		b.matrix(b.flags(mxUint64, 0, 0), b.dims(1, 1), b.name("u64"), b.elem(miUint64, b.raw([]uint64{1<<64 - 1}))),
		b.matrix(b.flags(mxUint8, 0x02, 0), b.dims(1, 3), b.name("l"), b.small(miUint8, []byte{1, 0, 1})),
		b.matrix(b.flags(mxChar, 0, 0), b.dims(1, 2), b.name("c16"), b.small(miUint16, b.raw([]uint16{'h', 'i'}))),
		b.matrix(b.flags(mxChar, 0, 0), b.dims(1, 2), b.name("cu8"), b.small(miUTF8, str("é!"))),
		b.matrix(b.flags(mxChar, 0, 0), b.dims(1, 2), b.name("cu32"), b.elem(miUTF32, b.raw([]uint32{'a', 0x1F600}))),
		b.matrix(b.flags(mxChar, 0, 0), b.dims(1, 1), b.name("clat"), b.small(miUint8, []byte{0xE9})),
		b.matrix(b.flags(mxDouble, 0x08, 0), b.dims(1, 1), b.name("z"), b.small(miInt8, []byte{0xFF}), b.small(miUint8, []byte{2})),
		b.matrix(b.flags(mxStruct, 0, 0), b.dims(1, 1), b.name("s"),
			b.small(miInt32, b.raw([]int32{32})),
			b.elem(miInt8, append(field("a"), field("bb")...)),
			b.matrix(b.flags(mxDouble, 0, 0), b.dims(1, 1), b.name(""), b.small(miUint8, []byte{7})),
			b.matrix(), // MATLAB's empty []
		),
		b.matrix(b.flags(mxCell, 0, 0), b.dims(1, 2), b.name("c"),
			b.matrix(b.flags(mxInt8, 0, 0), b.dims(1, 1), b.name(""), b.small(miInt8, []byte{5})),
			b.matrix(),
		),
		b.matrix(b.flags(mxSparse, 0, 3), b.dims(3, 2), b.name("sp"),
			b.elem(miInt32, b.raw([]int32{2, 0, 99})), // nzmax = 3 row indices, 2 used
			b.elem(miInt32, b.raw([]int32{0, 1, 2})),
			b.elem(miDouble, b.raw([]float64{4, 5, 0}))),
		b.matrix(b.flags(mxSparse, 0x02, 1), b.dims(2, 2), b.name("spl"),
			b.small(miInt32, b.raw([]int32{1})),
			b.elem(miInt32, b.raw([]int32{0, 0, 1})),
			b.small(miUint8, []byte{1})),
		b.matrix(b.flags(mxObject, 0, 0), b.dims(1, 1), b.name("obj"), b.name("myclass"),
			b.small(miInt32, b.raw([]int32{32})),
			b.elem(miInt8, field("x")),
			b.double("", []int32{1, 1}, miDouble, []float64{3})),
		b.matrix(b.flags(mxDouble, 0x04, 0), b.dims(1, 1), b.name("g"), b.small(miUint8, []byte{9})),
		b.compressed(b.double("zc", []int32{1, 2}, miDouble, []float64{1.25, 2.5})),
	)
}

// handmadeWant is what handmadeFile holds.
func handmadeWant() []*Var {
	return []*Var{
		NewFloat64("d8", []int{2, 2}, []float64{1, 2, 3, 255}),
		NewFloat64("dn", []int{1, 3}, []float64{-300, 0, 300}),
		NewFloat64("di32", []int{1, 2}, []float64{-70000, 1}),
		NewFloat64("dsingle", []int{1, 2}, []float64{0.5, 1.5}),
		NewInt16("i16", []int{1, 2}, []int16{1, 2}),
		NewUint64("u64", nil, []uint64{1<<64 - 1}),
		NewLogical("l", []int{1, 3}, []bool{true, false, true}),
		NewChar("c16", "hi"),
		NewChar("cu8", "é!"),
		NewChar("cu32", "a😀"),
		NewChar("clat", "é"),
		NewComplex128("z", nil, []complex128{-1 + 2i}),
		NewStruct("s", NewFloat64("a", nil, []float64{7}), NewFloat64("bb", []int{0, 0}, []float64{})),
		NewCell("c", []int{1, 2}, NewInt8("", nil, []int8{5}), NewFloat64("", []int{0, 0}, []float64{})),
		NewSparse("sp", 3, 2, &SparseMatrix{RowIndex: []int{2, 0}, ColStart: []int{0, 1, 2}, Real: []float64{4, 5}}),
		NewSparse("spl", 2, 2, &SparseMatrix{RowIndex: []int{1}, ColStart: []int{0, 0, 1}, Real: []float64{1}, Logical: true}),
		{Name: "obj", Class: Object, ClassName: "myclass", Dims: []int{1, 1}, Fields: []string{"x"}, Elems: []*Var{NewScalar("x", 3)}},
		{Name: "g", Class: Double, Dims: []int{1, 1}, Data: []float64{9}, Global: true},
		NewFloat64("zc", []int{1, 2}, []float64{1.25, 2.5}),
	}
}

func TestHandmadeBothByteOrders(t *testing.T) {
	want := handmadeWant()
	for _, tc := range []struct {
		name  string
		b     mb
		order binary.ByteOrder
	}{{"IM little-endian", le, binary.LittleEndian}, {"MI big-endian", be, binary.BigEndian}} {
		t.Run(tc.name, func(t *testing.T) {
			data := handmadeFile(tc.b)
			path := filepath.Join(t.TempDir(), "hand.mat")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			f := mustOpen(t, path)
			if f.Header.ByteOrder != tc.order || f.Header.Version != 0x0100 || f.Header.Text != "MATLAB 5.0 MAT-file, hand-built test file" {
				t.Errorf("header %+v", f.Header)
			}
			if len(f.Vars()) != len(want) {
				t.Errorf("%d variables, want %d: %v", len(f.Vars()), len(want), f.Names())
			}
			for _, w := range want {
				if d := equalVar(w, mustVar(t, f, w.Name)); d != "" {
					t.Error(d)
				}
			}
			// The streaming reader, fed a byte at a time, sees the same.
			r, err := NewReader(io.MultiReader(bytes.NewReader(data[:100]), oneByteReader{bytes.NewReader(data[100:])}))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				v, err := r.Next()
				if err != nil {
					t.Fatal(err)
				}
				if d := equalVar(w, v); d != "" {
					t.Error(d)
				}
			}
			if _, err := r.Next(); err != io.EOF {
				t.Errorf("at the end: %v, want io.EOF", err)
			}
		})
	}
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// TestSubsystemSkipped checks that the element at the header's subsystem
// offset (MATLAB objects' hidden data) is not returned as a variable.
func TestSubsystemSkipped(t *testing.T) {
	a := le.double("a", []int32{1, 1}, miDouble, []float64{1})
	sub := le.matrix(le.flags(mxUint8, 0, 0), le.dims(1, 8), le.name(""), le.elem(miUint8, make([]byte, 8)))
	data := le.file(a, sub)
	binary.LittleEndian.PutUint64(data[116:], uint64(headerLen+len(a)))
	f, err := decodeAll("sub.mat", data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f.Names(), []string{"a"}) || f.Header.SubsysOffset != int64(headerLen+len(a)) {
		t.Errorf("names %v, subsystem offset %d", f.Names(), f.Header.SubsysOffset)
	}
}

// TestCompressedTrailingBytes checks that bytes after the end of the zlib
// stream inside a compressed element are skipped by both reading paths,
// and the next variable is found where the element's size says.
func TestCompressedTrailingBytes(t *testing.T) {
	z := le.compressed(le.double("a", []int32{1, 1}, miDouble, []float64{1}))
	z = append(z, 1, 2, 3, 4, 5)
	binary.LittleEndian.PutUint32(z[4:], binary.LittleEndian.Uint32(z[4:])+5)
	data := le.file(z, le.compressed(le.double("b", []int32{1, 1}, miDouble, []float64{2})))
	for name, decode := range map[string]func() (*File, error){
		"memory": func() (*File, error) { return decodeAll("t.mat", data) },
		"stream": func() (*File, error) { return Decode(oneByteReader{bytes.NewReader(data)}, "t.mat") },
	} {
		f, err := decode()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(f.Names(), []string{"a", "b"}) {
			t.Errorf("%s: names %v", name, f.Names())
		}
	}
}
