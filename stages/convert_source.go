package stages

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// trialSource gives lif-convert its trials: those of a task's stream, or
// the stimuli of a file (stimulus-file), scored with the task's rule when
// there is one.
type trialSource interface {
	// drawer returns a function that fills a trial with trial i, for one
	// goroutine: the trial it returns is reused by its next call.
	drawer() func(i int) *tasks.Trial
	// inputs is the number of stimulus rows, and what describes them.
	inputs() (int, string)
	// name names a trial's condition or stimulus; group numbers the
	// groups whose first trial keeps its spikes for the plots.
	name(tr *tasks.Trial) string
	group(tr *tasks.Trial) int
	// score scores a trial's LIF output, sampled every dt seconds; scored
	// is false when it cannot be.
	score(out []float64, dt float64, tr *tasks.Trial) (correct, scored bool)
}

// receiveTrials receives lif-convert's task and stimuli inputs (at least
// one of them connected) and returns their trials.
func receiveTrials(ctx context.Context, job *pipeline.Job, seed uint64) (trialSource, error) {
	var task tasks.Task
	spec, err := convertTask.Receive(ctx, job)
	switch {
	case errors.Is(err, pipeline.ErrNotConnected):
	case err != nil:
		return nil, err
	default:
		if task, err = spec.Task(); err != nil {
			return nil, err
		}
	}
	st, err := convertStimuli.Receive(ctx, job)
	switch {
	case errors.Is(err, pipeline.ErrNotConnected):
		if task == nil {
			return nil, errors.New("lif-convert needs a task or stimuli: connect its task or stimuli input")
		}
		return &taskSource{task: task, seed: seed}, nil
	case err != nil:
		return nil, err
	}
	return newStimulusSource(st, task, seed)
}

// taskSource draws trial i of tasks.NewStream(task, seed).
type taskSource struct {
	task tasks.Task
	seed uint64
}

func (s *taskSource) drawer() func(int) *tasks.Trial {
	stream, tr := tasks.NewStream(s.task, s.seed), tasks.NewTrial(s.task, tasks.Spiking)
	return func(i int) *tasks.Trial {
		stream.Trial(i, tr)
		return tr
	}
}

func (s *taskSource) inputs() (int, string) {
	return s.task.Inputs(), "the task " + s.task.Name()
}

func (s *taskSource) name(tr *tasks.Trial) string { return s.task.LabelName(tr.Label) }
func (s *taskSource) group(tr *tasks.Trial) int   { return int(tr.Label) }

func (s *taskSource) score(out []float64, dt float64, tr *tasks.Trial) (bool, bool) {
	return s.task.CorrectSpiking(out, dt, tr.Label), true
}

// stimulusSource simulates stimulus i mod K for trial i, with the noise
// seed a task stream gives its trial i, so that a file holding a task's
// stimuli converts as the task's trials do.
type stimulusSource struct {
	st     *items.Stimuli
	task   tasks.Task    // nil: no scoring
	labels []tasks.Label // nil: no scoring
	seed   uint64
	u      []*mat.Dense
}

func newStimulusSource(st *items.Stimuli, task tasks.Task, seed uint64) (*stimulusSource, error) {
	if len(st.Stimuli) == 0 {
		return nil, fmt.Errorf("stimuli from %s: none", st.File)
	}
	s := &stimulusSource{st: st, seed: seed}
	for k, x := range st.Stimuli {
		if len(x.U) != st.Inputs || x.Columns() < 2 {
			return nil, fmt.Errorf("stimulus %d of %s is %d×%d, want %d inputs and at least two columns", k, st.File, len(x.U), x.Columns(), st.Inputs)
		}
		u := mat.NewDense(st.Inputs, x.Columns(), nil)
		for i, row := range x.U {
			if len(row) != x.Columns() {
				return nil, fmt.Errorf("stimulus %d of %s: input %d has %d columns, input 0 %d", k, st.File, i, len(row), x.Columns())
			}
			u.SetRow(i, row)
		}
		s.u = append(s.u, u)
	}
	if task == nil || !st.Labeled() {
		return s, nil
	}
	labels, err := st.Labels(task)
	if err != nil {
		return nil, err
	}
	want := tasks.Columns(task, tasks.Spiking)
	for k, u := range s.u {
		if _, c := u.Dims(); c != want {
			return nil, fmt.Errorf("stimulus %d (%s) of %s has %d columns: scoring it as %s needs the task's %d", k, st.Stimuli[k].Name, st.File, c, task.Name(), want)
		}
	}
	s.task, s.labels = task, labels
	return s, nil
}

func (s *stimulusSource) drawer() func(int) *tasks.Trial {
	src := rand.NewPCG(0, 0)
	r := rand.New(src)
	tr := &tasks.Trial{}
	return func(i int) *tasks.Trial {
		k := i % len(s.u)
		rng.Reseed(src, s.seed, uint64(i))
		tr.Index, tr.Seed, tr.U, tr.Label = i, r.Uint64(), s.u[k], 0
		if s.labels != nil {
			tr.Label = s.labels[k]
		}
		return tr
	}
}

func (s *stimulusSource) inputs() (int, string) {
	return s.st.Inputs, "the stimuli of " + s.st.File
}

// name is the task's name of the trial's condition when it is scored, the
// stimulus's name otherwise.
func (s *stimulusSource) name(tr *tasks.Trial) string {
	if s.labels != nil {
		return s.task.LabelName(tr.Label)
	}
	return s.st.Stimuli[tr.Index%len(s.u)].Name
}

func (s *stimulusSource) group(tr *tasks.Trial) int {
	if s.labels != nil {
		return int(tr.Label)
	}
	return tr.Index % len(s.u)
}

func (s *stimulusSource) score(out []float64, dt float64, tr *tasks.Trial) (bool, bool) {
	if s.labels == nil {
		return false, false
	}
	return s.task.CorrectSpiking(out, dt, tr.Label), true
}
