package matfile

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to both reading paths (whole file in
// memory, and streaming) and checks that they never panic, agree with each
// other, that every accessor copes with whatever was read, and that what
// was read writes back and reads again bit for bit.
//
// The seeds are the reference corpus, hand-built files in both byte orders
// and files of every kind of variable our writer makes, compressed or not.
func FuzzReader(f *testing.F) {
	paths, _ := filepath.Glob("../testdata/mat/*.mat")
	for _, p := range paths {
		f.Add(readTestdata(f, p))
	}
	f.Add(handmadeFile(le))
	f.Add(handmadeFile(be))
	for _, compress := range []bool{false, true} {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf)
		w.Compress = compress
		for _, v := range sampleVars() {
			if err := w.Write(v); err != nil {
				f.Fatal(err)
			}
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		mem, errMem := decodeAll("fuzz.mat", data)
		stream, errStream := Decode(bytes.NewReader(data), "fuzz.mat")
		if (errMem == nil) != (errStream == nil) {
			t.Fatalf("in memory: %v; streaming: %v", errMem, errStream)
		}
		if errMem != nil {
			var e *Error
			if !errors.As(errMem, &e) || !errors.As(errStream, &e) {
				t.Fatalf("errors are not *Error: %T %T", errMem, errStream)
			}
			return
		}
		if len(mem.vars) != len(stream.vars) {
			t.Fatalf("in memory %d variables, streaming %d", len(mem.vars), len(stream.vars))
		}
		for i, v := range mem.vars {
			if d := equalVar(v, stream.vars[i]); d != "" {
				t.Fatalf("in memory and streaming differ: %s", d)
			}
			exercise(v)
		}
		// What we read, we write back (when MATLAB could hold it: the
		// writer refuses invalid names) and read again unchanged.
		var buf bytes.Buffer
		w, err := NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		var written []*Var
		for i, v := range mem.vars {
			if err := w.write(v, i%2 == 1); err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("Write(%s): %v", v.Name, err)
				}
				continue
			}
			written = append(written, v)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := decodeAll("again.mat", buf.Bytes())
		if err != nil {
			t.Fatalf("reading what we wrote: %v", err)
		}
		if len(again.vars) != len(written) {
			t.Fatalf("wrote %d variables, read %d", len(written), len(again.vars))
		}
		for i, v := range written {
			if d := equalVar(v, again.vars[i]); d != "" {
				t.Fatalf("round trip: %s", d)
			}
		}
	})
}

// exercise calls every accessor on v and its contents; none may panic.
func exercise(v *Var) {
	_ = v.String()
	if v.Class != Sparse || v.Len() <= 1<<20 {
		v.Float64s()
		v.Complex128s()
		v.Dense()
		v.Scalar()
		v.Bools()
	}
	v.Int64s()
	v.Int()
	v.Text()
	v.Strings()
	for _, name := range v.FieldNames() {
		v.Field(name)
		v.FieldAt(v.Len()-1, name)
	}
	v.Field("nope")
	v.Elem(0)
	for _, e := range v.Elems {
		exercise(e)
	}
}
