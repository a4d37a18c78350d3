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
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a tmpfs")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
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
		if err == nil && (strings.Contains(d.Name(), ".runpipe-tmp") || strings.HasPrefix(d.Name(), "tmp-")) {
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
