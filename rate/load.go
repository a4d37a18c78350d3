package rate

import (
	"fmt"
	"math"
	"strings"

	"github.com/spikernn/spikernn/matfile"
	"gonum.org/v1/gonum/mat"
)

// A Note records one thing LoadWithNotes assumed about a model file: the
// value it took for an absent field, or which of two disagreeing fields it
// followed.
type Note struct {
	// Field is the model-file field the note is about (som_N, b_out, …).
	Field string
	// Text says what was assumed and why.
	Text string
}

// String returns the note as one line, "field: text".
func (n Note) String() string { return n.Field + ": " + n.Text }

// Load reads a model file in the reference layout (SPEC §3), as written by
// Save, by the reference implementations (scipy) or by MATLAB and Octave.
// It is LoadWithNotes without the notes.
func Load(path string) (*Model, error) {
	m, _, err := LoadWithNotes(path)
	return m, err
}

// LoadWithNotes reads a model file in any layout the reference ecosystem
// writes (SPEC §3) and returns, with the model, one Note for every
// assumption it made, in the order of the fields. Numeric fields may be of
// any numeric or logical class, in compressed or plain elements; vectors
// may be rows or columns.
//
// Required: N, w, w_in, w_out, taus, and taus_gaus when taus is a range
// [min, max]. A field the file lacks takes the references' default, with a
// note:
//
//	w0           absent: nil; only use_initial_weights is refused
//	b_out        0 (the LIF conversion does not use it)
//	inh, exc     each from the other; both absent: from the diagonal of m
//	m            built from inh (SPEC §1)
//	som_N        counted from som_m (the inhibitory units cut off from
//	             every inhibitory unit), or 0 when som_m is absent too
//	som_m        built from inh and som_N (SPEC §1)
//	taus_gaus0   taus_gaus
//	activation   sigmoid
//	apply_dale   true when the file has an inhibitory unit
//
// A field that contradicts another is noted, not refused, when the
// references' conversion would use it as it is: m (or som_m) that differs
// from the matrix inh (and som_N) give is used for the weights and inh for
// the unit types. Losses past tr that are all zero (the unused rest of the
// reference's buffer of n_trials) are dropped, and an opt_scaling_factor of
// NaN (MATLAB's mark of a λ search in progress) is not taken as a result;
// both are noted. Everything else the file holds (trajectories, stimuli,
// the training record of the TensorFlow original) is read when this
// package has a place for it (losses, tr, eval_perf_mean, eval_loss_mean,
// eval_os, eval_labels, opt_scaling_factor, scaling_factors, all_perfs,
// and task and task_spec, which Save writes) and ignored otherwise.
//
// A field that is present but of the wrong shape or value is an error
// naming the file, the field and the shape wanted; it wraps ErrField.
func LoadWithNotes(path string) (*Model, []Note, error) {
	f, err := matfile.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("rate: load %s: %w", path, err)
	}
	mf := &modelFile{path: path, f: f}
	m := &Model{}
	steps := []func(*Model) error{
		mf.size, mf.weights, mf.signs, mf.som, mf.decays, mf.nonlinearity, mf.dale, mf.record, mf.search, mf.task,
	}
	for _, read := range steps {
		if err := read(m); err != nil {
			return nil, nil, err
		}
	}
	if err := m.validate(); err != nil {
		return nil, nil, fmt.Errorf("rate: load %s: %w: %w", path, err, ErrField)
	}
	return m, mf.notes, nil
}

// note records an assumption about field.
func (mf *modelFile) note(field, format string, args ...any) {
	mf.notes = append(mf.notes, Note{Field: field, Text: fmt.Sprintf(format, args...)})
}

// size reads N.
func (mf *modelFile) size(m *Model) error {
	n, _, err := mf.integer("N", true)
	if err != nil {
		return err
	}
	if n < 1 {
		return mf.errorf("N", "is %d, want ≥ 1", n)
	}
	m.N = n
	return nil
}

// weights reads w, w0, w_in, w_out and b_out.
func (mf *modelFile) weights(m *Model) error {
	n := m.N
	var err error
	if m.W, err = mf.matrix("w", n, n, true); err != nil {
		return err
	}
	if m.W0, err = mf.matrix("w0", n, n, false); err != nil {
		return err
	}
	if m.W0 == nil {
		mf.note("w0", "absent: the initial weights are unknown, so only the trained weights convert (use_initial_weights is refused)")
	}
	if m.WIn, err = mf.matrix("w_in", n, -1, true); err != nil {
		return err
	}
	if m.WOut, err = mf.vector("w_out", n, true); err != nil {
		return err
	}
	var ok bool
	if m.BOut, ok, err = mf.scalar("b_out", false); err != nil {
		return err
	}
	if !ok {
		mf.note("b_out", "absent: 0 assumed (the LIF conversion does not use it)")
	}
	return nil
}

// signs reads the unit types (inh, exc) and the sign matrix m.
func (mf *modelFile) signs(m *Model) error {
	n := m.N
	var err error
	if m.M, err = mf.matrix("m", n, n, false); err != nil {
		return err
	}
	inh, err := mf.bools("inh", n, false)
	if err != nil {
		return err
	}
	exc, err := mf.bools("exc", n, false)
	if err != nil {
		return err
	}
	switch {
	case inh == nil && exc == nil:
		if m.M == nil {
			return mf.errorf("inh", "missing, and exc and m too: the unit types are unknown")
		}
		if inh = signsOf(m.M); inh == nil {
			return mf.errorf("inh", "missing, and exc too, and m is not a sign matrix (diagonal, ±1) to read the unit types from")
		}
		mf.note("inh", "absent, and exc too: read from the diagonal of m (-1: inhibitory)")
	case inh == nil:
		inh = make([]bool, n)
		for i, e := range exc {
			inh[i] = !e
		}
	case exc != nil:
		for i := range inh {
			if inh[i] == exc[i] {
				return mf.errorf("exc", "unit %d is marked both or neither inhibitory (inh) and excitatory (exc)", i+1)
			}
		}
	}
	m.Inh = inh
	if m.M == nil {
		m.M = SignMatrix(inh)
		mf.note("m", "absent: built from inh (the identity with -1 for the inhibitory units, SPEC §1)")
	} else if d := signMismatch(m.M, inh); d != "" {
		mf.note("m", "differs from the sign matrix of inh (%s): m is used for the weights, as the references' conversion does, and inh for the unit types", d)
	}
	return nil
}

// signsOf returns the unit types a sign matrix gives (-1 on the diagonal:
// inhibitory), or nil when a is not diagonal with ±1 entries.
func signsOf(a *mat.Dense) []bool {
	if !isDiagonal(a) {
		return nil
	}
	n, _ := a.Dims()
	inh := make([]bool, n)
	for i := range inh {
		switch a.At(i, i) {
		case -1:
			inh[i] = true
		case 1:
		default:
			return nil
		}
	}
	return inh
}

// signMismatch describes how a differs from SignMatrix(inh), or returns ""
// when it does not.
func signMismatch(a *mat.Dense, inh []bool) string {
	var parts []string
	if !isDiagonal(a) {
		parts = append(parts, "it has off-diagonal entries")
	}
	flipped, first, other := 0, 0, 0
	for i, b := range inh {
		d := a.At(i, i)
		if (d < 0) != b {
			if flipped == 0 {
				first = i + 1
			}
			flipped++
		} else if d != 1 && d != -1 {
			other++
		}
	}
	if flipped > 0 {
		parts = append(parts, fmt.Sprintf("%d units with the other sign, the first unit %d", flipped, first))
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("%d diagonal entries other than ±1", other))
	}
	return strings.Join(parts, "; ")
}

// som reads som_N and the SOM mask som_m.
func (mf *modelFile) som(m *Model) error {
	n := m.N
	somN, hasSomN, err := mf.integer("som_N", false)
	if err != nil {
		return err
	}
	if hasSomN && (somN < 0 || somN > n) {
		return mf.errorf("som_N", "is %d, want in [0, N=%d]", somN, n)
	}
	if m.SomM, err = mf.matrix("som_m", n, n, false); err != nil {
		return err
	}
	switch {
	case m.SomM == nil:
		if !hasSomN {
			mf.note("som_N", "absent, and som_m too: 0 assumed (no SOM units), the references' default")
		}
		m.SomM = SomMask(m.Inh, somN)
		mf.note("som_m", "absent: built from inh and som_N = %d (SPEC §1)", somN)
	case !hasSomN:
		somN = somCount(m.SomM, m.Inh)
		mf.note("som_N", "absent: %d inferred from som_m (the inhibitory units whose row is zero on every inhibitory column)", somN)
		if !mat.Equal(m.SomM, SomMask(m.Inh, somN)) {
			mf.note("som_m", "is not the mask of the first %d inhibitory units: used as it is, as the references' conversion does", somN)
		}
	case !mat.Equal(m.SomM, SomMask(m.Inh, somN)):
		mf.note("som_m", "differs from the mask som_N = %d gives: som_m is used for the weights, as the references' conversion does", somN)
	}
	m.SomN = somN
	return nil
}

// somCount counts the inhibitory units whose row of som is zero on every
// inhibitory column.
func somCount(som *mat.Dense, inh []bool) int {
	count := 0
	for i, bi := range inh {
		if !bi {
			continue
		}
		cut := true
		for j, bj := range inh {
			if bj && som.At(i, j) != 0 {
				cut = false
				break
			}
		}
		if cut {
			count++
		}
	}
	return count
}

// decays reads taus, taus_gaus and taus_gaus0.
func (mf *modelFile) decays(m *Model) error {
	n := m.N
	var err error
	if m.Taus, err = mf.vector("taus", -1, true); err != nil {
		return err
	}
	if err := checkTaus(m.Taus); err != nil {
		return mf.errorf("taus", "%v", err)
	}
	if m.TausGaus, err = mf.vector("taus_gaus", n, len(m.Taus) == 2); err != nil {
		return err
	}
	if m.TausGaus0, err = mf.vector("taus_gaus0", n, false); err != nil {
		return err
	}
	if m.TausGaus0 == nil && m.TausGaus != nil {
		m.TausGaus0 = append([]float64(nil), m.TausGaus...)
		mf.note("taus_gaus0", "absent: taus_gaus assumed (the initial decays are unknown)")
	}
	return nil
}

// nonlinearity reads activation.
func (mf *modelFile) nonlinearity(m *Model) error {
	av, err := mf.get("activation", false)
	if err != nil {
		return err
	}
	if av == nil {
		m.Activation = ActSigmoid
		mf.note("activation", "absent: sigmoid assumed, the references' default")
		return nil
	}
	name, err := av.Text()
	if err != nil {
		return mf.wrap("activation", err)
	}
	if m.Activation, err = ParseActivation(strings.TrimSpace(name)); err != nil {
		return mf.wrap("activation", err)
	}
	return nil
}

// task reads task and task_spec, which only this package writes: absent,
// they are unknown (no assumption to note).
func (mf *modelFile) task(m *Model) error {
	for _, f := range []struct {
		name string
		dst  *string
	}{{"task", &m.Task}, {"task_spec", &m.TaskSpec}} {
		v, err := mf.get(f.name, false)
		if err != nil {
			return err
		}
		if v == nil {
			continue
		}
		if *f.dst, err = v.Text(); err != nil {
			return mf.wrap(f.name, err)
		}
	}
	return nil
}

// dale reads apply_dale.
func (mf *modelFile) dale(m *Model) error {
	dale, ok, err := mf.scalar("apply_dale", false)
	if err != nil {
		return err
	}
	if ok {
		m.ApplyDale = dale != 0
		return nil
	}
	m.ApplyDale = m.HasInhibitory()
	if m.ApplyDale {
		mf.note("apply_dale", "absent: true assumed, as the references do for a network with inhibitory units (relu(w))")
	} else {
		mf.note("apply_dale", "absent: false assumed, as the references do for a network without inhibitory units (w as it is)")
	}
	return nil
}

// record reads the training record: losses, tr, eval_perf_mean,
// eval_loss_mean, eval_os and eval_labels.
func (mf *modelFile) record(m *Model) error {
	var err error
	if m.Losses, err = mf.vector("losses", -1, false); err != nil {
		return err
	}
	var hasTr bool
	if m.Tr, hasTr, err = mf.integer("tr", false); err != nil {
		return err
	}
	if hasTr && m.Tr >= 0 && len(m.Losses) > m.Tr+1 && allZero(m.Losses[m.Tr+1:]) {
		mf.note("losses", "has %d values but tr = %d: the %d zeros after trial tr (the unused rest of the reference's buffer) are dropped",
			len(m.Losses), m.Tr, len(m.Losses)-m.Tr-1)
		m.Losses = m.Losses[:m.Tr+1]
	}
	if m.EvalPerfMean, _, err = mf.scalar("eval_perf_mean", false); err != nil {
		return err
	}
	if m.EvalLossMean, _, err = mf.scalar("eval_loss_mean", false); err != nil {
		return err
	}
	return mf.evaluation(m)
}

// evaluation reads eval_os and eval_labels: a trials × (T-1) matrix and
// one label per trial, numbers or, for xor, text rows.
func (mf *modelFile) evaluation(m *Model) error {
	ov, err := mf.get("eval_os", false)
	if err != nil {
		return err
	}
	rows := -1
	if ov != nil {
		if len(ov.Dims) != 2 || ov.Dims[0] < 1 || ov.Dims[1] < 1 {
			return mf.errorf("eval_os", "is %s, want trials×(T-1)", dimsText(ov.Dims))
		}
		if m.EvalOutputs, err = ov.Dense(); err != nil {
			return mf.wrap("eval_os", err)
		}
		rows = ov.Dims[0]
	}
	lv, err := mf.get("eval_labels", false)
	if err != nil || lv == nil {
		return err
	}
	if lv.Class == matfile.Char {
		if len(lv.Dims) != 2 || (rows >= 0 && lv.Dims[0] != rows) {
			return mf.errorf("eval_labels", "is a %s char array, want one row per trial of eval_os (%d)", dimsText(lv.Dims), rows)
		}
		names, err := lv.Strings()
		if err != nil {
			return mf.wrap("eval_labels", err)
		}
		for i, s := range names {
			names[i] = strings.TrimSpace(s)
		}
		m.EvalLabelNames = names
		return nil
	}
	m.EvalLabels, err = mf.vector("eval_labels", rows, false)
	return err
}

// search reads the λ search fields: opt_scaling_factor, scaling_factors
// and all_perfs.
func (mf *modelFile) search(m *Model) error {
	var err error
	if m.OptScalingFactor, _, err = mf.scalar("opt_scaling_factor", false); err != nil {
		return err
	}
	if math.IsNaN(m.OptScalingFactor) {
		m.OptScalingFactor = 0
		mf.note("opt_scaling_factor", "is NaN, MATLAB's lambda_grid_search's mark of a search that did not finish: no λ taken from the file")
	}
	if m.ScalingFactors, err = mf.vector("scaling_factors", -1, false); err != nil {
		return err
	}
	if m.AllPerfs, err = mf.vector("all_perfs", -1, false); err != nil {
		return err
	}
	if m.AllPerfs != nil && len(m.AllPerfs) != len(m.ScalingFactors) {
		return mf.errorf("all_perfs", "has %d values, want one per scaling factor (%d)", len(m.AllPerfs), len(m.ScalingFactors))
	}
	return nil
}

func allZero(x []float64) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}
