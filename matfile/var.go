package matfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"

	"gonum.org/v1/gonum/mat"
)

// Var is one MATLAB variable: a named N-dimensional array of one class.
//
// Values are held in MATLAB's column-major order: the element at subscript
// (i, j, k) of an array with dims (m, n, p) is at linear index
// i + m*(j + n*k). Dense is the one accessor that reorders, into gonum's
// row-major layout.
//
// The concrete type of Data (and Imag) depends on Class:
//
//	Double  []float64      Int8  []int8     Int32  []int32
//	Single  []float32      Uint8 []uint8    Uint32 []uint32
//	Logical []bool         Int16 []int16    Int64  []int64
//	Char    []rune         Uint16 []uint16  Uint64 []uint64
//
// Cell, Struct, Object and Sparse arrays have nil Data and keep their
// contents in Elems or Sparse.
//
// A char array holds one rune per element: a UTF-16 code unit in files
// MATLAB writes (so a character outside the Basic Multilingual Plane takes
// two elements, a surrogate pair, as in MATLAB), a code point in files
// scipy writes (one element, as in numpy). Text joins surrogate pairs, so
// both read as the same string.
//
// A Var built by the constructors (NewFloat64, NewStruct, …) refers to the
// slices it was given; it does not copy them. A Var read from a file owns
// its slices; the accessors (Float64s, Bools, …) return fresh slices.
type Var struct {
	// Name is the variable name; for a struct field the field name, for
	// a cell element empty.
	Name string
	// Class is the MATLAB class.
	Class Class
	// Dims holds the size in each dimension, at least two of them (MATLAB
	// has no 1-D arrays: a row vector is 1×n, a scalar 1×1).
	Dims []int
	// Data holds the (real parts of the) values of numeric, logical and
	// char arrays in column-major order; see the table above.
	Data any
	// Imag holds the imaginary parts of a complex numeric array, of the
	// same type and length as Data; nil for a real array.
	Imag any
	// Elems holds the contents of cell, struct and object arrays. For a
	// cell array it holds one variable per element, column-major. For a
	// struct or object array with F fields it holds F variables per
	// element: Elems[i*F+f] is field Fields[f] of element i (column-major
	// i), named after the field.
	Elems []*Var
	// Fields holds the field names of a struct or object array, in file
	// order.
	Fields []string
	// ClassName is the MATLAB class name of an Object.
	ClassName string
	// Sparse holds the contents of a Sparse matrix.
	Sparse *SparseMatrix
	// Global records MATLAB's global flag.
	Global bool

	// Where the variable came from, for error messages: the file it was
	// read from and, for a nested variable, its parent and position.
	src    string
	offset int64
	parent *Var
	index  int
}

// SparseMatrix is a sparse 2-D matrix in compressed sparse column form, as
// MATLAB stores it: the nonzeros of column j are at positions
// ColStart[j] ≤ k < ColStart[j+1] of RowIndex (0-based row numbers),
// Real and Imag.
type SparseMatrix struct {
	// RowIndex holds the 0-based row of each stored value.
	RowIndex []int
	// ColStart has one entry per column plus one; ColStart[cols] is the
	// number of stored values.
	ColStart []int
	// Real holds the stored values (1 for true in a logical matrix).
	Real []float64
	// Imag holds the imaginary parts of a complex matrix, else nil.
	Imag []float64
	// Logical reports a logical sparse matrix.
	Logical bool
}

// Len returns the number of elements, the product of Dims.
func (v *Var) Len() int {
	n, _ := numel(v.Dims)
	return n
}

// numel returns the product of dims and whether it is valid: no negative
// dimension and no overflow beyond math.MaxInt32 elements per dimension
// product of 2^62.
func numel(dims []int) (int, bool) {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return 0, false
		}
		if d == 0 {
			n = 0
			continue
		}
		if n > (1<<62)/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}

// numeric reports whether v is a numeric or logical (not sparse) array.
func (v *Var) numeric() bool { return v.Class.Numeric() || v.Class == Logical }

// IsComplex reports whether v holds complex values.
func (v *Var) IsComplex() bool {
	return v.Imag != nil || (v.Sparse != nil && v.Sparse.Imag != nil)
}

// String describes v the way MATLAB's whos does, as "w: 200×200 double".
func (v *Var) String() string {
	var b strings.Builder
	b.WriteString(v.Name)
	b.WriteString(": ")
	b.WriteString(dimsString(v.Dims))
	b.WriteByte(' ')
	if v.IsComplex() {
		b.WriteString("complex ")
	}
	if v.Class == Sparse && v.Sparse != nil && v.Sparse.Logical {
		b.WriteString("logical ")
	}
	if v.Class == Object {
		b.WriteString(v.ClassName)
		b.WriteByte(' ')
	}
	b.WriteString(v.Class.String())
	return b.String()
}

func dimsString(dims []int) string {
	if len(dims) == 0 {
		return "(no dims)"
	}
	var b strings.Builder
	for i, d := range dims {
		if i > 0 {
			b.WriteString("×")
		}
		b.WriteString(strconv.Itoa(d))
	}
	return b.String()
}

// path is the name of v for messages: "model.w", "c{3}", "s(2).a",
// shortened in the middle when deeply nested.
func (v *Var) path() string {
	p := v.fullPath()
	if len(p) > 120 {
		p = p[:56] + "…" + p[len(p)-56:]
	}
	return p
}

func (v *Var) fullPath() string {
	if v.parent == nil {
		return v.Name
	}
	p := v.parent
	switch p.Class {
	case Cell:
		return p.fullPath() + "{" + strconv.Itoa(v.index+1) + "}"
	case Struct, Object:
		nf := len(p.Fields)
		if nf > 0 && p.Len() != 1 {
			return p.fullPath() + "(" + strconv.Itoa(v.index/nf+1) + ")." + v.Name
		}
		return p.fullPath() + "." + v.Name
	}
	return p.fullPath() + "." + v.Name
}

// errorf returns an *Error about v.
func (v *Var) errorf(kind error, format string, args ...any) error {
	root := v
	for root.parent != nil {
		root = root.parent
	}
	// Offset 0 is the header, so 0 means "not read from a file".
	off := int64(-1)
	if root.offset > 0 {
		off = root.offset
	}
	return &Error{Path: root.src, Var: v.path(), Offset: off, Msg: fmt.Sprintf(format, args...), Err: kind}
}

// Float64s returns the values of a numeric, logical or sparse array as
// float64 in column-major order (the element at (i, j) of an m×n matrix is
// at index i + m*j). Integers convert exactly up to 2^53; logical values
// become 0 and 1; a sparse matrix is expanded (up to 2^27 elements, 1 GiB;
// larger ones are refused: use v.Sparse). Complex arrays are refused
// (use Complex128s).
func (v *Var) Float64s() ([]float64, error) {
	if v.IsComplex() {
		return nil, v.errorf(ErrClass, "is complex %s; use Complex128s", v.Class)
	}
	if v.Class == Sparse {
		re, _, err := v.expandSparse()
		return re, err
	}
	if !v.numeric() {
		return nil, v.errorf(ErrClass, "is %s %s, not numeric or logical", dimsString(v.Dims), v.Class)
	}
	out, ok := toFloat64s(v.Data)
	if !ok {
		return nil, v.errorf(ErrClass, "is %s %s, not numeric or logical", dimsString(v.Dims), v.Class)
	}
	if len(out) != v.Len() {
		return nil, v.errorf(ErrFormat, "dims %s disagree with %d values", dimsString(v.Dims), len(out))
	}
	return out, nil
}

// Complex128s returns the values of a numeric, logical or sparse array as
// complex128 in column-major order; a real array has zero imaginary parts.
func (v *Var) Complex128s() ([]complex128, error) {
	var re, im []float64
	if v.Class == Sparse {
		var err error
		if re, im, err = v.expandSparse(); err != nil {
			return nil, err
		}
	} else {
		var ok bool
		if re, ok = toFloat64s(v.Data); !ok || !v.numeric() {
			return nil, v.errorf(ErrClass, "is %s %s, not numeric or logical", dimsString(v.Dims), v.Class)
		}
		if v.Imag != nil {
			if im, ok = toFloat64s(v.Imag); !ok || len(im) != len(re) {
				return nil, v.errorf(ErrFormat, "imaginary part disagrees with the real part")
			}
		}
	}
	out := make([]complex128, len(re))
	for i, x := range re {
		if im != nil {
			out[i] = complex(x, im[i])
		} else {
			out[i] = complex(x, 0)
		}
	}
	return out, nil
}

// maxExpand bounds the elements Float64s makes from a sparse matrix
// (1 GiB of float64).
const maxExpand = 1 << 27

// maxEmptyRows bounds the empty strings Strings makes for a char array
// with rows but no columns.
const maxEmptyRows = 1 << 16

func (v *Var) expandSparse() (re, im []float64, err error) {
	s := v.Sparse
	if s == nil || len(v.Dims) != 2 {
		return nil, nil, v.errorf(ErrFormat, "sparse matrix without contents")
	}
	m, n := v.Dims[0], v.Dims[1]
	total, ok := numel(v.Dims)
	if !ok || total > maxExpand {
		return nil, nil, v.errorf(ErrClass, "sparse %s matrix is too large to expand (%d elements at most)", dimsString(v.Dims), maxExpand)
	}
	if len(s.ColStart) != n+1 {
		return nil, nil, v.errorf(ErrFormat, "sparse matrix has %d column starts for %d columns", len(s.ColStart), n)
	}
	re = make([]float64, total)
	if s.Imag != nil {
		im = make([]float64, total)
	}
	for j := 0; j < n; j++ {
		lo, hi := s.ColStart[j], s.ColStart[j+1]
		if lo < 0 || hi < lo || hi > len(s.RowIndex) || hi > len(s.Real) || (s.Imag != nil && hi > len(s.Imag)) {
			return nil, nil, v.errorf(ErrFormat, "sparse column %d has a bad extent [%d, %d)", j+1, lo, hi)
		}
		for k := lo; k < hi; k++ {
			i := s.RowIndex[k]
			if i < 0 || i >= m {
				return nil, nil, v.errorf(ErrFormat, "sparse row index %d outside 1..%d", i+1, m)
			}
			re[i+m*j] += s.Real[k]
			if im != nil {
				im[i+m*j] += s.Imag[k]
			}
		}
	}
	return re, im, nil
}

// toFloat64s converts the numeric or logical slice d to float64.
func toFloat64s(d any) ([]float64, bool) {
	switch x := d.(type) {
	case []float64:
		out := make([]float64, len(x))
		copy(out, x)
		return out, true
	case []float32:
		return convertSlice[float64](x), true
	case []int8:
		return convertSlice[float64](x), true
	case []uint8:
		return convertSlice[float64](x), true
	case []int16:
		return convertSlice[float64](x), true
	case []uint16:
		return convertSlice[float64](x), true
	case []int32:
		return convertSlice[float64](x), true
	case []uint32:
		return convertSlice[float64](x), true
	case []int64:
		return convertSlice[float64](x), true
	case []uint64:
		return convertSlice[float64](x), true
	case []bool:
		out := make([]float64, len(x))
		for i, b := range x {
			if b {
				out[i] = 1
			}
		}
		return out, true
	}
	return nil, false
}

type number interface {
	~float64 | ~float32 | ~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64
}

func convertSlice[D, S number](src []S) []D {
	out := make([]D, len(src))
	for i, x := range src {
		out[i] = D(x)
	}
	return out
}

// Dense returns a 2-D numeric or logical array as a gonum matrix. This is
// where MATLAB's column-major order becomes gonum's row-major order: entry
// (i, j) of the result is Float64s()[i + rows*j]. Arrays with more than two
// dimensions or with no elements are refused (gonum has no empty matrices).
func (v *Var) Dense() (*mat.Dense, error) {
	if len(v.Dims) != 2 {
		return nil, v.errorf(ErrClass, "is %s, not 2-D", dimsString(v.Dims))
	}
	r, c := v.Dims[0], v.Dims[1]
	if r == 0 || c == 0 {
		return nil, v.errorf(ErrClass, "is empty (%s); gonum has no empty matrices", dimsString(v.Dims))
	}
	if col, ok := v.Data.([]float64); ok && v.Imag == nil && len(col) == r*c {
		// Reorder straight from the variable's own values.
		return mat.NewDense(r, c, transpose(col, r, c)), nil
	}
	col, err := v.Float64s()
	if err != nil {
		return nil, err
	}
	if r == 1 || c == 1 {
		return mat.NewDense(r, c, col), nil
	}
	return mat.NewDense(r, c, transpose(col, r, c)), nil
}

// transpose returns the column-major r×c values col in row-major order,
// in a new slice.
func transpose(col []float64, r, c int) []float64 {
	row := make([]float64, len(col))
	if r == 1 || c == 1 {
		copy(row, col)
		return row
	}
	// Blocked so both sides stay in cache for large matrices.
	const bs = 32
	for i0 := 0; i0 < r; i0 += bs {
		i1 := min(i0+bs, r)
		for j0 := 0; j0 < c; j0 += bs {
			j1 := min(j0+bs, c)
			for i := i0; i < i1; i++ {
				dst := row[i*c+j0 : i*c+j1]
				for j := range dst {
					dst[j] = col[i+r*(j0+j)]
				}
			}
		}
	}
	return row
}

// Scalar returns the one value of a numeric or logical array with exactly
// one element.
func (v *Var) Scalar() (float64, error) {
	if n := v.Len(); n != 1 || v.Class == Sparse {
		return 0, v.errorf(ErrClass, "is %s %s, not a scalar", dimsString(v.Dims), v.Class)
	}
	x, err := v.Float64s()
	if err != nil {
		return 0, err
	}
	return x[0], nil
}

// Int64s returns the values of an integer, logical or real floating-point
// array as int64, column-major. Floating-point values must be whole
// numbers within int64 range and uint64 values at most 2^63-1; any other
// value is an error that names it.
func (v *Var) Int64s() ([]int64, error) {
	if v.IsComplex() {
		return nil, v.errorf(ErrClass, "is complex %s, not integers", v.Class)
	}
	if !v.numeric() {
		return nil, v.errorf(ErrClass, "is %s %s, not numeric or logical", dimsString(v.Dims), v.Class)
	}
	bad := func(i int, x any) error {
		return v.errorf(ErrClass, "element %d is %v, not an int64", i+1, x)
	}
	switch d := v.Data.(type) {
	case []int64:
		out := make([]int64, len(d))
		copy(out, d)
		return out, nil
	case []int8:
		return convertSlice[int64](d), nil
	case []uint8:
		return convertSlice[int64](d), nil
	case []int16:
		return convertSlice[int64](d), nil
	case []uint16:
		return convertSlice[int64](d), nil
	case []int32:
		return convertSlice[int64](d), nil
	case []uint32:
		return convertSlice[int64](d), nil
	case []uint64:
		for i, x := range d {
			if x > math.MaxInt64 {
				return nil, bad(i, x)
			}
		}
		return convertSlice[int64](d), nil
	case []bool:
		out := make([]int64, len(d))
		for i, b := range d {
			if b {
				out[i] = 1
			}
		}
		return out, nil
	case []float64:
		out := make([]int64, len(d))
		for i, x := range d {
			if x != math.Trunc(x) || x < -(1<<63) || x >= 1<<63 {
				return nil, bad(i, x)
			}
			out[i] = int64(x)
		}
		return out, nil
	case []float32:
		out := make([]int64, len(d))
		for i, x := range d {
			f := float64(x)
			if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
				return nil, bad(i, x)
			}
			out[i] = int64(f)
		}
		return out, nil
	}
	return nil, v.errorf(ErrClass, "is %s %s, not numeric or logical", dimsString(v.Dims), v.Class)
}

// Int returns the one value of a scalar integer, logical or whole-valued
// floating-point array as an int, the way model files store counts such
// as N in any numeric class.
func (v *Var) Int() (int, error) {
	if n := v.Len(); n != 1 {
		return 0, v.errorf(ErrClass, "is %s %s, not a scalar", dimsString(v.Dims), v.Class)
	}
	x, err := v.Int64s()
	if err != nil {
		return 0, err
	}
	if int64(int(x[0])) != x[0] {
		return 0, v.errorf(ErrClass, "value %d does not fit an int", x[0])
	}
	return int(x[0]), nil
}

// Bools returns the values of a logical array, column-major. Numeric
// arrays whose values are all 0 or 1 are accepted too (scipy and older
// MATLAB code save masks as uint8 or double); any other value is an error
// that names it.
func (v *Var) Bools() ([]bool, error) {
	if b, ok := v.Data.([]bool); ok {
		out := make([]bool, len(b))
		copy(out, b)
		return out, nil
	}
	if !v.Class.Numeric() || v.IsComplex() {
		return nil, v.errorf(ErrClass, "is %s %s, not logical", dimsString(v.Dims), v.Class)
	}
	x, err := v.Float64s()
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(x))
	for i, f := range x {
		switch f {
		case 0:
		case 1:
			out[i] = true
		default:
			return nil, v.errorf(ErrClass, "element %d is %v; a %s mask must hold only 0 and 1", i+1, f, v.Class)
		}
	}
	return out, nil
}

// Text returns a char array with at most one non-singleton dimension
// (a row or column of characters, or an empty array) as a string. MATLAB
// holds text as UTF-16 code units; pairs of surrogates are joined and a
// lone surrogate becomes U+FFFD. Character matrices with several rows are
// refused (use Strings).
func (v *Var) Text() (string, error) {
	r, ok := v.Data.([]rune)
	if v.Class != Char || !ok {
		return "", v.errorf(ErrClass, "is %s %s, not char", dimsString(v.Dims), v.Class)
	}
	big := 0
	for _, d := range v.Dims {
		if d > 1 {
			big++
		}
	}
	if big > 1 {
		return "", v.errorf(ErrClass, "is a %s char array, not one line of text; use Strings", dimsString(v.Dims))
	}
	return runesToString(r), nil
}

// Strings returns the rows of a 2-D char array, each as a string. MATLAB
// pads the rows of a char matrix to one length with blanks; they are kept.
func (v *Var) Strings() ([]string, error) {
	r, ok := v.Data.([]rune)
	if v.Class != Char || !ok {
		return nil, v.errorf(ErrClass, "is %s %s, not char", dimsString(v.Dims), v.Class)
	}
	if len(v.Dims) != 2 {
		return nil, v.errorf(ErrClass, "is a %s char array, not 2-D", dimsString(v.Dims))
	}
	m, n := v.Dims[0], v.Dims[1]
	if len(r) != m*n {
		return nil, v.errorf(ErrFormat, "dims %s disagree with %d characters", dimsString(v.Dims), len(r))
	}
	if n == 0 && m > maxEmptyRows {
		// Rows of nothing cost nothing in the file; do not let them
		// cost gigabytes here.
		return nil, v.errorf(ErrClass, "char array %s has more than %d empty rows", dimsString(v.Dims), maxEmptyRows)
	}
	out := make([]string, m)
	row := make([]rune, n)
	for i := range out {
		for j := range row {
			row[j] = r[i+m*j]
		}
		out[i] = runesToString(row)
	}
	return out, nil
}

// runesToString turns MATLAB characters into a string: UTF-16 surrogate
// pairs are joined, other characters are taken as code points.
func runesToString(r []rune) string {
	var b strings.Builder
	b.Grow(len(r))
	for i := 0; i < len(r); i++ {
		c := r[i]
		if utf16.IsSurrogate(c) {
			if i+1 < len(r) {
				if p := utf16.DecodeRune(c, r[i+1]); p != '\uFFFD' {
					b.WriteRune(p)
					i++
					continue
				}
			}
			c = '\uFFFD'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// FieldNames returns the field names of a struct or object array.
func (v *Var) FieldNames() []string {
	return append([]string(nil), v.Fields...)
}

// HasField reports whether v is a struct or object with the named field.
func (v *Var) HasField(name string) bool {
	return (v.Class == Struct || v.Class == Object) && v.fieldIndex(name) >= 0
}

func (v *Var) fieldIndex(name string) int {
	for i, f := range v.Fields {
		if f == name {
			return i
		}
	}
	return -1
}

// Field returns the named field of a 1×1 struct or object (s.name in
// MATLAB). For struct arrays use FieldAt.
func (v *Var) Field(name string) (*Var, error) {
	if n := v.Len(); (v.Class == Struct || v.Class == Object) && n != 1 {
		return nil, v.errorf(ErrClass, "is a %s struct array; use FieldAt", dimsString(v.Dims))
	}
	return v.FieldAt(0, name)
}

// FieldAt returns the named field of element i (0-based, column-major) of a
// struct or object array (s(i+1).name in MATLAB).
func (v *Var) FieldAt(i int, name string) (*Var, error) {
	if v.Class != Struct && v.Class != Object {
		return nil, v.errorf(ErrClass, "is %s %s, not a struct; no field %q", dimsString(v.Dims), v.Class, name)
	}
	f := v.fieldIndex(name)
	if f < 0 {
		return nil, v.errorf(ErrNotFound, "no field %q (fields: %s)", name, strings.Join(v.Fields, ", "))
	}
	n := v.Len()
	if i < 0 || i >= n {
		return nil, v.errorf(ErrClass, "element %d is outside the %s struct array", i+1, dimsString(v.Dims))
	}
	k := i*len(v.Fields) + f
	if k >= len(v.Elems) || v.Elems[k] == nil {
		return nil, v.errorf(ErrFormat, "struct holds %d values for %d elements of %d fields", len(v.Elems), n, len(v.Fields))
	}
	return v.Elems[k], nil
}

// Elem returns element i (0-based, column-major) of a cell array
// (c{i+1} in MATLAB).
func (v *Var) Elem(i int) (*Var, error) {
	if v.Class != Cell {
		return nil, v.errorf(ErrClass, "is %s %s, not a cell array", dimsString(v.Dims), v.Class)
	}
	if i < 0 || i >= len(v.Elems) {
		return nil, v.errorf(ErrClass, "element %d is outside the %s cell array", i+1, dimsString(v.Dims))
	}
	return v.Elems[i], nil
}
