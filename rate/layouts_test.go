package rate_test

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

// layoutDir holds model files in the layouts the reference ecosystem
// writes, all of the network of refModel (made by make_layouts.py and
// make_octave.sh there).
const layoutDir = "../testdata/models/layouts"

// readmeNotes are the assumptions for the seed README's twelve fields.
var readmeNotes = []string{"b_out", "som_N", "activation", "apply_dale"}

// TestLoadLayouts loads every layout file and checks the notes it gives
// and that it holds the reference network (to float32 rounding).
func TestLoadLayouts(t *testing.T) {
	ref, err := rate.Load(refModel)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file  string
		notes []string
		relu  bool // w and w0 were saved relu'd
		check func(t *testing.T, m *rate.Model)
	}{
		{file: "seed_readme.mat", notes: readmeNotes},
		{file: "port_tutorial.mat", notes: readmeNotes},
		{file: "octave_v7.mat", notes: readmeNotes},
		{file: "tf_original.mat", notes: []string{"apply_dale", "losses"}, relu: true, check: tfRecord},
		{file: "matlab_appended.mat", notes: []string{"apply_dale", "losses"}, relu: true, check: func(t *testing.T, m *rate.Model) {
			tfRecord(t, m)
			curve := []float64{0.77, 0.81, 0.89, 0.88, 0.74, 0.69, 0.70, 0.56, 0.21, 0.16, 0.28, 0.45}
			if m.OptScalingFactor != 30 || !equalFloats(m.AllPerfs, curve) || len(m.ScalingFactors) != 12 || m.ScalingFactors[11] != 75 {
				t.Errorf("λ search fields: opt %v, all_perfs %v, scaling_factors %v", m.OptScalingFactor, m.AllPerfs, m.ScalingFactors)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			m, notes, err := rate.LoadWithNotes(filepath.Join(layoutDir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range notes {
				t.Log(n)
			}
			if !slices.Equal(noteFields(notes), c.notes) {
				t.Errorf("notes on %v, want on %v", noteFields(notes), c.notes)
			}
			w := ref.W
			if c.relu {
				w = mat.DenseCopyOf(ref.W)
				w.Apply(func(_, _ int, v float64) float64 { return max(v, 0) }, w)
			}
			switch {
			case m.N != ref.N || m.SomN != 0 || !slices.Equal(m.Inh, ref.Inh) || !m.ApplyDale || m.Activation != rate.ActSigmoid:
				t.Error("N, som_N, inh, apply_dale or activation differ from the reference")
			case !equalFloats(m.Taus, ref.Taus) || !mat.Equal(m.M, ref.M) || !mat.Equal(m.SomM, ref.SomM):
				t.Error("taus, m or som_m differ from the reference")
			case !close32(m.W, w) || !close32(m.WIn, ref.WIn) || !close32v(m.WOut, ref.WOut) || !close32v(m.TausGaus, ref.TausGaus):
				t.Error("w, w_in, w_out or taus_gaus differ from the reference's by more than float32 rounding")
			}
			if c.check != nil {
				c.check(t, m)
			}
		})
	}
}

// tfRecord checks the TensorFlow original's training record.
func tfRecord(t *testing.T, m *rate.Model) {
	t.Helper()
	if len(m.Losses) != 1502 || m.Tr != 1501 || m.EvalPerfMean != 1 {
		t.Errorf("losses %d, tr %d, eval_perf_mean %v; want 1502, 1501, 1", len(m.Losses), m.Tr, m.EvalPerfMean)
	}
	if r, c := m.EvalOutputs.Dims(); r != 100 || c != 199 || len(m.EvalLabels) != 100 {
		t.Errorf("eval_os %d×%d with %d labels, want 100×199 and 100", r, c, len(m.EvalLabels))
	}
	if math.Abs(m.BOut-0.04290459) > 1e-7 {
		t.Errorf("b_out %v", m.BOut)
	}
}

// TestOctaveEqualsScipy checks that Octave's re-save of the seed README
// file holds the same model, bit for bit.
func TestOctaveEqualsScipy(t *testing.T) {
	a, err := rate.Load(filepath.Join(layoutDir, "seed_readme.mat"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := rate.Load(filepath.Join(layoutDir, "octave_v7.mat"))
	if err != nil {
		t.Fatal(err)
	}
	if !mat.Equal(a.W, b.W) || !mat.Equal(a.W0, b.W0) || !mat.Equal(a.WIn, b.WIn) || !equalFloats(a.WOut, b.WOut) ||
		!equalFloats(a.TausGaus, b.TausGaus) || !slices.Equal(a.Inh, b.Inh) || !equalFloats(a.Taus, b.Taus) {
		t.Error("Octave's file holds another model than scipy's")
	}
}

// close32 reports whether a and b agree to float32 rounding.
func close32(a, b *mat.Dense) bool {
	ar, ac := a.Dims()
	br, bc := b.Dims()
	return ar == br && ac == bc && close32v(a.RawMatrix().Data, b.RawMatrix().Data)
}

func close32v(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != float64(float32(b[i])) {
			return false
		}
	}
	return true
}
