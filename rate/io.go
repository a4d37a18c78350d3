package rate

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/spikernn/spikernn/matfile"
	"gonum.org/v1/gonum/mat"
)

// ErrField is wrapped by the errors Load returns for a model file with a
// missing field or a field of the wrong shape or value.
var ErrField = errors.New("bad model field")

// modelFile reads the fields of one model file.
type modelFile struct {
	path string
	f    *matfile.File
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

// Load reads a model file in the reference layout (SPEC §3), as written by
// Save, by the reference implementations (scipy) or by MATLAB. Numeric
// fields may be of any numeric or logical class, in compressed or plain
// elements.
//
// Required: N, som_N, w, w_in, w_out, b_out, inh (or exc), taus,
// activation, and taus_gaus when taus is a range. m and som_m are built
// from inh and som_N (SPEC §1) when absent and checked when present;
// everything else (w0, taus_gaus0, losses, tr, eval_perf_mean,
// eval_loss_mean, apply_dale and the λ search fields) is optional. A file
// without apply_dale is taken as Dale-constrained when it has an
// inhibitory unit, as the reference does. A missing field, or a field of
// the wrong shape, is an error naming the file and the field.
func Load(path string) (*Model, error) {
	f, err := matfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("rate: load %s: %w", path, err)
	}
	mf := &modelFile{path: path, f: f}
	m, err := mf.model()
	if err != nil {
		return nil, err
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("rate: load %s: %w: %w", path, err, ErrField)
	}
	return m, nil
}

func (mf *modelFile) model() (*Model, error) {
	m := &Model{}
	var err error
	n, _, err := mf.integer("N", true)
	if err != nil {
		return nil, err
	}
	if n < 1 {
		return nil, mf.errorf("N", "is %d, want ≥ 1", n)
	}
	m.N = n
	if m.SomN, _, err = mf.integer("som_N", true); err != nil {
		return nil, err
	}
	if m.SomN < 0 || m.SomN > n {
		return nil, mf.errorf("som_N", "is %d, want in [0, N=%d]", m.SomN, n)
	}
	if m.W, err = mf.matrix("w", n, n, true); err != nil {
		return nil, err
	}
	if m.W0, err = mf.matrix("w0", n, n, false); err != nil {
		return nil, err
	}
	if m.WIn, err = mf.matrix("w_in", n, -1, true); err != nil {
		return nil, err
	}
	if m.WOut, err = mf.vector("w_out", n, true); err != nil {
		return nil, err
	}
	if m.BOut, _, err = mf.scalar("b_out", true); err != nil {
		return nil, err
	}

	// Unit types: inh, or exc when inh is absent; both must agree.
	inh, err := mf.bools("inh", n, false)
	if err != nil {
		return nil, err
	}
	exc, err := mf.bools("exc", n, inh == nil)
	if err != nil {
		return nil, err
	}
	if inh == nil {
		inh = make([]bool, n)
		for i, e := range exc {
			inh[i] = !e
		}
	} else if exc != nil {
		for i := range inh {
			if inh[i] == exc[i] {
				return nil, mf.errorf("exc", "unit %d is marked both or neither inhibitory (inh) and excitatory (exc)", i+1)
			}
		}
	}
	m.Inh = inh

	if m.M, err = mf.matrix("m", n, n, false); err != nil {
		return nil, err
	}
	if m.M == nil {
		m.M = SignMatrix(inh)
	}
	if m.SomM, err = mf.matrix("som_m", n, n, false); err != nil {
		return nil, err
	}
	if m.SomM == nil {
		m.SomM = SomMask(inh, m.SomN)
	}

	if m.Taus, err = mf.vector("taus", -1, true); err != nil {
		return nil, err
	}
	if err := checkTaus(m.Taus); err != nil {
		return nil, mf.errorf("taus", "%v", err)
	}
	if m.TausGaus, err = mf.vector("taus_gaus", n, len(m.Taus) == 2); err != nil {
		return nil, err
	}
	if m.TausGaus0, err = mf.vector("taus_gaus0", n, false); err != nil {
		return nil, err
	}

	av, err := mf.get("activation", true)
	if err != nil {
		return nil, err
	}
	name, err := av.Text()
	if err != nil {
		return nil, mf.wrap("activation", err)
	}
	if m.Activation, err = ParseActivation(strings.TrimSpace(name)); err != nil {
		return nil, mf.wrap("activation", err)
	}

	dale, ok, err := mf.scalar("apply_dale", false)
	if err != nil {
		return nil, err
	}
	if ok {
		m.ApplyDale = dale != 0
	} else {
		m.ApplyDale = m.HasInhibitory()
	}

	if m.Losses, err = mf.vector("losses", -1, false); err != nil {
		return nil, err
	}
	if m.Tr, _, err = mf.integer("tr", false); err != nil {
		return nil, err
	}
	if m.EvalPerfMean, _, err = mf.scalar("eval_perf_mean", false); err != nil {
		return nil, err
	}
	if m.EvalLossMean, _, err = mf.scalar("eval_loss_mean", false); err != nil {
		return nil, err
	}
	if m.OptScalingFactor, _, err = mf.scalar("opt_scaling_factor", false); err != nil {
		return nil, err
	}
	if m.ScalingFactors, err = mf.vector("scaling_factors", -1, false); err != nil {
		return nil, err
	}
	if m.AllPerfs, err = mf.vector("all_perfs", -1, false); err != nil {
		return nil, err
	}
	if m.AllPerfs != nil && len(m.AllPerfs) != len(m.ScalingFactors) {
		return nil, mf.errorf("all_perfs", "has %d values, want one per scaling factor (%d)", len(m.AllPerfs), len(m.ScalingFactors))
	}
	return m, nil
}

// Save writes the model to path in the reference layout (SPEC §3), so that
// scipy, MATLAB and the reference implementations read it: w (relu(w) when
// ApplyDale, as the TensorFlow original exported it), w0 (likewise),
// w_in, w_out (1×N), b_out, m, som_m, N, som_N, inh and exc (N×1
// logical), taus, taus_gaus and taus_gaus0 (N×1), losses (1×n), tr,
// activation, eval_perf_mean, eval_loss_mean, apply_dale, and, when a λ
// search has run, opt_scaling_factor, scaling_factors and all_perfs.
// Optional fields the model lacks (w0, taus_gaus0) are left out.
//
// The file is written compressed to a temporary file in the same
// directory and renamed into place, so path never holds a partial file.
func (m *Model) Save(path string) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("rate: save %s: %w", path, err)
	}
	w, err := matfile.Create(path)
	if err != nil {
		return fmt.Errorf("rate: save %s: %w", path, err)
	}
	w.Compress = true
	for _, v := range m.vars() {
		if err := w.Write(v); err != nil {
			w.Abort()
			return fmt.Errorf("rate: save %s: %w", path, err)
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("rate: save %s: %w", path, err)
	}
	return nil
}

// vars returns the variables Save writes.
func (m *Model) vars() []*matfile.Var {
	n := m.N
	relu := func(d *mat.Dense) *mat.Dense {
		if !m.ApplyDale {
			return d
		}
		r := mat.DenseCopyOf(d)
		raw := r.RawMatrix().Data
		for k, v := range raw {
			if v < 0 {
				raw[k] = 0
			}
		}
		return r
	}
	col := func(name string, x []float64) *matfile.Var {
		return matfile.NewFloat64(name, []int{len(x), 1}, append([]float64(nil), x...))
	}
	row := func(name string, x []float64) *matfile.Var {
		return matfile.NewFloat64(name, []int{1, len(x)}, append([]float64(nil), x...))
	}
	exc := make([]bool, n)
	for i, b := range m.Inh {
		exc[i] = !b
	}
	vs := []*matfile.Var{
		matfile.NewDense("w", relu(m.W)),
	}
	if m.W0 != nil {
		vs = append(vs, matfile.NewDense("w0", relu(m.W0)))
	}
	vs = append(vs,
		matfile.NewDense("w_in", m.WIn),
		row("w_out", m.WOut),
		matfile.NewScalar("b_out", m.BOut),
		matfile.NewDense("m", m.M),
		matfile.NewDense("som_m", m.SomM),
		matfile.NewScalar("N", float64(n)),
		matfile.NewScalar("som_N", float64(m.SomN)),
		matfile.NewLogical("inh", []int{n, 1}, append([]bool(nil), m.Inh...)),
		matfile.NewLogical("exc", []int{n, 1}, exc),
		row("taus", m.Taus),
	)
	if m.TausGaus != nil {
		vs = append(vs, col("taus_gaus", m.TausGaus))
	}
	if m.TausGaus0 != nil {
		vs = append(vs, col("taus_gaus0", m.TausGaus0))
	}
	vs = append(vs,
		row("losses", m.Losses),
		matfile.NewScalar("tr", float64(m.Tr)),
		matfile.NewChar("activation", m.Activation.String()),
		matfile.NewScalar("eval_perf_mean", m.EvalPerfMean),
		matfile.NewScalar("eval_loss_mean", m.EvalLossMean),
		matfile.NewLogical("apply_dale", nil, []bool{m.ApplyDale}),
	)
	if m.OptScalingFactor != 0 || len(m.ScalingFactors) > 0 {
		vs = append(vs,
			matfile.NewScalar("opt_scaling_factor", m.OptScalingFactor),
			row("scaling_factors", m.ScalingFactors),
			row("all_perfs", m.AllPerfs),
		)
	}
	return vs
}
