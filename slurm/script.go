package slurm

import (
	"fmt"
	"path/filepath"
	"strings"
)

// A Job is a sweep to submit: which pipeline of which file, run by which
// runpipe binary, with which Slurm options, and where its scripts and logs
// go. Every path must be absolute and on the filesystem the nodes share.
type Job struct {
	// File is the pipeline file (absolute path); the jobs start in its
	// directory, so that the file's relative paths mean what they mean on
	// the login node.
	File string
	// Pipeline is the pipeline's name.
	Pipeline string
	// Set are the --set overrides, each "name=value", passed on to every
	// runpipe the jobs run.
	Set []string
	// MaxPoints, when above 0, is passed on to every runpipe the jobs run
	// as --max-points: the limit on the sweep's points it was submitted
	// with.
	MaxPoints int
	// Executable is the runpipe binary the jobs run (see
	// InstallExecutable).
	Executable string
	// Dir is where the scripts are written, with the logs in Dir/logs:
	// <workspace>/<pipeline>/slurm by convention (see DirFor).
	Dir string
	// Options are the Slurm settings; Options.Shards must be set unless
	// Single.
	Options Options
	// Single says the pipeline is not a sweep: one job runs it whole
	// (RunScript), with the resources of Options and no aggregation.
	Single bool
}

// DirFor returns the directory of a pipeline's scripts and logs, beside
// its points: <pipelineDir>/slurm.
func DirFor(pipelineDir string) string { return filepath.Join(pipelineDir, "slurm") }

// Names of the files a submission writes in Job.Dir.
const (
	ShardsScript    = "shards.sbatch"
	AggregateScript = "aggregate.sbatch"
	RunScript       = "run.sbatch"
	LogsDir         = "logs"
)

// ShardLog returns the log file of array task task of job id (as Slurm's
// %A_%a names it).
func (j *Job) ShardLog(id string, task int) string {
	return filepath.Join(j.Dir, LogsDir, fmt.Sprintf("shard-%s_%d.out", id, task))
}

// RunLog returns the log file of the job id of a Single job.
func (j *Job) RunLog(id string) string {
	return filepath.Join(j.Dir, LogsDir, "run-"+id+".out")
}

// AggregateLog returns the log file of the aggregation job id.
func (j *Job) AggregateLog(id string) string {
	return filepath.Join(j.Dir, LogsDir, "aggregate-"+id+".out")
}

func (j *Job) check() error {
	for _, p := range []struct{ name, path string }{{"file", j.File}, {"executable", j.Executable}, {"dir", j.Dir}} {
		if !filepath.IsAbs(p.path) {
			return fmt.Errorf("slurm: job %s %q is not an absolute path", p.name, p.path)
		}
		if strings.ContainsAny(p.path, " \t\n\r%'\"") {
			// sbatch expands % in --output, and #SBATCH lines hold no
			// quoting that every Slurm version reads alike.
			return fmt.Errorf("slurm: job %s %q: a path with a space, quote or %% cannot be used in an sbatch script", p.name, p.path)
		}
	}
	if j.Pipeline == "" {
		return fmt.Errorf("slurm: job without a pipeline")
	}
	if j.MaxPoints < 0 {
		return fmt.Errorf("slurm: job with max points %d", j.MaxPoints)
	}
	if j.Options.Shards < 1 && !j.Single {
		return fmt.Errorf("slurm: job with %d shards", j.Options.Shards)
	}
	if err := j.Options.Check(); err != nil {
		return fmt.Errorf("slurm: %w", err)
	}
	return nil
}

// ShardsScript returns the sbatch script of the job array: array task I of
// N runs the points of shard I/N, without aggregating.
func (j *Job) ShardsScript() (string, error) {
	if err := j.check(); err != nil {
		return "", err
	}
	if j.Single {
		return "", fmt.Errorf("slurm: pipeline %s is not a sweep: it has no shards", j.Pipeline)
	}
	o := j.Options
	var b strings.Builder
	n := o.Shards
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by runpipe submit: the sweep of pipeline %s in %d shards.\n", j.Pipeline, n)
	fmt.Fprintf(&b, "# Array task I runs the points of shard I/%d one after another; each point\n", n)
	fmt.Fprintf(&b, "# keeps its own lock and cache, so the tasks share the workspace and a\n")
	fmt.Fprintf(&b, "# resubmission runs only the points that have not finished.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", jobName(j.Pipeline))
	fmt.Fprintf(&b, "#SBATCH --array=1-%d\n", n)
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(j.Dir, LogsDir, "shard-%A_%a.out"))
	fmt.Fprintf(&b, "#SBATCH --open-mode=append\n")
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", filepath.Dir(j.File))
	o.sbatchLines(&b, true)
	fmt.Fprintf(&b, "set -eu\n")
	fmt.Fprintf(&b, "# Use the cores Slurm allocated, not every core of the node.\n")
	fmt.Fprintf(&b, "export GOMAXPROCS=\"${SLURM_CPUS_PER_TASK:-1}\"\n")
	fmt.Fprintf(&b, "echo \"runpipe: shard ${SLURM_ARRAY_TASK_ID}/%d of %s on $(hostname) at $(date -u +%%FT%%TZ)\"\n", n, j.Pipeline)
	args := j.runpipe("run")
	// --jobs: as many points at once as the task has cores, not one per
	// core of the node.
	args = append(args, `--shard "${SLURM_ARRAY_TASK_ID}/`+fmt.Sprint(n)+`"`, `--jobs "${GOMAXPROCS}"`, "--no-aggregate", "--progress", "plain")
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	return b.String(), nil
}

// RunScript returns the sbatch script of a Single job: runpipe run of the
// whole pipeline.
func (j *Job) RunScript() (string, error) {
	if err := j.check(); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by runpipe submit: runs pipeline %s (only the stages that are not\n", j.Pipeline)
	fmt.Fprintf(&b, "# up to date, as runpipe run does).\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s\n", jobName(j.Pipeline))
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(j.Dir, LogsDir, "run-%j.out"))
	fmt.Fprintf(&b, "#SBATCH --open-mode=append\n")
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", filepath.Dir(j.File))
	j.Options.sbatchLines(&b, true)
	fmt.Fprintf(&b, "set -eu\n")
	fmt.Fprintf(&b, "# Use the cores Slurm allocated, not every core of the node.\n")
	fmt.Fprintf(&b, "export GOMAXPROCS=\"${SLURM_CPUS_PER_TASK:-1}\"\n")
	fmt.Fprintf(&b, "echo \"runpipe: %s on $(hostname) at $(date -u +%%FT%%TZ)\"\n", j.Pipeline)
	args := append(j.runpipe("run"), "--progress", "plain")
	fmt.Fprintf(&b, "exec %s\n", strings.Join(args, " "))
	return b.String(), nil
}

// AggregateScript returns the sbatch script of the aggregation job, which
// is submitted to start after every array task has ended
// (--dependency=afterany:<array job id>, given to sbatch on its command
// line since the id is known only then).
func (j *Job) AggregateScript() (string, error) {
	if err := j.check(); err != nil {
		return "", err
	}
	if j.Single {
		return "", fmt.Errorf("slurm: pipeline %s is not a sweep: there is nothing to aggregate", j.Pipeline)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#!/bin/bash\n")
	fmt.Fprintf(&b, "# Written by runpipe submit: aggregates the sweep of pipeline %s once every\n", j.Pipeline)
	fmt.Fprintf(&b, "# array task has ended (whether it finished, failed or was killed), from the\n")
	fmt.Fprintf(&b, "# points that finished, and names the points that failed or did not finish;\n")
	fmt.Fprintf(&b, "# runpipe status lists them too, and submitting again runs only those.\n")
	fmt.Fprintf(&b, "#SBATCH --job-name=%s-aggregate\n", jobName(j.Pipeline))
	fmt.Fprintf(&b, "#SBATCH --output=%s\n", filepath.Join(j.Dir, LogsDir, "aggregate-%j.out"))
	fmt.Fprintf(&b, "#SBATCH --open-mode=append\n")
	fmt.Fprintf(&b, "#SBATCH --chdir=%s\n", filepath.Dir(j.File))
	j.Options.sbatchLines(&b, false)
	fmt.Fprintf(&b, "set -eu\n")
	fmt.Fprintf(&b, "export GOMAXPROCS=\"${SLURM_CPUS_PER_TASK:-1}\"\n")
	fmt.Fprintf(&b, "exec %s\n", strings.Join(j.runpipe("aggregate"), " "))
	return b.String(), nil
}

// sbatchLines writes the #SBATCH lines of the options that are set; the
// aggregation job (shard false) takes the partition, account and time
// limit, not the resources of a shard.
func (o Options) sbatchLines(b *strings.Builder, shard bool) {
	if o.Partition != "" {
		fmt.Fprintf(b, "#SBATCH --partition=%s\n", o.Partition)
	}
	if o.Account != "" {
		fmt.Fprintf(b, "#SBATCH --account=%s\n", o.Account)
	}
	if o.Time != "" {
		fmt.Fprintf(b, "#SBATCH --time=%s\n", o.Time)
	}
	if !shard {
		return
	}
	if o.CPUsPerTask != 0 {
		fmt.Fprintf(b, "#SBATCH --cpus-per-task=%d\n", o.CPUsPerTask)
	}
	if o.Mem != "" {
		fmt.Fprintf(b, "#SBATCH --mem=%s\n", o.Mem)
	}
}

// runpipe returns the command line of runpipe cmd on the job's file and
// pipeline, quoted for the shell.
func (j *Job) runpipe(cmd string) []string {
	args := []string{shellQuote(j.Executable), cmd, "-f", shellQuote(j.File), "--pipeline", shellQuote(j.Pipeline)}
	for _, s := range j.Set {
		args = append(args, "--set", shellQuote(s))
	}
	if j.MaxPoints > 0 && !j.Single {
		args = append(args, "--max-points", fmt.Sprint(j.MaxPoints))
	}
	return args
}

// jobName is the Slurm job name of a pipeline's jobs.
func jobName(pipeline string) string { return "runpipe-" + pipeline }

// shellQuote quotes s for a POSIX shell when it holds anything but
// letters, digits and -_./=,:+@.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
