package pipeline_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

var (
	slowOut   = pipeline.ValueOutput[float64]("value", "a value sent after a pause")
	waitIn    = pipeline.ValueInput[float64]("x", "the value waited for")
	waitOut   = pipeline.ValueOutput[float64]("y", "x")
	upstreams []string
)

// TestBusySeconds checks that a stage's busy time leaves out the time it
// waited for its inputs, while Seconds counts it, and that Job.Upstream
// lists the stages above a stage in topological order.
func TestBusySeconds(t *testing.T) {
	env := pipeline.NewEnvironment()
	pipeline.RegisterIn(env, pipeline.Spec{Name: "slow", Group: pipeline.SourceGroup, Summary: "sleeps, then sends", Outputs: []pipeline.Port{slowOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				time.Sleep(300 * time.Millisecond)
				return slowOut.Send(ctx, job, 1)
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "wait", Group: pipeline.StageGroup, Summary: "waits for x", Inputs: []pipeline.Port{waitIn}, Outputs: []pipeline.Port{waitOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				x, err := waitIn.Receive(ctx, job)
				if err != nil {
					return err
				}
				upstreams = append(upstreams, job.Name()+":")
				upstreams = append(upstreams, job.Upstream()...)
				return waitOut.Send(ctx, job, x)
			}), nil
		})
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    stages:
	      a: {kind: slow}
	      b: {kind: wait, in: {x: a.value}}
	      c: {kind: wait, in: {x: b.y}}
	`)
	_, res, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{}, pipeline.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Stages {
		m := s.Manifest
		switch s.Stage {
		case "a":
			if m.BusySeconds < 0.25 {
				t.Errorf("a: busy %.3fs, want ≥ 0.25 (it slept 0.3 s)", m.BusySeconds)
			}
		case "b", "c":
			if m.Seconds < 0.25 || m.BusySeconds > 0.15 {
				t.Errorf("%s: seconds %.3f busy %.3f: want the wait counted in seconds only", s.Stage, m.Seconds, m.BusySeconds)
			}
			if s.Busy > 150*time.Millisecond {
				t.Errorf("%s: StageResult.Busy %v", s.Stage, s.Busy)
			}
		}
	}
	got := append([]string(nil), upstreams...)
	// b and c run concurrently: compare per stage.
	want := map[string][]string{"b:": {"a"}, "c:": {"a", "b"}}
	for i := 0; i < len(got); {
		name := got[i]
		j := i + 1
		for j < len(got) && got[j][len(got[j])-1] != ':' {
			j++
		}
		if !slices.Equal(got[i+1:j], want[name]) {
			t.Errorf("%s Upstream() = %v, want %v", name, got[i+1:j], want[name])
		}
		i = j
	}
}

var (
	fastOut = pipeline.StreamOutput[int]("out", "items, as fast as taken")
	slowIn  = pipeline.StreamInput[int]("in", "items, taken slowly")
)

// TestBusySecondsBackpressure checks that a producer's time blocked on a
// slow consumer is not counted as its work.
func TestBusySecondsBackpressure(t *testing.T) {
	env := pipeline.NewEnvironment()
	pipeline.RegisterIn(env, pipeline.Spec{Name: "fast", Group: pipeline.SourceGroup, Summary: "sends 6 items", Outputs: []pipeline.Port{fastOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				w := fastOut.Writer(job)
				for i := range 6 {
					if err := w.Send(ctx, i); err != nil {
						return err
					}
				}
				return nil
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "slow-sink", Group: pipeline.SinkGroup, Summary: "takes 60 ms per item", Inputs: []pipeline.Port{slowIn}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				r := slowIn.Reader(job)
				for {
					if _, err := r.Recv(ctx); err != nil {
						return nil
					}
					time.Sleep(60 * time.Millisecond)
				}
			}), nil
		})
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      src:  {kind: fast}
	      sink: {kind: slow-sink, in: {in: src.out}, buffer: {in: 1}}
	`)
	_, res, err := pipelinetest.Run(context.Background(), env, path, pipeline.CompileOptions{}, pipeline.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Stages {
		m := s.Manifest
		switch s.Stage {
		case "src":
			if m.Seconds < 0.2 || m.BusySeconds > 0.1 {
				t.Errorf("src: seconds %.3f busy %.3f: the wait for the consumer should not count as work", m.Seconds, m.BusySeconds)
			}
		case "sink":
			if m.BusySeconds < 0.3 {
				t.Errorf("sink: busy %.3f, want ≥ 0.3 (6 × 60 ms)", m.BusySeconds)
			}
		}
	}
}
