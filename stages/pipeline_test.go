package stages_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/stages"
	_ "github.com/spikernn/spikernn/sweep" // pipelines.yaml has sweep: blocks
)

// tiny are overrides that make the go-nogo pipeline of pipelines.yaml run
// in seconds: a small network, a short unconverged training, two factors
// of four trials, six conversion trials.
var tiny = []string{"N=40", "max_trials=150", "factors=[20, 40]", "lambda_trials=4", "trials=6"}

// outputFiles are the files every science pipeline writes into its
// directory (issue 5 item 4, issue 6).
var outputFiles = []string{
	"model_lambda.mat", "spikes.parquet", "rates.parquet", "outputs.parquet", "trials.parquet",
	"neurons.parquet", "lambda.parquet", "summary.json", "report.md", "report.html",
}

var plotFiles = []string{"training.png", "lambda.png", "outputs.png", "raster.png", "rates.png", "overlay.png"}

// TestGoNogoPipeline runs the default pipeline of pipelines.yaml with tiny
// settings and checks every output, a rerun that does nothing and a rerun
// after a changed parameter.
func TestGoNogoPipeline(t *testing.T) {
	ws := t.TempDir()
	yaml := repoFile("pipelines.yaml")
	res, ran := run(t, yaml, "go-nogo", ws, tiny...)
	if len(ran) != 13 {
		t.Fatalf("first run ran %v, want all 13 stages", ran)
	}
	dir := res.Dir
	for _, f := range append(outputFiles, "model.mat") {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("output %s: %v", f, err)
		}
	}

	// Models: model.mat as trained, model_lambda.mat with the search.
	m, err := rate.Load(filepath.Join(dir, "model.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 40 || len(m.Losses) != 150 {
		t.Errorf("model.mat: N %d, %d losses; want 40 and 150", m.N, len(m.Losses))
	}
	ml, err := rate.Load(filepath.Join(dir, "model_lambda.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ml.ScalingFactors, []float64{20, 40}) || len(ml.AllPerfs) != 2 {
		t.Errorf("model_lambda.mat: scaling_factors %v, all_perfs %v", ml.ScalingFactors, ml.AllPerfs)
	}

	// Summary.
	raw, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"task", "N", "seed", "trials_trained", "converged", "rate_accuracy", "best_lambda",
		"lambda_accuracy", "lif_accuracy", "n_spikes", "seconds"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("summary.json has no %q", k)
		}
	}
	sum, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Task != "go-nogo" || sum.N != 40 || sum.Seed != 1 || sum.TrialsTrained != 150 || sum.Converged ||
		sum.LIFTrials != 6 || len(sum.LambdaAccuracy) != 2 || sum.BestLambda != ml.OptScalingFactor {
		t.Errorf("summary: %+v", sum)
	}
	for _, st := range []string{"trials", "train", "export", "lambda", "convert", "eval"} {
		if sum.Seconds[st] <= 0 {
			t.Errorf("summary seconds has no time for %s: %v", st, sum.Seconds)
		}
	}
	if h := headline(t, res, "summary"); h["lif_accuracy"] != sum.LIFAccuracy {
		t.Errorf("summary headline %v, summary.json lif_accuracy %v", h, sum.LIFAccuracy)
	}

	// Tables: columns, row counts, provenance, and spikes per trial equal
	// to the trials table's n_spikes.
	want := map[string][]string{
		"spikes.parquet":  {"trial", "neuron", "step", "t"},
		"rates.parquet":   {"trial", "neuron", "bin", "t", "rate_hz"},
		"outputs.parquet": {"trial", "step", "t", "out"},
		"trials.parquet":  {"trial", "task", "label", "lambda", "correct", "n_spikes", "seed"},
		"neurons.parquet": {"neuron", "type", "td_ms"},
		"lambda.parquet":  {"factor", "trial", "label", "correct", "peak", "accuracy", "accuracy_lo", "accuracy_hi"},
	}
	tables := map[string]table{}
	for name, cols := range want {
		tb := readParquet(t, filepath.Join(dir, name))
		tables[name] = tb
		if !slices.Equal(tb.columns(), cols) {
			t.Errorf("%s: columns %v, want %v", name, tb.columns(), cols)
		}
		for _, k := range []string{"pipeline", "stage", "cache_key", "program_version", "params", "param.seed"} {
			if tb.kv[k] == "" {
				t.Errorf("%s: no metadata %q (have %v)", name, k, tb.kv)
			}
		}
	}
	if n := tables["trials.parquet"].rows(); n != 6 {
		t.Errorf("trials.parquet: %d rows, want 6", n)
	}
	if n := tables["neurons.parquet"].rows(); n != 40 {
		t.Errorf("neurons.parquet: %d rows, want 40", n)
	}
	if n := tables["lambda.parquet"].rows(); n != 8 {
		t.Errorf("lambda.parquet: %d rows, want 8", n)
	}
	if n := tables["rates.parquet"].rows(); n != 6*40*200 {
		t.Errorf("rates.parquet: %d rows, want 6 trials × 40 neurons × 200 bins", n)
	}
	if n := tables["outputs.parquet"].rows(); n != 6*20000/stages.DefaultOutputEvery {
		t.Errorf("outputs.parquet: %d rows, want %d", n, 6*20000/stages.DefaultOutputEvery)
	}
	perTrial := map[int32]int64{}
	st := tables["spikes.parquet"].col(t, "trial").(*array.Int32)
	for i := range st.Len() {
		perTrial[st.Value(i)]++
	}
	tt := tables["trials.parquet"].col(t, "trial").(*array.Int32)
	ns := tables["trials.parquet"].col(t, "n_spikes").(*array.Int64)
	var total int64
	for i := range tt.Len() {
		if perTrial[tt.Value(i)] != ns.Value(i) {
			t.Errorf("trial %d: %d spike rows, n_spikes %d", tt.Value(i), perTrial[tt.Value(i)], ns.Value(i))
		}
		total += ns.Value(i)
	}
	if total != sum.NSpikes {
		t.Errorf("n_spikes: trials table %d, summary %d", total, sum.NSpikes)
	}

	// Plots and report.
	checkReport(t, dir, sum)

	// A rerun does nothing; a changed parameter reruns the stages below.
	if _, ran := run(t, yaml, "go-nogo", ws, tiny...); len(ran) != 0 {
		t.Errorf("rerun ran %v, want nothing", ran)
	}
	set := append(slices.Clone(tiny[:len(tiny)-1]), "trials=7")
	_, ran = run(t, yaml, "go-nogo", ws, set...)
	wantRan := []string{"convert", "eval", "neurons", "outputs", "plots", "rates", "spikes", "summary", "table"}
	if !slices.Equal(ran, wantRan) {
		t.Errorf("after trials=7 ran %v, want %v", ran, wantRan)
	}
	if n := readParquet(t, filepath.Join(dir, "trials.parquet")).rows(); n != 7 {
		t.Errorf("trials.parquet after trials=7: %d rows", n)
	}
	// N changes train's key and those below; trials' key is unchanged,
	// but it runs again to feed its stream to train.
	set = append(slices.Clone(tiny[1:len(tiny)-1]), "trials=7", "N=41")
	plan, res, err := pipelinetest.Run(context.Background(), pipeline.Default(), yaml,
		pipeline.CompileOptions{Pipeline: "go-nogo", Workspace: ws, Set: set}, pipeline.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	if ran := pipelinetest.Ran(res); len(ran) != 13 {
		t.Errorf("after N=41 ran %v, want all 13 stages", ran)
	}
	if st := plan.Step("trials"); !strings.Contains(st.Reason, "feed") || !st.UpToDate {
		t.Errorf("trials ran because %q (up to date %v), want a re-run to feed its stream", st.Reason, st.UpToDate)
	}
	if st := plan.Step("train"); !strings.Contains(st.Reason, "N") {
		t.Errorf("train ran because %q, want the changed N", st.Reason)
	}
}

// checkReport checks the figures (valid PNGs of the report's size) and
// that the report links each of them and shows the summary's figures.
func checkReport(t *testing.T, dir string, sum *report.Summary) {
	t.Helper()
	for _, p := range plotFiles {
		b, err := os.ReadFile(filepath.Join(dir, "plots", p))
		if err != nil {
			t.Error(err)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		if cfg.Width != report.Width || cfg.Height < report.Height {
			t.Errorf("%s: %d×%d, want %d wide and ≥ %d high", p, cfg.Width, cfg.Height, report.Width, report.Height)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plotFiles {
		if !bytes.Contains(md, []byte("](plots/"+p+")")) {
			t.Errorf("report.md does not link plots/%s", p)
		}
		if !bytes.Contains(html, []byte(`id="plots/`+p+`"`)) {
			t.Errorf("report.html does not embed plots/%s", p)
		}
	}
	for _, row := range []string{
		fmt.Sprintf("| best λ | %g |", sum.BestLambda),
		fmt.Sprintf("| LIF accuracy at best λ, re-scored | %.2f [%.2f, %.2f] (%d fresh trials) |", sum.LIFAccuracy, sum.LIFCI[0], sum.LIFCI[1], sum.LIFTrials),
		fmt.Sprintf("| λ search accuracy at best λ (the maximum: optimistic) | %.2f [%.2f, %.2f], %d trials |", sum.SearchAccuracy, sum.SearchCI[0], sum.SearchCI[1], sum.LambdaTrials[fmt.Sprintf("%g", sum.BestLambda)]),
		fmt.Sprintf("| rate accuracy | %.2f |", sum.RateAccuracy),
		fmt.Sprintf("| units (N) | %d |", sum.N),
		fmt.Sprintf("| spikes | %d |", sum.NSpikes),
		fmt.Sprintf("| seed | `%d` |", sum.Seed),
	} {
		if !strings.Contains(string(md), row) {
			t.Errorf("report.md lacks %q", row)
		}
	}
	for f, acc := range sum.LambdaAccuracy {
		ci, n := sum.LambdaCI[f], sum.LambdaTrials[f]
		if row := fmt.Sprintf("| %s | %.2f [%.2f, %.2f] (%d) |", f, acc, ci[0], ci[1], n); !strings.Contains(string(md), row) {
			t.Errorf("report.md lacks the λ row %q", row)
		}
		if lo, hi := spiking.Wilson(int(math.Round(acc*float64(n))), n); ci != [2]float64{lo, hi} {
			t.Errorf("λ = %s: interval %v, want the Wilson interval [%g, %g] of %g over %d trials", f, ci, lo, hi, acc, n)
		}
	}
	if lo, hi := spiking.Wilson(int(math.Round(sum.LIFAccuracy*float64(sum.LIFTrials))), sum.LIFTrials); sum.LIFCI != [2]float64{lo, hi} {
		t.Errorf("lif_accuracy_ci %v, want [%g, %g]", sum.LIFCI, lo, hi)
	}
	if b := fmt.Sprintf("%g", sum.BestLambda); sum.SearchAccuracy != sum.LambdaAccuracy[b] || sum.SearchCI != sum.LambdaCI[b] {
		t.Errorf("search accuracy %g %v, want λ = %s's %g %v", sum.SearchAccuracy, sum.SearchCI, b, sum.LambdaAccuracy[b], sum.LambdaCI[b])
	}
}

// TestFromMat converts the reference's trained go-nogo model with the
// from-mat pipeline and checks that the outputs describe that model.
func TestFromMat(t *testing.T) {
	ws := t.TempDir()
	res, _ := run(t, repoFile("pipelines.yaml"), "from-mat", ws, "factors=[30, 50]", "lambda_trials=10", "trials=4")
	dir := res.Dir
	for _, f := range outputFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("output %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "model.mat")); err == nil {
		t.Errorf("from-mat wrote model.mat; it has no export stage")
	}
	sum, err := report.ReadSummary(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	// gonogo_ref1.mat: N = 200, 1,502 training trials, last evaluation
	// accuracy 1.00 (testdata/REFERENCE.md).
	if sum.N != 200 || sum.TrialsTrained != 1502 || !sum.Converged || sum.RateAccuracy != 1 || sum.LIFTrials != 4 {
		t.Errorf("summary: %+v", sum)
	}
	ml, err := rate.Load(filepath.Join(dir, "model_lambda.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if ml.OptScalingFactor != sum.BestLambda || !slices.Equal(ml.ScalingFactors, []float64{30, 50}) {
		t.Errorf("model_lambda.mat: opt %g factors %v; summary best %g", ml.OptScalingFactor, ml.ScalingFactors, sum.BestLambda)
	}
	orig, err := rate.Load(repoFile("testdata/models/gonogo_ref1.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if orig.OptScalingFactor != 0 || len(orig.ScalingFactors) != 0 {
		t.Errorf("the input model file was modified")
	}
	checkReport(t, dir, sum)
}

// TestFromMatLayouts converts the model files of every layout of
// testdata/models/layouts (all of gonogo_ref1's network) with the from-mat
// pipeline, and checks what summary.json says was assumed and that the λ
// search scores them as it scores gonogo_ref1.mat.
func TestFromMatLayouts(t *testing.T) {
	readme := []string{"b_out", "som_N", "activation", "apply_dale"}
	tf := []string{"apply_dale", "losses"}
	cases := []struct {
		file    string
		assumed []string // the fields of the assumptions, in order
		trained int      // trials_trained in the summary
	}{
		{"gonogo_ref1.mat", []string{"apply_dale"}, 1502},
		{"layouts/seed_readme.mat", readme, 0},
		{"layouts/port_tutorial.mat", readme, 0},
		{"layouts/octave_v7.mat", readme, 0},
		{"layouts/tf_original.mat", tf, 1502},
		{"layouts/matlab_appended.mat", tf, 1502},
	}
	var refAcc map[string]float64
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			model := "testdata/models/" + c.file
			res, _ := run(t, repoFile("pipelines.yaml"), "from-mat", t.TempDir(),
				"model="+model, "factors=[30, 60]", "lambda_trials=10", "trials=2")
			sum, err := report.ReadSummary(filepath.Join(res.Dir, "summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			var fields []string
			for _, a := range sum.ModelAssumptions {
				field, _, _ := strings.Cut(a, ": ")
				fields = append(fields, field)
				t.Log(a)
			}
			if !slices.Equal(fields, c.assumed) {
				t.Errorf("model_assumptions %q, want one line on each of %v", sum.ModelAssumptions, c.assumed)
			}
			if sum.ModelFile != model {
				t.Errorf("model_file %q, want %q", sum.ModelFile, model)
			}
			if got := headline(t, res, "model")["assumed"]; fmt.Sprint(got) != fmt.Sprint(len(c.assumed)) {
				t.Errorf("headline assumed=%v, want %d", got, len(c.assumed))
			}
			if sum.N != 200 || sum.TrialsTrained != c.trained || sum.LIFTrials != 2 {
				t.Errorf("summary: N %d, trials_trained %d (want %d), lif_trials %d", sum.N, sum.TrialsTrained, c.trained, sum.LIFTrials)
			}
			// The same network to float32 rounding, the same seeds: the
			// same scores, but for a trial that rounding might flip.
			if refAcc == nil {
				refAcc = sum.LambdaAccuracy
				return
			}
			for f, acc := range refAcc {
				if d := sum.LambdaAccuracy[f] - acc; d > 0.1 || d < -0.1 {
					t.Errorf("λ = %s: accuracy %.2f, gonogo_ref1.mat %.2f", f, sum.LambdaAccuracy[f], acc)
				}
			}
		})
	}
}
