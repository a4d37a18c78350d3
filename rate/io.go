package rate

import (
	"errors"
	"fmt"
	"math"

	"github.com/spikernn/spikernn/matfile"
	"gonum.org/v1/gonum/mat"
)

// ErrField is wrapped by the errors Load returns for a model file with a
// missing field or a field of the wrong shape or value.
var ErrField = errors.New("bad model field")

// modelFile reads the fields of one model file and collects the notes of
// LoadWithNotes.
type modelFile struct {
	path  string
	f     *matfile.File
	notes []Note
}

func (mf *modelFile) errorf(field, format string, args ...any) error {
	return fmt.Errorf("rate: load %s: field %s: %s: %w", mf.path, field, fmt.Sprintf(format, args...), ErrField)
}

func (mf *modelFile) wrap(field string, err error) error {
	return fmt.Errorf("rate: load %s: field %s: %w", mf.path, field, err)
}

// get returns a field, or nil when it is absent and optional.
func (mf *modelFile) get(field string, required bool) (*matfile.Var, error) {
	if !mf.f.Has(field) {
		if required {
			return nil, mf.errorf(field, "missing")
		}
		return nil, nil
	}
	v, err := mf.f.Var(field)
	if err != nil {
		return nil, mf.wrap(field, err)
	}
	return v, nil
}

// matrix reads an r×c field (c < 0: any positive number of columns).
func (mf *modelFile) matrix(field string, r, c int, required bool) (*mat.Dense, error) {
	v, err := mf.get(field, required)
	if v == nil || err != nil {
		return nil, err
	}
	if len(v.Dims) != 2 || v.Dims[0] != r || (c >= 0 && v.Dims[1] != c) || v.Dims[1] < 1 {
		want := fmt.Sprintf("%d×%d", r, c)
		if c < 0 {
			want = fmt.Sprintf("%d×k", r)
		}
		return nil, mf.errorf(field, "is %s, want %s", dimsText(v.Dims), want)
	}
	d, err := v.Dense()
	if err != nil {
		return nil, mf.wrap(field, err)
	}
	return d, nil
}

// vector reads a field of n values shaped 1×n or n×1 (n < 0: any length).
func (mf *modelFile) vector(field string, n int, required bool) ([]float64, error) {
	v, err := mf.get(field, required)
	if v == nil || err != nil {
		return nil, err
	}
	isVec := len(v.Dims) == 2 && (v.Dims[0] == 1 || v.Dims[1] == 1)
	if len(v.Dims) == 2 && v.Dims[0]*v.Dims[1] == 0 && n <= 0 {
		return []float64{}, nil
	}
	if !isVec || (n >= 0 && v.Dims[0]*v.Dims[1] != n) {
		want := "a vector"
		if n >= 0 {
			want = fmt.Sprintf("1×%d or %d×1", n, n)
		}
		return nil, mf.errorf(field, "is %s, want %s", dimsText(v.Dims), want)
	}
	x, err := v.Float64s()
	if err != nil {
		return nil, mf.wrap(field, err)
	}
	return x, nil
}

// scalar reads a 1×1 field; ok is false when it is absent and optional.
func (mf *modelFile) scalar(field string, required bool) (x float64, ok bool, err error) {
	v, err := mf.get(field, required)
	if v == nil || err != nil {
		return 0, false, err
	}
	x, err = v.Scalar()
	if err != nil {
		return 0, false, mf.wrap(field, err)
	}
	return x, true, nil
}

// integer reads a 1×1 field holding a whole number.
func (mf *modelFile) integer(field string, required bool) (int, bool, error) {
	x, ok, err := mf.scalar(field, required)
	if !ok || err != nil {
		return 0, ok, err
	}
	if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
		return 0, false, mf.errorf(field, "is %v, want a whole number", x)
	}
	return int(x), true, nil
}

// bools reads a mask of n values (logical or 0/1 numbers).
func (mf *modelFile) bools(field string, n int, required bool) ([]bool, error) {
	v, err := mf.get(field, required)
	if v == nil || err != nil {
		return nil, err
	}
	if len(v.Dims) != 2 || !(v.Dims[0] == 1 || v.Dims[1] == 1) || v.Dims[0]*v.Dims[1] != n {
		return nil, mf.errorf(field, "is %s, want %d×1", dimsText(v.Dims), n)
	}
	b, err := v.Bools()
	if err != nil {
		return nil, mf.wrap(field, err)
	}
	return b, nil
}

func dimsText(d []int) string {
	s := ""
	for i, x := range d {
		if i > 0 {
			s += "×"
		}
		s += fmt.Sprint(x)
	}
	return s
}
