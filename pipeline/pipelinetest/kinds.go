package pipelinetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spikernn/spikernn/pipeline"
)

// Ports of the test kinds.
var (
	genOut = pipeline.StreamOutput[int]("out", "the numbers 1…n")

	wordsOut = pipeline.StreamOutput[string]("out", "words")

	scaleIn     = pipeline.StreamInput[int]("in", "numbers to scale")
	scaleFactor = pipeline.ValueInput[float64]("factor", "extra factor").Optional()
	scaleOut    = pipeline.StreamOutput[float64]("out", "scaled numbers")

	sumIn    = pipeline.StreamInput[float64]("in", "numbers to add")
	sumTotal = pipeline.ValueOutput[float64]("total", "their sum")

	constOut = pipeline.ValueOutput[float64]("value", "the constant")

	writeIn    = pipeline.StreamInput[float64]("in", "numbers to write")
	writeTotal = pipeline.ValueInput[float64]("total", "a total written last").Optional()

	factorsScale = pipeline.ValueInput[float64]("scale", "multiplies every result").Optional()
	factorsBest  = pipeline.ValueOutput[int]("best", "the factor with the largest result")

	failIn = pipeline.StreamInput[float64]("in", "items read before failing").Optional()

	blockIn = pipeline.StreamInput[float64]("in", "read until the run is cancelled").Optional()

	typedOut = pipeline.ValueOutput[string]("settings", "the decoded settings as JSON")

	relayIn  = pipeline.StreamInput[float64]("in", "numbers")
	relayOut = pipeline.StreamOutput[float64]("out", "the same numbers")

	addX = pipeline.ValueInput[float64]("x", "a number")
	addY = pipeline.ValueOutput[float64]("y", "x + plus")
)

// Register registers the test kinds in env:
//
//	test-gen      stream out (int): the numbers 1…n
//	test-words    stream out (string): n words
//	test-scale    stream in (int) × settings.by × optional value factor → stream out (float64)
//	test-sum      stream in (float64) → value total (float64), headline total
//	test-const    value out (float64) from setting value
//	test-write    stream in (float64) → published file <path>, one number per line
//	test-factors  resumable: one result per factor saved in the partial dir → value best (int)
//	test-fail     fails with a message after reading `after` items
//	test-block    signals readiness by creating a file, then waits for cancellation
//	test-typed    one setting of every type → value settings (JSON of the decoded struct)
//	test-relay    stream in (float64) → stream out (float64), unchanged
//	test-add      value x (float64) → value y = x + settings.plus
func Register(env *pipeline.Environment) {
	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-relay", Group: pipeline.StageGroup, Summary: "passes a stream of numbers on",
		Inputs:  []pipeline.Port{relayIn},
		Outputs: []pipeline.Port{relayOut},
		Examples: []pipeline.Example{{Title: "relay", YAML: `
version: 1
pipelines:
  p:
    stages:
      gen: {kind: test-gen}
      f: {kind: test-scale, in: {in: gen.out}}
      r: {kind: test-relay, in: {in: f.out}}
`}},
	}, func(struct{}) (pipeline.Stage, error) { return pipeline.StageFunc(runRelay), nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-add", Group: pipeline.StageGroup, Summary: "adds a constant to a value",
		Inputs:   []pipeline.Port{addX},
		Outputs:  []pipeline.Port{addY},
		Settings: []pipeline.Setting{{Name: "plus", Type: pipeline.Float, Default: 1.0, Doc: "the constant added"}},
		Examples: []pipeline.Example{{Title: "add", YAML: `
version: 1
pipelines:
  p:
    stages:
      c: {kind: test-const, with: {value: 1}}
      a: {kind: test-add, in: {x: c.value}, with: {plus: 2}}
`}},
	}, func(s addSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-gen", Group: pipeline.SourceGroup, Summary: "emits the numbers 1…n",
		Outputs: []pipeline.Port{genOut},
		Settings: []pipeline.Setting{
			{Name: "n", Type: pipeline.Int, Default: 10, Range: pipeline.AtLeast(0), Doc: "how many numbers"},
			{Name: "delay", Type: pipeline.Duration, Default: "0s", Doc: "pause before each number"},
		},
		Examples: []pipeline.Example{{Title: "count to 3", YAML: `
version: 1
pipelines:
  p:
    stages:
      gen: {kind: test-gen, with: {n: 3}}
`}},
	}, func(s genSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-words", Group: pipeline.SourceGroup, Summary: "emits n words",
		Outputs:  []pipeline.Port{wordsOut},
		Settings: []pipeline.Setting{{Name: "n", Type: pipeline.Int, Default: 3, Doc: "how many words"}},
		Examples: []pipeline.Example{{Title: "three words", YAML: "version: 1\npipelines:\n  p:\n    stages:\n      w: {kind: test-words}\n"}},
	}, func(s wordsSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-scale", Group: pipeline.StageGroup, Summary: "multiplies a stream of numbers",
		Inputs:   []pipeline.Port{scaleIn, scaleFactor},
		Outputs:  []pipeline.Port{scaleOut},
		Settings: []pipeline.Setting{{Name: "by", Type: pipeline.Float, Default: 1.0, Doc: "factor"}},
		Examples: []pipeline.Example{{Title: "double", YAML: `
version: 1
pipelines:
  p:
    stages:
      gen: {kind: test-gen}
      double: {kind: test-scale, in: {in: gen.out}, with: {by: 2}}
`}},
	}, func(s scaleSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-sum", Group: pipeline.StageGroup, Summary: "adds a stream of numbers",
		Inputs:  []pipeline.Port{sumIn},
		Outputs: []pipeline.Port{sumTotal},
		Examples: []pipeline.Example{{Title: "sum", YAML: `
version: 1
pipelines:
  p:
    stages:
      gen: {kind: test-gen}
      f: {kind: test-scale, in: {in: gen.out}}
      sum: {kind: test-sum, in: {in: f.out}}
`}},
	}, func(struct{}) (pipeline.Stage, error) { return pipeline.StageFunc(runSum), nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-const", Group: pipeline.SourceGroup, Summary: "outputs a constant value",
		Outputs:  []pipeline.Port{constOut},
		Settings: []pipeline.Setting{{Name: "value", Type: pipeline.Float, Required: true, Doc: "the value"}},
		Examples: []pipeline.Example{{Title: "pi", YAML: "version: 1\npipelines:\n  p:\n    stages:\n      c: {kind: test-const, with: {value: 3.14}}\n"}},
	}, func(s constSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-write", Group: pipeline.SinkGroup, Summary: "writes a stream of numbers to a file of the pipeline directory",
		Inputs:   []pipeline.Port{writeIn, writeTotal},
		Settings: []pipeline.Setting{{Name: "path", Type: pipeline.Output, Required: true, Doc: "output file, relative to the pipeline directory"}},
		Examples: []pipeline.Example{{Title: "write", YAML: `
version: 1
pipelines:
  p:
    stages:
      gen: {kind: test-gen}
      f: {kind: test-scale, in: {in: gen.out}}
      out: {kind: test-write, in: {in: f.out}, with: {path: numbers.txt}}
`}},
	}, func(s writeSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-factors", Group: pipeline.StageGroup, Summary: "computes one result per factor, resumably",
		Description: "Each factor's result is saved atomically in the partial directory; a rerun\nwith the same key computes only the factors not saved yet.",
		Inputs:      []pipeline.Port{factorsScale},
		Outputs:     []pipeline.Port{factorsBest},
		Settings: []pipeline.Setting{
			{Name: "factors", Type: pipeline.List, Elem: &pipeline.Setting{Type: pipeline.Int}, Required: true, Doc: "the factors"},
			{Name: "delay", Type: pipeline.Duration, Default: "0s", Doc: "time spent per factor"},
			{Name: "log", Type: pipeline.String, Doc: "file to which each computed factor is appended"},
			{Name: "fail_at", Type: pipeline.Int, Default: -1, Doc: "fail when reaching this factor (-1: never)"},
		},
		Examples: []pipeline.Example{{Title: "three factors", YAML: `
version: 1
pipelines:
  p:
    stages:
      f: {kind: test-factors, with: {factors: [20, 25, 30]}}
`}},
	}, func(s factorsSettings) (pipeline.Stage, error) {
		if len(s.Factors) == 0 {
			return nil, errors.New("factors: empty list")
		}
		return s, nil
	})

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-fail", Group: pipeline.SinkGroup, Summary: "fails after reading some items",
		Inputs: []pipeline.Port{failIn},
		Settings: []pipeline.Setting{
			{Name: "message", Type: pipeline.String, Default: "boom", Doc: "the error message"},
			{Name: "after", Type: pipeline.Int, Default: 0, Doc: "items to read first"},
		},
		Examples: []pipeline.Example{{Title: "fail", YAML: "version: 1\npipelines:\n  p:\n    stages:\n      f: {kind: test-fail}\n"}},
	}, func(s failSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-block", Group: pipeline.SinkGroup, Summary: "waits until the run is cancelled",
		Inputs:   []pipeline.Port{blockIn},
		Settings: []pipeline.Setting{{Name: "ready", Type: pipeline.String, Doc: "file created once the stage runs"}},
		Examples: []pipeline.Example{{Title: "block", YAML: "version: 1\npipelines:\n  p:\n    stages:\n      b: {kind: test-block}\n"}},
	}, func(s blockSettings) (pipeline.Stage, error) { return s, nil })

	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-typed", Group: pipeline.SourceGroup, Summary: "has one setting of every type",
		Outputs: []pipeline.Port{typedOut},
		Settings: []pipeline.Setting{
			{Name: "count", Type: pipeline.Int, Default: 1, Range: pipeline.Between(1, 100), Doc: "an int in [1, 100]"},
			{Name: "rate", Type: pipeline.Float, Default: 0.5, Range: pipeline.Above(0), Doc: "a float > 0"},
			{Name: "task", Type: pipeline.String, Required: true, OneOf: []any{"go-nogo", "xor", "mante"}, Doc: "a string among three"},
			{Name: "verbose", Type: pipeline.Bool, Default: false, Doc: "a bool"},
			{Name: "timeout", Type: pipeline.Duration, Default: "1m", Doc: "a duration"},
			{Name: "model", Type: pipeline.File, Doc: "an input file"},
			{Name: "taus", Type: pipeline.List, Elem: &pipeline.Setting{Type: pipeline.Float, Range: pipeline.Above(0)}, Default: []float64{4, 20}, Doc: "a list of floats > 0"},
			{Name: "weights", Type: pipeline.Map, Elem: &pipeline.Setting{Type: pipeline.Int}, Doc: "a map of ints"},
			{Name: "range", Type: pipeline.Object, Doc: "an object", Fields: []pipeline.Setting{
				{Name: "from", Type: pipeline.Float, Required: true, Doc: "start"},
				{Name: "to", Type: pipeline.Float, Required: true, Doc: "end"},
				{Name: "step", Type: pipeline.Float, Default: 1.0, Range: pipeline.Above(0), Doc: "step"},
			}},
		},
		Examples: []pipeline.Example{{Title: "typed", YAML: `
version: 1
pipelines:
  p:
    params: {task: xor}
    stages:
      t:
        kind: test-typed
        with:
          task: ${task}
          taus: [4, 20]
          weights: {a: 1}
          range: {from: 20, to: 75, step: 5}
`}},
	}, func(s TypedSettings) (pipeline.Stage, error) {
		if s.Range != nil && s.Range.To < s.Range.From {
			return nil, fmt.Errorf("range: to %g < from %g", s.Range.To, s.Range.From)
		}
		return s, nil
	})
}

func runRelay(ctx context.Context, job *pipeline.Job) error {
	in, out := relayIn.Reader(job), relayOut.Writer(job)
	for {
		v, err := in.Recv(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := out.Send(ctx, v); err != nil {
			return err
		}
	}
}

type addSettings struct {
	Plus float64 `pipeline:"plus"`
}

func (s addSettings) Run(ctx context.Context, job *pipeline.Job) error {
	x, err := addX.Receive(ctx, job)
	if err != nil {
		return err
	}
	job.Headline("y", x+s.Plus)
	return addY.Send(ctx, job, x+s.Plus)
}

type genSettings struct {
	N     int           `pipeline:"n"`
	Delay time.Duration `pipeline:"delay"`
}

func (s genSettings) Run(ctx context.Context, job *pipeline.Job) error {
	out := genOut.Writer(job)
	job.Progress().Total(int64(s.N), "numbers")
	for i := 1; i <= s.N; i++ {
		if s.Delay > 0 {
			select {
			case <-time.After(s.Delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := out.Send(ctx, i); err != nil {
			return err
		}
		job.Progress().Add(1)
	}
	job.Headline("count", s.N)
	return nil
}

type wordsSettings struct {
	N int `pipeline:"n"`
}

func (s wordsSettings) Run(ctx context.Context, job *pipeline.Job) error {
	out := wordsOut.Writer(job)
	for i := 0; i < s.N; i++ {
		if err := out.Send(ctx, "w"+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	return nil
}

type scaleSettings struct {
	By float64 `pipeline:"by"`
}

func (s scaleSettings) Run(ctx context.Context, job *pipeline.Job) error {
	by := s.By
	if scaleFactor.Connected(job) {
		f, err := scaleFactor.Receive(ctx, job)
		if err != nil {
			return err
		}
		by *= f
	}
	in, out := scaleIn.Reader(job), scaleOut.Writer(job)
	for {
		v, err := in.Recv(ctx)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := out.Send(ctx, float64(v)*by); err != nil {
			return err
		}
	}
}

func runSum(ctx context.Context, job *pipeline.Job) error {
	in := sumIn.Reader(job)
	total, n := 0.0, 0
	for {
		v, err := in.Recv(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		total += v
		n++
	}
	job.Headline("total", total)
	job.Headline("count", n)
	return sumTotal.Send(ctx, job, total)
}

type constSettings struct {
	Value float64 `pipeline:"value"`
}

func (s constSettings) Run(ctx context.Context, job *pipeline.Job) error {
	return constOut.Send(ctx, job, s.Value)
}

type writeSettings struct {
	Path string `pipeline:"path"`
}

func (s writeSettings) Run(ctx context.Context, job *pipeline.Job) error {
	f, err := job.CreateOutput(s.Path)
	if err != nil {
		return err
	}
	in := writeIn.Reader(job)
	for {
		v, err := in.Recv(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(f, v); err != nil {
			return err
		}
	}
	if writeTotal.Connected(job) {
		t, err := writeTotal.Receive(ctx, job)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(f, "total %v\n", t); err != nil {
			return err
		}
	}
	return f.Close()
}

type factorsSettings struct {
	Factors []int         `pipeline:"factors"`
	Delay   time.Duration `pipeline:"delay"`
	Log     string        `pipeline:"log"`
	FailAt  int           `pipeline:"fail_at"`
}

// Run computes result(f) = f² (times the optional scale) for each factor,
// saving each in the partial directory and skipping those already saved.
func (s factorsSettings) Run(ctx context.Context, job *pipeline.Job) error {
	scale := 1.0
	if factorsScale.Connected(job) {
		v, err := factorsScale.Receive(ctx, job)
		if err != nil {
			return err
		}
		scale = v
	}
	partial, err := job.PartialDir()
	if err != nil {
		return err
	}
	job.Progress().Total(int64(len(s.Factors)), "factors")
	best, bestV := 0, -1.0
	for _, f := range s.Factors {
		path := filepath.Join(partial, fmt.Sprintf("factor-%d.json", f))
		var v float64
		if b, err := os.ReadFile(path); err == nil {
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
		} else {
			if f == s.FailAt {
				return fmt.Errorf("failing at factor %d as asked", f)
			}
			select {
			case <-time.After(s.Delay):
			case <-ctx.Done():
				return ctx.Err()
			}
			v = float64(f*f) * scale
			b, _ := json.Marshal(v)
			if err := pipeline.WriteFileAtomic(path, b, 0o644); err != nil {
				return err
			}
			if s.Log != "" {
				if err := appendLine(s.Log, strconv.Itoa(f)); err != nil {
					return err
				}
			}
		}
		if v > bestV {
			best, bestV = f, v
		}
		job.Progress().Add(1)
	}
	job.Headline("best", best)
	return factorsBest.Send(ctx, job, best)
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type failSettings struct {
	Message string `pipeline:"message"`
	After   int    `pipeline:"after"`
}

func (s failSettings) Run(ctx context.Context, job *pipeline.Job) error {
	in := failIn.Reader(job)
	for i := 0; i < s.After; i++ {
		if _, err := in.Recv(ctx); err != nil {
			if err == io.EOF {
				break
			}
			return err
		}
	}
	return errors.New(s.Message)
}

type blockSettings struct {
	Ready string `pipeline:"ready"`
}

func (s blockSettings) Run(ctx context.Context, job *pipeline.Job) error {
	if s.Ready != "" {
		if err := os.WriteFile(s.Ready, []byte(job.Name()+"\n"), 0o644); err != nil {
			return err
		}
	}
	// Write an artifact, to check that it does not survive cancellation.
	if err := os.WriteFile(filepath.Join(job.Dir(), "started"), nil, 0o644); err != nil {
		return err
	}
	<-ctx.Done()
	return ctx.Err()
}

// TypedSettings is the decoded settings struct of the test-typed kind.
type TypedSettings struct {
	Count   int            `pipeline:"count"`
	Rate    float64        `pipeline:"rate"`
	Task    string         `pipeline:"task"`
	Verbose bool           `pipeline:"verbose"`
	Timeout time.Duration  `pipeline:"timeout"`
	Model   string         `pipeline:"model"`
	Taus    []float64      `pipeline:"taus"`
	Weights map[string]int `pipeline:"weights"`
	Range   *struct {
		From float64 `pipeline:"from"`
		To   float64 `pipeline:"to"`
		Step float64 `pipeline:"step"`
	} `pipeline:"range"`
}

func (s TypedSettings) Run(ctx context.Context, job *pipeline.Job) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return typedOut.Send(ctx, job, string(b))
}
