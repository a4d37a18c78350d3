package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
