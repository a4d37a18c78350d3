package rate_test

import (
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// rewrite saves m, then writes its variables to a new file after edit
// (which returns the variables to write), and loads that file with notes.
func rewrite(t *testing.T, m *rate.Model, edit func(vs []*matfile.Var) []*matfile.Var) (*rate.Model, []rate.Note, error) {
	t.Helper()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.mat")
	if err := m.Save(good); err != nil {
		t.Fatal(err)
	}
	f, err := matfile.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "edited.mat")
	writeVars(t, path, edit(f.Vars()))
	return rate.LoadWithNotes(path)
}

// without drops the named variables.
func without(names ...string) func([]*matfile.Var) []*matfile.Var {
	return func(vs []*matfile.Var) []*matfile.Var {
		return slices.DeleteFunc(vs, func(v *matfile.Var) bool { return slices.Contains(names, v.Name) })
	}
}

// replacing replaces the variables of the same names.
func replacing(repl ...*matfile.Var) func([]*matfile.Var) []*matfile.Var {
	return func(vs []*matfile.Var) []*matfile.Var {
		for i, v := range vs {
			for _, r := range repl {
				if v.Name == r.Name {
					vs[i] = r
				}
			}
		}
		return vs
	}
}

// noteFields returns the fields of the notes, in order.
func noteFields(notes []rate.Note) []string {
	var fs []string
	for _, n := range notes {
		fs = append(fs, n.Field)
	}
	return fs
}

func TestLoadOwnFileHasNoNotes(t *testing.T) {
	m := newModel(t, 12, 2, 7)
	m.SomN = 1
	m.SomM = rate.SomMask(m.Inh, 1)
	_, notes, err := rewrite(t, m, func(vs []*matfile.Var) []*matfile.Var { return vs })
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 0 {
		t.Errorf("a file Save wrote gives notes %v, want none", notes)
	}
}

// TestLoadDefaults removes the fields that have a default one at a time
// and checks the value taken and the note.
func TestLoadDefaults(t *testing.T) {
	m := newModel(t, 10, 1, 8)
	inh := m.Inh
	cases := []struct {
		drop  []string
		notes []string
		check func(*rate.Model) bool
	}{
		{[]string{"b_out"}, []string{"b_out"}, func(g *rate.Model) bool { return g.BOut == 0 }},
		{[]string{"activation"}, []string{"activation"}, func(g *rate.Model) bool { return g.Activation == rate.ActSigmoid }},
		{[]string{"w0"}, []string{"w0"}, func(g *rate.Model) bool { return g.W0 == nil }},
		{[]string{"taus_gaus0"}, []string{"taus_gaus0"}, func(g *rate.Model) bool { return equalFloats(g.TausGaus0, m.TausGaus) }},
		{[]string{"apply_dale"}, []string{"apply_dale"}, func(g *rate.Model) bool { return g.ApplyDale }},
		{[]string{"som_N"}, []string{"som_N"}, func(g *rate.Model) bool { return g.SomN == 0 }},
		{[]string{"som_N", "som_m"}, []string{"som_N", "som_m"}, func(g *rate.Model) bool { return g.SomN == 0 && mat.Equal(g.SomM, m.SomM) }},
		{[]string{"m"}, []string{"m"}, func(g *rate.Model) bool { return mat.Equal(g.M, m.M) }},
		{[]string{"inh"}, nil, func(g *rate.Model) bool { return slices.Equal(g.Inh, inh) }},
		{[]string{"exc"}, nil, func(g *rate.Model) bool { return slices.Equal(g.Inh, inh) }},
		{[]string{"inh", "exc"}, []string{"inh"}, func(g *rate.Model) bool { return slices.Equal(g.Inh, inh) }},
		// The seed README's recipe: no som_N, b_out, activation (and no
		// training record).
		{[]string{"som_N", "b_out", "activation", "apply_dale", "losses", "tr", "eval_perf_mean", "eval_loss_mean"},
			[]string{"b_out", "som_N", "activation", "apply_dale"},
			func(g *rate.Model) bool {
				return g.BOut == 0 && g.SomN == 0 && g.Activation == rate.ActSigmoid && len(g.Losses) == 0
			}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.drop, ","), func(t *testing.T) {
			got, notes, err := rewrite(t, m, without(c.drop...))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(noteFields(notes), c.notes) {
				t.Errorf("notes %v, want notes on %v", notes, c.notes)
			}
			if !c.check(got) {
				t.Errorf("wrong default taken; notes %v", notes)
			}
			for _, n := range notes {
				if !strings.HasPrefix(n.String(), n.Field+": absent") {
					t.Errorf("note %q does not say the field is absent", n)
				}
			}
		})
	}
}

// TestLoadSomInference infers som_N from som_m and notes a som_m that is
// not the mask of any som_N.
func TestLoadSomInference(t *testing.T) {
	m := newModel(t, 40, 1, 9)
	m.SomN = 3
	m.SomM = rate.SomMask(m.Inh, 3)
	got, notes, err := rewrite(t, m, without("som_N"))
	if err != nil {
		t.Fatal(err)
	}
	if got.SomN != 3 || !slices.Equal(noteFields(notes), []string{"som_N"}) || !strings.Contains(notes[0].Text, "3 inferred from som_m") {
		t.Errorf("som_N = %d, notes %v; want 3 inferred from som_m", got.SomN, notes)
	}

	// som_N says 2, som_m cuts 3 units off: som_m is used.
	got, notes, err = rewrite(t, m, replacing(matfile.NewScalar("som_N", 2)))
	if err != nil {
		t.Fatal(err)
	}
	if got.SomN != 2 || !mat.Equal(got.SomM, m.SomM) || !slices.Equal(noteFields(notes), []string{"som_m"}) {
		t.Errorf("som_N = %d, som_m kept %v, notes %v", got.SomN, mat.Equal(got.SomM, m.SomM), notes)
	}
}

// TestLoadSignMismatch keeps an m that disagrees with inh, with a note.
func TestLoadSignMismatch(t *testing.T) {
	m := newModel(t, 10, 1, 10)
	flip := slices.Index(m.Inh, false)
	bad := mat.DenseCopyOf(m.M)
	bad.Set(flip, flip, -1)
	got, notes, err := rewrite(t, m, replacing(matfile.NewDense("m", bad)))
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(got.M, bad) || got.Inh[flip] {
		t.Error("m or inh was changed")
	}
	if !slices.Equal(noteFields(notes), []string{"m"}) || !strings.Contains(notes[0].Text, "1 units with the other sign") {
		t.Errorf("notes %v, want one on m naming the unit", notes)
	}
	// With neither inh nor exc, such an m still gives the unit types.
	got, notes, err = rewrite(t, m, func(vs []*matfile.Var) []*matfile.Var {
		return replacing(matfile.NewDense("m", bad))(without("inh", "exc")(vs))
	})
	if err != nil || !got.Inh[flip] || !slices.Equal(noteFields(notes), []string{"inh"}) {
		t.Errorf("inh[%d] from m: %v, notes %v, error %v", flip, got != nil && got.Inh[flip], notes, err)
	}
	// A non-sign m cannot.
	bad.Set(0, 1, 0.5)
	if _, _, err := rewrite(t, m, func(vs []*matfile.Var) []*matfile.Var {
		return replacing(matfile.NewDense("m", bad))(without("inh", "exc")(vs))
	}); err == nil || !strings.Contains(err.Error(), "field inh:") {
		t.Errorf("error %v, want one naming inh", err)
	}
}

// TestLoadClassesAndOrientations reads fields stored as the references do:
// single, integers, 0/1 masks, vectors as rows or columns.
func TestLoadClassesAndOrientations(t *testing.T) {
	m := newModel(t, 6, 2, 11)
	single := func(name string, d *mat.Dense) *matfile.Var {
		r, c := d.Dims()
		data := make([]float32, 0, r*c)
		for j := range c {
			for i := range r {
				data = append(data, float32(d.At(i, j)))
			}
		}
		return matfile.NewFloat32(name, []int{r, c}, data)
	}
	f32 := func(x []float64) []float32 {
		out := make([]float32, len(x))
		for i, v := range x {
			out[i] = float32(v)
		}
		return out
	}
	inh := make([]uint8, m.N)
	for i, b := range m.Inh {
		if b {
			inh[i] = 1
		}
	}
	got, _, err := rewrite(t, m, replacing(
		single("w", m.W), single("w_in", m.WIn),
		matfile.NewFloat32("w_out", []int{m.N, 1}, f32(m.WOut)),
		matfile.NewFloat32("taus_gaus", []int{1, m.N}, f32(m.TausGaus)),
		matfile.NewInt64("N", []int{1, 1}, []int64{int64(m.N)}),
		matfile.NewInt64("taus", []int{2, 1}, []int64{4, 20}),
		matfile.NewUint8("inh", []int{1, m.N}, inh),
	))
	if err != nil {
		t.Fatal(err)
	}
	if got.N != m.N || !slices.Equal(got.Inh, m.Inh) || !equalFloats(got.Taus, []float64{4, 20}) {
		t.Errorf("N %d, inh or taus %v differ", got.N, got.Taus)
	}
	if math.Abs(got.WOut[3]-m.WOut[3]) > 1e-6 || math.Abs(got.W.At(2, 1)-m.W.At(2, 1)) > 1e-6 {
		t.Errorf("single values differ: w_out[3] %v vs %v", got.WOut[3], m.WOut[3])
	}
	// Present but of the wrong shape: an error naming file, field, shape.
	_, _, err = rewrite(t, m, replacing(matfile.NewFloat64("w_out", []int{2, 3}, make([]float64, 6))))
	if err == nil || !strings.Contains(err.Error(), "field w_out: is 2×3, want 1×6 or 6×1") || !strings.Contains(err.Error(), "edited.mat") {
		t.Errorf("error %v, want one naming the file, w_out and the shape", err)
	}
}

// TestLoadTrainingBuffer drops the zeros the TensorFlow original leaves in
// losses after the stop and ignores MATLAB's NaN opt_scaling_factor.
func TestLoadTrainingBuffer(t *testing.T) {
	m := newModel(t, 6, 1, 12)
	m.Losses = []float64{5, 4, 3}
	m.Tr = 2
	buf := append(slices.Clone(m.Losses), make([]float64, 7)...)
	got, notes, err := rewrite(t, m, replacing(matfile.NewFloat64("losses", []int{1, 10}, buf)))
	if err != nil {
		t.Fatal(err)
	}
	if !equalFloats(got.Losses, m.Losses) || !slices.Equal(noteFields(notes), []string{"losses"}) {
		t.Errorf("losses %v, notes %v", got.Losses, notes)
	}
	got, notes, err = rewrite(t, m, func(vs []*matfile.Var) []*matfile.Var {
		return append(vs, matfile.NewScalar("opt_scaling_factor", math.NaN()))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.OptScalingFactor != 0 || !slices.Equal(noteFields(notes), []string{"opt_scaling_factor"}) {
		t.Errorf("opt_scaling_factor %v, notes %v", got.OptScalingFactor, notes)
	}
}

// TestEvaluationRecord checks that training records the last evaluation
// (eval_os, eval_labels) in the shapes the references write, that the
// record scores as the evaluation did, and that it survives Save and Load.
func TestEvaluationRecord(t *testing.T) {
	for _, name := range []string{"go-nogo", "xor"} {
		t.Run(name, func(t *testing.T) {
			task := mustTask(t, name)
			m := newModel(t, 20, task.Inputs(), 13)
			s := rate.DefaultSettings(task)
			s.MaxTrials, s.EvalTrials = 2, 12 // one evaluation, after trial 1
			if _, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 3), s); err != nil {
				t.Fatal(err)
			}
			if r, c := m.EvalOutputs.Dims(); r != 12 || c != task.Steps()-1 || len(m.EvalLabels) != 12 {
				t.Fatalf("eval_os %d×%d, %d labels; want 12×%d and 12", r, c, len(m.EvalLabels), task.Steps()-1)
			}
			correct := 0
			for i, l := range m.EvalLabels {
				if task.Correct(m.EvalOutputs.RawRowView(i), tasks.Label(l)) {
					correct++
				}
			}
			if float64(correct)/12 != m.EvalPerfMean {
				t.Errorf("the record scores %d/12, the evaluation %v", correct, m.EvalPerfMean)
			}
			if (name == "xor") != (m.EvalLabelNames != nil) {
				t.Errorf("label names %v for %s", m.EvalLabelNames, name)
			}
			path := filepath.Join(t.TempDir(), "m.mat")
			if err := m.Save(path); err != nil {
				t.Fatal(err)
			}
			f, err := matfile.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			lv, _ := f.Var("eval_labels")
			wantDims := []int{1, 12}
			if name == "xor" {
				wantDims = []int{12, 4} // 'same' and 'diff', one per row
			}
			if lv == nil || !slices.Equal(lv.Dims, wantDims) {
				t.Errorf("eval_labels written as %v, want %v", lv, wantDims)
			}
			got, err := rate.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if !mat.Equal(got.EvalOutputs, m.EvalOutputs) || !slices.Equal(got.EvalLabelNames, m.EvalLabelNames) {
				t.Error("eval_os or the label names differ after Save and Load")
			}
			if name != "xor" && !equalFloats(got.EvalLabels, m.EvalLabels) {
				t.Error("eval_labels differ after Save and Load")
			}
		})
	}
}
