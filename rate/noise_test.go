package rate_test

import (
	"math"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/mat"
)

// TestNoiseStream pins how a run draws its noise: with noise on and seed
// s, x_0 is X0Scale × the first N normal numbers of rng.Xoshiro's stream
// of (s, "noise"), and step t adds NoiseScale × the next N, in unit order.
// (The stream itself is pinned in the rng package.) With W_eff = 0 and no
// input, x_t = (1 - α)·x_{t-1} + noise, so the noise can be read off.
func TestNoiseStream(t *testing.T) {
	const n, steps = 20, 60
	m := newModel(t, n, 1, 5)
	m.W.Zero()
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	u := mat.NewDense(1, steps, nil)
	tau := m.Decay(nil)
	for _, seed := range []uint64{0, 77, 1 << 40} {
		var tr rate.Trace
		if _, err := net.Run(u, &rate.RunOptions{Noise: true, Seed: seed, Record: &tr}); err != nil {
			t.Fatal(err)
		}
		g := rng.NewXoshiro(seed, 0x6e6f697365) // "noise"
		z := make([]float64, n)
		g.Normals(z, rate.X0Scale)
		for i, v := range z {
			if x := tr.X.At(i, 0); x != v {
				t.Fatalf("seed %d: x_0[%d] = %v, want %v", seed, i, x, v)
			}
		}
		for step := 1; step < steps; step++ {
			g.Normals(z, rate.NoiseScale)
			for i, v := range z {
				want := (1-rate.DeltaT/tau[i])*tr.X.At(i, step-1) + v
				if x := tr.X.At(i, step); math.Abs(x-want) > 1e-15 {
					t.Fatalf("seed %d: x_%d[%d] = %v, want %v", seed, step, i, x, want)
				}
			}
		}
	}
}
