package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sweep"
)

// sweepRunFlags are the flags of runpipe run that only a sweep takes
// (--jobs is for every pipeline).
type sweepRunFlags struct {
	shard       string
	keepGoing   bool
	maxPoints   int
	noAggregate bool
}

func (f *sweepRunFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.shard, "shard", "", "sweep: run only shard `I/N` of the points (the k-th point in name order, k from 0, is in shard k mod N + 1)")
	fs.BoolVar(&f.keepGoing, "keep-going", true, "sweep: after a point fails, run the others (the exit code is 1 anyway); --keep-going=false stops starting points")
	registerMaxPoints(fs, &f.maxPoints)
	fs.BoolVar(&f.noAggregate, "no-aggregate", false, "sweep: do not write the aggregates after the run (runpipe aggregate does)")
}

// names are the flags of f, for the check that a pipeline which is not a
// sweep is given none of them.
func (f *sweepRunFlags) names() []string {
	return []string{"shard", "keep-going", "max-points", "no-aggregate"}
}

func registerMaxPoints(fs *flag.FlagSet, max *int) {
	fs.IntVar(max, "max-points", 0, fmt.Sprintf("sweep: refuse a matrix of more than `M` points (default %d)", sweep.DefaultMaxPoints))
}

// checkMaxPoints refuses --max-points below 1.
func checkMaxPoints(fs *flag.FlagSet, max int, stderr io.Writer) bool {
	if max < 0 || (max == 0 && flagSet(fs.Visit, "max-points")) {
		fmt.Fprintf(stderr, "runpipe %s: --max-points %d: want at least 1\n", strings.TrimPrefix(fs.Name(), "runpipe "), max)
		return false
	}
	return true
}

// loadSweep compiles the sweep of the selected pipeline, printing the
// problems; it returns the sweep or an exit code.
func loadSweep(cfg *pipeline.Config, ff *fileFlags, maxPoints int, stderr io.Writer) (*sweep.Sweep, int) {
	s, err := sweep.Load(pipeline.Default(), cfg, sweep.Options{
		CompileOptions: pipeline.CompileOptions{Pipeline: ff.pipeline, Set: ff.sets},
		MaxPoints:      maxPoints,
	})
	if err != nil {
		var ds pipeline.Diagnostics
		if errors.As(err, &ds) {
			fmt.Fprintln(stderr, ds)
		} else {
			fmt.Fprintf(stderr, "runpipe: %v\n", err)
		}
		return nil, exitUsage
	}
	return s, -1
}

// loadSweepOnly parses the file and loads the selected pipeline's sweep,
// refusing a pipeline that is not one; for aggregate and status.
// parseSweepCommand registers the flags that name a sweep (file, pipeline,
// --set, --max-points) on fs, which may hold the command's own, parses
// args, which must hold no positional argument, and loads the sweep.
// Without a sweep it returns the exit code.
func parseSweepCommand(cmd string, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (*sweep.Sweep, int) {
	var ff fileFlags
	ff.register(fs, true)
	var maxPoints int
	registerMaxPoints(fs, &maxPoints)
	pos, code := parseFlags(fs, args, stdout)
	if code >= 0 {
		return nil, code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "runpipe %s: unexpected argument %q (use --pipeline NAME)\n", cmd, pos[0])
		return nil, exitUsage
	}
	if !checkMaxPoints(fs, maxPoints, stderr) {
		return nil, exitUsage
	}
	return loadSweepOnly(cmd, &ff, maxPoints, stderr)
}

func loadSweepOnly(cmd string, ff *fileFlags, maxPoints int, stderr io.Writer) (*sweep.Sweep, int) {
	cfg, code := parseFile(ff.file, stderr)
	if cfg == nil {
		return nil, code
	}
	if !sweep.Has(cfg, ff.pipeline) {
		g, code := ff.compile(cfg, stderr)
		if g == nil {
			return nil, code
		}
		fmt.Fprintf(stderr, "runpipe %s: pipeline %s is not a sweep (it has no sweep: block); runpipe why tells whether its stages would run\n", cmd, g.Pipeline)
		return nil, exitUsage
	}
	return loadSweep(cfg, ff, maxPoints, stderr)
}

// sweepRun is what runpipe run needs to run a sweep.
type sweepRun struct {
	ff       *fileFlags
	sf       sweepRunFlags
	sel      pipeline.Selection
	jobs     int
	dryRun   bool
	progress string
	verbose  bool
}

// runSweep runs the points of a sweep (or of one shard), then aggregates
// whatever has finished. Exit code 1 when a point failed, after the others
// ran.
func runSweep(ctx context.Context, cfg *pipeline.Config, o *sweepRun, stdout, stderr io.Writer) int {
	s, code := loadSweep(cfg, o.ff, o.sf.maxPoints, stderr)
	if s == nil {
		return code
	}
	points := s.Points
	what := fmt.Sprintf("%d points", len(points))
	if o.sf.shard != "" {
		i, n, err := sweep.ParseShard(o.sf.shard)
		if err != nil {
			fmt.Fprintf(stderr, "runpipe run: %v\n", err)
			return exitUsage
		}
		points = s.Shard(i, n)
		what = fmt.Sprintf("shard %d/%d: %d of %d points", i, n, len(points), len(s.Points))
	}
	if err := checkSelection(s.Base, o.sel); err != nil {
		fmt.Fprintf(stderr, "runpipe run: %v\n", err)
		return exitUsage
	}
	if o.dryRun {
		return dryRunSweep(s, points, o.sel, stdout, stderr)
	}
	jobs := o.jobs
	if jobs == 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	fmt.Fprintf(stdout, "sweep %s (%s) in %s, %d core slots\n", s.Pipeline, what, displayPath(s.Dir), jobs)

	mon := newSweepMonitor(stderr, o.progress)
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	res, err := s.Run(ctx, points, sweep.RunOptions{
		Jobs:          jobs,
		StopOnFailure: !o.sf.keepGoing,
		Selection:     o.sel,
		Progress:      mon.lines(),
		LogLevel:      level,
		Monitor:       mon,
	})
	mon.close()
	printSweepSummary(stdout, s, res)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintln(stderr, "runpipe: interrupted: points that had not finished left nothing a rerun trusts; run again to continue")
		return exitInterrupted
	}
	code = exitOK
	if failed := res.Failed(); len(failed) > 0 {
		names := make([]string, len(failed))
		for i, r := range failed {
			names[i] = r.Point.Name
		}
		fmt.Fprintf(stderr, "runpipe: %d of %d points failed: %s\n", len(failed), len(points), strings.Join(names, " "))
		code = exitFailed
	}
	if res.Count(sweep.StatusCancelled) > 0 && code == exitOK {
		code = exitFailed
	}
	if o.sf.noAggregate {
		return code
	}
	if len(res.Points) == res.Count(sweep.StatusUpToDate) && s.Fresh() {
		fmt.Fprintf(stdout, "the aggregates in %s are up to date\n", displayPath(s.Dir))
		return code
	}
	if c := aggregate(s, stdout, stderr); c != exitOK {
		return c
	}
	return code
}

// checkSelection checks that the stages named by --only, --from and
// --until are the pipeline's, once for every point.
func checkSelection(g *pipeline.Graph, sel pipeline.Selection) error {
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.Name)
	}
	for _, f := range []struct {
		flag string
		list []string
	}{{"only", sel.Only}, {"from", sel.From}, {"until", sel.Until}} {
		for _, st := range f.list {
			if !slices.Contains(names, st) {
				return fmt.Errorf("--%s %s: pipeline %s has no stage %s%s (stages: %s)", f.flag, st, g.Pipeline, st, pipeline.DidYouMean(st, names), strings.Join(names, ", "))
			}
		}
	}
	return nil
}

// dryRunSweep prints, for every point, what a run would do.
func dryRunSweep(s *sweep.Sweep, points []*sweep.PointRun, sel pipeline.Selection, stdout, stderr io.Writer) int {
	fmt.Fprintf(stdout, "plan for sweep %s (%d of %d points, in %s):\n", s.Pipeline, len(points), len(s.Points), displayPath(s.Dir))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	toRun := 0
	for _, pr := range points {
		plan, err := pr.Graph.Plan(sel)
		if err != nil {
			tw.Flush()
			return planError(stderr, fmt.Errorf("sweep point %s: %w", pr.Name, err))
		}
		if runs := plan.Runs(); len(runs) > 0 {
			toRun++
			fmt.Fprintf(tw, "  run\t%s\t%s\n", pr.Name, strings.Join(runs, " "))
		} else {
			fmt.Fprintf(tw, "  skip\t%s\tup to date\n", pr.Name)
		}
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d of %d points would run\n", toRun, len(points))
	return exitOK
}

// printSweepSummary prints the counts of a sweep run and its failures.
func printSweepSummary(w io.Writer, s *sweep.Sweep, res *sweep.RunResult) {
	fmt.Fprintf(w, "\nsweep %s: %d ran, %d up to date", s.Pipeline, res.Count(sweep.StatusRan), res.Count(sweep.StatusUpToDate))
	for _, st := range []string{sweep.StatusFailed, sweep.StatusBusy, sweep.StatusCancelled} {
		if n := res.Count(st); n > 0 {
			fmt.Fprintf(w, ", %d %s", n, st)
		}
	}
	fmt.Fprintf(w, " (%.1fs, at most %d core slots held)\n", res.Elapsed.Seconds(), res.PeakSlots)
	if res.Count(sweep.StatusRan) == 0 && len(res.Failed()) == 0 && res.Count(sweep.StatusCancelled) == 0 {
		fmt.Fprintf(w, "nothing to run: every point is up to date\n")
	}
	for _, r := range res.Points {
		if r.Err == nil {
			continue
		}
		fmt.Fprintf(w, "  %s %s: %s\n", r.Point.Name, r.Status, firstLine(r.Err.Error()))
		if r.Status == sweep.StatusFailed {
			fmt.Fprintf(w, "    see %s and %s\n", displayPath(filepath.Join(r.Point.Dir(), sweep.FailedFile)), displayPath(filepath.Join(r.Point.Dir(), sweep.LogFile)))
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

// aggregate writes the aggregates of the finished points and says what it
// wrote and which points are missing.
func aggregate(s *sweep.Sweep, stdout, stderr io.Writer) int {
	a, err := s.Collect()
	if err == nil {
		err = a.Write()
	}
	if err != nil {
		fmt.Fprintf(stderr, "runpipe: aggregate: %v\n", err)
		return exitFailed
	}
	c := sweep.Counts(a.States)
	fmt.Fprintf(stdout, "aggregated %d of %d points into %s:", len(a.Rows), len(a.States), displayPath(s.Dir))
	for _, f := range a.Files {
		fmt.Fprintf(stdout, " %s", f)
	}
	fmt.Fprintln(stdout)
	if n := len(a.States) - c[sweep.StateDone]; n > 0 {
		fmt.Fprintf(stdout, "not in the aggregates: %d failed, %d running, %d pending (runpipe status lists them)\n", c[sweep.StateFailed], c[sweep.StateRunning], c[sweep.StatePending])
	}
	for _, st := range a.States {
		if st.State == sweep.StateFailed {
			fmt.Fprintf(stdout, "  failed: %s: %s\n", st.Point, st.Message)
		}
	}
	return exitOK
}

func cmdAggregate(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("aggregate", "[flags]", "Writes the aggregates of a sweep from its finished points, into\n"+
		"<workspace>/<pipeline>/: sweep.parquet (one row per point), sweep_lambda.parquet\n"+
		"(point × λ factor) and the figures; says which points are failed, running or\n"+
		"pending. Runs nothing; safe while points run (a point counts once it is done).", stderr)
	s, code := parseSweepCommand("aggregate", fs, args, stdout, stderr)
	if s == nil {
		return code
	}
	return aggregate(s, stdout, stderr)
}

// statusJSON is the output of runpipe status --json.
type statusJSON struct {
	Pipeline string             `json:"pipeline"`
	Dir      string             `json:"dir"`
	Counts   map[string]int     `json:"counts"`
	Points   []sweep.PointState `json:"points"`
}

func cmdStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", "[flags]", "Counts the points of a sweep done, running, failed and pending, from the\n"+
		"workspace alone (a point whose lock is held is running; one with a FAILED record\n"+
		"failed; one whose point.json records its current pipeline is done), and lists\n"+
		"the points that are not done. Runs nothing.", stderr)
	asJSON := fs.Bool("json", false, "print the counts and every point's state as JSON")
	s, code := parseSweepCommand("status", fs, args, stdout, stderr)
	if s == nil {
		return code
	}
	states := s.Status()
	counts := sweep.Counts(states)
	if *asJSON {
		b, err := json.MarshalIndent(statusJSON{Pipeline: s.Pipeline, Dir: s.Dir, Counts: counts, Points: states}, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "runpipe status: %v\n", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "%s\n", b)
		return exitOK
	}
	fmt.Fprintf(stdout, "sweep %s in %s: %d points: %d done, %d running, %d failed, %d pending\n",
		s.Pipeline, displayPath(s.Dir), len(states), counts[sweep.StateDone], counts[sweep.StateRunning], counts[sweep.StateFailed], counts[sweep.StatePending])
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	for _, st := range states {
		if st.State == sweep.StateDone {
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", st.State, st.Point, st.Message)
	}
	tw.Flush()
	return exitOK
}
