package sources

import (
	"context"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
)

var loadOut = pipeline.ValueOutput[*rate.Model]("model", "the model read from the file")

type loadSettings struct {
	Path string `pipeline:"path"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "load-mat",
		Group:   pipeline.SourceGroup,
		Summary: "reads a rate model from a .mat file (ours, the reference's, MATLAB's or scipy's)",
		Description: "Reads a model file in the reference layout (SPEC §3): any numeric class,\n" +
			"compressed or not. The file's content is part of the stage's cache key, so\n" +
			"replacing the file reruns the stages below. Headlines: N, trials (the file's tr + 1).",
		Outputs: []pipeline.Port{loadOut},
		Settings: []pipeline.Setting{{Name: "path", Type: pipeline.File, Required: true,
			Doc: "model file, relative to the pipeline file", Example: "testdata/models/gonogo_ref1.mat"}},
		Examples: []pipeline.Example{{Title: "convert a model trained by the reference", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:  {kind: load-mat, with: {path: ${model}}}
      task:   {kind: task, with: {task: go-nogo}}
      lambda: {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [25, 30, 35]}}
`}},
	}, func(s loadSettings) (pipeline.Stage, error) { return &loadMat{s}, nil })
}

type loadMat struct{ s loadSettings }

func (l *loadMat) Run(ctx context.Context, job *pipeline.Job) error {
	m, err := rate.Load(l.s.Path)
	if err != nil {
		return err
	}
	job.Headline("N", m.N)
	if len(m.Losses) > 0 {
		job.Headline("trials", m.Tr+1)
	}
	return loadOut.Send(ctx, job, m)
}
