package tasks

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Scoring thresholds of the method (SPEC §2, §5).
const (
	// Threshold is the output level a response must cross.
	Threshold = 0.7
	// NoGoThreshold is the level a go-nogo output must stay below on nogo
	// trials.
	NoGoThreshold = 0.3
)

// GoNogo is the go-nogo task: one input; on go trials (p = 0.5) a pulse of
// StimDur steps from StimOn, after which the output must rise to 1; on nogo
// trials no input and the output must stay near 0.
type GoNogo struct {
	// T is the trial length in steps (default 200).
	T int
	// StimOn is the first stimulus step (default 50).
	StimOn int
	// StimDur is the stimulus length in steps (default 25).
	StimDur int
}

func init() { Register("go-nogo", newGoNogo) }

func newGoNogo(s Settings) (Task, error) {
	s = withDefaults(s, Settings{T: 200, StimOn: 50, StimDur: 25})
	if err := checkTiming("go-nogo", s, [2]int{0, s.StimOn + s.StimDur}); err != nil {
		return nil, err
	}
	return &GoNogo{T: s.T, StimOn: s.StimOn, StimDur: s.StimDur}, nil
}

func withDefaults(s, d Settings) Settings {
	if s.T == 0 {
		s.T = d.T
	}
	if s.StimOn == 0 {
		s.StimOn = d.StimOn
	}
	if s.StimDur == 0 {
		s.StimDur = d.StimDur
	}
	if s.Delay == 0 {
		s.Delay = d.Delay
	}
	return s
}

// Name returns "go-nogo".
func (*GoNogo) Name() string { return "go-nogo" }

// Inputs returns 1.
func (*GoNogo) Inputs() int { return 1 }

// Steps returns T.
func (g *GoNogo) Steps() int { return g.T }

// Labels returns [Go, NoGo].
func (*GoNogo) Labels() []Label { return []Label{Go, NoGo} }

// LabelName returns "go" or "nogo".
func (*GoNogo) LabelName(l Label) string {
	if l == Go {
		return "go"
	}
	return "nogo"
}

// DrawLabel returns Go or NoGo with probability 0.5 each.
func (*GoNogo) DrawLabel(r *rand.Rand) Label {
	if r.Float64() < 0.5 {
		return Go
	}
	return NoGo
}

// Stimulus sets u[0][StimOn:StimOn+StimDur] = 1 on go trials.
func (g *GoNogo) Stimulus(dst *mat.Dense, l Label, _ *rand.Rand) {
	zero(dst)
	if l == Go {
		setRow(dst, 0, g.StimOn, g.StimOn+g.StimDur, 1)
	}
}

// resp is the first output step scored on the rate side.
func (g *GoNogo) resp() int { return g.StimOn + g.StimDur }

// Target is 1 from StimOn+StimDur on for go trials, 0 otherwise.
func (g *GoNogo) Target(dst []float64, l Label) {
	clear(dst)
	if l == Go {
		for i := g.resp(); i < len(dst); i++ {
			dst[i] = 1
		}
	}
}

// Correct: go iff max(o[resp:]) > 0.7; nogo iff max(|o[resp:]|) < 0.3,
// with resp = StimOn+StimDur.
func (g *GoNogo) Correct(o []float64, l Label) bool {
	w := window(o, g.resp())
	if l == Go {
		return maxOf(w) > Threshold
	}
	return maxAbs(w) < NoGoThreshold
}

// SpikeFrom returns the time in seconds from which spiking outputs are
// scored: 0.5 s with the default timing (out[10000:] at dt = 0.05 ms),
// moving with the end of the stimulus when the timing changes.
func (g *GoNogo) SpikeFrom() float64 { return 0.5 + float64(g.resp()-75)*StepSeconds }

// CorrectSpiking: go iff max(out[t ≥ SpikeFrom]) > 0.7; nogo iff
// max(out[t ≥ SpikeFrom]) < 0.3 (SPEC §5: no absolute value here).
func (g *GoNogo) CorrectSpiking(out []float64, dt float64, l Label) bool {
	w := spikeWindow(out, dt, g.SpikeFrom())
	if l == Go {
		return maxOf(w) > Threshold
	}
	return maxOf(w) < NoGoThreshold
}

// StepSeconds is the length of one rate step in seconds.
const StepSeconds = 0.005

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		if x > m {
			m = x
		}
	}
	return m
}

func minOf(xs []float64) float64 {
	m := math.Inf(1)
	for _, x := range xs {
		if x < m {
			m = x
		}
	}
	return m
}

func maxAbs(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		if a := math.Abs(x); a > m {
			m = a
		}
	}
	return m
}
