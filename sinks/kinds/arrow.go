package kinds

import (
	"context"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
)

var arrowRows = pipeline.StreamInput[sinks.Table]("rows", "batches of one table (spikes, rates, outputs, trials, neurons, lambda)")

type arrowSettings struct {
	Path        string `pipeline:"path"`
	Compression string `pipeline:"compression"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "arrow",
		Group:   pipeline.SinkGroup,
		Summary: "writes a stream of table batches to an Arrow IPC stream file in the pipeline directory",
		Description: "Writes one Arrow record batch per batch read, in the Arrow IPC stream format\n" +
			"(pyarrow.ipc.open_stream), flushed after every batch; the schema's metadata holds\n" +
			"the stage's provenance as for the parquet kind. The file is written under a\n" +
			"temporary name and appears under its name when the stage commits. Headline: rows.",
		Inputs: []pipeline.Port{arrowRows},
		Settings: []pipeline.Setting{
			{Name: "path", Type: pipeline.Output, Required: true, Doc: "output file, relative to the pipeline directory", Example: "spikes.arrows"},
			{Name: "compression", Type: pipeline.String, Default: "none", OneOf: []any{"none", "zstd", "lz4"}, Doc: "record batch body compression (none is what every reader accepts)"},
		},
		Examples: []pipeline.Example{{Title: "spikes of a conversion as an Arrow stream", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [30]}}
      stream:  {kind: arrow, in: {rows: convert.spikes}, with: {path: spikes.arrows}}
`}},
	}, func(s arrowSettings) (pipeline.Stage, error) { return &arrowSink{s}, nil })
}

type arrowSink struct{ s arrowSettings }

func (a *arrowSink) Run(ctx context.Context, job *pipeline.Job) error {
	opts := &sinks.ArrowOptions{Compression: a.s.Compression}
	return writeTables(ctx, job, arrowRows.Reader(job), a.s.Path, func(path string, t sinks.Table, meta map[string]string) (tableWriter, error) {
		return sinks.CreateArrowStream(path, t.Schema(), meta, opts)
	})
}
