package stages_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

// writeYAML writes a pipeline file into a fresh directory holding a copy
// of the reference's go-nogo model as model.mat.
func writeYAML(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	b, err := os.ReadFile(repoFile("testdata/models/gonogo_ref1.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.mat"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return pipelinetest.WriteFile(t, dir, strings.TrimRight(yaml, " \t\n")+"\n")
}

// TestEvaluationMatchesTables checks evaluate's running statistics against
// the same figures recomputed from the Parquet tables of the run.
func TestEvaluationMatchesTables(t *testing.T) {
	ws := t.TempDir()
	yaml := repoFile("pipelines.yaml")
	res, _ := run(t, yaml, "go-nogo", ws, tiny...)
	g := compile(t, yaml, "go-nogo", ws, tiny...)
	ev := cachedValue[*items.Evaluation](t, g, "eval", "evaluation")

	trials := readParquet(t, filepath.Join(res.Dir, "trials.parquet"))
	labels := map[int32]string{}
	tt, tl := trials.col(t, "trial").(*array.Int32), trials.col(t, "label").(*array.String)
	correct := 0
	tc := trials.col(t, "correct").(*array.Boolean)
	for i := range tt.Len() {
		labels[tt.Value(i)] = tl.Value(i)
		if tc.Value(i) {
			correct++
		}
	}
	if ev.Trials != 6 || ev.Correct != correct {
		t.Errorf("evaluation: %d trials, %d correct; trials table %d, %d", ev.Trials, ev.Correct, tt.Len(), correct)
	}

	// Output mean and SD per condition, from outputs.parquet (float32).
	outs := readParquet(t, filepath.Join(res.Dir, "outputs.parquet"))
	ot, ov := outs.col(t, "trial").(*array.Int32), outs.col(t, "out").(*array.Float32)
	per := map[string]map[int32][]float64{}
	for i := range ot.Len() {
		l := labels[ot.Value(i)]
		if per[l] == nil {
			per[l] = map[int32][]float64{}
		}
		per[l][ot.Value(i)] = append(per[l][ot.Value(i)], float64(ov.Value(i)))
	}
	for _, c := range ev.Conditions {
		trs := per[c.Name]
		if len(trs) != c.Trials {
			t.Errorf("%s: %d trials in outputs.parquet, evaluation %d", c.Name, len(trs), c.Trials)
			continue
		}
		for s := range c.OutMean {
			var sum, sq float64
			for _, o := range trs {
				sum += o[s]
			}
			mean := sum / float64(len(trs))
			for _, o := range trs {
				sq += (o[s] - mean) * (o[s] - mean)
			}
			sd := 0.0
			if len(trs) > 1 {
				sd = math.Sqrt(sq / float64(len(trs)-1))
			}
			if math.Abs(mean-c.OutMean[s]) > 1e-5*(1+math.Abs(mean)) || math.Abs(sd-c.OutSD[s]) > 1e-5*(1+sd) {
				t.Fatalf("%s sample %d: mean %g sd %g from the table, evaluation %g %g", c.Name, s, mean, sd, c.OutMean[s], c.OutSD[s])
			}
		}
	}

	// Per-unit rates from spikes.parquet.
	spikes := readParquet(t, filepath.Join(res.Dir, "spikes.parquet"))
	sn := spikes.col(t, "neuron").(*array.Int32)
	counts := make([]float64, len(ev.UnitRateHz))
	for i := range sn.Len() {
		counts[sn.Value(i)]++
	}
	for u, n := range counts {
		if want := n / (float64(ev.Trials) * ev.Duration); math.Abs(want-ev.UnitRateHz[u]) > 1e-9 {
			t.Errorf("unit %d: %g Hz from the spikes table, evaluation %g", u, want, ev.UnitRateHz[u])
		}
	}
	if len(ev.Examples) != 2 || ev.Examples[0].Condition != "go" || ev.Examples[1].Condition != "nogo" {
		t.Errorf("examples: %d, want the first go and the first nogo trial", len(ev.Examples))
	}
	for _, ex := range ev.Examples {
		var n int
		st := spikes.col(t, "trial").(*array.Int32)
		for i := range st.Len() {
			if int(st.Value(i)) == ex.Trial {
				n++
			}
		}
		if n != len(ex.SpikeSteps) || len(ex.Stimulus) != 1 || len(ex.Stimulus[0]) != 201 {
			t.Errorf("example trial %d: %d spikes (table %d), stimulus %d rows", ex.Trial, len(ex.SpikeSteps), n, len(ex.Stimulus))
		}
	}
}

// TestLambdaResume checks that a search finding saved factors in its
// partial directory (as an interrupted run leaves them) simulates only the
// others, and ignores a saved factor that does not fit.
func TestLambdaResume(t *testing.T) {
	path := writeYAML(t, `
		version: 1
		pipelines:
		  p:
		    stages:
		      model:  {kind: load-mat, with: {path: model.mat}}
		      task:   {kind: task, with: {task: go-nogo}}
		      lambda: {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [25, 30, 35], trials: 3}}
	`)
	ws := t.TempDir()
	g := compile(t, path, "p", ws)
	partial := filepath.Join(g.Dir, pipeline.StagesDir, "lambda", "partial-"+g.Node("lambda").Key[:16])
	if err := os.MkdirAll(partial, 0o755); err != nil {
		t.Fatal(err)
	}
	save := func(fr spiking.FactorResult) {
		b, err := json.Marshal(fr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(partial, "factor-"+strconvBits(fr.Lambda)+".json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A made-up result at 30 (peaks of 9 no simulation gives), and one at 25
	// with the wrong number of trials.
	fake := spiking.FactorResult{Lambda: 30, Accuracy: 1}
	for j := range 3 {
		fake.Trials = append(fake.Trials, spiking.TrialResult{Trial: j, Label: tasks.Go, Correct: true, Peak: 9})
	}
	save(fake)
	save(spiking.FactorResult{Lambda: 25, Accuracy: 1, Trials: fake.Trials[:2]})

	res, _ := run(t, path, "p", ws)
	search := cachedValue[*items.LambdaSearch](t, g, "lambda", "search")
	if search.Resumed != 1 || search.Accuracy[1] != 1 || search.Best != 30 {
		t.Errorf("search %+v: want factor 30 resumed with accuracy 1", search)
	}
	lam := readParquet(t, filepath.Join(res.Dir, "lambda.parquet"))
	f, peak := lam.col(t, "factor").(*array.Float64), lam.col(t, "peak").(*array.Float64)
	for i := range f.Len() {
		if (f.Value(i) == 30) != (peak.Value(i) == 9) {
			t.Errorf("row %d: factor %g peak %g: only the saved factor 30 has peaks of 9", i, f.Value(i), peak.Value(i))
		}
	}
	if _, err := os.Stat(partial); !os.IsNotExist(err) {
		t.Errorf("partial directory left after the commit: %v", err)
	}
}

// strconvBits is the partial file name part of a factor (its float64
// bits in hex), as lambda-search names it.
func strconvBits(f float64) string {
	const hex = "0123456789abcdef"
	b := math.Float64bits(f)
	var s []byte
	for ; b > 0; b >>= 4 {
		s = append([]byte{hex[b&15]}, s...)
	}
	return string(s)
}

// TestConvertWorkers checks that lif-convert's streams do not depend on
// the number of workers.
func TestConvertWorkers(t *testing.T) {
	path := writeYAML(t, `
		version: 1
		pipelines:
		  p:
		    stages:
		      model:  {kind: load-mat, with: {path: model.mat}}
		      task:   {kind: task, with: {task: go-nogo}}
		      lambda: {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [30], trials: 1}}
		      one:    {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}, with: {trials: 5, seed: 4, workers: 1}}
		      three:  {kind: lif-convert, in: {model: model.model, lambda: lambda.best, task: task.task}, with: {trials: 5, seed: 4, workers: 3, output_every: 1}}
		      s1:     {kind: parquet, in: {rows: one.spikes}, with: {path: s1.parquet}}
		      s3:     {kind: parquet, in: {rows: three.spikes}, with: {path: s3.parquet}}
		      r1:     {kind: parquet, in: {rows: one.rates}, with: {path: r1.parquet}}
		      r3:     {kind: arrow, in: {rows: three.rates}, with: {path: r3.arrows}}
		      o1:     {kind: parquet, in: {rows: one.outputs}, with: {path: o1.parquet}}
		      o3:     {kind: parquet, in: {rows: three.outputs}, with: {path: o3.parquet}}
	`)
	res, _ := run(t, path, "p", t.TempDir())
	s1, s3 := readParquet(t, filepath.Join(res.Dir, "s1.parquet")), readParquet(t, filepath.Join(res.Dir, "s3.parquet"))
	if s1.rows() == 0 || s1.rows() != s3.rows() {
		t.Fatalf("spikes: %d rows with one worker, %d with three", s1.rows(), s3.rows())
	}
	for _, c := range []string{"trial", "neuron", "step"} {
		a, b := s1.col(t, c).(*array.Int32), s3.col(t, c).(*array.Int32)
		for i := range a.Len() {
			if a.Value(i) != b.Value(i) {
				t.Fatalf("spikes row %d: %s %d with one worker, %d with three", i, c, a.Value(i), b.Value(i))
			}
		}
	}
	// Outputs every 20 steps (k-1, 2k-1, …) are every 20th of all steps.
	o1, o3 := readParquet(t, filepath.Join(res.Dir, "o1.parquet")), readParquet(t, filepath.Join(res.Dir, "o3.parquet"))
	if o3.rows() != 20*o1.rows() {
		t.Fatalf("outputs: %d rows every 20 steps, %d every step", o1.rows(), o3.rows())
	}
	st1, v1 := o1.col(t, "step").(*array.Int32), o1.col(t, "out").(*array.Float32)
	st3, v3 := o3.col(t, "step").(*array.Int32), o3.col(t, "out").(*array.Float32)
	for i := range st1.Len() {
		j := i/1000*20000 + int(st1.Value(i))
		if st1.Value(i)%20 != 19 || st3.Value(j) != st1.Value(i) || v3.Value(j) != v1.Value(i) {
			t.Fatalf("output row %d: step %d out %g; every-step table has step %d out %g", i, st1.Value(i), v1.Value(i), st3.Value(j), v3.Value(j))
		}
	}
	if fi, err := os.Stat(filepath.Join(res.Dir, "r3.arrows")); err != nil || fi.Size() == 0 {
		t.Errorf("arrow stream: %v", err)
	}
	if h := headline(t, res, "r3"); h["rows"] != float64(readParquet(t, filepath.Join(res.Dir, "r1.parquet")).rows()) {
		t.Errorf("arrow rows %v, parquet rows %d", h["rows"], readParquet(t, filepath.Join(res.Dir, "r1.parquet")).rows())
	}
}

// TestTrialStreamTooShort checks the error of a training that runs out of
// trials.
func TestTrialStreamTooShort(t *testing.T) {
	path := writeYAML(t, `
		version: 1
		pipelines:
		  p:
		    stages:
		      trials: {kind: task-trials, with: {task: go-nogo, count: 50}}
		      train:  {kind: train-rate, in: {trials: trials.out, task: trials.task}, with: {N: 20, max_trials: 300}}
	`)
	_, _, err := pipelinetest.Run(context.Background(), pipeline.Default(), path, pipeline.CompileOptions{Workspace: t.TempDir()}, pipeline.Selection{})
	if err == nil || !strings.Contains(err.Error(), "raise the count") || !strings.Contains(err.Error(), `stage "train"`) {
		t.Fatalf("err = %v, want train's error about the trial count", err)
	}
}

// TestLintErrors checks the checks the kinds' constructors add to lint.
func TestLintErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{`lambda: {kind: lambda-search, in: {model: m.model, task: k.task}, with: {factors: [20], range: {from: 20, to: 30, step: 5}}}`, "either factors or range"},
		{`lambda: {kind: lambda-search, in: {model: m.model, task: k.task}, with: {range: {from: 30, to: 20, step: 5}}}`, "is empty"},
		{`lambda: {kind: lambda-search, in: {model: m.model, task: k.task}, with: {factors: [20, 20]}}`, "listed twice"},
		{`train: {kind: train-rate, in: {trials: k.out, task: k.task}, with: {taus: [1, 2, 3]}}`, "taus"},
		{`train: {kind: train-rate, in: {trials: k.out, task: k.task}, with: {som_N: 500}}`, "som"},
		{`x: {kind: task-trials, with: {task: go-nogo, stim_on: 190, stim_dur: 25}}`, "go-nogo"},
		{`x: {kind: plot, in: {summary: s.summary, model: m.model, task: k.task}, with: {dir: /tmp}}`, "relative path"},
	} {
		src := "version: 1\npipelines:\n  p:\n    stages:\n      m: {kind: load-mat, with: {path: model.mat}}\n" +
			"      k: {kind: task-trials, with: {task: go-nogo}}\n      s: {kind: summary, in: {model: m.model, task: k.task}}\n      " + tc.yaml + "\n"
		cfg, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		err = pipeline.Default().Lint(cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: lint error %v, want one mentioning %q", tc.yaml, err, tc.want)
		}
	}
}

// TestLambdaDefaultFactors checks that a search given neither factors nor
// range tries the SI's grid for the model's activation: 4, 6, …, 26 for a
// softplus model.
func TestLambdaDefaultFactors(t *testing.T) {
	path := writeYAML(t, `
		version: 1
		pipelines:
		  p:
		    stages:
		      model:  {kind: load-mat, with: {path: softplus.mat}}
		      task:   {kind: task, with: {task: go-nogo}}
		      lambda: {kind: lambda-search, in: {model: model.model, task: task.task}, with: {trials: 1, downsample: 10}}
	`)
	m, err := rate.Load(filepath.Join(filepath.Dir(path), "model.mat"))
	if err != nil {
		t.Fatal(err)
	}
	m.Activation = rate.ActSoftplus
	if err := m.Save(filepath.Join(filepath.Dir(path), "softplus.mat")); err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	g := compile(t, path, "p", ws)
	run(t, path, "p", ws)
	search := cachedValue[*items.LambdaSearch](t, g, "lambda", "search")
	if want := spiking.FactorRange(4, 26, 2); !slices.Equal(search.Factors, want) {
		t.Errorf("softplus model: searched %v, want %v", search.Factors, want)
	}
}
