package spiking

import (
	"fmt"
	"math"
)

// Neuron models of the spiking units.
const (
	// ModelLIF is the leaky integrate-and-fire unit of the reference,
	// dv = (I - v)/tm.
	ModelLIF = "lif"
	// ModelQIF is the quadratic integrate-and-fire unit that the MATLAB
	// original carries commented out (and the PNAS paper's SI, Fig. S7,
	// uses): dv = (v² + I)/tm, threshold 30 mV, bias 0.
	ModelQIF = "qif"
)

// Neuron holds the constants of the spiking units and their synapses. A
// nil *Neuron in Settings means DefaultNeuron(), the reference's values;
// a non-nil one is taken as it is, every field given (start from
// DefaultNeuron or QIFNeuron and change what differs).
type Neuron struct {
	// Model is ModelLIF (default) or ModelQIF.
	Model string
	// TRef is the refractory period in seconds (default 0.002, TRef).
	// 0 turns it off.
	TRef float64
	// TM is the membrane time constant in seconds (default 0.010, TM).
	TM float64
	// VReset is the reset voltage in mV (default -65, VReset).
	VReset float64
	// VPeak is the spike threshold in mV (default -40 for LIF, VPeak; 30
	// for QIF).
	VPeak float64
	// Bias is the constant bias current in mV (default VPeak = -40 for
	// LIF, so that the resting voltage sits at the rheobase; 0 for QIF).
	Bias float64
	// TR is the synaptic rise time in seconds (default 0.002, TRise). 0
	// selects the single-exponential filter of both references:
	// IPSC = IPSC·e^(-dt/td) + JD/td and r = r·e^(-dt/td) + spiked/td;
	// a positive TR the double-exponential filter of SPEC §4.
	TR float64
}

// DefaultNeuron returns the reference's LIF unit: tref 2 ms, tm 10 ms,
// vreset -65 mV, vpeak -40 mV, bias = vpeak, tr 2 ms (SPEC §4).
func DefaultNeuron() Neuron {
	return Neuron{Model: ModelLIF, TRef: TRef, TM: TM, VReset: VReset, VPeak: VPeak, Bias: Bias, TR: TRise}
}

// QIFNeuron returns the quadratic integrate-and-fire unit of the MATLAB
// original's commented code: the LIF constants but vpeak 30 mV and bias 0.
func QIFNeuron() Neuron {
	n := DefaultNeuron()
	n.Model = ModelQIF
	n.VPeak = 30
	n.Bias = 0
	return n
}

// Check returns an error naming the first field of n out of range.
func (n *Neuron) Check() error {
	finite := func(name string, x float64) error {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("spiking: neuron %s = %v, want finite", name, x)
		}
		return nil
	}
	switch n.Model {
	case ModelLIF, ModelQIF:
	default:
		return fmt.Errorf("spiking: neuron model %q, want %q or %q", n.Model, ModelLIF, ModelQIF)
	}
	for _, f := range []struct {
		name string
		x    float64
	}{{"tref", n.TRef}, {"tm", n.TM}, {"vreset", n.VReset}, {"vpeak", n.VPeak}, {"bias", n.Bias}, {"tr", n.TR}} {
		if err := finite(f.name, f.x); err != nil {
			return err
		}
	}
	if n.TRef < 0 {
		return fmt.Errorf("spiking: neuron tref = %v s, want ≥ 0", n.TRef)
	}
	if !(n.TM > 0) {
		return fmt.Errorf("spiking: neuron tm = %v s, want > 0", n.TM)
	}
	if n.TR < 0 {
		return fmt.Errorf("spiking: neuron tr = %v s, want ≥ 0 (0: single-exponential filter)", n.TR)
	}
	if !(n.VReset < n.VPeak) {
		return fmt.Errorf("spiking: neuron vreset = %v mV, want below vpeak = %v mV", n.VReset, n.VPeak)
	}
	return nil
}
