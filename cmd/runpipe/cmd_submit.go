package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/slurm"
	"github.com/spikernn/spikernn/sweep"
)

func cmdSubmit(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("submit", "--executor slurm [flags]", "Submits a pipeline to a cluster. A sweep's points run as an sbatch job array\n"+
		"whose task I of N runs `runpipe run --shard I/N --no-aggregate` on the shared\n"+
		"workspace, and an aggregation job (`runpipe aggregate`) that starts when every\n"+
		"array task has ended. Prints the job ids and where the logs go; follow the\n"+
		"sweep with `runpipe status`. Submitting again runs only the points that have\n"+
		"not finished. Slurm settings not given here come from the pipeline's slurm:\n"+
		"block in the file, then from the file's; the runpipe binary is copied into the\n"+
		"workspace so that every node runs this build. A pipeline that is not a sweep\n"+
		"runs as one job (runpipe run).", stderr)
	var ff fileFlags
	ff.register(fs, true)
	executor := fs.String("executor", "slurm", "where the points run: `slurm` (the only executor)")
	var o slurm.Options
	fs.IntVar(&o.Shards, "shards", 0, fmt.Sprintf("number of array tasks the points are divided among (default: the slurm block's, else one per point, at most %d)", slurm.DefaultMaxShards))
	fs.StringVar(&o.Partition, "partition", "", "sbatch --partition (`name`)")
	fs.StringVar(&o.Time, "time", "", "time limit of one array task, sbatch --time (`limit`: minutes, HH:MM:SS, D-HH:MM, …)")
	fs.IntVar(&o.CPUsPerTask, "cpus-per-task", 0, "cores of one array task, sbatch --cpus-per-task (`n`; default 1)")
	fs.StringVar(&o.Mem, "mem", "", "memory of one array task, sbatch --mem (`size`, e.g. 4G)")
	fs.StringVar(&o.Account, "account", "", "sbatch --account (`name`)")
	maxPoints := fs.Int("max-points", 0, fmt.Sprintf("refuse a sweep of more than `M` points, passed on to the jobs (default %d)", sweep.DefaultMaxPoints))
	dryRun := fs.Bool("dry-run", false, "print the scripts and the sbatch commands, submit nothing")
	pos, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "runpipe submit: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *executor != "slurm" {
		fmt.Fprintf(stderr, "runpipe submit: --executor %q: the only executor is slurm\n", *executor)
		return exitUsage
	}
	for _, f := range []struct {
		name string
		n    int
	}{{"shards", o.Shards}, {"cpus-per-task", o.CPUsPerTask}, {"max-points", *maxPoints}} {
		if f.n < 0 || (f.n == 0 && flagSet(fs.Visit, f.name)) {
			fmt.Fprintf(stderr, "runpipe submit: --%s %d: want at least 1\n", f.name, f.n)
			return exitUsage
		}
	}
	if err := o.Check(); err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitUsage
	}
	g, code := ff.load(stderr)
	if g == nil {
		return code
	}
	cfg, code := parseFile(ff.file, stderr)
	if cfg == nil {
		return code
	}
	fromFile, err := slurm.ForPipeline(cfg, g.Pipeline)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	o = fromFile.Merge(o)
	sw, err := submitSweep(cfg, g.Pipeline, ff.sets, *maxPoints)
	if err != nil {
		var ds pipeline.Diagnostics
		if errors.As(err, &ds) {
			fmt.Fprintln(stderr, ds)
		} else {
			fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		}
		return exitUsage
	}
	single, points := sw == nil, 0
	var before map[string]int
	if !single {
		points = len(sw.Points)
		before = sweep.Counts(sw.Status())
		if n := before[sweep.StateRunning]; n > 0 {
			fmt.Fprintf(stderr, "runpipe submit: warning: %d of the %d points are running (another run holds their lock: an earlier submission?); the new array tasks will leave them to it, and the aggregation job may start before they finish. runpipe status lists them; scancel the earlier jobs first, or submit again once they have ended\n", n, points)
		}
	}
	switch {
	case single && (flagSet(fs.Visit, "shards") || flagSet(fs.Visit, "max-points")):
		f := "--shards"
		if !flagSet(fs.Visit, "shards") {
			f = "--max-points"
		}
		fmt.Fprintf(stderr, "runpipe submit: %s: pipeline %s is not a sweep (it has no sweep: block); it runs as one job\n", f, g.Pipeline)
		return exitUsage
	case single:
		o.Shards = 0
	case o.Shards == 0:
		o.Shards = min(points, slurm.DefaultMaxShards)
	case o.Shards > points:
		fmt.Fprintf(stderr, "runpipe submit: %d shards for %d points: submitting %d array tasks\n", o.Shards, points, points)
		o.Shards = points
	}

	file, err := filepath.Abs(ff.file)
	if err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitFailed
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		fmt.Fprintf(stderr, "runpipe submit: the running binary: %v\n", err)
		return exitFailed
	}
	job := &slurm.Job{File: file, Pipeline: g.Pipeline, Set: ff.sets, Dir: slurm.DirFor(g.Dir), Options: o, Single: single, MaxPoints: *maxPoints}

	if *dryRun {
		if job.Executable, err = slurm.ExecutablePath(exe, job.Dir); err != nil {
			fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
			return exitFailed
		}
		return printDryRun(stdout, stderr, job, points, before)
	}
	if job.Executable, err = slurm.InstallExecutable(exe, job.Dir); err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := slurm.Submit(ctx, job)
	if err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitFailed
	}
	if single {
		fmt.Fprintf(stdout, "submitted pipeline %s to Slurm as one job\n", g.Pipeline)
		fmt.Fprintf(stdout, "  job        %s  log: %s\n", s.JobID, displayPath(job.RunLog(s.JobID)))
		fmt.Fprintf(stdout, "  script     %s\n", displayPath(s.RunScript))
		fmt.Fprintf(stdout, "  binary     %s\n", displayPath(job.Executable))
		fmt.Fprintf(stdout, "follow it: squeue -j %s; cancel: scancel %s\n", s.JobID, s.JobID)
		return exitOK
	}
	fmt.Fprintf(stdout, "submitted the sweep of pipeline %s to Slurm: %d points in %d array tasks\n", g.Pipeline, points, o.Shards)
	fmt.Fprintf(stdout, "  points     %s\n", beforeText(before))
	fmt.Fprintf(stdout, "  job array  %s (tasks 1-%d)  logs: %s … %s\n", s.ArrayID, o.Shards,
		displayPath(job.ShardLog(s.ArrayID, 1)), filepath.Base(job.ShardLog(s.ArrayID, o.Shards)))
	fmt.Fprintf(stdout, "  aggregate  %s (after every task of %s)  log: %s\n", s.AggregateID, s.ArrayID, displayPath(job.AggregateLog(s.AggregateID)))
	fmt.Fprintf(stdout, "  scripts    %s, %s\n", displayPath(s.ShardsScript), displayPath(s.AggregateScript))
	fmt.Fprintf(stdout, "  binary     %s\n", displayPath(job.Executable))
	fmt.Fprintf(stdout, "follow it: runpipe status --pipeline %s; squeue -j %s,%s; cancel: scancel %s %s\n",
		g.Pipeline, s.ArrayID, s.AggregateID, s.ArrayID, s.AggregateID)
	return exitOK
}

// beforeText says what the workspace holds of a sweep's points before a
// submission.
func beforeText(c map[string]int) string {
	return fmt.Sprintf("before this submission: %d done (found up to date), %d running, %d failed, %d pending",
		c[sweep.StateDone], c[sweep.StateRunning], c[sweep.StateFailed], c[sweep.StatePending])
}

func printDryRun(stdout, stderr io.Writer, job *slurm.Job, points int, before map[string]int) int {
	if job.Single {
		script, err := job.RunScript()
		if err != nil {
			fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
			return exitFailed
		}
		rp := filepath.Join(job.Dir, slurm.RunScript)
		fmt.Fprintf(stdout, "# dry run: nothing written or submitted. Pipeline %s is not a sweep: it runs as one job.\n", job.Pipeline)
		fmt.Fprintf(stdout, "# runpipe submit would copy this binary to %s, write the script below, then run\n", job.Executable)
		fmt.Fprintf(stdout, "#   sbatch --parsable %s\n", rp)
		fmt.Fprintf(stdout, "\n# ---- %s\n%s", rp, script)
		return exitOK
	}
	shards, err := job.ShardsScript()
	if err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitFailed
	}
	agg, err := job.AggregateScript()
	if err != nil {
		fmt.Fprintf(stderr, "runpipe submit: %v\n", err)
		return exitFailed
	}
	sp, ap := filepath.Join(job.Dir, slurm.ShardsScript), filepath.Join(job.Dir, slurm.AggregateScript)
	fmt.Fprintf(stdout, "# dry run: nothing written or submitted. %d points in %d array tasks (%s); runpipe submit would\n", points, job.Options.Shards, beforeText(before))
	fmt.Fprintf(stdout, "# copy this binary to %s, write the two scripts below, then run\n", job.Executable)
	fmt.Fprintf(stdout, "#   sbatch --parsable %s\n", sp)
	fmt.Fprintf(stdout, "#   sbatch --parsable --dependency=afterany:<the array's job id> %s\n", ap)
	fmt.Fprintf(stdout, "\n# ---- %s\n%s\n# ---- %s\n%s", sp, shards, ap, agg)
	return exitOK
}

// flagSet reports whether the flag name was given on the command line.
func flagSet(visit func(func(*flag.Flag)), name string) bool {
	set := false
	visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
