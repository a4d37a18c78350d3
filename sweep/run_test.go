package sweep

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
	_ "github.com/spikernn/spikernn/sinks/kinds"
	_ "github.com/spikernn/spikernn/stages"
)

// tinySweep is a go-nogo pipeline small enough to run in seconds, swept
// over seed.
const tinySweep = `version: 1
pipelines:
  tiny:
    params: {seed: 1, N: 40, seeds: 2, workers: 0}
    sweep:
      axes:
        seed: {from: 1, to: "${seeds}"}
    stages:
      trials: {kind: task-trials, with: {task: go-nogo, seed: "${seed}", count: 2000}}
      train:
        kind: train-rate
        in: {trials: trials.out, task: trials.task}
        with: {N: "${N}", taus: [4, 20], max_trials: 200, seed: "${seed}"}
      export: {kind: export-mat, in: {model: train.model}}
      lambda:
        kind: lambda-search
        in: {model: export.model, task: trials.task}
        with: {factors: [30, 50], trials: 10, seed: "${seed}", workers: "${workers}"}
      convert:
        kind: lif-convert
        in: {model: export.model, lambda: lambda.best, task: trials.task}
        with: {trials: 10, seed: "${seed}", workers: "${workers}"}
      eval: {kind: evaluate, in: {trials: convert.trials, task: trials.task, model: export.model}}
      summary:
        kind: summary
        in: {model: export.model, task: trials.task, training: train.training, search: lambda.search, evaluation: eval.evaluation}
        with: {seed: "${seed}"}
`

func loadTiny(t *testing.T, dir, ws string, set ...string) *Sweep {
	t.Helper()
	c, err := pipeline.Parse(filepath.Join(dir, "pipelines.yaml"), []byte(tinySweep))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "tiny", Workspace: ws, Set: set}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func runAll(t *testing.T, s *Sweep, jobs int) *RunResult {
	t.Helper()
	res, err := s.Run(context.Background(), s.Points, RunOptions{Jobs: jobs})
	checkRun(t, res, err, jobs)
	return res
}

func checkRun(t *testing.T, res *RunResult, err error, jobs int) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Points {
		if r.Status == StatusFailed {
			t.Fatalf("point %s failed: %v", r.Point.Name, r.Err)
		}
	}
	if res.PeakSlots > jobs {
		t.Errorf("peak slots %d > budget %d", res.PeakSlots, jobs)
	}
}

// TestRunTinySweep runs a two-point sweep, checks that a rerun does
// nothing, that one more seed runs only the new point, that every point
// is done by Status, and that sweep.parquet holds each point's
// summary.json values.
func TestRunTinySweep(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	dir := t.TempDir()
	ws := filepath.Join(dir, "runs")
	s := loadTiny(t, dir, ws)
	if len(s.Points) != 2 {
		t.Fatalf("%d points, want 2", len(s.Points))
	}
	if res := runAll(t, s, 2); res.Count(StatusRan) != 2 {
		t.Fatalf("first run: %d ran, want 2", res.Count(StatusRan))
	}
	if res := runAll(t, loadTiny(t, dir, ws), 2); res.Count(StatusUpToDate) != 2 {
		t.Errorf("rerun: %d up to date, want 2", res.Count(StatusUpToDate))
	}
	s3 := loadTiny(t, dir, ws, "seeds=3")
	res := runAll(t, s3, 2)
	if res.Count(StatusRan) != 1 || res.Count(StatusUpToDate) != 2 {
		t.Errorf("one more seed: %d ran, %d up to date; want 1 and 2", res.Count(StatusRan), res.Count(StatusUpToDate))
	}
	if c := Counts(s3.Status()); c[StateDone] != 3 {
		t.Errorf("status: %v, want 3 done", c)
	}
	a, err := s3.Collect()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	tab, err := sinks.ReadParquet(filepath.Join(s3.Dir, TableFile))
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstSummaries(t, s3, tab)
}

// checkAgainstSummaries checks every row of sweep.parquet against its
// point's summary.json, read independently of Collect.
func checkAgainstSummaries(t *testing.T, s *Sweep, tab *sinks.ParquetFile) {
	t.Helper()
	col := map[string]sinks.ParquetColumn{}
	for _, c := range tab.Columns {
		col[c.Name] = c
	}
	if tab.Rows != int64(len(s.Points)) {
		t.Fatalf("sweep.parquet: %d rows, want %d", tab.Rows, len(s.Points))
	}
	byName := map[string]*PointRun{}
	for _, p := range s.Points {
		byName[p.Name] = p
	}
	for i := range int(tab.Rows) {
		name := col["point"].Strings[i]
		p := byName[name]
		if p == nil {
			t.Fatalf("row %d: unknown point %q", i, name)
		}
		sum := readSummary(t, p)
		if d, err := filepath.Abs(p.Dir()); err != nil || col["dir"].Strings == nil || col["dir"].Strings[i] != d {
			t.Errorf("%s: dir column does not hold the point's directory %s", name, d)
		}
		for _, f := range []string{"rate_accuracy", "best_lambda", "lif_accuracy"} {
			c, ok := col[f]
			if !ok {
				t.Fatalf("sweep.parquet has no column %s", f)
			}
			if want, _ := sum[f].(float64); c.Floats[i] != want {
				t.Errorf("%s %s: %v in sweep.parquet, %v in summary.json", name, f, c.Floats[i], want)
			}
		}
		for _, ax := range s.Matrix.Axes {
			c := col[ax.Name]
			switch want := p.Graph.Params[ax.Name].(type) {
			case int64:
				if c.Floats == nil || int64(c.Floats[i]) != want {
					t.Errorf("%s: column %s does not hold %v", name, ax.Name, want)
				}
			case string:
				if c.Strings == nil || c.Strings[i] != want {
					t.Errorf("%s: column %s does not hold %q", name, ax.Name, want)
				}
			default:
				t.Fatalf("%s: axis %s of type %T", name, ax.Name, want)
			}
		}
	}
}

// TestRunOneSlot runs the tiny sweep on a budget of one core slot with
// three workers in the λ search and the conversion: the point holds the
// only slot, so the workers beyond the first never get one and worker 0
// must run every trial (this deadlocked once). The results must be those
// of a run on two slots with one worker per core.
func TestRunOneSlot(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	dir := t.TempDir()
	one := loadTiny(t, dir, filepath.Join(dir, "one"), "workers=3")
	two := loadTiny(t, dir, filepath.Join(dir, "two"))
	type run struct {
		res *RunResult
		err error
	}
	done := make(chan run, 1)
	go func() {
		res, err := one.Run(context.Background(), one.Points, RunOptions{Jobs: 1})
		done <- run{res, err}
	}()
	select {
	case r := <-done:
		checkRun(t, r.res, r.err, 1)
	case <-time.After(2 * time.Minute):
		t.Fatal("the sweep on one slot did not finish in 2 minutes")
	}
	runAll(t, two, 2)
	for i := range one.Points {
		a, b := readSummary(t, one.Points[i]), readSummary(t, two.Points[i])
		for _, f := range []string{"trials_trained", "rate_accuracy", "best_lambda", "lambda_accuracy", "lif_accuracy", "lif_accuracy_by_condition", "n_spikes", "rate_hz_E", "rate_hz_I"} {
			ja, _ := json.Marshal(a[f])
			jb, _ := json.Marshal(b[f])
			if a[f] == nil || string(ja) != string(jb) {
				t.Errorf("%s %s: %s on one slot, %s on two", one.Points[i].Name, f, ja, jb)
			}
		}
	}
}

func readSummary(t *testing.T, p *PointRun) map[string]any {
	t.Helper()
	b, err := os.ReadFile(summaryPath(p.Graph))
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestFresh checks that the stamp of the aggregates says they are fresh
// until a point's records change or a written file goes.
func TestFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	dir := t.TempDir()
	s := loadTiny(t, dir, filepath.Join(dir, "runs"))
	runAll(t, s, 2)
	if s.Fresh() {
		t.Fatal("fresh before any aggregate")
	}
	a, err := s.Collect()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	if !s.Fresh() {
		t.Fatal("not fresh just after Write")
	}
	// A point finished again (its record rewritten) makes them stale.
	done := filepath.Join(s.Points[1].Dir(), DoneFile)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(done, later, later); err != nil {
		t.Fatal(err)
	}
	if s.Fresh() {
		t.Error("fresh after a point's record changed")
	}
	if err := a.Stamp(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(s.Dir, TableFile)); err != nil {
		t.Fatal(err)
	}
	if s.Fresh() {
		t.Errorf("fresh without %s", TableFile)
	}
	// One more point (pending) makes them stale too.
	a, _ = s.Collect()
	a.Write()
	if s3 := loadTiny(t, dir, filepath.Join(dir, "runs"), "seeds=3"); s3.Fresh() {
		t.Error("fresh with a pending point more")
	}
}
