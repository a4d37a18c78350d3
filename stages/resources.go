package stages

import (
	"errors"
	"fmt"
	"math"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

// Lint-time resource checks of the stages, from their resolved settings and
// those of the task stage feeding them (pipeline.Checker).

// upstreamSteps returns the trial length in rate steps of the task stage
// (kind task or task-trials) feeding port, when lint can know it.
func upstreamSteps(upstream func(string) (string, map[string]any, bool), port string) (int, bool) {
	kind, set, ok := upstream(port)
	if !ok || (kind != "task" && kind != "task-trials") {
		return 0, false
	}
	name, _ := set["task"].(string)
	num := func(k string) int {
		v, _ := set[k].(int64)
		return int(v)
	}
	t, err := items.TaskSpec{Name: name, Settings: tasks.Settings{T: num("T"), StimOn: num("stim_on"), StimDur: num("stim_dur"), Delay: num("delay")}}.Task()
	if err != nil {
		return 0, false
	}
	return t.Steps(), true
}

// trainNeeds are the arrays of rate training at N units: the recurrent
// weights w and, of the same size, the mask, the effective weights and
// their transpose, the parameter vector, its gradient and Adam's two
// moments; with the trial length, the two N × T recordings of a trial kept
// for backpropagation through time.
func trainNeeds(n, steps int) []pipeline.MemoryNeed {
	nn := float64(n) * float64(n) * 8
	var needs []pipeline.MemoryNeed
	for _, name := range []string{"w", "the mask", "the effective weights", "their transpose", "the parameters", "the gradient", "Adam's first moment", "Adam's second moment"} {
		needs = append(needs, pipeline.MemoryNeed{Name: name, Shape: "N×N float64", Bytes: nn})
	}
	if steps > 0 {
		needs = append(needs, pipeline.MemoryNeed{Name: "the recordings of a trial", Shape: "2 × N×T float64", Bytes: 2 * 8 * float64(n) * float64(steps)})
	}
	return needs
}

// Check implements pipeline.Checker.
func (t *trainRate) Check(upstream func(string) (string, map[string]any, bool)) error {
	steps, known := upstreamSteps(upstream, "task")
	what := fmt.Sprintf("N = %d", t.s.N)
	if known {
		what += fmt.Sprintf(", T = %d", steps)
	}
	return pipeline.CheckMemory(what, t.s.MemoryLimitGB, trainNeeds(t.s.N, steps)...)
}

// lifSteps is the number of LIF steps of a trial of steps rate steps at
// downsampling d.
func lifSteps(steps, d int) float64 {
	return float64(steps) * tasks.StepSeconds / (float64(d) * spiking.BaseDT)
}

// checkSampling refuses a downsampling or output sampling longer than the
// trial, and trials whose per-trial arrays cannot fit.
func checkSampling(upstream func(string) (string, map[string]any, bool), downsample, outputEvery int, limitGB float64) error {
	steps, known := upstreamSteps(upstream, "task")
	if !known {
		return nil
	}
	lif := lifSteps(steps, downsample)
	if lif < 1 {
		return fmt.Errorf("downsample = %d: dt = %g ms is longer than the trial (T = %d rate steps, %g s)", downsample, float64(downsample)*spiking.BaseDT*1e3, steps, float64(steps)*tasks.StepSeconds)
	}
	if outputEvery > 0 && float64(outputEvery) > lif {
		return fmt.Errorf("output_every = %d: longer than the trial's %d LIF steps (T = %d rate steps at downsample %d), so no output would be sampled", outputEvery, int(math.Floor(lif)), steps, downsample)
	}
	// The simulator keeps the trial's input and target at LIF resolution.
	return pipeline.CheckMemory(fmt.Sprintf("T = %d at downsample %d (%g LIF steps)", steps, downsample, lif), limitGB,
		pipeline.MemoryNeed{Name: "a trial's stimulus and target at LIF resolution", Shape: "2 × LIF steps float64", Bytes: 2 * 8 * lif})
}

// Check implements pipeline.Checker.
func (c *lifConvert) Check(upstream func(string) (string, map[string]any, bool)) error {
	if err := c.checkLambda(upstream); err != nil {
		return err
	}
	return checkSampling(upstream, c.s.Downsample, c.s.OutputEvery, c.s.MemoryLimitGB)
}

// checkLambda refuses a λ given twice or not at all, and lambda: from-file
// for a model that does not come from a file holding an
// opt_scaling_factor.
func (c *lifConvert) checkLambda(upstream func(string) (string, map[string]any, bool)) error {
	_, _, wired := upstream("lambda")
	switch {
	case wired && c.s.Lambda != nil:
		return errors.New("λ given twice: by the lambda input and the lambda setting; keep one")
	case !wired && c.s.Lambda == nil:
		return errors.New("no λ: connect the lambda input (a lambda-search's best) or give the lambda setting (a number, or from-file)")
	case c.s.Lambda != lambdaFromFile:
		return nil
	}
	kind, set, ok := upstream("model")
	if !ok {
		return nil
	}
	if kind != "load-mat" {
		return fmt.Errorf("lambda: from-file reads the model file's opt_scaling_factor, but the model comes from a %s stage, not load-mat", kind)
	}
	path, _ := set["path"].(string)
	f, err := matfile.Open(path)
	if err != nil {
		return nil // load-mat reports it
	}
	v, err := f.Var("opt_scaling_factor")
	if err != nil {
		return fmt.Errorf("lambda: from-file: %s has no opt_scaling_factor (%s)", path, noFactorHint)
	}
	if xs, err := v.Float64s(); err != nil || len(xs) != 1 || !(xs[0] > 0) || math.IsInf(xs[0], 0) {
		return fmt.Errorf("lambda: from-file: %s: opt_scaling_factor is %v, not a scaling factor > 0 (a λ search that did not finish writes NaN; %s)", path, v, noFactorHint)
	}
	return nil
}

// Check implements pipeline.Checker.
func (l *lambdaStage) Check(upstream func(string) (string, map[string]any, bool)) error {
	return checkSampling(upstream, l.s.Downsample, 0, l.s.MemoryLimitGB)
}
