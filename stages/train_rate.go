package stages

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
)

var (
	trainTrials   = pipeline.StreamInput[*tasks.Trial]("trials", "rate-side trials of the task, drawn in order for training and evaluation")
	trainTask     = pipeline.ValueInput[items.TaskSpec]("task", "the task trained")
	trainModel    = pipeline.ValueOutput[*rate.Model]("model", "the trained rate model (cached as a model file)")
	trainTraining = pipeline.ValueOutput[*items.TrainingRecord]("training", "losses and evaluation history, for plots and the summary")
)

type trainSettings struct {
	N          int       `pipeline:"N"`
	PInh       float64   `pipeline:"P_inh"`
	PRec       float64   `pipeline:"P_rec"`
	Gain       float64   `pipeline:"gain"`
	SomN       int       `pipeline:"som_N"`
	ApplyDale  bool      `pipeline:"apply_dale"`
	WDist      string    `pipeline:"w_dist"`
	Activation string    `pipeline:"activation"`
	Loss       string    `pipeline:"loss"`
	Taus       []float64 `pipeline:"taus"`
	LR         float64   `pipeline:"lr"`
	MaxTrials  int       `pipeline:"max_trials"`
	EvalEvery  int       `pipeline:"eval_every"`
	EvalTrials int       `pipeline:"eval_trials"`
	Noise      bool      `pipeline:"noise"`
	Seed       int64     `pipeline:"seed"`

	MemoryLimitGB float64 `pipeline:"memory_limit_gb"`
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name:    "train-rate",
		Group:   pipeline.StageGroup,
		Summary: "initialises a rate RNN and trains it with BPTT and Adam until the stop rule (SPEC §1–§2)",
		Description: "Initialises a network from the settings (random draws from the stream of seed)\n" +
			"and trains it on the task, one Adam step per trial read from `trials`, evaluating\n" +
			"eval_trials trials (read from the same stream) after trial 1 and every eval_every\n" +
			"trials; it stops when the mean evaluation loss is below 7 and the accuracy above\n" +
			"0.95 (go-nogo: also after trial 1500), or after max_trials. A run that ends without\n" +
			"meeting the rule is reported as not converged (headline converged=0), not as an\n" +
			"error. Headlines: trials_trained, converged, rate_accuracy, rate_loss.",
		Inputs:  []pipeline.Port{trainTrials, trainTask},
		Outputs: []pipeline.Port{trainModel, trainTraining},
		Settings: []pipeline.Setting{
			{Name: "N", Type: pipeline.Int, Default: 200, Range: pipeline.AtLeast(1), Doc: "number of units"},
			{Name: "P_inh", Type: pipeline.Float, Default: 0.2, Range: pipeline.Between(0, 1), Doc: "probability that a unit is inhibitory"},
			{Name: "P_rec", Type: pipeline.Float, Default: 0.2, Range: pipeline.Between(0, 1), Doc: "connection probability of the recurrent weights"},
			{Name: "gain", Type: pipeline.Float, Default: 1.5, Doc: "gain of the Gaussian initial weights"},
			{Name: "som_N", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(0), Doc: "number of SOM-type inhibitory units"},
			{Name: "apply_dale", Type: pipeline.Bool, Default: true, Doc: "apply Dale's principle (relu(w), fixed signs per unit)"},
			{Name: "w_dist", Type: pipeline.String, Default: "gaus", OneOf: []any{"gaus", "gamma"}, Doc: "distribution of the initial recurrent weights"},
			{Name: "activation", Type: pipeline.String, Default: "sigmoid", OneOf: []any{"sigmoid", "clipped_relu", "softplus"}, Doc: "rate nonlinearity"},
			{Name: "loss", Type: pipeline.String, Default: "l2", OneOf: []any{"l2", "l1"}, Doc: "training loss"},
			{Name: "taus", Type: pipeline.List, Elem: &pipeline.Setting{Type: pipeline.Float, Range: pipeline.Above(0)}, Default: []float64{4, 20},
				Doc: "synaptic decay in 5 ms steps: [min, max] (trainable per unit) or [value] (fixed)"},
			{Name: "lr", Type: pipeline.Float, Default: rate.DefaultLearningRate, Range: pipeline.Above(0), Doc: "Adam learning rate"},
			{Name: "max_trials", Type: pipeline.Int, Default: rate.DefaultMaxTrials, Range: pipeline.AtLeast(1), Doc: "training trials after which an unconverged run ends"},
			{Name: "eval_every", Type: pipeline.Int, Default: rate.DefaultEvalEvery, Range: pipeline.AtLeast(1), Doc: "evaluation period in trials"},
			{Name: "eval_trials", Type: pipeline.Int, Default: rate.DefaultEvalTrials, Range: pipeline.AtLeast(1), Doc: "trials per evaluation"},
			{Name: "noise", Type: pipeline.Bool, Default: true, Doc: "network noise in training and evaluation (SPEC §1)"},
			{Name: "seed", Type: pipeline.Int, Default: 1, Range: pipeline.AtLeast(0), Doc: "seed of the initial network's random draws"},
			pipeline.MemoryLimitSetting(),
		},
		Examples: []pipeline.Example{{Title: "a small xor network with a fixed decay", YAML: `
version: 1
pipelines:
  p:
    stages:
      trials: {kind: task-trials, with: {task: xor, seed: 3, count: 30000}}
      train:
        kind: train-rate
        in: {trials: trials.out, task: trials.task}
        with: {N: 100, taus: [10], max_trials: 15000, seed: 3}
`}},
	}, newTrainRate)
}

func newTrainRate(s trainSettings) (pipeline.Stage, error) {
	cfg, err := s.config(1)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := rate.ParseLoss(s.Loss); err != nil {
		return nil, err
	}
	return &trainRate{s: s}, nil
}

// config returns the network configuration for a task of inputs inputs.
func (s trainSettings) config(inputs int) (*rate.Config, error) {
	c := rate.DefaultConfig()
	c.N, c.Inputs, c.PInh, c.PRec, c.Gain, c.SomN, c.ApplyDale = s.N, inputs, s.PInh, s.PRec, s.Gain, s.SomN, s.ApplyDale
	var err error
	if c.WeightDist, err = rate.ParseWeightDist(s.WDist); err != nil {
		return nil, err
	}
	if c.Activation, err = rate.ParseActivation(s.Activation); err != nil {
		return nil, err
	}
	if len(s.Taus) != 1 && len(s.Taus) != 2 {
		return nil, fmt.Errorf("taus: want one value or [min, max], got %d values", len(s.Taus))
	}
	c.Taus = append([]float64(nil), s.Taus...)
	return c, nil
}

type trainRate struct{ s trainSettings }

func (t *trainRate) Run(ctx context.Context, job *pipeline.Job) error {
	spec, err := trainTask.Receive(ctx, job)
	if err != nil {
		return err
	}
	task, err := spec.Task()
	if err != nil {
		return err
	}
	cfg, err := t.s.config(task.Inputs())
	if err != nil {
		return err
	}
	m, err := rate.New(cfg, rng.New(uint64(t.s.Seed)))
	if err != nil {
		return err
	}
	set := rate.DefaultSettings(task)
	set.Loss, _ = rate.ParseLoss(t.s.Loss)
	set.LearningRate = t.s.LR
	set.MaxTrials, set.EvalEvery, set.EvalTrials = t.s.MaxTrials, t.s.EvalEvery, t.s.EvalTrials
	set.Noise = t.s.Noise
	rec := &items.TrainingRecord{Task: task.Name(), StopLoss: set.LossThreshold, StopAccuracy: set.AccThreshold}
	pr := job.Progress()
	pr.Total(int64(set.MaxTrials), "trials")
	set.Progress = func(p rate.Progress) {
		pr.Set(int64(p.Trial + 1))
		if p.Evaluated {
			rec.EvalTrials = append(rec.EvalTrials, p.Trial)
			rec.EvalAccuracy = append(rec.EvalAccuracy, p.EvalAccuracy)
			rec.EvalLoss = append(rec.EvalLoss, p.EvalLoss)
			pr.Status(fmt.Sprintf("eval acc %.2f loss %.2f", p.EvalAccuracy, p.EvalLoss))
		}
	}
	tn, err := rate.NewTrainer(m, task, set)
	if err != nil {
		return err
	}
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := &channelSource{ctx: tctx, cancel: cancel, r: trainTrials.Reader(job), task: task}
	res, err := tn.Train(tctx, src)
	if src.err != nil {
		return src.err
	}
	if errors.Is(err, rate.ErrDiverged) {
		return fmt.Errorf("%w; no model is written: lower the learning rate (setting lr = %g) or the initial gain (setting gain = %g)", err, t.s.LR, t.s.Gain)
	}
	if err != nil {
		return err
	}
	m = tn.Model()
	m.Task, m.TaskSpec = spec.Name, spec.JSON() // what model.mat says it was trained on
	rec.Status, rec.Converged, rec.Trials = res.Status.String(), res.Converged, res.Trials
	rec.Losses = append([]float64(nil), m.Losses...)
	rec.Accuracy, rec.Loss = res.EvalAccuracy, res.EvalLoss
	converged := 0
	if res.Converged {
		converged = 1
	} else {
		job.Logger().Warn("training did not meet the stop rule", "trials", res.Trials,
			"accuracy", res.EvalAccuracy, "loss", res.EvalLoss)
	}
	job.Headline("trials_trained", res.Trials)
	job.Headline("converged", converged)
	job.Headline("rate_accuracy", res.EvalAccuracy)
	job.Headline("rate_loss", res.EvalLoss)
	if err := trainModel.Send(ctx, job, m); err != nil {
		return err
	}
	return trainTraining.Send(ctx, job, rec)
}

// channelSource adapts a stream input of trials to rate.TrialSource. The
// trainer's Next cannot fail, so a stream that ends (or fails) records the
// error and cancels the training context: the trainer then stops at its
// next check and the stage returns the recorded error. The trials the
// trainer draws after that point are never used.
type channelSource struct {
	ctx    context.Context
	cancel context.CancelFunc
	r      *pipeline.Reader[*tasks.Trial]
	task   tasks.Task
	drawn  int
	err    error
}

// Next copies the next trial of the stream into dst.
func (s *channelSource) Next(dst *tasks.Trial) {
	if s.err != nil {
		return
	}
	tr, err := s.r.Recv(s.ctx)
	switch {
	case errors.Is(err, io.EOF):
		s.fail(fmt.Errorf("the trials stream ended after %d trials: raise the count of the task-trials stage (training may draw max_trials + eval_trials × max_trials/eval_every)", s.drawn))
		return
	case err != nil:
		s.fail(err)
		return
	}
	if tr == nil || tr.U == nil {
		s.fail(fmt.Errorf("trial %d of the stream is empty", s.drawn))
		return
	}
	r, c := tr.U.Dims()
	dr, dc := dst.U.Dims()
	if r != dr || c != dc || len(tr.Target) != len(dst.Target) {
		s.fail(fmt.Errorf("trial %d of the stream has a %d×%d stimulus and a target of %d values; the task %s wants %d×%d and %d: the trials are of another task or timing",
			s.drawn, r, c, len(tr.Target), s.task.Name(), dr, dc, len(dst.Target)))
		return
	}
	dst.Index, dst.Label, dst.Seed = tr.Index, tr.Label, tr.Seed
	dst.U.Copy(tr.U)
	copy(dst.Target, tr.Target)
	s.drawn++
}

func (s *channelSource) fail(err error) {
	s.err = err
	s.cancel()
}
