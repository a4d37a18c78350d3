package sweep

import (
	"bytes"
	"encoding/base64"
	"html"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/report"
)

const activationHead = `version: 1
pipelines:
  p:
    params: {task: go-nogo, seed: 1, activation: sigmoid}
    stages:
      task: {kind: task, with: {task: ${task}}}
    sweep:
      axes:
        activation: [sigmoid, softplus, clipped_relu]
        seed: {from: 1, to: 3}
`

// syntheticAggregate loads the activation × seed sweep above and gives its
// points the LIF (and rate) accuracies of lif, by point name; points
// without one stay unfinished.
func syntheticAggregate(t *testing.T, lif map[string][2]float64) *Aggregate {
	t.Helper()
	c, err := pipeline.Parse(filepath.Join(t.TempDir(), "pipelines.yaml"), []byte(activationHead))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "p", Workspace: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	a := &Aggregate{Sweep: s, States: s.Status()}
	for _, pr := range s.Points {
		acc, ok := lif[pr.Name]
		if !ok {
			continue
		}
		a.Rows = append(a.Rows, &Row{Point: pr, Summary: &report.Summary{
			Task: "go-nogo", LIFAccuracy: acc[0], RateAccuracy: acc[1], Converged: true,
			LambdaAccuracy: map[string]float64{"20": acc[0] / 2, "25": acc[0]}, BestLambda: 25,
		}})
		if err := os.MkdirAll(pr.Dir(), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := writeDone(s, pr, time.Second); err != nil {
			t.Fatal(err)
		}
	}
	a.States = s.Status()
	return a
}

var syntheticLIF = map[string][2]float64{
	"activation=sigmoid,seed=1":      {1.00, 1.00},
	"activation=sigmoid,seed=2":      {0.96, 0.99},
	"activation=sigmoid,seed=3":      {0.90, 0.98},
	"activation=softplus,seed=1":     {0.97, 1.00},
	"activation=softplus,seed=2":     {0.50, 0.97},
	"activation=clipped_relu,seed=1": {0.60, 0.96},
}

func TestStats(t *testing.T) {
	a := syntheticAggregate(t, syntheticLIF)
	stats := a.Stats()
	if len(stats) != 1 || stats[0].Axis != "activation" {
		t.Fatalf("stats over %v, want activation alone (seed is the replicate axis)", stats)
	}
	type want struct {
		value        string
		points, succ int
		mean, sd     float64
	}
	sd := func(xs ...float64) float64 {
		var m float64
		for _, x := range xs {
			m += x
		}
		m /= float64(len(xs))
		var ss float64
		for _, x := range xs {
			ss += (x - m) * (x - m)
		}
		return math.Sqrt(ss / float64(len(xs)-1))
	}
	wants := []want{
		{"sigmoid", 3, 2, (1 + 0.96 + 0.90) / 3, sd(1, 0.96, 0.90)},
		{"softplus", 2, 1, (0.97 + 0.50) / 2, sd(0.97, 0.50)},
		{"clipped_relu", 1, 0, 0.60, math.NaN()},
	}
	if len(stats[0].Values) != len(wants) {
		t.Fatalf("%d values, want %d", len(stats[0].Values), len(wants))
	}
	for i, w := range wants {
		v := stats[0].Values[i]
		if v.Value != w.value || v.Points() != w.points || v.Successes != w.succ {
			t.Errorf("value %d: %s %d points %d successes, want %s %d %d", i, v.Value, v.Points(), v.Successes, w.value, w.points, w.succ)
		}
		if math.Abs(v.Mean-w.mean) > 1e-12 || !(math.Abs(v.SD-w.sd) < 1e-12 || math.IsNaN(w.sd) && math.IsNaN(v.SD)) {
			t.Errorf("%s: %g ± %g, want %g ± %g", v.Value, v.Mean, v.SD, w.mean, w.sd)
		}
		if got := v.SuccessFraction(); math.Abs(got-float64(w.succ)/float64(w.points)) > 1e-12 {
			t.Errorf("%s: success fraction %g", v.Value, got)
		}
	}
	// The rate accuracies follow the LIF ones, row by row.
	if got := stats[0].Values[1].Rate; !slices.Equal(got, []float64{1.00, 0.97}) {
		t.Errorf("softplus rate accuracies %v", got)
	}
}

func TestStatsUnfinishedValue(t *testing.T) {
	a := syntheticAggregate(t, map[string][2]float64{"activation=softplus,seed=2": {0.99, 1}})
	st := a.Stats()[0]
	if len(st.Values) != 3 || st.Values[0].Points() != 0 || !math.IsNaN(st.Values[0].Mean) || !math.IsNaN(st.Values[0].SuccessFraction()) {
		t.Fatalf("sigmoid without a finished point: %+v", st.Values[0])
	}
	if v := st.Values[1]; v.Points() != 1 || v.Successes != 1 || v.Mean != 0.99 || !math.IsNaN(v.SD) {
		t.Fatalf("softplus: %+v", v)
	}
}

func TestStatsSeedOnly(t *testing.T) {
	a := syntheticAggregate(t, syntheticLIF)
	a.Sweep.Matrix.Axes = a.Sweep.Matrix.Axes[1:] // seed alone
	st := a.Stats()
	if len(st) != 1 || st[0].Axis != "seed" || len(st[0].Values) != 3 || st[0].Values[0].Points() != 3 {
		t.Fatalf("a seed-only sweep is summarised per seed: %+v", st)
	}
}

func TestWriteFigures(t *testing.T) {
	a := syntheticAggregate(t, syntheticLIF)
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	want := []string{TableFile, LambdaTableFile,
		filepath.Join(FigureDir, "lif_accuracy_activation.png"),
		filepath.Join(FigureDir, "success_activation.png"),
		filepath.Join(FigureDir, "rate_vs_lif.png")}
	for _, f := range want {
		if !slices.Contains(a.Files, f) {
			t.Errorf("Files %v lacks %s", a.Files, f)
		}
		if f == TableFile || f == LambdaTableFile {
			continue
		}
		b, err := os.ReadFile(filepath.Join(a.Sweep.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if r := img.Bounds(); r.Dx() != report.Width || r.Dy() != report.Height {
			t.Errorf("%s: %v", f, r)
		}
	}
	// The scatter has one series per activation with a finished point,
	// holding the rows' rate and LIF accuracies.
	r := a.rateLIF(a.Stats())
	if len(r.Series) != 3 || r.Series[2].Label != "activation = clipped_relu" || !slices.Equal(r.Series[2].X, []float64{0.96}) || !slices.Equal(r.Series[2].Y, []float64{0.60}) {
		t.Errorf("scatter series %+v", r.Series)
	}
	s := successFractions("p", a.Stats()[0])
	if !slices.Equal(s.Labels, []string{"sigmoid", "softplus", "clipped_relu"}) || !slices.Equal(s.Successes, []int{2, 1, 0}) || !slices.Equal(s.Counts, []int{3, 2, 1}) {
		t.Errorf("success figure data %+v", s)
	}
}

func TestWriteNoFinishedPoint(t *testing.T) {
	a := syntheticAggregate(t, nil)
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(a.Sweep.Dir, FigureDir)); !os.IsNotExist(err) {
		t.Errorf("figures drawn with no finished point: %v", err)
	}
}

func TestWriteReport(t *testing.T) {
	a := syntheticAggregate(t, syntheticLIF)
	// A failed point whose error holds markup: the report escapes it.
	var failed *PointRun
	for _, pr := range a.Sweep.Points {
		if pr.Name == "activation=clipped_relu,seed=3" {
			failed = pr
		}
	}
	if err := os.MkdirAll(failed.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(failed.Dir(), FailedFile), []byte("train: <script>alert(1)</script> & diverged\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a.States = a.Sweep.Status()
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(a.Files, ReportFile) {
		t.Errorf("Files %v lacks %s", a.Files, ReportFile)
	}
	b, err := os.ReadFile(filepath.Join(a.Sweep.Dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		"9 points: 6 done, 1 failed, 0 running, 2 pending.",
		// sigmoid: 1, 0.96, 0.90 → 95.3 ± 5.0 %; 2 of 3 successful.
		"<tr><td>sigmoid</td><td>3</td><td>3</td><td>2</td><td>66.7 %</td><td>95.3 ± 5.0 %</td>",
		`<td class="paper">94/100 (94.0 %)</td><td class="paper">98.8 ± 4.7 %</td>`,
		"<tr><td>softplus</td><td>2</td><td>2</td><td>1</td><td>50.0 %</td><td>73.5 ± 33.2 %</td>",
		`<td class="paper">55.0 %</td><td class="paper">88.3 ± 15.8 %</td>`,
		"<tr><td>clipped_relu</td><td>1</td><td>1</td><td>0</td><td>0.0 %</td><td>60.0 % (one network)</td>",
		`<td class="paper">0.0 %</td><td class="paper">59.7 ± 9.5 %</td>`,
		"94 of 100 converted successfully",
		"<td>activation=clipped_relu,seed=3</td><td>train: &lt;script&gt;alert(1)&lt;/script&gt; &amp; diverged</td>",
		"<tr><td>activation=softplus,seed=2</td><td>softplus</td><td>2</td><td>yes</td><td>97.0 %</td><td>25</td><td>50.0 %</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("report holds unescaped markup from a point's error")
	}
	// The figures are embedded, byte for byte (the attribute escapes + as
	// &#43;, which a browser reads back).
	unescaped := html.UnescapeString(page)
	for _, f := range a.Figures() {
		png, err := os.ReadFile(filepath.Join(a.Sweep.Dir, f.File))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(unescaped, `src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(png)+`"`) {
			t.Errorf("report does not embed %s", f.File)
		}
	}
	// No quote for an axis the paper does not report on.
	if q := quoteFor("seed"); q != nil {
		t.Errorf("quote for seed: %v", q)
	}
}

func TestWriteReportTaus(t *testing.T) {
	c, err := pipeline.Parse(filepath.Join(t.TempDir(), "pipelines.yaml"), []byte(`version: 1
pipelines:
  p:
    params: {task: go-nogo, taus: [4, 20]}
    stages:
      task: {kind: task, with: {task: ${task}}}
    sweep:
      axes:
        taus: [[4, 10], [4, 20]]
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "p", Workspace: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	a := &Aggregate{Sweep: s, States: s.Status()}
	for i, pr := range s.Points {
		a.Rows = append(a.Rows, &Row{Point: pr, Summary: &report.Summary{LIFAccuracy: 0.9 + 0.05*float64(i), RateAccuracy: 1}})
	}
	if err := a.Write(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.Dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"the shortest synaptic decay (20 ms)",
		"<tr><td>[4,10]</td><td>1</td><td>0</td><td>0</td><td>0.0 %</td><td>90.0 % (one network)</td><td>100.0 % (one network)</td><td class=\"paper\"></td>",
		`<tr><td>[4,20]</td><td>1</td><td>0</td><td>1</td><td>100.0 %</td><td>95.0 % (one network)</td><td>100.0 % (one network)</td><td class="paper">65.0 %</td><td class="paper">93.91 ± 7.78 %</td></tr>`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(string(b), "94 of 100") {
		t.Error("a taus sweep quotes the activation finding")
	}
}

// BenchmarkAggregateWrite writes the aggregates of the paper's full
// activation sweep (3 activations × 100 seeds): the Parquet tables, the
// figures and the report, as every run of a finished sweep does.
func BenchmarkAggregateWrite(b *testing.B) {
	head := strings.Replace(activationHead, "to: 3", "to: 100", 1)
	c, err := pipeline.Parse(filepath.Join(b.TempDir(), "pipelines.yaml"), []byte(head))
	if err != nil {
		b.Fatal(err)
	}
	s, err := Load(pipeline.Default(), c, Options{CompileOptions: pipeline.CompileOptions{Pipeline: "p", Workspace: b.TempDir()}})
	if err != nil {
		b.Fatal(err)
	}
	a := &Aggregate{Sweep: s, States: s.Status()}
	for i, pr := range s.Points {
		acc := 0.5 + 0.5*float64(i%97)/96
		a.Rows = append(a.Rows, &Row{Point: pr, Summary: &report.Summary{
			LIFAccuracy: acc, RateAccuracy: 1, Converged: true, BestLambda: 25,
			LambdaAccuracy: map[string]float64{"20": acc / 2, "25": acc, "30": acc * 0.9},
			LIFAccuracyBy:  map[string]float64{"go": 1, "nogo": acc},
		}})
	}
	a.Conditions = []string{"go", "nogo"}
	b.ResetTimer()
	for range b.N {
		a.Files = nil
		if err := a.Write(); err != nil {
			b.Fatal(err)
		}
	}
}
