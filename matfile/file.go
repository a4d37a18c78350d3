package matfile

import (
	"errors"
	"io"
	"os"
	"strings"
)

// File is a MAT-file read completely into memory: its variables, in file
// order, by name.
type File struct {
	// Path is the path the file was opened from.
	Path string
	// Header is the file header.
	Header Header

	vars    []*Var
	index   map[string]int
	skipped []*Error
}

// Open reads the level 5 MAT-file at path and decodes every variable in
// it. Errors are *Error values that name the file. Variables of classes
// this package cannot read are skipped (see Skipped); any other problem
// fails the whole file.
func Open(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Path: path, Offset: -1, Msg: "open: " + errText(err), Err: err}
	}
	return decodeAll(path, data)
}

// errText is err's message without the *PathError path, which Error adds.
func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// Decode reads a whole MAT-file from r, naming it name in errors.
func Decode(r io.Reader, name string) (*File, error) {
	rd, err := NewReader(r)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Path = name
		}
		return nil, err
	}
	rd.Name = name
	return collect(name, rd)
}

// decodeAll decodes a whole MAT-file held in memory.
func decodeAll(name string, data []byte) (*File, error) {
	rd, err := newBytesReader(name, data)
	if err != nil {
		return nil, err
	}
	return collect(name, rd)
}

func collect(name string, rd *Reader) (*File, error) {
	f := &File{Path: name, Header: rd.Header(), index: make(map[string]int)}
	for {
		v, err := rd.Next()
		if err == io.EOF {
			return f, nil
		}
		var e *Error
		if errors.Is(err, ErrUnsupported) && errors.As(err, &e) {
			f.skipped = append(f.skipped, e)
			continue
		}
		if err != nil {
			return nil, err
		}
		if i, dup := f.index[v.Name]; dup {
			// MATLAB's load keeps the last of variables with one name.
			f.vars[i] = v
			continue
		}
		f.index[v.Name] = len(f.vars)
		f.vars = append(f.vars, v)
	}
}

// Names returns the variable names in file order.
func (f *File) Names() []string {
	out := make([]string, len(f.vars))
	for i, v := range f.vars {
		out[i] = v.Name
	}
	return out
}

// Vars returns the variables in file order.
func (f *File) Vars() []*Var {
	return append([]*Var(nil), f.vars...)
}

// Has reports whether the file holds a variable with the given name.
func (f *File) Has(name string) bool {
	_, ok := f.index[name]
	return ok
}

// Skipped returns the errors about the variables that were passed over
// because this package cannot read their class (function handles,
// string, table and other opaque objects), in file order. Var returns
// the same error for such a variable.
func (f *File) Skipped() []*Error {
	return append([]*Error(nil), f.skipped...)
}

// Var returns the named variable. The error for a missing variable names
// the file, the variable and the variables there are; for a variable that
// was skipped as unsupported it is the error that says why.
func (f *File) Var(name string) (*Var, error) {
	if i, ok := f.index[name]; ok {
		return f.vars[i], nil
	}
	for _, e := range f.skipped {
		if e.Var == name {
			return nil, e
		}
	}
	names := f.Names()
	list := strings.Join(names, ", ")
	if len(list) > 200 {
		list = list[:200] + "…"
	}
	return nil, &Error{Path: f.Path, Var: name, Offset: -1, Msg: "no such variable (the file holds " + list + ")", Err: ErrNotFound}
}
