package sources

import (
	"context"
	"errors"
	"fmt"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/tasks"
)

var taskOut = pipeline.ValueOutput[items.TaskSpec]("task", "the task and its timing")

// taskSettings are the settings naming a task, shared by the task and
// task-trials kinds.
type taskSettings struct {
	Task    pipeline.Named `pipeline:"task"`
	T       int            `pipeline:"T"`
	StimOn  int            `pipeline:"stim_on"`
	StimDur int            `pipeline:"stim_dur"`
	Delay   int            `pipeline:"delay"`
}

// taskSettingSpecs returns the specs of taskSettings.
func taskSettingSpecs() []pipeline.Setting {
	names := make([]any, 0, len(tasks.Names()))
	for _, n := range tasks.Names() {
		names = append(names, n)
	}
	return []pipeline.Setting{
		{Name: "task", Type: pipeline.String, Required: true, OneOf: names, Block: TasksBlock,
			Doc: "the task: a built-in one, or one declared in the file's tasks: block (its declaration is then part of the cache key)"},
		{Name: "T", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "trial length in 5 ms steps (0: the task's default: go-nogo 200, xor 300, mante 500; a declared task: its own T)"},
		{Name: "stim_on", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "first stimulus step (0: the task's default, 50)"},
		{Name: "stim_dur", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "stimulus length in steps (0: the task's default: go-nogo 25, xor 50, mante 200)"},
		{Name: "delay", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "xor: steps between the two pulses (0: the default, 10)"},
	}
}

// spec returns the TaskSpec of the settings, checking that the task
// accepts them. A declared task carries its declaration and takes no
// timing settings: its timing is in its declaration.
func (s taskSettings) spec() (items.TaskSpec, error) {
	if s.Task.Entry != nil {
		if s.T != 0 || s.StimOn != 0 || s.StimDur != 0 || s.Delay != 0 {
			return items.TaskSpec{}, fmt.Errorf("task %q is declared in the file: its timing is in its declaration (T, params), not in the settings T, stim_on, stim_dur and delay", s.Task.Name)
		}
		d, err := tasks.DeclFromValue(s.Task.Name, s.Task.Entry.Plain())
		if err != nil {
			return items.TaskSpec{}, err
		}
		ts := items.TaskSpec{Name: s.Task.Name, Decl: d}
		_, err = d.Compile()
		return ts, err
	}
	ts := items.TaskSpec{Name: s.Task.Name, Settings: tasks.Settings{T: s.T, StimOn: s.StimOn, StimDur: s.StimDur, Delay: s.Delay}}
	_, err := ts.Task()
	return ts, err
}

// errDeclared reports whether err is a problem with a declaration, which
// the tasks: block's check reports at its position: the constructors then
// leave it to Run, so that lint gives one error, not two.
func errDeclared(err error) bool {
	var de *tasks.DeclError
	return errors.As(err, &de)
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
	if err != nil && !errDeclared(err) {
		return nil, err
	}
	return &taskStage{spec: ts, err: err}, nil
}

type taskStage struct {
	spec items.TaskSpec
	err  error // a declaration that does not compile (see errDeclared)
}

func (s *taskStage) Run(ctx context.Context, job *pipeline.Job) error {
	if s.err != nil {
		return s.err
	}
	if _, err := s.spec.Task(); err != nil {
		return err
	}
	return taskOut.Send(ctx, job, s.spec)
}
