package matfile

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// The constructors below build variables for a Writer. They take data in
// MATLAB's column-major order and refer to the slices they are given
// without copying them. dims follow numpy's conventions where MATLAB has
// none: nil or empty dims mean a scalar (1×1) and a single dimension n
// means a row vector (1×n), as scipy.io.savemat writes 1-D arrays. A
// length of data that disagrees with dims is a programming error and
// panics, as gonum's mat.NewDense does.

// shape returns the MATLAB dims for dims and checks them against n values.
func shape(fn string, dims []int, n int) []int {
	d := dimsOf(dims)
	k, ok := numel(d)
	if !ok {
		panic(fmt.Sprintf("matfile: %s: invalid dims %s", fn, dimsString(d)))
	}
	if k != n {
		panic(fmt.Sprintf("matfile: %s: dims %s need %d values, got %d", fn, dimsString(d), k, n))
	}
	return d
}

// dimsOf returns a copy of dims as MATLAB dims.
func dimsOf(dims []int) []int {
	switch len(dims) {
	case 0:
		return []int{1, 1}
	case 1:
		return []int{1, dims[0]}
	}
	return append([]int(nil), dims...)
}

// NewDense returns a double variable holding the matrix m. This is where
// gonum's row-major order becomes MATLAB's column-major order.
func NewDense(name string, m mat.Matrix) *Var {
	r, c := m.Dims()
	data := make([]float64, r*c)
	if d, ok := m.(*mat.Dense); ok {
		raw := d.RawMatrix()
		const bs = 32
		for j0 := 0; j0 < c; j0 += bs {
			j1 := min(j0+bs, c)
			for i0 := 0; i0 < r; i0 += bs {
				i1 := min(i0+bs, r)
				for j := j0; j < j1; j++ {
					dst := data[j*r+i0 : j*r+i1]
					for k := range dst {
						dst[k] = raw.Data[(i0+k)*raw.Stride+j]
					}
				}
			}
		}
	} else {
		for j := 0; j < c; j++ {
			for i := 0; i < r; i++ {
				data[j*r+i] = m.At(i, j)
			}
		}
	}
	return &Var{Name: name, Class: Double, Dims: []int{r, c}, Data: data}
}

// NewFloat64 returns a double variable with the given dims holding data in
// column-major order.
func NewFloat64(name string, dims []int, data []float64) *Var {
	return &Var{Name: name, Class: Double, Dims: shape("NewFloat64", dims, len(data)), Data: data}
}

// NewComplex128 returns a complex double variable with the given dims
// holding data in column-major order.
func NewComplex128(name string, dims []int, data []complex128) *Var {
	re := make([]float64, len(data))
	im := make([]float64, len(data))
	for i, z := range data {
		re[i], im[i] = real(z), imag(z)
	}
	return &Var{Name: name, Class: Double, Dims: shape("NewComplex128", dims, len(data)), Data: re, Imag: im}
}

// NewScalar returns a 1×1 double variable.
func NewScalar(name string, x float64) *Var {
	return &Var{Name: name, Class: Double, Dims: []int{1, 1}, Data: []float64{x}}
}

// NewFloat32 returns a single variable with the given dims holding data in
// column-major order.
func NewFloat32(name string, dims []int, data []float32) *Var {
	return &Var{Name: name, Class: Single, Dims: shape("NewFloat32", dims, len(data)), Data: data}
}

// NewInt8 returns an int8 variable with the given dims holding data in
// column-major order.
func NewInt8(name string, dims []int, data []int8) *Var {
	return &Var{Name: name, Class: Int8, Dims: shape("NewInt8", dims, len(data)), Data: data}
}

// NewUint8 returns a uint8 variable with the given dims holding data in
// column-major order.
func NewUint8(name string, dims []int, data []uint8) *Var {
	return &Var{Name: name, Class: Uint8, Dims: shape("NewUint8", dims, len(data)), Data: data}
}

// NewInt16 returns an int16 variable with the given dims holding data in
// column-major order.
func NewInt16(name string, dims []int, data []int16) *Var {
	return &Var{Name: name, Class: Int16, Dims: shape("NewInt16", dims, len(data)), Data: data}
}

// NewUint16 returns a uint16 variable with the given dims holding data in
// column-major order.
func NewUint16(name string, dims []int, data []uint16) *Var {
	return &Var{Name: name, Class: Uint16, Dims: shape("NewUint16", dims, len(data)), Data: data}
}

// NewInt32 returns an int32 variable with the given dims holding data in
// column-major order.
func NewInt32(name string, dims []int, data []int32) *Var {
	return &Var{Name: name, Class: Int32, Dims: shape("NewInt32", dims, len(data)), Data: data}
}

// NewUint32 returns a uint32 variable with the given dims holding data in
// column-major order.
func NewUint32(name string, dims []int, data []uint32) *Var {
	return &Var{Name: name, Class: Uint32, Dims: shape("NewUint32", dims, len(data)), Data: data}
}

// NewInt64 returns an int64 variable with the given dims holding data in
// column-major order.
func NewInt64(name string, dims []int, data []int64) *Var {
	return &Var{Name: name, Class: Int64, Dims: shape("NewInt64", dims, len(data)), Data: data}
}

// NewUint64 returns a uint64 variable with the given dims holding data in
// column-major order.
func NewUint64(name string, dims []int, data []uint64) *Var {
	return &Var{Name: name, Class: Uint64, Dims: shape("NewUint64", dims, len(data)), Data: data}
}

// NewLogical returns a logical variable with the given dims holding data in
// column-major order.
func NewLogical(name string, dims []int, data []bool) *Var {
	return &Var{Name: name, Class: Logical, Dims: shape("NewLogical", dims, len(data)), Data: data}
}

// NewChar returns a 1×n char variable holding s, one element per code
// point (as numpy counts). It is written as UTF-16 when every character is
// in the Basic Multilingual Plane, else as UTF-8 (see Writer).
func NewChar(name, s string) *Var {
	r := []rune(s)
	return &Var{Name: name, Class: Char, Dims: []int{1, len(r)}, Data: r}
}

// NewStruct returns a 1×1 struct whose fields are the given variables,
// named by their Name, in order. The variables are used as they are, not
// copied.
func NewStruct(name string, fields ...*Var) *Var {
	v := &Var{Name: name, Class: Struct, Dims: []int{1, 1}}
	for _, f := range fields {
		v.Fields = append(v.Fields, f.Name)
	}
	v.Elems = fields
	return v
}

// NewStructArray returns a struct array with the given dims and field names;
// values holds len(fields) variables per element, element by element in
// column-major order (values[i*len(fields)+f] is field f of element i).
func NewStructArray(name string, dims []int, fields []string, values []*Var) *Var {
	d := dimsOf(dims)
	k, ok := numel(d)
	if !ok || len(values) != k*len(fields) {
		panic(fmt.Sprintf("matfile: NewStructArray: dims %s with %d fields need %d values, got %d", dimsString(d), len(fields), k*len(fields), len(values)))
	}
	return &Var{Name: name, Class: Struct, Dims: d, Fields: append([]string(nil), fields...), Elems: values}
}

// NewCell returns a cell array with the given dims holding elems in
// column-major order. The names of the elements are not written.
func NewCell(name string, dims []int, elems ...*Var) *Var {
	return &Var{Name: name, Class: Cell, Dims: shape("NewCell", dims, len(elems)), Elems: elems}
}

// NewSparse returns a sparse double m×n matrix from compressed sparse
// column data (see SparseMatrix).
func NewSparse(name string, m, n int, s *SparseMatrix) *Var {
	return &Var{Name: name, Class: Sparse, Dims: []int{m, n}, Sparse: s}
}
