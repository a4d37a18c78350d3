// Package stages holds the pipeline kinds that transform items in a
// spikernn pipeline (pipeline.StageGroup): they carry the science, as thin
// adapters over the science packages (rate, spiking, tasks). Each file
// registers one kind, in the order ports, settings, spec with Register in
// init, constructor, stage type:
//
//	train-rate     trials, task → model (*rate.Model), training (*items.TrainingRecord)
//	lambda-search  model, task → best (float64), search (*items.LambdaSearch); writes lambda.parquet, model_lambda.mat
//	lif-convert    model, lambda, task and/or stimuli → spikes, rates, outputs, trials, neurons (streams)
//	evaluate       trials, task, model → evaluation (*items.Evaluation), rows (trials table)
//
// The items enter through the kinds of package sources and leave through
// those of sinks/kinds; the item types are those of package items, the
// table batches those of package sinks. Importing the package for its
// side effects makes the kinds available, as cmd/runpipe does:
//
//	import _ "github.com/spikernn/spikernn/stages"
//
// `runpipe stages` prints every kind's ports, settings, defaults and
// documentation from its spec.
//
// # Reproducibility
//
// Every random draw comes from a stream derived from a run seed and the
// coordinates of the work (package rng): training trial i from (seed, i),
// the λ search's trial j at factor λ from (seed, λ, j), conversion trial i
// from (seed, i), whether it draws a task's trial or simulates stimulus
// i mod K of a stimulus file (the noise seed is the task stream's for trial
// i, so a file holding a task's trials converts as they do). Results do not depend on the number of workers, which is
// nevertheless a setting (and so part of the cache key).
//
// # Streams
//
// Stream items are batches: one trial's spikes, rates or outputs per
// batch, so that memory stays flat in the number of trials.
package stages
