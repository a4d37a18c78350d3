package stages_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// convertAtYAML searches λ for the reference's model (writing
// runs/search/model_lambda.mat) and converts it at the search's best (the
// lambda input); pipeline at converts it at the lambda setting.
const convertAtYAML = `
version: 1
pipelines:
  search:
    stages:
      model:   {kind: load-mat, with: {path: model.mat}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [25, 30], trials: 2, downsample: 10}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}, with: {trials: 2, downsample: 10}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
  at:
    params: {model: model.mat, lambda: 25}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      convert: {kind: lif-convert, in: {model: model.model, task: task.task}, with: {lambda: ${lambda}, trials: 2, downsample: 10}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
`

// TestConvertAtLambda checks lif-convert's lambda setting: a number, and
// from-file reading the opt_scaling_factor a search wrote, each simulating
// the same trials as a conversion fed the same λ by a search.
func TestConvertAtLambda(t *testing.T) {
	path := writeYAML(t, convertAtYAML)
	ws := filepath.Join(filepath.Dir(path), "runs")
	run(t, path, "search", ws)
	search := cachedValue[*items.LambdaSearch](t, compile(t, path, "search", ws), "lambda", "search")
	searched := cachedValue[*items.Evaluation](t, compile(t, path, "search", ws), "eval", "evaluation")
	if _, err := os.Stat(filepath.Join(ws, "search", "model_lambda.mat")); err != nil {
		t.Fatal(err)
	}
	best := strconv.FormatFloat(search.Best, 'g', -1, 64)
	for _, set := range [][]string{{"lambda=" + best}, {"model=runs/search/model_lambda.mat", "lambda=from-file"}} {
		run(t, path, "at", ws, set...)
		ev := cachedValue[*items.Evaluation](t, compile(t, path, "at", ws, set...), "eval", "evaluation")
		if ev.Lambda != search.Best || ev.NSpikes != searched.NSpikes || ev.Correct != searched.Correct {
			t.Errorf("%v: λ %g, %d spikes, %d correct; the conversion at the search's best: λ %g, %d spikes, %d correct",
				set, ev.Lambda, ev.NSpikes, ev.Correct, search.Best, searched.NSpikes, searched.Correct)
		}
	}
}

// TestConvertAtLambdaErrors checks lint's errors for a λ given twice, not
// at all, read from a file that has none, or from a model not read from a
// file.
func TestConvertAtLambdaErrors(t *testing.T) {
	dir := filepath.Dir(writeYAML(t, "version: 1\npipelines: {}\n"))
	for _, tc := range []struct{ convert, want string }{
		{`{kind: lif-convert, in: {model: m.model, lambda: l.best, task: k.task}, with: {lambda: 30}}`, "λ given twice"},
		{`{kind: lif-convert, in: {model: m.model, task: k.task}}`, "no λ: connect the lambda input"},
		{`{kind: lif-convert, in: {model: m.model, task: k.task}, with: {lambda: from-file}}`, "model.mat has no opt_scaling_factor (a file written by a λ search"},
		{`{kind: lif-convert, in: {model: tr.model, task: k.task}, with: {lambda: from-file}}`, "the model comes from a train-rate stage, not load-mat"},
		{`{kind: lif-convert, in: {model: m.model, task: k.task}, with: {lambda: -3}}`, "pipelines.yaml:10:81: setting lambda: -3 out of range (want > 0)"},
		{`{kind: lif-convert, in: {model: m.model, task: k.task}, with: {lambda: from-fil}}`, `did you mean "from-file"?`},
	} {
		src := "version: 1\npipelines:\n  p:\n    stages:\n      m: {kind: load-mat, with: {path: model.mat}}\n" +
			"      k: {kind: task-trials, with: {task: go-nogo}}\n" +
			"      tr: {kind: train-rate, in: {trials: k.out, task: k.task}, with: {N: 20}}\n" +
			"      l: {kind: lambda-search, in: {model: m.model, task: k.task}}\n" +
			"      x: {kind: task, with: {task: go-nogo}}\n" +
			"      c: " + tc.convert + "\n"
		p := pipelinetest.WriteFile(t, dir, src)
		cfg, err := pipeline.ParseFile(p)
		if err != nil {
			t.Fatal(err)
		}
		err = pipeline.Default().Lint(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: lint error %v, want one mentioning %q", tc.convert, err, tc.want)
		}
	}
}
