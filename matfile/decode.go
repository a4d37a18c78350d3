package matfile

import (
	"encoding/binary"
	"math"
	"unicode/utf8"
)

// maxDepth bounds the nesting of cells and structs, so that damaged input
// cannot exhaust the stack.
const maxDepth = 200

// decoder reads the data elements of one miMATRIX body held in memory.
type decoder struct {
	b  []byte
	p  int
	le bool
}

func (d *decoder) u32(b []byte) uint32 {
	if d.le {
		return binary.LittleEndian.Uint32(b)
	}
	return binary.BigEndian.Uint32(b)
}

// elem reads the next data element, in either the regular form (8-byte tag,
// data, padding to 8 bytes) or the small form (type and size in 4 bytes,
// up to 4 bytes of data in the other 4). what names the element in errors.
func (d *decoder) elem(v *Var, what string) (typ uint32, data []byte, err error) {
	left := len(d.b) - d.p
	if left < 8 {
		if left == 0 {
			return 0, nil, v.errorf(ErrFormat, "truncated: the array ends before its %s", what)
		}
		return 0, nil, v.errorf(ErrFormat, "truncated: %d bytes left for the 8-byte tag of its %s", left, what)
	}
	w0 := d.u32(d.b[d.p:])
	if n := w0 >> 16; n != 0 {
		if n > 4 {
			return 0, nil, v.errorf(ErrFormat, "%s: small data element declares %d bytes, at most 4 fit", what, n)
		}
		data = d.b[d.p+4 : d.p+4+int(n) : d.p+4+int(n)]
		d.p += 8
		return w0 & 0xffff, data, nil
	}
	size := d.u32(d.b[d.p+4:])
	if int64(size) > int64(left-8) {
		return 0, nil, v.errorf(ErrFormat, "%s: the %s element declares %d bytes but only %d remain in the array", what, miName(w0), size, left-8)
	}
	start := d.p + 8
	end := start + int(size)
	data = d.b[start:end:end]
	// Elements are padded to a multiple of 8 bytes; tolerate a missing
	// pad after the last one.
	d.p = min(len(d.b), (end+7)&^7)
	return w0, data, nil
}

// matrix decodes a miMATRIX body into v. For a struct field v.Name is set
// by the caller; for a top-level variable or cell element it is read here.
func (d *decoder) matrix(v *Var, depth int) error {
	if depth > maxDepth {
		return v.errorf(ErrFormat, "cells or structs nested deeper than %d levels", maxDepth)
	}
	if len(d.b) == 0 {
		// MATLAB writes an empty [] inside cells and structs as a
		// miMATRIX element with no body.
		v.Class, v.Dims, v.Data = Double, []int{0, 0}, []float64{}
		return nil
	}
	typ, flags, err := d.elem(v, "array flags")
	if err != nil {
		return err
	}
	if typ != miUint32 || len(flags) != 8 {
		return v.errorf(ErrFormat, "array flags are a %s element of %d bytes, not miUINT32 of 8", miName(typ), len(flags))
	}
	// The second word, nzmax, sizes sparse storage; the column starts
	// say how much of it is used, so it is not needed.
	w0 := d.u32(flags)
	mx, fl := uint8(w0), uint8(w0>>8)
	cplx, logical := fl&0x08 != 0, fl&0x02 != 0
	v.Global = fl&0x04 != 0

	if mx == mxOpaque {
		// Opaque arrays have no dimensions: their name comes next.
		if typ, raw, err := d.elem(v, "name"); err == nil && isText(typ) {
			d.setName(v, raw)
		}
		return v.errorf(ErrUnsupported, "opaque MATLAB objects (string, table, datetime, containers.Map, classdef objects…) are not supported; convert them to char, struct or numeric arrays before saving")
	}

	// Dimensions and name; the name is read before the dimensions are
	// checked so that messages about them can name the variable.
	dtyp, draw, err := d.elem(v, "dimensions")
	if err != nil {
		return err
	}
	typ, raw, err := d.elem(v, "name")
	if err != nil {
		return err
	}
	if !isText(typ) {
		return v.errorf(ErrFormat, "array name is a %s element, not miINT8", miName(typ))
	}
	d.setName(v, raw)

	switch {
	case mx == mxFunction:
		return v.errorf(ErrUnsupported, "function handles are not supported")
	case mx == 0 || mx > mxOpaque:
		return v.errorf(ErrFormat, "unknown array class code %d", mx)
	}
	dims, ok := d.ints(dtyp, draw)
	if !ok {
		return v.errorf(ErrFormat, "dimensions are a %s element of %d bytes, not integers", miName(dtyp), len(draw))
	}
	if len(dims) < 2 {
		return v.errorf(ErrFormat, "has %d dimensions; MATLAB arrays have at least 2", len(dims))
	}
	v.Dims = make([]int, len(dims))
	for i, x := range dims {
		if x < 0 || x > math.MaxInt32 {
			return v.errorf(ErrFormat, "dimension %d is %d", i+1, x)
		}
		v.Dims[i] = int(x)
	}
	n, ok := numel(v.Dims)
	if !ok {
		return v.errorf(ErrFormat, "dims %s have too many elements", dimsString(v.Dims))
	}

	switch mx {
	case mxCell:
		v.Class = Cell
		return d.cell(v, n, depth)
	case mxStruct:
		v.Class = Struct
		return d.structure(v, n, depth)
	case mxObject:
		v.Class = Object
		typ, raw, err := d.elem(v, "class name")
		if err != nil {
			return err
		}
		if !isText(typ) {
			return v.errorf(ErrFormat, "object class name is a %s element, not miINT8", miName(typ))
		}
		v.ClassName = cString(raw)
		return d.structure(v, n, depth)
	case mxChar:
		v.Class = Char
		return d.char(v, n)
	case mxSparse:
		v.Class = Sparse
		return d.sparse(v, cplx, logical)
	}

	c := numericClassOfMx(mx)
	if logical {
		v.Class = Logical
		typ, raw, err := d.elem(v, "values")
		if err != nil {
			return err
		}
		v.Data, err = d.bools(v, typ, raw, n)
		return err
	}
	v.Class = c
	typ, raw, err = d.elem(v, "real part")
	if err != nil {
		return err
	}
	if v.Data, err = d.numbers(v, c, typ, raw, n, "real part"); err != nil {
		return err
	}
	if cplx {
		typ, raw, err = d.elem(v, "imaginary part")
		if err != nil {
			return err
		}
		if v.Imag, err = d.numbers(v, c, typ, raw, n, "imaginary part"); err != nil {
			return err
		}
	}
	return nil
}

// isText reports whether names may be stored in an element of type typ.
func isText(typ uint32) bool { return typ == miInt8 || typ == miUint8 || typ == miUTF8 }

// setName sets the name of a top-level variable or cell element from the
// name element; struct fields keep the field name their parent gave them.
func (d *decoder) setName(v *Var, raw []byte) {
	if v.parent == nil || v.parent.Class == Cell {
		v.Name = cString(raw)
	}
}

// cString returns b up to its first NUL as a string.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// ints decodes an element of any integer type.
func (d *decoder) ints(typ uint32, raw []byte) ([]int64, bool) {
	switch typ {
	case miInt8, miUint8, miInt16, miUint16, miInt32, miUint32, miInt64, miUint64:
	default:
		return nil, false
	}
	sz := miSize(typ)
	if len(raw)%sz != 0 {
		return nil, false
	}
	out := make([]int64, len(raw)/sz)
	fill(out, typ, raw, d.le)
	return out, true
}

// count checks that a numeric element holds exactly n values and returns
// the size of one.
func (d *decoder) count(v *Var, typ uint32, raw []byte, n int, what string) error {
	if !miNumeric(typ) {
		return v.errorf(ErrFormat, "%s is a %s element, not numbers", what, miName(typ))
	}
	sz := miSize(typ)
	if len(raw)%sz != 0 {
		return v.errorf(ErrFormat, "%s: %d bytes is not a whole number of %s values", what, len(raw), miName(typ))
	}
	if got := len(raw) / sz; got != n {
		return v.errorf(ErrFormat, "dims %s need %d values but the %s holds %d (%s)", dimsString(v.Dims), n, what, got, miName(typ))
	}
	return nil
}

// numbers decodes n values of storage type typ into a slice of class c.
// MATLAB stores values in the narrowest type that holds them exactly
// (doubles as miUINT8, say); they are widened here.
func (d *decoder) numbers(v *Var, c Class, typ uint32, raw []byte, n int, what string) (any, error) {
	if err := d.count(v, typ, raw, n, what); err != nil {
		return nil, err
	}
	switch c {
	case Double:
		return fillNew[float64](n, typ, raw, d.le), nil
	case Single:
		return fillNew[float32](n, typ, raw, d.le), nil
	case Int8:
		return fillNew[int8](n, typ, raw, d.le), nil
	case Uint8:
		return fillNew[uint8](n, typ, raw, d.le), nil
	case Int16:
		return fillNew[int16](n, typ, raw, d.le), nil
	case Uint16:
		return fillNew[uint16](n, typ, raw, d.le), nil
	case Int32:
		return fillNew[int32](n, typ, raw, d.le), nil
	case Uint32:
		return fillNew[uint32](n, typ, raw, d.le), nil
	case Int64:
		return fillNew[int64](n, typ, raw, d.le), nil
	case Uint64:
		return fillNew[uint64](n, typ, raw, d.le), nil
	}
	return nil, v.errorf(ErrFormat, "class %s has no numeric values", c)
}

// bools decodes the n values of a logical array.
func (d *decoder) bools(v *Var, typ uint32, raw []byte, n int) ([]bool, error) {
	if err := d.count(v, typ, raw, n, "values"); err != nil {
		return nil, err
	}
	out := make([]bool, n)
	if typ == miUint8 || typ == miInt8 {
		for i, b := range raw {
			out[i] = b != 0
		}
		return out, nil
	}
	for i, x := range fillNew[float64](n, typ, raw, d.le) {
		out[i] = x != 0
	}
	return out, nil
}

func fillNew[T number](n int, typ uint32, raw []byte, le bool) []T {
	out := make([]T, n)
	fill(out, typ, raw, le)
	return out
}

// fill converts the values of storage type typ in raw into dst, which has
// room for exactly len(raw)/miSize(typ) values.
func fill[T number](dst []T, typ uint32, raw []byte, le bool) {
	switch typ {
	case miInt8:
		raw = raw[:len(dst)]
		for i := range dst {
			dst[i] = T(int8(raw[i]))
		}
	case miUint8:
		raw = raw[:len(dst)]
		for i := range dst {
			dst[i] = T(raw[i])
		}
	case miInt16, miUint16:
		raw = raw[:2*len(dst)]
		for i := range dst {
			var u uint16
			if le {
				u = binary.LittleEndian.Uint16(raw[2*i:])
			} else {
				u = binary.BigEndian.Uint16(raw[2*i:])
			}
			if typ == miInt16 {
				dst[i] = T(int16(u))
			} else {
				dst[i] = T(u)
			}
		}
	case miInt32, miUint32, miSingle:
		raw = raw[:4*len(dst)]
		for i := range dst {
			var u uint32
			if le {
				u = binary.LittleEndian.Uint32(raw[4*i:])
			} else {
				u = binary.BigEndian.Uint32(raw[4*i:])
			}
			switch typ {
			case miInt32:
				dst[i] = T(int32(u))
			case miUint32:
				dst[i] = T(u)
			default:
				dst[i] = T(math.Float32frombits(u))
			}
		}
	case miDouble:
		raw = raw[:8*len(dst)]
		if le {
			for i := range dst {
				dst[i] = T(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
			}
			return
		}
		for i := range dst {
			dst[i] = T(math.Float64frombits(binary.BigEndian.Uint64(raw[8*i:])))
		}
	case miInt64, miUint64:
		raw = raw[:8*len(dst)]
		for i := range dst {
			var u uint64
			if le {
				u = binary.LittleEndian.Uint64(raw[8*i:])
			} else {
				u = binary.BigEndian.Uint64(raw[8*i:])
			}
			if typ == miInt64 {
				dst[i] = T(int64(u))
			} else {
				dst[i] = T(u)
			}
		}
	}
}

// char decodes the characters of a char array. MATLAB writes UTF-16 code
// units (miUTF16, or miUINT16 in older files); scipy writes miUTF8 with
// dims counting code points; either gives one rune per array element.
func (d *decoder) char(v *Var, n int) error {
	typ, raw, err := d.elem(v, "characters")
	if err != nil {
		return err
	}
	bad := func(got int) error {
		return v.errorf(ErrFormat, "dims %s need %d characters but the %s element holds %d", dimsString(v.Dims), n, miName(typ), got)
	}
	switch typ {
	case miUTF8, miUint8, miInt8:
		if typ != miUTF8 && len(raw) == n {
			// One byte per character: ASCII or Latin-1.
			out := make([]rune, n)
			for i, b := range raw {
				out[i] = rune(b)
			}
			v.Data = out
			return nil
		}
		if got := utf8.RuneCount(raw); got != n {
			return bad(got)
		}
		out := make([]rune, 0, n)
		for len(raw) > 0 {
			r, size := utf8.DecodeRune(raw)
			out = append(out, r)
			raw = raw[size:]
		}
		v.Data = out
		return nil
	case miUTF16, miUint16, miInt16, miUTF32, miUint32, miInt32:
		sz := miSize(typ)
		if len(raw)%sz != 0 {
			return v.errorf(ErrFormat, "characters: %d bytes is not a whole number of %s values", len(raw), miName(typ))
		}
		if got := len(raw) / sz; got != n {
			return bad(got)
		}
		out := make([]rune, n)
		if sz == 2 {
			ft := uint32(miUint16)
			fill(out, ft, raw, d.le)
		} else {
			fill(out, miInt32, raw, d.le)
		}
		v.Data = out
		return nil
	}
	return v.errorf(ErrFormat, "characters are a %s element", miName(typ))
}

// children checks that k child arrays of at least 8 bytes each can fit in
// what is left of the body, before anything is allocated for them.
func (d *decoder) children(v *Var, k int, what string) error {
	if left := len(d.b) - d.p; k > left/8 {
		return v.errorf(ErrFormat, "dims %s need %d %s of at least 8 bytes each but only %d bytes remain", dimsString(v.Dims), k, what, left)
	}
	return nil
}

// child decodes the next miMATRIX element into c.
func (d *decoder) child(v, c *Var, depth int) error {
	typ, raw, err := d.elem(c, "contents")
	if err != nil {
		return err
	}
	if typ != miMatrix {
		return c.errorf(ErrFormat, "is a %s element, not miMATRIX", miName(typ))
	}
	sub := decoder{b: raw, le: d.le}
	return sub.matrix(c, depth+1)
}

func (d *decoder) cell(v *Var, n, depth int) error {
	if err := d.children(v, n, "cell elements"); err != nil {
		return err
	}
	v.Elems = make([]*Var, n)
	for i := range v.Elems {
		c := &Var{parent: v, index: i}
		if err := d.child(v, c, depth); err != nil {
			return err
		}
		v.Elems[i] = c
	}
	return nil
}

func (d *decoder) structure(v *Var, n, depth int) error {
	typ, raw, err := d.elem(v, "field name length")
	if err != nil {
		return err
	}
	l, ok := d.ints(typ, raw)
	if !ok || len(l) != 1 || l[0] < 0 || l[0] > 1<<16 {
		return v.errorf(ErrFormat, "field name length is not one small integer")
	}
	typ, raw, err = d.elem(v, "field names")
	if err != nil {
		return err
	}
	if !isText(typ) {
		return v.errorf(ErrFormat, "field names are a %s element, not miINT8", miName(typ))
	}
	fl := int(l[0])
	nf := 0
	if len(raw) > 0 {
		if fl == 0 || len(raw)%fl != 0 {
			return v.errorf(ErrFormat, "field names take %d bytes, not a multiple of the field name length %d", len(raw), fl)
		}
		nf = len(raw) / fl
	}
	v.Fields = make([]string, nf)
	for f := range v.Fields {
		v.Fields[f] = cString(raw[f*fl : (f+1)*fl])
	}
	if nf == 0 || n == 0 {
		return nil
	}
	if err := d.children(v, n, "struct elements"); err != nil {
		return err
	}
	if err := d.children(v, n*nf, "field values"); err != nil {
		return err
	}
	v.Elems = make([]*Var, n*nf)
	for i := range v.Elems {
		c := &Var{Name: v.Fields[i%nf], parent: v, index: i}
		if err := d.child(v, c, depth); err != nil {
			return err
		}
		v.Elems[i] = c
	}
	return nil
}

func (d *decoder) sparse(v *Var, cplx, logical bool) error {
	if len(v.Dims) != 2 {
		return v.errorf(ErrFormat, "sparse array has dims %s; sparse matrices are 2-D", dimsString(v.Dims))
	}
	m, ncol := v.Dims[0], v.Dims[1]
	typ, raw, err := d.elem(v, "row indices")
	if err != nil {
		return err
	}
	ir, ok := d.ints(typ, raw)
	if !ok {
		return v.errorf(ErrFormat, "sparse row indices are a %s element, not integers", miName(typ))
	}
	typ, raw, err = d.elem(v, "column starts")
	if err != nil {
		return err
	}
	if !miNumeric(typ) || miSize(typ) == 0 || len(raw)/miSize(typ) != ncol+1 {
		return v.errorf(ErrFormat, "sparse %s matrix needs %d column starts; the %s element has %d bytes", dimsString(v.Dims), ncol+1, miName(typ), len(raw))
	}
	jc, ok := d.ints(typ, raw)
	if !ok {
		return v.errorf(ErrFormat, "sparse column starts are a %s element, not integers", miName(typ))
	}
	nnz := jc[ncol]
	if jc[0] != 0 || nnz < 0 || nnz > int64(len(ir)) {
		return v.errorf(ErrFormat, "sparse column starts run from %d to %d; %d row indices are stored", jc[0], nnz, len(ir))
	}
	for j := 0; j < ncol; j++ {
		if jc[j+1] < jc[j] {
			return v.errorf(ErrFormat, "sparse column starts decrease at column %d", j+1)
		}
	}
	s := &SparseMatrix{Logical: logical, ColStart: make([]int, ncol+1), RowIndex: make([]int, nnz)}
	for j, c := range jc {
		s.ColStart[j] = int(c)
	}
	for k := range s.RowIndex {
		if ir[k] < 0 || ir[k] >= int64(m) {
			return v.errorf(ErrFormat, "sparse row index %d outside 1..%d", ir[k]+1, m)
		}
		s.RowIndex[k] = int(ir[k])
	}
	// Row indices and values may number nzmax ≥ nnz; only nnz are used.
	part := func(what string) ([]float64, error) {
		typ, raw, err := d.elem(v, what)
		if err != nil {
			return nil, err
		}
		if !miNumeric(typ) || len(raw)%miSize(typ) != 0 {
			return nil, v.errorf(ErrFormat, "sparse %s is a %s element of %d bytes", what, miName(typ), len(raw))
		}
		if got := len(raw) / miSize(typ); int64(got) < nnz {
			return nil, v.errorf(ErrFormat, "sparse matrix has %d nonzeros but its %s holds %d values", nnz, what, got)
		}
		out := make([]float64, nnz)
		fill(out, typ, raw[:int(nnz)*miSize(typ)], d.le)
		return out, nil
	}
	if s.Real, err = part("values"); err != nil {
		return err
	}
	if cplx {
		if s.Imag, err = part("imaginary parts"); err != nil {
			return err
		}
	}
	v.Sparse = s
	return nil
}
