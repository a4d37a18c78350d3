package rate

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Validate checks that the model is usable: N ≥ 1, every matrix and vector
// has the shape SPEC §3 gives it for this N, the taus are valid and no
// parameter holds NaN or ±Inf. The error names the first offending field by
// its model-file name (w, w_in, taus_gaus, …).
func (m *Model) Validate() error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	return nil
}

// validate is Validate without the package prefix.
func (m *Model) validate() error {
	if m == nil {
		return fmt.Errorf("model is nil")
	}
	n := m.N
	if n <= 0 {
		return fmt.Errorf("model field N = %d, want ≥ 1", n)
	}
	if m.SomN < 0 || m.SomN > n {
		return fmt.Errorf("model field som_N = %d, want in [0, N=%d]", m.SomN, n)
	}
	if m.Activation < ActSigmoid || m.Activation > ActSoftplus {
		return fmt.Errorf("model field activation = %v, want sigmoid, clipped_relu or softplus", m.Activation)
	}
	if err := checkMatrix("w", m.W, n, n, true); err != nil {
		return err
	}
	if err := checkMatrix("w0", m.W0, n, n, false); err != nil {
		return err
	}
	if err := checkMatrix("m", m.M, n, n, true); err != nil {
		return err
	}
	if err := checkMatrix("som_m", m.SomM, n, n, true); err != nil {
		return err
	}
	if err := checkMatrix("w_in", m.WIn, n, -1, true); err != nil {
		return err
	}
	if err := checkVector("w_out", m.WOut, n, true); err != nil {
		return err
	}
	if !finite(m.BOut) {
		return fmt.Errorf("model field b_out = %v, want a finite number", m.BOut)
	}
	if len(m.Inh) != n {
		return fmt.Errorf("model field inh has %d values, want N = %d", len(m.Inh), n)
	}
	if err := checkTaus(m.Taus); err != nil {
		return fmt.Errorf("model field %w", err)
	}
	if err := checkVector("taus_gaus", m.TausGaus, n, len(m.Taus) == 2); err != nil {
		return err
	}
	if err := checkVector("taus_gaus0", m.TausGaus0, n, false); err != nil {
		return err
	}
	return m.validateEvaluation()
}

// validateEvaluation checks that eval_os, eval_labels and their names
// agree in the number of trials.
func (m *Model) validateEvaluation() error {
	trials := -1
	if m.EvalOutputs != nil {
		trials, _ = m.EvalOutputs.Dims()
	}
	for _, f := range []struct {
		name string
		n    int
		set  bool
	}{
		{"eval_labels", len(m.EvalLabels), m.EvalLabels != nil},
		{"eval_labels (names)", len(m.EvalLabelNames), m.EvalLabelNames != nil},
	} {
		switch {
		case !f.set:
		case trials < 0:
			trials = f.n
		case f.n != trials:
			return fmt.Errorf("model field %s has %d values, want one per evaluation trial (%d)", f.name, f.n, trials)
		}
	}
	return nil
}

// checkMatrix checks that a is r×c (c < 0: any number ≥ 1 of columns) and
// finite. A nil a is an error only when required.
func checkMatrix(name string, a *mat.Dense, r, c int, required bool) error {
	if a == nil || a.IsEmpty() {
		if required {
			return fmt.Errorf("model field %s is missing", name)
		}
		return nil
	}
	ar, ac := a.Dims()
	if ar != r || (c >= 0 && ac != c) {
		want := fmt.Sprintf("%d×%d", r, c)
		if c < 0 {
			want = fmt.Sprintf("%d×k", r)
		}
		return fmt.Errorf("model field %s is %d×%d, want %s", name, ar, ac, want)
	}
	raw := a.RawMatrix()
	for i := 0; i < ar; i++ {
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+ac] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("model field %s[%d][%d] = %v, want a finite number", name, i, j, v)
			}
		}
	}
	return nil
}

// checkVector checks that v has n finite values; nil is an error only when
// required.
func checkVector(name string, v []float64, n int, required bool) error {
	if v == nil && !required {
		return nil
	}
	if len(v) != n {
		return fmt.Errorf("model field %s has %d values, want N = %d", name, len(v), n)
	}
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("model field %s[%d] = %v, want a finite number", name, i, x)
		}
	}
	return nil
}
