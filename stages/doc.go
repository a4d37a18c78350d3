// Package stages holds the pipeline kinds that carry the science of
// spikernn through a pipeline (package pipeline): each file registers one
// kind, in the order ports, settings, spec with Register in init,
// constructor, stage type. Importing the package for its side effects
// makes the kinds available, as cmd/runpipe does:
//
//	import _ "github.com/spikernn/spikernn/stages"
//
// The kinds are thin adapters over the science packages (rate, spiking,
// tasks) and the writers (sinks, report):
//
//	task           → task (TaskSpec)
//	task-trials    → task, out (stream of *tasks.Trial)
//	train-rate     trials, task → model (*rate.Model), training (*TrainingRecord)
//	export-mat     model → model; writes model.mat
//	load-mat       → model, from a .mat file (File setting: its content is in the cache key)
//	lambda-search  model, task → best (float64), search (*LambdaSearch); writes lambda.parquet, model_lambda.mat
//	lif-convert    model, lambda, task → spikes, rates, outputs, trials, neurons (streams)
//	evaluate       trials, task, model → evaluation (*Evaluation), rows (trials table)
//	parquet        rows (any sinks.Table) → a Parquet file
//	arrow          rows (any sinks.Table) → an Arrow IPC stream file
//	summary        model, task, training?, search?, evaluation? → summary (*report.Summary); writes summary.json
//	plot           summary, model, task, training?, search?, evaluation? → plots/*.png, report.md, report.html
//
// (? marks an optional input.) `runpipe stages` prints every kind's ports,
// settings, defaults and documentation from its spec.
//
// # Items
//
// Value items are cached, so a stage that is up to date serves them to the
// stages below it: a *rate.Model as a model file in the reference layout
// (rate.Model.Save and rate.Load), the other items (TaskSpec,
// TrainingRecord, LambdaSearch, Evaluation, report.Summary) as JSON. Stream
// items are batches: one trial's spikes, rates or outputs per batch, so
// that memory stays flat in the number of trials.
//
// # Reproducibility
//
// Every random draw comes from a stream derived from a run seed and the
// coordinates of the work (package rng): training trial i from (seed, i),
// the λ search's trial j at factor λ from (seed, λ, j), conversion trial i
// from (seed, i). Results do not depend on the number of workers, which is
// nevertheless a setting (and so part of the cache key).
//
// # Output files
//
// Files meant for users are written into <workspace>/<pipeline>/ through
// the job's CreateOutput, so they replace earlier versions only when the
// stage commits. Parquet files carry the stage's provenance in their
// key/value metadata (pipeline, stage, kind, cache_key, program_version,
// params, settings) and every pipeline parameter as param.NAME.
package stages
