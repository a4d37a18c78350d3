package rate_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

const refModel = "../testdata/models/gonogo_ref1.mat"

func TestLoadReference(t *testing.T) {
	m, err := rate.Load(refModel)
	if err != nil {
		t.Fatal(err)
	}
	if m.N != 200 || m.SomN != 0 || m.Tr != 1501 || len(m.Losses) != 1502 {
		t.Errorf("N=%d som_N=%d tr=%d len(losses)=%d, want 200 0 1501 1502", m.N, m.SomN, m.Tr, len(m.Losses))
	}
	if !m.ApplyDale || m.Activation != rate.ActSigmoid || len(m.Taus) != 2 || m.Taus[0] != 4 || m.Taus[1] != 20 {
		t.Errorf("apply_dale=%v activation=%v taus=%v, want true sigmoid [4 20]", m.ApplyDale, m.Activation, m.Taus)
	}
	if m.EvalPerfMean != 1 || m.W0 == nil || m.TausGaus0 == nil || m.NumInputs() != 1 {
		t.Errorf("eval_perf_mean=%v w0 set=%v taus_gaus0 set=%v inputs=%d", m.EvalPerfMean, m.W0 != nil, m.TausGaus0 != nil, m.NumInputs())
	}
	neg := 0
	for _, v := range m.W.RawMatrix().Data {
		if v < 0 {
			neg++
		}
	}
	if neg != 5808 {
		t.Errorf("w has %d negative entries, the file has 5808", neg)
	}
	nInh := 0
	for i, b := range m.Inh {
		if b {
			nInh++
		}
		if want := map[bool]float64{true: -1, false: 1}[b]; m.M.At(i, i) != want {
			t.Fatalf("m[%d][%d] = %v for inh=%v", i, i, m.M.At(i, i), b)
		}
	}
	if nInh == 0 || nInh == m.N {
		t.Errorf("%d inhibitory units", nInh)
	}
	// With relu applied the reference network does the task: go output
	// rises above 0.7 after the stimulus, nogo output stays low.
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []tasks.Label{tasks.Go, tasks.NoGo} {
		tr := tasks.NewTrial(task, tasks.Rate)
		tasks.Fill(task, tr, &l, nil)
		o, err := net.Run(tr.U, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !task.Correct(o, l) {
			t.Errorf("reference model fails a noiseless %s trial: max output after the stimulus %.3f",
				task.LabelName(l), maxAfter(o, 75))
		}
		if l == tasks.Go && maxAfter(o, 75) < 0.9 {
			t.Errorf("go output peaks at %.3f, want ≈ 1", maxAfter(o, 75))
		}
	}
}

// TestReferenceAccuracy evaluates the reference's trained network on 100
// noisy trials: its last evaluation in training scored 1.00.
func TestReferenceAccuracy(t *testing.T) {
	m, err := rate.Load(refModel)
	if err != nil {
		t.Fatal(err)
	}
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	acc, loss, err := net.Evaluate(task, tasks.NewStream(task, 5), 100, rate.L2, true)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reference model: accuracy %.2f, mean l2 loss %.3f (the reference's last evaluation: 1.00, 0.698)", acc, loss)
	if acc < 0.95 || loss > 7 {
		t.Errorf("reference model: accuracy %.2f, loss %.3f; want > 0.95 and < 7", acc, loss)
	}
}

func maxAfter(o []float64, from int) float64 {
	m := math.Inf(-1)
	for _, v := range o[from:] {
		m = max(m, v)
	}
	return m
}

func TestLoadScipyCorpus(t *testing.T) {
	// The 5-unit model has taus = [4 20] but no taus_gaus: it must be
	// rejected naming the field, compressed or not.
	for _, name := range []string{"model_v5.mat", "model_v5_compressed.mat"} {
		_, err := rate.Load(filepath.Join("../testdata/mat", name))
		if err == nil || !strings.Contains(err.Error(), "taus_gaus") || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v, want one naming the file and taus_gaus", name, err)
		}
		if !errors.Is(err, rate.ErrField) {
			t.Errorf("%s: error does not wrap ErrField", name)
		}
	}
	if _, err := rate.Load("../testdata/mat/v73_header.mat"); err == nil {
		t.Error("v7.3 file loaded")
	}
	if _, err := rate.Load("../testdata/mat/does_not_exist.mat"); err == nil {
		t.Error("missing file loaded")
	}
}

// newModel returns a small initialised model.
func newModel(t testing.TB, n, inputs int, seed uint64) *rate.Model {
	t.Helper()
	c := rate.DefaultConfig()
	c.N = n
	c.Inputs = inputs
	m, err := rate.New(c, rng.New(seed))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalDense(a, b *mat.Dense) bool {
	if a == nil || b == nil {
		return a == b
	}
	return mat.Equal(a, b)
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := newModel(t, 30, 4, 3)
	m.SomN = 2
	m.SomM = rate.SomMask(m.Inh, 2)
	m.Activation = rate.ActSoftplus
	m.Losses = []float64{3, 2.5, 1}
	m.Tr = 2
	m.EvalPerfMean, m.EvalLossMean = 0.97, 4.5
	m.OptScalingFactor = 35
	m.ScalingFactors = []float64{20, 35, 50}
	m.AllPerfs = []float64{0.5, 0.9, 0.7}
	// A negative entry, as training leaves them: saved as relu(w).
	m.W.Set(0, 1, -0.25)
	path := filepath.Join(t.TempDir(), "model.mat")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := rate.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	wantW := mat.DenseCopyOf(m.W)
	wantW.Set(0, 1, 0)
	switch {
	case !equalDense(got.W, wantW):
		t.Error("w differs from relu(w)")
	case !equalDense(got.W0, m.W0), !equalDense(got.WIn, m.WIn), !equalDense(got.M, m.M), !equalDense(got.SomM, m.SomM):
		t.Error("w0, w_in, m or som_m differ")
	case !equalFloats(got.WOut, m.WOut), got.BOut != m.BOut, !equalFloats(got.TausGaus, m.TausGaus), !equalFloats(got.TausGaus0, m.TausGaus0):
		t.Error("w_out, b_out, taus_gaus or taus_gaus0 differ")
	case got.N != m.N, got.SomN != m.SomN, got.ApplyDale != m.ApplyDale, got.Activation != m.Activation, !equalFloats(got.Taus, m.Taus):
		t.Error("N, som_N, apply_dale, activation or taus differ")
	case !equalFloats(got.Losses, m.Losses), got.Tr != m.Tr, got.EvalPerfMean != m.EvalPerfMean, got.EvalLossMean != m.EvalLossMean:
		t.Error("training record differs")
	case got.OptScalingFactor != 35, !equalFloats(got.ScalingFactors, m.ScalingFactors), !equalFloats(got.AllPerfs, m.AllPerfs):
		t.Error("λ search fields differ")
	}
	for i := range m.Inh {
		if got.Inh[i] != m.Inh[i] {
			t.Fatalf("inh[%d] differs", i)
		}
	}
	// No temporary files are left behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after Save, want 1", len(entries))
	}

	// A model without Dale's principle keeps its negative weights.
	m.ApplyDale = false
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err = rate.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ApplyDale || !equalDense(got.W, m.W) {
		t.Error("non-Dale model: apply_dale or w changed in the round trip")
	}
}

// writeVars writes a MAT-file with the given variables.
func writeVars(t *testing.T, path string, vs []*matfile.Var) {
	t.Helper()
	w, err := matfile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if err := w.Write(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestLoadBadFields removes or reshapes one field at a time of a valid
// file and checks that Load names it.
func TestLoadBadFields(t *testing.T) {
	dir := t.TempDir()
	m := newModel(t, 6, 2, 4)
	good := filepath.Join(dir, "good.mat")
	if err := m.Save(good); err != nil {
		t.Fatal(err)
	}
	f, err := matfile.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	vars := f.Vars()
	// som_N, b_out and activation take the references' defaults when
	// absent (TestLoadDefaults); these have none.
	for _, field := range []string{"N", "w", "w_in", "w_out", "taus", "taus_gaus"} {
		t.Run("missing "+field, func(t *testing.T) {
			var vs []*matfile.Var
			for _, v := range vars {
				if v.Name != field {
					vs = append(vs, v)
				}
			}
			path := filepath.Join(dir, "missing_"+field+".mat")
			writeVars(t, path, vs)
			_, err := rate.Load(path)
			if err == nil || !strings.Contains(err.Error(), "field "+field+":") || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and the file", err, field)
			}
		})
	}
	bad := map[string]*matfile.Var{
		"w":         matfile.NewFloat64("w", []int{6, 5}, make([]float64, 30)),
		"w_in":      matfile.NewFloat64("w_in", []int{5, 2}, make([]float64, 10)),
		"w_out":     matfile.NewFloat64("w_out", []int{2, 3}, make([]float64, 6)),
		"b_out":     matfile.NewFloat64("b_out", []int{1, 2}, make([]float64, 2)),
		"m":         matfile.NewFloat64("m", []int{6, 1}, make([]float64, 6)),
		"som_m":     matfile.NewFloat64("som_m", []int{1, 36}, make([]float64, 36)),
		"inh":       matfile.NewFloat64("inh", []int{5, 1}, make([]float64, 5)),
		"taus":      matfile.NewFloat64("taus", []int{1, 3}, []float64{1, 2, 3}),
		"taus_gaus": matfile.NewFloat64("taus_gaus", []int{7, 1}, make([]float64, 7)),
		"N":         matfile.NewScalar("N", 6.5),
		"som_N":     matfile.NewScalar("som_N", 9),
		"w0":        matfile.NewFloat64("w0", []int{6, 6}, append(make([]float64, 35), math.NaN())),
	}
	for field, repl := range bad {
		t.Run("misshaped "+field, func(t *testing.T) {
			var vs []*matfile.Var
			for _, v := range vars {
				if v.Name == field {
					v = repl
				}
				vs = append(vs, v)
			}
			path := filepath.Join(dir, "bad_"+field+".mat")
			writeVars(t, path, vs)
			_, err := rate.Load(path)
			if err == nil || !strings.Contains(err.Error(), field) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and the file", err, field)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := map[string]func(m *rate.Model){
		"w":         func(m *rate.Model) { m.W.Set(1, 2, math.NaN()) },
		"w_in":      func(m *rate.Model) { m.WIn.Set(0, 0, math.Inf(1)) },
		"w_out":     func(m *rate.Model) { m.WOut[3] = math.Inf(-1) },
		"b_out":     func(m *rate.Model) { m.BOut = math.NaN() },
		"taus_gaus": func(m *rate.Model) { m.TausGaus = m.TausGaus[:3] },
		"som_m":     func(m *rate.Model) { m.SomM = mat.NewDense(2, 2, nil) },
		"inh":       func(m *rate.Model) { m.Inh = nil },
		"taus":      func(m *rate.Model) { m.Taus = []float64{5, 1} },
		"m":         func(m *rate.Model) { m.M = nil },
	}
	for field, breakIt := range cases {
		m := newModel(t, 8, 1, 5)
		if err := m.Validate(); err != nil {
			t.Fatal(err)
		}
		breakIt(m)
		err := m.Validate()
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: error %v, want one naming the field", field, err)
		}
	}
}

// TestSaveReadByScipy checks that scipy reads a saved model in the
// reference layout.
func TestSaveReadByScipy(t *testing.T) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import scipy.io").Run() != nil {
		if os.Getenv("SPIKERNN_REQUIRE_INTEROP") == "1" {
			t.Fatal("python3 with scipy is required (SPIKERNN_REQUIRE_INTEROP=1)")
		}
		t.Skip("python3 with scipy not available")
	}
	m := newModel(t, 7, 1, 6)
	m.Losses = []float64{1, 2}
	m.Tr = 1
	path := filepath.Join(t.TempDir(), "m.mat")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, scipy.io as s, numpy as np
d = s.loadmat(sys.argv[1])
shapes = {k: v.shape for k, v in d.items() if not k.startswith('__')}
want = {'w': (7, 7), 'w0': (7, 7), 'w_in': (7, 1), 'w_out': (1, 7), 'b_out': (1, 1), 'm': (7, 7),
        'som_m': (7, 7), 'N': (1, 1), 'som_N': (1, 1), 'inh': (7, 1), 'exc': (7, 1), 'taus': (1, 2),
        'taus_gaus': (7, 1), 'taus_gaus0': (7, 1), 'losses': (1, 2), 'tr': (1, 1), 'activation': (1,),
        'eval_perf_mean': (1, 1), 'eval_loss_mean': (1, 1), 'apply_dale': (1, 1)}
for k, v in want.items():
    assert shapes.get(k) == v, (k, shapes.get(k), v)
assert d['activation'][0] == 'sigmoid'
assert int(d['N'][0][0]) == 7 and int(d['tr'][0][0]) == 1
print(repr(d['w'][2][5]), repr(d['w_out'][0][3]), repr(float(np.sum(d['inh']))))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("scipy: %v\n%s", err, out)
	}
	nInh := 0
	for _, b := range m.Inh {
		if b {
			nInh++
		}
	}
	fields := strings.Fields(string(out))
	want := []float64{max(m.W.At(2, 5), 0), m.WOut[3], float64(nInh)}
	for i, f := range fields {
		var x float64
		if _, err := fmt.Sscan(f, &x); err != nil || x != want[i] {
			t.Errorf("scipy value %d = %s, want %v", i, f, want[i])
		}
	}
}

// TestEvalRecordReadByScipy checks that scipy reads eval_os and
// eval_labels as the references write them: trials × (T-1) outputs and,
// for xor, the labels as strings.
func TestEvalRecordReadByScipy(t *testing.T) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil || exec.Command(py, "-c", "import scipy.io").Run() != nil {
		if os.Getenv("SPIKERNN_REQUIRE_INTEROP") == "1" {
			t.Fatal("python3 with scipy is required (SPIKERNN_REQUIRE_INTEROP=1)")
		}
		t.Skip("python3 with scipy not available")
	}
	task := mustTask(t, "xor")
	m := newModel(t, 10, task.Inputs(), 14)
	s := rate.DefaultSettings(task)
	s.MaxTrials, s.EvalTrials = 2, 5
	if _, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 4), s); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.mat")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	script := `
import sys, scipy.io as s
d = s.loadmat(sys.argv[1])
print(d['eval_os'].shape[0], d['eval_os'].shape[1], repr(d['eval_os'][3][17]), *[str(x).strip() for x in d['eval_labels']])
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("scipy: %v\n%s", err, out)
	}
	want := append([]string{"5", "299", fmt.Sprint(m.EvalOutputs.At(3, 17))}, m.EvalLabelNames...)
	if got := strings.Fields(string(out)); !slices.Equal(got, want) {
		t.Errorf("scipy reads %v, want %v", got, want)
	}
}

// TestSaveWith checks that SaveWith writes the extra variables after the
// model's, that Load still reads the file, and that an extra variable
// named like one of the model's is refused before anything is written.
func TestSaveWith(t *testing.T) {
	m := newModel(t, 10, 1, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "model.mat")
	if err := m.SaveWith(path, matfile.NewScalar("note", 7)); err != nil {
		t.Fatal(err)
	}
	f, err := matfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if names := f.Names(); names[len(names)-1] != "note" {
		t.Errorf("variables %v: want note last", names)
	}
	if _, err := rate.Load(path); err != nil {
		t.Errorf("load: %v", err)
	}
	bad := filepath.Join(dir, "bad.mat")
	if err := m.SaveWith(bad, matfile.NewScalar("w_out", 1)); err == nil || !strings.Contains(err.Error(), "w_out written twice") {
		t.Errorf("extra w_out: error %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a refused save left %s: %v", bad, err)
	}
}
