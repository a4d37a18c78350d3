package tasks_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// delayedResponse is a complete new task: one input pulse whose sign the
// network must report after a delay. It shows what a Task implements.
type delayedResponse struct{ T, On, Dur, Delay int }

func (*delayedResponse) Name() string          { return "delayed-response" }
func (*delayedResponse) Inputs() int           { return 1 }
func (d *delayedResponse) Steps() int          { return d.T }
func (*delayedResponse) Labels() []tasks.Label { return []tasks.Label{tasks.Plus, tasks.Minus} }
func (*delayedResponse) LabelName(l tasks.Label) string {
	return map[tasks.Label]string{tasks.Plus: "+1", tasks.Minus: "-1"}[l]
}
func (*delayedResponse) DrawLabel(r *rand.Rand) tasks.Label {
	if r.Float64() < 0.5 {
		return tasks.Plus
	}
	return tasks.Minus
}
func (d *delayedResponse) Stimulus(dst *mat.Dense, l tasks.Label, _ *rand.Rand) {
	dst.Zero()
	for j := d.On; j < d.On+d.Dur; j++ {
		dst.Set(0, j, float64(l))
	}
}
func (d *delayedResponse) respFrom() int { return d.On + d.Dur + d.Delay }
func (d *delayedResponse) Target(dst []float64, l tasks.Label) {
	for i := range dst {
		dst[i] = 0
		if i >= d.respFrom() {
			dst[i] = float64(l)
		}
	}
}
func (d *delayedResponse) Correct(o []float64, l tasks.Label) bool {
	return score(o[d.respFrom():], l)
}
func (d *delayedResponse) CorrectSpiking(out []float64, dt float64, l tasks.Label) bool {
	from := int(float64(d.respFrom())*tasks.StepSeconds/dt + 0.5)
	return score(out[min(from, len(out)):], l)
}

func score(w []float64, l tasks.Label) bool {
	for _, x := range w {
		if float64(l)*x > tasks.Threshold {
			return true
		}
	}
	return false
}

// Example_newTask registers a new task and draws reproducible trials of it.
func Example_newTask() {
	tasks.Register("delayed-response", func(s tasks.Settings) (tasks.Task, error) {
		return &delayedResponse{T: 100, On: 10, Dur: 10, Delay: 30}, nil
	})
	task, err := tasks.New("delayed-response", tasks.Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	stream := tasks.NewStream(task, 42)
	trial := tasks.NewTrial(task, tasks.Rate)
	for i := 0; i < 3; i++ {
		stream.Next(trial)
		fmt.Printf("trial %d: %s, u[0][15] = %+.0f, z[60] = %+.0f\n",
			trial.Index, task.LabelName(trial.Label), trial.U.At(0, 15), trial.Target[60])
	}
	fmt.Println(tasks.Names())
	// Output:
	// trial 0: +1, u[0][15] = +1, z[60] = +1
	// trial 1: +1, u[0][15] = +1, z[60] = +1
	// trial 2: -1, u[0][15] = -1, z[60] = -1
	// [delayed-response go-nogo mante xor]
}

// ExampleNew builds the default go-nogo task and scores an output.
func ExampleNew() {
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	out := make([]float64, task.Steps()-1)
	for i := 80; i < len(out); i++ {
		out[i] = 0.9
	}
	fmt.Println(task.Name(), task.Steps(), task.Correct(out, tasks.Go), task.Correct(out, tasks.NoGo))
	// Output: go-nogo 200 true false
}

// ExampleParseDecl declares a task in YAML, compiles it and draws a trial.
func ExampleParseDecl() {
	src := `
T: 100
params: {on: 10, dur: 10}
inputs: [cue]
label:
  - {name: plus, value: 1, p: 0.5}
  - {name: minus, value: -1, p: 0.5}
events:
  - {input: cue, onset: on, duration: dur, amplitude: label}
target:
  - {from: on + dur + 20, value: label}
score:
  rate: {from: 50, rules: {plus: {rule: max-above, threshold: 0.7}, minus: {rule: min-below, threshold: -0.7}}}
  spiking: {from: 0.25, rules: {plus: {rule: max-above, threshold: 0.7}, minus: {rule: min-below, threshold: -0.7}}}
`
	d, err := tasks.ParseDecl("cue-sign", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	task, err := d.Compile()
	if err != nil {
		fmt.Println(err)
		return
	}
	tr := tasks.NewTrial(task, tasks.Rate)
	tasks.NewStream(task, 1).Trial(0, tr)
	fmt.Println(task.Name(), task.LabelName(tr.Label), tr.U.At(0, 9), tr.U.At(0, 10), tr.Target[40])

	d.Target[0].From = "on + 200"
	_, err = d.Compile()
	fmt.Println(err)
	// Output:
	// cue-sign plus 0 1 1
	// target[0].from: the target window starts at 210, outside T: want a step in [0, T-1=99)
}
