package sources

import (
	"context"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
)

var stimulusOut = pipeline.ValueOutput[*items.Stimuli]("stimuli", "the stimuli read from the file, for lif-convert")

type stimulusSettings struct {
	Path      string   `pipeline:"path"`
	Var       string   `pipeline:"var"`
	LabelsVar string   `pipeline:"labels_var"`
	Columns   []string `pipeline:"columns"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "stimulus-file",
		Group:   pipeline.SourceGroup,
		Summary: "reads a protocol of stimuli (inputs × columns of 5 ms) from a .mat, CSV or Parquet file",
		Description: "Reads stimuli for lif-convert, which then simulates them instead of drawing a\n" +
			"task's trials, so that a protocol need not be a built-in task. A stimulus is the\n" +
			"spiking-side input u of SPEC §4: one row per input of the model, one column per\n" +
			"5 ms (S columns make a trial of (S-1)·5 ms). By the file's extension:\n" +
			"\n" +
			".mat: the variable var (default u), an inputs × columns matrix (as\n" +
			"LIF_network_fnc takes it), an inputs × columns × stimuli array or a cell array\n" +
			"of matrices; labels_var (default labels), when present, gives one label per\n" +
			"stimulus (numbers, a char matrix or a cell array of strings).\n" +
			"\n" +
			".csv without a header: one matrix, a line per input and a field per column\n" +
			"(numpy.savetxt(path, u, delimiter=','), MATLAB's writematrix); # starts a\n" +
			"comment line.\n" +
			"\n" +
			".csv with a header, and .parquet: a table, one row per column of 5 ms and one\n" +
			"column per input (pandas: DataFrame(u.T)), in file order or as the columns\n" +
			"setting lists them. Reserved columns: trial (rows with one trial value make one\n" +
			"stimulus, in order of first appearance), label (one per trial) and t (ignored).\n" +
			"\n" +
			"A label is a task condition's number or name (go-nogo 1 or go, 0 or nogo; xor\n" +
			"same/diff or ±1; mante ±1): lif-convert scores a trial with its task's rule\n" +
			"only when it has a task and the stimulus a label. The file's content is part of\n" +
			"the cache key. Headlines: stimuli, inputs, columns (of the first), labeled.",
		Outputs: []pipeline.Port{stimulusOut},
		Settings: []pipeline.Setting{
			{Name: "path", Type: pipeline.File, Required: true, Doc: "stimulus file (.mat, .csv or .parquet), relative to the pipeline file",
				Example: "testdata/stimuli/gonogo.csv"},
			{Name: "var", Type: pipeline.String, Default: "u", Doc: ".mat: the variable holding the stimuli"},
			{Name: "labels_var", Type: pipeline.String, Default: "labels", Doc: ".mat: the variable holding their labels (optional in the file)"},
			{Name: "columns", Type: pipeline.List, Elem: &pipeline.Setting{Type: pipeline.String}, Default: []string{},
				Doc: "tables: the input columns, in order (empty: every column but trial, label and t)"},
		},
		Examples: []pipeline.Example{{Title: "simulate a protocol on a model file, scored as go-nogo", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      stim:    {kind: stimulus-file, with: {path: testdata/stimuli/gonogo.csv}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [30]}}
      convert:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, task: task.task, stimuli: stim.stimuli}
        with: {trials: 20}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      spikes:  {kind: parquet, in: {rows: convert.spikes}, with: {path: spikes.parquet}}
`}},
	}, func(s stimulusSettings) (pipeline.Stage, error) { return &stimulusFile{s}, nil })
}

type stimulusFile struct{ s stimulusSettings }

func (sf *stimulusFile) Run(ctx context.Context, job *pipeline.Job) error {
	st, err := readStimuli(sf.s.Path, stimulusOptions{matVar: sf.s.Var, labelsVar: sf.s.LabelsVar, columns: sf.s.Columns})
	if err != nil {
		return err
	}
	st.File = displayPath(job, sf.s.Path)
	labeled := 0
	if st.Labeled() {
		labeled = 1
	}
	job.Headline("stimuli", len(st.Stimuli))
	job.Headline("inputs", st.Inputs)
	job.Headline("columns", st.Stimuli[0].Columns())
	job.Headline("labeled", labeled)
	return stimulusOut.Send(ctx, job, st)
}
