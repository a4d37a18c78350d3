package matfile_test

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"gonum.org/v1/gonum/mat"

	"github.com/spikernn/spikernn/matfile"
)

// Open reads a whole file; variables are looked up by name and converted
// to Go values whatever numeric class they were saved in.
func ExampleOpen() {
	f, err := matfile.Open("../testdata/mat/model_v5.mat")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Names())

	n, _ := f.Var("N")
	N, err := n.Int() // saved as int64 by scipy
	if err != nil {
		log.Fatal(err)
	}
	taus, _ := f.Var("taus")
	t, _ := taus.Float64s()
	act, _ := f.Var("activation")
	s, _ := act.Text()
	inh, _ := f.Var("inh")
	mask, _ := inh.Bools()
	fmt.Println(N, t, s, mask)

	_, err = f.Var("w0")
	fmt.Println(err != nil)
	// Output:
	// [w w_in w_out b_out N som_N inh exc taus activation tr]
	// 5 [4 20] sigmoid [true false false true false]
	// true
}

// Values are column-major as in MATLAB; Dense gives a row-major gonum
// matrix.
func ExampleVar_Dense() {
	f, err := matfile.Open("../testdata/mat/types_v5.mat")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := f.Var("f64")
	col, _ := v.Float64s()
	m, _ := v.Dense()
	fmt.Println(v)
	fmt.Println(col)
	fmt.Println(mat.Formatted(m))
	// Output:
	// f64: 2×3 double
	// [0 3 1 4 2 5]
	// ⎡0  1  2⎤
	// ⎣3  4  5⎦
}

// Struct fields and cell elements are variables themselves.
func ExampleVar_Field() {
	f, err := matfile.Open("../testdata/mat/types_v5.mat")
	if err != nil {
		log.Fatal(err)
	}
	s, _ := f.Var("nested")
	b, _ := s.Field("b")
	text, _ := b.Text()
	c, _ := f.Var("cells")
	two, _ := c.Elem(1)
	fmt.Println(s.FieldNames(), text, two)
	// Output:
	// [a b] x : 1×3 char
}

// Create writes to a temporary file and renames it into place on Close.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "matfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.mat")

	w, err := matfile.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // removes the temporary file unless Close succeeded
	vars := []*matfile.Var{
		matfile.NewDense("w", mat.NewDense(2, 2, []float64{1, 2, 3, 4})),
		matfile.NewInt64("N", nil, []int64{2}),
		matfile.NewLogical("inh", []int{2, 1}, []bool{false, true}),
		matfile.NewChar("activation", "sigmoid"),
		matfile.NewStruct("opts", matfile.NewScalar("lr", 0.01)),
	}
	for _, v := range vars {
		if err := w.WriteCompressed(v); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	f, err := matfile.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range f.Vars() {
		fmt.Println(v)
	}
	wv, _ := f.Var("w")
	col, _ := wv.Float64s()
	fmt.Println(col)
	// Output:
	// w: 2×2 double
	// N: 1×1 int64
	// inh: 2×1 logical
	// activation: 1×7 char
	// opts: 1×1 struct
	// [1 3 2 4]
}

// A Reader goes through a file one variable at a time.
func ExampleNewReader() {
	data, err := os.ReadFile("../testdata/mat/types_v5_compressed.mat")
	if err != nil {
		log.Fatal(err)
	}
	r, err := matfile.NewReader(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	for {
		v, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		if v.Class.Numeric() && v.Len() > 4 {
			fmt.Println(v)
		}
	}
	// Output:
	// f64: 2×3 double
	// f32: 2×3 single
	// cube: 2×3×4 double
}

// Unsupported files are refused with an error that says what to do.
func ExampleOpen_v73() {
	_, err := matfile.Open("../testdata/mat/v73_header.mat")
	fmt.Println(err)
	// Output:
	// matfile: ../testdata/mat/v73_header.mat: this is a MATLAB 7.3 MAT-file (HDF5), which is not supported; re-save it as version 7 in MATLAB with save(file, '-v7') (each variable must be under 2 GB), or read it with an HDF5 library
}
