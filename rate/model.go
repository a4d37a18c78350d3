package rate

import (
	"gonum.org/v1/gonum/mat"
)

// DeltaT is the integration step of the rate network in units of a time step
// (one step is 5 ms). The method fixes it at 1 (SPEC §1).
const DeltaT = 1.0

// StepMS is the duration of one rate-network time step in milliseconds.
const StepMS = 5.0

// Model is a rate RNN in the vocabulary and layout of the reference model
// file (SPEC §3). Matrices use gonum's row-major layout; the .mat reader and
// writer convert from and to MATLAB's column-major order.
//
// A Model is both what training produces and what the spiking conversion
// consumes; a model trained by the reference implementation loads into the
// same type.
type Model struct {
	// N is the number of units.
	N int
	// SomN is the number of SOM-type inhibitory units (SPEC §1, som_N).
	SomN int
	// ApplyDale reports whether Dale's principle is applied: the rate
	// network then uses relu(W). A model file without an apply_dale field
	// is treated as Dale-constrained when it has any inhibitory unit.
	ApplyDale bool
	// Activation is the rate nonlinearity φ.
	Activation Activation

	// Inh[i] is true when unit i is inhibitory; len N.
	Inh []bool

	// W is the N×N recurrent weight matrix as trained (entry [i][j] is the
	// weight from unit j to unit i). Files written by the PyTorch port may
	// hold negative entries, ignored through relu when ApplyDale is set.
	W *mat.Dense
	// W0 is the N×N recurrent weight matrix before training; nil when the
	// model file has none.
	W0 *mat.Dense
	// M is the N×N sign matrix: the identity with -1 on the diagonal entry
	// of every inhibitory unit.
	M *mat.Dense
	// SomM is the N×N SOM connectivity mask (ones, with zeros from the
	// first SomN inhibitory units to every inhibitory unit).
	SomM *mat.Dense
	// WIn is the N×nIn input weight matrix (fixed, never trained).
	WIn *mat.Dense
	// WOut holds the N readout weights (the 1×N matrix w_out).
	WOut []float64
	// BOut is the readout bias.
	BOut float64

	// Taus is either one value, a fixed synaptic decay in steps, or
	// [min, max], the range of the trainable per-unit decay.
	Taus []float64
	// TausGaus holds the N trainable decay parameters (taus_gaus); the
	// decay of unit i is sigmoid(TausGaus[i])*(max-min)+min steps.
	TausGaus []float64
	// TausGaus0 holds TausGaus before training; nil when unknown.
	TausGaus0 []float64

	// Training record (zero when the model was not trained here or the
	// file does not say).

	// Losses holds the training loss of every trial.
	Losses []float64
	// Tr is the index of the last training trial.
	Tr int
	// EvalPerfMean and EvalLossMean are the accuracy and mean loss of the
	// last periodic evaluation.
	EvalPerfMean, EvalLossMean float64
	// EvalOutputs holds the outputs o_1 … o_{T-1} of the trials of the
	// last periodic evaluation, one row per trial (eval_os, trials × T-1);
	// nil when unknown.
	EvalOutputs *mat.Dense
	// EvalLabels holds the conditions of those trials, one per row of
	// EvalOutputs, as tasks.Label values (eval_labels: go-nogo 1 go, 0
	// nogo; xor +1 same, -1 diff; mante ±1); nil when unknown.
	EvalLabels []float64
	// EvalLabelNames, when set, holds the names of those conditions, one
	// per row of EvalOutputs. The references write xor's eval_labels as
	// text ('same', 'diff'), so Save writes the names, a char matrix, when
	// they are set, and the numbers otherwise.
	EvalLabelNames []string

	// λ grid search results, written into the reference-compatible copy of
	// the model (SPEC §5). Empty until a search ran.

	// OptScalingFactor is the best scaling factor λ (first maximum).
	OptScalingFactor float64
	// ScalingFactors lists the λ values searched.
	ScalingFactors []float64
	// AllPerfs holds the accuracy at each entry of ScalingFactors.
	AllPerfs []float64

	// Task names the task the model was trained on and TaskSpec describes
	// it as one line of JSON (items.TaskSpec.JSON: the name, the timing
	// and, for a task declared in YAML, its declaration); both are empty
	// when unknown. Save writes them as the char fields task and
	// task_spec when set, and Load reads them back; the references
	// neither write nor need them.
	Task, TaskSpec string
}

// NumInputs returns the number of input channels (columns of WIn).
func (m *Model) NumInputs() int {
	_, c := m.WIn.Dims()
	return c
}

// HasInhibitory reports whether any unit is inhibitory.
func (m *Model) HasInhibitory() bool {
	for _, b := range m.Inh {
		if b {
			return true
		}
	}
	return false
}

// Decay returns the synaptic decay time constant τ of every unit in steps
// (SPEC §1): the single fixed value of Taus, or
// sigmoid(TausGaus[i])*(max-min)+min when Taus is a range.
// If dst has length N it is filled and returned, otherwise a new slice is.
func (m *Model) Decay(dst []float64) []float64 {
	if len(dst) != m.N {
		dst = make([]float64, m.N)
	}
	if len(m.Taus) == 1 {
		for i := range dst {
			dst[i] = m.Taus[0]
		}
		return dst
	}
	lo, hi := m.Taus[0], m.Taus[1]
	for i := range dst {
		dst[i] = Sigmoid(m.TausGaus[i])*(hi-lo) + lo
	}
	return dst
}

// EffectiveWeights computes W_eff = relu(w) @ M ⊙ SomM (SPEC §1) into dst
// (resized when nil) and returns it. With relu false, w is used as it is.
// w is typically m.W, or m.W0 for the initial weights.
//
// M is diagonal by construction, so the product costs O(N²): column j of
// relu(w) is multiplied by M[j][j]. A non-diagonal M is multiplied in full.
func (m *Model) EffectiveWeights(dst, w *mat.Dense, relu bool) *mat.Dense {
	n := m.N
	if dst == nil {
		dst = mat.NewDense(n, n, nil)
	}
	src := w.RawMatrix()
	out := dst.RawMatrix()
	if isDiagonal(m.M) {
		mm := m.M.RawMatrix()
		som := m.SomM.RawMatrix()
		for i := 0; i < n; i++ {
			wr := src.Data[i*src.Stride : i*src.Stride+n]
			sr := som.Data[i*som.Stride : i*som.Stride+n]
			or := out.Data[i*out.Stride : i*out.Stride+n]
			for j, v := range wr {
				if relu && v < 0 {
					v = 0
				}
				or[j] = v * mm.Data[j*mm.Stride+j] * sr[j]
			}
		}
		return dst
	}
	r := mat.DenseCopyOf(w)
	if relu {
		r.Apply(func(_, _ int, v float64) float64 { return max(v, 0) }, r)
	}
	dst.Mul(r, m.M)
	dst.MulElem(dst, m.SomM)
	return dst
}

func isDiagonal(a *mat.Dense) bool {
	raw := a.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		for j, v := range row {
			if i != j && v != 0 {
				return false
			}
		}
	}
	return true
}
