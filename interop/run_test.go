package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// smallRun are the overrides of the default pipeline's parameters that
// make it run in seconds: a small network trained briefly, two λ factors
// of four trials, six conversion trials.
var smallRun = []string{"N=40", "max_trials=150", "factors=[20, 40]", "lambda_trials=4", "trials=6"}

// Trials is the number of conversion trials of smallRun.
const Trials = 6

var (
	runOnce sync.Once
	runDir  string // the pipeline's output directory
	runErr  error
)

// pipelineDir builds runpipe from the parent module, runs the default
// pipeline (go-nogo) with smallRun once per test binary and returns its
// output directory, <tmp>/runs/go-nogo.
func pipelineDir(t *testing.T) string {
	t.Helper()
	runOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "spikernn-interop-")
		if err != nil {
			runErr = err
			return
		}
		root, err := filepath.Abs("..")
		if err != nil {
			runErr = err
			return
		}
		bin := filepath.Join(tmp, "runpipe")
		build := exec.Command("go", "build", "-o", bin, "./cmd/runpipe")
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			runErr = fmt.Errorf("build runpipe: %v\n%s", err, out)
			return
		}
		yaml, err := os.ReadFile(filepath.Join(root, "pipelines.yaml"))
		if err != nil {
			runErr = err
			return
		}
		file := filepath.Join(tmp, "pipelines.yaml")
		if err := os.WriteFile(file, yaml, 0o644); err != nil {
			runErr = err
			return
		}
		args := []string{"run", "-f", file, "--progress", "none"}
		for _, s := range smallRun {
			args = append(args, "--set", s)
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			runErr = fmt.Errorf("runpipe %v: %v\n%s", args, err, out)
			return
		}
		runDir = filepath.Join(tmp, "runs", "go-nogo")
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	return runDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if runDir != "" {
		os.RemoveAll(filepath.Dir(filepath.Dir(runDir)))
	}
	os.Exit(code)
}
