package stages

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/sinks"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

var (
	lambdaModel  = pipeline.ValueInput[*rate.Model]("model", "the rate model to convert")
	lambdaTask   = pipeline.ValueInput[items.TaskSpec]("task", "the task the model performs")
	lambdaBest   = pipeline.ValueOutput[float64]("best", "the best scaling factor λ (the first with the highest accuracy)")
	lambdaSearch = pipeline.ValueOutput[*items.LambdaSearch]("search", "every factor's accuracy, for plots and the summary")
)

type factorRange struct {
	From float64 `pipeline:"from"`
	To   float64 `pipeline:"to"`
	Step float64 `pipeline:"step"`
}

type lambdaSettings struct {
	Factors    []float64       `pipeline:"factors"`
	Range      *factorRange    `pipeline:"range"`
	Trials     int             `pipeline:"trials"`
	Seed       int64           `pipeline:"seed"`
	Workers    int             `pipeline:"workers"`
	Downsample int             `pipeline:"downsample"`
	Table      string          `pipeline:"table"`
	Model      string          `pipeline:"model_file"`
	Neuron     *neuronSettings `pipeline:"neuron"`
	Strategy   string          `pipeline:"strategy"`
	Batch      int             `pipeline:"batch"`
	Refine     float64         `pipeline:"refine"`

	MemoryLimitGB float64 `pipeline:"memory_limit_gb"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "lambda-search",
		Group:   pipeline.StageGroup,
		Summary: "finds the scaling factor λ for the LIF conversion by grid search (SPEC §5), resumably",
		Description: "Converts the model to LIF at every factor and scores trials trials of the task\n" +
			"at each, in parallel over all factor × trial pairs; trial j at factor λ is drawn\n" +
			"from the stream (seed, λ, j), so results depend on neither the workers nor the\n" +
			"order. The factors are `factors` (a list) or `range` ({from, to, step}); with\n" +
			"neither, the SI's grid for the model's activation: 20, 25, …, 75 for sigmoid\n" +
			"(the reference's), 4, 6, …, 26 for softplus and clipped_relu (λ divides the\n" +
			"weights; the SI writes these as 1/λ). Each factor's trials are saved in the\n" +
			"stage's partial directory as soon as the factor completes, so an interrupted\n" +
			"search run again with the same settings simulates only the missing factors.\n" +
			"With `strategy: race` (spiking.LambdaRace), the factors get `batch` trials per\n" +
			"round instead, up to `trials`; after each round a factor whose 95 % Wilson\n" +
			"interval lies below the highest lower bound stops, until one runs or all have\n" +
			"`trials`; with `refine`, a second race around the winner follows at that step.\n" +
			"A factor's trials are the grid's, so the result is reproducible; a race is not\n" +
			"resumed after an interruption.\n" +
			"Writes lambda.parquet (factor, trial, label, correct, peak: the output extreme\n" +
			"the trial was scored on; accuracy, accuracy_lo, accuracy_hi: the factor's\n" +
			"accuracy and its 95 % Wilson interval) and model_lambda.mat, a copy of the model file with the\n" +
			"reference's opt_scaling_factor, scaling_factors and all_perfs (the input model\n" +
			"is not modified) and the struct lif_neuron, the spiking unit (`neuron`, also in\n" +
			"lambda.parquet's metadata as neuron.*). Headlines: best_lambda, accuracy (at\n" +
			"the best factor).",
		Inputs:  []pipeline.Port{lambdaModel, lambdaTask},
		Outputs: []pipeline.Port{lambdaBest, lambdaSearch},
		Settings: []pipeline.Setting{
			{Name: "factors", Type: pipeline.List, Elem: &pipeline.Setting{Type: pipeline.Float, Range: pipeline.Above(0)},
				Doc: "the factors to try, in order (default, without range: 20, 25, …, 75 for a sigmoid model, 4, 6, …, 26 for softplus and clipped_relu)", Example: []float64{25, 30, 35}},
			{Name: "range", Type: pipeline.Object, Doc: "the factors from, from+step, …, to (instead of factors)",
				Fields: []pipeline.Setting{
					{Name: "from", Type: pipeline.Float, Required: true, Range: pipeline.Above(0), Doc: "first factor"},
					{Name: "to", Type: pipeline.Float, Required: true, Range: pipeline.Above(0), Doc: "last factor (included)"},
					{Name: "step", Type: pipeline.Float, Required: true, Range: pipeline.Above(0), Doc: "step between factors"},
				}, Example: map[string]any{"from": 20, "to": 75, "step": 5}},
			{Name: "trials", Type: pipeline.Int, Default: spiking.DefaultTrials, Range: pipeline.AtLeast(1), Doc: "trials per factor"},
			{Name: "seed", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(0), Doc: "run seed of the trials"},
			{Name: "workers", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "trials simulated in parallel (0: one per core); results do not depend on it"},
			{Name: "downsample", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(1), Doc: "LIF downsampling factor d (dt = d × 0.05 ms)"},
			{Name: "table", Type: pipeline.Output, Default: "lambda.parquet", Doc: "per-trial results file, relative to the pipeline directory"},
			{Name: "model_file", Type: pipeline.Output, Default: "model_lambda.mat", Doc: "annotated model file, relative to the pipeline directory"},
			{Name: "strategy", Type: pipeline.String, OneOf: []any{strategyGrid, strategyRace},
				Doc: "grid (default: trials trials at every factor) or race (factors whose 95 % interval falls below the leader's stop early)"},
			{Name: "batch", Type: pipeline.Int, Range: pipeline.AtLeast(1),
				Doc: fmt.Sprintf("race: trials added to every factor still racing per round (default %d)", spiking.DefaultRaceBatch)},
			{Name: "refine", Type: pipeline.Float, Range: pipeline.Above(0),
				Doc: "race: the step of a second race around the winner, between its neighbours (default: none)"},
			neuronSetting(),
			pipeline.MemoryLimitSetting(),
		},
		Examples: []pipeline.Example{{Title: "search λ from 20 to 75 for a trained model", YAML: `
version: 1
pipelines:
  p:
    stages:
      trials: {kind: task-trials, with: {task: go-nogo}}
      train:  {kind: train-rate, in: {trials: trials.out, task: trials.task}}
      lambda:
        kind: lambda-search
        in: {model: train.model, task: trials.task}
        with: {range: {from: 20, to: 75, step: 5}, trials: 100}
`}},
	}, newLambdaSearch)
}

func newLambdaSearch(s lambdaSettings) (pipeline.Stage, error) {
	factors, err := s.factors()
	if err != nil {
		return nil, err
	}
	nr, err := s.Neuron.neuron()
	if err != nil {
		return nil, fmt.Errorf("neuron: %w", err)
	}
	if s.Strategy != strategyRace && (s.Batch != 0 || s.Refine != 0) {
		return nil, errors.New("batch and refine are settings of strategy: race")
	}
	if s.Strategy == strategyRace && s.Batch > s.Trials {
		return nil, fmt.Errorf("batch = %d: more than trials = %d, the most a factor gets", s.Batch, s.Trials)
	}
	return &lambdaStage{s: s, factors: factors, neuron: nr}, nil
}

// The strategies of a λ search.
const (
	strategyGrid = "grid"
	strategyRace = "race"
)

// maxFactors bounds the factors of a search: each costs trials simulations.
const maxFactors = 10000

// factors returns the factors the settings ask for.
func (s lambdaSettings) factors() ([]float64, error) {
	switch {
	case s.Factors != nil && len(s.Factors) == 0:
		return nil, errors.New("factors: an empty list; give at least one factor, or leave factors out for the default grid of the model's activation")
	case s.Range != nil && len(s.Factors) > 0:
		return nil, errors.New("give either factors or range, not both")
	case s.Range != nil:
		if n := (s.Range.To - s.Range.From) / s.Range.Step; n > maxFactors {
			return nil, fmt.Errorf("range: from %g to %g step %g gives %.3g factors, more than %d", s.Range.From, s.Range.To, s.Range.Step, n+1, maxFactors)
		}
		fs := spiking.FactorRange(s.Range.From, s.Range.To, s.Range.Step)
		if len(fs) == 0 {
			return nil, fmt.Errorf("range: from %g to %g step %g is empty", s.Range.From, s.Range.To, s.Range.Step)
		}
		return fs, nil
	case len(s.Factors) > 0:
		seen := map[float64]bool{}
		for _, f := range s.Factors {
			if seen[f] {
				return nil, fmt.Errorf("factors: %g is listed twice", f)
			}
			seen[f] = true
		}
		return append([]float64(nil), s.Factors...), nil
	}
	return nil, nil
}

// lambdaStage is a λ search. Its factors are nil when the settings give
// none: Run then takes spiking.DefaultFactors of the model's activation.
type lambdaStage struct {
	s       lambdaSettings
	factors []float64
	neuron  *spiking.Neuron // nil: the default unit
}

// factorFile is the name of the partial result of factor f.
func factorFile(f float64) string {
	return "factor-" + strconv.FormatUint(math.Float64bits(f), 16) + ".json"
}

// savedFactors reads the factors an interrupted run saved in dir that this
// search still wants: those of factors holding the right number of
// trials. Unreadable files are ignored (and recomputed).
func (l *lambdaStage) savedFactors(dir string, factors []float64, job *pipeline.Job) []spiking.FactorResult {
	var done []spiking.FactorResult
	for _, f := range factors {
		b, err := os.ReadFile(filepath.Join(dir, factorFile(f)))
		if err != nil {
			continue
		}
		var fr spiking.FactorResult
		if err := json.Unmarshal(b, &fr); err != nil || fr.Lambda != f || len(fr.Trials) != l.s.Trials {
			job.Logger().Warn("ignoring a saved factor", "file", factorFile(f), "err", err)
			continue
		}
		done = append(done, fr)
	}
	return done
}

func (l *lambdaStage) Run(ctx context.Context, job *pipeline.Job) error {
	m, err := lambdaModel.Receive(ctx, job)
	if err != nil {
		return err
	}
	task, err := items.ReceiveTask(ctx, job, lambdaTask)
	if err != nil {
		return err
	}
	factors := l.factors
	if factors == nil {
		factors = spiking.DefaultFactors(m.Activation)
		job.Logger().Info("default factors for the activation", "activation", m.Activation.String(), "factors", fmt.Sprint(factors))
	}
	res, done, err := l.search(ctx, job, m, task, factors)
	if err != nil {
		return err
	}

	var rows sinks.LambdaRows
	for _, fr := range res.Factors {
		for _, tr := range fr.Trials {
			peak := tr.Peak
			if tr.Label < 0 {
				peak = tr.Trough
			}
			rows.Append(fr.Lambda, int32(tr.Trial), task.LabelName(tr.Label), tr.Correct, peak, fr.Accuracy, fr.Lower, fr.Upper)
		}
	}
	rec := neuronRecord(l.neuron)
	extra := items.NeuronMetadata(map[string]string{"task": task.Name(), "best_lambda": strconv.FormatFloat(res.Best, 'g', -1, 64)}, rec)
	if err := items.WriteTable(job, l.s.Table, &rows, extra); err != nil {
		return fmt.Errorf("write %s: %w", l.s.Table, err)
	}
	annotated, err := spiking.Annotate(m, res)
	if err != nil {
		return err
	}
	path, err := items.OutputPath(job, l.s.Model)
	if err != nil {
		return err
	}
	if err := annotated.SaveWith(path, items.NeuronVar(rec)); err != nil {
		return fmt.Errorf("write %s: %w", l.s.Model, err)
	}

	search := &items.LambdaSearch{
		Factors: res.ScalingFactors, Accuracy: res.AllPerfs, Best: res.Best, BestIndex: res.BestIndex,
		Lower: res.Lower, Upper: res.Upper, FactorTrials: factorTrials(res), TrialsRun: res.TrialsRun, Strategy: cmp.Or(l.s.Strategy, strategyGrid),
		Trials: l.s.Trials, Seed: uint64(l.s.Seed), Resumed: len(done), Neuron: rec,
	}
	job.Headline("best_lambda", res.Best)
	job.Headline("accuracy", res.AllPerfs[res.BestIndex])
	parts := make([]string, len(res.ScalingFactors))
	for i, f := range res.ScalingFactors {
		parts[i] = fmt.Sprintf("%g:%.2f", f, res.AllPerfs[i])
	}
	job.Logger().Info("λ search done", "accuracy", strings.Join(parts, " "), "best", res.Best)
	if err := lambdaBest.Send(ctx, job, res.Best); err != nil {
		return err
	}
	return lambdaSearch.Send(ctx, job, search)
}

// search runs the grid (resuming the factors saved in the partial
// directory) or the race, and returns the result and the factors resumed.
func (l *lambdaStage) search(ctx context.Context, job *pipeline.Job, m *rate.Model, task tasks.Task, factors []float64) (*spiking.GridResult, []spiking.FactorResult, error) {
	pr := job.Progress()
	pr.Total(int64(len(factors)*l.s.Trials), "trials")
	network := &spiking.Settings{Downsample: l.s.Downsample, Neuron: l.neuron}
	if l.s.Strategy == strategyRace {
		rs := &spiking.RaceSettings{
			Factors: factors, Trials: l.s.Trials, Batch: l.s.Batch, Refine: l.s.Refine,
			Seed: uint64(l.s.Seed), Workers: l.s.Workers, Slots: slotsOf(job), Network: network,
			Progress: func(p spiking.GridProgress) {
				pr.Total(int64(p.TrialsTotal), "trials")
				pr.Set(int64(p.TrialsDone))
				pr.Status(fmt.Sprintf("%d factors", p.FactorsTotal))
			},
		}
		res, err := spiking.LambdaRace(ctx, m, task, rs)
		return res, nil, err
	}
	partial, err := job.PartialDir()
	if err != nil {
		return nil, nil, err
	}
	done := l.savedFactors(partial, factors, job)
	if len(done) > 0 {
		job.Logger().Info("resuming the λ search", "factors_done", len(done), "factors", len(factors))
	}
	gs := &spiking.GridSettings{
		Factors: factors, Trials: l.s.Trials, Seed: uint64(l.s.Seed), Workers: l.s.Workers,
		Network: network,
		Done:    done,
		Slots:   slotsOf(job),
		OnFactor: func(fr spiking.FactorResult) error {
			b, err := json.Marshal(fr)
			if err != nil {
				return err
			}
			return pipeline.WriteFileAtomic(filepath.Join(partial, factorFile(fr.Lambda)), b, 0o644)
		},
		Progress: func(p spiking.GridProgress) {
			pr.Set(int64(p.TrialsDone))
			pr.Status(fmt.Sprintf("%d/%d factors", p.FactorsDone, p.FactorsTotal))
		},
	}
	res, err := spiking.LambdaGridSearch(ctx, m, task, gs)
	return res, done, err
}

// factorTrials returns the number of trials of every factor of res.
func factorTrials(res *spiking.GridResult) []int {
	n := make([]int, len(res.Factors))
	for i, fr := range res.Factors {
		n[i] = len(fr.Trials)
	}
	return n
}

// slotsOf returns the run's core budget as spiking.Slots, nil when the run
// has none.
func slotsOf(job *pipeline.Job) spiking.Slots {
	if l := job.Limiter(); l != nil {
		return l
	}
	return nil
}
