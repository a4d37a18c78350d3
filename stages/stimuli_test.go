package stages_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/tasks"
)

// stimuliPipeline converts gonogo_ref1 at λ = 30 three ways: the task's
// trials (task), the same trials read from a stimulus file with their
// labels and scored by the task (stim), and the file's stimuli unscored,
// without a task (free).
const stimuliPipeline = `
version: 1
pipelines:
  p:
    params: {model: MODEL, stimuli: STIMULI, trials: 6}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      stimuli: {kind: stimulus-file, with: {path: ${stimuli}}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [30], trials: 2}}
      task_conv:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, task: task.task}
        with: {trials: ${trials}, seed: 1}
      stim_conv:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, task: task.task, stimuli: stimuli.stimuli}
        with: {trials: ${trials}, seed: 1}
      free_conv:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, stimuli: stimuli.stimuli}
        with: {trials: ${trials}, seed: 1}
      task_eval: {kind: evaluate, in: {trials: task_conv.trials, task: task.task, model: model.model}}
      stim_eval: {kind: evaluate, in: {trials: stim_conv.trials, task: task.task, model: model.model}}
      task_spikes: {kind: parquet, in: {rows: task_conv.spikes}, with: {path: task_spikes.parquet}}
      stim_spikes: {kind: parquet, in: {rows: stim_conv.spikes}, with: {path: stim_spikes.parquet}}
      free_spikes: {kind: parquet, in: {rows: free_conv.spikes}, with: {path: free_spikes.parquet}}
`

// writeTaskStimuli writes trials 0 … n-1 of tasks.NewStream(go-nogo, 1),
// spiking side, as a .mat stimulus file: u (1 × 201 × n) and labels.
func writeTaskStimuli(t *testing.T, path string, n int) {
	t.Helper()
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	stream, tr := tasks.NewStream(task, 1), tasks.NewTrial(task, tasks.Spiking)
	cols := tasks.Columns(task, tasks.Spiking)
	u := make([]float64, 0, cols*n)
	labels := make([]float64, n)
	for i := range n {
		stream.Trial(i, tr)
		u = append(u, tr.U.RawRowView(0)...) // one input: column-major is row order
		labels[i] = float64(tr.Label)
	}
	w, err := matfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []*matfile.Var{matfile.NewFloat64("u", []int{1, cols, n}, u), matfile.NewFloat64("labels", []int{1, n}, labels)} {
		if err := w.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestConvertStimuli checks that a stimulus file holding a task's trials
// converts exactly as the task's trials do (same stimuli, noise seeds,
// spikes and scores), and that unlabelled stimuli convert without a task,
// unscored, and are refused by evaluate.
func TestConvertStimuli(t *testing.T) {
	dir := t.TempDir()
	stim := filepath.Join(dir, "trials.mat")
	writeTaskStimuli(t, stim, 3) // trials 3, 4, 5 repeat stimuli 0, 1, 2 with their own noise
	yaml := strings.NewReplacer("MODEL", repoFile("testdata/models/gonogo_ref1.mat"), "STIMULI", stim).Replace(stimuliPipeline)
	path := filepath.Join(dir, "p.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	ws := filepath.Join(dir, "ws")
	res, _ := run(t, path, "p", ws, "trials=3")
	a, b := readParquet(t, filepath.Join(res.Dir, "task_spikes.parquet")), readParquet(t, filepath.Join(res.Dir, "stim_spikes.parquet"))
	if a.rows() == 0 || a.rows() != b.rows() {
		t.Fatalf("spikes: %d from the task's trials, %d from the file's", a.rows(), b.rows())
	}
	for _, c := range []string{"trial", "neuron", "step"} {
		x, y := a.col(t, c).(*array.Int32), b.col(t, c).(*array.Int32)
		if !slices.Equal(x.Int32Values(), y.Int32Values()) {
			t.Errorf("spikes column %s differs between the task's trials and the file's", c)
		}
	}
	g := compile(t, path, "p", ws, "trials=3")
	ea := cachedValue[*items.Evaluation](t, g, "task_eval", "evaluation")
	eb := cachedValue[*items.Evaluation](t, g, "stim_eval", "evaluation")
	if ea.Correct != eb.Correct || ea.NSpikes != eb.NSpikes || ea.Trials != 3 || eb.Trials != 3 {
		t.Errorf("evaluations differ: task %d/%d correct, %d spikes; file %d/%d, %d", ea.Correct, ea.Trials, ea.NSpikes, eb.Correct, eb.Trials, eb.NSpikes)
	}
	if h := headline(t, res, "free_conv"); h["accuracy"] != nil || fmt.Sprint(h["trials"]) != "3" {
		t.Errorf("unscored conversion headlines %v, want trials=3 and no accuracy", h)
	}

	// Six trials of three stimuli: trials 3-5 have the stimuli of 0-2 and
	// other noise.
	res, _ = run(t, path, "p", ws, "trials=6")
	free := readParquet(t, filepath.Join(res.Dir, "free_spikes.parquet"))
	if free.rows() == 0 {
		t.Error("no spikes from the unscored stimuli")
	}

	// evaluate refuses unscored trials.
	bad := strings.Replace(yaml, "stim_eval: {kind: evaluate, in: {trials: stim_conv.trials", "stim_eval: {kind: evaluate, in: {trials: free_conv.trials", 1)
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := pipelinetest.Run(context.Background(), pipeline.Default(), path,
		pipeline.CompileOptions{Pipeline: "p", Workspace: ws, Set: []string{"trials=3"}}, pipeline.Selection{})
	if err == nil || !strings.Contains(err.Error(), "was not scored") {
		t.Errorf("evaluate of unscored trials: error %v", err)
	}
}
