package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/sinks"
)

// requireSlurm skips the test when no Slurm answers here (sbatch missing,
// or no controller), unless SPIKERNN_REQUIRE_SLURM=1 (as in CI, where
// .ci/slurm/start runs one), which makes that a failure.
func requireSlurm(t *testing.T) {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("SPIKERNN_REQUIRE_SLURM") == "1" {
		fail = t.Fatalf
	}
	if _, err := exec.LookPath("sbatch"); err != nil {
		fail("no sbatch in PATH (install slurm-wlm and run .ci/slurm/start as root)")
		return
	}
	out, err := exec.Command("sinfo", "-h", "-o", "%T").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "idle") && !strings.Contains(string(out), "mix") && !strings.Contains(string(out), "alloc") {
		fail("no Slurm node answers (sinfo: %v %s); start one with .ci/slurm/start", err, bytes.TrimSpace(out))
	}
}

// buildRunpipe builds this command into dir and returns the binary.
func buildRunpipe(t *testing.T, dir string) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build runpipe with: %v", err)
	}
	bin := filepath.Join(dir, "runpipe")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// execRunpipe runs the binary in dir and returns its exit code and output.
func execRunpipe(t *testing.T, bin, dir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return exitCode(t, err), string(out)
}

// waitJobs waits until Slurm no longer lists the jobs as pending or
// running, and returns the state of every job and array task, e.g.
// {"812_1": "COMPLETED", "813": "COMPLETED"}.
func waitJobs(t *testing.T, timeout time.Duration, ids ...string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out, err := exec.Command("squeue", "-h", "-j", strings.Join(ids, ","), "-o", "%i %T").CombinedOutput()
		if err == nil && len(bytes.TrimSpace(out)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", ids...).Run()
			t.Fatalf("jobs %v still queued after %v:\n%s", ids, timeout, out)
		}
		time.Sleep(250 * time.Millisecond)
	}
	return jobStates(t, ids...)
}

// jobStates returns the state of every job and array task of ids, from
// scontrol (the cluster keeps finished jobs for MinJobAge).
func jobStates(t *testing.T, ids ...string) map[string]string {
	t.Helper()
	states := map[string]string{}
	for _, id := range ids {
		out, err := exec.Command("scontrol", "-o", "show", "job", id).CombinedOutput()
		if err != nil {
			t.Fatalf("scontrol show job %s: %v\n%s", id, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := map[string]string{}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				f[k] = v
			}
			name := f["JobId"]
			if task := f["ArrayTaskId"]; task != "" {
				name = f["ArrayJobId"] + "_" + task
			}
			states[name] = f["JobState"]
		}
	}
	return states
}

// table reads a Parquet file (a sweep.parquet) as rows of cells, without the columns
// that measure time or name directories, which differ between two runs
// of the same sweep.
func table(t *testing.T, path string) (cols []string, rows [][]string) {
	t.Helper()
	f, err := sinks.ReadParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	var keep []sinks.ParquetColumn
	for _, c := range f.Columns {
		n := strings.ToLower(c.Name)
		if strings.Contains(n, "second") || strings.Contains(n, "time") || strings.Contains(n, "dir") || strings.Contains(n, "path") {
			continue
		}
		keep = append(keep, c)
		cols = append(cols, c.Name)
	}
	for i := range int(f.Rows) {
		row := make([]string, len(keep))
		for j, c := range keep {
			if c.Strings != nil {
				row[j] = c.Strings[i]
			} else {
				row[j] = strconv.FormatFloat(c.Floats[i], 'g', -1, 64) // exact
			}
		}
		rows = append(rows, row)
	}
	return cols, rows
}

// sameTable checks that two Parquet files hold the same rows with
// the same values (bit for bit), timing and directory columns aside.
func sameTable(t *testing.T, want, got string) {
	t.Helper()
	wc, wr := table(t, want)
	gc, gr := table(t, got)
	if strings.Join(wc, ",") != strings.Join(gc, ",") {
		t.Fatalf("columns differ:\n%v\n%v", wc, gc)
	}
	if len(wr) != len(gr) {
		t.Fatalf("%s has %d rows, %s %d", want, len(wr), got, len(gr))
	}
	if len(wr) == 0 {
		t.Fatalf("%s has no rows", want)
	}
	for i := range wr {
		if strings.Join(wr[i], "\x00") != strings.Join(gr[i], "\x00") {
			t.Errorf("row %d differs:\n%v\n%v\n(columns %v)", i, wr[i], gr[i], wc)
		}
	}
}

// tinyYAML is a go-nogo pipeline small enough to run in a few seconds:
// train, λ search (about half of the time), conversion, evaluation and
// summary.
const tinyYAML = `version: 1
workspace: runs
pipelines:
  tiny:
    params: {seed: 1, N: 60, max_trials: 800, factors: [20, 30, 40, 50], lambda_trials: 150, trials: 20}
    stages:
      trials: {kind: task-trials, with: {task: go-nogo, seed: "${seed}", count: 4000}}
      train:
        kind: train-rate
        in: {trials: trials.out, task: trials.task}
        with: {N: "${N}", taus: [4, 20], max_trials: "${max_trials}", seed: "${seed}"}
      export: {kind: export-mat, in: {model: train.model}}
      lambda:
        kind: lambda-search
        in: {model: export.model, task: trials.task}
        with: {factors: "${factors}", trials: "${lambda_trials}", seed: "${seed}"}
      convert:
        kind: lif-convert
        in: {model: export.model, lambda: lambda.best, task: trials.task}
        with: {trials: "${trials}", seed: "${seed}"}
      eval: {kind: evaluate, in: {trials: convert.trials, task: trials.task, model: export.model}}
      table:
        kind: parquet
        in: {rows: eval.rows}
        with: {path: trials.parquet}
      summary:
        kind: summary
        in: {model: export.model, task: trials.task, training: train.training, search: lambda.search, evaluation: eval.evaluation}
        with: {seed: "${seed}"}
`

// summaryWithoutTimes reads a summary.json without its seconds.
func summaryWithoutTimes(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	delete(m, "seconds")
	return m
}

// TestSlurmPipeline submits a pipeline that is not a sweep to a real
// Slurm with runpipe submit (one job), and checks that its outputs equal
// those of the same pipeline run here; then submits it again in another
// workspace, kills the job with SIGKILL during the λ search, submits
// again and checks that the second job reruns only what had not finished
// and that the outputs are the same again.
func TestSlurmPipeline(t *testing.T) {
	requireSlurm(t)
	root := t.TempDir()
	bin := buildRunpipe(t, root)
	local, cluster, killed := filepath.Join(root, "local"), filepath.Join(root, "cluster"), filepath.Join(root, "killed")
	for _, d := range []string{local, cluster, killed} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "pipelines.yaml"), []byte(tinyYAML), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if code, out := execRunpipe(t, bin, local, "run"); code != 0 {
		t.Fatalf("local run: exit %d\n%s", code, out)
	}
	localTime := time.Since(start)

	start = time.Now()
	code, out := execRunpipe(t, bin, cluster, "submit", "--executor", "slurm", "--time", "10")
	if code != 0 {
		t.Fatalf("submit: exit %d\n%s", code, out)
	}
	m := []string{"", jobID(t, out)}
	states := waitJobs(t, 5*time.Minute, m[1])
	slurmTime := time.Since(start)
	logFile := filepath.Join(cluster, "runs", "tiny", "slurm", "logs", "run-"+m[1]+".out")
	if states[m[1]] != "COMPLETED" {
		log, _ := os.ReadFile(logFile)
		t.Fatalf("job %s: %s\n%s", m[1], states[m[1]], log)
	}
	t.Logf("tiny go-nogo pipeline: %.1fs here, %.1fs through Slurm (submission to the end of the job)", localTime.Seconds(), slurmTime.Seconds())

	if log, err := os.ReadFile(logFile); err != nil || !bytes.Contains(log, []byte("pipeline tiny: 8 ran")) {
		t.Errorf("log %s (%v):\n%s", logFile, err, log)
	}
	lw, cw := filepath.Join(local, "runs", "tiny"), filepath.Join(cluster, "runs", "tiny")
	if a, b := summaryWithoutTimes(t, filepath.Join(lw, "summary.json")), summaryWithoutTimes(t, filepath.Join(cw, "summary.json")); !reflect.DeepEqual(a, b) {
		t.Errorf("summary.json differs:\nhere:  %v\nSlurm: %v", a, b)
	}
	sameTable(t, filepath.Join(lw, "trials.parquet"), filepath.Join(cw, "trials.parquet"))
	sameTable(t, filepath.Join(lw, "lambda.parquet"), filepath.Join(cw, "lambda.parquet"))

	// Kill the job once training is committed, during the λ search.
	kw := filepath.Join(killed, "runs", "tiny")
	code, out = execRunpipe(t, bin, killed, "submit", "--time", "10")
	if code != 0 {
		t.Fatalf("submit: exit %d\n%s", code, out)
	}
	id := jobID(t, out)
	trained := filepath.Join(kw, pipeline.StagesDir, "export", pipeline.ManifestName)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(trained); err == nil {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", id).Run()
			t.Fatalf("the job did not train in 3 min")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if out, err := exec.Command("scancel", "--signal=KILL", "--full", id).CombinedOutput(); err != nil {
		t.Fatalf("scancel: %v\n%s", err, out)
	}
	states = waitJobs(t, time.Minute, id)
	if _, err := os.Stat(filepath.Join(kw, "summary.json")); err == nil {
		t.Fatalf("the job finished before it was killed (%s): make the λ search of tinyYAML longer", states[id])
	}
	t.Logf("job %s killed during the λ search: %s", id, states[id])
	code, out = execRunpipe(t, bin, killed, "submit", "--time", "10")
	if code != 0 {
		t.Fatalf("resubmit: exit %d\n%s", code, out)
	}
	id2 := jobID(t, out)
	if states = waitJobs(t, 5*time.Minute, id2); states[id2] != "COMPLETED" {
		t.Fatalf("resubmitted job %s: %s", id2, states[id2])
	}
	log, _ := os.ReadFile(filepath.Join(kw, "slurm", "logs", "run-"+id2+".out"))
	// trials, train and export are cached: 5 of the 8 stages run again.
	if !bytes.Contains(log, []byte("pipeline tiny: 5 ran, 3 skipped")) {
		t.Errorf("the resubmitted job did not rerun only the unfinished stages:\n%s", log)
	}
	if a, b := summaryWithoutTimes(t, filepath.Join(lw, "summary.json")), summaryWithoutTimes(t, filepath.Join(kw, "summary.json")); !reflect.DeepEqual(a, b) {
		t.Errorf("summary.json differs after kill and resubmit:\nhere:  %v\nSlurm: %v", a, b)
	}
	sameTable(t, filepath.Join(lw, "trials.parquet"), filepath.Join(kw, "trials.parquet"))
	sameTable(t, filepath.Join(lw, "lambda.parquet"), filepath.Join(kw, "lambda.parquet"))
}

// jobID returns the job id runpipe submit printed for a single job.
func jobID(t *testing.T, out string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  job        (\d+)  log: `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job id in the output of runpipe submit:\n%s", out)
	}
	return m[1]
}

// tinySweepYAML sweeps tinyYAML's pipeline over two seeds and two network
// sizes: 4 points, a few seconds each.
var tinySweepYAML = tinyYAML + "    sweep: {axes: {seed: [1, 2], N: [40, 60]}}\n"

// tinySweepPoints are its points in name order; shard 1 of 2 holds the
// first and the third.
var tinySweepPoints = []string{"seed=1,N=40", "seed=1,N=60", "seed=2,N=40", "seed=2,N=60"}

// arrayIDs returns the ids of the job array and of the aggregation job
// that runpipe submit printed for a sweep.
func arrayIDs(t *testing.T, out string) (array, aggregate string) {
	t.Helper()
	a := regexp.MustCompile(`(?m)^  job array  (\d+) \(tasks 1-\d+\)  logs: `).FindStringSubmatch(out)
	g := regexp.MustCompile(`(?m)^  aggregate  (\d+) \(after every task of \d+\)  log: `).FindStringSubmatch(out)
	if a == nil || g == nil {
		t.Fatalf("no job ids in the output of runpipe submit:\n%s", out)
	}
	return a[1], g[1]
}

// sweepStatus runs runpipe status --json in dir and returns the state of
// every point.
func sweepStatus(t *testing.T, bin, dir string) map[string]string {
	t.Helper()
	cmd := exec.Command(bin, "status", "--pipeline", "tiny", "--json")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("runpipe status --json: %v\n%s", err, out)
	}
	var st struct {
		Points []struct{ Point, State string }
	}
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatalf("runpipe status --json: %v\n%s", err, out)
	}
	states := map[string]string{}
	for _, p := range st.Points {
		states[p.Point] = p.State
	}
	return states
}

// slurmLogs returns the logs of a sweep's jobs in workspace dir, for a
// failure message.
func slurmLogs(dir string) string {
	var b strings.Builder
	logs, _ := filepath.Glob(filepath.Join(dir, "runs", "tiny", "slurm", "logs", "*.out"))
	for _, l := range logs {
		data, _ := os.ReadFile(l)
		fmt.Fprintf(&b, "---- %s\n%s", filepath.Base(l), data)
	}
	return b.String()
}

// TestSlurmSweep submits a tiny sweep (4 points) to a real Slurm with
// runpipe submit, as a job array of 2 tasks of 2 points each and an
// aggregation job, follows it with runpipe status, and checks that its
// sweep.parquet and sweep_lambda.parquet equal those of the same sweep
// run here. Then it submits the sweep again in another workspace, kills
// array task 1 with SIGKILL and cancels task 2 (SIGTERM), each during the
// λ search of one of its points, checks that runpipe status shows those
// points pending, submits again and checks that only the unfinished points
// ran and that the tables are the same again.
func TestSlurmSweep(t *testing.T) {
	requireSlurm(t)
	root := t.TempDir()
	bin := buildRunpipe(t, root)
	local, cluster, killed := filepath.Join(root, "local"), filepath.Join(root, "cluster"), filepath.Join(root, "killed")
	for _, d := range []string{local, cluster, killed} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "pipelines.yaml"), []byte(tinySweepYAML), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if code, out := execRunpipe(t, bin, local, "run", "--jobs", "2"); code != 0 {
		t.Fatalf("local run: exit %d\n%s", code, out)
	}
	localTime := time.Since(start)
	lw := filepath.Join(local, "runs", "tiny")

	// The sweep through Slurm, followed with runpipe status.
	start = time.Now()
	code, out := execRunpipe(t, bin, cluster, "submit", "--executor", "slurm", "--shards", "2", "--time", "10")
	if code != 0 {
		t.Fatalf("submit: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "4 points in 2 array tasks") {
		t.Errorf("submit output:\n%s", out)
	}
	array, agg := arrayIDs(t, out)
	sawRunning := false
	for deadline := time.Now().Add(5 * time.Minute); ; {
		q, _ := exec.Command("squeue", "-h", "-j", array+","+agg).Output()
		if len(bytes.TrimSpace(q)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", array, agg).Run()
			t.Fatalf("the sweep did not end in 5 min:\n%s", slurmLogs(cluster))
		}
		for _, s := range sweepStatus(t, bin, cluster) {
			sawRunning = sawRunning || s == "running"
		}
		time.Sleep(100 * time.Millisecond)
	}
	slurmTime := time.Since(start)
	states := jobStates(t, array, agg)
	for _, id := range []string{array + "_1", array + "_2", agg} {
		if states[id] != "COMPLETED" {
			t.Fatalf("job %s: %s (all: %v)\n%s", id, states[id], states, slurmLogs(cluster))
		}
	}
	t.Logf("tiny sweep (4 points): %.1fs here (--jobs 2), %.1fs through Slurm (2 array tasks of 1 core, submission to the end of the aggregation job)", localTime.Seconds(), slurmTime.Seconds())
	if !sawRunning {
		t.Errorf("runpipe status never showed a point running during the Slurm run")
	}
	for p, s := range sweepStatus(t, bin, cluster) {
		if s != "done" {
			t.Errorf("after the Slurm run, runpipe status says point %s is %s", p, s)
		}
	}
	cw := filepath.Join(cluster, "runs", "tiny")
	sameTable(t, filepath.Join(lw, "sweep.parquet"), filepath.Join(cw, "sweep.parquet"))
	sameTable(t, filepath.Join(lw, "sweep_lambda.parquet"), filepath.Join(cw, "sweep_lambda.parquet"))

	// Once a point of each task has trained, during that point's λ
	// search, kill task 1 with SIGKILL and cancel task 2 with scancel
	// (SIGTERM, as at a time limit or a preemption).
	kw := filepath.Join(killed, "runs", "tiny")
	code, out = execRunpipe(t, bin, killed, "submit", "--shards", "2", "--time", "10")
	if code != 0 {
		t.Fatalf("submit: exit %d\n%s", code, out)
	}
	array, agg = arrayIDs(t, out)
	victims := map[int]string{}
	kill := map[int][]string{1: {"--signal=KILL", "--full", array + "_1"}, 2: {array + "_2"}}
	for deadline := time.Now().Add(3 * time.Minute); len(victims) < 2; {
		for k, p := range tinySweepPoints {
			task := k%2 + 1
			if victims[task] != "" {
				continue
			}
			pd := filepath.Join(kw, p)
			_, trained := os.Stat(filepath.Join(pd, pipeline.StagesDir, "export", pipeline.ManifestName))
			_, summarized := os.Stat(filepath.Join(pd, "summary.json"))
			if trained == nil && summarized != nil {
				victims[task] = p
				if out, err := exec.Command("scancel", kill[task]...).CombinedOutput(); err != nil {
					t.Fatalf("scancel %v: %v\n%s", kill[task], err, out)
				}
			}
		}
		if time.Now().After(deadline) {
			exec.Command("scancel", array, agg).Run()
			t.Fatalf("the array tasks did not each train a point in 3 min (%v):\n%s", victims, slurmLogs(killed))
		}
		time.Sleep(10 * time.Millisecond)
	}
	states = waitJobs(t, 3*time.Minute, array, agg)
	for task, p := range victims {
		if _, err := os.Stat(filepath.Join(kw, p, "summary.json")); err == nil {
			t.Fatalf("point %s finished before array task %d was killed (%v): make the λ search of tinyYAML longer", p, task, states)
		}
		if id := fmt.Sprintf("%s_%d", array, task); states[id] == "COMPLETED" {
			t.Errorf("array task %s, killed, is %s", id, states[id])
		}
	}
	t.Logf("array task %s_1 killed (SIGKILL) during the λ search of point %s, task %s_2 cancelled (SIGTERM) during that of %s: %v", array, victims[1], array, victims[2], states)
	if log, err := os.ReadFile(filepath.Join(kw, "slurm", "logs", "shard-"+array+"_2.out")); err != nil || !bytes.Contains(log, []byte("runpipe: interrupted: points that had not finished left nothing a rerun trusts")) {
		t.Errorf("task 2, cancelled, did not stop as on SIGTERM (%v):\n%s", err, log)
	}
	st := sweepStatus(t, bin, killed)
	counts := map[string]int{}
	for _, s := range st {
		counts[s]++
	}
	if st[victims[1]] != "pending" || st[victims[2]] != "pending" || counts["done"]+counts["pending"] != len(tinySweepPoints) {
		t.Errorf("after the kills, runpipe status says %v; want %s and %s pending, the others done or pending", st, victims[1], victims[2])
	}
	finished := map[string]time.Time{}
	for p, s := range st {
		if s == "done" {
			fi, err := os.Stat(filepath.Join(kw, p, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			finished[p] = fi.ModTime()
		}
	}
	code, out = execRunpipe(t, bin, killed, "submit", "--shards", "2", "--time", "10")
	if code != 0 {
		t.Fatalf("resubmit: exit %d\n%s", code, out)
	}
	if want := fmt.Sprintf("  points     before this submission: %d done (found up to date), 0 running, 0 failed, %d pending\n", counts["done"], counts["pending"]); !strings.Contains(out, want) {
		t.Errorf("resubmit output lacks %q:\n%s", want, out)
	}
	array, agg = arrayIDs(t, out)
	states = waitJobs(t, 5*time.Minute, array, agg)
	for _, id := range []string{array + "_1", array + "_2", agg} {
		if states[id] != "COMPLETED" {
			t.Fatalf("resubmitted job %s: %s (all: %v)\n%s", id, states[id], states, slurmLogs(killed))
		}
	}
	for p, s := range sweepStatus(t, bin, killed) {
		if s != "done" {
			t.Errorf("after the resubmission, runpipe status says point %s is %s", p, s)
		}
	}
	for p, mt := range finished {
		if fi, err := os.Stat(filepath.Join(kw, p, "summary.json")); err != nil || !fi.ModTime().Equal(mt) {
			t.Errorf("point %s, finished before the resubmission, ran again (%v)", p, err)
		}
	}
	sameTable(t, filepath.Join(lw, "sweep.parquet"), filepath.Join(kw, "sweep.parquet"))
	sameTable(t, filepath.Join(lw, "sweep_lambda.parquet"), filepath.Join(kw, "sweep_lambda.parquet"))
}
