// Package sources holds the pipeline kinds where items enter a spikernn
// pipeline (pipeline.SourceGroup): they generate items or read them from
// files. Each file registers one kind, in the order ports, settings, spec
// with Register in init, constructor, stage type (stimulus_read.go holds
// the readers of stimulus-file's formats):
//
//	task           → task (items.TaskSpec)
//	task-trials    → task, out (stream of *tasks.Trial)
//	load-mat       → model (*rate.Model), assumptions (*items.ModelAssumptions), from a model file in any
//	                 layout the references write (File setting: its content is in the cache key)
//	stimulus-file  → stimuli (*items.Stimuli), from a .mat, CSV or Parquet file, for lif-convert
//
// The package also registers the file-level tasks: block (task_block.go,
// [TasksBlock]): tasks declared in YAML (tasks.Decl), inline or in a task
// file, which lint checks with file:line:col and the task and task-trials
// kinds accept by name.
//
// The item types are those of package items; the kinds that transform
// them are in package stages, those that write them out in sinks/kinds.
// Importing the package for its side effects makes the kinds available,
// as cmd/runpipe does:
//
//	import _ "github.com/spikernn/spikernn/sources"
//
// `runpipe stages` prints every kind's ports, settings, defaults and
// documentation from its spec.
//
// # Reproducibility
//
// Trial i of task-trials is trial i of tasks.NewStream(task, seed): its
// condition and noise seed come from the random stream (seed, i), the same
// whatever came before it.
package sources
