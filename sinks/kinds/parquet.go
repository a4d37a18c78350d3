package kinds

import (
	"context"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
)

var parquetRows = pipeline.StreamInput[sinks.Table]("rows", "batches of one table (spikes, rates, outputs, trials, neurons, lambda)")

// DefaultRowGroupRows is the parquet kind's default row group size: a
// quarter of the sinks package's default, which keeps a writer's heap
// small while the files stay nearly as compact (see sinks' doc).
const DefaultRowGroupRows = 1 << 18

type parquetSettings struct {
	Path         string `pipeline:"path"`
	RowGroupRows int    `pipeline:"row_group_rows"`
	Compression  string `pipeline:"compression"`
	Level        int    `pipeline:"compression_level"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "parquet",
		Group:   pipeline.SinkGroup,
		Summary: "writes a stream of table batches to a Parquet file in the pipeline directory",
		Description: "Writes every batch it reads (any table of the sinks package: spikes, rates,\n" +
			"outputs, trials, neurons, lambda; all batches of one table) to a Parquet file,\n" +
			"row group by row group, so memory does not grow with the rows. The file's\n" +
			"key/value metadata (DuckDB: parquet_kv_metadata) holds the stage's provenance:\n" +
			"pipeline, stage, kind, cache_key, program_version, params and settings as JSON,\n" +
			"and every pipeline parameter as param.NAME. The file replaces an earlier one\n" +
			"only when the stage commits. Headline: rows.",
		Inputs: []pipeline.Port{parquetRows},
		Settings: []pipeline.Setting{
			{Name: "path", Type: pipeline.Output, Required: true, Doc: "output file, relative to the pipeline directory", Example: "spikes.parquet"},
			{Name: "row_group_rows", Type: pipeline.Int, Default: DefaultRowGroupRows, Range: pipeline.AtLeast(1), Doc: "rows per row group (bounds the writer's memory)"},
			{Name: "compression", Type: pipeline.String, Default: "zstd", OneOf: []any{"zstd", "snappy", "gzip", "none"}, Doc: "column compression"},
			{Name: "compression_level", Type: pipeline.Int, Default: 0, Doc: "codec level (0: the codec's default; zstd 3)"},
		},
		Examples: []pipeline.Example{{Title: "spikes and rates of a conversion to Parquet", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}}
      spikes:  {kind: parquet, in: {rows: convert.spikes}, with: {path: spikes.parquet}}
      rates:   {kind: parquet, in: {rows: convert.rates}, with: {path: rates.parquet, row_group_rows: 131072}}
`}},
	}, func(s parquetSettings) (pipeline.Stage, error) { return &parquetSink{s}, nil })
}

type parquetSink struct{ s parquetSettings }

func (p *parquetSink) Run(ctx context.Context, job *pipeline.Job) error {
	opts := &sinks.ParquetOptions{RowGroupRows: int64(p.s.RowGroupRows), Compression: p.s.Compression, CompressionLevel: p.s.Level}
	return writeTables(ctx, job, parquetRows.Reader(job), p.s.Path, func(path string, t sinks.Table, meta map[string]string) (tableWriter, error) {
		return sinks.CreateParquet(path, t.Schema(), meta, opts)
	})
}
