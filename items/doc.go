// Package items holds what travels between spikernn's pipeline kinds and
// what several kinds share: the item types of their ports, the codecs that
// cache them, and the helpers for the files the kinds write. The kinds
// themselves are in three packages, by where they stand in the flow of
// items (pipeline.Group):
//
//	sources      task, task-trials, load-mat: where items enter
//	stages       train-rate, lambda-search, lif-convert, evaluate: what transforms them
//	sinks/kinds  export-mat, parquet, arrow, summary, plot: what writes them out
//
// Each imports items and none imports another, so the flow of items shows in
// the imports: cmd/runpipe → {sources, stages, sinks/kinds} → items → the
// science packages (rate, spiking, tasks, report) and the table writers
// (sinks).
//
// # Item types
//
//	TaskSpec          a task's name and timing: every `task` port (Task rebuilds the task; ReceiveTask receives and rebuilds it)
//	ModelAssumptions  what load-mat assumed about its model file (one rate.Note a line)
//	Stimuli           stimulus-file's stimuli (a Stimulus each: rows, label), which lif-convert simulates
//	TrainingRecord    train-rate's training history
//	LambdaSearch      lambda-search's accuracy at every factor
//	ConvertedTrial    one LIF trial of lif-convert's `trials` stream, read by evaluate
//	Evaluation        evaluate's statistics (ConditionEval per condition, ExampleTrial per condition)
//
// Models travel as *rate.Model, the summary as *report.Summary, and the
// stream batches of the tables (spikes, rates, outputs, trials, neurons,
// lambda) as the batch types of package sinks (sinks.SpikeRows, …), which
// the table writers take as they are.
//
// # Caching
//
// Value items are cached, so a stage that is up to date serves them to the
// stages below it: a *rate.Model as a model file in the reference layout
// (rate.Model.Save and rate.Load), the other items (TaskSpec,
// ModelAssumptions, Stimuli, TrainingRecord, LambdaSearch, Evaluation,
// report.Summary) as JSON. The codecs register when the package is
// imported. Stream items are not cached.
//
// # Output files
//
// Files meant for users are written into <workspace>/<pipeline>/ through
// the job's CreateOutput (OutputPath), so they replace earlier versions
// only when the stage commits. Their metadata (FileMetadata) holds the
// stage's provenance (pipeline, stage, kind, cache_key, program_version,
// params, settings) and every pipeline parameter as param.NAME; WriteTable
// writes one table batch as a Parquet file with it. UpstreamManifests and
// ProgramVersion give the summary and the report what they show of the
// run.
package items
