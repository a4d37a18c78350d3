package kinds

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/spiking"
)

var (
	summaryModel      = pipeline.ValueInput[*rate.Model]("model", "the rate model")
	summaryTask       = pipeline.ValueInput[items.TaskSpec]("task", "the task")
	summaryTraining   = pipeline.ValueInput[*items.TrainingRecord]("training", "the training history (absent for a loaded model)").Optional()
	summarySearch     = pipeline.ValueInput[*items.LambdaSearch]("search", "the λ search").Optional()
	summaryEvaluation = pipeline.ValueInput[*items.Evaluation]("evaluation", "the evaluation of the conversion").Optional()
	summaryAssumed    = pipeline.ValueInput[*items.ModelAssumptions]("assumptions", "what load-mat assumed about the model file").Optional()
	summaryOut        = pipeline.ValueOutput[*report.Summary]("summary", "the headline figures, as written to summary.json")
)

type summarySettings struct {
	Path string `pipeline:"path"`
	Seed int64  `pipeline:"seed"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "summary",
		Group:   pipeline.SinkGroup,
		Summary: "collects the headline figures of a run into summary.json",
		Description: "Writes summary.json (report.Summary): task and task_spec (the task as the stages\n" +
			"received it: name, timing and, for a declared task, its declaration), N, seed, trials_trained, converged,\n" +
			"rate_accuracy and rate_loss (the last evaluation), best_lambda, lambda_accuracy\n" +
			"(factor → accuracy), lambda_accuracy_ci (factor → 95 % Wilson interval),\n" +
			"lambda_trials, search_accuracy (the search's, at the best factor: a maximum,\n" +
			"so optimistic) with search_accuracy_ci, search_trials_run, search_strategy,\n" +
			"lif_accuracy (re-scored on the conversion's fresh trials) with lif_accuracy_ci,\n" +
			"overall and per condition, lif_trials,\n" +
			"n_spikes, E and I firing rates, neuron (the conversion's spiking unit; with\n" +
			"search_neuron the search's when it differs), the program version and the seconds of every\n" +
			"stage upstream of the summary: the stage's own work time from its manifest\n" +
			"(busy_seconds: start to the end of its Run, less the time it waited for its\n" +
			"inputs); a stage served from the cache is reported with the seconds of the run\n" +
			"that computed it, not 0. Without a training input (a model loaded from a file), trials_trained,\n" +
			"rate_accuracy and rate_loss come from the model file (losses, eval_perf_mean,\n" +
			"eval_loss_mean) and converged applies the stop rule's thresholds (loss < 7,\n" +
			"accuracy > 0.95) to them; with load-mat's `assumptions` connected, model_file and\n" +
			"model_assumptions (one line per field the file lacked) say what was assumed.\n" +
			"Headlines: rate_accuracy, best_lambda, lif_accuracy.",
		Inputs:  []pipeline.Port{summaryModel, summaryTask, summaryTraining, summarySearch, summaryEvaluation, summaryAssumed},
		Outputs: []pipeline.Port{summaryOut},
		Settings: []pipeline.Setting{
			{Name: "path", Type: pipeline.Output, Default: "summary.json", Doc: "output file, relative to the pipeline directory"},
			{Name: "seed", Type: pipeline.Int, Default: 0, Doc: "the run seed to report (pass the pipeline's ${seed})"},
		},
		Examples: []pipeline.Example{{Title: "summarise a conversion of a model file", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat, seed: 1}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {seed: ${seed}}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}, with: {seed: ${seed}}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      summary:
        kind: summary
        in: {model: model.model, task: task.task, search: lambda.search, evaluation: eval.evaluation}
        with: {seed: ${seed}}
`}},
	}, func(s summarySettings) (pipeline.Stage, error) { return &summaryStage{s}, nil })
}

type summaryStage struct{ s summarySettings }

// optional receives an optional input: nil when it is not connected.
func optional[T any](ctx context.Context, job *pipeline.Job, in *pipeline.ValueIn[T]) (T, error) {
	v, err := in.Receive(ctx, job)
	if errors.Is(err, pipeline.ErrNotConnected) {
		var zero T
		return zero, nil
	}
	return v, err
}

func (s *summaryStage) Run(ctx context.Context, job *pipeline.Job) error {
	m, err := summaryModel.Receive(ctx, job)
	if err != nil {
		return err
	}
	spec, err := summaryTask.Receive(ctx, job)
	if err != nil {
		return err
	}
	tr, err := optional(ctx, job, summaryTraining)
	if err != nil {
		return err
	}
	search, err := optional(ctx, job, summarySearch)
	if err != nil {
		return err
	}
	ev, err := optional(ctx, job, summaryEvaluation)
	if err != nil {
		return err
	}
	assumed, err := optional(ctx, job, summaryAssumed)
	if err != nil {
		return err
	}
	sum := &report.Summary{
		Pipeline: job.Pipeline(), Task: spec.Name, TaskSpec: json.RawMessage(spec.JSON()), N: m.N, Seed: s.s.Seed,
		Version: items.ProgramVersion(), Seconds: map[string]float64{},
	}
	if tr != nil {
		sum.TrialsTrained, sum.Converged = tr.Trials, tr.Converged
		sum.RateAccuracy, sum.RateLoss = tr.Accuracy, tr.Loss
	} else {
		sum.TrialsTrained = len(m.Losses)
		sum.RateAccuracy, sum.RateLoss = m.EvalPerfMean, m.EvalLossMean
		sum.Converged = len(m.Losses) > 0 && m.EvalLossMean < rate.DefaultLossThreshold && m.EvalPerfMean > rate.DefaultAccThreshold
	}
	if assumed != nil {
		sum.ModelFile, sum.ModelAssumptions = assumed.File, assumed.Notes
	}
	if search != nil {
		sum.BestLambda = search.Best
		sum.LambdaAccuracy = map[string]float64{}
		for i, f := range search.Factors {
			sum.LambdaAccuracy[fmt.Sprintf("%g", f)] = search.Accuracy[i]
		}
		if len(search.Lower) == len(search.Factors) && len(search.Upper) == len(search.Factors) {
			sum.LambdaCI = map[string][2]float64{}
			for i, f := range search.Factors {
				sum.LambdaCI[fmt.Sprintf("%g", f)] = [2]float64{search.Lower[i], search.Upper[i]}
			}
		}
		if len(search.FactorTrials) == len(search.Factors) {
			sum.LambdaTrials = map[string]int{}
			for i, f := range search.Factors {
				sum.LambdaTrials[fmt.Sprintf("%g", f)] = search.FactorTrials[i]
			}
		}
		if b := search.BestIndex; b >= 0 && b < len(search.Accuracy) {
			sum.SearchAccuracy = search.Accuracy[b]
			if b < len(search.Lower) && b < len(search.Upper) {
				sum.SearchCI = [2]float64{search.Lower[b], search.Upper[b]}
			}
		}
		sum.SearchTrialsRun, sum.SearchStrategy = search.TrialsRun, search.Strategy
	}
	switch {
	case ev != nil && ev.Neuron != nil:
		sum.Neuron = ev.Neuron
		if search != nil && search.Neuron != nil && *search.Neuron != *ev.Neuron {
			sum.SearchNeuron = search.Neuron
		}
	case search != nil:
		sum.Neuron = search.Neuron
	}
	if ev != nil {
		if search == nil {
			sum.BestLambda = ev.Lambda
		}
		sum.LIFAccuracy, sum.LIFTrials, sum.NSpikes = ev.Accuracy, ev.Trials, ev.NSpikes
		lo, hi := spiking.Wilson(ev.Correct, ev.Trials)
		sum.LIFCI = [2]float64{lo, hi}
		sum.RateHzE, sum.RateHzI = ev.RateHzE, ev.RateHzI
		sum.LIFAccuracyBy = map[string]float64{}
		for _, c := range ev.Conditions {
			sum.LIFAccuracyBy[c.Name] = c.Accuracy
		}
	}
	ms, err := items.UpstreamManifests(ctx, job)
	if err != nil {
		return err
	}
	for _, um := range ms {
		sum.Seconds[um.Stage] = cmp.Or(um.BusySeconds, um.Seconds)
	}
	path, err := items.OutputPath(job, s.s.Path)
	if err != nil {
		return err
	}
	if err := report.WriteSummary(path, sum); err != nil {
		return fmt.Errorf("write %s: %w", s.s.Path, err)
	}
	job.Headline("rate_accuracy", sum.RateAccuracy)
	if search != nil || ev != nil {
		job.Headline("best_lambda", sum.BestLambda)
	}
	if ev != nil {
		job.Headline("lif_accuracy", sum.LIFAccuracy)
	}
	return summaryOut.Send(ctx, job, sum)
}
