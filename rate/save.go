package rate

import (
	"fmt"

	"github.com/spikernn/spikernn/matfile"
	"gonum.org/v1/gonum/mat"
)

// Save writes the model to path in the reference layout (SPEC §3), so that
// scipy, MATLAB and the reference implementations read it: w (relu(w) when
// ApplyDale, as the TensorFlow original exported it), w0 (likewise),
// w_in, w_out (1×N), b_out, m, som_m, N, som_N, inh and exc (N×1
// logical), taus, taus_gaus and taus_gaus0 (N×1), losses (1×n), tr,
// activation, eval_perf_mean, eval_loss_mean, apply_dale, eval_os and
// eval_labels (the last evaluation's outputs, trials × T-1, and labels:
// 1×trials numbers, or a char matrix of one name per row when
// EvalLabelNames is set, as the references write them), and, when a λ
// search has run, opt_scaling_factor, scaling_factors and all_perfs.
// Optional fields the model lacks (w0, taus_gaus0, eval_os, eval_labels)
// are left out.
//
// The file is written compressed to a temporary file in the same
// directory and renamed into place, so path never holds a partial file.
func (m *Model) Save(path string) error { return m.SaveWith(path) }

// SaveWith is Save writing the variables extra after the model's own, such
// as a λ search's record of the spiking unit it converted to. Their names
// must differ from the model's; Load does not read them back.
func (m *Model) SaveWith(path string, extra ...*matfile.Var) error {
	if err := m.validate(); err != nil {
		return fmt.Errorf("rate: save %s: %w", path, err)
	}
	vars := append(m.vars(), extra...)
	seen := map[string]bool{}
	for _, v := range vars {
		if seen[v.Name] {
			return fmt.Errorf("rate: save %s: variable %s written twice (an extra variable clashes with the model's)", path, v.Name)
		}
		seen[v.Name] = true
	}
	w, err := matfile.Create(path)
	if err != nil {
		return fmt.Errorf("rate: save %s: %w", path, err)
	}
	w.Compress = true
	for _, v := range vars {
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
	if m.Task != "" {
		vs = append(vs, matfile.NewChar("task", m.Task))
	}
	if m.TaskSpec != "" {
		vs = append(vs, matfile.NewChar("task_spec", m.TaskSpec))
	}
	if m.EvalOutputs != nil {
		vs = append(vs, matfile.NewDense("eval_os", m.EvalOutputs))
	}
	switch {
	case m.EvalLabelNames != nil:
		vs = append(vs, charRows("eval_labels", m.EvalLabelNames))
	case m.EvalLabels != nil:
		vs = append(vs, row("eval_labels", m.EvalLabels))
	}
	if m.OptScalingFactor != 0 || len(m.ScalingFactors) > 0 {
		vs = append(vs,
			matfile.NewScalar("opt_scaling_factor", m.OptScalingFactor),
			row("scaling_factors", m.ScalingFactors),
			row("all_perfs", m.AllPerfs),
		)
	}
	return vs
}

// charRows returns a char matrix with one string per row, padded with
// blanks to the longest, as scipy writes a list of strings.
func charRows(name string, rows []string) *matfile.Var {
	width := 0
	rs := make([][]rune, len(rows))
	for i, s := range rows {
		rs[i] = []rune(s)
		width = max(width, len(rs[i]))
	}
	n := len(rows)
	data := make([]rune, n*width)
	for i, r := range rs {
		for j := range width {
			c := ' '
			if j < len(r) {
				c = r[j]
			}
			data[i+n*j] = c
		}
	}
	return &matfile.Var{Name: name, Class: matfile.Char, Dims: []int{n, width}, Data: data}
}
