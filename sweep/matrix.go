package sweep

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spikernn/spikernn/pipeline"
)

// BlockName is the pipeline field that holds a sweep.
const BlockName = "sweep"

// DefaultMaxPoints is the number of points above which a sweep is refused
// unless the limit is raised (runpipe run --max-points).
const DefaultMaxPoints = 1000

// lintExpandLimit is the number of combinations above which lint does not
// expand the matrix (to look for duplicate points); the run refuses such a
// matrix anyway unless its limit is raised.
const lintExpandLimit = 100_000

// maxRangeValues bounds one range axis, so that a typo ({from: 1, to: 1e9})
// is refused before anything is allocated.
const maxRangeValues = 1_000_000

func init() {
	pipeline.RegisterBlock(pipeline.Block{
		Name:    BlockName,
		Level:   pipeline.PipelineBlock,
		Summary: "run the pipeline over a matrix of param values, one point per combination (package sweep)",
		Doc:     blockDoc,
		Check: func(c *pipeline.Config, p *pipeline.PipelineConfig, v *pipeline.FileValue) pipeline.Diagnostics {
			params := map[string]any{}
			for _, prm := range p.Params {
				params[prm.Name] = prm.Value()
			}
			_, ds := parse(c, p, v, params, 0)
			return ds
		},
	})
}

// blockDoc documents the sweep block for runpipe stages.
var blockDoc = fmt.Sprintf(`sweep:
  axes:                       # one axis per param of the pipeline, in this order
    N: [100, 200]             # a list of values (any param type: taus: [[4, 10], [4, 20]])
    seed: {from: 1, to: 20}   # a range, step 1 unless step: is given; ${param} allowed
    model: {files: "models/*.mat"}  # every file the glob matches (relative to the file)
  exclude: [{N: 100, seed: 3}]      # drop the points that match every value given
  include: [{N: 400, seed: 1}]      # a point of its own; or, with params that are not axes,
                                    # those values added to the points its axis values match
Every combination of the axes' values is a point: a full run of the pipeline with those
params, in <workspace>/<pipeline>/<point>/, named by its values in axis order
(N=200,seed=3). runpipe run runs the points that are not up to date (--jobs at once,
--shard I/N for a deterministic part), runpipe status counts them, runpipe aggregate
writes sweep.parquet, sweep_lambda.parquet and the figures. A matrix of more than
%d points is refused unless --max-points is raised.`, DefaultMaxPoints)

// A Matrix is a sweep block resolved against a pipeline's params: its axes
// and its points.
type Matrix struct {
	// Axes are in file order.
	Axes []*Axis
	// Points are sorted by name.
	Points []*Point
	// Combinations is the number of points the axes make before exclude
	// and include.
	Combinations int
}

// An Axis is a param swept over values.
type Axis struct {
	Name string
	Pos  pipeline.Pos
	// Values are in the order written (ranges ascending or as stepped,
	// files sorted by path).
	Values []Value
	// Files reports an axis of files ({files: GLOB}).
	Files bool
}

// A Value is one value of an axis or of an include entry.
type Value struct {
	// V is the param's value: nil, int64, float64, string, bool or []any.
	V any
	// Label is the value in the point's name: "200", "sigmoid", "4_20",
	// a file's base name without extension.
	Label string
	Pos   pipeline.Pos
}

// A Point is one run of the pipeline.
type Point struct {
	// Name is made of the point's axis values in axis order,
	// "N=200,seed=3": stable, readable and a safe directory name.
	Name string
	// Params are the values the point sets, axes first in axis order and
	// then the params an include entry adds.
	Params []string
	Values map[string]Value
}

// Value returns the point's value of param name and whether it sets it.
func (pt *Point) Value(name string) (Value, bool) {
	v, ok := pt.Values[name]
	return v, ok
}

// Overrides returns the point's values as the pipeline's typed overrides.
func (pt *Point) Overrides() []pipeline.Override {
	out := make([]pipeline.Override, 0, len(pt.Params))
	for _, name := range pt.Params {
		v := pt.Values[name]
		out = append(out, pipeline.Override{Name: name, Value: v.V, Pos: v.Pos, Origin: "sweep point " + pt.Name})
	}
	return out
}

// labelRE is what a value may look like in a point's (directory) name.
var labelRE = regexp.MustCompile(`^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$`)

// diags collects diagnostics.
type diags struct{ ds pipeline.Diagnostics }

func (d *diags) add(pos pipeline.Pos, format string, args ...any) {
	d.ds = append(d.ds, pipeline.Diagnostic{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// parse reads the sweep block v of pipeline p, with ${name} references
// resolved from params. maxPoints > 0 refuses a matrix of more points;
// 0 (lint) checks what can be checked without a limit.
func parse(c *pipeline.Config, p *pipeline.PipelineConfig, v *pipeline.FileValue, params map[string]any, maxPoints int) (*Matrix, pipeline.Diagnostics) {
	var d diags
	var paramNames []string
	for _, prm := range p.Params {
		paramNames = append(paramNames, prm.Name)
	}
	where := "pipeline " + p.Name + ": sweep"
	v = substitute(v, params, paramNames, &d)
	top, ok := v.V.(*pipeline.FileMapping)
	if !ok {
		d.add(v.Pos, "%s: want a mapping with axes (and optionally include, exclude), got %s", where, v.Describe())
		return nil, d.ds
	}
	fields := []string{"axes", "exclude", "include"}
	for _, k := range top.Keys {
		if !slices.Contains(fields, k) {
			d.add(top.KeyPos[k], "%s: unknown field %q%s (fields: %s)", where, k, pipeline.DidYouMean(k, fields), strings.Join(fields, ", "))
		}
	}
	m := &Matrix{}
	axesV := top.Values["axes"]
	axesMap, ok := mappingOf(axesV)
	switch {
	case axesV == nil:
		d.add(v.Pos, "%s: no axes (want axes: {param: [values…], …})", where)
		return nil, d.ds
	case !ok:
		d.add(axesV.Pos, "%s.axes: want a mapping of params to values, got %s", where, axesV.Describe())
		return nil, d.ds
	case len(axesMap.Keys) == 0:
		d.add(axesV.Pos, "%s.axes: empty (name at least one param)", where)
		return nil, d.ds
	}
	for _, name := range axesMap.Keys {
		pos := axesMap.KeyPos[name]
		if !slices.Contains(paramNames, name) {
			d.add(pos, "%s: axis %q names no param of pipeline %s%s (params: %s)", where, name, p.Name, pipeline.DidYouMean(name, paramNames), listOrNone(paramNames))
			continue
		}
		if ax := readAxis(c, where, name, pos, axesMap.Values[name], maxPoints == 0, &d); ax != nil {
			m.Axes = append(m.Axes, ax)
		}
	}
	if len(d.ds) > 0 {
		return nil, d.ds
	}
	for _, ax := range m.Axes {
		if len(ax.Values) == 0 {
			return m, nil // lint, and a glob matching no file: the run says so
		}
	}
	count := 1
	for _, ax := range m.Axes {
		if count > math.MaxInt32/max(1, len(ax.Values)) {
			count = math.MaxInt32
			break
		}
		count *= len(ax.Values)
	}
	m.Combinations = count
	if maxPoints > 0 && count > maxPoints {
		d.add(axesV.Pos, "%s: the axes make %d points, above the limit of %d (raise it with --max-points %d if you mean it)", where, count, maxPoints, count)
		return nil, d.ds
	}
	if maxPoints == 0 && count > lintExpandLimit {
		return m, nil // the run refuses it unless its limit is raised
	}
	// The combinations, in axis order (the last axis varies fastest).
	var points []*Point
	idx := make([]int, len(m.Axes))
	for range count {
		pt := &Point{Values: map[string]Value{}}
		for a, ax := range m.Axes {
			pt.Params = append(pt.Params, ax.Name)
			pt.Values[ax.Name] = ax.Values[idx[a]]
		}
		points = append(points, pt)
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < len(m.Axes[a].Values) {
				break
			}
			idx[a] = 0
		}
	}
	axisNames := make([]string, len(m.Axes))
	for i, ax := range m.Axes {
		axisNames[i] = ax.Name
	}
	axisOf := func(name string) *Axis {
		for _, ax := range m.Axes {
			if ax.Name == name {
				return ax
			}
		}
		return nil
	}
	// exclude: entries of axis values; every point matching all of an
	// entry's values goes.
	if ex := top.Values["exclude"]; ex != nil {
		for _, e := range entriesOf(ex, where+".exclude", &d) {
			entry := map[string]Value{}
			for _, k := range e.Keys {
				ax := axisOf(k)
				if ax == nil {
					d.add(e.KeyPos[k], "%s.exclude: %q is not an axis%s (axes: %s)", where, k, pipeline.DidYouMean(k, axisNames), strings.Join(axisNames, ", "))
					continue
				}
				if val, ok := readValue(c, ax.Files, e.Values[k], where+".exclude: "+k, &d); ok {
					entry[k] = val
				}
			}
			if len(entry) != len(e.Keys) || len(entry) == 0 {
				if len(e.Keys) == 0 {
					d.add(e.pos, "%s.exclude: empty entry", where)
				}
				continue
			}
			kept := points[:0]
			removed := 0
			for _, pt := range points {
				if matches(pt, entry) {
					removed++
					continue
				}
				kept = append(kept, pt)
			}
			points = kept
			if removed == 0 {
				d.add(e.pos, "%s.exclude: the entry matches no point", where)
			}
		}
	}
	// include: an entry whose axis values match points adds its other
	// params to them; one that matches none is a point of its own.
	if in := top.Values["include"]; in != nil {
		for _, e := range entriesOf(in, where+".include", &d) {
			match := map[string]Value{}
			var extra []string
			extraV := map[string]Value{}
			bad := false
			for _, k := range e.Keys {
				if !slices.Contains(paramNames, k) {
					d.add(e.KeyPos[k], "%s.include: %q names no param of pipeline %s%s (params: %s)", where, k, p.Name, pipeline.DidYouMean(k, paramNames), listOrNone(paramNames))
					bad = true
					continue
				}
				ax := axisOf(k)
				val, ok := readValue(c, ax != nil && ax.Files, e.Values[k], where+".include: "+k, &d)
				if !ok {
					bad = true
					continue
				}
				if ax != nil {
					match[k] = val
				} else {
					extra = append(extra, k)
					extraV[k] = val
				}
			}
			if bad {
				continue
			}
			if len(e.Keys) == 0 {
				d.add(e.pos, "%s.include: empty entry", where)
				continue
			}
			matched := 0
			if len(match) > 0 || len(extra) > 0 {
				for _, pt := range points {
					if pt.Name != "" || !matches(pt, match) { // included points are named already
						continue
					}
					matched++
					for _, k := range extra {
						if _, ok := pt.Values[k]; !ok {
							pt.Params = append(pt.Params, k)
						}
						pt.Values[k] = extraV[k]
					}
				}
			}
			switch {
			case matched > 0 && len(extra) == 0:
				d.add(e.pos, "%s.include: the entry adds nothing: its values are those of %d point(s) already (give a param that is not an axis, or a new value)", where, matched)
			case matched == 0 && len(match) == 0:
				d.add(e.pos, "%s.include: the entry names no axis and the matrix has no point", where)
			case matched == 0:
				pt := &Point{Values: map[string]Value{}}
				for _, ax := range m.Axes {
					if val, ok := match[ax.Name]; ok {
						pt.Params = append(pt.Params, ax.Name)
						pt.Values[ax.Name] = val
					}
				}
				for _, k := range extra {
					pt.Params = append(pt.Params, k)
					pt.Values[k] = extraV[k]
				}
				pt.Name = pointName(pt, append(slices.Clone(axisNames), extra...))
				points = append(points, pt)
			}
		}
	}
	if len(d.ds) > 0 {
		return nil, d.ds
	}
	seen := map[string]*Point{}
	for _, pt := range points {
		if pt.Name == "" {
			pt.Name = pointName(pt, axisNames)
		}
		if prev := seen[pt.Name]; prev != nil {
			d.add(firstPos(pt), "%s: duplicate point %s", where, pt.Name)
			continue
		}
		seen[pt.Name] = pt
	}
	if len(points) == 0 {
		d.add(v.Pos, "%s: no point left (exclude removed them all)", where)
	}
	if maxPoints > 0 && len(points) > maxPoints {
		d.add(axesV.Pos, "%s: the matrix makes %d points, above the limit of %d (raise it with --max-points %d if you mean it)", where, len(points), maxPoints, len(points))
	}
	if len(d.ds) > 0 {
		return nil, d.ds
	}
	sort.Slice(points, func(i, j int) bool { return points[i].Name < points[j].Name })
	m.Points = points
	return m, nil
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func firstPos(pt *Point) pipeline.Pos {
	for _, k := range pt.Params {
		if p := pt.Values[k].Pos; p.Line > 0 {
			return p
		}
	}
	return pipeline.Pos{}
}

// pointName joins the point's values of names, in that order.
func pointName(pt *Point, names []string) string {
	var parts []string
	for _, n := range names {
		if v, ok := pt.Values[n]; ok {
			parts = append(parts, n+"="+v.Label)
		}
	}
	return strings.Join(parts, ",")
}

// matches reports whether pt has every value of entry (by label).
func matches(pt *Point, entry map[string]Value) bool {
	for k, v := range entry {
		pv, ok := pt.Values[k]
		if !ok || pv.Label != v.Label {
			return false
		}
	}
	return true
}

func mappingOf(v *pipeline.FileValue) (*pipeline.FileMapping, bool) {
	if v == nil {
		return nil, false
	}
	m, ok := v.V.(*pipeline.FileMapping)
	return m, ok
}

type entryMap struct {
	*pipeline.FileMapping
	pos pipeline.Pos
}

// entriesOf reads a list of mappings (include, exclude).
func entriesOf(v *pipeline.FileValue, where string, d *diags) []entryMap {
	l, ok := v.V.([]*pipeline.FileValue)
	if !ok {
		d.add(v.Pos, "%s: want a list of mappings ({param: value, …}), got %s", where, v.Describe())
		return nil
	}
	var out []entryMap
	for _, e := range l {
		m, ok := mappingOf(e)
		if !ok {
			d.add(e.Pos, "%s: want a mapping {param: value, …}, got %s", where, e.Describe())
			continue
		}
		out = append(out, entryMap{m, e.Pos})
	}
	return out
}

// readAxis reads one axis: a list, a range or files.
// With lint, a files axis whose glob matches nothing has no values and no
// error: which files exist is the run's to check (the file may be linted
// away from its models).
func readAxis(c *pipeline.Config, sweepWhere, name string, pos pipeline.Pos, v *pipeline.FileValue, lint bool, d *diags) *Axis {
	where := sweepWhere + " axis " + name
	ax := &Axis{Name: name, Pos: pos}
	switch x := v.V.(type) {
	case []*pipeline.FileValue:
		if len(x) == 0 {
			d.add(v.Pos, "%s: empty list of values", where)
			return nil
		}
		for _, e := range x {
			if val, ok := readValue(c, false, e, where, d); ok {
				ax.Values = append(ax.Values, val)
			}
		}
	case *pipeline.FileMapping:
		switch {
		case slices.Contains(x.Keys, "files"):
			ax.Files = true
			for _, k := range x.Keys {
				if k != "files" {
					d.add(x.KeyPos[k], "%s: unknown field %q of a files axis (fields: files)", where, k)
				}
			}
			ax.Values = readFiles(c, where, x.Values["files"], lint, d)
		default:
			ax.Values = readRange(where, v, x, d)
		}
	default:
		d.add(v.Pos, "%s: want a list of values, a range {from, to, step} or {files: GLOB}, got %s", where, v.Describe())
		return nil
	}
	if len(d.ds) > 0 {
		return nil
	}
	seen := map[string]bool{}
	for _, val := range ax.Values {
		if seen[val.Label] {
			d.add(val.Pos, "%s: value %s listed twice (points would repeat)", where, val.Label)
			return nil
		}
		seen[val.Label] = true
	}
	return ax
}

// readValue reads an axis or entry value and makes its label.
func readValue(c *pipeline.Config, file bool, v *pipeline.FileValue, where string, d *diags) (Value, bool) {
	plain := v.Plain()
	if file {
		s, ok := plain.(string)
		if !ok {
			d.add(v.Pos, "%s: want a file path, got %s", where, v.Describe())
			return Value{}, false
		}
		return fileValue(s, v.Pos, where, d)
	}
	label, ok := labelOf(plain)
	if !ok {
		d.add(v.Pos, "%s: value %s cannot name a point: a point's directory is named by its values, which may hold letters, digits and . _ + - (and lists of them)", where, v.Describe())
		return Value{}, false
	}
	return Value{V: plain, Label: label, Pos: v.Pos}, true
}

func fileValue(path string, pos pipeline.Pos, where string, d *diags) (Value, bool) {
	base := filepath.Base(path)
	label := strings.TrimSuffix(base, filepath.Ext(base))
	if !labelRE.MatchString(label) {
		d.add(pos, "%s: file %s: its name %q cannot name a point (letters, digits and . _ + - only)", where, path, label)
		return Value{}, false
	}
	return Value{V: path, Label: label, Pos: pos}, true
}

// labelOf formats a value for a point's name, and reports whether it is
// safe there.
func labelOf(v any) (string, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return "", false
		}
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case string:
		return x, labelRE.MatchString(x)
	case []any:
		if len(x) == 0 {
			return "", false
		}
		parts := make([]string, len(x))
		for i, e := range x {
			s, ok := labelOf(e)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		return strings.Join(parts, "_"), true
	}
	return "", false
}

// readRange reads {from, to, step}.
func readRange(where string, v *pipeline.FileValue, m *pipeline.FileMapping, d *diags) []Value {
	fields := []string{"from", "to", "step"}
	for _, k := range m.Keys {
		if !slices.Contains(fields, k) {
			d.add(m.KeyPos[k], "%s: unknown field %q of a range%s (fields: from, to, step; or files)", where, k, pipeline.DidYouMean(k, append(fields, "files")))
		}
	}
	num := func(k string, def any) (any, bool) {
		fv := m.Values[k]
		if fv == nil {
			if def == nil {
				d.add(v.Pos, "%s: a range needs %s", where, k)
				return nil, false
			}
			return def, true
		}
		switch x := fv.V.(type) {
		case int64, float64:
			return x, true
		}
		d.add(fv.Pos, "%s: %s: want a number, got %s", where, k, fv.Describe())
		return nil, false
	}
	from, ok1 := num("from", nil)
	to, ok2 := num("to", nil)
	step, ok3 := num("step", int64(1))
	if !ok1 || !ok2 || !ok3 || len(d.ds) > 0 {
		return nil
	}
	f := func(x any) float64 {
		if i, ok := x.(int64); ok {
			return float64(i)
		}
		return x.(float64)
	}
	lo, hi, st := f(from), f(to), f(step)
	if st == 0 {
		d.add(m.KeyPos["step"], "%s: step is 0", where)
		return nil
	}
	n := math.Floor((hi-lo)/st+1e-9) + 1
	if n < 1 {
		d.add(v.Pos, "%s: empty range (from %v to %v by %v)", where, from, to, step)
		return nil
	}
	if n > maxRangeValues {
		d.add(v.Pos, "%s: the range has %.0f values, more than %d", where, n, maxRangeValues)
		return nil
	}
	_, i1 := from.(int64)
	_, i2 := to.(int64)
	_, i3 := step.(int64)
	ints := i1 && i2 && i3
	out := make([]Value, 0, int(n))
	for k := range int(n) {
		var x any
		if ints {
			x = from.(int64) + int64(k)*step.(int64)
		} else {
			// Rounded to 12 significant digits so that 0.1 steps name
			// points 0.3, not 0.30000000000000004.
			x, _ = strconv.ParseFloat(strconv.FormatFloat(lo+float64(k)*st, 'g', 12, 64), 64)
		}
		label, _ := labelOf(x)
		out = append(out, Value{V: x, Label: label, Pos: v.Pos})
	}
	return out
}

// readFiles expands {files: GLOB}, relative to the pipeline file's
// directory; the values are the paths as the pipeline sees them.
func readFiles(c *pipeline.Config, where string, v *pipeline.FileValue, lint bool, d *diags) []Value {
	if v == nil {
		d.add(pipeline.Pos{}, "%s: files: missing", where)
		return nil
	}
	pat, ok := v.V.(string)
	if !ok || pat == "" {
		d.add(v.Pos, "%s: files: want a glob pattern (models/*.mat), got %s", where, v.Describe())
		return nil
	}
	full := pat
	if !filepath.IsAbs(pat) {
		full = filepath.Join(c.Dir, pat)
	}
	matches, err := filepath.Glob(full)
	if err != nil {
		d.add(v.Pos, "%s: files: %q: %v", where, pat, err)
		return nil
	}
	if len(matches) == 0 && lint {
		return nil
	}
	if len(matches) == 0 {
		d.add(v.Pos, "%s: files: %q matches no file (relative to %s)", where, pat, c.Dir)
		return nil
	}
	sort.Strings(matches)
	var out []Value
	for _, mt := range matches {
		path := mt
		if !filepath.IsAbs(pat) {
			if rel, err := filepath.Rel(c.Dir, mt); err == nil {
				path = filepath.ToSlash(rel)
			}
		}
		if val, ok := fileValue(path, v.Pos, where, d); ok {
			out = append(out, val)
		}
	}
	return out
}

// substitute replaces ${name} references in the block's strings by the
// params' values: a whole-value reference keeps the param's type.
func substitute(v *pipeline.FileValue, params map[string]any, names []string, d *diags) *pipeline.FileValue {
	if v == nil {
		return nil
	}
	switch x := v.V.(type) {
	case []*pipeline.FileValue:
		l := make([]*pipeline.FileValue, len(x))
		for i, e := range x {
			l[i] = substitute(e, params, names, d)
		}
		return &pipeline.FileValue{Pos: v.Pos, V: l}
	case *pipeline.FileMapping:
		m := &pipeline.FileMapping{Keys: x.Keys, KeyPos: x.KeyPos, Values: map[string]*pipeline.FileValue{}}
		for _, k := range x.Keys {
			m.Values[k] = substitute(x.Values[k], params, names, d)
		}
		return &pipeline.FileValue{Pos: v.Pos, V: m}
	case string:
		if !strings.Contains(x, "${") {
			return v
		}
		if strings.HasPrefix(x, "${") && strings.HasSuffix(x, "}") && !strings.ContainsAny(x[2:len(x)-1], "${}") {
			name := x[2 : len(x)-1]
			pv, ok := params[name]
			if !ok {
				d.add(v.Pos, "sweep: unknown param ${%s}%s (params: %s)", name, pipeline.DidYouMean(name, names), listOrNone(names))
				return &pipeline.FileValue{Pos: v.Pos}
			}
			return fromPlain(pv, v.Pos)
		}
		var b strings.Builder
		rest := x
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				b.WriteString(rest)
				break
			}
			name := rest[i+2 : i+j]
			b.WriteString(rest[:i])
			pv, ok := params[name]
			s, scalar := pipeline.ScalarText(pv)
			switch {
			case !ok:
				d.add(v.Pos, "sweep: unknown param ${%s}%s (params: %s)", name, pipeline.DidYouMean(name, names), listOrNone(names))
			case !scalar:
				d.add(v.Pos, "sweep: ${%s} inside a string: the param is not a scalar", name)
			}
			b.WriteString(s)
			rest = rest[i+j+1:]
		}
		return &pipeline.FileValue{Pos: v.Pos, V: b.String()}
	}
	return v
}

// fromPlain makes a FileValue of a plain value, at pos.
func fromPlain(v any, pos pipeline.Pos) *pipeline.FileValue {
	switch x := v.(type) {
	case []any:
		l := make([]*pipeline.FileValue, len(x))
		for i, e := range x {
			l[i] = fromPlain(e, pos)
		}
		return &pipeline.FileValue{Pos: pos, V: l}
	case map[string]any:
		m := &pipeline.FileMapping{Values: map[string]*pipeline.FileValue{}, KeyPos: map[string]pipeline.Pos{}}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			m.Keys = append(m.Keys, k)
			m.Values[k] = fromPlain(x[k], pos)
			m.KeyPos[k] = pos
		}
		return &pipeline.FileValue{Pos: pos, V: m}
	}
	return &pipeline.FileValue{Pos: pos, V: v}
}
