package pipeline_test

import (
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// TestBlocks checks that a registered block is accepted, read back with
// positions and checked by lint, and that an unregistered field is still
// an unknown field whose message lists the registered blocks.
func TestBlocks(t *testing.T) {
	env := testEnv()
	var seen []string
	env.RegisterBlock(pipeline.Block{Name: "matrix", Level: pipeline.PipelineBlock, Summary: "test axes",
		Check: func(c *pipeline.Config, p *pipeline.PipelineConfig, v *pipeline.FileValue) pipeline.Diagnostics {
			m, ok := v.V.(*pipeline.FileMapping)
			if !ok {
				return pipeline.Diagnostics{{Pos: v.Pos, Msg: "matrix: want a mapping, got " + v.Describe()}}
			}
			seen = append(seen, p.Name)
			var ds pipeline.Diagnostics
			for _, k := range m.Keys {
				if _, isList := m.Values[k].V.([]*pipeline.FileValue); !isList {
					ds = append(ds, pipeline.Diagnostic{Pos: m.Values[k].Pos, Msg: "axis " + k + ": want a list"})
				}
			}
			return ds
		}})
	env.RegisterBlock(pipeline.Block{Name: "cluster", Level: pipeline.FileBlock})
	src := `version: 1
cluster: {partition: short}
pipelines:
  a:
    params: {n: 1}
    matrix: {n: [1, 2, 3], m: 4}
    stages:
      w: {kind: test-words}
  b:
    matrx: {n: [1]}
    stages:
      w: {kind: test-words}
`
	cfg, err := pipeline.Parse("p.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = env.Lint(cfg)
	want := []string{
		`p.yaml:6:31: axis m: want a list`,
		`p.yaml:10:5: unknown field "matrx" in pipeline b (did you mean "matrix"?) (fields: description, params, stages, matrix)`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("lint:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
	if len(seen) != 1 || seen[0] != "a" {
		t.Errorf("Check called for %v, want [a]", seen)
	}
	v := cfg.Pipeline("a").Block("matrix")
	if v == nil {
		t.Fatal("Block(matrix) = nil")
	}
	if got := v.Plain().(map[string]any)["n"].([]any); len(got) != 3 || got[2] != int64(3) {
		t.Errorf("matrix n = %v", got)
	}
	n := v.V.(*pipeline.FileMapping).Values["n"].V.([]*pipeline.FileValue)[1]
	if n.Pos.Line != 6 || n.Pos.Col != 21 {
		t.Errorf("position of n[1] = %v, want 6:21", n.Pos)
	}
	if cfg.Block("cluster") == nil || cfg.Block("nothing") != nil || cfg.Pipeline("b").Block("matrix") != nil {
		t.Errorf("Block lookups wrong")
	}
	// Without the registrations the same fields are unknown.
	err = testEnv().Lint(cfg)
	if err == nil || !strings.Contains(err.Error(), `p.yaml:2:1: unknown field "cluster" in the pipeline file`) ||
		!strings.Contains(err.Error(), `p.yaml:6:5: unknown field "matrix" in pipeline a`) {
		t.Errorf("lint without blocks:\n%v", err)
	}
}

func TestRegisterBlockPanics(t *testing.T) {
	for _, b := range []pipeline.Block{
		{Name: "stages", Level: pipeline.PipelineBlock},
		{Name: "pipelines", Level: pipeline.FileBlock},
		{Name: "x", Level: 0},
		{Name: "bad name", Level: pipeline.FileBlock},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("RegisterBlock(%+v) did not panic", b)
				}
			}()
			pipeline.NewEnvironment().RegisterBlock(b)
		}()
	}
	env := pipeline.NewEnvironment()
	env.RegisterBlock(pipeline.Block{Name: "sweep", Level: pipeline.PipelineBlock})
	env.RegisterBlock(pipeline.Block{Name: "sweep", Level: pipeline.FileBlock}) // another level: fine
	defer func() {
		if recover() == nil {
			t.Error("duplicate RegisterBlock did not panic")
		}
	}()
	env.RegisterBlock(pipeline.Block{Name: "sweep", Level: pipeline.PipelineBlock})
}
