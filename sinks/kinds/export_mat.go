package kinds

import (
	"context"
	"fmt"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
)

var (
	exportIn  = pipeline.ValueInput[*rate.Model]("model", "the model to write")
	exportOut = pipeline.ValueOutput[*rate.Model]("model", "the same model, unchanged")
)

type exportSettings struct {
	Path string `pipeline:"path"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "export-mat",
		Group:   pipeline.SinkGroup,
		Summary: "writes a rate model to a MATLAB .mat file in the reference layout (SPEC §3)",
		Description: "Writes the model into the pipeline directory as a MATLAB level 5 file that\n" +
			"scipy.io.loadmat, MATLAB and the reference implementations read (relu(w) under\n" +
			"Dale's principle, as the TensorFlow original exported it), and passes the model on\n" +
			"unchanged.",
		Inputs:   []pipeline.Port{exportIn},
		Outputs:  []pipeline.Port{exportOut},
		Settings: []pipeline.Setting{{Name: "path", Type: pipeline.Output, Default: "model.mat", Doc: "output file, relative to the pipeline directory"}},
		Examples: []pipeline.Example{{Title: "export a trained model", YAML: `
version: 1
pipelines:
  p:
    stages:
      trials: {kind: task-trials, with: {task: go-nogo}}
      train:  {kind: train-rate, in: {trials: trials.out, task: trials.task}}
      export: {kind: export-mat, in: {model: train.model}, with: {path: model.mat}}
`}},
	}, func(s exportSettings) (pipeline.Stage, error) { return &exportMat{s}, nil })
}

type exportMat struct{ s exportSettings }

func (e *exportMat) Run(ctx context.Context, job *pipeline.Job) error {
	m, err := exportIn.Receive(ctx, job)
	if err != nil {
		return err
	}
	path, err := items.OutputPath(job, e.s.Path)
	if err != nil {
		return err
	}
	if err := m.Save(path); err != nil {
		return fmt.Errorf("write %s: %w", e.s.Path, err)
	}
	job.Headline("N", m.N)
	return exportOut.Send(ctx, job, m)
}
