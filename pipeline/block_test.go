package pipeline_test

import (
	"context"
	"fmt"
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

// TestBlockSetting checks a setting with [pipeline.Setting.Block]: a OneOf
// value decodes with no entry, an entry of the file-level block decodes
// with it, any other value is an error naming both, and the entry is part
// of the cache key (a change to it, and only to it, changes the key).
func TestBlockSetting(t *testing.T) {
	env := testEnv()
	env.RegisterBlock(pipeline.Block{Name: "things", Level: pipeline.FileBlock})
	var got []pipeline.Named
	type settings struct {
		Thing pipeline.Named `pipeline:"thing"`
	}
	pipeline.RegisterIn(env, pipeline.Spec{
		Name: "test-thing", Group: pipeline.SourceGroup, Summary: "names a thing",
		Settings: []pipeline.Setting{{Name: "thing", Type: pipeline.String, Default: "plain", OneOf: []any{"plain"},
			Block: "things", Doc: "a built-in thing or one of the file's things"}},
	}, func(s settings) (pipeline.Stage, error) {
		got = append(got, s.Thing)
		return pipeline.StageFunc(func(context.Context, *pipeline.Job) error { return nil }), nil
	})
	compile := func(src string) (*pipeline.Graph, error) {
		t.Helper()
		cfg, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return env.Compile(cfg, pipeline.CompileOptions{Workspace: t.TempDir()})
	}
	const file = `version: 1
things:
  a: {size: 1}
  b: {size: 2}
pipelines:
  p:
    stages:
      x: {kind: test-thing, with: {thing: %s}}
`
	g, err := compile(fmt.Sprintf(file, "plain"))
	if err != nil {
		t.Fatal(err)
	}
	plainKey := g.Node("x").Key
	if len(got) != 1 || got[0].Name != "plain" || got[0].Entry != nil {
		t.Fatalf("plain: decoded %+v", got)
	}
	g, err = compile(fmt.Sprintf(file, "a"))
	if err != nil {
		t.Fatal(err)
	}
	aKey := g.Node("x").Key
	if e := got[len(got)-1]; e.Name != "a" || e.Entry == nil || e.Entry.Pos.Line != 3 ||
		e.Entry.Plain().(map[string]any)["size"] != int64(1) {
		t.Fatalf("a: decoded %+v", e)
	}
	if aKey == plainKey {
		t.Error("naming an entry left the key unchanged")
	}
	g, _ = compile(strings.Replace(fmt.Sprintf(file, "a"), "b: {size: 2}", "b: {size: 3}", 1))
	if g.Node("x").Key != aKey {
		t.Error("a change to another entry changed the key")
	}
	g, _ = compile(strings.Replace(fmt.Sprintf(file, "a"), "a: {size: 1}", "a: {size: 4}", 1))
	if g.Node("x").Key == aKey {
		t.Error("a change to the entry named left the key unchanged")
	}
	_, err = compile(fmt.Sprintf(file, "c"))
	if err == nil || !strings.Contains(err.Error(), `p.yaml:8:43: setting thing: "c" is not one of "plain"`) ||
		!strings.Contains(err.Error(), `nor an entry of the file's things: block (a, b)`) {
		t.Errorf("unknown entry: %v", err)
	}
}

// TestParseValue checks that a YAML file other than a pipeline file reads
// with positions, that ValueCol is the first character of a string (past
// a quote), and that the reader's bounds and syntax errors apply.
func TestParseValue(t *testing.T) {
	v, err := pipeline.ParseValue("t.yaml", []byte("a:\n  b: [x + 1, \"y * 2\", 'z']\n  c: ${keep}\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := v.V.(*pipeline.FileMapping).Values["a"].V.(*pipeline.FileMapping)
	l := m.Values["b"].V.([]*pipeline.FileValue)
	for i, want := range []struct {
		s         string
		col, vcol int
	}{{"x + 1", 7, 7}, {"y * 2", 14, 15}, {"z", 23, 24}} {
		if l[i].V != want.s || l[i].Pos.Line != 2 || l[i].Pos.Col != want.col || l[i].ValueCol != want.vcol {
			t.Errorf("b[%d] = %q at %v, ValueCol %d; want %q at 2:%d, ValueCol %d", i, l[i].V, l[i].Pos, l[i].ValueCol, want.s, want.col, want.vcol)
		}
	}
	if got := m.Values["c"].V; got != "${keep}" {
		t.Errorf("c = %v, want ${keep} as written", got)
	}
	for src, want := range map[string]string{
		"a: [1, 2\n":        "t.yaml:1:",
		"a: &x [*x]\n":      "recursive alias",
		"":                  "t.yaml:1: empty YAML file",
		"a: 1\n---\nb: 2\n": "a YAML file holds a single YAML document",
	} {
		if _, err := pipeline.ParseValue("t.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseValue(%q): %v, want …%s…", src, err, want)
		}
	}
}
