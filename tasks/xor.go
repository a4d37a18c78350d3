package tasks

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// XOR is the temporal exclusive-or task: two inputs, each a pulse of ±1
// (signs independent, p = 0.5); the first on row 0 from StimOn, the second
// on row 1 Delay steps after the first ends. The output must go to +1 when
// the signs agree (same) and to -1 when they differ (diff).
type XOR struct {
	// T is the trial length in steps (default 300).
	T int
	// StimOn is the first step of the first pulse (default 50).
	StimOn int
	// StimDur is the length of each pulse in steps (default 50).
	StimDur int
	// Delay is the gap between the pulses in steps (default 10).
	Delay int
}

func init() { Register("xor", newXOR) }

func newXOR(s Settings) (Task, error) {
	s = withDefaults(s, Settings{T: 300, StimOn: 50, StimDur: 50, Delay: 10})
	x := &XOR{T: s.T, StimOn: s.StimOn, StimDur: s.StimDur, Delay: s.Delay}
	if err := checkTiming("xor", s, [2]int{0, x.scoreFrom()}); err != nil {
		return nil, err
	}
	return x, nil
}

// Name returns "xor".
func (*XOR) Name() string { return "xor" }

// Inputs returns 2.
func (*XOR) Inputs() int { return 2 }

// Steps returns T.
func (x *XOR) Steps() int { return x.T }

// Labels returns [Same, Diff].
func (*XOR) Labels() []Label { return []Label{Same, Diff} }

// LabelName returns "same" or "diff".
func (*XOR) LabelName(l Label) string {
	if l == Same {
		return "same"
	}
	return "diff"
}

// DrawLabel draws two independent signs and returns Same when they agree;
// each label has probability 0.5.
func (*XOR) DrawLabel(r *rand.Rand) Label {
	if r.Float64() < 0.5 {
		return Same
	}
	return Diff
}

func sign(r *rand.Rand) float64 {
	if r.Float64() < 0.5 {
		return 1
	}
	return -1
}

// Stimulus sets u[0][StimOn:StimOn+StimDur] = s1 and
// u[1][StimOn+StimDur+Delay:StimOn+2*StimDur+Delay] = s2, with s1 drawn
// from r and s2 = s1 for Same, -s1 for Diff.
func (x *XOR) Stimulus(dst *mat.Dense, l Label, r *rand.Rand) {
	zero(dst)
	s1 := sign(r)
	s2 := s1
	if l == Diff {
		s2 = -s1
	}
	setRow(dst, 0, x.StimOn, x.StimOn+x.StimDur, s1)
	on2 := x.StimOn + x.StimDur + x.Delay
	setRow(dst, 1, on2, on2+x.StimDur, s2)
}

// taskEnd is the step at which the second pulse ends.
func (x *XOR) taskEnd() int { return x.StimOn + 2*x.StimDur + x.Delay }

// scoreFrom is the first rate output step scored: 200 with the default
// timing, moving with the end of the second pulse.
func (x *XOR) scoreFrom() int { return x.taskEnd() + 40 }

// Target is +1 (same) or -1 (diff) on [taskEnd+10, taskEnd+110), i.e.
// z[170:270] with the default timing, and 0 elsewhere.
func (x *XOR) Target(dst []float64, l Label) {
	clear(dst)
	from := x.taskEnd() + 10
	for i := from; i < min(from+100, len(dst)); i++ {
		dst[i] = float64(l)
	}
}

// Correct: same iff max(o[200:]) > 0.7; diff iff min(o[200:]) < -0.7
// (from step 200 with the default timing).
func (x *XOR) Correct(o []float64, l Label) bool {
	return signedCorrect(window(o, x.scoreFrom()), l)
}

func signedCorrect(w []float64, l Label) bool {
	if l > 0 {
		return maxOf(w) > Threshold
	}
	return minOf(w) < -Threshold
}

// SpikeFrom is the time in seconds from which spiking outputs are scored:
// 1.0 s (out[20000:] at dt = 0.05 ms) with the default timing.
func (x *XOR) SpikeFrom() float64 { return float64(x.scoreFrom()) * StepSeconds }

// CorrectSpiking: same iff max(out[t ≥ SpikeFrom]) > 0.7; diff iff the
// minimum there is < -0.7.
func (x *XOR) CorrectSpiking(out []float64, dt float64, l Label) bool {
	return signedCorrect(spikeWindow(out, dt, x.SpikeFrom()), l)
}
