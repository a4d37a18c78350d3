package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// Table is an interface item type, like sinks.Table: a generic sink reads
// any stream whose items implement it.
type Table interface{ Rows() int }

type spikeRows struct{ N int }

func (r *spikeRows) Rows() int { return r.N }

type rateRows []float64

func (r rateRows) Rows() int { return len(r) }

var (
	spikesOut = pipeline.StreamOutput[*spikeRows]("spikes", "spike rows")
	ratesOut  = pipeline.StreamOutput[rateRows]("rates", "rate rows")
	statsOut  = pipeline.ValueOutput[*spikeRows]("stats", "a summary")
	tableIn   = pipeline.StreamInput[Table]("rows", "any table").Optional()
	tableVal  = pipeline.ValueInput[Table]("extra", "any table value").Optional()
)

func ifaceEnv() *pipeline.Environment {
	env := testEnv()
	env.RegisterCodec(pipeline.JSONCodec[*spikeRows]())
	pipeline.RegisterIn(env, pipeline.Spec{Name: "convert", Group: pipeline.SourceGroup, Summary: "emits spike and rate rows", Outputs: []pipeline.Port{spikesOut, ratesOut, statsOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				sw, rw := spikesOut.Writer(job), ratesOut.Writer(job)
				for i := 1; i <= 4; i++ {
					if err := sw.Send(ctx, &spikeRows{N: i}); err != nil {
						return err
					}
					if err := rw.Send(ctx, make(rateRows, 10*i)); err != nil {
						return err
					}
				}
				return statsOut.Send(ctx, job, &spikeRows{N: 1000})
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "sink", Group: pipeline.SinkGroup, Summary: "counts the rows of any table", Inputs: []pipeline.Port{tableIn, tableVal},
		Settings: []pipeline.Setting{{Name: "path", Type: pipeline.String, Required: true}}},
		func(s struct {
			Path string `pipeline:"path"`
		}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				r := tableIn.Reader(job)
				n := 0
				for {
					t, err := r.Recv(ctx)
					if err == io.EOF {
						break
					}
					if err != nil {
						return err
					}
					n += t.Rows()
				}
				if tableVal.Connected(job) {
					t, err := tableVal.Receive(ctx, job)
					if err != nil {
						return err
					}
					n += t.Rows()
				}
				job.Headline("rows", n)
				if p := job.Provenance(); p["stage"] != job.Name() || p["kind"] != "sink" || p["cache_key"] != job.Key() ||
					(!strings.Contains(p["params"], `"tag":`) && p["params"] != "{}") || p["settings"] != `{"path":"`+s.Path+`"}` {
					return fmt.Errorf("provenance %v", p)
				}
				f, err := job.CreateOutput(s.Path)
				if err != nil {
					return err
				}
				json.NewEncoder(f).Encode(n)
				return nil
			}), nil
		})
	return env
}

func TestInterfaceInputs(t *testing.T) {
	env := ifaceEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  p:
	    params: {tag: a}
	    stages:
	      convert: {kind: convert}
	      spikes:  {kind: sink, in: {rows: convert.spikes}, with: {path: spikes.json}}
	      rates:   {kind: sink, in: {rows: convert.rates, extra: convert.stats}, with: {path: "rates-${tag}.json"}}
	      both:    {kind: sink, in: {rows: [convert.spikes, convert.rates]}, with: {path: both.json}}
	      value:   {kind: sink, in: {extra: convert.stats}, with: {path: value.json}}
	`)
	_, _, res := mustRun(t, env, path, pipeline.Selection{})
	for stage, want := range map[string]float64{"spikes": 10, "rates": 1100, "both": 110, "value": 1000} {
		if got := headline(t, res, stage, "rows"); got != want {
			t.Errorf("%s rows = %v, want %v", stage, got, want)
		}
	}
	// The value reaches an interface-typed input from the cache, too.
	_, why, _ := mustRun(t, env, path, pipeline.Selection{}, "tag=b")
	if why["convert"] != "re-run to feed stream convert.rates to rates" {
		t.Errorf("convert reason %q", why["convert"])
	}
	ran, _, res := mustRun(t, env, path, pipeline.Selection{Only: []string{"value"}})
	sameSet(t, "--only value", ran, []string{"value"})
	if got := headline(t, res, "value", "rows"); got != 1000.0 {
		t.Errorf("value rows %v (from the cache, through the interface)", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "runs", "p", "rates-b.json"))
	if err != nil || strings.TrimSpace(string(b)) != "1100" {
		t.Errorf("rates-b.json = %q, %v", b, err)
	}

	// Lint rejects a type that does not implement the interface.
	cfg, err := pipeline.Parse("bad.yaml", []byte(pipelinetest.Dedent(`
	version: 1
	pipelines:
	  p:
	    stages:
	      gen:  {kind: test-gen}
	      sink: {kind: sink, in: {rows: gen.out}, with: {path: x}}
	`)))
	if err != nil {
		t.Fatal(err)
	}
	err = env.Lint(cfg)
	if want := "bad.yaml:6:37: input rows takes stream pipeline_test.Table, but gen.out is stream int (which does not implement pipeline_test.Table)"; err == nil || err.Error() != want {
		t.Errorf("lint: %v\nwant %s", err, want)
	}
}

func TestInterfaceValueFromCache(t *testing.T) {
	env := ifaceEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      convert: {kind: convert}
	      gen:     {kind: test-gen, with: {n: 0}}
	      w:       {kind: test-words}
	      sink:    {kind: sink, in: {extra: convert.stats, rows: convert.rates}, with: {path: v.json}}
	`)
	mustRun(t, env, path, pipeline.Selection{})
	// convert must rerun for its stream; the value goes through the same edge.
	ran, _, res := mustRun(t, env, path, pipeline.Selection{From: []string{"sink"}})
	sameSet(t, "ran", ran, []string{"convert", "sink"})
	if got := headline(t, res, "sink", "rows"); got != 1100.0 {
		t.Errorf("rows %v", got)
	}
}
