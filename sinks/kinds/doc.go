// Package kinds holds the pipeline kinds that write items out of a
// spikernn pipeline (pipeline.SinkGroup): the model file, the tables, the
// summary, the figures and the report. Each file registers one kind, in
// the order ports, settings, spec with Register in init, constructor,
// stage type:
//
//	export-mat  model → model (the same); writes model.mat
//	parquet     rows (any sinks.Table) → a Parquet file
//	arrow       rows (any sinks.Table) → an Arrow IPC stream file
//	summary     model, task, training?, search?, evaluation? → summary (*report.Summary); writes summary.json
//	plot        summary, model, task, training?, search?, evaluation? → plots/*.png, report.md, report.html
//
// (? marks an optional input.) parquet and arrow share the loop that
// writes a stream of table batches to one file (tablesink.go). The tables
// are written by the writer library of package sinks, the figures and the
// report by package report; the item types are those of package items.
//
// The kinds are a package of their own, beside the writer library rather
// than in it, so that the kinds of package stages, which send the
// library's table batches, do not import the sink kinds with them.
// Importing the package for its side effects makes the kinds available,
// as cmd/runpipe does:
//
//	import _ "github.com/spikernn/spikernn/sinks/kinds"
//
// `runpipe stages` prints every kind's ports, settings, defaults and
// documentation from its spec.
//
// # Output files
//
// Files meant for users are written into <workspace>/<pipeline>/ through
// the job's CreateOutput (items.OutputPath), so they replace earlier
// versions only when the stage commits. Parquet files carry the stage's
// provenance in their key/value metadata (pipeline, stage, kind,
// cache_key, program_version, params, settings) and every pipeline
// parameter as param.NAME (items.FileMetadata); Arrow streams carry the
// same in their schema's metadata.
package kinds
