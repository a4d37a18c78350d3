package matfile

import (
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported is wrapped by errors about valid MATLAB content this
// package does not read: level 4 files, 7.3 (HDF5) files, function handles,
// opaque classes (string, table, datetime objects) and the like.
var ErrUnsupported = errors.New("unsupported")

// ErrFormat is wrapped by errors about malformed input: bad headers, elements
// whose declared size exceeds the bytes present, dims that disagree with the
// data, corrupt compressed streams and unknown classes or types.
var ErrFormat = errors.New("malformed MAT-file")

// ErrClass is wrapped by the errors the accessors return when a variable
// is of the wrong class or shape for the request (Text of a double, Dense
// of a 3-D array, Scalar of a vector).
var ErrClass = errors.New("wrong class or shape")

// ErrNotFound is wrapped by the error File.Var and Var.Field return for a
// name that is not there.
var ErrNotFound = errors.New("not found")

// Error describes a problem with one MAT-file. Its message reads
//
//	matfile: <path>: variable "w" (offset 1234): <what is wrong>
//
// leaving out the parts that are unknown. Err is ErrFormat, ErrUnsupported,
// ErrClass, ErrNotFound or an I/O error, so errors.Is works on any Error.
type Error struct {
	// Path names the file; empty when the reader had no name
	// (see Reader.Name).
	Path string
	// Var is the variable the problem is in, with the path of struct
	// fields and cell elements inside it ("model.w", "c{2}"); empty when
	// the problem is in the file header or the variable name is unknown.
	Var string
	// Offset is the byte offset in the file of the top-level element the
	// problem is in, or -1 when it does not apply. Inside a compressed
	// element it is the offset of the compressed element.
	Offset int64
	// Msg says what is wrong.
	Msg string
	// Err is the class of the problem, for errors.Is.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("matfile: ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	switch {
	case e.Var != "" && e.Offset >= 0:
		fmt.Fprintf(&b, "variable %q (offset %d): ", e.Var, e.Offset)
	case e.Var != "":
		fmt.Fprintf(&b, "variable %q: ", e.Var)
	case e.Offset >= 0:
		fmt.Fprintf(&b, "offset %d: ", e.Offset)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns Err.
func (e *Error) Unwrap() error { return e.Err }
