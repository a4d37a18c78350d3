package rate_test

import (
	"math"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/mat"
)

func TestNewDefaults(t *testing.T) {
	c := rate.DefaultConfig()
	m, err := rate.New(nil, rng.New(1))
	if err != nil {
		t.Fatal(err)
	}
	n := c.N
	if m.N != n || m.NumInputs() != 1 || !m.ApplyDale || m.Activation != rate.ActSigmoid || len(m.Taus) != 2 {
		t.Fatalf("defaults: N=%d inputs=%d dale=%v act=%v taus=%v", m.N, m.NumInputs(), m.ApplyDale, m.Activation, m.Taus)
	}
	nInh, nConn := 0, 0
	for i, b := range m.Inh {
		if b {
			nInh++
			if m.M.At(i, i) != -1 {
				t.Fatalf("m[%d][%d] = %v for an inhibitory unit", i, i, m.M.At(i, i))
			}
		} else if m.M.At(i, i) != 1 {
			t.Fatalf("m[%d][%d] = %v for an excitatory unit", i, i, m.M.At(i, i))
		}
	}
	sum, sumSq := 0.0, 0.0
	for _, v := range m.W.RawMatrix().Data {
		if v < 0 {
			t.Fatal("negative weight under Dale's principle")
		}
		if v != 0 {
			nConn++
			sum += v
			sumSq += v * v
		}
	}
	// Binomial and half-normal statistics, with generous margins.
	if f := float64(nInh) / float64(n); math.Abs(f-0.2) > 0.1 {
		t.Errorf("inhibitory fraction %.3f, want ≈ 0.2", f)
	}
	if f := float64(nConn) / float64(n*n); math.Abs(f-0.2) > 0.01 {
		t.Errorf("connection probability %.4f, want ≈ 0.2", f)
	}
	sd := c.Gain / math.Sqrt(float64(n)*c.PRec)
	if rms := math.Sqrt(sumSq / float64(nConn)); math.Abs(rms-sd)/sd > 0.05 {
		t.Errorf("rms weight %.4f, want ≈ %.4f", rms, sd)
	}
	if !mat.Equal(m.W, m.W0) || !equalFloats(m.TausGaus, m.TausGaus0) {
		t.Error("w0 or taus_gaus0 is not a copy of the initial value")
	}
	if m.W0 == m.W {
		t.Error("w0 aliases w")
	}
	if m.BOut != 0 {
		t.Errorf("b_out = %v, want 0", m.BOut)
	}
	wsd := 0.0
	for _, v := range m.WOut {
		wsd += v * v
	}
	if wsd = math.Sqrt(wsd / float64(n)); math.Abs(wsd-0.01) > 0.002 {
		t.Errorf("w_out sd %.4f, want ≈ 0.01", wsd)
	}
	// Same generator state, same network.
	m2, _ := rate.New(nil, rng.New(1))
	if !mat.Equal(m.W, m2.W) || !mat.Equal(m.WIn, m2.WIn) || !equalFloats(m.TausGaus, m2.TausGaus) {
		t.Error("same seed gave a different network")
	}
	m3, _ := rate.New(nil, rng.New(2))
	if mat.Equal(m.W, m3.W) {
		t.Error("different seeds gave the same w")
	}
}

func TestNewOptions(t *testing.T) {
	t.Run("no dale", func(t *testing.T) {
		c := rate.DefaultConfig()
		c.N = 100
		c.ApplyDale = false
		c.SomN = 3
		m, err := rate.New(c, rng.New(3))
		if err != nil {
			t.Fatal(err)
		}
		neg := 0
		for _, v := range m.W.RawMatrix().Data {
			if v < 0 {
				neg++
			}
		}
		if m.HasInhibitory() || neg == 0 || m.ApplyDale {
			t.Errorf("without Dale: inhibitory=%v, %d negative weights", m.HasInhibitory(), neg)
		}
		for _, v := range m.SomM.RawMatrix().Data {
			if v != 1 {
				t.Fatal("som_m masks a connection in a network without inhibitory units")
			}
		}
	})
	t.Run("som", func(t *testing.T) {
		c := rate.DefaultConfig()
		c.N = 50
		c.PInh = 0.3
		c.SomN = 4
		m, err := rate.New(c, rng.New(4))
		if err != nil {
			t.Fatal(err)
		}
		var inh []int
		for i, b := range m.Inh {
			if b {
				inh = append(inh, i)
			}
		}
		if len(inh) < 5 {
			t.Fatalf("only %d inhibitory units", len(inh))
		}
		zeros := 0
		for i := 0; i < c.N; i++ {
			for j := 0; j < c.N; j++ {
				if m.SomM.At(i, j) == 0 {
					zeros++
					if !m.Inh[i] || !m.Inh[j] || i > inh[3] {
						t.Fatalf("som_m[%d][%d] = 0 outside the first 4 inhibitory rows × inhibitory columns", i, j)
					}
				}
			}
		}
		if zeros != 4*len(inh) {
			t.Errorf("som_m has %d zeros, want %d", zeros, 4*len(inh))
		}
	})
	t.Run("gamma", func(t *testing.T) {
		c := rate.DefaultConfig()
		c.WeightDist = rate.Gamma
		c.N = 300
		m, err := rate.New(c, rng.New(5))
		if err != nil {
			t.Fatal(err)
		}
		sum, k := 0.0, 0
		for _, v := range m.W.RawMatrix().Data {
			if v != 0 {
				sum += v
				k++
			}
		}
		if mean := sum / float64(k); math.Abs(mean-2*rate.GammaScale)/(2*rate.GammaScale) > 0.03 {
			t.Errorf("gamma weights: mean %.5f, want ≈ %.5f", mean, 2*rate.GammaScale)
		}
	})
	t.Run("fixed taus", func(t *testing.T) {
		c := rate.DefaultConfig()
		c.N = 10
		c.Taus = []float64{8}
		m, err := rate.New(c, rng.New(6))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range m.Decay(nil) {
			if d != 8 {
				t.Fatalf("decay %v, want 8", d)
			}
		}
	})
}

func TestConfigValidate(t *testing.T) {
	cases := map[string]func(c *rate.Config){
		"N = 0":      func(c *rate.Config) { c.N = 0 },
		"inputs":     func(c *rate.Config) { c.Inputs = 0 },
		"P_inh":      func(c *rate.Config) { c.PInh = 1.5 },
		"P_rec":      func(c *rate.Config) { c.PRec = -0.1 },
		"gain":       func(c *rate.Config) { c.Gain = math.Inf(1) },
		"som_N":      func(c *rate.Config) { c.SomN = -1 },
		"w_dist":     func(c *rate.Config) { c.WeightDist = 9 },
		"activation": func(c *rate.Config) { c.Activation = 5 },
		"min ≤ max":  func(c *rate.Config) { c.Taus = []float64{20, 4} },
		"> 0":        func(c *rate.Config) { c.Taus = []float64{0} },
		"2 ([min":    func(c *rate.Config) { c.Taus = nil },
	}
	for want, breakIt := range cases {
		c := rate.DefaultConfig()
		breakIt(c)
		_, err := rate.New(c, rng.New(1))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v", want, err)
		}
	}
	if _, err := rate.ParseActivation("tanh"); err == nil {
		t.Error("ParseActivation accepted tanh")
	}
	if _, err := rate.ParseLoss("l3"); err == nil {
		t.Error("ParseLoss accepted l3")
	}
	if _, err := rate.ParseWeightDist("uniform"); err == nil {
		t.Error("ParseWeightDist accepted uniform")
	}
	for _, a := range []rate.Activation{rate.ActSigmoid, rate.ActClippedReLU, rate.ActSoftplus} {
		if b, err := rate.ParseActivation(a.String()); err != nil || b != a {
			t.Errorf("activation %v does not round-trip", a)
		}
	}
}
