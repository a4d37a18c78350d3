package pipelinetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// WriteFile writes a pipeline file named pipelines.yaml into dir (leading
// newlines and a common tab indentation removed) and returns its path.
func WriteFile(t testing.TB, dir, yaml string) string {
	t.Helper()
	path := filepath.Join(dir, "pipelines.yaml")
	if err := os.WriteFile(path, []byte(Dedent(yaml)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Dedent removes leading blank lines and the tab indentation common to all
// non-blank lines, so YAML can be written indented inside Go code.
func Dedent(s string) string {
	lines := strings.Split(strings.TrimLeft(s, "\n"), "\n")
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, "\t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			lines[i] = l[indent:]
		}
	}
	return strings.Join(lines, "\n")
}

// Run compiles the pipeline file at path in env, takes the workspace lock,
// plans sel and executes the plan, as `runpipe run` does. It returns the
// plan and the result (nil when execution did not start) and the first
// error.
func Run(ctx context.Context, env *pipeline.Environment, path string, copts pipeline.CompileOptions, sel pipeline.Selection) (*pipeline.Plan, *pipeline.Result, error) {
	cfg, err := pipeline.ParseFile(path)
	if err != nil {
		return nil, nil, err
	}
	g, err := env.Compile(cfg, copts)
	if err != nil {
		return nil, nil, err
	}
	lock, err := pipeline.LockWorkspace(ctx, g.Workspace, 0)
	if err != nil {
		return nil, nil, err
	}
	defer lock.Unlock()
	plan, err := g.Plan(sel)
	if err != nil {
		return nil, nil, err
	}
	res, err := plan.Execute(ctx, pipeline.ExecOptions{})
	return plan, res, err
}

// Ran returns the names of the stages that ran and committed in r.
func Ran(r *pipeline.Result) []string {
	var names []string
	if r == nil {
		return nil
	}
	for _, s := range r.Stages {
		if s.Committed {
			names = append(names, s.Stage)
		}
	}
	return names
}
