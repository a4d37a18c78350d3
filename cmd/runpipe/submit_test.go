package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/slurm"
)

// submitYAML has Slurm settings at both levels.
const submitYAML = `
	version: 1
	default: main
	slurm: {account: lab42, time: 30}
	pipelines:
	  main:
	    params: {n: 4, by: 2}
	    slurm: {partition: short, mem: 1G}
	    stages:
	      gen:   {kind: test-gen, with: {n: ${n}}}
	      scale: {kind: test-scale, in: {in: gen.out}, with: {by: ${by}}}
	      sum:   {kind: test-sum, in: {in: scale.out}}
	`

// fakeSbatch makes slurm.Submit run a stand-in for sbatch that logs its
// arguments to the returned file and prints job ids from 4001 on.
func fakeSbatch(t *testing.T) (calls string) {
	t.Helper()
	sb := filepath.Join(t.TempDir(), "sbatch")
	calls = sb + ".calls"
	if err := os.WriteFile(sb, []byte("#!/bin/sh\necho \"$@\" >> "+calls+"\nn=$(wc -l < "+calls+")\necho $((4000 + n))\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := slurm.Sbatch
	slurm.Sbatch = sb
	t.Cleanup(func() { slurm.Sbatch = old })
	return calls
}

// TestSubmitDryRun checks that --dry-run prints the script with the
// settings of the flags over the file's, and writes nothing.
func TestSubmitDryRun(t *testing.T) {
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, submitYAML)
	code, out, errOut := runpipe("submit", "--executor", "slurm", "-f", file, "--time", "1:00:00", "--cpus-per-task", "2", "--set", "by=3", "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	sdir := filepath.Join(dir, "runs", "main", "slurm")
	bin, err := slurm.ExecutablePath(exe, sdir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Pipeline main is not a sweep: it runs as one job",
		"#   sbatch --parsable " + filepath.Join(sdir, "run.sbatch") + "\n",
		"#SBATCH --partition=short\n#SBATCH --account=lab42\n#SBATCH --time=1:00:00\n#SBATCH --cpus-per-task=2\n#SBATCH --mem=1G\n",
		"#SBATCH --chdir=" + dir + "\n",
		"#SBATCH --output=" + filepath.Join(sdir, "logs") + "/run-%j.out\n",
		"exec " + bin + " run -f " + file + " --pipeline main --set by=3 --progress plain\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
		t.Errorf("the dry run wrote into the workspace (%v)", err)
	}
}

// TestSubmit submits through a stand-in for sbatch and checks what
// runpipe submit prints and leaves: the script, the logs directory and a
// copy of the running binary.
func TestSubmit(t *testing.T) {
	calls := fakeSbatch(t)
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, submitYAML)
	code, out, errOut := runpipe("submit", "--executor", "slurm", "-f", file)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	sdir := filepath.Join(dir, "runs", "main", "slurm")
	for _, want := range []string{
		"submitted pipeline main to Slurm as one job\n",
		"  job        4001  log: " + displayPath(filepath.Join(sdir, "logs", "run-4001.out")) + "\n",
		"follow it: squeue -j 4001; cancel: scancel 4001\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	log, _ := os.ReadFile(calls)
	if want := "--parsable " + filepath.Join(sdir, "run.sbatch") + "\n"; string(log) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", log, want)
	}
	script, err := os.ReadFile(filepath.Join(sdir, "run.sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	bins, _ := filepath.Glob(filepath.Join(sdir, "bin", "runpipe-*"))
	if len(bins) != 1 || !bytes.Contains(script, []byte("exec "+bins[0]+" run ")) {
		t.Fatalf("binaries %v; script:\n%s", bins, script)
	}
	exe, _ := os.Executable()
	a, _ := os.ReadFile(exe)
	b, _ := os.ReadFile(bins[0])
	if !bytes.Equal(a, b) {
		t.Errorf("%s is not a copy of the running binary", bins[0])
	}
}

// TestSubmitErrors checks the usage errors of runpipe submit: one message
// each, exit code 2, nothing written or submitted.
func TestSubmitErrors(t *testing.T) {
	calls := fakeSbatch(t)
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, submitYAML)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--executor", "kubernetes"}, `--executor "kubernetes": the only executor is slurm`},
		{[]string{"--shards", "0"}, "--shards 0: want at least 1"},
		{[]string{"--shards", "2"}, "--shards: pipeline main is not a sweep"},
		{[]string{"--cpus-per-task", "-2"}, "--cpus-per-task -2: want at least 1"},
		{[]string{"--time", "2h"}, `time "2h": want minutes`},
		{[]string{"--mem", "lots"}, `mem "lots"`},
		{[]string{"--partition", "a b"}, `partition "a b"`},
		{[]string{"--pipeline", "nope"}, "nope"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	} {
		code, _, errOut := runpipe(append([]string{"submit", "-f", file}, c.args...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("submit %v: exit %d, stderr:\n%s\nwant exit 2 and %q", c.args, code, errOut, c.want)
		}
	}
	bad := pipelinetest.WriteFile(t, t.TempDir(), strings.Replace(submitYAML, "mem: 1G", "mem: 1GB", 1))
	code, _, errOut := runpipe("submit", "-f", bad)
	if want := bad + ":7:36: slurm: mem \"1GB\""; code != exitUsage || !strings.Contains(errOut, want) {
		t.Errorf("bad slurm block: exit %d, stderr:\n%s\nwant %q", code, errOut, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
		t.Errorf("a refused submission wrote into the workspace (%v)", err)
	}
	if _, err := os.Stat(calls); !os.IsNotExist(err) {
		t.Errorf("a refused submission called sbatch (%v)", err)
	}
}

// sweepYAML is submitYAML's pipeline swept over n and by: 6 points.
const sweepYAML = submitYAML + `
	    sweep: {axes: {n: [1, 2, 3], by: [2, 5]}}
	`

// TestSubmitSweep submits a sweep through a stand-in for sbatch: a job
// array of one task per point unless --shards says fewer, and the
// aggregation job after it.
func TestSubmitSweep(t *testing.T) {
	for _, c := range []struct {
		args   []string
		shards int
		warn   string
	}{
		{nil, 6, ""},
		{[]string{"--shards", "4"}, 4, ""},
		{[]string{"--shards", "9"}, 6, "9 shards for 6 points: submitting 6 array tasks"},
	} {
		calls := fakeSbatch(t)
		dir := t.TempDir()
		file := pipelinetest.WriteFile(t, dir, sweepYAML)
		code, out, errOut := runpipe(append([]string{"submit", "-f", file}, c.args...)...)
		if code != exitOK || !strings.Contains(errOut, c.warn) {
			t.Fatalf("submit %v: exit %d\n%s", c.args, code, errOut)
		}
		sdir := filepath.Join(dir, "runs", "main", "slurm")
		logs := filepath.Join(sdir, "logs")
		for _, want := range []string{
			fmt.Sprintf("submitted the sweep of pipeline main to Slurm: 6 points in %d array tasks\n", c.shards),
			fmt.Sprintf("  job array  4001 (tasks 1-%d)  logs: %s … shard-4001_%d.out\n", c.shards, displayPath(filepath.Join(logs, "shard-4001_1.out")), c.shards),
			"  aggregate  4002 (after every task of 4001)  log: " + displayPath(filepath.Join(logs, "aggregate-4002.out")) + "\n",
			"follow it: runpipe status --pipeline main; squeue -j 4001,4002; cancel: scancel 4001 4002\n",
			"  points     before this submission: 0 done (found up to date), 0 running, 0 failed, 6 pending\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("submit %v: output lacks %q:\n%s", c.args, want, out)
			}
		}
		log, _ := os.ReadFile(calls)
		if want := "--parsable " + filepath.Join(sdir, "shards.sbatch") + "\n--parsable --dependency=afterany:4001 " + filepath.Join(sdir, "aggregate.sbatch") + "\n"; string(log) != want {
			t.Errorf("submit %v: sbatch calls:\n%s\nwant:\n%s", c.args, log, want)
		}
		script, err := os.ReadFile(filepath.Join(sdir, "shards.sbatch"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			fmt.Sprintf("#SBATCH --array=1-%d\n", c.shards),
			"#SBATCH --partition=short\n#SBATCH --account=lab42\n#SBATCH --time=30\n#SBATCH --mem=1G\n",
			fmt.Sprintf(` run -f %s --pipeline main --shard "${SLURM_ARRAY_TASK_ID}/%d" --jobs "${GOMAXPROCS}" --no-aggregate --progress plain`+"\n", file, c.shards),
		} {
			if !bytes.Contains(script, []byte(want)) {
				t.Errorf("submit %v: shards.sbatch lacks %q:\n%s", c.args, want, script)
			}
		}
		agg, err := os.ReadFile(filepath.Join(sdir, "aggregate.sbatch"))
		if err != nil {
			t.Fatal(err)
		}
		if want := " aggregate -f " + file + " --pipeline main\n"; !bytes.Contains(agg, []byte(want)) {
			t.Errorf("submit %v: aggregate.sbatch lacks %q:\n%s", c.args, want, agg)
		}
	}
}

// TestSubmitSweepDryRun checks that --dry-run prints both scripts of a
// sweep, with --max-points passed on, and writes nothing.
func TestSubmitSweepDryRun(t *testing.T) {
	calls := fakeSbatch(t)
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, sweepYAML)
	code, out, errOut := runpipe("submit", "-f", file, "--shards", "2", "--max-points", "6", "--dry-run")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	sdir := filepath.Join(dir, "runs", "main", "slurm")
	for _, want := range []string{
		"# dry run: nothing written or submitted. 6 points in 2 array tasks",
		"#   sbatch --parsable " + filepath.Join(sdir, "shards.sbatch") + "\n",
		"#   sbatch --parsable --dependency=afterany:<the array's job id> " + filepath.Join(sdir, "aggregate.sbatch") + "\n",
		"# ---- " + filepath.Join(sdir, "shards.sbatch") + "\n#!/bin/bash\n",
		"#SBATCH --array=1-2\n",
		` --pipeline main --max-points 6 --shard "${SLURM_ARRAY_TASK_ID}/2" --jobs`,
		"# ---- " + filepath.Join(sdir, "aggregate.sbatch") + "\n#!/bin/bash\n",
		" aggregate -f " + file + " --pipeline main --max-points 6\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
		t.Errorf("the dry run wrote into the workspace (%v)", err)
	}
	if _, err := os.Stat(calls); !os.IsNotExist(err) {
		t.Errorf("the dry run called sbatch (%v)", err)
	}
}

// TestSubmitSweepErrors checks that a sweep the file cannot run is refused
// on submission: one message, exit 2, nothing submitted.
func TestSubmitSweepErrors(t *testing.T) {
	calls := fakeSbatch(t)
	for _, c := range []struct{ yaml, args, want string }{
		{sweepYAML, "--max-points 5", "the axes make 6 points, above the limit of 5"},
		{sweepYAML, "--max-points 0", "--max-points 0: want at least 1"},
		{sweepYAML, "--set n=7", "--set n=7: n is an axis of the sweep of pipeline main"},
		{submitYAML, "--max-points 9", "--max-points: pipeline main is not a sweep"},
		{strings.Replace(sweepYAML, "by: [2, 5]", "bye: [2, 5]", 1), "", `axis "bye" names no param of pipeline main`},
	} {
		dir := t.TempDir()
		file := pipelinetest.WriteFile(t, dir, c.yaml)
		code, _, errOut := runpipe(append([]string{"submit", "-f", file}, strings.Fields(c.args)...)...)
		if code != exitUsage || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 2 {
			t.Errorf("submit %s: exit %d, stderr:\n%s\nwant exit 2 and %q", c.args, code, errOut, c.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "runs")); !os.IsNotExist(err) {
			t.Errorf("submit %s: a refused submission wrote into the workspace (%v)", c.args, err)
		}
	}
	if _, err := os.Stat(calls); !os.IsNotExist(err) {
		t.Errorf("a refused submission called sbatch (%v)", err)
	}
}

// TestSubmitSweepRunning checks that a submission while a point's lock is
// held (an earlier submission still running) says so, and submits.
func TestSubmitSweepRunning(t *testing.T) {
	calls := fakeSbatch(t)
	dir := t.TempDir()
	file := pipelinetest.WriteFile(t, dir, sweepYAML)
	lock, err := pipeline.LockWorkspace(context.Background(), filepath.Join(dir, "runs", "main", "n=2,by=5"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	code, out, errOut := runpipe("submit", "-f", file, "--shards", "3")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if want := "runpipe submit: warning: 1 of the 6 points are running (another run holds their lock: an earlier submission?)"; !strings.HasPrefix(errOut, want) {
		t.Errorf("stderr:\n%s\nwant %q", errOut, want)
	}
	if want := "  points     before this submission: 0 done (found up to date), 1 running, 0 failed, 5 pending\n"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	if log, _ := os.ReadFile(calls); bytes.Count(log, []byte("\n")) != 2 {
		t.Errorf("sbatch calls:\n%s", log)
	}
}
