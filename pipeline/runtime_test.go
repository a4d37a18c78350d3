package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// opaque is a value type without a codec.
type opaque struct{ N int }

var (
	headIn     = pipeline.StreamInput[int]("in", "numbers")
	headOut    = pipeline.ValueOutput[int]("first", "the first number")
	misbehave  = pipeline.ValueOutput[float64]("v", "a value")
	opaqueOut  = pipeline.ValueOutput[opaque]("o", "a value without codec")
	opaqueIn   = pipeline.ValueInput[opaque]("o", "a value without codec")
	opaqueSeen = map[string]int{}
	upIn       = pipeline.ValueInput[float64]("x", "a value")
)

// extraEnv adds kinds that misbehave in various ways to the test kinds.
func extraEnv(t *testing.T) *pipeline.Environment {
	env := testEnv()
	pipeline.RegisterIn(env, pipeline.Spec{Name: "head", Group: pipeline.StageGroup, Summary: "reads one item of a stream", Inputs: []pipeline.Port{headIn}, Outputs: []pipeline.Port{headOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				v, err := headIn.Reader(job).Recv(ctx)
				if err != nil {
					return err
				}
				return headOut.Send(ctx, job, v)
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "misbehave", Group: pipeline.SourceGroup, Summary: "does what it is told not to", Outputs: []pipeline.Port{misbehave},
		Settings: []pipeline.Setting{{Name: "how", Type: pipeline.String, Required: true, OneOf: []any{"twice", "never", "panic", "escape", "upstream", "foreign"}}}},
		func(s struct {
			How string `pipeline:"how"`
		}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				switch s.How {
				case "twice":
					misbehave.Send(ctx, job, 1)
					return misbehave.Send(ctx, job, 2)
				case "never":
					return nil
				case "panic":
					panic("oops")
				case "escape":
					_, err := job.CreateOutput("../outside.txt")
					return err
				case "upstream":
					_, err := job.UpstreamManifest(ctx, "other")
					return err
				case "foreign":
					headIn.Reader(job) // a port of another kind: a programming error
				}
				return nil
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "opaque-src", Group: pipeline.SourceGroup, Summary: "outputs a value that cannot be cached", Outputs: []pipeline.Port{opaqueOut}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				opaqueSeen[job.Name()]++
				return opaqueOut.Send(ctx, job, opaque{N: 7})
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "opaque-use", Group: pipeline.SinkGroup, Summary: "reads an uncacheable value", Inputs: []pipeline.Port{opaqueIn},
		Settings: []pipeline.Setting{{Name: "tag", Type: pipeline.Int, Default: 0}}},
		func(struct {
			Tag int `pipeline:"tag"`
		}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				o, err := opaqueIn.Receive(ctx, job)
				if err != nil {
					return err
				}
				job.Headline("n", o.N)
				return nil
			}), nil
		})
	pipeline.RegisterIn(env, pipeline.Spec{Name: "summary", Group: pipeline.SinkGroup, Summary: "reads the manifest of an upstream stage", Inputs: []pipeline.Port{upIn}},
		func(struct{}) (pipeline.Stage, error) {
			return pipeline.StageFunc(func(ctx context.Context, job *pipeline.Job) error {
				if _, err := upIn.Receive(ctx, job); err != nil {
					return err
				}
				m, err := job.UpstreamManifest(ctx, "c")
				if err != nil {
					return err
				}
				job.Headline("c_seconds_known", m.Seconds >= 0)
				job.Headline("c_kind", m.Kind)
				return nil
			}), nil
		})
	return env
}

func TestStageMisbehaviour(t *testing.T) {
	env := extraEnv(t)
	for how, want := range map[string]string{
		"twice":    `stage "m" (misbehave): pipeline: value output "v" of stage "m" sent twice`,
		"never":    `stage "m" (misbehave): Run returned without sending value output "v"`,
		"panic":    `stage "m" (misbehave): panic: oops`,
		"escape":   `stage m: output path "../outside.txt" leaves the pipeline directory (..): want a relative path inside the pipeline directory`,
		"upstream": `UpstreamManifest("other"): not upstream of stage m`,
		"foreign":  `panic: pipeline: stage "m" (kind misbehave) has no input port "in" declared by this variable`,
	} {
		t.Run(how, func(t *testing.T) {
			path := pipelinetest.WriteFile(t, t.TempDir(), fmt.Sprintf(`
			version: 1
			pipelines:
			  p:
			    stages:
			      m: {kind: misbehave, with: {how: %s}}
			`, how))
			_, _, err := run(t, env, path, pipeline.Selection{})
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("err = %v, want it to contain %q", err, want)
			}
		})
	}
}

func TestPartialReaderIsDrained(t *testing.T) {
	env := extraEnv(t)
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      gen:  {kind: test-gen, with: {n: 1000}}
	      head: {kind: head, in: {in: gen.out}, buffer: {in: 1}}
	      sum:  {kind: test-sum, in: {in: scaled.out}}
	      scaled: {kind: test-scale, in: {in: gen.out}}
	`)
	ran, _, res := mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "ran", ran, []string{"gen", "head", "sum", "scaled"})
	if got := headline(t, res, "sum", "count"); got != 1000.0 {
		t.Errorf("sum saw %v items, want 1000 (the other consumer stopped early)", got)
	}
}

func TestUncachedValueReruns(t *testing.T) {
	env := extraEnv(t)
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    params: {tag: 0}
	    stages:
	      src: {kind: opaque-src}
	      use: {kind: opaque-use, in: {o: src.o}, with: {tag: ${tag}}}
	`)
	mustRun(t, env, path, pipeline.Selection{})
	ran, why, res := mustRun(t, env, path, pipeline.Selection{}, "tag=1")
	sameSet(t, "ran", ran, []string{"src", "use"})
	if want := "re-run to feed value src.o to use (no codec for pipeline_test.opaque, value not cached)"; why["src"] != want {
		t.Errorf("src reason %q, want %q", why["src"], want)
	}
	if got := headline(t, res, "use", "n"); got != 7.0 {
		t.Errorf("n = %v", got)
	}
	_, _, err := run(t, env, path, pipeline.Selection{Only: []string{"use"}}, "tag=2")
	if err == nil || !strings.Contains(err.Error(), "use --from src") {
		t.Errorf("--only use: err = %v", err)
	}
}

func TestUpstreamManifest(t *testing.T) {
	env := extraEnv(t)
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      c: {kind: test-const, with: {value: 1}}
	      a: {kind: test-add, in: {x: c.value}}
	      s: {kind: summary, in: {x: a.y}}
	`)
	_, _, res := mustRun(t, env, path, pipeline.Selection{})
	if headline(t, res, "s", "c_kind") != "test-const" || headline(t, res, "s", "c_seconds_known") != true {
		t.Errorf("summary headline %v", res.Stages[2].Headline())
	}
	// Again with c cached.
	_, _, res = mustRun(t, env, path, pipeline.Selection{From: []string{"s"}})
	if headline(t, res, "s", "c_kind") != "test-const" {
		t.Errorf("summary headline with c cached %v", res.Stages[2].Headline())
	}
}

func TestCorruptCacheIsReported(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, chainYAML)
	_, _, res := mustRun(t, env, path, pipeline.Selection{})
	m := res.Stages[1].Manifest // b
	value := filepath.Join(dir, "runs", "chain", pipeline.StagesDir, "b", m.Data, "values", "y", "value.json")
	if err := os.WriteFile(value, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The size changed: the plan notices and reruns b.
	_, why, _ := mustRun(t, env, path, pipeline.Selection{From: []string{"a2"}})
	if why["b"] != "artifact values/y/value.json missing or changed" {
		t.Errorf("b reason %q", why["b"])
	}
	// Same size, wrong content, new time: the recorded SHA-256 differs, so
	// the plan reruns b.
	m2, err := pipeline.ReadManifest(filepath.Join(dir, "runs", "chain", pipeline.StagesDir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	value = filepath.Join(dir, "runs", "chain", pipeline.StagesDir, "b", m2.Data, "values", "y", "value.json")
	b, _ := os.ReadFile(value)
	os.WriteFile(value, []byte(strings.Repeat("x", len(b))), 0o644)
	for _, a := range m2.Artifacts {
		if a.Path == "values/y/value.json" {
			os.Chtimes(value, time.Now(), time.Unix(0, a.MTime+1e9))
		}
	}
	_, why, _ = mustRun(t, env, path, pipeline.Selection{From: []string{"a2"}})
	if why["b"] != "artifact values/y/value.json missing or changed" {
		t.Errorf("b reason %q after a same-size edit", why["b"])
	}
	// Same size, wrong content and the recorded time restored (the fast
	// path trusts it): the load fails with a hint.
	m3, err := pipeline.ReadManifest(filepath.Join(dir, "runs", "chain", pipeline.StagesDir, "b"))
	if err != nil {
		t.Fatal(err)
	}
	value = filepath.Join(dir, "runs", "chain", pipeline.StagesDir, "b", m3.Data, "values", "y", "value.json")
	b, _ = os.ReadFile(value)
	os.WriteFile(value, []byte(strings.Repeat("x", len(b))), 0o644)
	for _, a := range m3.Artifacts {
		if a.Path == "values/y/value.json" {
			os.Chtimes(value, time.Now(), time.Unix(0, a.MTime))
		}
	}
	_, _, err = run(t, env, path, pipeline.Selection{From: []string{"a2"}})
	if err == nil || !strings.Contains(err.Error(), `stage "b" (test-add): load cached value b.y`) || !strings.Contains(err.Error(), "use --from b") {
		t.Errorf("err = %v", err)
	}
}

func TestExecuteOnce(t *testing.T) {
	env := testEnv()
	path := pipelinetest.WriteFile(t, t.TempDir(), chainYAML)
	cfg, _ := pipeline.ParseFile(path)
	g, err := env.Compile(cfg, pipeline.CompileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := g.Plan(pipeline.Selection{})
	if _, err := p.Execute(context.Background(), pipeline.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Execute(context.Background(), pipeline.ExecOptions{}); err == nil {
		t.Error("a plan executed twice")
	}
}

func TestRegisterPanics(t *testing.T) {
	type good struct {
		N int `pipeline:"n"`
	}
	n := []pipeline.Setting{{Name: "n", Type: pipeline.Int}}
	cases := map[string]func(env *pipeline.Environment){
		"duplicate kind": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: n}, func(good) (pipeline.Stage, error) { return nil, nil })
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: n}, func(good) (pipeline.Stage, error) { return nil, nil })
		},
		"bad name": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "X_y", Group: pipeline.SourceGroup, Summary: "x"}, func(struct{}) (pipeline.Stage, error) { return nil, nil })
		},
		"no summary": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup}, func(struct{}) (pipeline.Stage, error) { return nil, nil })
		},
		"setting without field": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: n}, func(struct{}) (pipeline.Stage, error) { return nil, nil })
		},
		"field without tag": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: n}, func(struct{ N int }) (pipeline.Stage, error) { return nil, nil })
		},
		"wrong field type": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: n}, func(struct {
				N string `pipeline:"n"`
			}) (pipeline.Stage, error) {
				return nil, nil
			})
		},
		"bad default": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: []pipeline.Setting{{Name: "n", Type: pipeline.Int, Default: "ten"}}},
				func(good) (pipeline.Stage, error) { return nil, nil })
		},
		"default out of range": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SourceGroup, Summary: "x", Settings: []pipeline.Setting{{Name: "n", Type: pipeline.Int, Default: 0, Range: pipeline.AtLeast(1)}}},
				func(good) (pipeline.Stage, error) { return nil, nil })
		},
		"duplicate port": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SinkGroup, Summary: "x", Inputs: []pipeline.Port{headIn, headIn}}, func(struct{}) (pipeline.Stage, error) { return nil, nil })
		},
		"output as input": func(env *pipeline.Environment) {
			pipeline.RegisterIn(env, pipeline.Spec{Name: "x", Group: pipeline.SinkGroup, Summary: "x", Inputs: []pipeline.Port{headOut}}, func(struct{}) (pipeline.Stage, error) { return nil, nil })
		},
		"duplicate codec": func(env *pipeline.Environment) {
			env.RegisterCodec(pipeline.JSONCodec[float64]())
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p == nil {
					t.Error("no panic")
				} else if !strings.HasPrefix(fmt.Sprint(p), "pipeline: ") {
					t.Errorf("panic %q lacks the package prefix", p)
				}
			}()
			f(pipeline.NewEnvironment())
		})
	}
}

func TestSubstitution(t *testing.T) {
	env := testEnv()
	cfg, err := pipeline.Parse("subst.yaml", []byte(pipelinetest.Dedent(`
	version: 1
	pipelines:
	  p:
	    params: {task: xor, n: 3, rate: 0.25, taus: [1, 2.5]}
	    stages:
	      a: {kind: test-typed, with: {task: ${task}, count: ${n}, rate: ${rate}, taus: ${taus}, weights: {"cost-${n}": ${n}, lit: 2}}}
	      b:
	        kind: test-typed
	        with:
	          task: "${task}"
	          timeout: ${n}m$$
	`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Lint(cfg); err == nil || !strings.Contains(err.Error(), `subst.yaml:11:20: setting timeout: want duration (like "90s" or "1m30s"), got "3m$"`) {
		t.Fatalf("lint: %v", err)
	}
	if _, err := env.Compile(cfg, pipeline.CompileOptions{Set: []string{"n=4", "taus=[3]"}, Workspace: t.TempDir()}); err == nil {
		t.Fatal("compile succeeded with a bad duration")
	}
	// Whole-value references keep their type, keys are literal, --set values
	// are YAML.
	cfg, _ = pipeline.Parse("subst.yaml", []byte(pipelinetest.Dedent(`
	version: 1
	pipelines:
	  p:
	    params: {task: xor, n: 3, rate: 0.25, taus: [1, 2.5]}
	    stages:
	      a: {kind: test-typed, with: {task: ${task}, count: ${n}, rate: ${rate}, taus: ${taus}, weights: {"cost-${n}": ${n}, lit: 2}}}
	`)))
	g, err := env.Compile(cfg, pipeline.CompileOptions{Set: []string{"n=4", "taus=[3]"}, Workspace: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(g.Node("a").Settings)
	want := "map[count:4 rate:0.25 task:xor taus:[3] timeout:1m0s verbose:false weights:map[cost-${n}:4 lit:2]]"
	if got != want {
		t.Errorf("settings\n got  %s\n want %s", got, want)
	}
}

func TestRecvAfterUpstreamFailure(t *testing.T) {
	env := extraEnv(t)
	path := pipelinetest.WriteFile(t, t.TempDir(), `
	version: 1
	pipelines:
	  p:
	    stages:
	      bad:  {kind: misbehave, with: {how: never}}
	      sum:  {kind: summary, in: {x: bad.v}}
	`)
	_, res, err := run(t, env, path, pipeline.Selection{})
	if err == nil || !strings.Contains(err.Error(), `stage "bad"`) {
		t.Fatalf("err = %v", err)
	}
	for _, s := range res.Stages {
		if s.Stage == "sum" && !errors.Is(s.Err, pipeline.ErrUpstreamFailed) && !errors.Is(s.Err, context.Canceled) {
			t.Errorf("consumer error %v, want ErrUpstreamFailed or cancellation", s.Err)
		}
	}
}
