package spiking

import (
	"math/rand/v2"

	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
)

// TrialResult is the outcome of one scored trial.
type TrialResult struct {
	// Trial is the trial's index within its factor or condition.
	Trial int
	// Label is the trial's condition.
	Label tasks.Label
	// Correct reports whether the task scored the output as correct.
	Correct bool
	// Peak and Trough are the largest and smallest output in the scored
	// window (from the task's SpikeFrom time on when it has one, else
	// over the whole trial).
	Peak, Trough float64
	// Spikes is the number of spikes in the trial.
	Spikes int
	// Seed is the seed of the trial's network noise (TrialSettings.Seed).
	Seed uint64
}

// trialSource draws reproducible trials: trial j under keys k is drawn
// from the stream rng.New(seed, k..., j) exactly as tasks.Stream draws its
// trials: first the noise seed, then the condition (unless fixed) and the
// stimulus.
type trialSource struct {
	pcg  *rand.PCG
	r    *rand.Rand
	keys []uint64
}

func newTrialSource() *trialSource {
	pcg := rand.NewPCG(0, 0)
	return &trialSource{pcg: pcg, r: rand.New(pcg)}
}

// draw fills tr with trial j of task under (seed, keys...).
func (s *trialSource) draw(task tasks.Task, tr *tasks.Trial, label *tasks.Label, seed uint64, j int, keys ...uint64) {
	s.keys = append(append(s.keys[:0], keys...), uint64(j))
	rng.Reseed(s.pcg, seed, s.keys...)
	tr.Index = j
	tr.Seed = s.r.Uint64()
	tasks.Fill(task, tr, label, s.r)
}

// spikeFromer is implemented by the built-in tasks: the time in seconds
// from which a spiking output is scored.
type spikeFromer interface{ SpikeFrom() float64 }

// score runs the task's scoring on res and fills a TrialResult.
func score(task tasks.Task, tr *tasks.Trial, res *Result) TrialResult {
	out := res.Out
	dt := res.Params.DT
	w := out
	if sf, ok := task.(spikeFromer); ok {
		w = out[min(max(int(sf.SpikeFrom()/dt+0.5), 0), len(out)):]
	}
	peak, trough := 0.0, 0.0
	if len(w) > 0 {
		peak, trough = w[0], w[0]
		for _, x := range w[1:] {
			peak = max(peak, x)
			trough = min(trough, x)
		}
	}
	return TrialResult{
		Trial:   tr.Index,
		Label:   tr.Label,
		Correct: task.CorrectSpiking(out, dt, tr.Label),
		Peak:    peak,
		Trough:  trough,
		Spikes:  len(res.Spikes),
		Seed:    tr.Seed,
	}
}
