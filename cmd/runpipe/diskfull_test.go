package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// TestDiskFull runs a pipeline on a 1 MiB tmpfs (root only; CI runs as
// root): a first run writes model.mat; a second one, with a network too
// large for the disk, fails with an error naming the file and "no space
// left on device", keeps the previous model.mat, leaves no temporary file
// and nothing the next run trusts (the stage's manifest is still the first
// run's).
func TestDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "1m")
	file := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(file, []byte(`version: 1
pipelines:
  p:
    params: {N: 20}
    stages:
      trials: {kind: task-trials, with: {task: go-nogo, count: 10}}
      train: {kind: train-rate, in: {trials: trials.out, task: trials.task}, with: {N: "${N}", max_trials: 1, eval_every: 1, eval_trials: 1}}
      out: {kind: export-mat, in: {model: train.model}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runpipe("run", "-f", file, "-progress", "none"); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	model := filepath.Join(dir, "runs", "p", "model.mat")
	good, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runpipe("run", "-f", file, "-progress", "none", "-set", "N=400")
	// The stages run at once: the disk fills while export-mat writes
	// model.mat or while train-rate caches its model (values/model/model.mat).
	named := strings.Contains(errOut, `stage "out" (export-mat): write model.mat: `) ||
		strings.Contains(errOut, `stage "train" (train-rate): save value model`) && strings.Contains(errOut, "values/model/model.mat")
	if code != 1 || !strings.Contains(errOut, "no space left on device") || !named {
		t.Fatalf("full disk: exit %d, want 1 with the file and the cause:\n%s", code, errOut)
	}
	if got, err := os.ReadFile(model); err != nil || !bytes.Equal(got, good) {
		t.Errorf("the previous model.mat was not kept: %v", err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && isTemp(d.Name()) {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
	t.Logf("full disk: %s", errOut)
	// The stage that failed keeps the first run's manifest.
	m, err := pipeline.ReadManifest(filepath.Join(dir, "runs", "p", pipeline.StagesDir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Headline["N"] != 20.0 {
		t.Errorf("export's manifest is not the first run's: headline %v", m.Headline)
	}
	// Back at the first settings, the export is up to date.
	code, out, errOut := runpipe("run", "-f", file, "-progress", "none")
	if code != 0 || !strings.Contains(out, "skip  out") && !strings.Contains(out, "out     export-mat   cached") {
		t.Errorf("rerun at the first settings: exit %d\n%s%s", code, out, errOut)
	}
}

// mountTmpfs mounts a tmpfs of the given size (mount's size=, e.g. "1m") on
// a temporary directory for the test and returns the directory. It skips the
// test unless run as root where mount works, or fails it when
// SPIKERNN_REQUIRE_TMPFS=1 (CI runs as root and sets it).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("SPIKERNN_REQUIRE_TMPFS") == "1" {
		skip = t.Fatalf
	}
	if os.Geteuid() != 0 {
		skip("needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		skip("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// isTemp reports whether a file name is one of the temporary names a write
// uses before its rename (pipeline's and sinks').
func isTemp(name string) bool {
	return strings.Contains(name, ".runpipe-tmp") || strings.HasPrefix(name, "tmp-") || strings.Contains(name, ".tmp-")
}

// TestDiskFullTables fills a 1 MiB tmpfs (root only, as TestDiskFull) while
// a Parquet or an Arrow sink writes the rates of a conversion: the run exits
// 1 with the file and "no space left on device", the previous file of a
// good run is kept byte for byte, no temporary file is left, the sink's
// manifest is still the good run's, and a rerun at the good settings finds
// everything up to date.
func TestDiskFullTables(t *testing.T) {
	for _, c := range []struct{ name, sink, file string }{
		{"parquet", "{kind: parquet, in: {rows: conv.rates}, with: {path: rates.parquet, compression: ${comp}, row_group_rows: 4000}}", "rates.parquet"},
		{"arrow", "{kind: arrow, in: {rows: conv.rates}, with: {path: rates.arrows, compression: ${comp}}}", "rates.arrows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := mountTmpfs(t, "1m")
			file := filepath.Join(dir, "p.yaml")
			// A small trained network (N = 20), converted at a fixed λ:
			// 20 neurons × 200 bins of rates a trial, about 160 kB
			// uncompressed.
			comp := "zstd"
			if c.name == "arrow" {
				comp = "lz4"
			}
			if err := os.WriteFile(file, []byte(`version: 1
pipelines:
  p:
    params: {trials: 1, comp: `+comp+`}
    stages:
      trials: {kind: task-trials, with: {task: go-nogo, count: 10}}
      train: {kind: train-rate, in: {trials: trials.out, task: trials.task}, with: {N: 20, max_trials: 1, eval_every: 1, eval_trials: 1}}
      lambda: {kind: lambda-search, in: {model: train.model, task: trials.task}, with: {factors: [40], trials: 1}}
      conv: {kind: lif-convert, in: {model: train.model, lambda: lambda.best, task: trials.task}, with: {trials: ${trials}, workers: 1}}
      rates: `+c.sink+`
`), 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, errOut := runpipe("run", "-f", file, "-progress", "none"); code != 0 {
				t.Fatalf("first run: exit %d: %s", code, errOut)
			}
			out := filepath.Join(dir, "runs", "p", c.file)
			good, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			manifest := filepath.Join(dir, "runs", "p", pipeline.StagesDir, "rates")
			first, err := pipeline.ReadManifest(manifest)
			if err != nil {
				t.Fatal(err)
			}
			// 400 trials uncompressed: about 2.4 MB of Parquet (dictionary
			// encoded), 60 MB of Arrow, for a 1 MiB disk.
			code, _, errOut := runpipe("run", "-f", file, "-progress", "none", "-set", "trials=400", "-set", "comp=none")
			if code != 1 || !strings.Contains(errOut, "no space left on device") || !strings.Contains(errOut, `stage "rates" (`+c.name+`): `+c.file+`: `) {
				t.Fatalf("full disk: exit %d, want 1 with the stage, the file and the cause:\n%s", code, errOut)
			}
			t.Logf("full disk: %s", errOut)
			if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, good) {
				t.Errorf("the previous %s was not kept: %v", c.file, err)
			}
			filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && isTemp(d.Name()) {
					t.Errorf("left behind: %s", p)
				}
				return nil
			})
			if m, err := pipeline.ReadManifest(manifest); err != nil || m.Key != first.Key || !m.End.Equal(first.End) {
				t.Errorf("the sink's manifest is not the good run's: %v", err)
			}
			code, stdout, errOut := runpipe("run", "-f", file, "-progress", "none")
			if code != 0 {
				t.Errorf("rerun at the first settings: exit %d\n%s%s", code, stdout, errOut)
			}
			if m, err := pipeline.ReadManifest(manifest); err != nil || m.Key != first.Key || !m.End.Equal(first.End) {
				t.Errorf("the rerun at the first settings did not find the sink up to date: %v\n%s", err, stdout)
			}
			if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, good) {
				t.Errorf("after the rerun, %s is not the good run's: %v", c.file, err)
			}
		})
	}
}
