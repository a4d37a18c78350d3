package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// TestMain lets the test binary act as a pipeline runner in a subprocess:
// with PIPELINE_TEST_HELPER=run it runs the file PIPELINE_TEST_FILE with the
// overrides in PIPELINE_TEST_SET (one per line) and exits.
func TestMain(m *testing.M) {
	if os.Getenv("PIPELINE_TEST_HELPER") == "run" {
		var sets []string
		if s := os.Getenv("PIPELINE_TEST_SET"); s != "" {
			sets = strings.Split(s, "\n")
		}
		// Watching signals also keeps the runtime from declaring a stage
		// that waits for cancellation a deadlock.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		_, _, err := pipelinetest.Run(ctx, testEnv(), os.Getenv("PIPELINE_TEST_FILE"), pipeline.CompileOptions{Set: sets}, pipeline.Selection{})
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func startHelper(t *testing.T, path string, sets ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PIPELINE_TEST_HELPER=run", "PIPELINE_TEST_FILE="+path, "PIPELINE_TEST_SET="+strings.Join(sets, "\n"))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// TestResumeAfterSIGKILL kills a run with SIGKILL in the middle of a
// resumable stage and checks that the next run computes only the missing
// parts, and that nothing the killed run left is trusted or kept.
func TestResumeAfterSIGKILL(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "factors.log")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {log: x, delay: 0s}
	    stages:
	      c: {kind: test-const, with: {value: 2}}
	      f: {kind: test-factors, in: {scale: c.value}, with: {factors: [20, 25, 30, 35, 40, 45, 50, 55], delay: ${delay}, log: ${log}}}
	`)
	sets := []string{"log=" + logFile}
	cmd := startHelper(t, path, append(sets, "delay=150ms")...)
	waitFor(t, func() bool { return len(readLog(logFile)) >= 3 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want killed by SIGKILL", err)
	}
	first := readLog(logFile)
	if len(first) >= 8 {
		t.Fatalf("the killed run finished: %v", first)
	}
	sdir := filepath.Join(dir, "runs", "p", pipeline.StagesDir, "f")
	if _, err := os.Stat(filepath.Join(sdir, pipeline.ManifestName)); err == nil {
		t.Fatal("killed stage has a manifest")
	}
	partials, _ := filepath.Glob(filepath.Join(sdir, "partial-*", "factor-*.json"))
	if len(partials) < len(first) {
		t.Errorf("partial results %v, want at least the %d logged", partials, len(first))
	}

	// Same settings (the delay is a setting too: keep it), new process:
	// the lock of the killed run is gone, and only missing factors run.
	plan, res, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{Set: append(sets, "delay=150ms")}, pipeline.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	if why := reasons(plan); why["f"] != "no manifest" || why["c"] != "up to date" {
		t.Errorf("reasons %v", why)
	}
	all := readLog(logFile)
	second := all[len(first):]
	sameSet(t, "factors computed over both runs", all, []string{"20", "25", "30", "35", "40", "45", "50", "55"})
	for _, f := range second {
		if slices.Contains(first, f) {
			t.Errorf("factor %s computed again after the kill (first %v, second %v)", f, first, second)
		}
	}
	if got := headline(t, res, "f", "best"); got != 55.0 {
		t.Errorf("best = %v", got)
	}
	noLeftovers(t, filepath.Join(dir, "runs", "p"))
	if m, _ := filepath.Glob(filepath.Join(sdir, "partial-*")); len(m) != 0 {
		t.Errorf("partial dirs after commit: %v", m)
	}
}

// TestSecondRunFails runs a blocking pipeline in another process and checks
// that a second run on the same workspace fails at once, naming the lock
// file and the holder's PID.
func TestSecondRunFails(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {ready: x}
	    stages:
	      block: {kind: test-block, with: {ready: ${ready}}}
	`)
	cmd := startHelper(t, path, "ready="+ready)
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	waitFor(t, func() bool { _, err := os.Stat(ready); return err == nil })
	_, _, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{Set: []string{"ready=" + ready + "2"}}, pipeline.Selection{})
	var le *pipeline.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second run: err = %v, want *LockedError", err)
	}
	if le.PID != cmd.Process.Pid {
		t.Errorf("holder pid %d, want %d", le.PID, cmd.Process.Pid)
	}
	if want := fmt.Sprintf("pid %d", cmd.Process.Pid); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), filepath.Join(dir, "runs", ".lock")) {
		t.Errorf("message %q should name the pid and the lock file", err)
	}
}
