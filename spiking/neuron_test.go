package spiking

import (
	"math"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

// TestNeuronDefaults pins the reference's constants (SPEC §4) and checks
// that a nil Neuron and an explicit DefaultNeuron give the same bits.
func TestNeuronDefaults(t *testing.T) {
	want := Neuron{Model: "lif", TRef: 0.002, TM: 0.010, VReset: -65, VPeak: -40, Bias: -40, TR: 0.002}
	if got := DefaultNeuron(); got != want {
		t.Errorf("DefaultNeuron() = %+v, want %+v", got, want)
	}
	q := want
	q.Model, q.VPeak, q.Bias = "qif", 30, 0
	if got := QIFNeuron(); got != q {
		t.Errorf("QIFNeuron() = %+v, want %+v", got, q)
	}
	m := loadRefModel(t)
	nd := DefaultNeuron()
	u := goldenGoStimulus(t)
	a, err := NewNetwork(m, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewNetwork(m, 50, &Settings{Neuron: &nd})
	if err != nil {
		t.Fatal(err)
	}
	if a.Neuron != want {
		t.Errorf("nil Neuron gives %+v", a.Neuron)
	}
	ra, err := a.Simulate(u, &TrialSettings{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.Simulate(u, &TrialSettings{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(ra.Spikes) != len(rb.Spikes) {
		t.Fatalf("%d vs %d spikes", len(ra.Spikes), len(rb.Spikes))
	}
	for i := range ra.Out {
		if ra.Out[i] != rb.Out[i] {
			t.Fatalf("out[%d]: %v vs %v", i, ra.Out[i], rb.Out[i])
		}
	}
}

func goldenGoStimulus(t *testing.T) *mat.Dense {
	t.Helper()
	g, err := matfile.Open(goldenLIFPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := g.Var("go_u")
	if err != nil {
		t.Fatal(err)
	}
	u, err := v.Dense()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// refTrial is a plain transcription of SPEC §4 (and of both references'
// tr = 0 branch, and of the commented QIF line) with the noise off: one
// unit at a time, no kernels, no precomputed transposes.
func refTrial(m *rate.Model, lambda float64, nr Neuron, u *mat.Dense, v0 []float64) ([]Spike, []float64) {
	n := m.N
	w := m.EffectiveWeights(nil, m.W, true)
	_, cols := u.Dims()
	dt := BaseDT
	T := float64(cols-1) * dt * 100
	nt := int(math.Round(T / dt))
	td := m.Decay(nil)
	for i := range td {
		td[i] = td[i] * 5 / 1000
	}
	ext := make([]float64, n)
	ipsc, h, r, hr, tlast, v := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range v {
		v[k] = nr.VReset + v0[k]*(VSpike-nr.VReset)
	}
	var spikes []Spike
	out := make([]float64, nt)
	for i := 0; i < nt; i++ {
		c := min(int(float64(i)/100+0.5), cols-1)
		for k := range ext {
			var x float64
			for j := 0; j < m.NumInputs(); j++ {
				x += m.WIn.At(k, j) * u.At(j, c)
			}
			ext[k] = nr.Bias + x
		}
		t := dt * float64(i+1)
		spiked := make([]bool, n)
		any := false
		for k := range v {
			I := ipsc[k] + ext[k]
			if t > tlast[k]+nr.TRef {
				if nr.Model == ModelQIF {
					v[k] += (v[k]*v[k] + I) * (dt / nr.TM)
				} else {
					v[k] += (I - v[k]) * (dt / nr.TM)
				}
			}
			if v[k] >= nr.VPeak {
				spiked[k], any = true, true
				spikes = append(spikes, Spike{Step: int32(i), Neuron: int32(k)})
				tlast[k] += t - tlast[k] // as the reference: tlast + (t - tlast)·spiked
			}
		}
		for k := range v {
			var jd float64
			for j := 0; any && j < n; j++ {
				if spiked[j] {
					jd += w.At(k, j) / lambda
				}
			}
			s := 0.0
			if spiked[k] {
				s = 1
			}
			e := math.Exp(-dt / td[k])
			if nr.TR == 0 {
				ipsc[k] = ipsc[k]*e + jd/td[k]
				r[k] = r[k]*e + s/td[k]
			} else {
				er := math.Exp(-dt / nr.TR)
				ipsc[k] = ipsc[k]*e + h[k]*dt
				h[k] = h[k]*er + jd/(nr.TR*td[k])
				r[k] = r[k]*e + hr[k]*dt
				hr[k] = hr[k]*er + s/(nr.TR*td[k])
			}
			out[i] += m.WOut[k] / lambda * r[k]
			if spiked[k] {
				v[k] = nr.VReset
			}
		}
	}
	return spikes, out
}

// TestNeuronReference runs gonogo_ref1's go trial (λ = 50, noise off,
// fixed initial voltages) under every neuron setting, LIF and QIF, double
// and single exponential, and checks the spikes and the output against
// refTrial; the kernels (AVX2 where present) must follow every setting.
func TestNeuronReference(t *testing.T) {
	m := loadRefModel(t)
	u := goldenGoStimulus(t)
	v0 := make([]float64, m.N)
	for k := range v0 {
		v0[k] = math.Mod(float64(k)*0.6180339887, 1)
	}
	edit := func(f func(*Neuron)) Neuron {
		n := DefaultNeuron()
		f(&n)
		return n
	}
	for _, c := range []struct {
		name string
		nr   Neuron
	}{
		{"default", DefaultNeuron()},
		{"tref=0", edit(func(n *Neuron) { n.TRef = 0 })},
		{"tref=10ms", edit(func(n *Neuron) { n.TRef = 0.010 })},
		{"tm=20ms", edit(func(n *Neuron) { n.TM = 0.020 })},
		{"vreset=-70", edit(func(n *Neuron) { n.VReset = -70 })},
		{"vpeak=-45", edit(func(n *Neuron) { n.VPeak, n.Bias = -45, -45 })},
		{"bias=-38", edit(func(n *Neuron) { n.Bias = -38 })},
		{"tr=0", edit(func(n *Neuron) { n.TR = 0 })},
		{"tr=5ms", edit(func(n *Neuron) { n.TR = 0.005 })},
		{"qif", QIFNeuron()},
		{"qif,tr=0", func() Neuron { n := QIFNeuron(); n.TR = 0; return n }()},
	} {
		t.Run(c.name, func(t *testing.T) {
			nr := c.nr
			net, err := NewNetwork(m, 50, &Settings{Neuron: &nr})
			if err != nil {
				t.Fatal(err)
			}
			res, err := net.Simulate(u, &TrialSettings{NoNoise: true, V0Uniform: v0})
			if err != nil {
				t.Fatal(err)
			}
			spikes, out := refTrial(m, 50, nr, u, v0)
			if len(spikes) == 0 {
				t.Fatal("the reference does not spike: the case tests nothing")
			}
			if len(res.Spikes) != len(spikes) {
				t.Errorf("%d spikes, reference %d", len(res.Spikes), len(spikes))
			}
			for k := range min(len(res.Spikes), len(spikes)) {
				if res.Spikes[k] != spikes[k] {
					t.Fatalf("spike %d: %+v, reference %+v", k, res.Spikes[k], spikes[k])
				}
			}
			var worst float64
			for i := range out {
				worst = max(worst, math.Abs(res.Out[i]-out[i]))
			}
			if worst > 1e-9 {
				t.Errorf("output differs from the reference by %.3g", worst)
			}
			t.Logf("%d spikes, max |out - reference| = %.2g", len(spikes), worst)
		})
	}
}

func TestNeuronBad(t *testing.T) {
	m := loadRefModel(t)
	for _, c := range []struct {
		edit func(*Neuron)
		msg  string
	}{
		{func(n *Neuron) { n.Model = "izh" }, "neuron model"},
		{func(n *Neuron) { n.TRef = -1 }, "tref"},
		{func(n *Neuron) { n.TM = 0 }, "tm"},
		{func(n *Neuron) { n.TR = -0.001 }, "tr"},
		{func(n *Neuron) { n.VReset = -30 }, "vreset"},
		{func(n *Neuron) { n.Bias = math.NaN() }, "bias"},
	} {
		n := DefaultNeuron()
		c.edit(&n)
		_, err := NewNetwork(m, 50, &Settings{Neuron: &n})
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%+v: error %v, want one naming %s", n, err, c.msg)
		}
	}
}

// TestDaleWithoutInhibitory converts a Dale model whose units are all
// excitatory (likely at N = 10): the rate network uses relu(w), so the
// spiking one must too.
func TestDaleWithoutInhibitory(t *testing.T) {
	m := toyModel(4, 0, 1)
	m.ApplyDale = true
	m.W.Set(0, 1, -0.5)
	m.W.Set(1, 0, 0.25)
	net, err := NewNetwork(m, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := m.EffectiveWeights(nil, m.W, true)
	want.Scale(0.5, want)
	if got := net.W.At(0, 1); got != 0 {
		t.Errorf("W[0][1] = %v, want relu(-0.5)/λ = 0", got)
	}
	if !mat.Equal(net.W, want) {
		t.Errorf("W = %v, want relu'd W_eff/λ %v", mat.Formatted(net.W), mat.Formatted(want))
	}
	m.ApplyDale = false
	net, err = NewNetwork(m, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := net.W.At(0, 1); got != -0.25 {
		t.Errorf("without Dale: W[0][1] = %v, want -0.5/2", got)
	}
}
