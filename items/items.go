package items

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/report"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

// TaskSpec names a task and its timing, or carries its declaration: the
// item of every `task` port. Stages rebuild the tasks.Task from it with
// Task, so that a small JSON value, rather than an interface, travels
// between stages and into the cache.
type TaskSpec struct {
	// Name is a registered task name (tasks.Names()), or the name of a
	// task declared in the pipeline file's tasks: block.
	Name string `json:"name"`
	// Settings is a registered task's timing in rate steps; zero fields
	// take the task's defaults.
	Settings tasks.Settings `json:"settings"`
	// Decl, for a declared task, is its declaration (its timing is in its
	// params); nil for a registered task.
	Decl *tasks.Decl `json:"decl,omitempty"`
}

// Task builds the task.
func (s TaskSpec) Task() (tasks.Task, error) {
	var (
		t   tasks.Task
		err error
	)
	if s.Decl != nil {
		t, err = s.Decl.Compile()
	} else {
		t, err = tasks.New(s.Name, s.Settings)
	}
	if err != nil {
		return nil, fmt.Errorf("task %q: %w", s.Name, err)
	}
	return t, nil
}

// JSON returns the spec as one line of JSON, with a declaration in its
// canonical form (tasks.Decl.JSON): what a model file's task_spec and
// summary.json's task_spec record.
func (s TaskSpec) JSON() string {
	set, err := json.Marshal(s.Settings)
	if err != nil {
		panic("items: TaskSpec.JSON: " + err.Error()) // integers only
	}
	name, _ := json.Marshal(s.Name)
	out := `{"name":` + string(name) + `,"settings":` + string(set)
	if s.Decl != nil {
		out += `,"decl":` + s.Decl.JSON()
	}
	return out + "}"
}

// ReceiveTask receives the TaskSpec of a task port and builds its task.
func ReceiveTask(ctx context.Context, job *pipeline.Job, port *pipeline.ValueIn[TaskSpec]) (tasks.Task, error) {
	spec, err := port.Receive(ctx, job)
	if err != nil {
		return nil, err
	}
	return spec.Task()
}

// ModelAssumptions lists what load-mat assumed about its model file
// (rate.LoadWithNotes): the item of load-mat's `assumptions` port, read by
// the summary stage.
type ModelAssumptions struct {
	// File is the model file, relative to the pipeline file when it is
	// beside or below it.
	File string `json:"file"`
	// Notes holds one line per assumption, "field: what was assumed"
	// (rate.Note.String), in the order of the fields; empty when the file
	// has every field.
	Notes []string `json:"notes"`
}

// TrainingRecord is the history of a rate-network training run: the item of
// train-rate's `training` port, read by the plot and summary stages.
type TrainingRecord struct {
	// Task is the task trained.
	Task string `json:"task"`
	// Status says how the run ended: "converged", "not converged".
	Status string `json:"status"`
	// Converged reports whether the stop rule was met.
	Converged bool `json:"converged"`
	// Trials is the number of training trials done.
	Trials int `json:"trials"`
	// Losses holds the training loss of every trial.
	Losses []float64 `json:"losses"`
	// EvalTrials holds the trial index tr after which each periodic
	// evaluation ran; EvalAccuracy and EvalLoss are its results.
	EvalTrials   []int     `json:"eval_trials"`
	EvalAccuracy []float64 `json:"eval_accuracy"`
	EvalLoss     []float64 `json:"eval_loss"`
	// Accuracy and Loss are those of the last evaluation.
	Accuracy float64 `json:"accuracy"`
	Loss     float64 `json:"loss"`
	// StopLoss and StopAccuracy are the stop rule's thresholds.
	StopLoss     float64 `json:"stop_loss"`
	StopAccuracy float64 `json:"stop_accuracy"`
}

// LambdaSearch is the outcome of a λ grid search: the item of
// lambda-search's `search` port.
type LambdaSearch struct {
	// Factors are the scaling factors searched, in order, and Accuracy
	// the spiking network's accuracy at each.
	Factors  []float64 `json:"factors"`
	Accuracy []float64 `json:"accuracy"`
	// Lower and Upper are the accuracies' 95 % Wilson intervals, and
	// FactorTrials the number of trials scored at each factor (all
	// Trials for a grid; fewer for a factor a race stopped early).
	Lower        []float64 `json:"accuracy_lo,omitempty"`
	Upper        []float64 `json:"accuracy_hi,omitempty"`
	FactorTrials []int     `json:"factor_trials,omitempty"`
	// TrialsRun is the number of trials the search simulated (not those
	// resumed); Strategy is "grid" or "race".
	TrialsRun int    `json:"trials_run,omitempty"`
	Strategy  string `json:"strategy,omitempty"`
	// Best is the first factor with the highest accuracy, BestIndex its
	// index in Factors.
	Best      float64 `json:"best"`
	BestIndex int     `json:"best_index"`
	// Trials is the number of trials per factor and Seed the search's
	// run seed.
	Trials int    `json:"trials"`
	Seed   uint64 `json:"seed"`
	// Resumed is the number of factors read back from an interrupted
	// search rather than simulated.
	Resumed int `json:"resumed"`
	// Neuron is the spiking unit the search converted to.
	Neuron *report.Neuron `json:"neuron,omitempty"`
}

// ConvertedTrial is one LIF trial simulated by lif-convert, as the item of
// its `trials` stream: what evaluate needs to score and summarise the
// conversion without the trial's spike and rate tables.
type ConvertedTrial struct {
	// Trial is the trial index, Label its condition and LabelName the
	// condition's name.
	Trial     int
	Label     tasks.Label
	LabelName string
	// Correct reports whether the task scored the trial's output correct;
	// Scored is false for a trial that was not scored (a stimulus of a file
	// without a label, or without a task), and Correct then false.
	Correct bool
	Scored  bool
	// Seed is the trial's noise seed; StreamSeed the conversion's run
	// seed, from which tasks.NewStream(task, StreamSeed).Trial(Trial, …)
	// redraws the trial.
	Seed, StreamSeed uint64
	// Lambda is the scaling factor, DT the LIF step in seconds and NT
	// the number of steps.
	Lambda float64
	DT     float64
	NT     int
	// Neuron is the spiking unit of the conversion (shared by its
	// trials).
	Neuron *report.Neuron
	// NSpikes is the number of spikes and Counts the spikes of every
	// unit.
	NSpikes int
	Counts  []int32
	// Out is the network output sampled every OutEvery steps, at steps
	// OutEvery-1, 2·OutEvery-1, … (sample j is at time (j+1)·OutEvery·DT
	// when step i is taken to end at (i+1)·DT, as in SPEC §4).
	Out      []float64
	OutEvery int
	// Spikes and Stimulus are set only on the first trial of each
	// condition (the examples the plots draw), nil otherwise, so that the
	// stream's memory does not grow with the trials' spike counts.
	// Stimulus is the spiking-side stimulus, one row per input.
	Spikes   []spiking.Spike
	Stimulus [][]float64
}

// Evaluation summarises the LIF trials of a conversion: the item of
// evaluate's `evaluation` port, read by the summary and plot stages.
type Evaluation struct {
	// Task is the task's name and Lambda the scaling factor.
	Task   string  `json:"task"`
	Lambda float64 `json:"lambda"`
	// Neuron is the spiking unit of the conversion.
	Neuron *report.Neuron `json:"neuron,omitempty"`
	// Trials and Correct count the trials; Accuracy = Correct/Trials.
	Trials   int     `json:"trials"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// DT is the LIF step and Duration the trial length (NT·DT), in
	// seconds; OutDT is the sampling interval of the output traces.
	DT       float64 `json:"dt"`
	NT       int     `json:"nt"`
	Duration float64 `json:"duration"`
	OutDT    float64 `json:"out_dt"`
	// Conditions holds the statistics of every condition, in the task's
	// order.
	Conditions []ConditionEval `json:"conditions"`
	// NSpikes is the number of spikes over all trials.
	NSpikes int64 `json:"n_spikes"`
	// RateHzE and RateHzI are the mean firing rates of the excitatory and
	// inhibitory units over all trials (spikes / Duration).
	RateHzE float64 `json:"rate_hz_E"`
	RateHzI float64 `json:"rate_hz_I"`
	// UnitRateHz holds every unit's mean firing rate over all trials, and
	// Inh marks the inhibitory units.
	UnitRateHz []float64 `json:"unit_rate_hz"`
	Inh        []bool    `json:"inh"`
	// StreamSeed is the conversion's run seed.
	StreamSeed uint64 `json:"stream_seed"`
	// Examples holds the first trial of every condition.
	Examples []ExampleTrial `json:"examples"`
}

// ConditionEval holds the statistics of one condition of an Evaluation.
type ConditionEval struct {
	Label    tasks.Label `json:"label"`
	Name     string      `json:"name"`
	Trials   int         `json:"trials"`
	Correct  int         `json:"correct"`
	Accuracy float64     `json:"accuracy"`
	// OutMean and OutSD are the mean and standard deviation (n-1 in the
	// denominator; 0 for one trial) of the sampled output, one value per
	// sample of Evaluation.OutDT.
	OutMean []float64 `json:"out_mean"`
	OutSD   []float64 `json:"out_sd"`
	// RateHzE and RateHzI are the mean firing rates of the excitatory and
	// inhibitory units on this condition's trials.
	RateHzE float64 `json:"rate_hz_E"`
	RateHzI float64 `json:"rate_hz_I"`
}

// ExampleTrial is one trial kept whole for the plots: its spikes, output
// and stimulus.
type ExampleTrial struct {
	Condition string      `json:"condition"`
	Label     tasks.Label `json:"label"`
	Trial     int         `json:"trial"`
	Seed      uint64      `json:"seed"`
	Correct   bool        `json:"correct"`
	// Out is the sampled output (every Evaluation.OutDT seconds).
	Out []float64 `json:"out"`
	// SpikeSteps and SpikeNeurons list every spike (step, neuron).
	SpikeSteps   []int32 `json:"spike_steps"`
	SpikeNeurons []int32 `json:"spike_neurons"`
	// Stimulus is the spiking-side stimulus, one row per input.
	Stimulus [][]float64 `json:"stimulus"`
}
