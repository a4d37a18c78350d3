package tasks

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Mante is the context-dependent integration task of Mante et al. (2013):
// rows 0 and 1 carry noisy evidence (randn + 0.5 or randn - 0.5, each sign
// p = 0.5) from StimOn for StimDur steps; a one-hot context on row 2 or 3
// (p = 0.5, for the whole trial) says which evidence row counts: row 2
// selects row 0, row 3 selects row 1. The output must go to the sign of the
// selected row's mean.
type Mante struct {
	// T is the trial length in steps (default 500).
	T int
	// StimOn is the first evidence step (default 50).
	StimOn int
	// StimDur is the evidence length in steps (default 200).
	StimDur int
}

// ManteBias is the mean offset of an evidence row (±0.5).
const ManteBias = 0.5

func init() { Register("mante", newMante) }

func newMante(s Settings) (Task, error) {
	s = withDefaults(s, Settings{T: 500, StimOn: 50, StimDur: 200})
	if err := checkTiming("mante", s, [2]int{0, s.StimOn + s.StimDur}); err != nil {
		return nil, err
	}
	return &Mante{T: s.T, StimOn: s.StimOn, StimDur: s.StimDur}, nil
}

// Name returns "mante".
func (*Mante) Name() string { return "mante" }

// Inputs returns 4.
func (*Mante) Inputs() int { return 4 }

// Steps returns T.
func (m *Mante) Steps() int { return m.T }

// Labels returns [Plus, Minus].
func (*Mante) Labels() []Label { return []Label{Plus, Minus} }

// LabelName returns "+1" or "-1".
func (*Mante) LabelName(l Label) string {
	if l == Plus {
		return "+1"
	}
	return "-1"
}

// DrawLabel returns Plus or Minus with probability 0.5 each (the sign of
// the row the context selects).
func (*Mante) DrawLabel(r *rand.Rand) Label {
	if r.Float64() < 0.5 {
		return Plus
	}
	return Minus
}

// Stimulus draws the context (row 2 or 3, set on every column), gives the
// selected evidence row the sign of the label and the other a random
// sign, and fills both on [StimOn, StimOn+StimDur) with randn + 0.5*sign.
// This is the reference's distribution conditioned on the label.
func (m *Mante) Stimulus(dst *mat.Dense, l Label, r *rand.Rand) {
	zero(dst)
	ctx := 0
	if r.Float64() >= 0.5 {
		ctx = 1
	}
	signs := [2]float64{}
	signs[ctx] = float64(l)
	signs[1-ctx] = sign(r)
	raw := dst.RawMatrix()
	to := min(m.StimOn+m.StimDur, raw.Cols)
	for k := 0; k < 2; k++ {
		row := raw.Data[k*raw.Stride : k*raw.Stride+raw.Cols]
		for j := m.StimOn; j < to; j++ {
			row[j] = r.NormFloat64() + ManteBias*signs[k]
		}
	}
	setRow(dst, 2+ctx, 0, raw.Cols, 1)
}

// Target is the label from StimOn+StimDur on (z[250:] by default).
func (m *Mante) Target(dst []float64, l Label) {
	clear(dst)
	for i := m.StimOn + m.StimDur; i < len(dst); i++ {
		dst[i] = float64(l)
	}
}

// Correct: +1 iff max(o[-200:]) > 0.7; -1 iff min(o[-200:]) < -0.7.
func (m *Mante) Correct(o []float64, l Label) bool {
	return signedCorrect(window(o, len(o)-200), l)
}

// SpikeFrom is the time in seconds from which spiking outputs are scored:
// 1.3 s (out[26000:] at dt = 0.05 ms) with the default timing, ten steps
// after the evidence ends.
func (m *Mante) SpikeFrom() float64 { return float64(m.StimOn+m.StimDur+10) * StepSeconds }

// CorrectSpiking: +1 iff max(out[t ≥ SpikeFrom]) > 0.7; -1 iff the minimum
// there is < -0.7.
func (m *Mante) CorrectSpiking(out []float64, dt float64, l Label) bool {
	return signedCorrect(spikeWindow(out, dt, m.SpikeFrom()), l)
}
