package sources

import (
	"context"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/tasks"
)

var taskOut = pipeline.ValueOutput[items.TaskSpec]("task", "the task and its timing")

// taskSettings are the settings naming a task, shared by the task and
// task-trials kinds.
type taskSettings struct {
	Task    string `pipeline:"task"`
	T       int    `pipeline:"T"`
	StimOn  int    `pipeline:"stim_on"`
	StimDur int    `pipeline:"stim_dur"`
	Delay   int    `pipeline:"delay"`
}

// taskSettingSpecs returns the specs of taskSettings.
func taskSettingSpecs() []pipeline.Setting {
	names := make([]any, 0, len(tasks.Names()))
	for _, n := range tasks.Names() {
		names = append(names, n)
	}
	return []pipeline.Setting{
		{Name: "task", Type: pipeline.String, Required: true, OneOf: names, Doc: "the task"},
		{Name: "T", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "trial length in 5 ms steps (0: the task's default: go-nogo 200, xor 300, mante 500)"},
		{Name: "stim_on", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "first stimulus step (0: the task's default, 50)"},
		{Name: "stim_dur", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "stimulus length in steps (0: the task's default: go-nogo 25, xor 50, mante 200)"},
		{Name: "delay", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "xor: steps between the two pulses (0: the default, 10)"},
	}
}

// spec returns the TaskSpec of the settings, checking that the task
// accepts them.
func (s taskSettings) spec() (items.TaskSpec, error) {
	ts := items.TaskSpec{Name: s.Task, Settings: tasks.Settings{T: s.T, StimOn: s.StimOn, StimDur: s.StimDur, Delay: s.Delay}}
	_, err := ts.Task()
	return ts, err
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "task",
		Group:   pipeline.SourceGroup,
		Summary: "names a task and its timing, for stages that need the task but no training trials",
		Description: "Outputs the task as a value (a TaskSpec: name and timing) from which the\n" +
			"stages reading it rebuild the task's stimuli and scoring. task-trials outputs\n" +
			"the same value next to its trials; use this kind where no trials are needed,\n" +
			"as when converting a model loaded from a file.",
		Outputs:  []pipeline.Port{taskOut},
		Settings: taskSettingSpecs(),
		Examples: []pipeline.Example{{Title: "go-nogo with a longer stimulus", YAML: `
version: 1
pipelines:
  p:
    stages:
      task: {kind: task, with: {task: go-nogo, stim_dur: 30}}
`}},
	}, newTaskStage)
}

func newTaskStage(s taskSettings) (pipeline.Stage, error) {
	ts, err := s.spec()
	if err != nil {
		return nil, err
	}
	return &taskStage{spec: ts}, nil
}

type taskStage struct{ spec items.TaskSpec }

func (s *taskStage) Run(ctx context.Context, job *pipeline.Job) error {
	return taskOut.Send(ctx, job, s.spec)
}
