package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// python is the interpreter with scipy (the PATH one may lack it).
const python = "/usr/bin/python3"

// needScipy skips the test when python or scipy is missing, or fails it
// when SPIKERNN_REQUIRE_INTEROP=1.
func needScipy(t *testing.T) {
	t.Helper()
	err := exec.Command(python, "-c", "import scipy.io").Run()
	if err == nil {
		return
	}
	if os.Getenv("SPIKERNN_REQUIRE_INTEROP") == "1" {
		t.Fatalf("%s with scipy is required (SPIKERNN_REQUIRE_INTEROP=1): %v", python, err)
	}
	t.Skipf("%s with scipy not available: %v", python, err)
}

// loadmatScript prints, for each file given, every variable's shape and
// class, and the values of the small ones.
const loadmatScript = `
import json, sys
import numpy as np
import scipy.io
out = {}
for path in sys.argv[1:]:
    m = scipy.io.loadmat(path)
    vs = {}
    for k, v in m.items():
        if k.startswith('__'):
            continue
        a = np.asarray(v)
        e = {'shape': list(a.shape), 'dtype': str(a.dtype)}
        if a.dtype.names:
            f = {}
            for n in a.dtype.names:
                x = np.asarray(a[n][0, 0])
                f[n] = str(x[0]) if x.dtype.kind == 'U' else float(x.ravel()[0])
            e['fields'] = f
        elif a.dtype.kind in 'U':
            e['text'] = str(a[0]) if a.size else ''
        elif a.size <= 16 or k == 'eval_labels':
            e['values'] = a.astype(float).ravel(order='F').tolist()
        vs[k] = e
    out[path] = vs
json.dump(out, sys.stdout)
`

type matVar struct {
	Shape  []int     `json:"shape"`
	Dtype  string    `json:"dtype"`
	Text   string    `json:"text"`
	Values []float64 `json:"values"`
	// Fields are a 1×1 struct's fields: text or number.
	Fields map[string]any `json:"fields"`
}

// TestScipyReadsModels: scipy.io.loadmat reads model.mat and
// model_lambda.mat with the reference's fields and shapes (SPEC §3).
func TestScipyReadsModels(t *testing.T) {
	needScipy(t)
	dir := pipelineDir(t)
	model, annotated := filepath.Join(dir, "model.mat"), filepath.Join(dir, "model_lambda.mat")
	out, err := exec.Command(python, "-c", loadmatScript, model, annotated).Output()
	if err != nil {
		t.Fatalf("loadmat: %v", err)
	}
	var files map[string]map[string]matVar
	if err := json.Unmarshal(out, &files); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	const n = 40
	shapes := map[string][]int{
		"w": {n, n}, "w0": {n, n}, "w_in": {n, 1}, "w_out": {1, n}, "b_out": {1, 1}, "m": {n, n}, "som_m": {n, n},
		"N": {1, 1}, "som_N": {1, 1}, "inh": {n, 1}, "exc": {n, 1}, "taus": {1, 2}, "taus_gaus": {n, 1},
		"taus_gaus0": {n, 1}, "losses": {1, 150}, "tr": {1, 1}, "eval_perf_mean": {1, 1}, "eval_loss_mean": {1, 1},
		// The last evaluation (100 trials of T-1 = 199 outputs), as the
		// references write it.
		"eval_os": {100, 199}, "eval_labels": {1, 100},
	}
	for _, path := range []string{model, annotated} {
		vars := files[path]
		for name, shape := range shapes {
			v, ok := vars[name]
			if !ok {
				t.Errorf("%s: no %s", filepath.Base(path), name)
				continue
			}
			if !slices.Equal(v.Shape, shape) {
				t.Errorf("%s: %s is %v, want %v", filepath.Base(path), name, v.Shape, shape)
			}
		}
		if a := vars["activation"]; a.Text != "sigmoid" {
			t.Errorf("%s: activation %+v", filepath.Base(path), a)
		}
		if v := vars["N"].Values; len(v) != 1 || v[0] != n {
			t.Errorf("%s: N = %v", filepath.Base(path), v)
		}
		if v := vars["taus"].Values; !slices.Equal(v, []float64{4, 20}) {
			t.Errorf("%s: taus = %v", filepath.Base(path), v)
		}
		for _, l := range vars["eval_labels"].Values {
			if l != 0 && l != 1 {
				t.Errorf("%s: eval_labels holds %v, want 1 (go) or 0 (nogo)", filepath.Base(path), l)
				break
			}
		}
	}
	for _, name := range []string{"opt_scaling_factor", "all_perfs", "scaling_factors"} {
		if _, ok := files[model][name]; ok {
			t.Errorf("model.mat has %s: the λ search must write its own copy", name)
		}
	}
	a := files[annotated]
	if sf := a["scaling_factors"]; !slices.Equal(sf.Values, []float64{20, 40}) {
		t.Errorf("model_lambda.mat: scaling_factors %+v, want [20 40]", sf)
	}
	if ap := a["all_perfs"]; len(ap.Values) != 2 {
		t.Errorf("model_lambda.mat: all_perfs %+v, want 2 values", ap)
	}
	// The LIF unit the search used (SPEC §4's constants, as a struct).
	want := map[string]any{"model": "lif", "tref": 2.0, "tm": 10.0, "tr": 2.0, "vreset": -65.0, "vpeak": -40.0, "bias": -40.0}
	if got := a["lif_neuron"].Fields; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("model_lambda.mat: lif_neuron %v, want %v", got, want)
	}
	if v := a["task"]; v.Text != "go-nogo" {
		t.Errorf("model_lambda.mat: task %+v, want go-nogo", v)
	}
	opt := a["opt_scaling_factor"].Values
	if len(opt) != 1 || (opt[0] != 20 && opt[0] != 40) {
		t.Errorf("model_lambda.mat: opt_scaling_factor %v", opt)
	}
}
