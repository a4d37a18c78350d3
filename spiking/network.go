package spiking

import (
	"fmt"
	"math"

	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

// Constants of the LIF network (SPEC §4), the values of the reference's
// LIF_network_fnc.
const (
	// BaseDT is the integration step at downsample 1, in seconds
	// (0.05 ms); with downsample d the step is d·BaseDT.
	BaseDT = 0.00005
	// StepsPerColumn is the number of LIF steps per stimulus column (one
	// 5 ms rate step at downsample 1).
	StepsPerColumn = 100
	// TRef is the refractory period in seconds.
	TRef = 0.002
	// TM is the membrane time constant in seconds.
	TM = 0.010
	// VReset is the reset voltage in mV.
	VReset = -65.0
	// VPeak is the spike threshold in mV.
	VPeak = -40.0
	// VSpike is the voltage in mV recorded at a spike, and the top of
	// the initial uniform voltage draw.
	VSpike = 30.0
	// Bias is the constant bias current (mV), equal to VPeak so that the
	// resting voltage sits at the rheobase.
	Bias = VPeak
	// TRise is the synaptic rise time constant in seconds.
	TRise = 0.002
	// NoiseSD is the standard deviation in mV of the voltage noise added
	// at every step (randn/10).
	NoiseSD = 0.1
	// FRFromStep is the first step counted by AllFR.
	FRFromStep = 10
)

// Settings are the conversion settings of a Network. A nil *Settings means
// the defaults.
type Settings struct {
	// Downsample d keeps every d-th stimulus column and integrates with
	// dt = d·BaseDT seconds. Default 1 (no downsampling).
	Downsample int
	// UseInitialWeights converts the model's initial weights w0 instead
	// of the trained w. Default false.
	UseInitialWeights bool
	// Neuron holds the unit and synapse constants; nil means
	// DefaultNeuron(), the reference's LIF unit.
	Neuron *Neuron
}

// Network is a rate model mapped one to one onto a LIF network at scaling
// factor λ (SPEC §4): W = W_eff/λ, readout w_out/λ, synaptic decay τ·5 ms
// per unit. It is immutable and safe for concurrent use by many
// Simulators.
type Network struct {
	// N is the number of units.
	N int
	// Lambda is the scaling factor λ.
	Lambda float64
	// Downsample is the downsampling factor d.
	Downsample int
	// DT is the integration step in seconds (d·BaseDT).
	DT float64
	// TD holds the synaptic decay time constant of every unit in seconds.
	TD []float64
	// W is the scaled recurrent weight matrix W_eff/λ (N×N; [i][j] is the
	// weight from unit j to unit i), as the reference returns it. Read only.
	W *mat.Dense
	// Inh[i] is true when unit i is inhibitory. Read only.
	Inh []bool
	// Neuron holds the unit and synapse constants in use.
	Neuron Neuron

	nIn    int
	win    []float64 // N×nIn, row-major
	wt     []float64 // W transposed: column j of W at wt[j*N:(j+1)*N]
	decayD []float64 // exp(-dt/td) per unit
	decayR float64   // exp(-dt/tr); 0 for the single-exponential filter
	gainH  []float64 // 1/(tr*td) per unit; 1/td for the single-exponential filter
	single bool      // tr = 0: single-exponential synaptic filter
	wout   []float64 // w_out/λ
}

// NewNetwork converts m at scaling factor lambda. It checks the model
// fields the conversion uses and returns an error naming the first bad one.
func NewNetwork(m *rate.Model, lambda float64, s *Settings) (*Network, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if set.Downsample == 0 {
		set.Downsample = 1
	}
	if set.Downsample < 1 {
		return nil, fmt.Errorf("spiking: downsample = %d, want ≥ 1", set.Downsample)
	}
	if !(lambda > 0) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("spiking: scaling factor λ = %v, want finite and > 0", lambda)
	}
	nr := DefaultNeuron()
	if set.Neuron != nil {
		nr = *set.Neuron
	}
	if err := nr.Check(); err != nil {
		return nil, err
	}
	if err := checkModel(m, set.UseInitialWeights); err != nil {
		return nil, err
	}
	n := m.N
	net := &Network{
		N:          n,
		Lambda:     lambda,
		Downsample: set.Downsample,
		DT:         BaseDT * float64(set.Downsample),
		Inh:        append([]bool(nil), m.Inh...),
		Neuron:     nr,
		single:     nr.TR == 0,
		nIn:        m.NumInputs(),
	}
	w := m.W
	if set.UseInitialWeights {
		w = m.W0
	}
	// relu applies when the model has any inhibitory unit (SPEC §4), and
	// whenever the rate network applies it (apply_dale): both networks
	// then use the same W_eff, also for a Dale model without an
	// inhibitory unit (likely at small N).
	eff := m.EffectiveWeights(nil, w, m.ApplyDale || m.HasInhibitory())
	raw := eff.RawMatrix()
	net.wt = make([]float64, n*n)
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		for j := range row {
			row[j] /= lambda
			net.wt[j*n+i] = row[j]
		}
	}
	net.W = eff
	net.win = make([]float64, 0, n*net.nIn)
	for i := 0; i < n; i++ {
		net.win = append(net.win, m.WIn.RawRowView(i)[:net.nIn]...)
	}
	net.wout = make([]float64, n)
	for i, x := range m.WOut {
		net.wout[i] = x / lambda
	}
	dec := m.Decay(nil)
	net.TD = make([]float64, n)
	net.decayD = make([]float64, n)
	net.gainH = make([]float64, n)
	dt := net.DT
	for i, tau := range dec {
		td := tau * 5 / 1000
		net.TD[i] = td
		net.decayD[i] = math.Exp(-dt / td)
		if net.single {
			net.gainH[i] = 1 / td
		} else {
			net.gainH[i] = 1 / (nr.TR * td)
		}
	}
	if !net.single {
		net.decayR = math.Exp(-dt / nr.TR)
	}
	return net, nil
}

// NumInputs returns the number of stimulus rows the network takes.
func (n *Network) NumInputs() int { return n.nIn }

// checkModel verifies the fields of m that the conversion reads: present,
// of the right shape and finite. Errors name the field as the model file
// does.
func checkModel(m *rate.Model, initial bool) error {
	if m == nil {
		return fmt.Errorf("spiking: model is nil")
	}
	n := m.N
	if n <= 0 {
		return fmt.Errorf("spiking: model field N = %d, want > 0", n)
	}
	square := func(name string, a *mat.Dense) error {
		if a == nil {
			return fmt.Errorf("spiking: model is missing field %s", name)
		}
		if r, c := a.Dims(); r != n || c != n {
			return fmt.Errorf("spiking: model field %s is %d×%d, want N×N = %d×%d", name, r, c, n, n)
		}
		return finiteDense(name, a)
	}
	if initial {
		if err := square("w0", m.W0); err != nil {
			return err
		}
	} else if err := square("w", m.W); err != nil {
		return err
	}
	if err := square("m", m.M); err != nil {
		return err
	}
	if err := square("som_m", m.SomM); err != nil {
		return err
	}
	if m.WIn == nil {
		return fmt.Errorf("spiking: model is missing field w_in")
	}
	if r, c := m.WIn.Dims(); r != n || c < 1 {
		return fmt.Errorf("spiking: model field w_in is %d×%d, want N×n_in with N = %d, n_in ≥ 1", r, c, n)
	}
	if err := finiteDense("w_in", m.WIn); err != nil {
		return err
	}
	if m.WOut == nil {
		return fmt.Errorf("spiking: model is missing field w_out")
	}
	if len(m.WOut) != n {
		return fmt.Errorf("spiking: model field w_out has %d values, want N = %d", len(m.WOut), n)
	}
	if err := finiteSlice("w_out", m.WOut); err != nil {
		return err
	}
	if m.Inh == nil {
		return fmt.Errorf("spiking: model is missing field inh")
	}
	if len(m.Inh) != n {
		return fmt.Errorf("spiking: model field inh has %d values, want N = %d", len(m.Inh), n)
	}
	switch len(m.Taus) {
	case 0:
		return fmt.Errorf("spiking: model is missing field taus")
	case 1:
	case 2:
		if m.TausGaus == nil {
			return fmt.Errorf("spiking: model is missing field taus_gaus (taus is a range)")
		}
		if len(m.TausGaus) != n {
			return fmt.Errorf("spiking: model field taus_gaus has %d values, want N = %d", len(m.TausGaus), n)
		}
		if err := finiteSlice("taus_gaus", m.TausGaus); err != nil {
			return err
		}
	default:
		return fmt.Errorf("spiking: model field taus has %d values, want 1 or 2", len(m.Taus))
	}
	for i, x := range m.Taus {
		if !(x > 0) || math.IsInf(x, 0) {
			return fmt.Errorf("spiking: model field taus[%d] = %v, want finite and > 0", i, x)
		}
	}
	return nil
}

func finiteDense(name string, a *mat.Dense) error {
	raw := a.RawMatrix()
	for i := 0; i < raw.Rows; i++ {
		for j, x := range raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols] {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("spiking: model field %s[%d][%d] = %v, want finite", name, i, j, x)
			}
		}
	}
	return nil
}

func finiteSlice(name string, xs []float64) error {
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("spiking: model field %s[%d] = %v, want finite", name, i, x)
		}
	}
	return nil
}
