package stages

import (
	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/spiking"
)

// neuronSettings are the spiking unit's settings of lambda-search and
// lif-convert (the `neuron` object): times in ms, voltages in mV. A field
// left out keeps the value of the model's unit (spiking.DefaultNeuron for
// lif, spiking.QIFNeuron for qif).
type neuronSettings struct {
	Model  string   `pipeline:"model"`
	TRef   *float64 `pipeline:"tref"`
	TM     *float64 `pipeline:"tm"`
	VReset *float64 `pipeline:"vreset"`
	VPeak  *float64 `pipeline:"vpeak"`
	Bias   *float64 `pipeline:"bias"`
	TR     *float64 `pipeline:"tr"`
}

// neuronSetting is the `neuron` setting both kinds share. No field has a
// default, so that a stage that leaves it out keeps its cache key.
func neuronSetting() pipeline.Setting {
	return pipeline.Setting{
		Name: "neuron", Type: pipeline.Object,
		Doc: "the spiking unit (SPEC §4; default: the reference's LIF unit); a field left out keeps the model's value",
		Fields: []pipeline.Setting{
			{Name: "model", Type: pipeline.String, OneOf: []any{spiking.ModelLIF, spiking.ModelQIF},
				Doc: "lif (dv = (I - v)/tm) or qif (dv = (v² + I)/tm, the MATLAB original's commented unit: vpeak 30, bias 0); default lif"},
			{Name: "tref", Type: pipeline.Float, Range: pipeline.AtLeast(0), Doc: "refractory period in ms (default 2; 0: none)"},
			{Name: "tm", Type: pipeline.Float, Range: pipeline.Above(0), Doc: "membrane time constant in ms (default 10)"},
			{Name: "vreset", Type: pipeline.Float, Doc: "reset voltage in mV (default -65); below vpeak"},
			{Name: "vpeak", Type: pipeline.Float, Doc: "spike threshold in mV (default -40 for lif, 30 for qif)"},
			{Name: "bias", Type: pipeline.Float, Doc: "bias current in mV (default -40 for lif, 0 for qif)"},
			{Name: "tr", Type: pipeline.Float, Range: pipeline.AtLeast(0), Doc: "synaptic rise time in ms (default 2; 0: the single-exponential filter)"},
		},
		Example: map[string]any{"model": "lif", "tref": 0},
	}
}

// neuron returns the unit the settings ask for, nil (the default unit)
// when n is nil, or an error naming the value out of range.
func (n *neuronSettings) neuron() (*spiking.Neuron, error) {
	if n == nil {
		return nil, nil
	}
	nr := spiking.DefaultNeuron()
	if n.Model == spiking.ModelQIF {
		nr = spiking.QIFNeuron()
	}
	ms := func(dst *float64, x *float64) {
		if x != nil {
			*dst = *x / 1000
		}
	}
	mv := func(dst *float64, x *float64) {
		if x != nil {
			*dst = *x
		}
	}
	ms(&nr.TRef, n.TRef)
	ms(&nr.TM, n.TM)
	ms(&nr.TR, n.TR)
	mv(&nr.VReset, n.VReset)
	mv(&nr.VPeak, n.VPeak)
	mv(&nr.Bias, n.Bias)
	if err := nr.Check(); err != nil {
		return nil, err
	}
	return &nr, nil
}

// neuronRecord returns the record of the unit nr (nil: the default).
func neuronRecord(nr *spiking.Neuron) *report.Neuron {
	if nr == nil {
		return items.NeuronRecord(spiking.DefaultNeuron())
	}
	return items.NeuronRecord(*nr)
}
