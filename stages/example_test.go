package stages_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/spikernn/spikernn/pipeline"
)

// Example converts the reference's trained go-nogo model: a λ search over
// three factors, a conversion at the best one and its evaluation, run
// twice; the second run finds everything up to date.
func Example() {
	model, err := filepath.Abs("../testdata/models/gonogo_ref1.mat")
	if err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "stages-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "pipelines.yaml")
	err = os.WriteFile(file, []byte(`
version: 1
pipelines:
  convert:
    params: {model: `+model+`}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [25, 30, 35], trials: 10}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}, with: {trials: 10}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      spikes:  {kind: parquet, in: {rows: convert.spikes}, with: {path: spikes.parquet}}
`), 0o644)
	if err != nil {
		log.Fatal(err)
	}
	for range 2 {
		cfg, err := pipeline.ParseFile(file)
		if err != nil {
			log.Fatal(err)
		}
		g, err := pipeline.Default().Compile(cfg, pipeline.CompileOptions{})
		if err != nil {
			log.Fatal(err)
		}
		lock, err := pipeline.LockWorkspace(context.Background(), g.Workspace, 0)
		if err != nil {
			log.Fatal(err)
		}
		plan, err := g.Plan(pipeline.Selection{})
		if err != nil {
			log.Fatal(err)
		}
		res, err := plan.Execute(context.Background(), pipeline.ExecOptions{})
		lock.Unlock()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("ran %d stages\n", len(plan.Runs()))
		for _, s := range res.Stages {
			h := s.Headline()
			switch s.Stage {
			case "lambda":
				fmt.Printf("best λ %v\n", h["best_lambda"])
			case "eval":
				fmt.Printf("LIF accuracy %v\n", h["lif_accuracy"])
			}
		}
	}
	// Output:
	// ran 6 stages
	// best λ 30
	// LIF accuracy 0.8
	// ran 0 stages
	// best λ 30
	// LIF accuracy 0.8
}
