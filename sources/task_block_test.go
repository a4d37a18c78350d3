package sources

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// dmsYAML is a delayed match-to-sample declaration, indented as an entry
// of a tasks: mapping.
const dmsYAML = `
    T: 200
    params: {on: 20, dur: 20, delay: 40}
    inputs: [a]
    label:
      - {name: match, value: 1, p: 0.5}
      - {name: nonmatch, value: -1, p: 0.5}
    conditions:
      - {name: s1, values: [1, -1], p: [0.5, 0.5]}
      - {name: s2, value: "if(label == match, s1, -s1)"}
    events:
      - {input: a, onset: on, duration: dur, amplitude: s1}
      - {input: a, onset: on + dur + delay, duration: dur, amplitude: s2}
    target:
      - {from: 120, value: label}
    score:
      rate: {from: 130, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}
      spiking: {from: 0.65, rules: {match: {rule: max-above, threshold: 0.7}, nonmatch: {rule: min-below, threshold: -0.7}}}`

// lintFile writes the files (name → content) into a temporary directory
// and lints the first, p.yaml, in the default environment.
func lintFile(t *testing.T, files map[string]string) error {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := pipeline.ParseFile(filepath.Join(dir, "p.yaml"))
	if err != nil {
		return err
	}
	return pipeline.Default().Lint(cfg)
}

const stagesYAML = `
pipelines:
  p:
    stages:
      task: {kind: task, with: {task: go-nogo}}
`

// TestTasksBlock checks the tasks: block: inline declarations and a task
// file are read, and each problem with the block or a declaration is one
// error at its position, in the pipeline file or the task file.
func TestTasksBlock(t *testing.T) {
	good := "version: 1\ntasks:\n  file: more.yaml\n  dms:" + dmsYAML + stagesYAML
	more := "tasks:\n  dms2:" + dmsYAML + "\n"
	if err := lintFile(t, map[string]string{"p.yaml": good, "more.yaml": more}); err != nil {
		t.Fatalf("good file: %v", err)
	}
	for _, c := range []struct {
		name string
		p    string // replaces the pipeline file when set
		more string // replaces the task file when set
		want string // the one error, after the directory
	}{
		{name: "not a mapping", p: "version: 1\ntasks: [dms]" + stagesYAML,
			want: "p.yaml:2:8: tasks: want a mapping of task names to declarations (or file: a task file), got list"},
		{name: "built-in name", p: strings.Replace(good, "  dms:", "  xor:", 1),
			want: `p.yaml:4:3: tasks: "xor" is a built-in task; declare the task under another name`},
		{name: "bad name", p: strings.Replace(good, "  dms:", "  \"d m s\":", 1),
			want: `p.yaml:4:3: tasks: task name "d m s": want letters, digits and _ . + - (not first)`},
		{name: "declared twice", more: strings.Replace(more, "dms2:", "dms:", 1),
			want: `p.yaml:4:3: tasks: task "dms" is declared twice (also at `},
		{name: "file not a string", p: strings.Replace(good, "file: more.yaml", "file: [more.yaml]", 1),
			want: "p.yaml:3:9: tasks: file: want the path of a task file, got list"},
		{name: "missing file", p: strings.Replace(good, "file: more.yaml", "file: none.yaml", 1),
			want: "p.yaml:3:9: tasks: file: open "},
		{name: "task file field", more: "version: 1\n" + more,
			want: `more.yaml:1:1: unknown field "version" in the task file (fields: tasks)`},
		{name: "task file without tasks", more: "{}\n",
			want: `more.yaml:1:1: missing field "tasks" in the task file`},
		{name: "task file syntax", more: "tasks: {\n",
			want: "more.yaml:1:"},
		{name: "error in the task file", more: strings.Replace(more, "amplitude: s2}", "amplitude: s2 + x}", 1),
			want: `more.yaml:14:76: task dms2: events[1].amplitude: unknown variable "x"`},
		{name: "unknown field", p: strings.Replace(good, "    T: 200", "    T: 200\n    steps: 3", 1),
			want: "p.yaml:6:5: task dms: steps: unknown field (fields: T, params, inputs, label, conditions, events, target, score)"},
		{name: "missing field", p: strings.Replace(good, "      - {from: 120, value: label}", "      - {from: 120}", 1),
			want: `p.yaml:18:9: task dms: target[0]: missing field "value"`},
		{name: "rule for an unknown label", p: strings.Replace(good, "rate: {from: 130, rules: {match:", "rate: {from: 130, rules: {other:", 1),
			want: `p.yaml:20:33: task dms: score.rate.rules.other: unknown label "other" (labels: match, nonmatch)`},
		{name: "column in a quoted expression", p: strings.Replace(good, `"if(label == match, s1, -s1)"`, `"if(label == match, s3, -s1)"`, 1),
			want: `p.yaml:13:47: task dms: conditions[1].value: unknown variable "s3"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, m := good, more
			if c.p != "" {
				p = c.p
			}
			if c.more != "" {
				m = c.more
			}
			err := lintFile(t, map[string]string{"p.yaml": p, "more.yaml": m})
			ds, ok := err.(pipeline.Diagnostics)
			if !ok || len(ds) != 1 {
				t.Fatalf("want one diagnostic, got %v", err)
			}
			got := ds[0].String()
			if i := strings.LastIndex(got[:strings.Index(got, ".yaml:")], "/"); i >= 0 {
				got = got[i+1:]
			}
			if !strings.HasPrefix(got, c.want) {
				t.Errorf("got  %s\nwant %s…", got, c.want)
			}
		})
	}
}
