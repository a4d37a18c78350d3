package rate

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// WeightDist is the distribution of the initial recurrent weights.
type WeightDist int

const (
	// Gaussian draws each connection as randn / sqrt(N*P_rec) * gain.
	Gaussian WeightDist = iota
	// Gamma draws each connection from Gamma(shape 2, scale 0.003),
	// unscaled by gain.
	Gamma
)

var weightDistNames = [...]string{"gaus", "gamma"}

// String returns the name used in settings ("gaus" or "gamma").
func (d WeightDist) String() string {
	if d < 0 || int(d) >= len(weightDistNames) {
		return fmt.Sprintf("WeightDist(%d)", int(d))
	}
	return weightDistNames[d]
}

// ParseWeightDist returns the distribution named s ("gaus" or "gamma").
func ParseWeightDist(s string) (WeightDist, error) {
	for i, n := range weightDistNames {
		if n == s {
			return WeightDist(i), nil
		}
	}
	return 0, fmt.Errorf("rate: unknown w_dist %q (want gaus or gamma)", s)
}

// GammaShape and GammaScale are the parameters of the gamma weight
// distribution (SPEC §1).
const (
	GammaShape = 2
	GammaScale = 0.003
)

// Config holds the initialisation options of SPEC §1. A nil *Config means
// DefaultConfig(); a non-nil Config is used as it is, so start from
// DefaultConfig() and change what differs.
type Config struct {
	// N is the number of units (default 200; at least 1).
	N int
	// Inputs is the number of input channels, the rows of a stimulus
	// (default 1, go-nogo; xor has 2, mante 4). ConfigFor sets it from a
	// task.
	Inputs int
	// PInh is the probability that a unit is inhibitory, in [0, 1]
	// (default 0.2). Ignored when ApplyDale is false: every unit is then
	// excitatory.
	PInh float64
	// PRec is the connection probability of the recurrent weights, in
	// [0, 1] (default 0.2).
	PRec float64
	// Gain scales the Gaussian recurrent weights (default 1.5; finite).
	Gain float64
	// SomN is the number of SOM-type inhibitory units, in [0, N]
	// (default 0): the first SomN inhibitory units receive no input from
	// inhibitory units.
	SomN int
	// ApplyDale applies Dale's principle (default true): weights are kept
	// non-negative through relu and each unit's outgoing sign is fixed by
	// its type.
	ApplyDale bool
	// WeightDist is the distribution of the initial recurrent weights
	// (default Gaussian).
	WeightDist WeightDist
	// Activation is the nonlinearity φ (default ActSigmoid).
	Activation Activation
	// Taus is the synaptic decay in steps: one value for a fixed decay or
	// [min, max] for a trainable per-unit decay (default [4, 20]). Values
	// must be finite, > 0 and min ≤ max.
	Taus []float64
}

// DefaultConfig returns the defaults of the method: N = 200, one input,
// P_inh = P_rec = 0.2, gain 1.5, no SOM units, Dale's principle, Gaussian
// weights, sigmoid, taus [4, 20].
func DefaultConfig() *Config {
	return &Config{
		N:          200,
		Inputs:     1,
		PInh:       0.2,
		PRec:       0.2,
		Gain:       1.5,
		ApplyDale:  true,
		WeightDist: Gaussian,
		Activation: ActSigmoid,
		Taus:       []float64{4, 20},
	}
}

// Validate reports the first invalid option, naming it and its allowed
// range.
func (c *Config) Validate() error {
	switch {
	case c.N <= 0:
		return fmt.Errorf("rate: N = %d, want ≥ 1", c.N)
	case c.Inputs <= 0:
		return fmt.Errorf("rate: inputs = %d, want ≥ 1", c.Inputs)
	case !inUnit(c.PInh):
		return fmt.Errorf("rate: P_inh = %v, want in [0, 1]", c.PInh)
	case !inUnit(c.PRec):
		return fmt.Errorf("rate: P_rec = %v, want in [0, 1]", c.PRec)
	case math.IsNaN(c.Gain) || math.IsInf(c.Gain, 0):
		return fmt.Errorf("rate: gain = %v, want a finite number", c.Gain)
	case c.SomN < 0 || c.SomN > c.N:
		return fmt.Errorf("rate: som_N = %d, want in [0, N=%d]", c.SomN, c.N)
	case c.WeightDist != Gaussian && c.WeightDist != Gamma:
		return fmt.Errorf("rate: w_dist = %v, want gaus or gamma", c.WeightDist)
	case c.Activation < ActSigmoid || c.Activation > ActSoftplus:
		return fmt.Errorf("rate: activation = %v, want sigmoid, clipped_relu or softplus", c.Activation)
	}
	if err := checkTaus(c.Taus); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	return nil
}

func inUnit(p float64) bool { return p >= 0 && p <= 1 }

func checkTaus(taus []float64) error {
	if len(taus) != 1 && len(taus) != 2 {
		return fmt.Errorf("taus has %d values, want 1 (fixed) or 2 ([min, max])", len(taus))
	}
	for _, t := range taus {
		if !(t > 0) || math.IsInf(t, 0) {
			return fmt.Errorf("taus = %v, want finite values > 0", taus)
		}
	}
	if len(taus) == 2 && taus[0] > taus[1] {
		return fmt.Errorf("taus = %v, want min ≤ max", taus)
	}
	return nil
}

// New initialises a network as SPEC §1 describes, drawing every random
// number from r. The same configuration and generator state give the same
// network. W0 and TausGaus0 are set to copies of the initial W and
// TausGaus.
//
// Draw order: unit types (N uniforms, when ApplyDale), then the
// connectivity mask (N×N uniforms, row by row), then one weight per
// connection, row by row; then w_in (N×Inputs normals), w_out (N normals)
// and taus_gaus (N normals).
func New(c *Config, r *rand.Rand) (*Model, error) {
	if c == nil {
		c = DefaultConfig()
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("rate: New needs a random generator")
	}
	n := c.N
	m := &Model{
		N:          n,
		SomN:       c.SomN,
		ApplyDale:  c.ApplyDale,
		Activation: c.Activation,
		Inh:        make([]bool, n),
		Taus:       append([]float64(nil), c.Taus...),
	}
	if c.ApplyDale {
		for i := range m.Inh {
			m.Inh[i] = r.Float64() < c.PInh
		}
	}

	// Recurrent weights: mask first, then one value per connection.
	w := mat.NewDense(n, n, nil)
	raw := w.RawMatrix().Data
	for k := range raw {
		if r.Float64() < c.PRec {
			raw[k] = 1
		}
	}
	scale := c.Gain / math.Sqrt(float64(n)*c.PRec)
	for k, v := range raw {
		if v == 0 {
			continue
		}
		var x float64
		switch c.WeightDist {
		case Gaussian:
			x = r.NormFloat64() * scale
		case Gamma:
			// Gamma(2, θ) is the sum of two exponentials of mean θ.
			x = (r.ExpFloat64() + r.ExpFloat64()) * GammaScale
		}
		if c.ApplyDale {
			x = math.Abs(x)
		}
		raw[k] = x
	}
	m.W = w

	m.M = SignMatrix(m.Inh)
	m.SomM = SomMask(m.Inh, c.SomN)

	m.WIn = mat.NewDense(n, c.Inputs, nil)
	win := m.WIn.RawMatrix().Data
	for k := range win {
		win[k] = r.NormFloat64()
	}
	m.WOut = make([]float64, n)
	for i := range m.WOut {
		m.WOut[i] = r.NormFloat64() / 100
	}
	m.TausGaus = make([]float64, n)
	for i := range m.TausGaus {
		m.TausGaus[i] = r.NormFloat64()
	}
	m.W0 = mat.DenseCopyOf(m.W)
	m.TausGaus0 = append([]float64(nil), m.TausGaus...)
	return m, nil
}

// SignMatrix returns m of SPEC §1: the N×N identity with -1 on the
// diagonal entry of every inhibitory unit. inh must not be empty.
func SignMatrix(inh []bool) *mat.Dense {
	n := len(inh)
	m := mat.NewDense(n, n, nil)
	for i, b := range inh {
		if b {
			m.Set(i, i, -1)
		} else {
			m.Set(i, i, 1)
		}
	}
	return m
}

// SomMask returns som_m of SPEC §1: ones, except that for each of the
// first somN inhibitory units s, som_m[s][j] = 0 for every inhibitory j.
// inh must not be empty.
func SomMask(inh []bool, somN int) *mat.Dense {
	n := len(inh)
	m := mat.NewDense(n, n, nil)
	raw := m.RawMatrix().Data
	for k := range raw {
		raw[k] = 1
	}
	var inhIdx []int
	for i, b := range inh {
		if b {
			inhIdx = append(inhIdx, i)
		}
	}
	for _, s := range inhIdx[:min(somN, len(inhIdx))] {
		for _, j := range inhIdx {
			m.Set(s, j, 0)
		}
	}
	return m
}
