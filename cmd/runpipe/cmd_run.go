package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sweep"
)

// selFlags are the stage selection flags.
type selFlags struct {
	only, from, until listFlag
	force             bool
}

func (s *selFlags) register(fs *flag.FlagSet) {
	fs.Var(&s.only, "only", "run only these `stages` (comma-separated), from cached upstream values")
	fs.Var(&s.from, "from", "force these `stages` and everything downstream of them")
	fs.Var(&s.until, "until", "run only these `stages` and their upstream")
	fs.BoolVar(&s.force, "force", false, "run every selected stage, even if up to date")
}

func (s *selFlags) selection() pipeline.Selection {
	return pipeline.Selection{Only: s.only, From: s.from, Until: s.until, Force: s.force}
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("run", "[flags]", "Lints the file, plans the pipeline (every stage that is not up to date runs;\n"+
		"the plan says why) and runs it, then prints each stage's status, time and\nheadline figures and where the output files are.\n\n"+
		"On a sweep (a pipeline with a sweep: block) it runs every point that is not\n"+
		"up to date, each as its own pipeline run in <workspace>/<pipeline>/<point>/,\n"+
		"--jobs at once under one core budget shared with the parallel trials inside\n"+
		"the points; a failed point does not stop the others (exit code 1 after they\n"+
		"ran). Then it aggregates the finished points (see runpipe aggregate).", stderr)
	var ff fileFlags
	ff.register(fs, true)
	var sf selFlags
	sf.register(fs)
	jobs := fs.Int("jobs", 0, "core slots of the run (`J`, default all cores): the sweep's points at once and the parallel trials inside them share them")
	var swf sweepRunFlags
	swf.register(fs)
	dryRun := fs.Bool("dry-run", false, "print the plan and exit without running")
	wait := fs.Duration("wait", 0, "if another run holds the workspace, wait up to this `duration` (0: fail at once)")
	progress := fs.String("progress", progressAuto, "progress display `mode`: auto (bars on a terminal, else lines), bar, plain or none")
	verbose := fs.Bool("v", false, "verbose: debug logs")
	pos, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "runpipe run: unexpected argument %q (name stages with --only, --from or --until)\n", pos[0])
		return exitUsage
	}
	switch *progress {
	case progressAuto, progressBar, progressPlain, progressNone:
	default:
		fmt.Fprintf(stderr, "runpipe run: --progress %q: want auto, bar, plain or none\n", *progress)
		return exitUsage
	}
	if *jobs < 0 || (*jobs == 0 && flagSet(fs.Visit, "jobs")) {
		fmt.Fprintf(stderr, "runpipe run: --jobs %d: want at least 1\n", *jobs)
		return exitUsage
	}
	if !checkMaxPoints(fs, swf.maxPoints, stderr) {
		return exitUsage
	}
	cfg, code := parseFile(ff.file, stderr)
	if cfg == nil {
		return code
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()

	if sweep.Has(cfg, ff.pipeline) {
		if flagSet(fs.Visit, "wait") {
			fmt.Fprintf(stderr, "runpipe run: --wait: not for a sweep (every point has its own lock; a point another run holds is reported busy)\n")
			return exitUsage
		}
		return runSweep(ctx, cfg, &sweepRun{ff: &ff, sf: swf, sel: sf.selection(), jobs: *jobs,
			dryRun: *dryRun, progress: *progress, verbose: *verbose}, stdout, stderr)
	}
	g, code := ff.compile(cfg, stderr)
	if g == nil {
		return code
	}
	for _, name := range swf.names() {
		if flagSet(fs.Visit, name) {
			fmt.Fprintf(stderr, "runpipe run: --%s: pipeline %s is not a sweep (it has no sweep: block)\n", name, g.Pipeline)
			return exitUsage
		}
	}

	if *dryRun {
		plan, err := g.Plan(sf.selection())
		if err != nil {
			return planError(stderr, err)
		}
		plan.WriteTo(stdout)
		return exitOK
	}
	lock, err := pipeline.LockWorkspace(ctx, g.Workspace, *wait)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "runpipe: interrupted while waiting for the workspace lock")
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "runpipe: %v\n", err)
		return exitFailed
	}
	defer lock.Unlock()
	plan, err := g.Plan(sf.selection())
	if err != nil {
		return planError(stderr, err)
	}
	plan.WriteTo(stdout)
	start := time.Now()
	if len(plan.Runs()) == 0 {
		fmt.Fprintf(stdout, "nothing to run: every stage is up to date\n")
	}

	names := make([]string, 0, len(g.Nodes))
	for _, n := range g.Nodes {
		names = append(names, n.Name)
	}
	mon := newMonitor(stderr, *progress, names)
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(mon.logWriter(), &slog.HandlerOptions{Level: level}))
	var lim *pipeline.Limiter
	if *jobs > 0 {
		// The run holds the first slot; the stages' parallel trials beyond
		// their first take the others.
		lim = pipeline.NewLimiter(*jobs)
		if err := lim.Acquire(ctx); err != nil {
			mon.close()
			fmt.Fprintln(stderr, "runpipe: interrupted")
			return exitInterrupted
		}
		defer lim.Release()
	}
	res, err := plan.Execute(ctx, pipeline.ExecOptions{Logger: logger, Monitor: mon, Limiter: lim})
	mon.close()
	if res != nil {
		printSummary(stdout, g, res, time.Since(start))
	}
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "runpipe: interrupted: stages that had not finished left no output; run again to continue")
			return exitInterrupted
		}
		fmt.Fprintf(stderr, "runpipe: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// planError reports a planning error: a selection problem is a usage error.
func planError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "runpipe: %v\n", err)
	var se *pipeline.SelectionError
	if errors.As(err, &se) {
		return exitUsage
	}
	return exitFailed
}

// printSummary prints each stage's status, time and headline figures, and
// the output files.
func printSummary(w io.Writer, g *pipeline.Graph, res *pipeline.Result, elapsed time.Duration) {
	ran, skipped, failed := 0, 0, 0
	for _, s := range res.Stages {
		switch {
		case s.Committed:
			ran++
		case s.Action == pipeline.Skip:
			skipped++
		default:
			failed++
		}
	}
	fmt.Fprintf(w, "\npipeline %s: %d ran, %d skipped", res.Pipeline, ran, skipped)
	if failed > 0 {
		fmt.Fprintf(w, ", %d failed or cancelled", failed)
	}
	fmt.Fprintf(w, " (%.1fs)\n", elapsed.Seconds())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	// time is the stage's own work (busy time), without the time it
	// waited for its inputs.
	fmt.Fprintf(tw, "  stage\tkind\tstatus\ttime\theadline\n")
	for _, s := range res.Stages {
		status, secs := "", "-"
		switch {
		case s.Committed:
			status, secs = "ran", fmtSeconds(s.Busy.Seconds())
		case s.Action == pipeline.Skip && s.Manifest != nil:
			status = "cached"
			secs = fmtSeconds(cmp.Or(s.Manifest.BusySeconds, s.Manifest.Seconds)) + " (cached)"
		case s.Action == pipeline.Skip:
			status = "not run"
		case errors.Is(s.Err, context.Canceled) || s.Err == nil:
			status = "cancelled"
		default:
			status = "failed"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Stage, s.Kind, status, secs, headlineText(s.Headline(), ""))
	}
	tw.Flush()

	var outs []pipeline.FileInfo
	for _, s := range res.Stages {
		if s.Manifest != nil {
			outs = append(outs, s.Manifest.Outputs...)
		}
	}
	if len(outs) == 0 {
		return
	}
	sort.Slice(outs, func(i, j int) bool { return outs[i].Path < outs[j].Path })
	fmt.Fprintf(w, "outputs in %s:\n", displayPath(res.Dir))
	for _, o := range outs {
		fmt.Fprintf(w, "  %s (%s)\n", o.Path, fmtSize(o.Size))
	}
}

// headlineText formats headline figures as "a=1 b=0.97", sorted by name.
func headlineText(h map[string]any, prefix string) string {
	if len(h) == 0 {
		return ""
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + fmtValue(h[k])
	}
	return prefix + strings.Join(parts, " ")
}

func fmtValue(v any) string {
	f, ok := v.(float64)
	if !ok {
		return fmt.Sprint(v)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

func fmtSeconds(s float64) string {
	if s < 10 {
		return fmt.Sprintf("%.2fs", s)
	}
	return fmt.Sprintf("%.1fs", s)
}

func fmtSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// displayPath shows p relative to the working directory when it is below it.
func displayPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return p
}
