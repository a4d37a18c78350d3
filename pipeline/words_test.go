package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

type wordsSettings struct {
	Lambda any `pipeline:"lambda"`
}

type wordsStage struct{}

func (wordsStage) Run(context.Context, *pipeline.Job) error { return nil }

// TestSettingWords checks a number setting that also takes words: a
// number (in range) or one of the words decodes into the any field, a
// parameter may carry either, and anything else is a lint error at its
// position, with a suggestion for a misspelt word.
func TestSettingWords(t *testing.T) {
	env := pipeline.NewEnvironment()
	var got any
	spec := pipeline.Spec{
		Name: "test-lambda", Group: pipeline.StageGroup, Summary: "takes λ or from-file",
		Settings: []pipeline.Setting{{Name: "lambda", Type: pipeline.Float, Range: pipeline.Above(0), Words: []string{"from-file"}, Doc: "λ"}},
	}
	pipeline.RegisterIn(env, spec, func(s wordsSettings) (pipeline.Stage, error) {
		got = s.Lambda
		return wordsStage{}, nil
	})
	if ts := spec.Settings[0].TypeString(); ts != "float or from-file" {
		t.Errorf("TypeString = %q", ts)
	}
	for _, c := range []struct {
		value string
		want  any
		err   string
	}{
		{"35", 35.0, ""},
		{"2.5", 2.5, ""},
		{"from-file", "from-file", ""},
		{"${lam}", 30.0, ""},
		{"-1", nil, "p.yaml:6:45: setting lambda: -1 out of range (want > 0)"},
		{"form-file", nil, `p.yaml:6:45: setting lambda: want float or from-file, got string "form-file" (did you mean "from-file"?)`},
		{"true", nil, "p.yaml:6:45: setting lambda: want float or from-file, got bool true"},
	} {
		src := "version: 1\npipelines:\n  p:\n    params: {lam: 30}\n    stages:\n      s: {kind: test-lambda, with: {lambda: " + c.value + "}}\n"
		cfg, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		_, err = env.Compile(cfg, pipeline.CompileOptions{Pipeline: "p", Workspace: t.TempDir()})
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("lambda: %s: error %v, want %q", c.value, err, c.err)
			}
		case err != nil:
			t.Errorf("lambda: %s: %v", c.value, err)
		case got != c.want:
			t.Errorf("lambda: %s: decoded %#v, want %#v", c.value, got, c.want)
		}
	}

	// A word setting must decode into any.
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "decodes into any") {
			t.Errorf("registering a float64 field for a word setting: %v", r)
		}
	}()
	spec.Name = "test-lambda-float"
	pipeline.RegisterIn(env, spec, func(s struct {
		Lambda float64 `pipeline:"lambda"`
	}) (pipeline.Stage, error) {
		return wordsStage{}, nil
	})
}
