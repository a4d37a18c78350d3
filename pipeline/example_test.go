package pipeline_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/spikernn/spikernn/pipeline"
)

// Ports are package variables: the spec lists them, and Run uses them to
// reach the stage's typed channels.
var (
	repeatX    = pipeline.ValueInput[float64]("x", "the value to repeat")
	repeatRows = pipeline.StreamOutput[[]float64]("rows", "the copies, in batches")
)

// repeatSettings is the kind's typed settings struct: one field per setting
// of the spec, bound by its `pipeline` tag.
type repeatSettings struct {
	N     int `pipeline:"n"`
	Batch int `pipeline:"batch"`
}

// Run receives the Value input once and streams batches of copies.
func (s repeatSettings) Run(ctx context.Context, job *pipeline.Job) error {
	x, err := repeatX.Receive(ctx, job)
	if err != nil {
		return err
	}
	rows := repeatRows.Writer(job)
	job.Progress().Total(int64(s.N), "copies")
	for done := 0; done < s.N; done += s.Batch {
		batch := make([]float64, min(s.Batch, s.N-done))
		for i := range batch {
			batch[i] = x
		}
		if err := rows.Send(ctx, batch); err != nil {
			return err
		}
		job.Progress().Add(int64(len(batch)))
	}
	job.Headline("copies", s.N)
	return nil
}

func registerRepeat(env *pipeline.Environment) {
	pipeline.RegisterIn(env, pipeline.Spec{
		Name:    "repeat",
		Group:   pipeline.StageGroup,
		Summary: "repeats a value n times, in batches",
		Inputs:  []pipeline.Port{repeatX},
		Outputs: []pipeline.Port{repeatRows},
		Settings: []pipeline.Setting{
			{Name: "n", Type: pipeline.Int, Required: true, Range: pipeline.AtLeast(0), Doc: "number of copies"},
			{Name: "batch", Type: pipeline.Int, Default: 4, Range: pipeline.AtLeast(1), Doc: "copies per batch"},
		},
	}, func(s repeatSettings) (pipeline.Stage, error) { return s, nil })
}

// Two small kinds to feed and drain it.
var (
	constOut = pipeline.ValueOutput[float64]("value", "the value")
	countIn  = pipeline.StreamInput[[]float64]("rows", "batches to count")
)

func registerHelpers(env *pipeline.Environment) {
	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "constant", Group: pipeline.SourceGroup, Summary: "outputs a constant",
		Outputs:  []pipeline.Port{constOut},
		Settings: []pipeline.Setting{{Name: "value", Type: pipeline.Float, Required: true, Doc: "the constant"}},
	}, func(s struct {
		Value float64 `pipeline:"value"`
	}) (pipeline.Stage, error) {
		return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
			return constOut.Send(ctx, job, s.Value)
		}), nil
	})
	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "count", Group: pipeline.SinkGroup, Summary: "counts rows and batches",
		Inputs: []pipeline.Port{countIn},
	}, func(struct{}) (pipeline.Stage, error) {
		return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
			r := countIn.Reader(job)
			batches, rows, sum := 0, 0, 0.0
			for {
				b, err := r.Recv(ctx)
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				batches++
				rows += len(b)
				for _, v := range b {
					sum += v
				}
			}
			job.Headline("rows", rows)
			fmt.Printf("counted %d rows in %d batches, sum %g\n", rows, batches, sum)
			return nil
		}), nil
	})
}

// Example shows a kind with a Value input, a Stream output and typed
// settings, and a pipeline run twice: the second run finds everything up to
// date.
func Example() {
	env := pipeline.NewEnvironment() // or pipeline.Register into the default one
	registerRepeat(env)
	registerHelpers(env)

	dir, err := os.MkdirTemp("", "pipeline-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "pipelines.yaml")
	os.WriteFile(file, []byte(`
version: 1
workspace: runs
pipelines:
  demo:
    params: {n: 10}
    stages:
      x:      {kind: constant, with: {value: 1.5}}
      copies: {kind: repeat, in: {x: x.value}, with: {n: ${n}, batch: 4}}
      count:  {kind: count, in: {rows: copies.rows}, buffer: {rows: 2}}
`), 0o644)

	for run := 1; run <= 2; run++ {
		cfg, err := pipeline.ParseFile(file)
		if err != nil {
			log.Fatal(err)
		}
		g, err := env.Compile(cfg, pipeline.CompileOptions{})
		if err != nil {
			log.Fatal(err) // lint errors, as file:line:col: message
		}
		lock, err := pipeline.LockWorkspace(context.Background(), g.Workspace, 0)
		if err != nil {
			log.Fatal(err)
		}
		plan, err := g.Plan(pipeline.Selection{})
		if err != nil {
			log.Fatal(err)
		}
		for _, st := range plan.Steps {
			fmt.Printf("run %d: %s %s (%s)\n", run, st.Action, st.Node.Name, st.Reason)
		}
		res, err := plan.Execute(context.Background(), pipeline.ExecOptions{})
		lock.Unlock()
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range res.Stages {
			if h := r.Headline(); h != nil {
				fmt.Printf("run %d: %s headline %v\n", run, r.Stage, h)
			}
		}
	}
	// Output:
	// run 1: run x (no manifest)
	// run 1: run copies (no manifest)
	// run 1: run count (no manifest)
	// counted 10 rows in 3 batches, sum 15
	// run 1: copies headline map[copies:10]
	// run 1: count headline map[rows:10]
	// run 2: skip x (up to date)
	// run 2: skip copies (up to date)
	// run 2: skip count (up to date)
	// run 2: copies headline map[copies:10]
	// run 2: count headline map[rows:10]
}
