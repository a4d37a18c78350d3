package items

import (
	"strconv"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/spiking"
)

// NeuronRecord returns the record of the spiking unit n: times in ms,
// voltages in mV.
func NeuronRecord(n spiking.Neuron) *report.Neuron {
	return &report.Neuron{
		Model: n.Model, TRef: n.TRef * 1000, TM: n.TM * 1000, TR: n.TR * 1000,
		VReset: n.VReset, VPeak: n.VPeak, Bias: n.Bias,
	}
}

// NeuronMetadata adds the record r to the key/value metadata meta of a
// table: neuron.model, neuron.tref, neuron.tm, neuron.tr (ms),
// neuron.vreset, neuron.vpeak and neuron.bias (mV). It returns meta,
// allocated when nil.
func NeuronMetadata(meta map[string]string, r *report.Neuron) map[string]string {
	if meta == nil {
		meta = map[string]string{}
	}
	num := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	meta["neuron.model"] = r.Model
	meta["neuron.tref"] = num(r.TRef)
	meta["neuron.tm"] = num(r.TM)
	meta["neuron.tr"] = num(r.TR)
	meta["neuron.vreset"] = num(r.VReset)
	meta["neuron.vpeak"] = num(r.VPeak)
	meta["neuron.bias"] = num(r.Bias)
	return meta
}

// NeuronVar returns the record r as the MATLAB struct lif_neuron that
// lambda-search writes into model_lambda.mat: fields model (char), tref,
// tm, tr (ms), vreset, vpeak and bias (mV).
func NeuronVar(r *report.Neuron) *matfile.Var {
	return matfile.NewStruct("lif_neuron",
		matfile.NewChar("model", r.Model),
		matfile.NewScalar("tref", r.TRef),
		matfile.NewScalar("tm", r.TM),
		matfile.NewScalar("tr", r.TR),
		matfile.NewScalar("vreset", r.VReset),
		matfile.NewScalar("vpeak", r.VPeak),
		matfile.NewScalar("bias", r.Bias),
	)
}
