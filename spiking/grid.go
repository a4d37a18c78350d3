package spiking

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// DefaultTrials is the default number of trials per scaling factor.
const DefaultTrials = 100

// DefaultFactors returns the scaling factors λ the PNAS paper's SI
// searches for a model of activation a (λ divides the weights, SPEC §4; the
// SI writes the same numbers as 1/λ of its own λ, which multiplies them):
// 20, 25, …, 75 for sigmoid (the reference's grid), and 4, 6, …, 26 for
// softplus and clipped_relu.
func DefaultFactors(a rate.Activation) []float64 {
	switch a {
	case rate.ActSoftplus, rate.ActClippedReLU:
		return FactorRange(4, 26, 2)
	}
	return FactorRange(20, 75, 5)
}

// FactorRange returns from, from+step, …, up to and including to (within
// a relative 1e-9 of a step), like the reference's "from:to:step". It
// returns nil unless step > 0 and from ≤ to are finite.
func FactorRange(from, to, step float64) []float64 {
	if !(step > 0) || !(from <= to) || math.IsInf(step, 0) || math.IsInf(from, 0) || math.IsInf(to, 0) {
		return nil
	}
	n := int(math.Floor((to-from)/step+1e-9)) + 1
	fs := make([]float64, n)
	for k := range fs {
		fs[k] = from + float64(k)*step
	}
	return fs
}

// GridSettings are the settings of a λ grid search. A nil *GridSettings
// means the defaults.
type GridSettings struct {
	// Factors lists the scaling factors λ to try, in order. Default
	// DefaultFactors of the model's activation: 20, 25, …, 75 for
	// sigmoid, 4, 6, …, 26 for softplus and clipped_relu.
	Factors []float64
	// Trials is the number of trials per factor. Default DefaultTrials
	// (100).
	Trials int
	// Seed is the run seed. Trial j at factor λ is drawn from the stream
	// (Seed, bits of λ, j) — its condition, stimulus and network noise —
	// so results depend on neither the worker count nor the order in
	// which trials run, and a factor gives the same trials whatever the
	// other factors are.
	Seed uint64
	// Workers is the number of trials run in parallel. Default
	// runtime.GOMAXPROCS(0).
	Workers int
	// Slots, when not nil, is a core budget shared with other work (a
	// sweep's points): the first worker runs on the caller's own slot,
	// every other one takes a slot for each trial it runs. Results do not
	// depend on it.
	Slots Slots
	// Network holds the conversion settings (downsample, initial
	// weights). Default nil: the defaults of Settings.
	Network *Settings

	// Done holds factors completed by an earlier, interrupted search
	// (read back from a cache, say). They are not run again; each must
	// be one of Factors and hold Trials trials.
	Done []FactorResult
	// OnFactor, when set, is called once for every factor this search
	// completes, as soon as its last trial is scored, so that the caller
	// can cache it. Factors may complete out of order. Calls never
	// overlap. A non-nil error stops the search and is returned.
	OnFactor func(FactorResult) error
	// Progress, when set, is called after every trial. Calls never
	// overlap.
	Progress func(GridProgress)
}

// GridProgress reports how far a search is. Factors and trials from
// GridSettings.Done count as done from the start.
type GridProgress struct {
	TrialsDone, TrialsTotal   int
	FactorsDone, FactorsTotal int
}

// FactorResult holds the trials at one scaling factor.
type FactorResult struct {
	// Lambda is the scaling factor.
	Lambda float64
	// Accuracy is the fraction of correct trials, and Lower and Upper
	// its 95 % Wilson interval (see Wilson).
	Accuracy     float64
	Lower, Upper float64
	// Trials holds every trial in index order.
	Trials []TrialResult
}

// GridResult is the outcome of a λ grid search.
type GridResult struct {
	// Factors holds the result at every factor, in the order of
	// GridSettings.Factors. After an error it holds only the factors
	// completed so far.
	Factors []FactorResult
	// ScalingFactors and AllPerfs are the factors and their accuracies,
	// the reference's scaling_factors and all_perfs; Lower and Upper the
	// accuracies' 95 % Wilson intervals.
	ScalingFactors, AllPerfs []float64
	Lower, Upper             []float64
	// TrialsRun is the number of trials simulated (those of
	// GridSettings.Done not counted).
	TrialsRun int
	// Best is the first factor with the highest accuracy (the
	// reference's opt_scaling_factor) and BestIndex its index; BestIndex
	// is -1 when the search did not complete.
	Best      float64
	BestIndex int
}

func (s *GridSettings) withDefaults(a rate.Activation) (GridSettings, error) {
	var g GridSettings
	if s != nil {
		g = *s
	}
	if g.Factors == nil {
		g.Factors = DefaultFactors(a)
	}
	if g.Trials == 0 {
		g.Trials = DefaultTrials
	}
	if g.Workers == 0 {
		g.Workers = runtime.GOMAXPROCS(0)
	}
	if len(g.Factors) == 0 {
		return g, fmt.Errorf("spiking: grid search: no scaling factors")
	}
	seen := map[float64]bool{}
	for k, f := range g.Factors {
		if !(f > 0) || math.IsInf(f, 0) {
			return g, fmt.Errorf("spiking: grid search: scaling factor %d is %v, want finite and > 0", k, f)
		}
		if seen[f] {
			return g, fmt.Errorf("spiking: grid search: scaling factor %v listed twice", f)
		}
		seen[f] = true
	}
	if g.Trials < 1 {
		return g, fmt.Errorf("spiking: grid search: trials = %d, want ≥ 1", g.Trials)
	}
	if g.Workers < 1 {
		return g, fmt.Errorf("spiking: grid search: workers = %d, want ≥ 1", g.Workers)
	}
	return g, nil
}

// LambdaGridSearch runs the λ grid search of SPEC §5 (the reference's
// lambda_grid_search): Trials trials of task at every factor, scored by
// the task's spiking criterion, on a pool of Workers goroutines over all
// factor × trial pairs. The best factor is the first with the highest
// accuracy.
//
// It stops at the first error or when ctx is done, returning the factors
// completed so far with the error; with Done and OnFactor a later call
// resumes from there.
func LambdaGridSearch(ctx context.Context, m *rate.Model, task tasks.Task, s *GridSettings) (*GridResult, error) {
	if m == nil {
		return nil, fmt.Errorf("spiking: grid search: model is nil")
	}
	set, err := s.withDefaults(m.Activation)
	if err != nil {
		return nil, err
	}
	if task == nil {
		return nil, fmt.Errorf("spiking: grid search: task is nil")
	}
	nf := len(set.Factors)
	results := make([]*FactorResult, nf)
	for k := range set.Done {
		d := &set.Done[k]
		i := indexOf(set.Factors, d.Lambda)
		if i < 0 {
			return nil, fmt.Errorf("spiking: grid search: done factor %v is not among the factors", d.Lambda)
		}
		if len(d.Trials) != set.Trials {
			return nil, fmt.Errorf("spiking: grid search: done factor %v has %d trials, want %d", d.Lambda, len(d.Trials), set.Trials)
		}
		if results[i] != nil {
			return nil, fmt.Errorf("spiking: grid search: factor %v done twice", d.Lambda)
		}
		results[i] = d
	}

	// One network per factor still to run.
	var pending []int
	nets := make([]*Network, nf)
	for i, f := range set.Factors {
		if results[i] != nil {
			continue
		}
		if nets[i], err = NewNetwork(m, f, set.Network); err != nil {
			return nil, fmt.Errorf("spiking: grid search: %w", err)
		}
		if nets[i].NumInputs() != task.Inputs() {
			return nil, fmt.Errorf("spiking: grid search: task %s has %d inputs, the model's w_in has %d columns", task.Name(), task.Inputs(), nets[i].NumInputs())
		}
		pending = append(pending, i)
		results[i] = &FactorResult{Lambda: f, Trials: make([]TrialResult, set.Trials)}
	}

	prog := GridProgress{
		TrialsTotal:  nf * set.Trials,
		TrialsDone:   (nf - len(pending)) * set.Trials,
		FactorsTotal: nf,
		FactorsDone:  nf - len(pending),
	}
	remaining := make([]atomic.Int64, nf)
	complete := make([]bool, nf)
	for i := range complete {
		complete[i] = nets[i] == nil
	}
	for _, i := range pending {
		remaining[i].Store(int64(set.Trials))
	}
	var mu sync.Mutex // serialises callbacks and complete[]

	err = runPool(ctx, set.Workers, len(pending)*set.Trials, set.Slots, func() poolWorker {
		src := newTrialSource()
		tr := tasks.NewTrial(task, tasks.Spiking)
		var sim *Simulator
		var res Result
		ts := &TrialSettings{}
		return func(job int) error {
			i, j := pending[job/set.Trials], job%set.Trials
			net := nets[i]
			if sim == nil {
				sim = NewSimulator(net)
			} else if sim.Network() != net {
				sim.Reset(net)
			}
			src.draw(task, tr, nil, set.Seed, j, math.Float64bits(net.Lambda))
			ts.Seed = tr.Seed
			if err := sim.Run(&res, tr.U, ts); err != nil {
				return fmt.Errorf("spiking: grid search: λ = %v, trial %d: %w", net.Lambda, j, err)
			}
			fr := results[i]
			fr.Trials[j] = score(task, tr, &res)
			last := remaining[i].Add(-1) == 0
			if last {
				fr.Accuracy = accuracy(fr.Trials)
				fr.Lower, fr.Upper = Wilson(correctCount(fr.Trials), len(fr.Trials))
			}
			mu.Lock()
			defer mu.Unlock()
			prog.TrialsDone++
			if last {
				complete[i] = true
				prog.FactorsDone++
				if set.OnFactor != nil {
					if err := set.OnFactor(*fr); err != nil {
						return fmt.Errorf("spiking: grid search: λ = %v: %w", net.Lambda, err)
					}
				}
			}
			if set.Progress != nil {
				set.Progress(prog)
			}
			return nil
		}
	})

	g := &GridResult{BestIndex: -1, TrialsRun: prog.TrialsDone - (nf-len(pending))*set.Trials}
	for i, fr := range results {
		if complete[i] {
			fr.Lower, fr.Upper = Wilson(correctCount(fr.Trials), len(fr.Trials))
			g.add(*fr)
		}
	}
	if err != nil {
		return g, err
	}
	for k, p := range g.AllPerfs {
		if g.BestIndex < 0 || p > g.AllPerfs[g.BestIndex] {
			g.BestIndex = k
		}
	}
	g.Best = g.ScalingFactors[g.BestIndex]
	return g, nil
}

// add appends a completed factor.
func (g *GridResult) add(fr FactorResult) {
	g.Factors = append(g.Factors, fr)
	g.ScalingFactors = append(g.ScalingFactors, fr.Lambda)
	g.AllPerfs = append(g.AllPerfs, fr.Accuracy)
	g.Lower = append(g.Lower, fr.Lower)
	g.Upper = append(g.Upper, fr.Upper)
}

// GridTrial returns trial j of a grid search with run seed seed at factor
// lambda — its condition, spiking-side stimulus and noise seed — so that
// a trial of a search can be replayed (with recordings, say):
//
//	tr := GridTrial(task, seed, lambda, j)
//	res, err := net.Simulate(tr.U, &TrialSettings{Seed: tr.Seed, RecordVoltage: true})
func GridTrial(task tasks.Task, seed uint64, lambda float64, j int) *tasks.Trial {
	tr := tasks.NewTrial(task, tasks.Spiking)
	newTrialSource().draw(task, tr, nil, seed, j, math.Float64bits(lambda))
	return tr
}

func indexOf(xs []float64, x float64) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func accuracy(trs []TrialResult) float64 {
	return float64(correctCount(trs)) / float64(len(trs))
}

// Slots is a budget of core slots shared with other work
// (pipeline.Limiter implements it): Acquire waits for a slot, Release
// gives it back.
type Slots interface {
	Acquire(ctx context.Context) error
	Release()
}

// poolWorker runs job number job.
type poolWorker func(job int) error

// runPool runs jobs 0..n-1 on workers goroutines, each with its own
// worker state from newWorker. Jobs are handed out in increasing order.
// With slots, worker 0 runs on the caller's slot and every other worker
// holds a slot for each job it runs. The first error, or ctx's, stops the
// pool and is returned.
func runPool(parent context.Context, workers, n int, slots Slots, newWorker func() poolWorker) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// actx ends the waits for a slot once every job is handed out, so that
	// a worker blocked on a full budget does not outlive the pool.
	actx, handedOut := context.WithCancel(ctx)
	defer handedOut()
	var next, done atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := newWorker()
			for ctx.Err() == nil {
				if w > 0 && slots != nil {
					if slots.Acquire(actx) != nil {
						return
					}
				}
				job := int(next.Add(1) - 1)
				var err error
				if job < n {
					err = run(job)
				}
				if w > 0 && slots != nil {
					slots.Release()
				}
				if job >= n {
					handedOut()
					return
				}
				if err != nil {
					once.Do(func() { first = err })
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	if err := parent.Err(); err != nil && done.Load() < int64(n) {
		return fmt.Errorf("spiking: stopped after %d of %d trials: %w", done.Load(), n, err)
	}
	return nil
}

// Annotate returns a copy of m carrying the search result g — the
// reference's opt_scaling_factor, scaling_factors and all_perfs — for
// (*rate.Model).Save to write a reference-compatible model file. m itself
// is not modified; the copy shares no memory with it.
func Annotate(m *rate.Model, g *GridResult) (*rate.Model, error) {
	if m == nil {
		return nil, fmt.Errorf("spiking: annotate: model is nil")
	}
	if g == nil || g.BestIndex < 0 || len(g.ScalingFactors) == 0 {
		return nil, fmt.Errorf("spiking: annotate: the grid search did not complete")
	}
	c := cloneModel(m)
	c.OptScalingFactor = g.Best
	c.ScalingFactors = append([]float64(nil), g.ScalingFactors...)
	c.AllPerfs = append([]float64(nil), g.AllPerfs...)
	return c, nil
}

// cloneModel returns a deep copy of m.
func cloneModel(m *rate.Model) *rate.Model {
	c := *m
	dense := func(a *mat.Dense) *mat.Dense {
		if a == nil {
			return nil
		}
		return mat.DenseCopyOf(a)
	}
	floats := func(x []float64) []float64 {
		if x == nil {
			return nil
		}
		return append([]float64(nil), x...)
	}
	c.W, c.W0, c.M, c.SomM, c.WIn = dense(m.W), dense(m.W0), dense(m.M), dense(m.SomM), dense(m.WIn)
	if m.Inh != nil {
		c.Inh = append([]bool(nil), m.Inh...)
	}
	c.WOut, c.Taus, c.TausGaus, c.TausGaus0 = floats(m.WOut), floats(m.Taus), floats(m.TausGaus), floats(m.TausGaus0)
	c.Losses, c.ScalingFactors, c.AllPerfs = floats(m.Losses), floats(m.ScalingFactors), floats(m.AllPerfs)
	return &c
}
