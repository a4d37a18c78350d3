// Package spiking converts a trained rate RNN one to one into a network of
// leaky integrate-and-fire (LIF) neurons and evaluates it (SPEC §4–§5), in
// the vocabulary of the reference implementation: Simulate is
// LIF_network_fnc, LambdaGridSearch is lambda_grid_search, Evaluate is
// eval_go_nogo and its siblings, FormatSpikeData is format_spike_data.
//
// # Conversion
//
// NewNetwork maps a rate.Model at scaling factor λ: W = W_eff/λ (relu of w
// when the model has an inhibitory unit, then the sign matrix m and the
// SOM mask), readout w_out/λ, and a synaptic decay td = τ·5 ms per unit. A
// Network is immutable; a Simulator runs its trials, reusing O(N) state.
//
// # One step
//
// With dt = d·0.05 ms (d the downsample factor) and t = dt·(i+1), step i
// does, in the reference's order:
//
//	I      = IPSC + BIAS + ext[:, min(int(i/100 + 0.5), S_d-1)]
//	dv     = (t > tlast + tref)·(I - v)/tm
//	v      = v + dt·dv + randn/10
//	stimulation (optional), then spiked = v ≥ vpeak
//	JD     = Σ_{j spiked} W[:, j];  tlast = t where spiked
//	IPSC   = IPSC·e^(-dt/td) + h·dt;    h  = h·e^(-dt/tr) + JD/(tr·td)
//	r      = r·e^(-dt/td) + hr·dt;      hr = hr·e^(-dt/tr) + spiked/(tr·td)
//	out    = (w_out/λ)·r;  v = 30 where spiked (recorded), then vreset
//
// The decay factors are computed once per network; JD sums only the
// columns of the units that spiked; a step costs O(N) plus O(N) per spike
// and allocates nothing. The results agree with the reference to rounding:
// on the reference's golden trials (noise off) every spike event is the
// same and the output agrees to 1e-15.
//
// # Noise
//
// The voltage noise takes N normal draws per step, 4 million for a 1 s
// trial of 200 units: the largest single cost of a trial. They come in
// one batch per step from rng.Xoshiro4's Normals: four xoshiro256++
// streams stepped together in one AVX2 register, feeding a 1024-layer
// ziggurat four draws at a time (the rng package documents and tests
// it), 1.8–2.5 ns a draw here against 7.1–8.5 ns for math/rand/v2's
// PCG and NormFloat64. Without AVX2 the same numbers come from Go. The
// same generator draws the initial voltages and the stimulation coin
// flips. It is seeded with TrialSettings.Seed, so a trial replays bit for
// bit from its seed, on any machine.
//
// The per-step update of the units (voltage, threshold test, synaptic
// current) runs four units at a time in AVX2 (step_amd64.s), bit for bit
// as the Go loop that is its reference and fallback.
//
// # Results and streaming
//
// Spikes always come out as events (step, neuron). The output trace is
// kept unless DiscardOutput is set; membrane voltages, filtered rates and
// synaptic currents (N×NT each) only when asked for. An Observer receives
// a running trial in 5 ms bins — its spike events, the spike count of
// every neuron in Hz and the output — so that a trial without recordings
// needs O(N) memory beyond its spike events, whatever its length.
//
// # Reproducibility
//
// Trial j of a grid search at factor λ draws its condition, stimulus and
// noise seed from the stream (seed, bits of λ, j), exactly as
// tasks.Stream draws a trial; Evaluate uses (seed, bits of λ, condition,
// j). Results therefore depend on neither the number of workers nor the
// order in which trials finish.
package spiking
