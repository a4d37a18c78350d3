package rate_test

import (
	"errors"
	"math"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

func TestRunRecordAndNoise(t *testing.T) {
	task := mustTask(t, "mante")
	m := newModel(t, 20, 4, 8)
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	stream := tasks.NewStream(task, 8)
	trial := tasks.NewTrial(task, tasks.Rate)
	stream.Next(trial)

	var tr rate.Trace
	o, err := net.Run(trial.U, &rate.RunOptions{Noise: true, Seed: trial.Seed, Record: &tr})
	if err != nil {
		t.Fatal(err)
	}
	steps := task.Steps()
	if len(o) != steps-1 {
		t.Fatalf("%d outputs, want %d", len(o), steps-1)
	}
	if r, c := tr.X.Dims(); r != 20 || c != steps {
		t.Fatalf("trace is %d×%d, want 20×%d", r, c, steps)
	}
	// The trace is consistent with the outputs and the dynamics.
	tau := m.Decay(nil)
	weff := m.EffectiveWeights(nil, m.W, true)
	for step := 1; step < steps; step++ {
		r := mat.Col(nil, step, tr.R)
		want := m.BOut
		for i, v := range r {
			if math.Abs(v-rate.Sigmoid(tr.X.At(i, step))) > 1e-15 {
				t.Fatalf("r[%d][%d] ≠ φ(x)", i, step)
			}
			want += m.WOut[i] * v
		}
		if math.Abs(o[step-1]-want) > 1e-12 {
			t.Fatalf("o[%d] = %v, want w_out·r + b_out = %v", step-1, o[step-1], want)
		}
	}
	// The noise: x_1 minus its deterministic part has sd ≈ 0.1.
	var res []float64
	for step := 1; step < steps; step++ {
		for i := 0; i < 20; i++ {
			d := 0.0
			for j := 0; j < 20; j++ {
				d += weff.At(i, j) * tr.R.At(j, step-1)
			}
			for k := 0; k < 4; k++ {
				d += m.WIn.At(i, k) * trial.U.At(k, step-1)
			}
			a := rate.DeltaT / tau[i]
			res = append(res, tr.X.At(i, step)-(1-a)*tr.X.At(i, step-1)-a*d)
		}
	}
	if sd := stddev(res); math.Abs(sd-rate.NoiseScale) > 0.01 {
		t.Errorf("noise sd %.4f, want ≈ %v", sd, rate.NoiseScale)
	}
	if sd := stddev(mat.Col(nil, 0, tr.X)); sd > 0.03 || sd == 0 {
		t.Errorf("x_0 sd %.4f, want ≈ %v", sd, rate.X0Scale)
	}

	// Same seed, same trial; no noise from x_0 = 0 is deterministic.
	o1 := append([]float64(nil), o...)
	o2, _ := net.Run(trial.U, &rate.RunOptions{Noise: true, Seed: trial.Seed})
	if !equalFloats(o1, o2) {
		t.Error("same noise seed gave different outputs")
	}
	o3 := append([]float64(nil), must(net.Run(trial.U, nil))...)
	o4, _ := net.Run(trial.U, &rate.RunOptions{})
	if !equalFloats(o3, o4) || equalFloats(o3, o1) {
		t.Error("noiseless runs differ, or equal a noisy one")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func stddev(x []float64) float64 {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return math.Sqrt(s / float64(len(x)-1))
}

func TestRunBadInput(t *testing.T) {
	m := newModel(t, 5, 2, 1)
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.Run(mat.NewDense(1, 10, nil), nil); !errors.Is(err, rate.ErrShape) {
		t.Errorf("1-row stimulus on a 2-input net: %v", err)
	}
	if _, err := net.Run(mat.NewDense(2, 1, nil), nil); !errors.Is(err, rate.ErrShape) {
		t.Errorf("1-column stimulus: %v", err)
	}
	if _, err := net.Run(mat.NewDense(2, 10, nil), &rate.RunOptions{X0: make([]float64, 4)}); !errors.Is(err, rate.ErrShape) {
		t.Errorf("short x0: %v", err)
	}
	var g rate.Gradients
	if _, err := net.Gradients(&g, mat.NewDense(2, 10, nil), make([]float64, 10), rate.L2, nil); !errors.Is(err, rate.ErrShape) {
		t.Errorf("target of T values: %v", err)
	}
	m.W.Set(0, 0, math.NaN())
	if _, err := rate.NewNet(m); err == nil {
		t.Error("NewNet accepted a NaN weight")
	}
}

func TestActivations(t *testing.T) {
	cases := []struct {
		a       rate.Activation
		x, want float64
	}{
		{rate.ActSigmoid, 0, 0.5},
		{rate.ActClippedReLU, -3, 0},
		{rate.ActClippedReLU, 3, 3},
		{rate.ActClippedReLU, 30, 20},
		{rate.ActSoftplus, 0, math.Ln2},
		{rate.ActSoftplus, 1000, 20},
		{rate.ActSoftplus, -800, 0},
	}
	for _, c := range cases {
		if got := c.a.Apply(c.x); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%v(%v) = %v, want %v", c.a, c.x, got, c.want)
		}
	}
}

func TestLesion(t *testing.T) {
	c := rate.DefaultConfig()
	c.N = 100
	m, err := rate.New(c, rng.New(9))
	if err != nil {
		t.Fatal(err)
	}
	// A negative entry is not an existing connection under Dale.
	m.W.Set(0, 1, -1)
	count := func(m *rate.Model) int {
		k := 0
		for _, v := range m.EffectiveWeights(nil, m.W, true).RawMatrix().Data {
			if v != 0 {
				k++
			}
		}
		return k
	}
	before := count(m)
	whole := m.Clone()
	res, err := whole.Lesion(0.3, false, rng.New(1))
	if err != nil {
		t.Fatal(err)
	}
	total := res.Existing[rate.EE] + res.Existing[rate.EI] + res.Existing[rate.IE] + res.Existing[rate.II]
	if total != before || res.TotalRemoved() != int(math.Round(0.3*float64(before))) {
		t.Errorf("existing %d (want %d), removed %d", total, before, res.TotalRemoved())
	}
	if after := count(whole); after != before-res.TotalRemoved() {
		t.Errorf("%d connections left, want %d", after, before-res.TotalRemoved())
	}
	if whole.W.At(0, 1) != -1 {
		t.Error("lesion touched a non-existing connection")
	}

	blocks := m.Clone()
	res, err = blocks.Lesion(0.5, true, rng.New(2))
	if err != nil {
		t.Fatal(err)
	}
	for b := rate.EE; b <= rate.II; b++ {
		if want := int(math.Round(0.5 * float64(res.Existing[b]))); res.Removed[b] != want {
			t.Errorf("block %v: removed %d of %d, want %d", b, res.Removed[b], res.Existing[b], want)
		}
	}
	if _, err := m.Lesion(1.5, false, rng.New(1)); err == nil {
		t.Error("fraction 1.5 accepted")
	}
	all := m.Clone()
	if _, err := all.Lesion(1, true, rng.New(3)); err != nil || count(all) != 0 {
		t.Errorf("full lesion left %d connections (%v)", count(all), err)
	}
}
