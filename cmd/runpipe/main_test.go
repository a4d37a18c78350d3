package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// TestMain registers the test kinds in the default environment, which
// runpipe uses. With RUNPIPE_TEST_HELPER=1 the test binary acts as runpipe
// itself, with the arguments in RUNPIPE_TEST_ARGS (one per line), so tests
// can signal and kill a real process.
func TestMain(m *testing.M) {
	pipelinetest.Register(pipeline.Default())
	if os.Getenv("RUNPIPE_TEST_HELPER") == "1" {
		os.Exit(run(strings.Split(os.Getenv("RUNPIPE_TEST_ARGS"), "\n"), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// runpipe runs the command in-process and returns its exit code and output.
func runpipe(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// helper starts runpipe as a subprocess.
func helper(t *testing.T, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "RUNPIPE_TEST_HELPER=1", "RUNPIPE_TEST_ARGS="+strings.Join(args, "\n"))
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errOut
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("wait: %v", err)
	}
	return ee.ExitCode()
}

func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitContent waits until the file at path exists and is not empty (a log
// is created before its first line is written).
func waitContent(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for content in %s", path)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const goodYAML = `
	version: 1
	default: main
	pipelines:
	  main:
	    params: {n: 4, by: 2}
	    stages:
	      gen:   {kind: test-gen, with: {n: ${n}}}
	      scale: {kind: test-scale, in: {in: gen.out}, with: {by: ${by}}}
	      sum:   {kind: test-sum, in: {in: scale.out}}
	      write: {kind: test-write, in: {in: scale.out, total: sum.total}, with: {path: numbers.txt}}
	  other:
	    stages:
	      c: {kind: test-const, with: {value: 1}}
	      a: {kind: test-add, in: {x: c.value}}
	      fail: {kind: test-fail}
	`

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := pipelinetest.WriteFile(t, dir, goodYAML)
	badDir := t.TempDir()
	bad := pipelinetest.WriteFile(t, badDir, `
	version: 1
	pipelines:
	  p:
	    stages:
	      gen: {kind: test-gen, with: {n: many}}
	      sum: {kind: test-sun, in: {in: gen.out}}
	`)
	unknownDir := t.TempDir()
	unknown := pipelinetest.WriteFile(t, unknownDir, `
	version: 1
	pipelines:
	  go-nogo:
	    stages:
	      trials: {kind: task-trails, with: {task: go-nogo}}
	`)
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"no args", nil, 2, nil, []string{"Usage:"}},
		{"unknown command", []string{"fly"}, 2, nil, []string{`unknown command "fly"`}},
		{"help", []string{"help"}, 0, []string{"Commands:", "run", "lint", "stages", "graph", "why"}, nil},
		{"--help", []string{"--help"}, 0, []string{"Commands:"}, nil},
		{"help run", []string{"help", "run"}, 0, []string{"Usage: runpipe run", "-dry-run", "-wait"}, nil},
		{"run --help", []string{"run", "--help"}, 0, []string{"Usage: runpipe run"}, nil},
		{"lint -h", []string{"lint", "-h"}, 0, []string{"Usage: runpipe lint"}, nil},
		{"stages --help", []string{"stages", "--help"}, 0, []string{"Usage: runpipe stages"}, nil},
		{"graph --help", []string{"graph", "--help"}, 0, []string{"Usage: runpipe graph"}, nil},
		{"why --help", []string{"why", "--help"}, 0, []string{"Usage: runpipe why"}, nil},
		{"bad flag", []string{"run", "--fast"}, 2, nil, []string{"flag provided but not defined: -fast"}},
		{"missing file", []string{"run", "-f", filepath.Join(dir, "nope.yaml")}, 2, nil, []string{"nope.yaml: no such file"}},
		{"lint ok", []string{"lint", "-f", good}, 0, []string{"ok (2 pipelines, 7 stages)"}, nil},
		{"lint errors", []string{"lint", "-f", bad}, 2, nil, []string{
			"pipelines.yaml:5:39: setting n: want int, got string \"many\"",
			"pipelines.yaml:6:19: unknown kind \"test-sun\" (did you mean \"test-sum\"?)", "2 problem(s)"}},
		{"run lint errors", []string{"run", "-f", bad}, 2, nil, []string{"pipelines.yaml:6:19: unknown kind"}},
		{"unknown kinds", []string{"run", "-f", unknown}, 2, nil, []string{`pipelines.yaml:5:22: unknown kind "task-trails" (did you mean "task-trials"?)`}},
		{"unknown pipeline", []string{"run", "-f", good, "--pipeline", "mian"}, 2, nil, []string{`no pipeline "mian"`, `did you mean "main"?`}},
		{"unknown param", []string{"run", "-f", good, "--set", "bi=3"}, 2, nil, []string{`--set bi=3: unknown param "bi" of pipeline main (did you mean "by"?)`}},
		{"set without =", []string{"run", "-f", good, "--set", "n"}, 2, nil, []string{"want name=value"}},
		{"positional", []string{"run", "-f", good, "gen"}, 2, nil, []string{`unexpected argument "gen"`}},
		{"bad progress", []string{"run", "-f", good, "--progress", "fancy"}, 2, nil, []string{"--progress"}},
		{"dry run", []string{"run", "-f", good, "--dry-run"}, 0, []string{"plan for pipeline main", "run  gen", "no manifest"}, nil},
		{"only without cache", []string{"run", "-f", good, "--pipeline", "other", "--only", "a"}, 2, nil, []string{"--only a", "run without --only first"}},
		{"unknown stage", []string{"run", "-f", good, "--from", "scael"}, 2, nil, []string{`no stage "scael"`, `did you mean "scale"?`}},
		{"run fails", []string{"run", "-f", good, "--pipeline", "other", "--progress", "none"}, 1, []string{"failed"}, []string{`stage "fail" (test-fail): boom`}},
		{"run ok", []string{"run", "-f", good, "--progress", "none"}, 0, []string{"pipeline main: 4 ran", "total=20", "outputs in", "numbers.txt (17 B)"}, nil},
		{"rerun", []string{"run", "-f", good, "--progress", "none"}, 0, []string{"nothing to run", "0 ran, 4 skipped", "cached"}, nil},
		{"graph", []string{"graph", "-f", good}, 0, []string{"flowchart LR", "s_gen -->|\"out → in: int\"| s_scale", "s_sum -.->"}, nil},
		{"graph dot", []string{"graph", "-f", good, "--format", "dot", "--pipeline", "other"}, 0, []string{"digraph \"other\"", "\"c\" -> \"a\"", "style=dashed"}, nil},
		{"graph bad format", []string{"graph", "-f", good, "--format", "svg"}, 2, nil, []string{"want mermaid or dot"}},
		{"why", []string{"why", "-f", good, "sum", "--set", "by=3"}, 0, []string{"sum (test-sum): run — upstream scale changed", "last committed", "headline count=4 total=20"}, nil},
		{"why up to date", []string{"why", "-f", good, "gen"}, 0, []string{"gen (test-gen): skip — up to date"}, nil},
		{"why unknown", []string{"why", "-f", good, "gne"}, 2, nil, []string{`no stage "gne"`, `did you mean "gen"?`}},
		{"why nothing", []string{"why", "-f", good}, 2, nil, []string{"name a stage"}},
		{"stages", []string{"stages"}, 0, []string{"test-scale — multiplies", "in  ", "stream", "int", "factor", "value", "float64", "optional", "by", "default 1"}, nil},
		{"stages one", []string{"stages", "test-typed"}, 0, []string{"task", "required", `one of "go-nogo"|"xor"|"mante"`, "count", "[1, 100]", "range", "object", "step"}, nil},
		{"stages unknown", []string{"stages", "test-gne"}, 2, nil, []string{`unknown kind "test-gne" (did you mean "test-gen"?)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runpipe(c.args...)
			if code != c.code {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			for _, want := range c.stdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestPlainProgressAndRerun(t *testing.T) {
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, goodYAML)
	code, stdout, stderr := runpipe("run", "-f", path, "--set", "n=20", "--progress", "plain")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"[gen] started (test-gen)", "[gen] 10/20 numbers (50%)", "[gen] 20/20 numbers (100%)", "[sum] done in", "count=20 total=420"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// A changed param reruns what depends on it; the plan says why.
	code, stdout, _ = runpipe("run", "-f", path, "--set", "n=20", "--set", "by=3", "--progress", "none")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"gen    (test-gen)    re-run to feed stream gen.out to scale", "setting by changed 2→3", "upstream scale changed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

// TestInterrupt sends SIGINT to a running runpipe and checks exit code 130,
// no manifest for the interrupted stage and no temporary files.
func TestInterrupt(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {ready: x}
	    stages:
	      gen:   {kind: test-gen, with: {n: 3}}
	      scale: {kind: test-scale, in: {in: gen.out}}
	      block: {kind: test-block, in: {in: scale.out}, with: {ready: ${ready}}}
	`)
	cmd, stdout, stderr := helper(t, "run", "-f", path, "--set", "ready="+ready, "--progress", "plain")
	waitFile(t, ready)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd.Wait()); code != 130 {
		t.Fatalf("exit code %d, want 130\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "[block] cancelled") {
		t.Errorf("stderr:\n%s", stderr)
	}
	stages := filepath.Join(dir, "runs", "p", pipeline.StagesDir)
	if _, err := os.Stat(filepath.Join(stages, "block", pipeline.ManifestName)); err == nil {
		t.Error("interrupted stage has a manifest")
	}
	filepath.Walk(filepath.Join(dir, "runs"), func(p string, info os.FileInfo, err error) error {
		if err == nil && (strings.HasPrefix(info.Name(), "tmp-") || strings.HasSuffix(info.Name(), ".runpipe-tmp")) {
			t.Errorf("leftover %s", p)
		}
		return nil
	})
}

// TestConcurrentRuns holds the workspace with one runpipe process and
// checks that a second run fails at once naming the lock and the holder,
// and that with --wait it runs once the first has finished.
func TestConcurrentRuns(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {ready: x}
	    stages:
	      block: {kind: test-block, with: {ready: ${ready}}}
	  q:
	    stages:
	      c: {kind: test-const, with: {value: 1}}
	`)
	cmd, _, _ := helper(t, "run", "-f", path, "--set", "ready="+ready, "--progress", "none")
	defer cmd.Process.Kill()
	waitFile(t, ready)

	code, _, stderr := runpipe("run", "-f", path, "--pipeline", "q", "--progress", "none")
	want := fmt.Sprintf("is in use by another run (pid %d): lock file %s is held", cmd.Process.Pid, filepath.Join(dir, "runs", ".lock"))
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, "--wait") {
		t.Fatalf("second run: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}

	go func() {
		time.Sleep(300 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGINT)
	}()
	start := time.Now()
	code, stdout, stderr := runpipe("run", "-f", path, "--pipeline", "q", "--progress", "none", "--wait", "30s")
	if code != 0 {
		t.Fatalf("waiting run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if time.Since(start) < 250*time.Millisecond {
		t.Errorf("waiting run did not wait (%v)", time.Since(start))
	}
	if code := exitCode(t, cmd.Wait()); code != 130 {
		t.Errorf("first run exit %d, want 130", code)
	}
}

// TestBarProgress runs with progress bars (into a buffer, as mpb would draw
// on a terminal) to check that bars come and go without blocking the run.
func TestBarProgress(t *testing.T) {
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    stages:
	      gen: {kind: test-gen, with: {n: 30, delay: 20ms}}
	      f:   {kind: test-scale, in: {in: gen.out}}
	      sum: {kind: test-sum, in: {in: f.out}}
	`)
	code, stdout, stderr := runpipe("run", "-f", path, "--progress", "bar")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"gen", "30/30", "numbers", "[sum] done in"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}
