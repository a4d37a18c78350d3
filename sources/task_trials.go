package sources

import (
	"context"
	"fmt"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/tasks"
)

var (
	trialsTask = pipeline.ValueOutput[items.TaskSpec]("task", "the task and its timing")
	trialsOut  = pipeline.StreamOutput[*tasks.Trial]("out", "rate-side trials in index order: trial i of tasks.NewStream(task, seed)")
)

// DefaultTrialCount is the default number of trials task-trials emits:
// enough for train-rate's default of 6000 training trials with their
// evaluations (100 trials after every 100th trial), 12,000 in all.
const DefaultTrialCount = 12000

type taskTrialsSettings struct {
	Task    pipeline.Named `pipeline:"task"`
	T       int            `pipeline:"T"`
	StimOn  int            `pipeline:"stim_on"`
	StimDur int            `pipeline:"stim_dur"`
	Delay   int            `pipeline:"delay"`
	Seed    int64          `pipeline:"seed"`
	Count   int            `pipeline:"count"`
	// MemoryLimitGB overrides pipeline.DefaultMemoryLimitGB.
	MemoryLimitGB float64 `pipeline:"memory_limit_gb"`
}

func init() {
	settings := append(taskSettingSpecs(),
		pipeline.Setting{Name: "seed", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(0), Doc: "run seed: trial i is drawn from the random stream (seed, i)"},
		pipeline.Setting{Name: "count", Type: pipeline.Int, Default: DefaultTrialCount, Range: pipeline.AtLeast(1),
			Doc: "number of trials emitted; training draws up to max_trials + eval_trials × max_trials/eval_every"},
		pipeline.MemoryLimitSetting(),
	)
	pipeline.Register(pipeline.Spec{
		Name:    "task-trials",
		Group:   pipeline.SourceGroup,
		Summary: "generates a task's trials (stimulus, target, condition, noise seed) reproducibly",
		Description: "Emits count rate-side trials of the task: trial i is trial i of\n" +
			"tasks.NewStream(task, seed), the same whatever came before it, each a fresh\n" +
			"*tasks.Trial (stimulus inputs × T, target of T-1 values, label, noise seed).\n" +
			"The stream is bounded: a consumer that stops early (training that converged)\n" +
			"leaves the rest to be discarded, so count must cover what the consumer may\n" +
			"draw; train-rate reports a stream that ended too soon. Also outputs the task\n" +
			"itself as a value.",
		Outputs:  []pipeline.Port{trialsTask, trialsOut},
		Settings: settings,
		Examples: []pipeline.Example{{Title: "train on go-nogo trials", YAML: `
version: 1
pipelines:
  p:
    stages:
      trials: {kind: task-trials, with: {task: go-nogo, seed: 7}}
      train:  {kind: train-rate, in: {trials: trials.out, task: trials.task}, with: {N: 200}}
`}},
	}, newTaskTrials)
}

func newTaskTrials(s taskTrialsSettings) (pipeline.Stage, error) {
	ts, err := taskSettings{Task: s.Task, T: s.T, StimOn: s.StimOn, StimDur: s.StimDur, Delay: s.Delay}.spec()
	if err != nil && !errDeclared(err) {
		return nil, err
	}
	return &taskTrials{spec: ts, err: err, seed: uint64(s.Seed), count: s.Count, limitGB: s.MemoryLimitGB}, nil
}

type taskTrials struct {
	spec    items.TaskSpec
	err     error // a declaration that does not compile (see errDeclared)
	seed    uint64
	count   int
	limitGB float64
}

// trialsInFlight is how many trials of a stream the estimate of Check
// counts as held at once: a stream edge's default buffer, the trial being
// made and the one being used.
const trialsInFlight = pipeline.DefaultBuffer + 2

// Check implements pipeline.Checker: the trials held at once, each a
// stimulus of inputs × T and a target of T-1 values, must fit the memory
// limit, whatever reads them.
func (s *taskTrials) Check(func(string) (string, map[string]any, bool)) error {
	if s.err != nil {
		return nil // the tasks: block reports it, at its position
	}
	task, err := s.spec.Task()
	if err != nil {
		return err
	}
	perTrial := 8 * (float64(task.Inputs())*float64(tasks.Columns(task, tasks.Rate)) + float64(task.Steps()-1))
	return pipeline.CheckMemory(fmt.Sprintf("T = %d", task.Steps()), s.limitGB, pipeline.MemoryNeed{
		Name:  "the trials in flight",
		Shape: fmt.Sprintf("%d trials: a stream's buffer of %d and two in use, each %d input(s) × T + T-1 float64", trialsInFlight, pipeline.DefaultBuffer, task.Inputs()),
		Bytes: trialsInFlight * perTrial,
	})
}

func (s *taskTrials) Run(ctx context.Context, job *pipeline.Job) error {
	if s.err != nil {
		return s.err
	}
	task, err := s.spec.Task()
	if err != nil {
		return err
	}
	if err := trialsTask.Send(ctx, job, s.spec); err != nil {
		return err
	}
	out := trialsOut.Writer(job)
	stream := tasks.NewStream(task, s.seed)
	for i := range s.count {
		tr := tasks.NewTrial(task, tasks.Rate)
		stream.Trial(i, tr)
		if err := out.Send(ctx, tr); err != nil {
			return err
		}
	}
	job.Headline("trials", s.count)
	return nil
}
