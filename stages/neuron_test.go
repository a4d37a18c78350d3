package stages_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/report"
)

// neuronYAML is a search, conversion and summary of the reference's model
// whose spiking unit comes from the params (the way a sweep varies it).
const neuronYAML = `
version: 1
pipelines:
  p:
    params: {model: lif, tref: 2, tr: 2}
    stages:
      model:   {kind: load-mat, with: {path: model.mat}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:
        kind: lambda-search
        in: {model: model.model, task: task.task}
        with: {factors: [30], trials: 2, downsample: 10, neuron: {model: ${model}, tref: ${tref}, tr: ${tr}}}
      convert:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, task: task.task}
        with: {trials: 2, downsample: 10, neuron: {model: ${model}, tref: ${tref}, tr: ${tr}}}
      eval:    {kind: evaluate, in: {trials: convert.trials, task: task.task, model: model.model}}
      spikes:  {kind: parquet, in: {rows: convert.spikes}, with: {path: spikes.parquet}}
      trials:  {kind: parquet, in: {rows: eval.rows}, with: {path: trials.parquet}}
      summary: {kind: summary, in: {model: model.model, task: task.task, search: lambda.search, evaluation: eval.evaluation}}
`

// TestNeuronSettings checks that the neuron settings of lambda-search and
// lif-convert, given through params, reach the simulation and are
// recorded in summary.json, the tables' metadata and model_lambda.mat;
// and that the reference's values given explicitly change nothing.
func TestNeuronSettings(t *testing.T) {
	path := writeYAML(t, neuronYAML)
	for _, c := range []struct {
		set  []string
		want report.Neuron
	}{
		{nil, report.Neuron{Model: "lif", TRef: 2, TM: 10, TR: 2, VReset: -65, VPeak: -40, Bias: -40}},
		{[]string{"tref=0", "tr=0"}, report.Neuron{Model: "lif", TRef: 0, TM: 10, TR: 0, VReset: -65, VPeak: -40, Bias: -40}},
		{[]string{"model=qif"}, report.Neuron{Model: "qif", TRef: 2, TM: 10, TR: 2, VReset: -65, VPeak: 30, Bias: 0}},
	} {
		res, _ := run(t, path, "p", t.TempDir(), c.set...)
		sum, err := report.ReadSummary(filepath.Join(res.Dir, "summary.json"))
		if err != nil {
			t.Fatal(err)
		}
		if sum.Neuron == nil || *sum.Neuron != c.want || sum.SearchNeuron != nil {
			t.Errorf("%v: summary neuron %+v (search %+v), want %+v", c.set, sum.Neuron, sum.SearchNeuron, c.want)
		}
		for _, table := range []string{"lambda.parquet", "spikes.parquet", "trials.parquet"} {
			kv := readParquet(t, filepath.Join(res.Dir, table)).kv
			want := items.NeuronMetadata(nil, &c.want)
			for k, v := range want {
				if kv[k] != v {
					t.Errorf("%v: %s metadata %s = %q, want %q", c.set, table, k, kv[k], v)
				}
			}
		}
		f, err := matfile.Open(filepath.Join(res.Dir, "model_lambda.mat"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.Var("lif_neuron")
		if err != nil {
			t.Fatal(err)
		}
		mv, _ := v.Field("model")
		model, _ := mv.Text()
		got := report.Neuron{Model: model}
		for _, fd := range []struct {
			name string
			dst  *float64
		}{{"tref", &got.TRef}, {"tm", &got.TM}, {"tr", &got.TR}, {"vreset", &got.VReset}, {"vpeak", &got.VPeak}, {"bias", &got.Bias}} {
			x, err := v.Field(fd.name)
			if err != nil {
				t.Fatal(err)
			}
			xs, err := x.Float64s()
			if err != nil || len(xs) != 1 {
				t.Fatalf("lif_neuron.%s: %v %v", fd.name, xs, err)
			}
			*fd.dst = xs[0]
		}
		if got != c.want {
			t.Errorf("%v: model_lambda.mat lif_neuron %+v, want %+v", c.set, got, c.want)
		}
	}

	// The reference's values, given explicitly, simulate the very same
	// trials as no neuron setting; tref 0 does not.
	spikesOf := func(yaml string, set ...string) any {
		p := writeYAML(t, yaml)
		ws := t.TempDir()
		run(t, p, "p", ws, set...)
		g := compile(t, p, "p", ws, set...)
		return cachedValue[*items.Evaluation](t, g, "eval", "evaluation").NSpikes
	}
	plain := strings.ReplaceAll(neuronYAML, ", neuron: {model: ${model}, tref: ${tref}, tr: ${tr}}", "")
	if a, b := spikesOf(plain), spikesOf(neuronYAML); a != b {
		t.Errorf("no neuron setting: %v spikes; the reference's values given: %v", a, b)
	}
	if a, b := spikesOf(plain), spikesOf(neuronYAML, "tref=0"); a == b {
		t.Errorf("tref 0 gives the same %v spikes as 2 ms", a)
	}
}

// TestNeuronLint checks that lint refuses bad neuron settings with the
// setting's position.
func TestNeuronLint(t *testing.T) {
	for _, tc := range []struct{ neuron, want string }{
		{`{tref: -1}`, "p.yaml:7:"},
		{`{tref: -1}`, "tref"},
		{`{model: hh}`, "model"},
		{`{tm: 0}`, "tm"},
		{`{tr: -2}`, "tr"},
		{`{vreset: -30, vpeak: -40}`, "vreset"},
		{`{model: qif, vpeak: -70}`, "vreset = -65 mV, want below vpeak = -70"},
		{`{tau: 3}`, "tau"},
	} {
		for _, kind := range []string{
			"lambda: {kind: lambda-search, in: {model: m.model, task: k.task}, with: {neuron: %s}}",
			"convert: {kind: lif-convert, in: {model: m.model, lambda: l.best, task: k.task}, with: {neuron: %s}}",
		} {
			src := "version: 1\npipelines:\n  p:\n    stages:\n      m: {kind: load-mat, with: {path: model.mat}}\n" +
				"      k: {kind: task, with: {task: go-nogo}}\n      " + strings.Replace(kind, "%s", tc.neuron, 1) + "\n" +
				"      l: {kind: lambda-search, in: {model: m.model, task: k.task}}\n"
			cfg, err := pipeline.Parse("p.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = pipeline.Default().Lint(cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: lint error %v, want one mentioning %q", strings.Replace(kind, "%s", tc.neuron, 1), err, tc.want)
			}
		}
	}
}

// TestPaperRefractory checks that pipeline paper-refractory's tref reaches
// the search and the conversion as their neuron's refractory period.
func TestPaperRefractory(t *testing.T) {
	for _, tref := range []string{"0", "2"} {
		g := compile(t, repoFile("pipelines.yaml"), "paper-refractory", t.TempDir(), "tref="+tref)
		for _, stage := range []string{"lambda", "convert"} {
			nr, _ := g.Node(stage).Settings["neuron"].(map[string]any)
			if got := fmt.Sprint(nr["tref"]); got != tref {
				t.Errorf("tref=%s: stage %s neuron %v", tref, stage, nr)
			}
		}
	}
}
