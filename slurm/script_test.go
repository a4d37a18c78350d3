package slurm_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/slurm"
)

var update = flag.Bool("update", false, "rewrite the golden scripts in testdata")

func testJob() *slurm.Job {
	return &slurm.Job{
		File:       "/shared/lab/pipelines.yaml",
		Pipeline:   "sweep-n",
		Set:        []string{"trials=20", "factors=[20, 40]", "note=it's"},
		Executable: "/shared/lab/runs/sweep-n/slurm/bin/runpipe-0123456789ab",
		Dir:        "/shared/lab/runs/sweep-n/slurm",
		Options:    slurm.Options{Partition: "short", Time: "2:00:00", CPUsPerTask: 2, Mem: "4G", Account: "lab42", Shards: 8},
		MaxPoints:  5000,
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./slurm -update rewrites it):\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// TestScripts checks the two scripts, with every option and with none,
// against golden files.
func TestScripts(t *testing.T) {
	j := testJob()
	for _, c := range []struct {
		name string
		job  *slurm.Job
	}{
		{"full", j},
		{"bare", &slurm.Job{File: j.File, Pipeline: "grid", Executable: j.Executable, Dir: j.Dir, Options: slurm.Options{Shards: 3}}},
	} {
		s, err := c.job.ShardsScript()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, c.name+"-shards.sbatch", s)
		a, err := c.job.AggregateScript()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, c.name+"-aggregate.sbatch", a)
		bashSyntax(t, s)
		bashSyntax(t, a)
	}
	single := testJob()
	single.Single = true
	single.Options.Shards = 0
	r, err := single.RunScript()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "single-run.sbatch", r)
	bashSyntax(t, r)
	if _, err := single.ShardsScript(); err == nil || !strings.Contains(err.Error(), "not a sweep") {
		t.Errorf("ShardsScript of a single job: %v", err)
	}
	if _, err := single.AggregateScript(); err == nil || !strings.Contains(err.Error(), "not a sweep") {
		t.Errorf("AggregateScript of a single job: %v", err)
	}
}

// bashSyntax checks the script with bash -n, where bash is installed.
func bashSyntax(t *testing.T, script string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		return
	}
	cmd := exec.Command(bash, "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s\n%s", err, out, script)
	}
}

// TestScriptsRefuse checks the jobs a script cannot be written for.
func TestScriptsRefuse(t *testing.T) {
	for _, c := range []struct {
		edit func(j *slurm.Job)
		want string
	}{
		{func(j *slurm.Job) { j.File = "pipelines.yaml" }, `job file "pipelines.yaml" is not an absolute path`},
		{func(j *slurm.Job) { j.Dir = "/my runs/x" }, `job dir "/my runs/x": a path with a space`},
		{func(j *slurm.Job) { j.Executable = "/bin/run%pipe" }, `a path with a space, quote or %`},
		{func(j *slurm.Job) { j.Options.Shards = 0 }, `job with 0 shards`},
		{func(j *slurm.Job) { j.Pipeline = "" }, `job without a pipeline`},
		{func(j *slurm.Job) { j.Options.Time = "2h" }, `time "2h": want minutes`},
		{func(j *slurm.Job) { j.Options.Partition = "a b" }, `partition "a b"`},
	} {
		j := testJob()
		c.edit(j)
		_, err := j.ShardsScript()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ShardsScript: error %v, want one containing %q", err, c.want)
		}
		if _, err2 := j.AggregateScript(); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("AggregateScript: error %v, want %v", err2, err)
		}
	}
}

func TestLogs(t *testing.T) {
	j := testJob()
	if got, want := j.ShardLog("812", 3), "/shared/lab/runs/sweep-n/slurm/logs/shard-812_3.out"; got != want {
		t.Errorf("ShardLog = %s, want %s", got, want)
	}
	if got, want := j.RunLog("9"), "/shared/lab/runs/sweep-n/slurm/logs/run-9.out"; got != want {
		t.Errorf("RunLog = %s, want %s", got, want)
	}
	if got, want := j.AggregateLog("813"), "/shared/lab/runs/sweep-n/slurm/logs/aggregate-813.out"; got != want {
		t.Errorf("AggregateLog = %s, want %s", got, want)
	}
	if got, want := slurm.DirFor("/w/runs/p"), "/w/runs/p/slurm"; got != want {
		t.Errorf("DirFor = %s, want %s", got, want)
	}
}
