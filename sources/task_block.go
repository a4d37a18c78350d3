package sources

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/tasks"
)

// TasksBlock is the file-level block that declares tasks (tasks.Decl) by
// name, which the task and task-trials kinds then accept as their task:
//
//	tasks:
//	  file: tasks.yaml   # optional: the tasks of a task file (its own tasks: mapping)
//	  dms:               # a task declared inline
//	    T: 200
//	    ...
//
// A task file is a YAML file with one field, tasks:, a mapping of
// declarations, relative to the pipeline file. Lint checks every
// declaration (tasks.Decl.Compile) and reports each problem at its
// file:line:col, in the pipeline file or the task file.
const TasksBlock = "tasks"

// taskNameRE is what a declared task may be called: it names the task in
// tables, figures and model files.
var taskNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]*$`)

func init() {
	pipeline.RegisterBlock(pipeline.Block{
		Name:    TasksBlock,
		Level:   pipeline.FileBlock,
		Summary: "tasks declared in YAML (inline, or the tasks of a task file named by file:), by name",
		Check: func(c *pipeline.Config, _ *pipeline.PipelineConfig, v *pipeline.FileValue) pipeline.Diagnostics {
			entries, ds := declaredTasks(c, v)
			for _, name := range sortedKeys(entries) {
				if d, ok := checkDecl(name, entries[name]); !ok {
					ds = append(ds, d)
				}
			}
			return ds
		},
		Entries: func(c *pipeline.Config, v *pipeline.FileValue) map[string]*pipeline.FileValue {
			entries, _ := declaredTasks(c, v)
			return entries
		},
	})
}

func sortedKeys(m map[string]*pipeline.FileValue) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// declaredTasks reads the declarations of a tasks: block, inline and from
// its task file, and the problems with the block itself (not with the
// declarations: checkDecl's).
func declaredTasks(c *pipeline.Config, v *pipeline.FileValue) (map[string]*pipeline.FileValue, pipeline.Diagnostics) {
	var ds pipeline.Diagnostics
	m, ok := v.V.(*pipeline.FileMapping)
	if !ok {
		return nil, pipeline.Diagnostics{{Pos: v.Pos, Msg: "tasks: want a mapping of task names to declarations (or file: a task file), got " + v.Describe()}}
	}
	entries := map[string]*pipeline.FileValue{}
	builtin := tasks.Names()
	add := func(name string, keyPos pipeline.Pos, e *pipeline.FileValue) {
		switch {
		case slices.Contains(builtin, name):
			ds = append(ds, pipeline.Diagnostic{Pos: keyPos, Msg: fmt.Sprintf("tasks: %q is a built-in task; declare the task under another name", name)})
		case !taskNameRE.MatchString(name):
			ds = append(ds, pipeline.Diagnostic{Pos: keyPos, Msg: fmt.Sprintf("tasks: task name %q: want letters, digits and _ . + - (not first)", name)})
		case entries[name] != nil:
			ds = append(ds, pipeline.Diagnostic{Pos: keyPos, Msg: fmt.Sprintf("tasks: task %q is declared twice (also at %s)", name, entries[name].Pos)})
		default:
			entries[name] = e
		}
	}
	for _, k := range m.Keys {
		if k != "file" {
			add(k, m.KeyPos[k], m.Values[k])
			continue
		}
		fv := m.Values[k]
		path, isStr := fv.V.(string)
		if !isStr || path == "" {
			ds = append(ds, pipeline.Diagnostic{Pos: fv.Pos, Msg: "tasks: file: want the path of a task file, got " + fv.Describe()})
			continue
		}
		fileTasks, err := readTaskFile(c, path)
		if err != nil {
			var fds pipeline.Diagnostics
			if errors.As(err, &fds) {
				ds = append(ds, fds...)
			} else {
				ds = append(ds, pipeline.Diagnostic{Pos: fv.Pos, Msg: "tasks: file: " + err.Error()})
			}
			continue
		}
		fm := fileTasks.V.(*pipeline.FileMapping)
		for _, name := range fm.Keys {
			add(name, fm.KeyPos[name], fm.Values[name])
		}
	}
	return entries, ds
}

// readTaskFile reads a task file: a mapping with one field, tasks:, whose
// value is a mapping. Its problems are Diagnostics in the task file, or an
// error reading it.
func readTaskFile(c *pipeline.Config, path string) (*pipeline.FileValue, error) {
	full, name := path, path // name: as messages show it, beside the pipeline file's name
	if !filepath.IsAbs(path) {
		full, name = filepath.Join(c.Dir, path), filepath.Join(filepath.Dir(c.Path), path)
	}
	src, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	v, err := pipeline.ParseValue(name, src)
	if err != nil {
		return nil, err
	}
	top, ok := v.V.(*pipeline.FileMapping)
	if !ok {
		return nil, pipeline.Diagnostics{{Pos: v.Pos, Msg: "a task file is a mapping with one field, tasks:, got " + v.Describe()}}
	}
	var ds pipeline.Diagnostics
	for _, k := range top.Keys {
		if k != "tasks" {
			ds = append(ds, pipeline.Diagnostic{Pos: top.KeyPos[k], Msg: fmt.Sprintf("unknown field %q in the task file (fields: tasks)", k)})
		}
	}
	t := top.Values["tasks"]
	switch {
	case t == nil:
		ds = append(ds, pipeline.Diagnostic{Pos: v.Pos, Msg: `missing field "tasks" in the task file`})
	case !isMapping(t):
		ds = append(ds, pipeline.Diagnostic{Pos: t.Pos, Msg: "tasks: want a mapping of task names to declarations, got " + t.Describe()})
	}
	if len(ds) > 0 {
		return nil, ds
	}
	return t, nil
}

func isMapping(v *pipeline.FileValue) bool {
	_, ok := v.V.(*pipeline.FileMapping)
	return ok
}

// declOf reads and compiles the declaration of task name from its entry.
func declOf(name string, e *pipeline.FileValue) (*tasks.Declared, error) {
	d, err := tasks.DeclFromValue(name, e.Plain())
	if err != nil {
		return nil, err
	}
	return d.Compile()
}

// checkDecl checks the declaration of task name, returning its first
// problem at the position of the field it is in.
func checkDecl(name string, e *pipeline.FileValue) (pipeline.Diagnostic, bool) {
	_, err := declOf(name, e)
	if err == nil {
		return pipeline.Diagnostic{}, true
	}
	var de *tasks.DeclError
	if !errors.As(err, &de) {
		return pipeline.Diagnostic{Pos: e.Pos, Msg: fmt.Sprintf("task %s: %v", name, err)}, false
	}
	pos, colKnown := declPos(e, de)
	msg := de.Error()
	if colKnown {
		msg = de.Msg
		if f := de.Field(); f != "" {
			msg = f + ": " + msg
		}
	}
	return pipeline.Diagnostic{Pos: pos, Msg: fmt.Sprintf("task %s: %s", name, msg)}, false
}

// declPos finds the position of a DeclError's field in the entry: the
// value (the character the error names, for an expression written as a
// string), the key for a field whose value is a mapping or a list or an
// unknown field, or the deepest enclosing value when the field is missing.
// colKnown says whether the position includes the expression's column.
func declPos(e *pipeline.FileValue, de *tasks.DeclError) (pos pipeline.Pos, colKnown bool) {
	cur := e
	pos = e.Pos
	for i, p := range de.Path {
		last := i == len(de.Path)-1
		switch k := p.(type) {
		case string:
			m, ok := cur.V.(*pipeline.FileMapping)
			if !ok || m.Values[k] == nil {
				return pos, false
			}
			cur = m.Values[k]
			pos = cur.Pos
			if last && (strings.HasPrefix(de.Msg, "unknown field") || isMapping(cur) || isList(cur)) {
				pos = m.KeyPos[k]
			}
		case int:
			l, ok := cur.V.([]*pipeline.FileValue)
			if !ok || k < 0 || k >= len(l) {
				return pos, false
			}
			cur = l[k]
			pos = cur.Pos
		}
	}
	if de.Col == 0 {
		return pos, true
	}
	switch cur.V.(type) {
	case string:
		if cur.ValueCol > 0 {
			pos.Col = cur.ValueCol + de.Col - 1
			return pos, true
		}
	case int64, float64: // a number written as such: its characters are its columns
		if pos.Col > 0 {
			pos.Col += de.Col - 1
			return pos, true
		}
	}
	return pos, false
}

func isList(v *pipeline.FileValue) bool {
	_, ok := v.V.([]*pipeline.FileValue)
	return ok
}
