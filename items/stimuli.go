package items

import (
	"fmt"
	"strconv"

	"github.com/spikernn/spikernn/tasks"
)

// Stimuli is a protocol read from a file by stimulus-file: the item of its
// `stimuli` port, which lif-convert simulates instead of drawing the trials
// of a task.
type Stimuli struct {
	// File is the file read, relative to the pipeline file when it is
	// beside or below it.
	File string `json:"file"`
	// Inputs is the number of rows of every stimulus.
	Inputs int `json:"inputs"`
	// Stimuli holds the stimuli in file order.
	Stimuli []Stimulus `json:"stimuli"`
}

// Stimulus is one stimulus of a Stimuli: Inputs rows of columns of 5 ms
// each, the spiking-side stimulus u of SPEC §4 (column k drives the LIF
// steps around k·100 at dt = 0.05 ms; S columns make a trial of (S-1)·5 ms).
type Stimulus struct {
	// Name names the stimulus in the tables: its label when it has one,
	// "stimulus k" (k from 0, in file order) otherwise.
	Name string `json:"name"`
	// Label is the condition as the file gives it ("" when it gives
	// none): a task's label value (go-nogo 1 or 0, xor and mante 1 or -1)
	// or a label name ("go", "nogo", "same", "diff", "+1", "-1").
	Label string `json:"label,omitempty"`
	// U holds the rows, Inputs × columns.
	U [][]float64 `json:"u"`
}

// Columns returns the number of columns of the stimulus.
func (s *Stimulus) Columns() int {
	if len(s.U) == 0 {
		return 0
	}
	return len(s.U[0])
}

// Labeled reports whether every stimulus has a label.
func (st *Stimuli) Labeled() bool {
	for _, s := range st.Stimuli {
		if s.Label == "" {
			return false
		}
	}
	return len(st.Stimuli) > 0
}

// Labels resolves the labels of the stimuli as conditions of task t: a
// label is a name of one of t's conditions or the number of one. The error
// names the stimulus, its label and t's conditions.
func (st *Stimuli) Labels(t tasks.Task) ([]tasks.Label, error) {
	out := make([]tasks.Label, len(st.Stimuli))
	for k, s := range st.Stimuli {
		l, ok := resolveLabel(t, s.Label)
		if !ok {
			var names []string
			for _, c := range t.Labels() {
				names = append(names, fmt.Sprintf("%s (%d)", t.LabelName(c), int(c)))
			}
			return nil, fmt.Errorf("stimulus %d (%s) of %s: label %q is not a condition of %s: want one of %v",
				k, s.Name, st.File, s.Label, t.Name(), names)
		}
		out[k] = l
	}
	return out, nil
}

// resolveLabel returns the condition of t that label names or numbers.
func resolveLabel(t tasks.Task, label string) (tasks.Label, bool) {
	n, err := strconv.ParseFloat(label, 64)
	for _, c := range t.Labels() {
		if label == t.LabelName(c) || (err == nil && n == float64(c)) {
			return c, true
		}
	}
	return 0, false
}
