package spiking

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/tasks"
)

// DefaultRaceBatch is the default number of trials a race adds to every
// factor still running, per round.
const DefaultRaceBatch = 10

// RaceSettings are the settings of a racing λ search (LambdaRace). A nil
// *RaceSettings means the defaults.
type RaceSettings struct {
	// Factors are the coarse factors, in order. Default DefaultFactors
	// of the model's activation.
	Factors []float64
	// Trials is the most trials a factor gets. Default DefaultTrials.
	Trials int
	// Batch is the number of trials added to every factor still racing
	// in a round. Default DefaultRaceBatch.
	Batch int
	// Refine, when > 0, is the step of a second race around the coarse
	// winner w: the factors w ± Refine, w ± 2·Refine, … strictly between
	// w's neighbours among Factors (at an end of the grid, as far out as
	// the neighbour on the other side), raced with w, which keeps its
	// trials.
	Refine float64
	// Seed is the run seed: trial j at factor λ is trial j of the grid
	// search at λ (GridTrial), whatever the rounds and the workers.
	Seed uint64
	// Workers, Slots and Network are as in GridSettings.
	Workers int
	Slots   Slots
	Network *Settings
	// Progress, when set, is called after every trial, with
	// TrialsTotal the most the race can take (every factor at Trials).
	// Calls never overlap.
	Progress func(GridProgress)
}

// racer is one factor of a race.
type racer struct {
	lambda  float64
	net     *Network
	trials  []TrialResult // the first len(trials) trials, in index order
	running bool
	lo, hi  float64
}

func (r *racer) result() FactorResult {
	fr := FactorResult{Lambda: r.lambda, Trials: r.trials, Accuracy: accuracy(r.trials)}
	fr.Lower, fr.Upper = Wilson(correctCount(r.trials), len(r.trials))
	return fr
}

// LambdaRace finds λ by racing the factors instead of giving each the
// same number of trials. In rounds, every factor still running gets Batch
// more trials (up to Trials); after a round, a factor whose 95 % Wilson
// interval lies wholly below the highest lower bound of the running
// factors stops. The race ends when one factor runs or all have Trials
// trials. With Refine, a second race around the winner follows. The best
// factor is the running one with the highest accuracy (ties: the one
// first in Factors, then the refinement factors in increasing order),
// which is where it differs from a grid: a factor the race stopped is not
// a candidate even when its few trials scored well.
//
// The trials of a factor are those of the grid search at the same seed
// (GridTrial), and a round's decisions wait for all its trials, so the
// result depends on neither the workers nor the order in which trials
// run. The result lists every factor tried — Factors in order, then the
// refinement factors in increasing order — with the trials it got;
// GridResult.TrialsRun counts them all.
func LambdaRace(ctx context.Context, m *rate.Model, task tasks.Task, s *RaceSettings) (*GridResult, error) {
	if m == nil {
		return nil, fmt.Errorf("spiking: race: model is nil")
	}
	if task == nil {
		return nil, fmt.Errorf("spiking: race: task is nil")
	}
	var set RaceSettings
	if s != nil {
		set = *s
	}
	if set.Batch == 0 {
		set.Batch = DefaultRaceBatch
	}
	if set.Workers == 0 {
		set.Workers = runtime.GOMAXPROCS(0)
	}
	g, err := (&GridSettings{Factors: set.Factors, Trials: set.Trials, Workers: set.Workers}).withDefaults(m.Activation)
	if err != nil {
		return nil, fmt.Errorf("spiking: race: %w", err)
	}
	set.Factors, set.Trials = g.Factors, g.Trials
	switch {
	case set.Batch < 1:
		return nil, fmt.Errorf("spiking: race: batch = %d, want ≥ 1", set.Batch)
	case !(set.Refine >= 0) || math.IsInf(set.Refine, 0):
		return nil, fmt.Errorf("spiking: race: refine = %v, want finite and ≥ 0", set.Refine)
	}

	rc := &race{ctx: ctx, m: m, task: task, set: &set}
	coarse, err := rc.add(set.Factors)
	if err != nil {
		return nil, err
	}
	rc.prog.TrialsTotal = len(coarse) * set.Trials
	if err := rc.run(coarse); err != nil {
		return rc.result(), err
	}
	final := coarse
	if set.Refine > 0 {
		w := best(coarse)
		fine, err := rc.add(refineFactors(set.Factors, w.lambda, set.Refine))
		if err != nil {
			return rc.result(), err
		}
		rc.prog.TrialsTotal += len(fine) * set.Trials
		final = append([]*racer{w}, fine...)
		w.running = true
		if err := rc.run(final); err != nil {
			return rc.result(), err
		}
	}
	res := rc.result()
	w := best(final)
	res.BestIndex = slices.Index(rc.all, w)
	res.Best = w.lambda
	return res, nil
}

// best returns the running racer with the highest accuracy, the first of
// them on a tie.
func best(rs []*racer) *racer {
	var b *racer
	ba := -1.0
	for _, r := range rs {
		if a := accuracy(r.trials); r.running && a > ba {
			b, ba = r, a
		}
	}
	return b
}

// refineFactors returns w ± k·step strictly between w's neighbours in
// factors (an end of the grid mirrors the other side's distance), in
// increasing order, leaving out factors already in the grid.
func refineFactors(factors []float64, w, step float64) []float64 {
	lo, hi := math.Inf(-1), math.Inf(1)
	for _, f := range factors {
		if f < w && f > lo {
			lo = f
		}
		if f > w && f < hi {
			hi = f
		}
	}
	switch {
	case math.IsInf(lo, -1) && math.IsInf(hi, 1):
		return nil
	case math.IsInf(lo, -1):
		lo = w - (hi - w)
	case math.IsInf(hi, 1):
		hi = w + (w - lo)
	}
	var out []float64
	for k := math.Ceil((lo-w)/step + 1e-9); w+k*step < hi-1e-9*step; k++ {
		f := w + k*step
		if k == 0 || !(f > 0) || slices.Contains(factors, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// race is the state of one LambdaRace.
type race struct {
	ctx  context.Context
	m    *rate.Model
	task tasks.Task
	set  *RaceSettings
	all  []*racer
	prog GridProgress
	mu   sync.Mutex // serialises Progress
}

// add makes racers for factors.
func (rc *race) add(factors []float64) ([]*racer, error) {
	var rs []*racer
	for _, f := range factors {
		net, err := NewNetwork(rc.m, f, rc.set.Network)
		if err != nil {
			return nil, fmt.Errorf("spiking: race: %w", err)
		}
		if net.NumInputs() != rc.task.Inputs() {
			return nil, fmt.Errorf("spiking: race: task %s has %d inputs, the model's w_in has %d columns", rc.task.Name(), rc.task.Inputs(), net.NumInputs())
		}
		r := &racer{lambda: f, net: net, running: true, trials: make([]TrialResult, 0, rc.set.Trials)}
		rs = append(rs, r)
		rc.all = append(rc.all, r)
		rc.prog.FactorsTotal++
	}
	return rs, nil
}

// run races rs (those running) in rounds until one runs or all have
// Trials trials.
func (rc *race) run(rs []*racer) error {
	set := rc.set
	for target := set.Batch; ; target += set.Batch {
		target = min(target, set.Trials)
		type job struct {
			r *racer
			j int
		}
		var jobs []job
		prev := make([]int, len(rs))
		for k, r := range rs {
			prev[k] = len(r.trials)
			if r.running && len(r.trials) < target {
				for j := len(r.trials); j < target; j++ {
					jobs = append(jobs, job{r, j})
				}
				r.trials = r.trials[:target]
			}
		}
		err := runPool(rc.ctx, set.Workers, len(jobs), set.Slots, func() poolWorker {
			src := newTrialSource()
			tr := tasks.NewTrial(rc.task, tasks.Spiking)
			var sim *Simulator
			var res Result
			ts := &TrialSettings{}
			return func(k int) error {
				r, j := jobs[k].r, jobs[k].j
				if sim == nil {
					sim = NewSimulator(r.net)
				} else if sim.Network() != r.net {
					sim.Reset(r.net)
				}
				src.draw(rc.task, tr, nil, set.Seed, j, math.Float64bits(r.lambda))
				ts.Seed = tr.Seed
				if err := sim.Run(&res, tr.U, ts); err != nil {
					return fmt.Errorf("spiking: race: λ = %v, trial %d: %w", r.lambda, j, err)
				}
				r.trials[j] = score(rc.task, tr, &res)
				rc.mu.Lock()
				defer rc.mu.Unlock()
				rc.prog.TrialsDone++
				if set.Progress != nil {
					set.Progress(rc.prog)
				}
				return nil
			}
		})
		if err != nil {
			for k, r := range rs { // back to the last complete round
				r.trials = r.trials[:prev[k]]
			}
			return err
		}
		maxLo := 0.0
		running := 0
		for _, r := range rs {
			if r.running {
				r.lo, r.hi = Wilson(correctCount(r.trials), len(r.trials))
				maxLo = max(maxLo, r.lo)
			}
		}
		for _, r := range rs {
			if r.running && r.hi < maxLo {
				r.running = false
			}
			if r.running {
				running++
			}
		}
		if running <= 1 || target == set.Trials {
			return nil
		}
	}
}

// result returns the factors tried so far.
func (rc *race) result() *GridResult {
	g := &GridResult{BestIndex: -1, TrialsRun: rc.prog.TrialsDone}
	for _, r := range rc.all {
		if len(r.trials) > 0 {
			g.add(r.result())
		}
	}
	return g
}
