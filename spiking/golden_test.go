package spiking

import (
	"math"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"gonum.org/v1/gonum/mat"
)

// TestGoldenLIF replays the reference's LIF conversion of gonogo_ref1 at
// λ = 50 with the voltage noise off and the initial voltages fixed
// (testdata/golden/lif_golden_gonogo_ref1.mat): every spike event, all_fr
// and the output trace to 1e-9 must agree, for the go and the nogo trial.
func TestGoldenLIF(t *testing.T) {
	m := loadRefModel(t)
	g, err := matfile.Open(goldenLIFPath)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) []float64 {
		t.Helper()
		v, err := g.Var(name)
		if err != nil {
			t.Fatal(err)
		}
		xs, err := v.Float64s()
		if err != nil {
			t.Fatal(err)
		}
		return xs
	}
	lambda := get("scaling_factor")[0]
	net, err := NewNetwork(m, lambda, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dt := get("dt")[0]; net.DT != dt {
		t.Fatalf("dt = %v, golden %v", net.DT, dt)
	}
	for i, td := range get("td") {
		if math.Abs(net.TD[i]-td) > 1e-15 {
			t.Fatalf("td[%d] = %v, golden %v", i, net.TD[i], td)
		}
	}
	v0 := get("v0_uniform")
	for _, trial := range []string{"go", "nogo"} {
		t.Run(trial, func(t *testing.T) {
			uv, err := g.Var(trial + "_u")
			if err != nil {
				t.Fatal(err)
			}
			u, err := uv.Dense()
			if err != nil {
				t.Fatal(err)
			}
			res, err := net.Simulate(u, &TrialSettings{NoNoise: true, V0Uniform: v0})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, res, u, get(trial+"_spk_step"), get(trial+"_spk_neuron"),
				get(trial+"_spk_count"), get(trial+"_all_fr"), get(trial+"_out"))
		})
	}
}

func checkGolden(t *testing.T, res *Result, u *mat.Dense, steps, neurons, counts, allFR, out []float64) {
	t.Helper()
	if len(res.Spikes) != len(steps) {
		t.Errorf("%d spikes, golden %d", len(res.Spikes), len(steps))
	}
	for k := range min(len(res.Spikes), len(steps)) {
		s := res.Spikes[k]
		// The golden file is 1-based.
		if int(s.Step) != int(steps[k])-1 || int(s.Neuron) != int(neurons[k])-1 {
			t.Fatalf("spike %d: (step %d, neuron %d), golden (%d, %d)", k, s.Step, s.Neuron, int(steps[k])-1, int(neurons[k])-1)
		}
	}
	for i := range counts {
		if float64(res.Counts[i]) != counts[i] {
			t.Errorf("count[%d] = %d, golden %v", i, res.Counts[i], counts[i])
		}
		if res.AllFR[i] != allFR[i] {
			t.Errorf("all_fr[%d] = %v, golden %v", i, res.AllFR[i], allFR[i])
		}
	}
	if len(res.Out) != len(out) {
		t.Fatalf("output has %d values, golden %d", len(res.Out), len(out))
	}
	var worst float64
	at := 0
	for i := range out {
		if d := math.Abs(res.Out[i] - out[i]); d > worst {
			worst, at = d, i
		}
	}
	if worst > 1e-9 {
		t.Errorf("output differs by %.3g at step %d (%v vs golden %v)", worst, at, res.Out[at], out[at])
	}
	t.Logf("%d spikes, max |out - golden| = %.2g", len(res.Spikes), worst)
}
