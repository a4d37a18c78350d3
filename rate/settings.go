package rate

import (
	"fmt"
	"math"

	"github.com/spikernn/spikernn/tasks"
)

// Defaults of the training loop (SPEC §2).
const (
	// DefaultMaxTrials is the default number of training trials (n_trials).
	DefaultMaxTrials = 6000
	// DefaultEvalEvery is the period of the evaluation, in trials.
	DefaultEvalEvery = 100
	// DefaultEvalTrials is the number of trials of one evaluation.
	DefaultEvalTrials = 100
	// DefaultLossThreshold is the mean evaluation loss below which training
	// may stop.
	DefaultLossThreshold = 7
	// DefaultAccThreshold is the evaluation accuracy above which training
	// may stop.
	DefaultAccThreshold = 0.95
	// GoNogoMinTrial is the index the last trial must exceed before a
	// go-nogo run may stop (the reference's tr > 1500).
	GoNogoMinTrial = 1500
)

// Settings control training. A nil *Settings means DefaultSettings(task);
// a non-nil Settings is used as it is, so start from DefaultSettings and
// change what differs.
type Settings struct {
	// Loss is the training and evaluation loss (default L2).
	Loss Loss
	// LearningRate is Adam's step size, > 0 (default 0.01).
	LearningRate float64
	// Beta1 and Beta2 are Adam's moment decay rates, in [0, 1)
	// (defaults 0.9 and 0.999).
	Beta1, Beta2 float64
	// Eps is Adam's ε, ≥ 0 (default 1e-8).
	Eps float64
	// MaxTrials is the number of training trials after which a run that
	// has not met the stop rule ends unconverged, ≥ 1 (default 6000).
	MaxTrials int
	// EvalEvery is the evaluation period in trials, ≥ 1 (default 100):
	// the network is evaluated after trial tr when (tr-1) mod EvalEvery
	// is 0, i.e. after trials 1, 101, 201, … as in the reference.
	EvalEvery int
	// EvalTrials is the number of trials of one evaluation, ≥ 1
	// (default 100).
	EvalTrials int
	// LossThreshold: the stop rule needs a mean evaluation loss below it
	// (default 7).
	LossThreshold float64
	// AccThreshold: the stop rule needs an evaluation accuracy above it,
	// in [0, 1] (default 0.95).
	AccThreshold float64
	// MinTrial: the stop rule needs the trial index tr to exceed it
	// (default 1500 for go-nogo, -1 otherwise, as in the reference).
	MinTrial int
	// Noise switches the network noise on, in training and evaluation
	// alike (default true). The noise of a trial is drawn from a generator
	// seeded with the trial's Seed.
	Noise bool
	// Progress, when not nil, is called after every training trial from
	// the goroutine running Train. It may call the trainer's
	// SaveCheckpoint; it must not change the model.
	Progress func(Progress)
}

// DefaultSettings returns the reference's training settings for task t:
// l2 loss, Adam with lr 0.01, 6000 trials, evaluation of 100 trials every
// 100 trials, stop at loss < 7 and accuracy > 0.95 (and, for go-nogo,
// after trial 1500), noise on. t may be nil, which gives MinTrial -1.
func DefaultSettings(t tasks.Task) *Settings {
	s := &Settings{
		Loss:          L2,
		LearningRate:  DefaultLearningRate,
		Beta1:         DefaultBeta1,
		Beta2:         DefaultBeta2,
		Eps:           DefaultEps,
		MaxTrials:     DefaultMaxTrials,
		EvalEvery:     DefaultEvalEvery,
		EvalTrials:    DefaultEvalTrials,
		LossThreshold: DefaultLossThreshold,
		AccThreshold:  DefaultAccThreshold,
		MinTrial:      -1,
		Noise:         true,
	}
	if t != nil && t.Name() == "go-nogo" {
		s.MinTrial = GoNogoMinTrial
	}
	return s
}

// Validate reports the first invalid setting, naming it and its allowed
// range.
func (s *Settings) Validate() error {
	switch {
	case s.Loss != L2 && s.Loss != L1:
		return fmt.Errorf("rate: loss = %v, want l2 or l1", s.Loss)
	case !(s.LearningRate > 0) || math.IsInf(s.LearningRate, 0):
		return fmt.Errorf("rate: learning rate = %v, want a finite value > 0", s.LearningRate)
	case !(s.Beta1 >= 0 && s.Beta1 < 1):
		return fmt.Errorf("rate: beta1 = %v, want in [0, 1)", s.Beta1)
	case !(s.Beta2 >= 0 && s.Beta2 < 1):
		return fmt.Errorf("rate: beta2 = %v, want in [0, 1)", s.Beta2)
	case !(s.Eps >= 0) || math.IsInf(s.Eps, 0):
		return fmt.Errorf("rate: eps = %v, want a finite value ≥ 0", s.Eps)
	case s.MaxTrials < 1:
		return fmt.Errorf("rate: max trials = %d, want ≥ 1", s.MaxTrials)
	case s.EvalEvery < 1:
		return fmt.Errorf("rate: eval every = %d, want ≥ 1", s.EvalEvery)
	case s.EvalTrials < 1:
		return fmt.Errorf("rate: eval trials = %d, want ≥ 1", s.EvalTrials)
	case math.IsNaN(s.LossThreshold):
		return fmt.Errorf("rate: loss threshold = %v, want a number", s.LossThreshold)
	case !inUnit(s.AccThreshold):
		return fmt.Errorf("rate: accuracy threshold = %v, want in [0, 1]", s.AccThreshold)
	}
	return nil
}

// ConfigFor returns DefaultConfig with Inputs set for task t.
func ConfigFor(t tasks.Task) *Config {
	c := DefaultConfig()
	c.Inputs = t.Inputs()
	return c
}
