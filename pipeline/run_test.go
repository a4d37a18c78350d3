package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

func run(t *testing.T, env *pipeline.Environment, path string, sel pipeline.Selection, sets ...string) (*pipeline.Plan, *pipeline.Result, error) {
	t.Helper()
	return pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{Set: sets}, sel)
}

// mustRun runs and returns the names of the stages that ran, and the plan's
// reasons by stage.
func mustRun(t *testing.T, env *pipeline.Environment, path string, sel pipeline.Selection, sets ...string) ([]string, map[string]string, *pipeline.Result) {
	t.Helper()
	plan, res, err := run(t, env, path, sel, sets...)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return pipelinetest.Ran(res), reasons(plan), res
}

func reasons(p *pipeline.Plan) map[string]string {
	m := map[string]string{}
	for _, s := range p.Steps {
		m[s.Node.Name] = s.Reason
	}
	return m
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func headline(t *testing.T, res *pipeline.Result, stage, name string) any {
	t.Helper()
	for _, s := range res.Stages {
		if s.Stage == stage {
			return s.Headline()[name]
		}
	}
	t.Fatalf("no stage %s in result", stage)
	return nil
}

// chainYAML is a chain of value stages, c → b → a2 → a3, and an independent
// constant e.
const chainYAML = `
	version: 1
	pipelines:
	  chain:
	    params: {plus: 1}
	    stages:
	      c:  {kind: test-const, with: {value: 10}}
	      b:  {kind: test-add, in: {x: c.value}, with: {plus: ${plus}}}
	      a2: {kind: test-add, in: {x: b.y}, with: {plus: 100}}
	      a3: {kind: test-add, in: {x: a2.y}}
	      e:  {kind: test-const, with: {value: 1}}
	`

func TestNoChangeRerunRunsNothing(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, chainYAML)
	ran, _, _ := mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "first run", ran, []string{"c", "b", "a2", "a3", "e"})

	// Comments and formatting do not change keys.
	src, _ := os.ReadFile(path)
	edited := "# a comment\n" + strings.ReplaceAll(string(src), "{value: 10}", "{ value:   10 }") + "# the end\n"
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	ran, why, res := mustRun(t, env, path, pipeline.Selection{})
	if len(ran) != 0 {
		t.Errorf("second run ran %v (reasons %v), want nothing", ran, why)
	}
	for _, s := range res.Stages {
		if s.Action != pipeline.Skip || s.Reason != "up to date" {
			t.Errorf("stage %s: %v %q, want skip \"up to date\"", s.Stage, s.Action, s.Reason)
		}
	}
	if got := headline(t, res, "a3", "y"); got != 112.0 {
		t.Errorf("a3 headline y = %v, want 112 (from the cache)", got)
	}
}

func TestChangedSettingRerunsStageAndBelowOnly(t *testing.T) {
	env := testEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), chainYAML)
	mustRun(t, env, path, pipeline.Selection{})

	ran, why, res := mustRun(t, env, path, pipeline.Selection{}, "plus=2")
	sameSet(t, "ran", ran, []string{"b", "a2", "a3"})
	want := map[string]string{
		"c":  "up to date",
		"b":  "setting plus changed 1→2",
		"a2": "upstream b changed",
		"a3": "upstream a2 changed",
		"e":  "up to date",
	}
	if !reflect.DeepEqual(why, want) {
		t.Errorf("reasons = %v, want %v", why, want)
	}
	// b read c's value from the cache.
	if got := headline(t, res, "a3", "y"); got != 113.0 {
		t.Errorf("a3 y = %v, want 113", got)
	}

	// Editing the file the same way is a no-op now; going back reruns again.
	ran, _, _ = mustRun(t, env, path, pipeline.Selection{}, "plus=2")
	if len(ran) != 0 {
		t.Errorf("rerun with the same override ran %v", ran)
	}
	ran, why, _ = mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "ran after reverting", ran, []string{"b", "a2", "a3"})
	if why["b"] != "setting plus changed 2→1" {
		t.Errorf("b reason %q", why["b"])
	}
}

func TestOnlyNeedsCachedUpstream(t *testing.T) {
	env := testEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), chainYAML)
	_, _, err := run(t, env, path, pipeline.Selection{Only: []string{"a2"}})
	var se *pipeline.SelectionError
	if !errors.As(err, &se) {
		t.Fatalf("--only a2 on a fresh workspace: err = %v, want a SelectionError", err)
	}
	for _, want := range []string{"--only a2", "b.y", "no manifest", "run without --only first"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	mustRun(t, env, path, pipeline.Selection{})
	ran, why, res := mustRun(t, env, path, pipeline.Selection{Only: []string{"a2"}})
	sameSet(t, "--only a2", ran, []string{"a2"})
	if why["a2"] != "--only a2" || why["a3"] != "up to date (not selected by --only)" {
		t.Errorf("reasons %v", why)
	}
	if got := headline(t, res, "a2", "y"); got != 111.0 {
		t.Errorf("a2 y = %v, want 111 (b's value loaded from the cache)", got)
	}

	// A stale upstream is as bad as a missing one.
	_, _, err = run(t, env, path, pipeline.Selection{Only: []string{"a2"}}, "plus=5")
	if err == nil || !strings.Contains(err.Error(), "setting plus changed 1→5") || !strings.Contains(err.Error(), "run without --only first") {
		t.Errorf("--only a2 with stale b: err = %v", err)
	}

	// Unknown names get a suggestion.
	_, _, err = run(t, env, path, pipeline.Selection{Only: []string{"a4"}})
	if err == nil || !strings.Contains(err.Error(), `no stage "a4"`) || !strings.Contains(err.Error(), `did you mean`) {
		t.Errorf("--only a4: err = %v", err)
	}
}

// streamYAML: gen feeds scale (→ sum) and, directly, a writer.
const streamYAML = `
	version: 1
	pipelines:
	  s:
	    params: {by: 2}
	    stages:
	      gen:   {kind: test-gen, with: {n: 5}}
	      scale: {kind: test-scale, in: {in: gen.out}, with: {by: ${by}}}
	      sum:   {kind: test-sum, in: {in: scale.out}}
	      raw:   {kind: test-scale, in: {in: gen.out}}
	      write: {kind: test-write, in: {in: raw.out}, with: {path: raw.txt}}
	`

func TestStreamRefeed(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, streamYAML)
	mustRun(t, env, path, pipeline.Selection{})
	rawFile := filepath.Join(dir, "runs", "s", "raw.txt")
	before, err := os.Stat(rawFile)
	if err != nil {
		t.Fatal(err)
	}

	ran, why, res := mustRun(t, env, path, pipeline.Selection{}, "by=3")
	sameSet(t, "ran", ran, []string{"gen", "scale", "sum"})
	if want := "re-run to feed stream gen.out to scale"; why["gen"] != want {
		t.Errorf("gen reason %q, want %q", why["gen"], want)
	}
	if why["raw"] != "up to date" || why["write"] != "up to date" {
		t.Errorf("raw/write reasons %q/%q, want up to date", why["raw"], why["write"])
	}
	if got := headline(t, res, "sum", "total"); got != 45.0 {
		t.Errorf("sum total = %v, want 45", got)
	}
	after, err := os.Stat(rawFile)
	if err != nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("raw.txt rewritten by a consumer that was up to date (%v)", err)
	}

	// --only on a stream consumer cannot work: streams are not cached.
	_, _, err = run(t, env, path, pipeline.Selection{Only: []string{"sum"}})
	if err == nil || !strings.Contains(err.Error(), "streams are not cached; use --from scale") {
		t.Errorf("--only sum: err = %v", err)
	}
}

func TestSelectionReasons(t *testing.T) {
	env := testEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), streamYAML)
	cfg, err := pipeline.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	plan := func(sel pipeline.Selection, sets ...string) map[string]string {
		t.Helper()
		g, err := env.Compile(cfg, pipeline.CompileOptions{Set: sets})
		if err != nil {
			t.Fatal(err)
		}
		p, err := g.Plan(sel)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, s := range p.Steps {
			m[s.Node.Name] = s.Action.String() + ": " + s.Reason
		}
		return m
	}
	if got := plan(pipeline.Selection{}); got["gen"] != "run: no manifest" || got["write"] != "run: no manifest" {
		t.Errorf("fresh plan %v", got)
	}
	if got := plan(pipeline.Selection{Until: []string{"scale"}}); got["sum"] != "skip: not selected by --until; stale: no manifest" || got["gen"] != "run: no manifest" {
		t.Errorf("--until scale %v", got)
	}
	mustRun(t, env, path, pipeline.Selection{})
	cases := []struct {
		sel  pipeline.Selection
		sets []string
		want map[string]string
	}{
		{pipeline.Selection{Force: true}, nil, map[string]string{
			"gen": "run: --force", "scale": "run: --force", "sum": "run: --force", "raw": "run: --force", "write": "run: --force"}},
		{pipeline.Selection{From: []string{"raw"}}, nil, map[string]string{
			"gen": "run: re-run to feed stream gen.out to raw", "scale": "skip: up to date", "sum": "skip: up to date",
			"raw": "run: --from raw", "write": "run: --from raw"}},
		{pipeline.Selection{Until: []string{"scale"}}, []string{"by=4"}, map[string]string{
			"gen": "run: re-run to feed stream gen.out to scale", "scale": "run: setting by changed 2→4",
			"sum": "skip: not selected by --until; stale: upstream scale changed", "raw": "skip: up to date (not selected by --until)",
			"write": "skip: up to date (not selected by --until)"}},
		{pipeline.Selection{}, []string{"by=2.5"}, map[string]string{
			"gen": "run: re-run to feed stream gen.out to scale", "scale": "run: setting by changed 2→2.5",
			"sum": "run: upstream scale changed", "raw": "skip: up to date", "write": "skip: up to date"}},
	}
	for _, c := range cases {
		if got := plan(c.sel, c.sets...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("plan %+v %v:\n got  %v\n want %v", c.sel, c.sets, got, c.want)
		}
	}
	_, err = func() (*pipeline.Plan, error) {
		g, _ := env.Compile(cfg, pipeline.CompileOptions{})
		return g.Plan(pipeline.Selection{Only: []string{"sum"}, From: []string{"gen"}})
	}()
	if err == nil || !strings.Contains(err.Error(), "cannot be combined") {
		t.Errorf("--only with --from: err = %v", err)
	}
}

func TestOutputsAndArtifactsChecked(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, streamYAML)
	mustRun(t, env, path, pipeline.Selection{})
	out := filepath.Join(dir, "runs", "s", "raw.txt")
	b, err := os.ReadFile(out)
	if err != nil || string(b) != "1\n2\n3\n4\n5\n" {
		t.Fatalf("raw.txt = %q, %v", b, err)
	}
	os.Remove(out)
	ran, why, _ := mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "ran", ran, []string{"gen", "raw", "write"})
	if why["write"] != "output raw.txt missing" {
		t.Errorf("write reason %q", why["write"])
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("raw.txt not rewritten: %v", err)
	}

	// The manifest records what the brief asks for.
	m, err := pipeline.ReadManifest(filepath.Join(dir, "runs", "s", pipeline.StagesDir, "write"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != "test-write" || m.Key == "" || m.ProgramVersion != pipeline.ProgramVersion || m.Settings["path"] != "raw.txt" ||
		len(m.Outputs) != 1 || m.Outputs[0].Path != "raw.txt" || m.Outputs[0].Size != 10 || len(m.Outputs[0].SHA256) != 64 ||
		len(m.Inputs) != 1 || m.Inputs[0].From[0] != "raw.out" || m.End.Before(m.Start) {
		t.Errorf("manifest %+v", m)
	}

	// A manifest from another program version is stale.
	sumDir := filepath.Join(dir, "runs", "s", pipeline.StagesDir, "sum")
	raw, _ := os.ReadFile(filepath.Join(sumDir, pipeline.ManifestName))
	var doc map[string]any
	json.Unmarshal(raw, &doc)
	doc["program_version"] = 0
	raw, _ = json.Marshal(doc)
	os.WriteFile(filepath.Join(sumDir, pipeline.ManifestName), raw, 0o644)
	_, why, _ = mustRun(t, env, path, pipeline.Selection{})
	if want := "program version changed 0→1"; why["sum"] != want {
		t.Errorf("sum reason %q, want %q", why["sum"], want)
	}
}

func TestFileSettingContentInKey(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	model := filepath.Join(dir, "model.bin")
	os.WriteFile(model, []byte("one"), 0o644)
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {model: model.bin}
	    stages:
	      t: {kind: test-typed, with: {task: xor, model: ${model}, timeout: 90s}}
	`)
	_, _, res := mustRun(t, env, path, pipeline.Selection{})
	m := res.Stages[0].Manifest
	var got pipelinetest.TypedSettings
	raw, _ := os.ReadFile(filepath.Join(dir, "runs", "p", pipeline.StagesDir, "t", m.Data, "values", "settings", "value.json"))
	var js string
	if err := json.Unmarshal(raw, &js); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatal(err)
	}
	if got.Model != model || got.Timeout != 90*time.Second || got.Count != 1 || got.Rate != 0.5 ||
		!slices.Equal(got.Taus, []float64{4, 20}) || got.Task != "xor" || got.Range != nil {
		t.Errorf("decoded settings %+v", got)
	}

	os.WriteFile(model, []byte("two"), 0o644)
	_, why, _ := mustRun(t, env, path, pipeline.Selection{})
	if why["t"] != "input file of setting model changed" {
		t.Errorf("reason %q", why["t"])
	}
	_, _, err := run(t, env, path, pipeline.Selection{}, "model=missing.bin")
	if err == nil || !strings.Contains(err.Error(), "pipelines.yaml:6:") || !strings.Contains(err.Error(), "missing.bin: no such file") {
		t.Errorf("missing model: err = %v", err)
	}
}

func TestFanOutFanIn(t *testing.T) {
	env := testEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      gen: {kind: test-gen, with: {n: 100}}
	      x2:  {kind: test-scale, in: {in: gen.out}, with: {by: 2}}
	      x3:  {kind: test-scale, in: {in: gen.out}, with: {by: 3}}
	      all: {kind: test-sum, in: {in: [x2.out, x3.out]}, buffer: {in: 0}}
	      one: {kind: test-sum, in: {in: x2.out}}
	`)
	_, _, res := mustRun(t, env, path, pipeline.Selection{})
	if got := headline(t, res, "all", "total"); got != 5050.0*5 {
		t.Errorf("merged total %v, want %v", got, 5050*5)
	}
	if got := headline(t, res, "all", "count"); got != 200.0 {
		t.Errorf("merged count %v, want 200", got)
	}
	if got := headline(t, res, "one", "total"); got != 5050.0*2 {
		t.Errorf("fan-out copy total %v", got)
	}
}

// noLeftovers checks that a pipeline directory holds no temporary files or
// directories.
func noLeftovers(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(d.Name(), "tmp-") || strings.HasSuffix(d.Name(), ".runpipe-tmp")) {
			t.Errorf("leftover %s", path)
		}
		return nil
	})
}

func TestFirstErrorStopsRun(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    stages:
	      gen:   {kind: test-gen, with: {n: 1000000}}
	      scale: {kind: test-scale, in: {in: gen.out}}
	      fail:  {kind: test-fail, in: {in: scale.out}, with: {after: 3, message: "bad item"}}
	      write: {kind: test-write, in: {in: scale.out}, with: {path: out.txt}}
	      other: {kind: test-const, with: {value: 1}}
	`)
	_, res, err := run(t, env, path, pipeline.Selection{})
	if err == nil || err.Error() != `stage "fail" (test-fail): bad item` {
		t.Fatalf("err = %v, want the failing stage's error", err)
	}
	committed := pipelinetest.Ran(res)
	for _, s := range committed {
		if s != "other" {
			t.Errorf("stage %s committed in a failed run", s)
		}
	}
	pdir := filepath.Join(dir, "runs", "p")
	for _, s := range []string{"gen", "scale", "fail", "write"} {
		if _, err := os.Stat(filepath.Join(pdir, pipeline.StagesDir, s, pipeline.ManifestName)); err == nil {
			t.Errorf("stage %s has a manifest after a failed run", s)
		}
	}
	if _, err := os.Stat(filepath.Join(pdir, "out.txt")); err == nil {
		t.Errorf("out.txt published by a failed run")
	}
	noLeftovers(t, pdir)
}

func TestCancelLeavesNoManifest(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {ready: x}
	    stages:
	      c:     {kind: test-const, with: {value: 1}}
	      block: {kind: test-block, with: {ready: ${ready}}}
	`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := pipelinetest.Run(ctx, env, path, pipeline.CompileOptions{Set: []string{"ready=" + ready}}, pipeline.Selection{})
		done <- err
	}()
	pdir := filepath.Join(dir, "runs", "p")
	waitFor(t, func() bool {
		_, err1 := os.Stat(ready)
		_, err2 := os.Stat(filepath.Join(pdir, pipeline.StagesDir, "c", pipeline.ManifestName))
		return err1 == nil && err2 == nil
	})
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(pdir, pipeline.StagesDir, "block", pipeline.ManifestName)); err == nil {
		t.Error("interrupted stage has a manifest")
	}
	if _, err := os.Stat(filepath.Join(pdir, pipeline.StagesDir, "c", pipeline.ManifestName)); err != nil {
		t.Errorf("the commit of a stage that finished before the interruption was undone: %v", err)
	}
	noLeftovers(t, pdir)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readLog(path string) []string {
	b, _ := os.ReadFile(path)
	return strings.Fields(string(b))
}

// TestResumeAfterCancel interrupts a resumable stage and checks that the
// next run computes only the parts not saved yet (the SIGKILL variant is
// TestResumeAfterSIGKILL).
func TestResumeAfterCancel(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "factors.log")
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {log: x}
	    stages:
	      f: {kind: test-factors, with: {factors: [1, 2, 3, 4, 5, 6], delay: 30ms, log: ${log}}}
	`)
	sets := []string{"log=" + logFile}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, _, err := pipelinetest.Run(ctx, env, path, pipeline.CompileOptions{Set: sets}, pipeline.Selection{})
		done <- err
	}()
	waitFor(t, func() bool { return len(readLog(logFile)) >= 2 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	first := readLog(logFile)
	if len(first) >= 6 {
		t.Fatalf("first run finished before the interruption: %v", first)
	}
	_, _, res, err := func() ([]string, map[string]string, *pipeline.Result, error) {
		plan, res, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{Set: sets}, pipeline.Selection{})
		return nil, reasons(plan), res, err
	}()
	if err != nil {
		t.Fatal(err)
	}
	all := readLog(logFile)
	second := all[len(first):]
	sameSet(t, "factors computed by both runs", all, []string{"1", "2", "3", "4", "5", "6"})
	for _, f := range second {
		if slices.Contains(first, f) {
			t.Errorf("factor %s computed twice (first run %v, second %v)", f, first, second)
		}
	}
	if got := headline(t, res, "f", "best"); got != 6.0 {
		t.Errorf("best = %v", got)
	}
	// The partial directory is gone after the commit.
	matches, _ := filepath.Glob(filepath.Join(dir, "runs", "p", pipeline.StagesDir, "f", "partial-*"))
	if len(matches) != 0 {
		t.Errorf("partial dirs after commit: %v", matches)
	}
}

func TestWorkspaceLock(t *testing.T) {
	ws := t.TempDir()
	l1, err := pipeline.LockWorkspace(context.Background(), ws, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pipeline.LockWorkspace(context.Background(), ws, 0)
	var le *pipeline.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second lock: err = %v, want *LockedError", err)
	}
	if le.PID != os.Getpid() || le.Path != filepath.Join(ws, ".lock") {
		t.Errorf("LockedError %+v, want pid %d", le, os.Getpid())
	}
	for _, want := range []string{"in use", "pid", ".lock", "--wait"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	start := time.Now()
	_, err = pipeline.LockWorkspace(context.Background(), ws, 150*time.Millisecond)
	if !errors.As(err, &le) || time.Since(start) < 150*time.Millisecond || !strings.Contains(err.Error(), "gave up after waiting") {
		t.Errorf("waiting lock: err = %v after %v", err, time.Since(start))
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		l1.Unlock()
	}()
	l2, err := pipeline.LockWorkspace(context.Background(), ws, 10*time.Second)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Unlock()
}

func TestCheckExamples(t *testing.T) {
	if err := testEnv().CheckExamples(); err != nil {
		t.Fatal(err)
	}
	env := pipeline.NewEnvironment()
	pipeline.RegisterIn(env, pipeline.Spec{Name: "lonely", Group: pipeline.SourceGroup, Summary: "no examples"},
		func(struct{}) (pipeline.Stage, error) { return pipeline.StageFunc(nil), nil })
	if err := env.CheckExamples(); err == nil || !strings.Contains(err.Error(), "kind lonely: no example") {
		t.Errorf("err = %v", err)
	}
}
