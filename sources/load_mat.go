package sources

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
)

var (
	loadOut         = pipeline.ValueOutput[*rate.Model]("model", "the model read from the file")
	loadAssumptions = pipeline.ValueOutput[*items.ModelAssumptions]("assumptions", "what was assumed for the fields the file lacks, one note a line, for the summary")
)

type loadSettings struct {
	Path string `pipeline:"path"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "load-mat",
		Group:   pipeline.SourceGroup,
		Summary: "reads a rate model from a .mat file (ours, the reference's, MATLAB's, Octave's or scipy's)",
		Description: "Reads a model file in any layout the reference ecosystem writes (SPEC §3;\n" +
			"rate.LoadWithNotes): the TensorFlow original's, the PyTorch port's, the seed\n" +
			"README's recipe (no som_N, b_out or activation), MATLAB's and Octave's; any\n" +
			"numeric class, compressed or not. A field the file lacks takes the references'\n" +
			"default (b_out 0, som_N from som_m, activation sigmoid, taus_gaus0 = taus_gaus,\n" +
			"apply_dale when there are inhibitory units, …): each assumption is logged, one\n" +
			"line each, and sent on `assumptions` for summary.json. A field present but of\n" +
			"the wrong shape is an error naming the file, the field and the shape wanted.\n" +
			"The file's content is part of the stage's cache key, so replacing the file\n" +
			"reruns the stages below. Headlines: N, trials (the file's tr + 1), assumed (the\n" +
			"number of assumptions).",
		Outputs: []pipeline.Port{loadOut, loadAssumptions},
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
`}, {Title: "the seed README's model file, with what was assumed in summary.json", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/layouts/seed_readme.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      summary: {kind: summary, in: {model: model.model, task: task.task, assumptions: model.assumptions}}
`}},
	}, func(s loadSettings) (pipeline.Stage, error) { return &loadMat{s}, nil })
}

type loadMat struct{ s loadSettings }

func (l *loadMat) Run(ctx context.Context, job *pipeline.Job) error {
	m, notes, err := rate.LoadWithNotes(l.s.Path)
	if err != nil {
		return err
	}
	as := &items.ModelAssumptions{File: displayPath(job, l.s.Path), Notes: []string{}}
	for _, n := range notes {
		job.Logger().Info("model file: assumed", "field", n.Field, "note", n.Text)
		as.Notes = append(as.Notes, n.String())
	}
	job.Headline("N", m.N)
	if len(m.Losses) > 0 {
		job.Headline("trials", m.Tr+1)
	}
	job.Headline("assumed", len(notes))
	if err := loadOut.Send(ctx, job, m); err != nil {
		return err
	}
	return loadAssumptions.Send(ctx, job, as)
}

// displayPath returns path relative to the pipeline file's directory when
// it is there or below, and as it is otherwise.
func displayPath(job *pipeline.Job, path string) string {
	rel, err := filepath.Rel(job.BaseDir(), path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return filepath.ToSlash(rel)
}
