package sweep

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
)

// benchPoints is the number of networks of BenchmarkSweepGoNogo200
// (SPIKERNN_BENCH_POINTS, default 2).
func benchPoints(b *testing.B) int {
	if s := os.Getenv("SPIKERNN_BENCH_POINTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("SPIKERNN_BENCH_POINTS=%q: want a number ≥ 1", s)
		}
		return n
	}
	return 2
}

// goNogoSweep returns pipelines.yaml, parsed, with a sweep over seed 1…n
// added to its go-nogo pipeline (otherwise the default pipeline as it is:
// N = 200, training, λ search, conversion, evaluation, tables, figures).
func goNogoSweep(b *testing.B, n int) (plain, swept *pipeline.Config) {
	path := repoFile("pipelines.yaml")
	src, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	const head = "\n  go-nogo:\n"
	if !strings.Contains(string(src), head) {
		b.Fatalf("%s has no go-nogo pipeline", path)
	}
	block := head + "    sweep: {axes: {seed: {from: 1, to: " + strconv.Itoa(n) + "}}}\n"
	if plain, err = pipeline.Parse(path, src); err != nil {
		b.Fatal(err)
	}
	if swept, err = pipeline.Parse(path, []byte(strings.Replace(string(src), head, block, 1))); err != nil {
		b.Fatal(err)
	}
	return plain, swept
}

// BenchmarkSweepGoNogo200 measures the sweep machinery on the default
// pipeline (go-nogo, N = 200, every stage) over seeds 1…P: each network
// run on one core slot directly (compile, plan, execute: the serial sum of
// the points' own times) and as a one-point sweep (Sweep.Run: the same plus
// the point's lock, records, log and the sweep's planning), alternately;
// then the P points as one sweep on every core. It reports the sweep's
// overhead over the direct runs (wall times, at the machine's mercy), the
// sweep's own bookkeeping per network (its run's time outside the
// pipeline's stages: planning, lock, records, log), the networks per hour
// of the sweep on every core, and its speed-up over the serial sum.
func BenchmarkSweepGoNogo200(b *testing.B) {
	n := benchPoints(b)
	plain, swept := goNogoSweep(b, n)
	env := pipeline.Default()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	var direct, sweep, parallel, machinery time.Duration
	for range b.N {
		ws := b.TempDir()
		s, err := Load(env, swept, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "go-nogo", Workspace: filepath.Join(ws, "sweep")}})
		if err != nil {
			b.Fatal(err)
		}
		runDirect := func(k int) {
			g, err := env.Compile(plain, pipeline.CompileOptions{Pipeline: "go-nogo", Workspace: filepath.Join(ws, "direct", strconv.Itoa(k)),
				Set: []string{"seed=" + strconv.Itoa(k+1)}})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			lim := pipeline.NewLimiter(1)
			lim.Acquire(ctx)
			plan, err := g.Plan(pipeline.Selection{})
			if err == nil {
				_, err = plan.Execute(ctx, pipeline.ExecOptions{Logger: quiet, Limiter: lim})
			}
			lim.Release()
			if err != nil {
				b.Fatal(err)
			}
			direct += time.Since(start)
		}
		runSweep := func(k int) {
			start := time.Now()
			res, err := s.Run(ctx, s.Points[k:k+1], RunOptions{Jobs: 1})
			if err != nil || res.Count(StatusRan) != 1 {
				b.Fatalf("sweep point %s: %v %v", s.Points[k].Name, err, res.Points[0].Err)
			}
			el := time.Since(start)
			sweep += el
			machinery += el - execSpan(res.Points[0].Result)
		}
		for k := range n {
			// Alternate which goes first, so that a drift of the
			// machine's load falls on both.
			if k%2 == 0 {
				runDirect(k)
				runSweep(k)
			} else {
				runSweep(k)
				runDirect(k)
			}
		}
		all, err := Load(env, swept, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "go-nogo", Workspace: filepath.Join(ws, "all")}})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := all.Run(ctx, all.Points, RunOptions{Jobs: runtime.GOMAXPROCS(0)})
		if err != nil || res.Count(StatusRan) != n {
			b.Fatalf("sweep of %d points: %v, %d ran", n, err, res.Count(StatusRan))
		}
		parallel += time.Since(start)
	}
	nets := float64(n * b.N)
	b.ReportMetric(direct.Seconds()/nets, "direct-s/network")
	b.ReportMetric(sweep.Seconds()/nets, "sweep-s/network")
	b.ReportMetric(100*(sweep.Seconds()-direct.Seconds())/direct.Seconds(), "overhead-%")
	b.ReportMetric(float64(machinery.Milliseconds())/nets, "machinery-ms/network")
	b.ReportMetric(nets/parallel.Hours(), "networks/h")
	b.ReportMetric(direct.Seconds()/parallel.Seconds(), "speedup")
}

// execSpan is the time from the first stage's start to the last one's end
// of a pipeline run: what the sweep's bookkeeping around it is not.
func execSpan(res *pipeline.Result) time.Duration {
	var first, last time.Time
	for _, st := range res.Stages {
		if st.Start.IsZero() {
			continue
		}
		if first.IsZero() || st.Start.Before(first) {
			first = st.Start
		}
		if end := st.Start.Add(st.Elapsed); end.After(last) {
			last = end
		}
	}
	return last.Sub(first)
}

// BenchmarkSweepRerun measures a rerun of a finished sweep of 40 tiny
// points: Load (every point compiled), the plans, and the check that the
// aggregates are fresh; what `runpipe run` does when nothing changed.
func BenchmarkSweepRerun(b *testing.B) {
	dir := b.TempDir()
	ws := filepath.Join(dir, "runs")
	c, err := pipeline.Parse(filepath.Join(dir, "pipelines.yaml"), []byte(tinySweep))
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{CompileOptions: pipeline.CompileOptions{Pipeline: "tiny", Workspace: ws, Set: []string{"seeds=40"}}}
	s, err := Load(pipeline.Default(), c, opts)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Run(context.Background(), s.Points, RunOptions{}); err != nil {
		b.Fatal(err)
	}
	a, err := s.Collect()
	if err == nil {
		err = a.Write()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		s, err := Load(pipeline.Default(), c, opts)
		if err != nil {
			b.Fatal(err)
		}
		res, err := s.Run(context.Background(), s.Points, RunOptions{})
		if err != nil || res.Count(StatusUpToDate) != 40 {
			b.Fatalf("rerun: %v, %d up to date", err, res.Count(StatusUpToDate))
		}
		if !s.Fresh() {
			b.Fatal("the aggregates are not fresh")
		}
	}
}

// BenchmarkSweepLoad300 compiles the 300 points of paper-activation at the
// paper's size (--set seeds=100) from the repository's pipelines.yaml: the
// file is checked once, with the sweep, not once a point.
func BenchmarkSweepLoad300(b *testing.B) {
	c, err := pipeline.ParseFile(repoFile("pipelines.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	opts := Options{CompileOptions: pipeline.CompileOptions{Pipeline: "paper-activation", Workspace: b.TempDir(), Set: []string{"seeds=100"}}}
	for range b.N {
		s, err := Load(pipeline.Default(), c, opts)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Points) != 300 {
			b.Fatalf("%d points, want 300", len(s.Points))
		}
	}
}
