package matfile

import "strconv"

// Class is the MATLAB class of a variable, as MATLAB's class() reports it,
// with sparse matrices as a class of their own.
//
// Logical is a class here although the file stores logical arrays as uint8
// arrays with a logical flag: MATLAB's class() reports "logical", and a
// separate class keeps the question "is this a mask?" one comparison.
type Class uint8

// The classes. Their numeric values are this package's own, not the mxCLASS
// codes of the file format.
const (
	Invalid Class = iota // the zero Class; no variable has it
	Double               // float64
	Single               // float32
	Int8
	Uint8
	Int16
	Uint16
	Int32
	Uint32
	Int64
	Uint64
	Logical // true/false, stored as uint8 with the logical flag
	Char    // characters, one rune per element (see Var)
	Cell    // cell array of variables
	Struct  // struct array
	Object  // MATLAB object stored as a struct array with a class name
	Sparse  // sparse double or logical matrix (read only)
)

var classNames = [...]string{
	Invalid: "invalid",
	Double:  "double",
	Single:  "single",
	Int8:    "int8",
	Uint8:   "uint8",
	Int16:   "int16",
	Uint16:  "uint16",
	Int32:   "int32",
	Uint32:  "uint32",
	Int64:   "int64",
	Uint64:  "uint64",
	Logical: "logical",
	Char:    "char",
	Cell:    "cell",
	Struct:  "struct",
	Object:  "object",
	Sparse:  "sparse",
}

// String returns the MATLAB name of the class ("double", "int64", "cell"...).
func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Numeric reports whether c is one of the numeric classes Double, Single,
// Int8 … Uint64.
func (c Class) Numeric() bool { return c >= Double && c <= Uint64 }

// MATLAB array class codes (mxCLASS) in the array flags of a miMATRIX.
const (
	mxCell     = 1
	mxStruct   = 2
	mxObject   = 3
	mxChar     = 4
	mxSparse   = 5
	mxDouble   = 6
	mxSingle   = 7
	mxInt8     = 8
	mxUint8    = 9
	mxInt16    = 10
	mxUint16   = 11
	mxInt32    = 12
	mxUint32   = 13
	mxInt64    = 14
	mxUint64   = 15
	mxFunction = 16
	mxOpaque   = 17
)

// numericClassOfMx maps the numeric mxCLASS codes to classes.
func numericClassOfMx(mx uint8) Class {
	if mx >= mxDouble && mx <= mxUint64 {
		return Double + Class(mx-mxDouble)
	}
	return Invalid
}

// mxOfClass is the mxCLASS code written for a class.
func mxOfClass(c Class) uint8 {
	switch {
	case c.Numeric():
		return mxDouble + uint8(c-Double)
	case c == Logical:
		return mxUint8
	case c == Char:
		return mxChar
	case c == Cell:
		return mxCell
	case c == Struct:
		return mxStruct
	case c == Object:
		return mxObject
	case c == Sparse:
		return mxSparse
	}
	return 0
}

// Data element types (miTYPE) of the file format.
const (
	miInt8       = 1
	miUint8      = 2
	miInt16      = 3
	miUint16     = 4
	miInt32      = 5
	miUint32     = 6
	miSingle     = 7
	miDouble     = 9
	miInt64      = 12
	miUint64     = 13
	miMatrix     = 14
	miCompressed = 15
	miUTF8       = 16
	miUTF16      = 17
	miUTF32      = 18
)

// miSize is the size in bytes of one value of a numeric or text data type,
// 0 for the others.
func miSize(t uint32) int {
	switch t {
	case miInt8, miUint8, miUTF8:
		return 1
	case miInt16, miUint16, miUTF16:
		return 2
	case miInt32, miUint32, miSingle, miUTF32:
		return 4
	case miDouble, miInt64, miUint64:
		return 8
	}
	return 0
}

// miNumeric reports whether t holds numbers (not text, matrices or
// compressed data).
func miNumeric(t uint32) bool {
	switch t {
	case miInt8, miUint8, miInt16, miUint16, miInt32, miUint32, miSingle, miDouble, miInt64, miUint64:
		return true
	}
	return false
}

func miName(t uint32) string {
	switch t {
	case miInt8:
		return "miINT8"
	case miUint8:
		return "miUINT8"
	case miInt16:
		return "miINT16"
	case miUint16:
		return "miUINT16"
	case miInt32:
		return "miINT32"
	case miUint32:
		return "miUINT32"
	case miSingle:
		return "miSINGLE"
	case miDouble:
		return "miDOUBLE"
	case miInt64:
		return "miINT64"
	case miUint64:
		return "miUINT64"
	case miMatrix:
		return "miMATRIX"
	case miCompressed:
		return "miCOMPRESSED"
	case miUTF8:
		return "miUTF8"
	case miUTF16:
		return "miUTF16"
	case miUTF32:
		return "miUTF32"
	}
	return "data type " + strconv.FormatUint(uint64(t), 10)
}

// miOfClass is the data type written for the values of a numeric class.
func miOfClass(c Class) uint32 {
	switch c {
	case Double:
		return miDouble
	case Single:
		return miSingle
	case Int8:
		return miInt8
	case Uint8, Logical:
		return miUint8
	case Int16:
		return miInt16
	case Uint16:
		return miUint16
	case Int32:
		return miInt32
	case Uint32:
		return miUint32
	case Int64:
		return miInt64
	case Uint64:
		return miUint64
	}
	return 0
}
