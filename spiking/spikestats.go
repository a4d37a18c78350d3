package spiking

import "slices"

// SpikeStats summarises the spikes of a trial like the reference's
// format_spike_data.
type SpikeStats struct {
	// Times holds the time of every spike in seconds (step·DT), grouped
	// by neuron in increasing neuron order and in time order within a
	// neuron, as the reference lists them.
	Times []float64
	// Neurons holds the (0-based) neuron of every entry of Times.
	Neurons []int
	// RateHz holds every neuron's spike count divided by the trial
	// length NT·DT, in Hz.
	RateHz []float64
	// Total is the number of spikes.
	Total int
}

// FormatSpikeData summarises spikes of a trial of n neurons and nt steps
// of dt seconds (the reference's format_spike_data).
func FormatSpikeData(spikes []Spike, n, nt int, dt float64) SpikeStats {
	st := SpikeStats{
		Times:   make([]float64, len(spikes)),
		Neurons: make([]int, len(spikes)),
		RateHz:  make([]float64, n),
		Total:   len(spikes),
	}
	sorted := slices.Clone(spikes)
	slices.SortStableFunc(sorted, func(a, b Spike) int { return int(a.Neuron) - int(b.Neuron) })
	for k, s := range sorted {
		st.Times[k] = float64(s.Step) * dt
		st.Neurons[k] = int(s.Neuron)
		if int(s.Neuron) < n {
			st.RateHz[s.Neuron]++
		}
	}
	if dur := float64(nt) * dt; dur > 0 {
		for i := range st.RateHz {
			st.RateHz[i] /= dur
		}
	}
	return st
}

// SpikeStats returns FormatSpikeData of the trial.
func (r *Result) SpikeStats() SpikeStats {
	return FormatSpikeData(r.Spikes, len(r.Counts), r.Params.NT, r.Params.DT)
}
