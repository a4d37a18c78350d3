package stages

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/sync/errgroup"
	"gonum.org/v1/gonum/mat"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/sinks"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

var (
	convertModel   = pipeline.ValueInput[*rate.Model]("model", "the rate model to convert")
	convertLambda  = pipeline.ValueInput[float64]("lambda", "the scaling factor λ (a lambda-search's best), unless the lambda setting gives it").Optional()
	convertTask    = pipeline.ValueInput[items.TaskSpec]("task", "the task whose trials are simulated, or whose rule scores the stimuli").Optional()
	convertStimuli = pipeline.ValueInput[*items.Stimuli]("stimuli", "stimuli to simulate instead of the task's trials (stimulus-file)").Optional()
	convertSpikes  = pipeline.StreamOutput[*sinks.SpikeRows]("spikes", "spike events (trial, neuron, step, t), one batch per trial")
	convertRates   = pipeline.StreamOutput[*sinks.RateRows]("rates", "firing rates of every neuron in 5 ms bins (trial, neuron, bin, t, rate_hz), one batch per trial")
	convertOutputs = pipeline.StreamOutput[*sinks.OutputRows]("outputs", "network output every output_every steps (trial, step, t, out), one batch per trial")
	convertTrials  = pipeline.StreamOutput[*items.ConvertedTrial]("trials", "per-trial results for evaluate, in trial order")
	convertNeurons = pipeline.StreamOutput[*sinks.NeuronRows]("neurons", "the network's neurons (neuron, type E|I, td_ms), one batch")
)

// DefaultOutputEvery is the default sampling of the output trace in LIF
// steps: 20 steps, 1 ms at dt = 0.05 ms, 1,000 values for a 1 s trial
// instead of 20,000.
const DefaultOutputEvery = 20

type convertSettings struct {
	Trials      int   `pipeline:"trials"`
	Seed        int64 `pipeline:"seed"`
	Downsample  int   `pipeline:"downsample"`
	Workers     int   `pipeline:"workers"`
	OutputEvery int   `pipeline:"output_every"`

	Lambda any             `pipeline:"lambda"`
	Neuron *neuronSettings `pipeline:"neuron"`

	MemoryLimitGB float64 `pipeline:"memory_limit_gb"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "lif-convert",
		Group:   pipeline.StageGroup,
		Summary: "converts a rate model to LIF at λ and simulates trials, streaming spikes, rates and outputs",
		Description: "Maps the model one to one onto LIF neurons at scaling factor λ (SPEC §4) and\n" +
			"simulates `trials` spiking-side trials of the task, trial i being trial i of\n" +
			"tasks.NewStream(task, seed) (its condition, stimulus and noise seed), on `workers`\n" +
			"goroutines. Results are emitted in trial order whatever the workers, one batch\n" +
			"per trial on each stream, so that memory stays flat in the number of trials:\n" +
			"spikes (every event), rates (every neuron's spike count per 5 ms bin in Hz,\n" +
			"one rate-network step, dense: zero bins included), outputs (the readout every\n" +
			"output_every steps: steps k-1, 2k-1, …; the scoring uses every step) and trials\n" +
			"(condition, correctness, spike counts, sampled output; the first trial of\n" +
			"every condition also carries its spikes and stimulus for the plots). neurons\n" +
			"lists the network's units once. With `stimuli` connected (stimulus-file),\n" +
			"trial i simulates stimulus i mod K of the K stimuli, with the noise seed of\n" +
			"trial i of the task stream, and is scored by the task's rule only when a task\n" +
			"is connected and the stimulus has a label (unscored trials: correct false;\n" +
			"evaluate refuses them). One of task and stimuli must be connected. λ comes\n" +
			"from the lambda input or the lambda setting (a number, or from-file: the\n" +
			"model file's opt_scaling_factor, as the reference converts a searched model\n" +
			"later; no search stage needed). The\n" +
			"spiking unit is `neuron` (the reference's LIF unit by default); its values go\n" +
			"into the metadata of the streamed tables (neuron.*) and the trials.\n" +
			"Headlines: trials, n_spikes, accuracy (of the scored trials).",
		Inputs:  []pipeline.Port{convertModel, convertLambda, convertTask, convertStimuli},
		Outputs: []pipeline.Port{convertSpikes, convertRates, convertOutputs, convertTrials, convertNeurons},
		Settings: []pipeline.Setting{
			{Name: "trials", Type: pipeline.Int, Default: 100, Range: pipeline.AtLeast(1), Doc: "number of trials"},
			{Name: "seed", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(0), Doc: "run seed: trial i is drawn from the random stream (seed, i)"},
			{Name: "downsample", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(1), Doc: "LIF downsampling factor d (dt = d × 0.05 ms)"},
			{Name: "workers", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "trials simulated in parallel (0: one per core); results do not depend on it"},
			{Name: "output_every", Type: pipeline.Int, Default: DefaultOutputEvery, Range: pipeline.AtLeast(1),
				Doc: "sample the output every this many LIF steps (20: 1 ms at d = 1; 1: every step)"},
			{Name: "lambda", Type: pipeline.Float, Range: pipeline.Above(0), Words: []string{lambdaFromFile},
				Doc: "the scaling factor λ, instead of the lambda input: a number, or from-file for the model file's opt_scaling_factor (the model from load-mat)"},
			neuronSetting(),
			pipeline.MemoryLimitSetting(),
		},
		Examples: []pipeline.Example{{Title: "convert at the best λ and write the spikes", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}}
      convert:
        kind: lif-convert
        in: {model: model.model, lambda: lambda.best, task: task.task}
        with: {trials: 100, seed: 1, output_every: 20}
      spikes:  {kind: parquet, in: {rows: convert.spikes}, with: {path: spikes.parquet}}
`}, {Title: "convert a searched model file at its own λ (opt_scaling_factor), without a search", YAML: `
version: 1
pipelines:
  p:
    params: {model: testdata/models/gonogo_ref1.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      search:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [25, 30], trials: 10, model_file: searched.mat}}
  later:
    params: {model: searched.mat}
    stages:
      model:   {kind: load-mat, with: {path: ${model}}}
      task:    {kind: task, with: {task: go-nogo}}
      convert: {kind: lif-convert, in: {model: model.model, task: task.task}, with: {lambda: from-file, trials: 10}}
`}},
	}, newLIFConvert)
}

func newLIFConvert(s convertSettings) (pipeline.Stage, error) {
	nr, err := s.Neuron.neuron()
	if err != nil {
		return nil, fmt.Errorf("neuron: %w", err)
	}
	return &lifConvert{s: s, neuron: nr}, nil
}

// lambdaFromFile is the lambda setting that takes the model file's
// opt_scaling_factor.
const lambdaFromFile = "from-file"

// lambda returns the scaling factor: the lambda setting's, the model
// file's, or the lambda input's.
func (c *lifConvert) lambda(ctx context.Context, job *pipeline.Job, m *rate.Model) (float64, error) {
	switch l := c.s.Lambda.(type) {
	case float64:
		return l, nil
	case string: // lambdaFromFile
		if !(m.OptScalingFactor > 0) {
			return 0, fmt.Errorf("lambda: from-file: the model has no opt_scaling_factor (%s)", noFactorHint)
		}
		return m.OptScalingFactor, nil
	}
	l, err := convertLambda.Receive(ctx, job)
	if errors.Is(err, pipeline.ErrNotConnected) {
		return 0, errors.New("no λ: connect the lambda input or give the lambda setting")
	}
	return l, err
}

// noFactorHint says how to get a model file with an opt_scaling_factor.
const noFactorHint = "a file written by a λ search has one: lambda-search's model_lambda.mat, or the reference's lambda_grid_search; or give lambda a number"

type lifConvert struct {
	s      convertSettings
	neuron *spiking.Neuron // nil: the default unit
}

// convertSlot is one trial on its way through the workers, in the order
// the trials are emitted.
type convertSlot struct {
	i    int
	keep bool // first trial of its condition: keep spikes and stimulus
	done chan struct{}
	res  *convertedBatches
	err  error
}

// convertedBatches is what one trial sends on the stage's streams.
type convertedBatches struct {
	spikes  *sinks.SpikeRows
	rates   *sinks.RateRows
	outputs *sinks.OutputRows
	trial   *items.ConvertedTrial
}

func (c *lifConvert) Run(ctx context.Context, job *pipeline.Job) error {
	m, err := convertModel.Receive(ctx, job)
	if err != nil {
		return err
	}
	lambda, err := c.lambda(ctx, job, m)
	if err != nil {
		return err
	}
	src, err := receiveTrials(ctx, job, uint64(c.s.Seed))
	if err != nil {
		return err
	}
	net, err := spiking.NewNetwork(m, lambda, &spiking.Settings{Downsample: c.s.Downsample, Neuron: c.neuron})
	if err != nil {
		return err
	}
	if n, what := src.inputs(); net.NumInputs() != n {
		return fmt.Errorf("the model has %d inputs, %s %d", net.NumInputs(), what, n)
	}

	rec := neuronRecord(c.neuron)
	meta := items.NeuronMetadata(nil, rec)
	neurons := &sinks.NeuronRows{Meta: meta}
	for i := range net.N {
		typ := "E"
		if net.Inh[i] {
			typ = "I"
		}
		neurons.Append(int32(i), typ, net.TD[i]*1000)
	}
	if err := convertNeurons.Writer(job).Send(ctx, neurons); err != nil {
		return err
	}

	workers := c.s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, c.s.Trials)
	pr := job.Progress()
	pr.Total(int64(c.s.Trials), "trials")

	g, gctx := errgroup.WithContext(ctx)
	jobs := make(chan *convertSlot)
	order := make(chan *convertSlot, 2*workers)
	g.Go(func() error { // feeder: trials in order, the first of each condition marked
		defer close(jobs)
		defer close(order)
		draw := src.drawer()
		seen := map[int]bool{}
		for i := range c.s.Trials {
			g := src.group(draw(i))
			s := &convertSlot{i: i, keep: !seen[g], done: make(chan struct{})}
			seen[g] = true
			select {
			case order <- s:
			case <-gctx.Done():
				return gctx.Err()
			}
			select {
			case jobs <- s:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	lim := job.Limiter()
	// actx ends the other workers' waits for a slot once worker 0 has
	// seen the last trial: with every slot held elsewhere, worker 0 alone
	// runs them all.
	actx, drained := context.WithCancel(gctx)
	defer drained()
	for k := range workers {
		w := newConvertWorker(net, src, uint64(c.s.Seed), lambda, c.s.OutputEvery)
		w.neuron, w.meta = rec, meta
		g.Go(func() error {
			if k == 0 {
				// Worker 0 runs on the run's own core slot.
				defer drained()
				for s := range jobs {
					if err := w.run1(s); err != nil {
						return err
					}
				}
				return nil
			}
			// The others take a slot from the budget before they take a
			// trial, so that no trial waits on a slot (the emitter sends
			// them in order: one held back would stall the rest).
			for {
				if err := lim.Acquire(actx); err != nil {
					return gctx.Err()
				}
				s, ok := <-jobs
				if !ok {
					lim.Release()
					return nil
				}
				err := w.run1(s)
				lim.Release()
				if err != nil {
					return err
				}
			}
		})
	}
	var nSpikes int64
	correct, scored := 0, 0
	g.Go(func() error { // emitter: results in trial order
		spikes, rates := convertSpikes.Writer(job), convertRates.Writer(job)
		outputs, trials := convertOutputs.Writer(job), convertTrials.Writer(job)
		for s := range order {
			select {
			case <-s.done:
			case <-gctx.Done():
				return gctx.Err()
			}
			if s.err != nil {
				return s.err
			}
			r := s.res
			s.res = nil
			if err := spikes.Send(gctx, r.spikes); err != nil {
				return err
			}
			if err := rates.Send(gctx, r.rates); err != nil {
				return err
			}
			if err := outputs.Send(gctx, r.outputs); err != nil {
				return err
			}
			if err := trials.Send(gctx, r.trial); err != nil {
				return err
			}
			nSpikes += int64(r.trial.NSpikes)
			if r.trial.Correct {
				correct++
			}
			if r.trial.Scored {
				scored++
			}
			pr.Add(1)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	job.Headline("trials", c.s.Trials)
	job.Headline("n_spikes", nSpikes)
	if scored > 0 {
		job.Headline("accuracy", float64(correct)/float64(scored))
	}
	return nil
}

// convertWorker simulates trials on its own Simulator and buffers.
type convertWorker struct {
	sim     *spiking.Simulator
	src     trialSource
	draw    func(int) *tasks.Trial
	seed    uint64
	lambda  float64
	every   int
	neuron  *report.Neuron    // the record of the unit, on every trial
	meta    map[string]string // the tables' metadata, on every batch
	tr      *tasks.Trial
	res     spiking.Result
	rates   *sinks.RateRows
	trial   int32
	lastLen int // rows of the previous trial's rates batch
}

func newConvertWorker(net *spiking.Network, src trialSource, seed uint64, lambda float64, every int) *convertWorker {
	return &convertWorker{
		sim: spiking.NewSimulator(net), src: src, draw: src.drawer(), seed: seed,
		lambda: lambda, every: every,
	}
}

// ObserveBin appends the bin's firing rates to the trial's rates batch.
func (w *convertWorker) ObserveBin(b *spiking.Bin) error {
	t := float32(b.Start)
	for n, hz := range b.RateHz {
		w.rates.Append(w.trial, int32(n), int32(b.Index), t, float32(hz))
	}
	return nil
}

// run1 runs the trial of s and marks it done.
func (w *convertWorker) run1(s *convertSlot) error {
	s.res, s.err = w.run(s.i, s.keep)
	close(s.done)
	return s.err
}

// run simulates trial i and builds its batches.
func (w *convertWorker) run(i int, keep bool) (*convertedBatches, error) {
	w.tr = w.draw(i)
	w.trial = int32(i)
	w.rates = &sinks.RateRows{Meta: w.meta}
	if w.lastLen > 0 {
		w.rates.Trial = make([]int32, 0, w.lastLen)
		w.rates.Neuron = make([]int32, 0, w.lastLen)
		w.rates.Bin = make([]int32, 0, w.lastLen)
		w.rates.T = make([]float32, 0, w.lastLen)
		w.rates.RateHz = make([]float32, 0, w.lastLen)
	}
	if err := w.sim.Run(&w.res, w.tr.U, &spiking.TrialSettings{Seed: w.tr.Seed, Observer: w}); err != nil {
		return nil, fmt.Errorf("trial %d: %w", i, err)
	}
	w.lastLen = w.rates.Len()
	res := &w.res
	dt, nt := res.Params.DT, res.Params.NT

	spikes := &sinks.SpikeRows{
		Meta:  w.meta,
		Trial: make([]int32, 0, len(res.Spikes)), Neuron: make([]int32, 0, len(res.Spikes)),
		Step: make([]int32, 0, len(res.Spikes)), T: make([]float32, 0, len(res.Spikes)),
	}
	for _, s := range res.Spikes {
		spikes.Append(w.trial, s.Neuron, s.Step, float32(float64(s.Step)*dt))
	}
	n := nt / w.every
	outputs := &sinks.OutputRows{
		Meta:  w.meta,
		Trial: make([]int32, 0, n), Step: make([]int32, 0, n), T: make([]float32, 0, n), Out: make([]float32, 0, n),
	}
	out := make([]float64, 0, n)
	for step := w.every - 1; step < nt; step += w.every {
		outputs.Append(w.trial, int32(step), float32(float64(step)*dt), float32(res.Out[step]))
		out = append(out, res.Out[step])
	}
	counts := make([]int32, len(res.Counts))
	for k, c := range res.Counts {
		counts[k] = int32(c)
	}
	ct := &items.ConvertedTrial{
		Trial: i, Label: w.tr.Label, LabelName: w.src.name(w.tr),
		Seed: w.tr.Seed, StreamSeed: w.seed, Lambda: w.lambda, DT: dt, NT: nt, Neuron: w.neuron,
		NSpikes: len(res.Spikes), Counts: counts, Out: out, OutEvery: w.every,
	}
	ct.Correct, ct.Scored = w.src.score(res.Out, dt, w.tr)
	if keep {
		ct.Spikes = append([]spiking.Spike(nil), res.Spikes...)
		ct.Stimulus = rows(w.tr.U)
	}
	return &convertedBatches{spikes: spikes, rates: w.rates, outputs: outputs, trial: ct}, nil
}

// rows copies a matrix into a slice of rows.
func rows(u *mat.Dense) [][]float64 {
	r, _ := u.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = mat.Row(nil, i, u)
	}
	return out
}
