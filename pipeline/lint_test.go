package pipeline_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

var update = flag.Bool("update", false, "rewrite the golden files of the lint corpus")

func testEnv() *pipeline.Environment {
	env := pipeline.NewEnvironment()
	pipelinetest.Register(env)
	return env
}

// TestLintCorpus lints each file of testdata/lint and compares the
// diagnostics with the .golden file beside it. A file may start with
// "# set: name=value" lines: it is then also compiled with those overrides.
func TestLintCorpus(t *testing.T) {
	env := testEnv()
	files, err := filepath.Glob("testdata/lint/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			got := lintOutput(t, env, file)
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestLintCorpus -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("diagnostics differ from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func lintOutput(t *testing.T, env *pipeline.Environment, file string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var sets []string
	for _, line := range strings.Split(string(src), "\n") {
		if s, ok := strings.CutPrefix(line, "# set: "); ok {
			sets = append(sets, s)
		}
	}
	cfg, err := pipeline.ParseFile(file)
	if err != nil {
		return err.Error() + "\n"
	}
	var out strings.Builder
	if err := env.Lint(cfg); err != nil {
		out.WriteString(err.Error() + "\n")
	}
	if len(sets) > 0 {
		out.WriteString("-- compile with --set " + strings.Join(sets, " --set ") + "\n")
		if _, err := env.Compile(cfg, pipeline.CompileOptions{Set: sets, Workspace: t.TempDir()}); err != nil {
			out.WriteString(err.Error() + "\n")
		}
	}
	return out.String()
}

// TestCompileSelectedOnly checks that CompileOptions.SelectedOnly
// compiles the selected pipeline without checking the others, and still
// checks the selected one.
func TestCompileSelectedOnly(t *testing.T) {
	c, err := pipeline.Parse("p.yaml", []byte(`version: 1
pipelines:
  good:
    params: {n: 3}
    stages:
      gen: {kind: test-gen, with: {n: "${n}"}}
  bad:
    stages:
      gen: {kind: test-gen, with: {nn: 3}}
`))
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv()
	if _, err := env.Compile(c, pipeline.CompileOptions{Pipeline: "good"}); err == nil || !strings.Contains(err.Error(), `unknown setting "nn"`) {
		t.Fatalf("Compile: %v, want the other pipeline's problem", err)
	}
	g, err := env.Compile(c, pipeline.CompileOptions{Pipeline: "good", SelectedOnly: true, Set: []string{"n=5"}})
	if err != nil {
		t.Fatalf("Compile with SelectedOnly: %v", err)
	}
	if g.Params["n"] != int64(5) {
		t.Errorf("params %v, want n = 5", g.Params)
	}
	if _, err := env.Compile(c, pipeline.CompileOptions{Pipeline: "good", SelectedOnly: true, Set: []string{"n=-1"}}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Errorf("Compile with SelectedOnly and n = -1: %v, want the selected pipeline checked", err)
	}
}
