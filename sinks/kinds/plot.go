package kinds

import (
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/goccy/go-yaml"
	"gonum.org/v1/gonum/mat"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/tasks"
)

var (
	plotSummary    = pipeline.ValueInput[*report.Summary]("summary", "the run's headline figures")
	plotModel      = pipeline.ValueInput[*rate.Model]("model", "the rate model (for the rate/LIF overlay)")
	plotTask       = pipeline.ValueInput[items.TaskSpec]("task", "the task")
	plotTraining   = pipeline.ValueInput[*items.TrainingRecord]("training", "the training history (else the model file's losses)").Optional()
	plotSearch     = pipeline.ValueInput[*items.LambdaSearch]("search", "the λ search").Optional()
	plotEvaluation = pipeline.ValueInput[*items.Evaluation]("evaluation", "the evaluation of the conversion").Optional()
)

type plotSettings struct {
	Dir    string `pipeline:"dir"`
	Report string `pipeline:"report"`
	Title  string `pipeline:"title"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "plot",
		Group:   pipeline.SinkGroup,
		Summary: "draws the run's figures (PNG) and writes report.md and report.html",
		Description: "Draws, into <pipeline dir>/<dir>/: training.png (loss per trial, evaluation\n" +
			"loss and accuracy with the stop rule), lambda.png (accuracy against λ, best\n" +
			"marked), outputs.png (LIF output mean ± SD per condition with the stimulus\n" +
			"window, decision thresholds and scoring start), raster.png (one trial per\n" +
			"condition, E units red, I units blue), rates.png (firing-rate distributions of E\n" +
			"and I units) and overlay.png (the rate network's and the LIF network's output on\n" +
			"the same stimulus: the first condition's example trial, each network with that\n" +
			"trial's noise seed). A figure whose input is not connected is left out. Then\n" +
			"writes <report>.md, linking the figures, and <report>.html, embedding them, into\n" +
			"the pipeline directory: the summary's headline figures, the figures, the\n" +
			"settings of every upstream stage and the provenance (program version, seed,\n" +
			"cache keys).",
		Inputs: []pipeline.Port{plotSummary, plotModel, plotTask, plotTraining, plotSearch, plotEvaluation},
		Settings: []pipeline.Setting{
			{Name: "dir", Type: pipeline.Output, Default: "plots", Doc: "figure directory, relative to the pipeline directory"},
			{Name: "report", Type: pipeline.Output, Default: "report", Doc: "report file name without extension, relative to the pipeline directory"},
			{Name: "title", Type: pipeline.String, Default: "", Doc: "report title (default: spikernn: <pipeline> (<task>))"},
		},
		Examples: []pipeline.Example{{Title: "figures and a report for a converted model file", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}}
      convert: {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      summary: {kind: summary, in: {model: model.model, task: task.task, search: lambda.search, evaluation: eval.evaluation}}
      plots:
        kind: plot
        in: {summary: summary.summary, model: model.model, task: task.task, search: lambda.search, evaluation: eval.evaluation}
        with: {dir: plots}
`}},
	}, func(s plotSettings) (pipeline.Stage, error) {
		return &plotStage{s}, nil
	})
}

type plotStage struct{ s plotSettings }

func (p *plotStage) Run(ctx context.Context, job *pipeline.Job) error {
	sum, err := plotSummary.Receive(ctx, job)
	if err != nil {
		return err
	}
	m, err := plotModel.Receive(ctx, job)
	if err != nil {
		return err
	}
	task, err := items.ReceiveTask(ctx, job, plotTask)
	if err != nil {
		return err
	}
	tr, err := optional(ctx, job, plotTraining)
	if err != nil {
		return err
	}
	search, err := optional(ctx, job, plotSearch)
	if err != nil {
		return err
	}
	ev, err := optional(ctx, job, plotEvaluation)
	if err != nil {
		return err
	}
	ms, err := items.UpstreamManifests(ctx, job)
	if err != nil {
		return err
	}

	scratch, err := os.MkdirTemp(job.Dir(), "render-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(scratch)
	if err := os.MkdirAll(filepath.Join(scratch, p.s.Dir), 0o755); err != nil {
		return err
	}
	var figs []report.Figure
	draw := func(name, title, caption string, f func(path string) error) error {
		rel := path.Join(filepath.ToSlash(p.s.Dir), name)
		if err := f(filepath.Join(scratch, filepath.FromSlash(rel))); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		figs = append(figs, report.Figure{File: rel, Title: title, Caption: caption})
		return nil
	}

	if fig, ok := trainingFigure(tr, m); ok {
		caption := "Training loss of every trial (grey), mean loss of the periodic evaluations (blue, top) and their accuracy (green, bottom); red dashes: the stop rule's thresholds."
		if tr == nil {
			caption = "Training loss of every trial, from the model file, and the last evaluation it records (the file keeps no evaluation history); red dashes: the stop rule's thresholds."
		}
		if err := draw("training.png", "Rate network training", caption, func(path string) error { return report.TrainingFigure(path, fig) }); err != nil {
			return err
		}
	}
	if search != nil {
		fig := report.Lambda{Factors: search.Factors, Accuracy: search.Accuracy, Lower: search.Lower, Upper: search.Upper, Best: search.Best, Trials: search.Trials}
		if err := draw("lambda.png", "Scaling factor search",
			lambdaCaption(search),
			func(path string) error { return report.LambdaFigure(path, fig) }); err != nil {
			return err
		}
	}
	if ev != nil {
		if err := p.evaluationFigures(ev, m, task, draw); err != nil {
			return err
		}
	}

	title := p.s.Title
	if title == "" {
		title = fmt.Sprintf("spikernn: %s (%s)", job.Pipeline(), task.Name())
	}
	r := &report.Report{
		Title: title, Summary: sum, Figures: figs,
		Settings: settingsYAML(job.Params(), ms), Provenance: provenance(job, sum, ms),
	}
	reportDir := filepath.Join(scratch, filepath.Dir(p.s.Report))
	// The report sits in the pipeline directory; figures are linked
	// relative to it.
	if rel := filepath.Dir(p.s.Report); rel != "." {
		for i := range r.Figures {
			up, err := filepath.Rel(rel, filepath.FromSlash(r.Figures[i].File))
			if err != nil {
				return err
			}
			r.Figures[i].File = filepath.ToSlash(up)
		}
		if err := os.MkdirAll(reportDir, 0o755); err != nil {
			return err
		}
	}
	page, err := r.HTML(reportDir)
	if err != nil {
		return err
	}
	base := filepath.Base(p.s.Report)
	if err := os.WriteFile(filepath.Join(reportDir, base+".md"), []byte(r.Markdown()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(reportDir, base+".html"), []byte(page), 0o644); err != nil {
		return err
	}

	outs := []string{p.s.Report + ".md", p.s.Report + ".html"}
	for _, f := range figs {
		outs = append(outs, path.Join(filepath.ToSlash(filepath.Dir(p.s.Report)), f.File))
	}
	for _, name := range outs {
		if err := publish(job, scratch, path.Clean(name)); err != nil {
			return err
		}
	}
	job.Headline("figures", len(figs))
	return nil
}

// publish copies scratch/name into the output file name.
func publish(job *pipeline.Job, scratch, name string) error {
	src, err := os.Open(filepath.Join(scratch, filepath.FromSlash(name)))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := job.CreateOutput(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return dst.Close()
}

// trainingFigure returns the training figure's data: the training record,
// or else the losses stored in the model file.
func trainingFigure(tr *items.TrainingRecord, m *rate.Model) (report.Training, bool) {
	if tr != nil && len(tr.Losses) > 0 {
		return report.Training{
			Losses: tr.Losses, EvalTrials: tr.EvalTrials, EvalAccuracy: tr.EvalAccuracy, EvalLoss: tr.EvalLoss,
			StopLoss: tr.StopLoss, StopAccuracy: tr.StopAccuracy,
		}, true
	}
	if len(m.Losses) > 0 {
		// A model file keeps the losses and its last evaluation only.
		t := report.Training{Losses: m.Losses}
		if m.EvalPerfMean != 0 || m.EvalLossMean != 0 {
			t.EvalTrials = []int{m.Tr}
			t.EvalAccuracy, t.EvalLoss = []float64{m.EvalPerfMean}, []float64{m.EvalLossMean}
			t.StopLoss, t.StopAccuracy = rate.DefaultLossThreshold, rate.DefaultAccThreshold
		}
		return t, true
	}
	return report.Training{}, false
}

// evaluationFigures draws the figures of a conversion's evaluation.
func (p *plotStage) evaluationFigures(ev *items.Evaluation, m *rate.Model, task tasks.Task,
	draw func(name, title, caption string, f func(string) error) error) error {
	windows := stimulusWindows(task)
	thresholds := decisionThresholds(task)
	scoreFrom := 0.0
	if sf, ok := task.(interface{ SpikeFrom() float64 }); ok {
		scoreFrom = sf.SpikeFrom()
	}
	outs := report.Outputs{
		Title: fmt.Sprintf("%s: LIF network output (λ = %g)", task.Name(), ev.Lambda), DT: ev.OutDT,
		Stimulus: windows, Thresholds: thresholds, ScoreFrom: scoreFrom,
	}
	for _, c := range ev.Conditions {
		if c.Trials > 0 {
			outs.Traces = append(outs.Traces, report.Trace{Name: c.Name, Mean: c.OutMean, SD: c.OutSD, Trials: c.Trials})
		}
	}
	if err := draw("outputs.png", "LIF output per condition",
		fmt.Sprintf("Output of the LIF network, mean ± SD over the conversion trials of each condition (%d trials in all, output sampled every %.3g ms); shaded: stimulus; dashed: decision thresholds; purple: start of the scored window.",
			ev.Trials, ev.OutDT*1000),
		func(path string) error { return report.OutputsFigure(path, outs) }); err != nil {
		return err
	}

	if len(ev.Examples) > 0 {
		rs := make([]report.Raster, len(ev.Examples))
		for k, ex := range ev.Examples {
			r := report.Raster{Inh: ev.Inh, Duration: ev.Duration,
				Times: make([]float64, len(ex.SpikeSteps)), Neurons: make([]int, len(ex.SpikeNeurons))}
			for s := range ex.SpikeSteps {
				r.Times[s] = float64(ex.SpikeSteps[s]) * ev.DT
				r.Neurons[s] = int(ex.SpikeNeurons[s])
			}
			verdict := "correct"
			if !ex.Correct {
				verdict = "wrong"
			}
			r.Title = fmt.Sprintf("%s trial %d (%s)", ex.Condition, ex.Trial, verdict)
			rs[k] = r
		}
		if err := draw("raster.png", "Spike rasters",
			"Spikes of one conversion trial per condition (the first of each); excitatory units red, inhibitory units blue. The column at t = 0 is the units whose initial voltage, drawn uniformly in [-65, 30] mV (SPEC §4), starts above the threshold of -40 mV.",
			func(path string) error { return report.RasterFigure(path, rs...) }); err != nil {
			return err
		}
	}

	fr := report.FiringRates{Title: fmt.Sprintf("Firing rates over %d trials", ev.Trials)}
	for u, hz := range ev.UnitRateHz {
		if u < len(ev.Inh) && ev.Inh[u] {
			fr.I = append(fr.I, hz)
		} else {
			fr.E = append(fr.E, hz)
		}
	}
	if err := draw("rates.png", "Firing-rate distributions",
		"Mean firing rate of every unit over the conversion trials (spikes / trial length), excitatory and inhibitory units.",
		func(path string) error { return report.RatesFigure(path, fr) }); err != nil {
		return err
	}

	if len(ev.Examples) > 0 {
		ex := ev.Examples[0]
		ov, err := overlay(m, task, ex, ev)
		if err != nil {
			return err
		}
		ov.Stimulus, ov.Thresholds = windows, thresholds
		if err := draw("overlay.png", "Rate and LIF networks on the same stimulus",
			fmt.Sprintf("%s trial %d: output of the rate network (blue, 5 ms steps) and of the LIF network at λ = %g (red), same stimulus, each with the trial's noise seed.",
				ex.Condition, ex.Trial, ev.Lambda),
			func(path string) error { return report.OverlayFigure(path, ov) }); err != nil {
			return err
		}
	}
	return nil
}

// overlay runs the rate network on the example's stimulus (its first T
// columns, the rate-side stimulus) with the trial's noise seed.
func overlay(m *rate.Model, task tasks.Task, ex items.ExampleTrial, ev *items.Evaluation) (report.Overlay, error) {
	T := task.Steps()
	if len(ex.Stimulus) != task.Inputs() || len(ex.Stimulus[0]) < T {
		return report.Overlay{}, fmt.Errorf("overlay: example trial %d has a stimulus of %d rows, want %d of ≥ %d columns", ex.Trial, len(ex.Stimulus), task.Inputs(), T)
	}
	u := mat.NewDense(task.Inputs(), T, nil)
	for i, row := range ex.Stimulus {
		u.SetRow(i, row[:T])
	}
	net, err := rate.NewNet(m)
	if err != nil {
		return report.Overlay{}, err
	}
	out, err := net.Run(u, &rate.RunOptions{Noise: true, Seed: ex.Seed})
	if err != nil {
		return report.Overlay{}, err
	}
	return report.Overlay{
		Title:  fmt.Sprintf("%s trial %d: rate vs LIF network", ex.Condition, ex.Trial),
		Rate:   append([]float64(nil), out...),
		RateDT: tasks.StepSeconds, Spiking: ex.Out, SpikingDT: ev.OutDT,
	}, nil
}

// stimulusWindows returns the stimulus windows of the built-in tasks in
// seconds, those of a declared task's events of fixed timing, nil for
// another task.
func stimulusWindows(task tasks.Task) [][2]float64 {
	s := tasks.StepSeconds
	w := func(from, to int) [2]float64 { return [2]float64{float64(from) * s, float64(to) * s} }
	switch t := task.(type) {
	case *tasks.GoNogo:
		return [][2]float64{w(t.StimOn, t.StimOn+t.StimDur)}
	case *tasks.XOR:
		second := t.StimOn + t.StimDur + t.Delay
		return [][2]float64{w(t.StimOn, t.StimOn+t.StimDur), w(second, second+t.StimDur)}
	case *tasks.Mante:
		return [][2]float64{w(t.StimOn, t.StimOn+t.StimDur)}
	case interface{ StimulusWindows() [][2]int }: // a declared task
		var ws [][2]float64
		for _, x := range t.StimulusWindows() {
			ws = append(ws, w(x[0], x[1]))
		}
		return ws
	}
	return nil
}

// decisionThresholds returns the output levels a task's scoring compares
// with: go-nogo's 0.7 (go) and 0.3 (nogo), a declared task's thresholds,
// else ±0.7.
func decisionThresholds(task tasks.Task) []float64 {
	if _, ok := task.(*tasks.GoNogo); ok {
		return []float64{tasks.Threshold, tasks.NoGoThreshold}
	}
	if d, ok := task.(interface{ Thresholds() []float64 }); ok { // a declared task: its rules'
		return d.Thresholds()
	}
	return []float64{tasks.Threshold, -tasks.Threshold}
}

// settingsYAML renders the pipeline's parameters and the resolved settings
// of the stages above the report, in the order they committed.
func settingsYAML(params map[string]any, ms []*pipeline.Manifest) string {
	var stages yaml.MapSlice
	for _, m := range ms {
		st := yaml.MapSlice{{Key: "kind", Value: m.Kind}}
		if len(m.Settings) > 0 {
			st = append(st, yaml.MapItem{Key: "with", Value: flowLists(m.Settings)})
		}
		stages = append(stages, yaml.MapItem{Key: m.Stage, Value: st})
	}
	doc := yaml.MapSlice{}
	if len(params) > 0 {
		doc = append(doc, yaml.MapItem{Key: "params", Value: flowLists(params)})
	}
	doc = append(doc, yaml.MapItem{Key: "stages", Value: stages})
	b, err := yaml.Marshal(doc)
	if err != nil {
		return fmt.Sprintf("(settings not rendered: %v)", err)
	}
	return string(b)
}

// provenance lists what identifies the run: program version, pipeline,
// seed and the cache key of every stage above the report.
func provenance(job *pipeline.Job, sum *report.Summary, ms []*pipeline.Manifest) map[string]string {
	p := map[string]string{
		"program version":   sum.Version,
		"pipeline":          job.Pipeline(),
		"seed":              strconv.FormatInt(sum.Seed, 10),
		"key " + job.Name(): job.Key()[:16],
	}
	for _, m := range ms {
		p["key "+m.Stage] = m.Key[:min(16, len(m.Key))]
	}
	return p
}

// flowList is a list of scalars written in YAML's flow style, [4, 20].
type flowList []any

// MarshalYAML writes the list in flow style.
func (l flowList) MarshalYAML() ([]byte, error) {
	return yaml.MarshalWithOptions([]any(l), yaml.Flow(true))
}

// flowLists returns settings with every list of scalars in flow style.
func flowLists(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case []any:
			scalars := true
			for _, e := range x {
				switch e.(type) {
				case []any, map[string]any:
					scalars = false
				}
			}
			if scalars {
				out[k] = flowList(x)
				continue
			}
		case map[string]any:
			out[k] = flowLists(x)
			continue
		}
		out[k] = v
	}
	return out
}

// lambdaCaption is the caption of the λ figure.
func lambdaCaption(s *items.LambdaSearch) string {
	bars := ""
	if len(s.Lower) > 0 {
		bars = ", with 95 % Wilson intervals"
	}
	if s.Strategy == "race" {
		return fmt.Sprintf("LIF accuracy at every scaling factor λ the race tried (up to %d trials each; a factor stops once its interval lies below the leader's)%s; the best survivor, λ = %g, is used for the conversion, which re-scores it on fresh trials.", s.Trials, bars, s.Best)
	}
	return fmt.Sprintf("LIF accuracy at every scaling factor λ (%d trials each)%s; the first maximum, λ = %g, is used for the conversion, which re-scores it on fresh trials.", s.Trials, bars, s.Best)
}
