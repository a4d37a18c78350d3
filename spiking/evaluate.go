package spiking

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/tasks"
)

// DefaultEvalTrials is the default number of trials per condition of
// Evaluate.
const DefaultEvalTrials = 50

// EvalSettings are the settings of Evaluate. A nil *EvalSettings means the
// defaults.
type EvalSettings struct {
	// Trials is the number of trials per condition (go and nogo, same and
	// diff, +1 and -1). Default DefaultEvalTrials (50).
	Trials int
	// Seed is the run seed: trial j of condition c is drawn from the
	// stream (Seed, bits of λ, c, j), so results depend on neither the
	// worker count nor the scheduling.
	Seed uint64
	// Workers is the number of trials run in parallel. Default
	// runtime.GOMAXPROCS(0).
	Workers int
	// Network holds the conversion settings. Default nil: the defaults.
	Network *Settings
	// Observe, when set, is called before every trial and may return an
	// Observer that receives that trial bin by bin (nil: none). It is
	// called from the worker goroutines, concurrently, and trials of
	// different conditions interleave: an Observer must tell its trial
	// apart by the EvalTrial it was made for.
	Observe func(EvalTrial) Observer
	// Progress, when set, is called after every trial with the number of
	// trials done and the total. Calls never overlap.
	Progress func(done, total int)
}

// EvalTrial identifies a trial of Evaluate.
type EvalTrial struct {
	// Condition is the index of the condition in the task's Labels().
	Condition int
	// Label is the condition.
	Label tasks.Label
	// Trial is the trial's index within its condition.
	Trial int
	// Seed is the trial's noise seed.
	Seed uint64
}

// Evaluation is the outcome of Evaluate.
type Evaluation struct {
	// Lambda is the scaling factor evaluated.
	Lambda float64
	// DT is the integration step in seconds and NT the number of steps
	// of a trial.
	DT float64
	NT int
	// Conditions holds the statistics of every condition, in the order of
	// the task's Labels().
	Conditions []ConditionStats
	// Accuracy is the fraction of correct trials over all conditions.
	Accuracy float64
	// RateE and RateI are the mean firing rates in Hz of the excitatory
	// and inhibitory units over all trials (0 when there are none).
	RateE, RateI float64
}

// ConditionStats are the statistics of one condition.
type ConditionStats struct {
	// Label and Name identify the condition.
	Label tasks.Label
	Name  string
	// Trials holds every trial of the condition in index order.
	Trials []TrialResult
	// Correct counts the correct trials; Accuracy = Correct/len(Trials).
	Correct  int
	Accuracy float64
	// OutMean and OutSD are the mean and the standard deviation (n-1 in
	// the denominator; 0 for a single trial) of the output over the
	// trials, at every step (NT values).
	OutMean, OutSD []float64
	// RateE and RateI are the mean firing rates in Hz of the excitatory
	// and inhibitory units (spikes over the whole trial divided by its
	// duration T, the reference's exc_fr and inh_fr), averaged over the
	// units and the trials.
	RateE, RateI float64
}

// Evaluate runs Trials trials of every condition of task on m converted at
// scaling factor lambda (the reference's eval_go_nogo and its siblings)
// and reports accuracy, output mean and SD and E/I firing rates per
// condition. Trials run on a pool of Workers goroutines; results are
// folded in trial order, so they do not depend on the worker count.
func Evaluate(ctx context.Context, m *rate.Model, task tasks.Task, lambda float64, s *EvalSettings) (*Evaluation, error) {
	var set EvalSettings
	if s != nil {
		set = *s
	}
	if set.Trials == 0 {
		set.Trials = DefaultEvalTrials
	}
	if set.Workers == 0 {
		set.Workers = runtime.GOMAXPROCS(0)
	}
	if set.Trials < 1 {
		return nil, fmt.Errorf("spiking: evaluate: trials = %d, want ≥ 1", set.Trials)
	}
	if set.Workers < 1 {
		return nil, fmt.Errorf("spiking: evaluate: workers = %d, want ≥ 1", set.Workers)
	}
	if task == nil {
		return nil, fmt.Errorf("spiking: evaluate: task is nil")
	}
	net, err := NewNetwork(m, lambda, set.Network)
	if err != nil {
		return nil, fmt.Errorf("spiking: evaluate: %w", err)
	}
	if net.NumInputs() != task.Inputs() {
		return nil, fmt.Errorf("spiking: evaluate: task %s has %d inputs, the model's w_in has %d columns", task.Name(), task.Inputs(), net.NumInputs())
	}
	labels := task.Labels()
	_, _, nt := geometry(tasks.Columns(task, tasks.Spiking), net.Downsample, net.DT)
	ev := &Evaluation{Lambda: lambda, DT: net.DT, NT: nt, Conditions: make([]ConditionStats, len(labels))}
	folds := make([]*outputFold, len(labels))
	for c, l := range labels {
		ev.Conditions[c] = ConditionStats{Label: l, Name: task.LabelName(l), Trials: make([]TrialResult, set.Trials)}
		folds[c] = newOutputFold(nt)
	}
	nE, nI := 0, 0
	for _, inh := range net.Inh {
		if inh {
			nI++
		} else {
			nE++
		}
	}
	// Per-trial E and I rates, summed in trial order at the end.
	ratesE := make([]float64, len(labels)*set.Trials)
	ratesI := make([]float64, len(labels)*set.Trials)

	total := len(labels) * set.Trials
	done := 0
	var mu sync.Mutex
	lbits := math.Float64bits(lambda)
	err = runPool(ctx, set.Workers, total, nil, func() poolWorker {
		src := newTrialSource()
		tr := tasks.NewTrial(task, tasks.Spiking)
		sim := NewSimulator(net)
		ts := &TrialSettings{}
		return func(job int) error {
			c, j := job/set.Trials, job%set.Trials
			l := labels[c]
			src.draw(task, tr, &l, set.Seed, j, lbits, uint64(c))
			ts.Seed = tr.Seed
			ts.Observer = nil
			if set.Observe != nil {
				ts.Observer = set.Observe(EvalTrial{Condition: c, Label: l, Trial: j, Seed: tr.Seed})
			}
			res := folds[c].buffer()
			if err := sim.Run(res, tr.U, ts); err != nil {
				return fmt.Errorf("spiking: evaluate: %s trial %d: %w", task.LabelName(l), j, err)
			}
			ev.Conditions[c].Trials[j] = score(task, tr, res)
			var se, si float64
			for k, n := range res.Counts {
				if net.Inh[k] {
					si += float64(n)
				} else {
					se += float64(n)
				}
			}
			if nE > 0 {
				ratesE[job] = se / float64(nE) / res.Params.T
			}
			if nI > 0 {
				ratesI[job] = si / float64(nI) / res.Params.T
			}
			folds[c].add(j, res)
			if set.Progress != nil {
				mu.Lock()
				done++
				set.Progress(done, total)
				mu.Unlock()
			}
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	correct := 0
	for c := range ev.Conditions {
		cs := &ev.Conditions[c]
		for _, tr := range cs.Trials {
			if tr.Correct {
				cs.Correct++
			}
		}
		correct += cs.Correct
		cs.Accuracy = float64(cs.Correct) / float64(set.Trials)
		cs.OutMean, cs.OutSD = folds[c].result()
		cs.RateE = meanOf(ratesE[c*set.Trials : (c+1)*set.Trials])
		cs.RateI = meanOf(ratesI[c*set.Trials : (c+1)*set.Trials])
	}
	ev.Accuracy = float64(correct) / float64(total)
	ev.RateE, ev.RateI = meanOf(ratesE), meanOf(ratesI)
	return ev, nil
}

func meanOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// outputFold accumulates the output traces of one condition in trial
// order (Welford's mean and sum of squares), whatever order the trials
// finish in: a finished trial waits in a small reorder buffer until its
// predecessors are folded, and its Result is recycled.
type outputFold struct {
	mu      sync.Mutex
	next    int
	n       int
	mean    []float64
	m2      []float64
	pending map[int]*Result
	free    []*Result
}

func newOutputFold(nt int) *outputFold {
	return &outputFold{mean: make([]float64, nt), m2: make([]float64, nt), pending: map[int]*Result{}}
}

// buffer returns a Result to simulate into.
func (f *outputFold) buffer() *Result {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k := len(f.free); k > 0 {
		r := f.free[k-1]
		f.free = f.free[:k-1]
		return r
	}
	return new(Result)
}

// add folds trial j's output, or keeps it until trials < j are folded.
func (f *outputFold) add(j int, r *Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending[j] = r
	for {
		r, ok := f.pending[f.next]
		if !ok {
			return
		}
		delete(f.pending, f.next)
		f.next++
		f.n++
		inv := 1 / float64(f.n)
		for i, x := range r.Out {
			d := x - f.mean[i]
			f.mean[i] += d * inv
			f.m2[i] += d * (x - f.mean[i])
		}
		f.free = append(f.free, r)
	}
}

// result returns the mean and the standard deviation.
func (f *outputFold) result() (mean, sd []float64) {
	sd = make([]float64, len(f.m2))
	if f.n > 1 {
		for i, m2 := range f.m2 {
			sd[i] = math.Sqrt(m2 / float64(f.n-1))
		}
	}
	return f.mean, sd
}
