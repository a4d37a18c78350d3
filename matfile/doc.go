// Package matfile reads and writes MATLAB level 5 MAT-files: the format of
// MATLAB's save -v6 and -v7 (the default) and of scipy.io.savemat, and the
// exchange format of model files between this project, MATLAB and the
// Python implementations.
//
// # Reading
//
// Open reads a whole file; its variables are listed by Names and fetched
// by Var. NewReader reads a file one variable at a time, like
// archive/tar: Next returns each decoded variable and io.EOF at the end.
//
//	f, err := matfile.Open("model.mat")
//	…
//	v, err := f.Var("w") // the error names the file and the variable
//	…
//	w, err := v.Dense() // *mat.Dense, row-major
//
// The reader takes what MATLAB and scipy write: both byte orders,
// compressed and uncompressed variables, values stored in types narrower
// than their class, every numeric class, logical, char (UTF-8, UTF-16,
// UTF-32 and the older 8- and 16-bit forms), complex numbers, N-d arrays,
// cell arrays, struct arrays, objects (as structs with a class name) and
// sparse matrices. It refuses level 4 files, 7.3 (HDF5) files, function
// handles and opaque objects (strings, tables…) with an error that says so
// and how to re-save the file.
//
// # Values and their order
//
// A Var holds its values in MATLAB's column-major order, in a slice of the
// Go type of its class (see Var). The accessors convert: Float64s and
// Complex128s from any numeric or logical class, Int64s and Int for
// counts stored in any class, Bools for masks stored as logical or as 0/1
// numbers, Scalar for one value, Text and Strings for char arrays, Field,
// FieldAt and Elem for the insides of structs and cells.
//
// Column-major becomes row-major in exactly two places: Var.Dense (MATLAB
// to gonum) and NewDense (gonum to MATLAB). Everywhere else a slice of
// values is column-major: the element at subscript (i, j, k) of an array
// with dims (m, n, p) is at index i + m*(j + n*k). A numpy array saved by
// scipy (C order) arrives with the same subscripts as in numpy.
//
// # Writing
//
// Create writes a file through a temporary file in the same directory
// that Close renames into place, so a crash never leaves a half-written
// .mat; NewWriter writes to any io.Writer. Variables are built with
// NewDense, NewFloat64, NewScalar, NewInt64 (and the other integer and
// single classes), NewLogical, NewChar, NewComplex128, NewStruct,
// NewStructArray, NewCell and NewSparse. Writer.Compress or
// Writer.WriteCompressed stores variables in zlib-compressed elements.
// Output is deterministic: the header carries no date, so equal variables
// give equal bytes.
//
// # Errors
//
// Every error about a file is an *Error that names the file, the variable
// (with its path inside structs and cells, as in "model.w" or "c{2}") and
// the byte offset of the element when they are known, and says what is
// wrong. errors.Is tells the kind: ErrFormat (damaged or malformed input),
// ErrUnsupported (valid MATLAB content this package does not read),
// ErrNotFound (no such variable or field), ErrClass (an accessor asked of
// the wrong class or shape) and ErrInvalid (a variable Write cannot
// write). No input makes the reader panic or allocate much more than the
// bytes actually present: every declared size is checked against the
// bytes left before anything is allocated for it, and data read from a
// stream of unknown length is buffered as it arrives.
//
// # Byte layout
//
// A level 5 file is a 128-byte header followed by data elements. The
// writer emits little-endian files; the reader takes either byte order,
// chosen by the endian indicator.
//
//	offset  size  header field
//	     0   116  descriptive text, blank padded ("MATLAB 5.0 MAT-file, …")
//	   116     8  subsystem data offset (0 or blanks: none)
//	   124     2  version, 0x0100 (0x0200 marks a 7.3 HDF5 file)
//	   126     2  endian indicator: "IM" little-endian, "MI" big-endian
//
// A level 4 file has no such header: it starts with a small integer, so a
// zero byte among the first four marks it.
//
// Every data element starts with an 8-byte tag, a uint32 type (miTYPE)
// and a uint32 byte count, followed by the data and zero padding to a
// multiple of 8 bytes. Elements of at most 4 bytes may use the small form
// instead: one uint32 holding the byte count in its upper 16 bits and the
// type in its lower 16 bits, then the data in the next 4 bytes.
//
//	type  name          type  name
//	   1  miINT8           9  miDOUBLE
//	   2  miUINT8         12  miINT64
//	   3  miINT16         13  miUINT64
//	   4  miUINT16        14  miMATRIX      (an array: one variable)
//	   5  miINT32         15  miCOMPRESSED  (zlib stream of one element)
//	   6  miUINT32        16  miUTF8
//	   7  miSINGLE        17  miUTF16
//	                      18  miUTF32
//
// At the top level a file holds only miMATRIX elements and miCOMPRESSED
// elements, whose zlib stream inflates to one miMATRIX element (tag
// included); compressed elements are not padded. The reader inflates a
// compressed element once, straight from the input, and reads the stream
// to its end so that its Adler-32 checksum is verified. The body of a
// miMATRIX element is a sequence of sub-elements:
//
//	array flags  miUINT32, 8 bytes: byte 0 the class (mxCLASS), byte 1 the
//	             flags 0x08 complex, 0x04 global, 0x02 logical; the
//	             second uint32 is nzmax for sparse arrays
//	dimensions   miINT32, one int32 per dimension, at least two
//	name         miINT8, no terminating NUL (empty inside cells and structs)
//	then, by class:
//	  numeric    real part, then the imaginary part if complex: any numeric
//	             type holding exactly prod(dims) values (MATLAB stores
//	             doubles as miUINT8 and the like when they fit; they are
//	             widened to the class here)
//	  logical    class mxUINT8 with the logical flag; values as miUINT8
//	  char       mxCHAR: the characters, miUTF16 or miUINT16 (MATLAB) or
//	             miUTF8 (scipy), one per element
//	  cell       mxCELL: prod(dims) miMATRIX elements, column-major
//	  struct     mxSTRUCT: field name length (miINT32, one value L), field
//	             names (miINT8, nfields × L bytes, NUL padded), then for
//	             each element in column-major order a miMATRIX per field
//	  object     mxOBJECT: the class name (miINT8), then as a struct
//	  sparse     mxSPARSE: row indices (miINT32, nzmax), column starts
//	             (miINT32, columns+1), values, then imaginary parts if
//	             complex
//
// MATLAB writes an empty [] inside cells and structs as a miMATRIX element
// with no body; it reads back as a 0×0 double.
//
//	mxCLASS  1 cell  2 struct  3 object  4 char  5 sparse  6 double
//	         7 single  8 int8  9 uint8  10 int16  11 uint16  12 int32
//	         13 uint32  14 int64  15 uint64  16 function  17 opaque
//
// The writer stores each class in its own type (double as miDOUBLE, int16
// as miINT16, logical as miUINT8), names in the small form when they fit,
// struct field names in 32-byte slots (64 when a name is 32 bytes or
// longer), and char arrays as miUTF16 when every character is in the
// Basic Multilingual Plane, else as miUTF8 with dims counting code points,
// as scipy does.
//
// Reference: MathWorks, "MAT-File Format", version 7 (matfile_format.pdf).
package matfile
