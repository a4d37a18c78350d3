package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spikernn/spikernn/pipeline"
)

// Files of a point's directory that the sweep writes (besides the
// pipeline's own outputs).
const (
	// DoneFile records a point that finished: its values, the key of
	// its graph and its time.
	DoneFile = "point.json"
	// FailedFile records a point that failed, with the error.
	FailedFile = "FAILED"
	// LogFile collects the logs of the point's runs.
	LogFile = "run.log"
)

// lockWait is how long a point waits for its own lock, so that a status
// probe (which takes the lock shared for an instant) never fails a run.
const lockWait = 2 * time.Second

// RunOptions configure [Sweep.Run].
type RunOptions struct {
	// Jobs is the core budget shared by the points and the parallel work
	// inside them (0: every core). Ignored when Limiter is set.
	Jobs int
	// Limiter, when not nil, is the budget itself.
	Limiter *pipeline.Limiter
	// StopOnFailure stops starting points after the first failure
	// (runpipe run --keep-going=false); by default every point runs.
	StopOnFailure bool
	// Selection is applied to every point (--force, --only …).
	Selection pipeline.Selection
	// Progress, when not nil, receives one line per point that ran or
	// failed: its name, done/total and the ETA.
	Progress io.Writer
	// LogLevel is the level of the point's logs written to its run.log.
	LogLevel slog.Level
	// Monitor, when not nil, follows the run (a progress display).
	Monitor Monitor
}

// A Monitor follows a sweep run; its methods may be called from several
// goroutines at once.
type Monitor interface {
	// Planned is called once, before any point starts, with the number
	// of points that will run (those not up to date).
	Planned(toRun int)
	// PointStarted is called when a point takes its core slot.
	PointStarted(pr *PointRun)
	// PointFinished is called when a point that started has ended.
	PointFinished(r *PointResult)
}

// Point statuses of a [PointResult].
const (
	StatusRan       = "ran"        // the point ran and finished
	StatusUpToDate  = "up to date" // nothing to run
	StatusFailed    = "failed"
	StatusBusy      = "busy"      // another run holds the point's lock
	StatusCancelled = "cancelled" // interrupted, or not started after a failure
)

// A PointResult reports one point of a run.
type PointResult struct {
	Point   *PointRun
	Status  string
	Err     error
	Elapsed time.Duration
	// Result is the pipeline's result for a point that ran (or failed).
	Result *pipeline.Result
}

// A RunResult reports a sweep run.
type RunResult struct {
	// Points are in the order given to Run.
	Points  []*PointResult
	Elapsed time.Duration
	// PeakSlots is the most core slots held at once.
	PeakSlots int
}

// Count returns the number of points with the status.
func (r *RunResult) Count(status string) int {
	n := 0
	for _, p := range r.Points {
		if p.Status == status {
			n++
		}
	}
	return n
}

// Failed returns the points that failed or could not run.
func (r *RunResult) Failed() []*PointResult {
	var out []*PointResult
	for _, p := range r.Points {
		if p.Status == StatusFailed || p.Status == StatusBusy {
			out = append(out, p)
		}
	}
	return out
}

// doneRecord is the content of DoneFile.
type doneRecord struct {
	Point    string         `json:"point"`
	Pipeline string         `json:"pipeline"`
	Values   map[string]any `json:"values"`
	Key      string         `json:"key"`
	Finished time.Time      `json:"finished"`
	// Seconds is the wall time of the run that finished the point.
	Seconds float64 `json:"seconds"`
}

// Run runs points (all of s.Points, or a shard), each as its own pipeline
// run in its own directory under its own lock, up to the core budget at
// once. A point with nothing to run takes no slot. A failed point writes
// FailedFile with its error and the others go on (unless StopOnFailure).
// The error returned is ctx's when the run was interrupted; failures are
// in the result.
func (s *Sweep) Run(ctx context.Context, points []*PointRun, opts RunOptions) (*RunResult, error) {
	start := time.Now()
	lim := opts.Limiter
	if lim == nil {
		jobs := opts.Jobs
		if jobs <= 0 {
			jobs = runtime.NumCPU()
		}
		lim = pipeline.NewLimiter(jobs)
	}
	res := &RunResult{Points: make([]*PointResult, len(points))}
	prog := &progress{w: opts.Progress, start: start, jobs: lim.Size()}
	// Plan every point first: those with nothing to run take no slot, and
	// the progress knows how many will run.
	var todo []int
	failed := false
	plans, errs := planAll(points, opts.Selection)
	for i, pr := range points {
		r := &PointResult{Point: pr}
		res.Points[i] = r
		plan, err := plans[i], errs[i]
		switch {
		case err != nil:
			r.Status, r.Err = StatusFailed, err
			writeFailed(pr, err)
			failed = true
		case len(plan.Runs()) == 0:
			r.Status = StatusUpToDate
			settleUpToDate(s, pr)
		default:
			todo = append(todo, i)
		}
	}
	prog.total = len(todo)
	if opts.Monitor != nil {
		opts.Monitor.Planned(len(todo))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, i := range todo {
		r := res.Points[i]
		if err := lim.Acquire(ctx); err != nil {
			r.Status, r.Err = StatusCancelled, err
			continue
		}
		// Checked once the slot is held: the point that held it may just
		// have failed.
		mu.Lock()
		stop := failed && opts.StopOnFailure
		mu.Unlock()
		if stop || ctx.Err() != nil {
			lim.Release()
			r.Status, r.Err = StatusCancelled, cmpErr(ctx.Err(), errors.New("not started: an earlier point failed"))
			continue
		}
		wg.Add(1)
		if opts.Monitor != nil {
			opts.Monitor.PointStarted(r.Point)
		}
		go func() {
			defer wg.Done()
			defer lim.Release()
			s.runPoint(ctx, r.Point, r, lim, opts)
			mu.Lock()
			if r.Status == StatusFailed || r.Status == StatusBusy {
				failed = true
			}
			mu.Unlock()
			prog.finished(r)
			if opts.Monitor != nil {
				opts.Monitor.PointFinished(r)
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.PeakSlots = lim.Peak()
	return res, ctx.Err()
}

// planWorkers is how many points are planned at once: planning reads
// every stage's manifest and checks its outputs, which is waiting on the
// filesystem more than computing.
const planWorkers = 8

// planAll plans every point, a few at once.
func planAll(points []*PointRun, sel pipeline.Selection) ([]*pipeline.Plan, []error) {
	plans, errs := make([]*pipeline.Plan, len(points)), make([]error, len(points))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(planWorkers, len(points)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(points); i = int(next.Add(1) - 1) {
				plans[i], errs[i] = points[i].Graph.Plan(sel)
			}
		}()
	}
	wg.Wait()
	return plans, errs
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// runPoint runs one point holding a core slot.
func (s *Sweep) runPoint(ctx context.Context, pr *PointRun, r *PointResult, lim *pipeline.Limiter, opts RunOptions) {
	start := time.Now()
	defer func() { r.Elapsed = time.Since(start) }()
	lock, err := pipeline.LockWorkspace(ctx, pr.Dir(), lockWait)
	if err != nil {
		r.Err = err
		r.Status = StatusBusy
		var le *pipeline.LockedError
		if !errors.As(err, &le) {
			r.Status = StatusFailed
			if ctx.Err() != nil {
				r.Status = StatusCancelled
			}
		}
		return
	}
	defer lock.Unlock()
	plan, err := pr.Graph.Plan(opts.Selection)
	if err != nil {
		r.Status, r.Err = StatusFailed, err
		writeFailed(pr, err)
		return
	}
	os.Remove(filepath.Join(pr.Dir(), FailedFile))
	os.Remove(filepath.Join(pr.Dir(), DoneFile))
	logf, err := os.OpenFile(filepath.Join(pr.Dir(), LogFile), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		r.Status, r.Err = StatusFailed, err
		writeFailed(pr, err)
		return
	}
	defer logf.Close()
	fmt.Fprintf(logf, "--- %s: sweep point %s of pipeline %s\n", start.UTC().Format(time.RFC3339), pr.Name, s.Pipeline)
	logger := slog.New(slog.NewTextHandler(logf, &slog.HandlerOptions{Level: opts.LogLevel}))
	res, err := plan.Execute(ctx, pipeline.ExecOptions{Logger: logger, Limiter: lim})
	r.Result = res
	switch {
	case err != nil && ctx.Err() != nil:
		r.Status, r.Err = StatusCancelled, ctx.Err()
	case err != nil:
		r.Status, r.Err = StatusFailed, err
		writeFailed(pr, err)
	default:
		r.Status = StatusRan
		if err := writeDone(s, pr, time.Since(start)); err != nil {
			r.Status, r.Err = StatusFailed, err
		}
	}
	fmt.Fprintf(logf, "--- %s: %s\n", time.Now().UTC().Format(time.RFC3339), r.Status)
}

// settleUpToDate makes the records of a point with nothing to run say so:
// a point whose last stage committed just before its run was killed has
// all its outputs but no DoneFile yet.
func settleUpToDate(s *Sweep, pr *PointRun) {
	if rec, err := readDone(pr.Dir()); err == nil && rec.Key == pr.Key() {
		return
	}
	if _, err := os.Stat(pr.Dir()); err != nil {
		return
	}
	os.Remove(filepath.Join(pr.Dir(), FailedFile))
	writeDone(s, pr, 0)
}

func writeDone(s *Sweep, pr *PointRun, elapsed time.Duration) error {
	rec := doneRecord{Point: pr.Name, Pipeline: s.Pipeline, Values: map[string]any{}, Key: pr.Key(), Finished: time.Now().UTC(), Seconds: elapsed.Seconds()}
	for _, k := range pr.Params {
		rec.Values[k] = pr.Values[k].V
	}
	b, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return pipeline.WriteFileAtomic(filepath.Join(pr.Dir(), DoneFile), append(b, '\n'), 0o644)
}

func readDone(dir string) (*doneRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, DoneFile))
	if err != nil {
		return nil, err
	}
	var rec doneRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, DoneFile), err)
	}
	return &rec, nil
}

func writeFailed(pr *PointRun, err error) {
	if os.MkdirAll(pr.Dir(), 0o755) != nil {
		return
	}
	msg := fmt.Sprintf("sweep point %s failed at %s:\n%v\n", pr.Name, time.Now().UTC().Format(time.RFC3339), err)
	pipeline.WriteFileAtomic(filepath.Join(pr.Dir(), FailedFile), []byte(msg), 0o644)
}

// progress prints a line per finished point with done/total and an ETA.
type progress struct {
	w     io.Writer
	start time.Time
	jobs  int

	mu          sync.Mutex
	total, done int
}

func (p *progress) finished(r *PointResult) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	elapsed := time.Since(p.start)
	eta := ""
	if left := p.total - p.done; left > 0 {
		eta = fmt.Sprintf(", ETA %s", (elapsed / time.Duration(p.done) * time.Duration(left)).Round(time.Second))
	}
	what := r.Status
	if r.Status == StatusRan && r.Result != nil {
		if h := headline(r.Result); h != "" {
			what += " " + h
		}
	}
	if r.Err != nil {
		what += ": " + firstLine(r.Err.Error())
	}
	fmt.Fprintf(p.w, "[%d/%d] %s %s (%.1fs)%s\n", p.done, p.total, r.Point.Name, what, r.Elapsed.Seconds(), eta)
}

func headline(res *pipeline.Result) string {
	for _, st := range res.Stages {
		if st.Kind == "summary" {
			h := st.Headline()
			if v, ok := h["lif_accuracy"]; ok {
				return fmt.Sprintf("lif_accuracy=%v", v)
			}
		}
	}
	return ""
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " …"
		}
	}
	return s
}
