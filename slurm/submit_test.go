package slurm_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/slurm"
)

// fakeSbatch installs a stand-in for sbatch that appends its arguments to
// a log and prints the next job id as sbatch --parsable does (with a
// cluster name), or fails when the script argument matches fail.
func fakeSbatch(t *testing.T, fail string) (log string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in for sbatch is a shell script")
	}
	dir := t.TempDir()
	log = filepath.Join(dir, "calls")
	script := `#!/bin/sh
echo "$@" >> ` + log + `
case "$*" in *` + fail + `*) echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1;; esac
n=$(wc -l < ` + log + `)
echo "$((700 + n));cluster1"
`
	sb := filepath.Join(dir, "sbatch")
	if err := os.WriteFile(sb, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := slurm.Sbatch
	slurm.Sbatch = sb
	t.Cleanup(func() { slurm.Sbatch = old })
	return log
}

// TestSubmit checks that Submit writes both scripts, submits the array
// and then the aggregation job depending on it, and returns the ids.
func TestSubmit(t *testing.T) {
	calls := fakeSbatch(t, "no-such-script")
	j := testJob()
	j.Dir = filepath.Join(t.TempDir(), "runs", "sweep-n", "slurm")
	s, err := slurm.Submit(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if s.ArrayID != "701" || s.AggregateID != "702" {
		t.Errorf("ids %s, %s; want 701, 702", s.ArrayID, s.AggregateID)
	}
	log, _ := os.ReadFile(calls)
	want := "--parsable " + filepath.Join(j.Dir, "shards.sbatch") + "\n" +
		"--parsable --dependency=afterany:701 " + filepath.Join(j.Dir, "aggregate.sbatch") + "\n"
	if string(log) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", log, want)
	}
	for path, make := range map[string]func() (string, error){s.ShardsScript: j.ShardsScript, s.AggregateScript: j.AggregateScript} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if want, _ := make(); string(got) != want {
			t.Errorf("%s holds:\n%s\nwant:\n%s", path, got, want)
		}
	}
	if fi, err := os.Stat(filepath.Join(j.Dir, "logs")); err != nil || !fi.IsDir() {
		t.Errorf("logs directory: %v", err)
	}
}

// TestSubmitSingle checks the submission of a pipeline that is not a
// sweep: one job, no aggregation.
func TestSubmitSingle(t *testing.T) {
	calls := fakeSbatch(t, "no-such-script")
	j := testJob()
	j.Single = true
	j.Dir = filepath.Join(t.TempDir(), "slurm")
	s, err := slurm.Submit(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if s.JobID != "701" || s.ArrayID != "" || s.AggregateID != "" || s.RunScript != filepath.Join(j.Dir, "run.sbatch") {
		t.Errorf("submission %+v", s)
	}
	log, _ := os.ReadFile(calls)
	if want := "--parsable " + s.RunScript + "\n"; string(log) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", log, want)
	}
	got, _ := os.ReadFile(s.RunScript)
	if want, _ := j.RunScript(); string(got) != want {
		t.Errorf("run.sbatch holds:\n%s\nwant:\n%s", got, want)
	}
}

// TestSubmitFails checks the errors of a failed submission: sbatch's own
// message, and for a failed aggregation job the id of the array that was
// submitted.
func TestSubmitFails(t *testing.T) {
	fakeSbatch(t, "shards.sbatch")
	j := testJob()
	j.Dir = t.TempDir()
	s, err := slurm.Submit(context.Background(), j)
	if s != nil || err == nil || !strings.Contains(err.Error(), "Invalid partition name specified") {
		t.Errorf("Submit = %v, %v", s, err)
	}

	fakeSbatch(t, "aggregate.sbatch")
	s, err = slurm.Submit(context.Background(), j)
	if s == nil || s.ArrayID != "701" || err == nil || !strings.Contains(err.Error(), "the job array 701 is submitted") {
		t.Errorf("Submit = %+v, %v", s, err)
	}

	slurm.Sbatch = filepath.Join(t.TempDir(), "sbatch")
	_, err = slurm.Submit(context.Background(), j)
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Submit without sbatch: %v", err)
	}
}

// TestInstallExecutable checks that the copy is named by content, is
// executable, and is made once.
func TestInstallExecutable(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "runpipe")
	if err := os.WriteFile(src, []byte("build 1"), 0o755); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "ws")
	p1, err := slurm.InstallExecutable(src, ws)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(ws, "bin", "runpipe-"); !strings.HasPrefix(p1, want) || len(p1) != len(want)+12 {
		t.Errorf("path %s", p1)
	}
	if fi, err := os.Stat(p1); err != nil || fi.Mode()&0o111 != 0o111 {
		t.Errorf("installed copy: %v %v", fi, err)
	}
	if got, _ := os.ReadFile(p1); !bytes.Equal(got, []byte("build 1")) {
		t.Errorf("content %q", got)
	}
	if p, err := slurm.ExecutablePath(src, ws); err != nil || p != p1 {
		t.Errorf("ExecutablePath = %s, %v; want %s", p, err, p1)
	}
	again, err := slurm.InstallExecutable(src, ws)
	if err != nil || again != p1 {
		t.Errorf("second install: %s, %v", again, err)
	}
	if err := os.WriteFile(src, []byte("build 2"), 0o755); err != nil {
		t.Fatal(err)
	}
	p2, err := slurm.InstallExecutable(src, ws)
	if err != nil || p2 == p1 {
		t.Errorf("new build: %s, %v (old %s)", p2, err, p1)
	}
	if _, err := os.Stat(p1); err != nil {
		t.Errorf("the old build's copy is gone: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(ws, "bin"))
	if len(entries) != 2 {
		t.Errorf("bin holds %d files, want 2 (no temporary left)", len(entries))
	}
	if _, err := slurm.InstallExecutable(filepath.Join(dir, "missing"), ws); err == nil {
		t.Error("no error for a missing binary")
	}
}
