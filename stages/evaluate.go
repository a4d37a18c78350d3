package stages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/sinks"
	"github.com/spikernn/spikernn/tasks"
)

var (
	evalTrials     = pipeline.StreamInput[*items.ConvertedTrial]("trials", "the converted trials, in trial order")
	evalTask       = pipeline.ValueInput[items.TaskSpec]("task", "the task")
	evalModel      = pipeline.ValueInput[*rate.Model]("model", "the rate model converted (for the unit types)")
	evalEvaluation = pipeline.ValueOutput[*items.Evaluation]("evaluation", "accuracy, output mean ± SD and firing rates per condition, example trials")
	evalRows       = pipeline.StreamOutput[*sinks.TrialRows]("rows", "the trials table (trial, task, label, lambda, correct, n_spikes, seed), in batches")
)

// evalBatch is the number of trials per batch of the trials table.
const evalBatch = 1024

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "evaluate",
		Group:   pipeline.StageGroup,
		Summary: "scores the converted LIF trials: accuracy, output mean ± SD and firing rates per condition",
		Description: "Reads lif-convert's trials and keeps only running sums, so that its memory\n" +
			"does not grow with the number of trials: accuracy overall and per condition, the\n" +
			"mean and SD of the sampled output per condition (Welford's method), the mean\n" +
			"firing rate of every unit and of the E and I populations (spikes over the trial\n" +
			"length), and the first trial of every condition whole (spikes, output, stimulus)\n" +
			"for the plots. Streams the trials table on `rows`. Headlines: lif_accuracy and\n" +
			"lif_accuracy_<condition>.",
		Inputs:  []pipeline.Port{evalTrials, evalTask, evalModel},
		Outputs: []pipeline.Port{evalEvaluation, evalRows},
		Examples: []pipeline.Example{{Title: "evaluate a conversion and write the trials table", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      table:   {kind: parquet, in: {rows: eval.rows}, with: {path: trials.parquet}}
`}},
	}, func(struct{}) (pipeline.Stage, error) { return &evaluate{}, nil })
}

type evaluate struct{}

// condAcc accumulates one condition.
type condAcc struct {
	n, correct       int
	mean, m2         []float64 // Welford's running mean and sum of squared deviations
	spikesE, spikesI int64
}

func (c *condAcc) add(out []float64) error {
	if c.n == 0 {
		c.mean = make([]float64, len(out))
		c.m2 = make([]float64, len(out))
	} else if len(out) != len(c.mean) {
		return fmt.Errorf("output of %d samples, earlier trials had %d", len(out), len(c.mean))
	}
	c.n++
	k := float64(c.n)
	for i, x := range out {
		d := x - c.mean[i]
		c.mean[i] += d / k
		c.m2[i] += d * (x - c.mean[i])
	}
	return nil
}

func (e *evaluate) Run(ctx context.Context, job *pipeline.Job) error {
	task, err := items.ReceiveTask(ctx, job, evalTask)
	if err != nil {
		return err
	}
	m, err := evalModel.Receive(ctx, job)
	if err != nil {
		return err
	}
	labels := task.Labels()
	conds := make([]condAcc, len(labels))
	index := map[tasks.Label]int{}
	for k, l := range labels {
		index[l] = k
	}
	nE, nI := 0, 0
	for _, inh := range m.Inh {
		if inh {
			nI++
		} else {
			nE++
		}
	}
	ev := &items.Evaluation{Task: task.Name(), Inh: append([]bool(nil), m.Inh...)}
	unitSpikes := make([]int64, m.N)
	examples := make([]*items.ExampleTrial, len(labels))

	in := evalTrials.Reader(job)
	rowsOut := evalRows.Writer(job)
	batch := &sinks.TrialRows{}
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		if err := rowsOut.Send(ctx, batch); err != nil {
			return err
		}
		batch = &sinks.TrialRows{}
		return nil
	}
	for {
		ct, err := in.Recv(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if !ct.Scored {
			return fmt.Errorf("trial %d (%s) was not scored: evaluate needs a task's trials, or stimuli with labels and a task connected to lif-convert", ct.Trial, ct.LabelName)
		}
		k, ok := index[ct.Label]
		if !ok {
			return fmt.Errorf("trial %d: label %d is not a condition of %s", ct.Trial, ct.Label, task.Name())
		}
		if len(ct.Counts) != m.N {
			return fmt.Errorf("trial %d: %d spike counts for a model of %d units", ct.Trial, len(ct.Counts), m.N)
		}
		if ev.Trials == 0 {
			ev.Lambda, ev.DT, ev.NT = ct.Lambda, ct.DT, ct.NT
			ev.Duration = float64(ct.NT) * ct.DT
			ev.OutDT = float64(ct.OutEvery) * ct.DT
			ev.StreamSeed = ct.StreamSeed
			if ct.Neuron != nil {
				ev.Neuron = ct.Neuron
				batch.Meta = items.NeuronMetadata(nil, ct.Neuron)
			}
		}
		c := &conds[k]
		if err := c.add(ct.Out); err != nil {
			return fmt.Errorf("trial %d: %w", ct.Trial, err)
		}
		if ct.Correct {
			c.correct++
			ev.Correct++
		}
		ev.Trials++
		ev.NSpikes += int64(ct.NSpikes)
		for u, n := range ct.Counts {
			unitSpikes[u] += int64(n)
			if m.Inh[u] {
				c.spikesI += int64(n)
			} else {
				c.spikesE += int64(n)
			}
		}
		if examples[k] == nil && ct.Spikes != nil {
			ex := &items.ExampleTrial{
				Condition: ct.LabelName, Label: ct.Label, Trial: ct.Trial, Seed: ct.Seed, Correct: ct.Correct,
				Out: ct.Out, Stimulus: ct.Stimulus,
				SpikeSteps: make([]int32, len(ct.Spikes)), SpikeNeurons: make([]int32, len(ct.Spikes)),
			}
			for s, sp := range ct.Spikes {
				ex.SpikeSteps[s], ex.SpikeNeurons[s] = sp.Step, sp.Neuron
			}
			examples[k] = ex
		}
		batch.Append(int32(ct.Trial), task.Name(), ct.LabelName, ct.Lambda, ct.Correct, int64(ct.NSpikes), int64(ct.Seed))
		if batch.Len() >= evalBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if ev.Trials == 0 {
		return errors.New("no trials to evaluate")
	}

	ev.Accuracy = float64(ev.Correct) / float64(ev.Trials)
	rate := func(spikes int64, units, trials int) float64 {
		if units == 0 || trials == 0 {
			return 0
		}
		return float64(spikes) / (float64(units) * float64(trials) * ev.Duration)
	}
	var allE, allI int64
	for k, l := range labels {
		c := &conds[k]
		ce := items.ConditionEval{Label: l, Name: task.LabelName(l), Trials: c.n, Correct: c.correct,
			RateHzE: rate(c.spikesE, nE, c.n), RateHzI: rate(c.spikesI, nI, c.n)}
		if c.n > 0 {
			ce.Accuracy = float64(c.correct) / float64(c.n)
			ce.OutMean = c.mean
			ce.OutSD = make([]float64, len(c.m2))
			if c.n > 1 {
				for i, v := range c.m2 {
					ce.OutSD[i] = math.Sqrt(v / float64(c.n-1))
				}
			}
		}
		allE += c.spikesE
		allI += c.spikesI
		ev.Conditions = append(ev.Conditions, ce)
		if examples[k] != nil {
			ev.Examples = append(ev.Examples, *examples[k])
		}
		job.Headline("lif_accuracy_"+ce.Name, ce.Accuracy)
	}
	ev.RateHzE, ev.RateHzI = rate(allE, nE, ev.Trials), rate(allI, nI, ev.Trials)
	ev.UnitRateHz = make([]float64, m.N)
	for u, n := range unitSpikes {
		ev.UnitRateHz[u] = rate(n, 1, ev.Trials)
	}
	job.Headline("lif_accuracy", ev.Accuracy)
	return evalEvaluation.Send(ctx, job, ev)
}
