// Command runpipe runs the pipelines declared in a pipelines.yaml file.
//
// Usage:
//
//	runpipe run    [-f FILE] [--pipeline NAME] [--set name=value]… [--only S] [--from S] [--until S]
//	               [--force] [--dry-run] [--wait DURATION] [--progress auto|bar|plain|none] [-v] [--jobs J]
//	               [--shard I/N] [--keep-going=false] [--max-points M] [--no-aggregate]   (a sweep)
//	runpipe status    [-f FILE] [--pipeline NAME] [--set name=value]… [--max-points M] [--json]
//	runpipe aggregate [-f FILE] [--pipeline NAME] [--set name=value]… [--max-points M]
//	runpipe submit [-f FILE] [--pipeline NAME] [--set name=value]… [--executor slurm] [--shards N]
//	               [--partition P] [--time T] [--cpus-per-task C] [--mem M] [--account A] [--max-points M] [--dry-run]
//	runpipe lint   [-f FILE]
//	runpipe stages [KIND…]
//	runpipe graph  [-f FILE] [--pipeline NAME] [--set name=value]… [--format mermaid|dot]
//	runpipe why    [-f FILE] [--pipeline NAME] [--set name=value]… [selection flags] STAGE
//	runpipe help   [COMMAND]
//
// run lints the file, plans the selected pipeline (every stage that is not
// up to date runs, with the reason printed) and runs it: all stages at once,
// connected by typed channels; the first error stops the run. Progress shows
// as bars on a terminal and as periodic lines otherwise; at the end runpipe
// prints each stage's status, time and headline figures, and where the
// output files are. --only, --from and --until take stage names, several
// separated by commas or given by repeating the flag. --dry-run prints the
// plan and exits. Only one run at a time uses a workspace: a second one
// fails at once, or waits up to --wait.
//
// On a sweep (a pipeline with a sweep: block, package sweep) run runs every
// point that is not up to date, each a run of the pipeline in its own
// directory <workspace>/<pipeline>/<point>/ under its own lock, --jobs at
// once (default: every core) under one budget of core slots that the
// parallel trials inside the points share; --shard I/N runs the points
// whose index in name order is I-1 modulo N. A failed point is named and
// recorded in its FAILED file and the others run (exit code 1 at the end;
// --keep-going=false starts no point after a failure). Then run writes the
// aggregates unless --no-aggregate, or unless nothing changed since they
// were written. status counts the points done, running, failed and pending
// from the workspace alone; aggregate writes sweep.parquet,
// sweep_lambda.parquet, the figures and sweep_report.html from the finished
// points. A matrix of more than 1000 points is refused unless --max-points
// is raised.
//
// submit writes an sbatch script that runs the pipeline on a Slurm
// cluster as one job, or, for a sweep, a job array whose task I of N runs
// run --shard I/N --no-aggregate (N from --shards, default one task per
// point up to 32) and an aggregation job that runs aggregate once every
// task has ended (afterany); it copies the running binary into the
// workspace (which the nodes must share), submits with sbatch and prints
// the job ids and their logs; --dry-run prints the scripts instead. Slurm
// settings not given as flags come from the file's slurm: blocks (see
// package slurm).
//
// The file is pipelines.yaml in the current directory unless -f names
// another. Exit codes: 0 success, 1 the run failed, 2 usage or lint error,
// 130 interrupted (Ctrl-C or SIGTERM; stages that had not finished leave no
// output behind, and a resumable stage continues where it stopped on the
// next run).
package main
