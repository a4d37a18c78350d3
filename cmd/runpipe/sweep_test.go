package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/sinks"
)

// tinySweepFile is a go-nogo pipeline small enough to run in a second,
// swept over seed from 1 to ${seeds}.
const tinySweepFile = `version: 1
pipelines:
  tiny:
    params: {seed: 1, N: 40, seeds: 2}
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
        with: {factors: [30, 50], trials: 10, seed: "${seed}"}
      convert:
        kind: lif-convert
        in: {model: export.model, lambda: lambda.best, task: trials.task}
        with: {trials: 10, seed: "${seed}"}
      eval: {kind: evaluate, in: {trials: convert.trials, task: trials.task, model: export.model}}
      summary:
        kind: summary
        in: {model: export.model, task: trials.task, training: train.training, search: lambda.search, evaluation: eval.evaluation}
        with: {seed: "${seed}"}
`

// mustRun runs runpipe in-process and fails the test unless it exits
// with want.
func mustRun(t *testing.T, want int, args ...string) (stdout, stderr string) {
	t.Helper()
	code, stdout, stderr := runpipe(args...)
	if code != want {
		t.Fatalf("runpipe %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout, stderr)
	}
	return stdout, stderr
}

func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// TestSweepCLI runs a tiny sweep end to end through the command line: a
// run, a rerun that does nothing, one more seed that runs only the new
// point, a shard, status --json, and aggregate, whose sweep.parquet and
// sweep_lambda.parquet are checked against the points' summary.json.
func TestSweepCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("trains networks")
	}
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, tinySweepFile)
	sweepDir := filepath.Join(dir, "runs", "tiny")
	stdout, stderr := mustRun(t, 0, "run", "-f", file, "--progress", "plain", "--jobs", "2")
	wantIn(t, "stdout", stdout, "sweep tiny (2 points)", "sweep tiny: 2 ran, 0 up to date", "aggregated 2 of 2 points", "sweep.parquet", "sweep_lambda.parquet")
	wantIn(t, "stderr", stderr, "] seed=1 ran lif_accuracy=", "] seed=2 ran lif_accuracy=")

	stdout, _ = mustRun(t, 0, "run", "-f", file, "--progress", "none")
	wantIn(t, "stdout of the rerun", stdout, "sweep tiny: 0 ran, 2 up to date", "nothing to run: every point is up to date", "the aggregates in ")
	if strings.Contains(stdout, "aggregated") {
		t.Errorf("a rerun that changed nothing wrote the aggregates again:\n%s", stdout)
	}

	stdout, _ = mustRun(t, 0, "run", "-f", file, "--set", "seeds=3", "--progress", "none", "--dry-run")
	wantIn(t, "stdout of --dry-run", stdout, "skip  seed=1  up to date", "run   seed=3  trials train", "1 of 3 points would run")
	if _, err := os.Stat(filepath.Join(sweepDir, "seed=3")); !os.IsNotExist(err) {
		t.Errorf("--dry-run made the new point's directory: %v", err)
	}

	stdout, _ = mustRun(t, 0, "run", "-f", file, "--set", "seeds=3", "--progress", "none", "--no-aggregate")
	wantIn(t, "stdout with one more seed", stdout, "sweep tiny: 1 ran, 2 up to date")
	if strings.Contains(stdout, "aggregated") {
		t.Errorf("--no-aggregate aggregated:\n%s", stdout)
	}
	checkAggregates(t, sweepDir, []string{"seed=1", "seed=2"}) // as the first run wrote them

	// Points in name order seed=1 … seed=4: shard 2 of 2 holds seed=2 and
	// seed=4, of which only seed=4 is new.
	stdout, _ = mustRun(t, 0, "run", "-f", file, "--set", "seeds=4", "--shard", "2/2", "--progress", "none", "--no-aggregate")
	wantIn(t, "stdout of shard 2/2", stdout, "shard 2/2: 2 of 4 points", "sweep tiny: 1 ran, 1 up to date")

	// The points run without aggregating make the aggregates stale: a run
	// with nothing to run writes them again.
	stdout, _ = mustRun(t, 0, "run", "-f", file, "--set", "seeds=3", "--progress", "none")
	wantIn(t, "stdout after points ran without aggregating", stdout, "sweep tiny: 0 ran, 3 up to date", "aggregated 3 of 3 points")
	checkAggregates(t, sweepDir, []string{"seed=1", "seed=2", "seed=3"})

	stdout, _ = mustRun(t, 0, "status", "-f", file, "--set", "seeds=5", "--json")
	var st statusJSON
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatalf("status --json: %v\n%s", err, stdout)
	}
	if c := st.Counts; c["done"] != 4 || c["pending"] != 1 || c["failed"] != 0 || c["running"] != 0 || len(st.Points) != 5 {
		t.Errorf("status --json: counts %v, %d points; want 4 done, 1 pending of 5", c, len(st.Points))
	}
	for _, p := range st.Points {
		if want := map[bool]string{true: "pending", false: "done"}[p.Point == "seed=5"]; p.State != want {
			t.Errorf("status --json: %s is %s, want %s", p.Point, p.State, want)
		}
	}
	stdout, _ = mustRun(t, 0, "status", "-f", file, "--set", "seeds=5")
	wantIn(t, "status", stdout, "5 points: 4 done, 0 running, 0 failed, 1 pending", "pending  seed=5")

	stdout, _ = mustRun(t, 0, "aggregate", "-f", file, "--set", "seeds=5")
	wantIn(t, "aggregate", stdout, "aggregated 4 of 5 points", "0 failed, 0 running, 1 pending")
	checkAggregates(t, sweepDir, []string{"seed=1", "seed=2", "seed=3", "seed=4"})
}

// checkAggregates checks sweep.parquet and sweep_lambda.parquet of the
// sweep in dir against the summary.json of the points, read here
// independently of the sweep package.
func checkAggregates(t *testing.T, dir string, points []string) {
	t.Helper()
	cols := func(file string) (*sinks.ParquetFile, map[string]sinks.ParquetColumn) {
		tab, err := sinks.ReadParquet(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]sinks.ParquetColumn{}
		for _, c := range tab.Columns {
			m[c.Name] = c
		}
		return tab, m
	}
	tab, col := cols("sweep.parquet")
	got := append([]string(nil), col["point"].Strings...)
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(points) {
		t.Fatalf("sweep.parquet: points %v, want %v", got, points)
	}
	sums := map[string]map[string]any{}
	for i := range int(tab.Rows) {
		name := col["point"].Strings[i]
		b, err := os.ReadFile(filepath.Join(dir, name, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		var sum map[string]any
		if err := json.Unmarshal(b, &sum); err != nil {
			t.Fatal(err)
		}
		sums[name] = sum
		num := func(v any) float64 {
			switch x := v.(type) {
			case float64:
				return x
			case bool:
				if x {
					return 1
				}
			}
			return 0
		}
		for _, f := range []string{"seed", "converged", "trials_trained", "rate_accuracy", "best_lambda", "lif_accuracy", "n_spikes", "rate_hz_E", "rate_hz_I"} {
			c, ok := col[f]
			if !ok || c.Floats == nil {
				t.Fatalf("sweep.parquet has no numeric column %s", f)
			}
			if want := num(sum[f]); c.Floats[i] != want {
				t.Errorf("%s %s: %v in sweep.parquet, %v in summary.json", name, f, c.Floats[i], want)
			}
		}
		for cond, v := range sum["lif_accuracy_by_condition"].(map[string]any) {
			if c := col["lif_accuracy_"+cond]; c.Floats == nil || c.Floats[i] != v.(float64) {
				t.Errorf("%s lif_accuracy_%s: not %v in sweep.parquet", name, cond, v)
			}
		}
	}
	tab, col = cols("sweep_lambda.parquet")
	n := 0
	for i := range int(tab.Rows) {
		name := col["point"].Strings[i]
		acc := sums[name]["lambda_accuracy"].(map[string]any)
		key := fmt.Sprint(col["factor"].Floats[i])
		if want, ok := acc[key]; !ok || col["accuracy"].Floats[i] != want.(float64) {
			t.Errorf("sweep_lambda.parquet: %s factor %s: accuracy %v, summary.json %v", name, key, col["accuracy"].Floats[i], acc[key])
		}
		n++
	}
	if n != 2*len(points) {
		t.Errorf("sweep_lambda.parquet: %d rows, want %d (2 factors × %d points)", n, 2*len(points), len(points))
	}
}

// failSweepFile sweeps test kinds over x; the point x=2 fails.
const failSweepFile = `version: 1
pipelines:
  f:
    params: {x: 1}
    sweep: {axes: {x: [1, 2, 3]}}
    stages:
      factors: {kind: test-factors, with: {factors: ["${x}"], fail_at: 2, delay: 100ms}}
`

// TestSweepCLIFailure checks that a failed point does not stop the others
// (exit code 1 after they ran, the point named), is recorded as failed for
// status, and that --keep-going=false starts no point after it.
func TestSweepCLIFailure(t *testing.T) {
	defer func(d time.Duration) { sweepPlainInterval = d }(sweepPlainInterval)
	sweepPlainInterval = 20 * time.Millisecond
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, failSweepFile)
	stdout, _ := mustRun(t, 0, "lint", "-f", file)
	wantIn(t, "lint", stdout, "ok (1 pipelines, 1 stages)\n  sweep f: 3 points over x (3)\n")
	stdout, stderr := mustRun(t, 1, "run", "-f", file, "--jobs", "1", "--progress", "plain", "--no-aggregate")
	wantIn(t, "stdout", stdout, "sweep f: 2 ran, 0 up to date, 1 failed", "x=2 failed: ", filepath.Join("x=2", "FAILED"))
	wantIn(t, "stderr", stderr, "1 of 3 points failed: x=2", "[1/3] x=1 ran (", "[2/3] x=2 failed", "[3/3] x=3 ran (",
		"[sweep] 0/3 points finished, 1 running, ", "; running: x=1 (")
	stdout, _ = mustRun(t, 0, "status", "-f", file, "--json")
	var st statusJSON
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	if st.Counts["done"] != 2 || st.Counts["failed"] != 1 {
		t.Errorf("status: %v, want 2 done and 1 failed", st.Counts)
	}
	// The failed point runs again (and fails again); the others are up to
	// date.
	stdout, stderr = mustRun(t, 1, "run", "-f", file, "--progress", "bar", "--no-aggregate")
	wantIn(t, "stdout of the rerun", stdout, "sweep f: 0 ran, 2 up to date, 1 failed")
	wantIn(t, "stderr of the rerun (a bar)", stderr, "points", "1/1", "[1/1] x=2 failed")

	dir2 := t.TempDir()
	file2 := pipelinetest.WriteFile(t, dir2, failSweepFile)
	stdout, _ = mustRun(t, 1, "run", "-f", file2, "--jobs", "1", "--keep-going=false", "--progress", "none", "--no-aggregate")
	wantIn(t, "stdout with --keep-going=false", stdout, "sweep f: 1 ran, 0 up to date, 1 failed, 1 cancelled", "x=3 cancelled: not started")
}

// TestSweepFlagsNeedASweep checks that the sweep flags are refused on a
// pipeline that is not a sweep, and status and aggregate too.
func TestSweepFlagsNeedASweep(t *testing.T) {
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, goodYAML)
	for _, args := range [][]string{
		{"run", "--shard", "1/2"}, {"run", "--no-aggregate"}, {"run", "--max-points", "5"}, {"run", "--keep-going=false"},
		{"status"}, {"aggregate"},
	} {
		code, _, stderr := runpipe(append(args, "-f", file)...)
		if code != exitUsage || !strings.Contains(stderr, "is not a sweep (it has no sweep: block)") {
			t.Errorf("runpipe %v: exit %d, stderr %q; want 2 and 'is not a sweep'", args, code, stderr)
		}
	}
	sw := filepath.Join(t.TempDir(), "pipelines.yaml")
	if err := os.WriteFile(sw, []byte(failSweepFile), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--shard", "3/2"}, "--shard \"3/2\": want 1 ≤ I ≤ N"},
		{[]string{"run", "--shard", "x"}, "--shard \"x\": want I/N"},
		{[]string{"run", "--jobs", "0"}, "--jobs 0: want at least 1"},
		{[]string{"run", "--max-points", "0"}, "--max-points 0: want at least 1"},
		{[]string{"run", "--max-points", "2"}, "the axes make 3 points, above the limit of 2 (raise it with --max-points 3"},
		{[]string{"run", "--only", "nope"}, "--only nope: pipeline f has no stage nope"},
		{[]string{"run", "--wait", "1s"}, "--wait: not for a sweep"},
		{[]string{"status", "--max-points", "2"}, "above the limit of 2"},
	} {
		code, _, stderr := runpipe(append(c.args, "-f", sw)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("runpipe %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(sw), "runs")); !os.IsNotExist(err) {
		t.Errorf("a refused command wrote the workspace: %v", err)
	}
}

// TestSweepKilled kills (SIGKILL) a sweep run during its second point and
// checks that status then says the first point is done and the others
// pending, and that the rerun runs only the unfinished points, the killed
// one resuming with the factors it had not finished.
func TestSweepKilled(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	file := pipelinetest.WriteFile(t, dir, fmt.Sprintf(`version: 1
pipelines:
  k:
    params: {x: 1}
    sweep: {axes: {x: [1, 2, 3]}}
    stages:
      factors: {kind: test-factors, with: {factors: [10, 20, 30, 40], delay: 250ms, log: "%s/x${x}.log"}}
`, logs))
	cmd, _, stderr := helper(t, "run", "-f", file, "--jobs", "1", "--progress", "none", "--no-aggregate")
	sweepDir := filepath.Join(dir, "runs", "k")
	waitFile(t, filepath.Join(sweepDir, "x=1", "point.json"))
	waitContent(t, filepath.Join(logs, "x2.log"))
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	stdout, _ := mustRun(t, 0, "status", "-f", file, "--json")
	var st statusJSON
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	for _, p := range st.Points {
		if want := map[bool]string{true: "done", false: "pending"}[p.Point == "x=1"]; p.State != want {
			t.Errorf("after the kill: %s is %s, want %s\n%s", p.Point, p.State, want, stderr)
		}
	}
	before, _ := os.ReadFile(filepath.Join(logs, "x2.log"))
	stdout, _ = mustRun(t, 0, "run", "-f", file, "--progress", "none", "--no-aggregate")
	wantIn(t, "stdout of the rerun", stdout, "sweep k: 2 ran, 1 up to date")
	after, _ := os.ReadFile(filepath.Join(logs, "x2.log"))
	done := strings.Fields(string(before))
	all := strings.Fields(string(after))
	if len(done) == 0 || len(done) == 4 || fmt.Sprint(sorted(all)) != "[10 20 30 40]" {
		t.Errorf("factors of the killed point: %v before the kill, %v in all; want each of 10 20 30 40 once, some before", done, all)
	}
	for _, x := range []string{"x1", "x3"} {
		b, _ := os.ReadFile(filepath.Join(logs, x+".log"))
		if got := strings.Fields(string(b)); fmt.Sprint(sorted(got)) != "[10 20 30 40]" {
			t.Errorf("factors of %s: %v, want each of 10 20 30 40 once", x, got)
		}
	}
}

// TestSweepInterrupt interrupts (SIGINT) a sweep run during its second
// point: exit code 130, the point cancelled, not failed (no FAILED record),
// so that status says pending and the rerun runs it.
func TestSweepInterrupt(t *testing.T) {
	dir := t.TempDir()
	logs := filepath.Join(dir, "logs")
	if err := os.Mkdir(logs, 0o755); err != nil {
		t.Fatal(err)
	}
	file := pipelinetest.WriteFile(t, dir, fmt.Sprintf(`version: 1
pipelines:
  k:
    params: {x: 1}
    sweep: {axes: {x: [1, 2, 3]}}
    stages:
      factors: {kind: test-factors, with: {factors: [10, 20, 30, 40], delay: 250ms, log: "%s/x${x}.log"}}
`, logs))
	cmd, stdout, stderr := helper(t, "run", "-f", file, "--jobs", "1", "--progress", "none")
	sweepDir := filepath.Join(dir, "runs", "k")
	waitFile(t, filepath.Join(sweepDir, "x=1", "point.json"))
	waitFile(t, filepath.Join(logs, "x2.log"))
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd.Wait()); code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s\n%s", code, exitInterrupted, stdout, stderr)
	}
	wantIn(t, "stdout", stdout.String(), "sweep k: 1 ran, 0 up to date, 2 cancelled")
	wantIn(t, "stderr", stderr.String(), "runpipe: interrupted: points that had not finished left nothing a rerun trusts")
	if _, err := os.Stat(filepath.Join(sweepDir, "x=2", "FAILED")); !os.IsNotExist(err) {
		t.Errorf("the interrupted point has a FAILED record: %v", err)
	}
	out, _ := mustRun(t, 0, "status", "-f", file)
	wantIn(t, "status", out, "3 points: 1 done, 0 running, 0 failed, 2 pending")
	out, _ = mustRun(t, 0, "run", "-f", file, "--progress", "none", "--no-aggregate")
	wantIn(t, "stdout of the rerun", out, "sweep k: 2 ran, 1 up to date")
}

func sorted(xs []string) []string {
	ys := append([]string(nil), xs...)
	sort.Strings(ys)
	return ys
}
