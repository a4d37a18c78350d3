package tasks

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/mat"
)

func mustNew(t *testing.T, name string) Task {
	t.Helper()
	task, err := New(name, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// rowSpan returns the half-open column range where row i is nonzero, and
// the set of distinct nonzero values.
func rowSpan(m *mat.Dense, i int) (from, to int, vals map[float64]bool) {
	from, to = -1, -1
	vals = map[float64]bool{}
	_, c := m.Dims()
	for j := 0; j < c; j++ {
		if v := m.At(i, j); v != 0 {
			if from < 0 {
				from = j
			}
			to = j + 1
			vals[v] = true
		}
	}
	return from, to, vals
}

func TestGoNogoSpec(t *testing.T) {
	task := mustNew(t, "go-nogo")
	if task.Steps() != 200 || task.Inputs() != 1 {
		t.Fatalf("T=%d inputs=%d", task.Steps(), task.Inputs())
	}
	r := rng.New(1)
	tr := NewTrial(task, Rate)
	l := Go
	Fill(task, tr, &l, r)
	if from, to, vals := rowSpan(tr.U, 0); from != 50 || to != 75 || len(vals) != 1 || !vals[1] {
		t.Fatalf("go stimulus on [%d,%d) values %v, want [50,75) = 1", from, to, vals)
	}
	if len(tr.Target) != 199 || tr.Target[74] != 0 || tr.Target[75] != 1 || tr.Target[198] != 1 {
		t.Fatalf("go target wrong: len %d z[74]=%v z[75]=%v", len(tr.Target), tr.Target[74], tr.Target[75])
	}
	l = NoGo
	Fill(task, tr, &l, r)
	if from, _, _ := rowSpan(tr.U, 0); from != -1 {
		t.Fatal("nogo stimulus not zero")
	}
	for _, z := range tr.Target {
		if z != 0 {
			t.Fatal("nogo target not zero")
		}
	}
	sp := NewTrial(task, Spiking)
	if _, c := sp.U.Dims(); c != 201 || sp.Target != nil {
		t.Fatalf("spiking trial has %d columns, target %v", c, sp.Target != nil)
	}
}

func TestGoNogoScoring(t *testing.T) {
	task := mustNew(t, "go-nogo")
	o := make([]float64, 199)
	o[74] = 5 // before the response window: ignored
	if task.Correct(o, Go) {
		t.Fatal("flat output scored correct on go")
	}
	if !task.Correct(o, NoGo) {
		t.Fatal("flat output scored wrong on nogo")
	}
	o[75] = 0.71
	if !task.Correct(o, Go) || task.Correct(o, NoGo) {
		t.Fatal("0.71 at step 75")
	}
	o[75] = -0.31 // |o| counts on the rate side
	if task.Correct(o, NoGo) {
		t.Fatal("nogo with |o| = 0.31 scored correct")
	}
	// spiking side: out[10000:] at dt = 5e-5, no absolute value for nogo.
	out := make([]float64, 20000)
	out[9999] = 1
	if task.CorrectSpiking(out, 5e-5, Go) || !task.CorrectSpiking(out, 5e-5, NoGo) {
		t.Fatal("spiking window should start at 10000")
	}
	out[10000] = -0.9
	if !task.CorrectSpiking(out, 5e-5, NoGo) {
		t.Fatal("spiking nogo uses max, not max |out|")
	}
	out[10000] = 0.8
	if !task.CorrectSpiking(out, 5e-5, Go) {
		t.Fatal("spiking go at 10000")
	}
	// With downsample 2 (dt = 1e-4) the window starts at index 5000.
	out2 := make([]float64, 10000)
	out2[5000] = 0.8
	if !task.CorrectSpiking(out2, 1e-4, Go) {
		t.Fatal("dt = 1e-4: window should start at 5000")
	}
}

func TestXORSpec(t *testing.T) {
	task := mustNew(t, "xor")
	r := rng.New(2)
	tr := NewTrial(task, Rate)
	for _, l := range []Label{Same, Diff} {
		for k := 0; k < 20; k++ {
			Fill(task, tr, &l, r)
			f0, t0, v0 := rowSpan(tr.U, 0)
			f1, t1, v1 := rowSpan(tr.U, 1)
			if f0 != 50 || t0 != 100 || f1 != 110 || t1 != 160 || len(v0) != 1 || len(v1) != 1 {
				t.Fatalf("xor pulses [%d,%d) [%d,%d)", f0, t0, f1, t1)
			}
			s1, s2 := tr.U.At(0, 60), tr.U.At(1, 120)
			if math.Abs(s1) != 1 || (s1 == s2) != (l == Same) {
				t.Fatalf("label %d with signs %v %v", l, s1, s2)
			}
			if tr.Target[169] != 0 || tr.Target[170] != float64(l) || tr.Target[269] != float64(l) || tr.Target[270] != 0 {
				t.Fatalf("xor target: z[169..170]=%v,%v z[269..270]=%v,%v", tr.Target[169], tr.Target[170], tr.Target[269], tr.Target[270])
			}
		}
	}
	o := make([]float64, 299)
	o[199] = 0.9
	if task.Correct(o, Same) {
		t.Fatal("window must start at 200")
	}
	o[200] = 0.9
	o[250] = -0.8
	if !task.Correct(o, Same) || !task.Correct(o, Diff) {
		t.Fatal("xor scoring")
	}
	out := make([]float64, 30000)
	out[19999] = -1
	if task.CorrectSpiking(out, 5e-5, Diff) {
		t.Fatal("spiking xor window should start at 20000")
	}
	out[20000] = -0.71
	if !task.CorrectSpiking(out, 5e-5, Diff) {
		t.Fatal("spiking diff at 20000")
	}
}

func TestManteSpec(t *testing.T) {
	task := mustNew(t, "mante")
	r := rng.New(3)
	tr := NewTrial(task, Rate)
	ctxSeen := [2]int{}
	for k := 0; k < 400; k++ {
		Fill(task, tr, nil, r)
		c2, c3 := tr.U.At(2, 0), tr.U.At(3, 499)
		if (c2 == 1) == (c3 == 1) {
			t.Fatalf("context not one-hot: %v %v", c2, c3)
		}
		ctx := 0
		if c3 == 1 {
			ctx = 1
		}
		ctxSeen[ctx]++
		for _, row := range []int{2 + ctx} {
			if f, to, _ := rowSpan(tr.U, row); f != 0 || to != 500 {
				t.Fatalf("context row %d on [%d,%d)", row, f, to)
			}
		}
		// The selected row's mean carries the label's sign: check the
		// generating offset by removing the noise statistically below.
		for _, row := range []int{0, 1} {
			if f, to, _ := rowSpan(tr.U, row); f != 50 || to != 250 {
				t.Fatalf("evidence row %d on [%d,%d)", row, f, to)
			}
		}
		if tr.Target[249] != 0 || tr.Target[250] != float64(tr.Label) || tr.Target[498] != float64(tr.Label) {
			t.Fatal("mante target")
		}
	}
	if ctxSeen[0] < 150 || ctxSeen[1] < 150 {
		t.Fatalf("context counts %v", ctxSeen)
	}
	// Average the selected row over many trials of label +1: mean 0.5.
	var sum float64
	var n int
	l := Plus
	for k := 0; k < 200; k++ {
		Fill(task, tr, &l, r)
		sel := 0
		if tr.U.At(3, 0) == 1 {
			sel = 1
		}
		for j := 50; j < 250; j++ {
			sum += tr.U.At(sel, j)
			n++
		}
	}
	if m := sum / float64(n); math.Abs(m-0.5) > 0.02 {
		t.Fatalf("selected row mean %.3f, want 0.5", m)
	}
	o := make([]float64, 499)
	o[298] = 1
	if task.Correct(o, Plus) {
		t.Fatal("mante window is the last 200 outputs")
	}
	o[299] = 1
	if !task.Correct(o, Plus) {
		t.Fatal("mante +1")
	}
	out := make([]float64, 50000)
	out[25999] = 1
	if task.CorrectSpiking(out, 5e-5, Plus) {
		t.Fatal("spiking mante window starts at 26000")
	}
	out[26000] = 1
	if !task.CorrectSpiking(out, 5e-5, Plus) {
		t.Fatal("spiking mante +1")
	}
}

func TestLabelProbabilities(t *testing.T) {
	for _, name := range Names() {
		task := mustNew(t, name)
		r := rng.New(9)
		count := map[Label]int{}
		for k := 0; k < 4000; k++ {
			count[task.DrawLabel(r)]++
		}
		for _, l := range task.Labels() {
			if c := count[l]; c < 1850 || c > 2150 {
				t.Errorf("%s: label %s drawn %d of 4000", name, task.LabelName(l), c)
			}
		}
	}
}

func TestStreamReproducible(t *testing.T) {
	task := mustNew(t, "mante")
	a, b := NewStream(task, 5), NewStream(task, 5)
	ta, tb := NewTrial(task, Rate), NewTrial(task, Rate)
	for i := 0; i < 10; i++ {
		a.Next(ta)
	}
	b.Seek(9)
	b.Next(tb)
	if ta.Index != 9 || tb.Index != 9 || ta.Seed != tb.Seed || ta.Label != tb.Label || !mat.Equal(ta.U, tb.U) {
		t.Fatal("trial 9 differs between a sequential and a seeking stream")
	}
	c := NewStream(task, 6)
	c.Seek(9)
	tc := NewTrial(task, Rate)
	c.Next(tc)
	if mat.Equal(ta.U, tc.U) {
		t.Fatal("different seeds gave the same trial")
	}
}

func TestSettingsValidation(t *testing.T) {
	for _, c := range []struct {
		task string
		s    Settings
		want string
	}{
		{"go-nogo", Settings{T: 60}, "too short"},
		{"go-nogo", Settings{StimOn: -1}, "stim_on"},
		{"go-nogo", Settings{StimDur: -5}, "stim_dur"},
		{"xor", Settings{Delay: -1}, "delay"},
		{"mante", Settings{T: 1}, "T = 1"},
		{"nope", Settings{}, "known: go-nogo, mante, xor"},
	} {
		_, err := New(c.task, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: error %v, want it to mention %q", c.task, c.s, err, c.want)
		}
	}
	if _, err := New("go-nogo", Settings{T: 300, StimOn: 100, StimDur: 40}); err != nil {
		t.Fatal(err)
	}
}

func TestParseLabel(t *testing.T) {
	task := mustNew(t, "xor")
	if l, err := ParseLabel(task, "diff"); err != nil || l != Diff {
		t.Fatal(l, err)
	}
	if _, err := ParseLabel(task, "go"); err == nil || !strings.Contains(err.Error(), "same (1), diff (-1)") {
		t.Fatal(err)
	}
}

func BenchmarkStreamGoNogo(b *testing.B) { benchStream(b, "go-nogo") }
func BenchmarkStreamMante(b *testing.B)  { benchStream(b, "mante") }

func benchStream(b *testing.B, name string) {
	task, _ := New(name, Settings{})
	s := NewStream(task, 1)
	tr := NewTrial(task, Rate)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s.Next(tr)
	}
}

var _ = rand.New
