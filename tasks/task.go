package tasks

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Label is the condition of a trial. Its value is the level of the target
// during the response window: go-nogo uses 1 (go) and 0 (nogo); xor uses
// +1 (same) and -1 (diff); mante uses +1 and -1.
type Label int

// Labels used by the built-in tasks.
const (
	NoGo  Label = 0
	Go    Label = 1
	Same  Label = 1
	Diff  Label = -1
	Plus  Label = 1
	Minus Label = -1
)

// Task is a cognitive task: stimuli, targets and scoring for both the rate
// and the spiking network.
type Task interface {
	// Name is the task's registered name, e.g. "go-nogo".
	Name() string
	// Inputs is the number of input rows of a stimulus.
	Inputs() int
	// Steps is T, the number of columns of a rate-side stimulus.
	Steps() int
	// Labels lists the conditions in display order.
	Labels() []Label
	// LabelName names a condition, e.g. "go" or "diff".
	LabelName(Label) string
	// DrawLabel draws a condition with the task's probabilities.
	DrawLabel(r *rand.Rand) Label
	// Stimulus zeroes dst (Inputs × columns; T columns on the rate side,
	// T+1 on the spiking side) and fills it with a stimulus of the given
	// condition, drawing any randomness from r.
	Stimulus(dst *mat.Dense, label Label, r *rand.Rand)
	// Target fills dst (length T-1) with the rate-side target.
	Target(dst []float64, label Label)
	// Correct scores a rate-network output o (length T-1).
	Correct(o []float64, label Label) bool
	// CorrectSpiking scores a spiking-network output sampled every dt
	// seconds.
	CorrectSpiking(out []float64, dt float64, label Label) bool
}

// Side says which network a trial is for: the rate side has T stimulus
// columns and a target, the spiking side T+1 columns and no target.
type Side int

const (
	// Rate trials have T columns and a target of length T-1.
	Rate Side = iota
	// Spiking trials have S = T+1 columns (SPEC §5).
	Spiking
)

// Columns returns the number of stimulus columns of a trial of t on side s.
func Columns(t Task, s Side) int {
	if s == Spiking {
		return t.Steps() + 1
	}
	return t.Steps()
}

// Trial is one trial of a task.
type Trial struct {
	// Index is the trial's position in its stream.
	Index int
	// Label is the trial's condition.
	Label Label
	// U is the stimulus, Inputs × columns.
	U *mat.Dense
	// Target is the rate-side target (length T-1); nil on the spiking side.
	Target []float64
	// Seed seeds the network's own noise for this trial, so that a trial
	// replays identically wherever it runs.
	Seed uint64
}

// NewTrial allocates a trial of t for side s, to be filled by Fill or a
// Stream and reused across trials.
func NewTrial(t Task, s Side) *Trial {
	tr := &Trial{U: mat.NewDense(t.Inputs(), Columns(t, s), nil)}
	if s == Rate {
		tr.Target = make([]float64, t.Steps()-1)
	}
	return tr
}

// Fill draws a condition (or uses label when it is not nil) and fills the
// stimulus and, if dst has one, the target.
func Fill(t Task, dst *Trial, label *Label, r *rand.Rand) {
	l := Label(0)
	if label != nil {
		l = *label
	} else {
		l = t.DrawLabel(r)
	}
	dst.Label = l
	t.Stimulus(dst.U, l, r)
	if dst.Target != nil {
		t.Target(dst.Target, l)
	}
}

// zero sets every element of m to 0.
func zero(m *mat.Dense) {
	raw := m.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		clear(raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols])
	}
}

// setRow sets row i of m to v over columns [from, to), clipped to m.
func setRow(m *mat.Dense, i, from, to int, v float64) {
	raw := m.RawMatrix()
	from, to = max(from, 0), min(to, raw.Cols)
	row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
	for j := from; j < to; j++ {
		row[j] = v
	}
}

// window returns xs[from:] clipped to xs.
func window(xs []float64, from int) []float64 {
	return xs[min(max(from, 0), len(xs)):]
}

// spikeWindow returns out from time from (seconds) on, sampled every dt.
func spikeWindow(out []float64, dt, from float64) []float64 {
	return window(out, int(from/dt+0.5))
}

// Settings holds the timing of a task in rate steps (5 ms). A zero field
// takes the task's default; see each task for its defaults.
type Settings struct {
	// T is the number of steps of a rate trial.
	T int `json:"T,omitempty"`
	// StimOn is the first step of the stimulus.
	StimOn int `json:"stim_on,omitempty"`
	// StimDur is the stimulus duration in steps.
	StimDur int `json:"stim_dur,omitempty"`
	// Delay is the gap between the two xor stimuli, in steps.
	Delay int `json:"delay,omitempty"`
}

// Constructor builds a task from settings, rejecting invalid ones.
type Constructor func(Settings) (Task, error)

var (
	regMu    sync.RWMutex
	registry = map[string]Constructor{}
)

// Register makes a task available by name. It panics if the name is
// already registered or the constructor is nil.
func Register(name string, c Constructor) {
	regMu.Lock()
	defer regMu.Unlock()
	if c == nil {
		panic("tasks: Register constructor is nil")
	}
	if _, dup := registry[name]; dup {
		panic("tasks: Register called twice for task " + name)
	}
	registry[name] = c
}

// Names returns the registered task names, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the task registered under name with the given settings.
func New(name string, s Settings) (Task, error) {
	regMu.RLock()
	c, ok := registry[name]
	regMu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("tasks: unknown task %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return c(s)
}

// checkTiming validates settings once defaults are filled in.
func checkTiming(task string, s Settings, windows ...[2]int) error {
	if s.T < 2 {
		return fmt.Errorf("tasks: %s: T = %d, want ≥ 2", task, s.T)
	}
	if s.StimOn < 0 || s.StimOn >= s.T {
		return fmt.Errorf("tasks: %s: stim_on = %d, want in [0, T=%d)", task, s.StimOn, s.T)
	}
	if s.StimDur <= 0 {
		return fmt.Errorf("tasks: %s: stim_dur = %d, want > 0", task, s.StimDur)
	}
	if s.Delay < 0 {
		return fmt.Errorf("tasks: %s: delay = %d, want ≥ 0", task, s.Delay)
	}
	for _, w := range windows {
		if w[1] > s.T-1 {
			return fmt.Errorf("tasks: %s: T = %d is too short for the timing (needs ≥ %d)", task, s.T, w[1]+1)
		}
	}
	return nil
}

func labelNames(t Task) string {
	var parts []string
	for _, l := range t.Labels() {
		parts = append(parts, fmt.Sprintf("%s (%d)", t.LabelName(l), int(l)))
	}
	return strings.Join(parts, ", ")
}

// ParseLabel returns the condition of t named s (e.g. "go", "diff", "+1").
func ParseLabel(t Task, s string) (Label, error) {
	for _, l := range t.Labels() {
		if t.LabelName(l) == s {
			return l, nil
		}
	}
	return 0, fmt.Errorf("tasks: %s has no condition %q (want %s)", t.Name(), s, labelNames(t))
}
