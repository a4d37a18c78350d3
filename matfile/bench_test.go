package matfile

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"
)

const modelPath = "../testdata/models/gonogo_ref1.mat"

// BenchmarkReadModel opens and decodes the 1.3 MB reference model
// (19 variables, four 200×200 double matrices, uncompressed).
func BenchmarkReadModel(b *testing.B) {
	b.SetBytes(int64(len(readTestdata(b, modelPath))))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(modelPath); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadModelStream decodes the reference model through the
// streaming Reader from memory.
func BenchmarkReadModelStream(b *testing.B) {
	data := readTestdata(b, modelPath)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkReadModelCompressed decodes the reference model saved with
// every variable compressed.
func BenchmarkReadModelCompressed(b *testing.B) {
	data := encodeModel(b, true)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeAll("model.mat", data); err != nil {
			b.Fatal(err)
		}
	}
}

// modelVars returns the variables of the reference model.
func modelVars(b *testing.B) []*Var {
	f, err := Open(modelPath)
	if err != nil {
		b.Fatal(err)
	}
	return f.Vars()
}

func encodeModel(b *testing.B, compress bool) []byte {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		b.Fatal(err)
	}
	w.Compress = compress
	for _, v := range modelVars(b) {
		if err := w.Write(v); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkWriteModel encodes the 200-unit reference model (four 200×200
// matrices and 15 smaller variables) into memory, plain and compressed.
func BenchmarkWriteModel(b *testing.B) {
	for _, tc := range []struct {
		name     string
		compress bool
	}{{"plain", false}, {"compressed", true}} {
		b.Run(tc.name, func(b *testing.B) {
			vars := modelVars(b)
			var buf bytes.Buffer
			size := len(encodeModel(b, tc.compress))
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				w, err := NewWriter(&buf)
				if err != nil {
					b.Fatal(err)
				}
				w.Compress = tc.compress
				for _, v := range vars {
					if err := w.Write(v); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(size), "file-bytes")
		})
	}
}

// BenchmarkCreateModel writes the reference model to a file with Create:
// temporary file, fsync, rename.
func BenchmarkCreateModel(b *testing.B) {
	vars := modelVars(b)
	path := filepath.Join(b.TempDir(), "model.mat")
	b.ReportAllocs()
	for b.Loop() {
		w, err := Create(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range vars {
			if err := w.Write(v); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDense200 converts a 200×200 variable to a gonum matrix
// (column-major to row-major).
func BenchmarkDense200(b *testing.B) {
	f, err := Open(modelPath)
	if err != nil {
		b.Fatal(err)
	}
	w, _ := f.Var("w")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Dense(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewDense200 converts a 200×200 gonum matrix to a variable
// (row-major to column-major).
func BenchmarkNewDense200(b *testing.B) {
	f, err := Open(modelPath)
	if err != nil {
		b.Fatal(err)
	}
	w, _ := f.Var("w")
	m, _ := w.Dense()
	b.ReportAllocs()
	for b.Loop() {
		NewDense("w", m)
	}
}
