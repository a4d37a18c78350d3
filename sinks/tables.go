package sinks

// The schemas of the output tables. Column names and types are a contract
// with the users' notebooks: change them only with a new table name.
var (
	spikesSchema = mustSchema(
		Column{"trial", Int32}, Column{"neuron", Int32}, Column{"step", Int32}, Column{"t", Float32},
	)
	ratesSchema = mustSchema(
		Column{"trial", Int32}, Column{"neuron", Int32}, Column{"bin", Int32}, Column{"t", Float32},
		Column{"rate_hz", Float32},
	)
	outputsSchema = mustSchema(
		Column{"trial", Int32}, Column{"step", Int32}, Column{"t", Float32}, Column{"out", Float32},
	)
	trialsSchema = mustSchema(
		Column{"trial", Int32}, Column{"task", String}, Column{"label", String}, Column{"lambda", Float64},
		Column{"correct", Bool}, Column{"n_spikes", Int64}, Column{"seed", Int64},
	)
	neuronsSchema = mustSchema(
		Column{"neuron", Int32}, Column{"type", String}, Column{"td_ms", Float64},
	)
	lambdaSchema = mustSchema(
		Column{"factor", Float64}, Column{"trial", Int32}, Column{"label", String}, Column{"correct", Bool},
		Column{"peak", Float64}, Column{"accuracy", Float64}, Column{"accuracy_lo", Float64}, Column{"accuracy_hi", Float64},
	)
)

// SpikeRows is a batch of the spikes table, one row per spike of the LIF
// network: trial int32, neuron int32, step int32, t float32.
type SpikeRows struct {
	Meta             // metadata for the file, from the first batch (see Annotated)
	Trial  []int32   // trial index
	Neuron []int32   // index of the neuron that spiked, 0 … N-1
	Step   []int32   // LIF time step of the spike, 0 … nt-1
	T      []float32 // time of the spike in seconds (step × dt)
}

// Append adds one spike.
func (r *SpikeRows) Append(trial, neuron, step int32, t float32) {
	r.Trial = append(r.Trial, trial)
	r.Neuron = append(r.Neuron, neuron)
	r.Step = append(r.Step, step)
	r.T = append(r.T, t)
}

// Name returns "spikes".
func (r *SpikeRows) Name() string { return "spikes" }

// Schema returns the schema of the spikes table.
func (r *SpikeRows) Schema() *Schema { return spikesSchema }

// Len returns the number of rows.
func (r *SpikeRows) Len() int { return len(r.Trial) }

// Reset empties the batch and keeps its capacity.
func (r *SpikeRows) Reset() {
	r.Trial, r.Neuron, r.Step, r.T = r.Trial[:0], r.Neuron[:0], r.Step[:0], r.T[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *SpikeRows) Columns(dst []any) []any { return append(dst, r.Trial, r.Neuron, r.Step, r.T) }

// RateRows is a batch of the rates table, the LIF firing rates binned at
// 5 ms (one rate-model step): trial int32, neuron int32, bin int32,
// t float32, rate_hz float32.
type RateRows struct {
	Meta             // metadata for the file, from the first batch (see Annotated)
	Trial  []int32   // trial index
	Neuron []int32   // neuron index, 0 … N-1
	Bin    []int32   // 5 ms bin index, 0 … T-1
	T      []float32 // start of the bin in seconds (bin × 0.005)
	RateHz []float32 // spikes in the bin / bin width, in Hz
}

// Append adds the rate of one neuron in one bin.
func (r *RateRows) Append(trial, neuron, bin int32, t, rateHz float32) {
	r.Trial = append(r.Trial, trial)
	r.Neuron = append(r.Neuron, neuron)
	r.Bin = append(r.Bin, bin)
	r.T = append(r.T, t)
	r.RateHz = append(r.RateHz, rateHz)
}

// Name returns "rates".
func (r *RateRows) Name() string { return "rates" }

// Schema returns the schema of the rates table.
func (r *RateRows) Schema() *Schema { return ratesSchema }

// Len returns the number of rows.
func (r *RateRows) Len() int { return len(r.Trial) }

// Reset empties the batch and keeps its capacity.
func (r *RateRows) Reset() {
	r.Trial, r.Neuron, r.Bin, r.T, r.RateHz = r.Trial[:0], r.Neuron[:0], r.Bin[:0], r.T[:0], r.RateHz[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *RateRows) Columns(dst []any) []any {
	return append(dst, r.Trial, r.Neuron, r.Bin, r.T, r.RateHz)
}

// OutputRows is a batch of the outputs table, the LIF network's readout at
// every time step: trial int32, step int32, t float32, out float32.
//
// out is float32: its seven significant digits are far finer than the
// 0.7/0.3 scoring thresholds and than any plot, and it halves the file
// against float64. Scoring is done in Go on the float64 values before they
// are written, so nothing downstream depends on the lost digits.
type OutputRows struct {
	Meta            // metadata for the file, from the first batch (see Annotated)
	Trial []int32   // trial index
	Step  []int32   // LIF time step, 0 … nt-1
	T     []float32 // time in seconds (step × dt)
	Out   []float32 // network output (w_out/λ) · r at this step
}

// Append adds the output of one trial at one step.
func (r *OutputRows) Append(trial, step int32, t, out float32) {
	r.Trial = append(r.Trial, trial)
	r.Step = append(r.Step, step)
	r.T = append(r.T, t)
	r.Out = append(r.Out, out)
}

// Name returns "outputs".
func (r *OutputRows) Name() string { return "outputs" }

// Schema returns the schema of the outputs table.
func (r *OutputRows) Schema() *Schema { return outputsSchema }

// Len returns the number of rows.
func (r *OutputRows) Len() int { return len(r.Trial) }

// Reset empties the batch and keeps its capacity.
func (r *OutputRows) Reset() {
	r.Trial, r.Step, r.T, r.Out = r.Trial[:0], r.Step[:0], r.T[:0], r.Out[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *OutputRows) Columns(dst []any) []any { return append(dst, r.Trial, r.Step, r.T, r.Out) }

// TrialRows is a batch of the trials table, one row per LIF trial:
// trial int32, task string, label string, lambda float64, correct bool,
// n_spikes int64, seed int64.
type TrialRows struct {
	Meta              // metadata for the file, from the first batch (see Annotated)
	Trial   []int32   // trial index
	Task    []string  // task name, e.g. "go-nogo"
	Label   []string  // trial condition, e.g. "go" or "nogo"
	Lambda  []float64 // scaling factor λ the trial ran with
	Correct []bool    // whether the spiking network's output scored correct
	NSpikes []int64   // number of spikes in the trial, all neurons
	Seed    []int64   // seed of the trial's random numbers
}

// Append adds one trial.
func (r *TrialRows) Append(trial int32, task, label string, lambda float64, correct bool, nSpikes, seed int64) {
	r.Trial = append(r.Trial, trial)
	r.Task = append(r.Task, task)
	r.Label = append(r.Label, label)
	r.Lambda = append(r.Lambda, lambda)
	r.Correct = append(r.Correct, correct)
	r.NSpikes = append(r.NSpikes, nSpikes)
	r.Seed = append(r.Seed, seed)
}

// Name returns "trials".
func (r *TrialRows) Name() string { return "trials" }

// Schema returns the schema of the trials table.
func (r *TrialRows) Schema() *Schema { return trialsSchema }

// Len returns the number of rows.
func (r *TrialRows) Len() int { return len(r.Trial) }

// Reset empties the batch and keeps its capacity.
func (r *TrialRows) Reset() {
	clear(r.Task)
	clear(r.Label)
	r.Trial, r.Task, r.Label, r.Lambda = r.Trial[:0], r.Task[:0], r.Label[:0], r.Lambda[:0]
	r.Correct, r.NSpikes, r.Seed = r.Correct[:0], r.NSpikes[:0], r.Seed[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *TrialRows) Columns(dst []any) []any {
	return append(dst, r.Trial, r.Task, r.Label, r.Lambda, r.Correct, r.NSpikes, r.Seed)
}

// NeuronRows is a batch of the neurons table, one row per neuron of the
// network: neuron int32, type string ("E" or "I"), td_ms float64.
type NeuronRows struct {
	Meta             // metadata for the file, from the first batch (see Annotated)
	Neuron []int32   // neuron index, 0 … N-1
	Type   []string  // "E" (excitatory) or "I" (inhibitory)
	TdMS   []float64 // synaptic decay time constant in ms
}

// Append adds one neuron.
func (r *NeuronRows) Append(neuron int32, typ string, tdMS float64) {
	r.Neuron = append(r.Neuron, neuron)
	r.Type = append(r.Type, typ)
	r.TdMS = append(r.TdMS, tdMS)
}

// Name returns "neurons".
func (r *NeuronRows) Name() string { return "neurons" }

// Schema returns the schema of the neurons table.
func (r *NeuronRows) Schema() *Schema { return neuronsSchema }

// Len returns the number of rows.
func (r *NeuronRows) Len() int { return len(r.Neuron) }

// Reset empties the batch and keeps its capacity.
func (r *NeuronRows) Reset() {
	clear(r.Type)
	r.Neuron, r.Type, r.TdMS = r.Neuron[:0], r.Type[:0], r.TdMS[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *NeuronRows) Columns(dst []any) []any { return append(dst, r.Neuron, r.Type, r.TdMS) }

// LambdaRows is a batch of the lambda table, one row per trial of the λ
// grid search: factor float64, trial int32, label string, correct bool,
// peak float64.
type LambdaRows struct {
	Factor  []float64 // scaling factor λ
	Trial   []int32   // trial index within the factor's trials
	Label   []string  // trial condition, e.g. "go" or "nogo"
	Correct []bool    // whether the trial scored correct at this factor
	Peak    []float64 // the output extreme the trial was scored on (max, or min for negative targets)
	// The factor's accuracy over its trials and its 95 % Wilson
	// interval, the same on every row of the factor.
	Accuracy   []float64
	AccuracyLo []float64
	AccuracyHi []float64
}

// Append adds one trial of the search at a factor of accuracy acc and
// 95 % interval [lo, hi].
func (r *LambdaRows) Append(factor float64, trial int32, label string, correct bool, peak, acc, lo, hi float64) {
	r.Factor = append(r.Factor, factor)
	r.Trial = append(r.Trial, trial)
	r.Label = append(r.Label, label)
	r.Correct = append(r.Correct, correct)
	r.Peak = append(r.Peak, peak)
	r.Accuracy = append(r.Accuracy, acc)
	r.AccuracyLo = append(r.AccuracyLo, lo)
	r.AccuracyHi = append(r.AccuracyHi, hi)
}

// Name returns "lambda".
func (r *LambdaRows) Name() string { return "lambda" }

// Schema returns the schema of the lambda table.
func (r *LambdaRows) Schema() *Schema { return lambdaSchema }

// Len returns the number of rows.
func (r *LambdaRows) Len() int { return len(r.Factor) }

// Reset empties the batch and keeps its capacity.
func (r *LambdaRows) Reset() {
	clear(r.Label)
	r.Factor, r.Trial, r.Label, r.Correct, r.Peak = r.Factor[:0], r.Trial[:0], r.Label[:0], r.Correct[:0], r.Peak[:0]
	r.Accuracy, r.AccuracyLo, r.AccuracyHi = r.Accuracy[:0], r.AccuracyLo[:0], r.AccuracyHi[:0]
}

// Columns appends r's column slices to dst; see Table.
func (r *LambdaRows) Columns(dst []any) []any {
	return append(dst, r.Factor, r.Trial, r.Label, r.Correct, r.Peak, r.Accuracy, r.AccuracyLo, r.AccuracyHi)
}

// Compile-time checks that every table implements Table.
var (
	_ Table = (*SpikeRows)(nil)
	_ Table = (*RateRows)(nil)
	_ Table = (*OutputRows)(nil)
	_ Table = (*TrialRows)(nil)
	_ Table = (*NeuronRows)(nil)
	_ Table = (*LambdaRows)(nil)
)
