package stages_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
)

// declaredYAML is a pipeline file with two tasks declared in its tasks:
// block, a short delayed match-to-sample (pulse) and another (other), and
// a small pipeline on pulse: a few training trials of a small network, a
// λ search of two factors and two conversion trials.
const declaredYAML = `version: 1
tasks:
  pulse:
    T: 60
    params: {on: 5, dur: 10, delay: 10, amp: 1}
    inputs: [a]
    label:
      - {name: match, value: 1, p: 0.5}
      - {name: nonmatch, value: 0, p: 0.5}
    conditions:
      - {name: s1, values: [1, -1], p: [0.5, 0.5]}
      - {name: s2, value: "if(label == match, s1, -s1)"}
    events:
      - {input: a, onset: on, duration: dur, amplitude: amp * s1}
      - {input: a, onset: on + 2*dur, duration: dur, amplitude: amp * s2}
    target:
      - {from: 40, value: label}
    score:
      rate: {from: 45, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: abs-below, threshold: 0.3}}}
      spiking: {from: 0.225, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: max-below, threshold: 0.3}}}
  other:
    T: 20
    inputs: [a]
    label: [{name: "on", value: 1, p: 1}]
    events: [{input: a, onset: 0, amplitude: 1}]
    target: [{from: 0, value: 1}]
    score:
      rate: {from: 0, rules: {"on": {rule: max-above, threshold: 0.7}}}
      spiking: {from: 0, rules: {"on": {rule: max-above, threshold: 0.7}}}
pipelines:
  p:
    stages:
      trials:  {kind: task-trials, with: {task: pulse, count: 200}}
      train:   {kind: train-rate, in: {trials: trials.out, task: trials.task}, with: {N: 20, max_trials: 30, eval_every: 10, eval_trials: 5}}
      export:  {kind: export-mat, in: {model: train.model}}
      lambda:  {kind: lambda-search, in: {model: export.model, task: trials.task}, with: {factors: [20, 40], trials: 2}}
      convert: {kind: lif-convert, in: {model: export.model, lambda: lambda.best, task: trials.task}, with: {trials: 2}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: trials.task, model: export.model}}
      summary: {kind: summary, in: {model: export.model, task: trials.task, training: train.training, search: lambda.search, evaluation: eval.evaluation}}
`

// TestDeclaredTaskPipeline runs a task declared in the pipeline file
// through training, export, λ search, conversion, evaluation and summary;
// checks that model.mat and summary.json record the declaration; that a
// rerun does nothing, a change to another declared task changes nothing
// and a change to the declaration reruns every stage that depends on it.
func TestDeclaredTaskPipeline(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pipelines.yaml")
	write := func(src string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(declaredYAML)
	ws := filepath.Join(dir, "runs")
	res, ran := run(t, path, "p", ws)
	if len(ran) != 7 {
		t.Fatalf("first run ran %v, want all 7 stages", ran)
	}

	m, err := rate.Load(filepath.Join(res.Dir, "model.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Task != "pulse" || m.NumInputs() != 1 || len(m.Losses) == 0 {
		t.Errorf("model.mat: task %q, %d inputs, %d losses", m.Task, m.NumInputs(), len(m.Losses))
	}
	var spec items.TaskSpec
	if err := json.Unmarshal([]byte(m.TaskSpec), &spec); err != nil {
		t.Fatalf("model.mat task_spec %q: %v", m.TaskSpec, err)
	}
	if spec.Name != "pulse" || spec.Decl == nil || spec.Decl.T != 60 || spec.Decl.Params["amp"] != 1 {
		t.Errorf("model.mat task_spec: %s", m.TaskSpec)
	}
	task, err := spec.Task()
	if err != nil || task.Steps() != 60 || task.LabelName(0) != "nonmatch" {
		t.Errorf("task_spec rebuilds %v, %v", task, err)
	}

	sum, err := report.ReadSummary(filepath.Join(res.Dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, sum.TaskSpec); err != nil {
		t.Fatal(err)
	}
	if sum.Task != "pulse" || compact.String() != m.TaskSpec || sum.LIFTrials != 2 || len(sum.LambdaAccuracy) != 2 {
		t.Errorf("summary: task %q, task_spec %s (model.mat: %s), %d LIF trials, λ %v", sum.Task, compact.String(), m.TaskSpec, sum.LIFTrials, sum.LambdaAccuracy)
	}
	for c := range sum.LIFAccuracyBy {
		if c != "match" && c != "nonmatch" {
			t.Errorf("LIF accuracy by condition: %v, want the declared labels", sum.LIFAccuracyBy)
		}
	}

	if _, ran := run(t, path, "p", ws); len(ran) != 0 {
		t.Errorf("rerun ran %v, want nothing", ran)
	}
	write(strings.Replace(declaredYAML, "T: 20", "T: 25", 1))
	if _, ran := run(t, path, "p", ws); len(ran) != 0 {
		t.Errorf("after a change to another task ran %v, want nothing", ran)
	}
	write(strings.Replace(declaredYAML, "amp: 1}", "amp: 0.5}", 1))
	_, ran = run(t, path, "p", ws)
	if want := []string{"convert", "eval", "export", "lambda", "summary", "train", "trials"}; !slices.Equal(ran, want) {
		t.Errorf("after a change to the declaration ran %v, want %v", ran, want)
	}
	m, err = rate.Load(filepath.Join(res.Dir, "model.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.TaskSpec, `"amp":0.5`) {
		t.Errorf("model.mat task_spec after the change: %s", m.TaskSpec)
	}
}
