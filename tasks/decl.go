package tasks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"gonum.org/v1/gonum/mat"

	"github.com/spikernn/spikernn/tasks/internal/expr"
)

// A Decl declares a task without Go code: its length, input channels, the
// conditions a trial draws, the pulses on the channels, the target and the
// scoring of both networks. [Decl.Compile] turns it into a [Task] that
// behaves like the built-in ones; the built-in go-nogo, xor and mante,
// declared this way (testdata/builtin.yaml), give the same trials, targets
// and scores bit for bit.
//
// Numbers written as expressions (onset, duration, amplitude, a
// condition's value, a target's value, the start of a window) follow the
// language of package tasks/internal/expr: arithmetic, comparisons,
// and/or/xor/not, if(c, a, b), abs, sign, min, max, floor, ceil, round,
// randn() and rand(). They may read T, the params, label (the value of
// the trial's label), the names of the labels (their values) and the
// conditions declared before them.
//
// A trial is drawn as the built-in tasks draw theirs: first the label
// (one uniform draw u, the first label whose cumulative probability
// exceeds u), then, given the label, the conditions in order (a discrete
// condition takes one uniform draw the same way; a computed one evaluates
// its expression, whose randn() and rand() draw), then the events in
// order (onset, duration, then the amplitude: once, or column by column
// when it draws). The target depends on the label only, as the Task
// interface asks: the conditions are the stimulus's, drawn given the
// label.
type Decl struct {
	// Name is the task's name.
	Name string `json:"name"`
	// T is the number of steps of a rate trial.
	T int `json:"T"`
	// Params are named numbers the expressions may read.
	Params map[string]float64 `json:"params,omitempty"`
	// Inputs name the input channels, row by row.
	Inputs []string `json:"inputs"`
	// Label lists the trial's conditions as the networks are scored on
	// them, drawn first.
	Label []LabelDecl `json:"label"`
	// Conditions are drawn after the label, given it, in order.
	Conditions []CondDecl `json:"conditions,omitempty"`
	// Events fill the stimulus, in order; a later event on the same
	// columns of a channel replaces an earlier one.
	Events []EventDecl `json:"events"`
	// Target lists the windows where the rate target is not 0.
	Target []WindowDecl `json:"target"`
	// Score is the scoring of both networks.
	Score ScoreDecl `json:"score"`
}

// A LabelDecl is one label of a declared task.
type LabelDecl struct {
	// Name names the label in tables and figures ("match", "+1").
	Name string `json:"name"`
	// Value is the label's value: the Label, and label in expressions.
	Value int `json:"value"`
	// P is the label's probability; the probabilities sum to 1.
	P float64 `json:"p"`
}

// A CondDecl is a condition of a trial: discrete (Values with
// probabilities P) or computed (Value, an expression that may draw with
// randn() or rand()).
type CondDecl struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values,omitempty"`
	P      []float64 `json:"p,omitempty"`
	Value  string    `json:"value,omitempty"`
}

// An EventDecl sets an input channel over a span of columns.
type EventDecl struct {
	// Input names the channel.
	Input string `json:"input"`
	// When, if set, is a condition: the event happens only when it is
	// true.
	When string `json:"when,omitempty"`
	// Onset is the first column; Duration the number of columns, or, when
	// empty, every column from Onset to the end of the stimulus (T on the
	// rate side, T+1 on the spiking side).
	Onset    string `json:"onset"`
	Duration string `json:"duration,omitempty"`
	// Amplitude is the channel's value: evaluated once per trial, or once
	// per column when it draws (randn() + 0.5 * s).
	Amplitude string `json:"amplitude"`
}

// A WindowDecl is a window [From, To) of the rate target, in steps of the
// target (length T-1); an empty To runs to the end.
type WindowDecl struct {
	From  string `json:"from"`
	To    string `json:"to,omitempty"`
	Value string `json:"value"`
}

// ScoreDecl scores both networks.
type ScoreDecl struct {
	// Rate scores the rate output (length T-1) on [From, To) in steps.
	Rate RateScoreDecl `json:"rate"`
	// Spiking scores the spiking output from a time on.
	Spiking SpikingScoreDecl `json:"spiking"`
}

// RateScoreDecl scores the rate output on the window [From, To) in steps
// (an empty To runs to the end), with a rule per label.
type RateScoreDecl struct {
	From  string              `json:"from"`
	To    string              `json:"to,omitempty"`
	Rules map[string]RuleDecl `json:"rules"`
}

// SpikingScoreDecl scores the spiking output from From seconds on, with a
// rule per label.
type SpikingScoreDecl struct {
	From  string              `json:"from"`
	Rules map[string]RuleDecl `json:"rules"`
}

// A RuleDecl is how the output in a scoring window must behave:
//
//	max-above  max(w) > threshold   (a response that crosses threshold)
//	min-below  min(w) < threshold   (a negative response)
//	max-below  max(w) < threshold   (no response above threshold)
//	min-above  min(w) > threshold   (stays above threshold)
//	abs-below  max|w| < threshold   (stays within ±threshold)
type RuleDecl struct {
	Rule      string  `json:"rule"`
	Threshold float64 `json:"threshold"`
}

// Rules lists the scoring rules of a RuleDecl.
var Rules = []string{"max-above", "min-below", "max-below", "min-above", "abs-below"}

// A DeclError is a problem with a declaration: the field it is in, as a
// path of keys (string) and list indices (int) from the task's own
// mapping, and, for an expression, the 1-based column in it.
type DeclError struct {
	Path []any
	Col  int
	Msg  string
}

// Error returns "field: message" or "field, col N: message".
func (e *DeclError) Error() string {
	p := e.Field()
	if e.Col > 0 {
		return fmt.Sprintf("%s, col %d: %s", p, e.Col, e.Msg)
	}
	if p == "" {
		return e.Msg
	}
	return p + ": " + e.Msg
}

// Field formats the path: "events[1].onset".
func (e *DeclError) Field() string {
	var b strings.Builder
	for _, s := range e.Path {
		switch x := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", x)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(x)
		}
	}
	return b.String()
}

func derr(path []any, format string, args ...any) *DeclError {
	return &DeclError{Path: slices.Clone(path), Msg: fmt.Sprintf(format, args...)}
}

// ParseDecl reads the declaration of task name from YAML (or JSON): a
// mapping with the fields of [Decl] in their YAML names (T, params,
// inputs, label, conditions, events, target, score). Unknown fields and
// values of the wrong type are errors; ParseDecl does not check the
// declaration, [Decl.Compile] does.
func ParseDecl(name string, src []byte) (*Decl, error) {
	var v any
	if err := yaml.UnmarshalWithOptions(src, &v, yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("tasks: %s: %w", name, err)
	}
	return DeclFromValue(name, plainYAML(v))
}

// plainYAML turns go-yaml's ordered maps into map[string]any.
func plainYAML(v any) any {
	switch x := v.(type) {
	case yaml.MapSlice:
		m := make(map[string]any, len(x))
		for _, it := range x {
			m[fmt.Sprint(it.Key)] = plainYAML(it.Value)
		}
		return m
	case map[string]any:
		for k, e := range x {
			x[k] = plainYAML(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plainYAML(e)
		}
		return x
	case uint64:
		return float64(x)
	case int:
		return int64(x)
	}
	return v
}

// DeclFromValue reads the declaration of task name from a decoded YAML or
// JSON value: map[string]any mappings, []any lists, string, bool, int64,
// float64 or json.Number scalars. Errors are *DeclError with the field.
func DeclFromValue(name string, v any) (*Decl, error) {
	d := &Decl{Name: name}
	r := &reader{}
	m := r.mapping(nil, v, "T", "params", "inputs", "label", "conditions", "events", "target", "score")
	if r.err != nil {
		return nil, r.err
	}
	d.T = r.integer([]any{"T"}, m["T"], true)
	if pv, ok := m["params"]; ok {
		pm := r.mapping([]any{"params"}, pv)
		d.Params = map[string]float64{}
		for _, k := range slices.Sorted(maps.Keys(pm)) { // sorted: the first error is always the same
			d.Params[k] = r.number([]any{"params", k}, pm[k])
		}
	}
	for i, x := range r.list([]any{"inputs"}, m["inputs"], true) {
		d.Inputs = append(d.Inputs, r.str([]any{"inputs", i}, x))
	}
	for i, x := range r.list([]any{"label"}, m["label"], true) {
		p := []any{"label", i}
		lm := r.mapping(p, x, "name", "value", "p")
		d.Label = append(d.Label, LabelDecl{
			Name:  r.str(append(p, "name"), r.required(p, lm, "name")),
			Value: r.integer(append(p, "value"), r.required(p, lm, "value"), false),
			P:     r.number(append(p, "p"), r.required(p, lm, "p")),
		})
	}
	for i, x := range r.list([]any{"conditions"}, m["conditions"], false) {
		p := []any{"conditions", i}
		cm := r.mapping(p, x, "name", "values", "p", "value")
		c := CondDecl{Name: r.str(append(p, "name"), r.required(p, cm, "name"))}
		if vv, ok := cm["value"]; ok {
			c.Value = r.exprString(append(p, "value"), vv)
		}
		for j, e := range r.list(append(p, "values"), cm["values"], false) {
			c.Values = append(c.Values, r.number(append(p, "values", j), e))
		}
		for j, e := range r.list(append(p, "p"), cm["p"], false) {
			c.P = append(c.P, r.number(append(p, "p", j), e))
		}
		d.Conditions = append(d.Conditions, c)
	}
	for i, x := range r.list([]any{"events"}, m["events"], true) {
		p := []any{"events", i}
		em := r.mapping(p, x, "input", "when", "onset", "duration", "amplitude")
		d.Events = append(d.Events, EventDecl{
			Input:     r.str(append(p, "input"), r.required(p, em, "input")),
			When:      r.optExpr(append(p, "when"), em["when"]),
			Onset:     r.exprString(append(p, "onset"), r.required(p, em, "onset")),
			Duration:  r.optExpr(append(p, "duration"), em["duration"]),
			Amplitude: r.exprString(append(p, "amplitude"), r.required(p, em, "amplitude")),
		})
	}
	for i, x := range r.list([]any{"target"}, m["target"], true) {
		p := []any{"target", i}
		wm := r.mapping(p, x, "from", "to", "value")
		d.Target = append(d.Target, WindowDecl{
			From:  r.exprString(append(p, "from"), r.required(p, wm, "from")),
			To:    r.optExpr(append(p, "to"), wm["to"]),
			Value: r.exprString(append(p, "value"), r.required(p, wm, "value")),
		})
	}
	sp := []any{"score"}
	sm := r.mapping(sp, r.required(nil, m, "score"), "rate", "spiking")
	rp := []any{"score", "rate"}
	rm := r.mapping(rp, r.required(sp, sm, "rate"), "from", "to", "rules")
	d.Score.Rate = RateScoreDecl{
		From:  r.exprString(append(rp, "from"), r.required(rp, rm, "from")),
		To:    r.optExpr(append(rp, "to"), rm["to"]),
		Rules: r.rules(append(rp, "rules"), r.required(rp, rm, "rules")),
	}
	kp := []any{"score", "spiking"}
	km := r.mapping(kp, r.required(sp, sm, "spiking"), "from", "rules")
	d.Score.Spiking = SpikingScoreDecl{
		From:  r.exprString(append(kp, "from"), r.required(kp, km, "from")),
		Rules: r.rules(append(kp, "rules"), r.required(kp, km, "rules")),
	}
	if r.err != nil {
		return nil, r.err
	}
	return d, nil
}

// reader decodes a plain value, keeping the first error.
type reader struct{ err *DeclError }

func (r *reader) fail(path []any, format string, args ...any) {
	if r.err == nil {
		r.err = derr(path, format, args...)
	}
}

func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("string %q", x)
	}
	return fmt.Sprintf("%T %v", v, v)
}

func (r *reader) mapping(path []any, v any, fields ...string) map[string]any {
	if v == nil && r.err != nil {
		return map[string]any{}
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.fail(path, "want a mapping, got %s", describeValue(v))
		return map[string]any{}
	}
	if len(fields) > 0 {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !slices.Contains(fields, k) {
				r.fail(append(slices.Clone(path), k), "unknown field (fields: %s)", strings.Join(fields, ", "))
			}
		}
	}
	return m
}

func (r *reader) required(path []any, m map[string]any, k string) any {
	v, ok := m[k]
	if !ok {
		r.fail(path, "missing field %q", k)
	}
	return v
}

func (r *reader) list(path []any, v any, required bool) []any {
	if v == nil {
		if required {
			r.fail(path[:len(path)-1], "missing field %q", path[len(path)-1])
		}
		return nil
	}
	l, ok := v.([]any)
	if !ok {
		r.fail(path, "want a list, got %s", describeValue(v))
	}
	return l
}

func (r *reader) str(path []any, v any) string {
	if v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.fail(path, "want a string, got %s", describeValue(v))
	}
	return s
}

func (r *reader) number(path []any, v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case int64:
		return float64(x)
	case float64:
		return x
	case json.Number:
		f, err := x.Float64()
		if err == nil {
			return f
		}
	}
	r.fail(path, "want a number, got %s", describeValue(v))
	return 0
}

func (r *reader) integer(path []any, v any, required bool) int {
	if v == nil {
		if required {
			r.fail(path[:len(path)-1], "missing field %q", path[len(path)-1])
		}
		return 0
	}
	f := r.number(path, v)
	if f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		r.fail(path, "want an integer, got %v", f)
	}
	return int(f)
}

// exprString reads an expression written as a string or a number.
func (r *reader) exprString(path []any, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	r.fail(path, "want an expression (a string or a number), got %s", describeValue(v))
	return ""
}

func (r *reader) optExpr(path []any, v any) string {
	if v == nil {
		return ""
	}
	return r.exprString(path, v)
}

func (r *reader) rules(path []any, v any) map[string]RuleDecl {
	m := r.mapping(path, v)
	out := make(map[string]RuleDecl, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) { // sorted: the first error is always the same
		x := m[k]
		p := append(slices.Clone(path), k)
		rm := r.mapping(p, x, "rule", "threshold")
		out[k] = RuleDecl{
			Rule:      r.str(append(p, "rule"), r.required(p, rm, "rule")),
			Threshold: r.number(append(p, "threshold"), r.required(p, rm, "threshold")),
		}
	}
	return out
}

// JSON returns the declaration as canonical JSON (fields in a fixed
// order, maps sorted): what a cache key, a model file's task_spec and
// summary.json record.
func (d *Decl) JSON() string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		panic("tasks: Decl.JSON: " + err.Error()) // only numbers, strings and maps of them
	}
	return strings.TrimSpace(b.String())
}

// ---- compiling ----

// Declared is a task compiled from a [Decl].
type Declared struct {
	decl     *Decl
	labels   []Label
	names    map[Label]string
	cum      []float64
	conds    []condition
	events   []event
	target   []targetWindow
	rateFrom int
	rateTo   int // -1: to the end
	rules    map[Label][2]rule
	spikeSec float64
	consts   map[string]float64
}

type condition struct {
	name   string
	values []float64
	cum    []float64
	value  *expr.Expr
}

type event struct {
	row                         int
	when, onset, dur, amplitude *expr.Expr
	random                      bool
}

type targetWindow struct {
	from, to int
	value    *expr.Expr
}

type rule struct {
	kind      string
	threshold float64
}

// Compile checks the declaration and returns the task. The errors are
// *DeclError naming the field: a window outside T, an unknown channel,
// probabilities that do not sum to 1, an expression that refers to an
// unknown condition, a label without a scoring rule, …
func (d *Decl) Compile() (*Declared, error) {
	t := &Declared{decl: d, names: map[Label]string{}, rules: map[Label][2]rule{}, consts: map[string]float64{}, rateTo: -1}
	if d.T < 2 {
		return nil, derr([]any{"T"}, "T = %d, want ≥ 2", d.T)
	}
	t.consts["T"] = float64(d.T)
	known := map[string]string{"T": "T", "label": "the label"} // name → what it is
	pkeys := slices.Sorted(maps.Keys(d.Params))
	for _, k := range pkeys {
		if !identifier(k) {
			return nil, derr([]any{"params", k}, "param name %q is not an identifier", k)
		}
		if _, dup := known[k]; dup {
			return nil, derr([]any{"params", k}, "param %q shadows %s", k, known[k])
		}
		if v := d.Params[k]; math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, derr([]any{"params", k}, "param %q is %v, want a finite number", k, v)
		}
		known[k] = "a param"
		t.consts[k] = d.Params[k]
	}
	if len(d.Inputs) == 0 {
		return nil, derr([]any{"inputs"}, "no input channels")
	}
	rows := map[string]int{}
	for i, in := range d.Inputs {
		if in == "" {
			return nil, derr([]any{"inputs", i}, "empty channel name")
		}
		if _, dup := rows[in]; dup {
			return nil, derr([]any{"inputs", i}, "channel %q declared twice", in)
		}
		rows[in] = i
	}
	// Labels.
	if len(d.Label) == 0 {
		return nil, derr([]any{"label"}, "no labels")
	}
	byName := map[string]Label{}
	sum := 0.0
	for i, l := range d.Label {
		p := []any{"label", i}
		switch {
		case l.Name == "":
			return nil, derr(append(p, "name"), "empty label name")
		case hasKey(byName, l.Name):
			return nil, derr(append(p, "name"), "label %q declared twice", l.Name)
		case slices.Contains(t.labels, Label(l.Value)):
			return nil, derr(append(p, "value"), "labels %q and %q have the same value %d", t.names[Label(l.Value)], l.Name, l.Value)
		case l.P < 0 || l.P > 1 || math.IsNaN(l.P):
			return nil, derr(append(p, "p"), "probability %v, want in [0, 1]", l.P)
		}
		byName[l.Name] = Label(l.Value)
		t.labels = append(t.labels, Label(l.Value))
		t.names[Label(l.Value)] = l.Name
		sum += l.P
		t.cum = append(t.cum, sum)
		if identifier(l.Name) {
			if _, dup := known[l.Name]; dup {
				return nil, derr(append(p, "name"), "label %q shadows %s", l.Name, known[l.Name])
			}
			known[l.Name] = "a label"
			t.consts[l.Name] = float64(l.Value)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		return nil, derr([]any{"label"}, "the label probabilities sum to %v, want 1", sum)
	}
	labelVars := maps.Clone(known)
	// Conditions.
	for i, c := range d.Conditions {
		p := []any{"conditions", i}
		if !identifier(c.Name) {
			return nil, derr(append(p, "name"), "condition name %q is not an identifier", c.Name)
		}
		if what, dup := known[c.Name]; dup {
			return nil, derr(append(p, "name"), "condition %q: the name is taken by %s", c.Name, what)
		}
		cond := condition{name: c.Name}
		switch {
		case c.Value != "" && (len(c.Values) > 0 || len(c.P) > 0):
			return nil, derr(p, "condition %q: give either value (an expression) or values and p, not both", c.Name)
		case c.Value != "":
			e, err := t.parse(append(p, "value"), c.Value, known, true)
			if err != nil {
				return nil, err
			}
			cond.value = e
		case len(c.Values) == 0:
			return nil, derr(p, "condition %q: give value (an expression) or values and p", c.Name)
		case len(c.P) != len(c.Values):
			return nil, derr(append(p, "p"), "condition %q: %d probabilities for %d values", c.Name, len(c.P), len(c.Values))
		default:
			s := 0.0
			for j, pr := range c.P {
				if pr < 0 || pr > 1 || math.IsNaN(pr) {
					return nil, derr(append(p, "p", j), "probability %v, want in [0, 1]", pr)
				}
				s += pr
				cond.cum = append(cond.cum, s)
			}
			if math.Abs(s-1) > 1e-9 {
				return nil, derr(append(p, "p"), "condition %q: the probabilities sum to %v, want 1", c.Name, s)
			}
			for j, v := range c.Values {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, derr(append(p, "values", j), "condition %q: value %v, want a finite number", c.Name, v)
				}
			}
			cond.values = c.Values
		}
		known[c.Name] = "a condition"
		t.conds = append(t.conds, cond)
	}
	// Events.
	if len(d.Events) == 0 {
		return nil, derr([]any{"events"}, "no events")
	}
	for i, ev := range d.Events {
		p := []any{"events", i}
		row, ok := rows[ev.Input]
		if !ok {
			return nil, derr(append(p, "input"), "unknown channel %q (inputs: %s)", ev.Input, strings.Join(d.Inputs, ", "))
		}
		e := event{row: row}
		var err error
		if ev.When != "" {
			if e.when, err = t.parse(append(p, "when"), ev.When, known, false); err != nil {
				return nil, err
			}
		}
		if e.onset, err = t.parse(append(p, "onset"), ev.Onset, known, true); err != nil {
			return nil, err
		}
		if ev.Duration != "" {
			if e.dur, err = t.parse(append(p, "duration"), ev.Duration, known, true); err != nil {
				return nil, err
			}
		}
		if e.amplitude, err = t.parse(append(p, "amplitude"), ev.Amplitude, known, true); err != nil {
			return nil, err
		}
		e.random = e.amplitude.Random()
		if c, ok := t.constant(e.onset); ok && (c < 0 || c >= float64(d.T)) {
			return nil, derr(append(p, "onset"), "onset %v is outside the trial [0, T=%d)", c, d.T)
		}
		if e.dur != nil {
			c, ok := t.constant(e.dur)
			if ok && c <= 0 {
				return nil, derr(append(p, "duration"), "duration %v, want > 0", c)
			}
			if on, ok2 := t.constant(e.onset); ok && ok2 && on+c > float64(d.T) {
				return nil, derr(append(p, "duration"), "the event ends at step %v, after T = %d", on+c, d.T)
			}
		}
		t.events = append(t.events, e)
	}
	// Target: a function of the label only.
	if len(d.Target) == 0 {
		return nil, derr([]any{"target"}, "no target window")
	}
	n := d.T - 1
	for i, w := range d.Target {
		p := []any{"target", i}
		from, to, err := t.checkWindow(p, w.From, w.To, n, labelVars, known, "target")
		if err != nil {
			return nil, err
		}
		v, err := t.parse(append(p, "value"), w.Value, labelVars, false)
		if err != nil {
			if de := (*DeclError)(nil); asDeclError(err, &de) && known[unknownName(de)] == "a condition" {
				de.Msg += " of the target: a target depends on the label only (the conditions are drawn given it)"
			}
			return nil, err
		}
		t.target = append(t.target, targetWindow{from: from, to: to, value: v})
	}
	// Scoring.
	rp := []any{"score", "rate"}
	from, to, err := t.checkWindow(rp, d.Score.Rate.From, d.Score.Rate.To, n, labelVars, known, "scoring")
	if err != nil {
		return nil, err
	}
	t.rateFrom = from
	if d.Score.Rate.To != "" {
		t.rateTo = to
	}
	sp := []any{"score", "spiking"}
	fe, err := t.parse(append(sp, "from"), d.Score.Spiking.From, labelVars, false)
	if err != nil {
		return nil, err
	}
	sec, ok := t.constant(fe)
	if !ok {
		return nil, derr(append(sp, "from"), "the scoring start must not depend on the label")
	}
	if end := float64(d.T) * StepSeconds; sec < 0 || sec >= end {
		return nil, derr(append(sp, "from"), "scoring from %v s, outside the trial [0, %v s)", sec, end)
	}
	t.spikeSec = sec
	for i, rules := range []map[string]RuleDecl{d.Score.Rate.Rules, d.Score.Spiking.Rules} { // rate first: the first error is always the same
		side := [2]string{"rate", "spiking"}[i]
		p := []any{"score", side, "rules"}
		for _, name := range slices.Sorted(maps.Keys(rules)) {
			rd := rules[name]
			l, ok := byName[name]
			if !ok {
				return nil, derr(append(p, name), "unknown label %q (labels: %s)", name, t.labelList())
			}
			if !slices.Contains(Rules, rd.Rule) {
				return nil, derr(append(p, name, "rule"), "unknown rule %q (rules: %s)", rd.Rule, strings.Join(Rules, ", "))
			}
			if math.IsNaN(rd.Threshold) || math.IsInf(rd.Threshold, 0) {
				return nil, derr(append(p, name, "threshold"), "threshold %v, want a finite number", rd.Threshold)
			}
			pair := t.rules[l]
			if side == "rate" {
				pair[0] = rule{rd.Rule, rd.Threshold}
			} else {
				pair[1] = rule{rd.Rule, rd.Threshold}
			}
			t.rules[l] = pair
		}
		for _, l := range d.Label {
			if _, ok := rules[l.Name]; !ok {
				return nil, derr(p, "no rule for label %q", l.Name)
			}
		}
	}
	return t, nil
}

func asDeclError(err error, dst **DeclError) bool {
	de, ok := err.(*DeclError)
	if ok {
		*dst = de
	}
	return ok
}

// unknownName returns the variable an "unknown variable" error names.
func unknownName(de *DeclError) string {
	_, rest, ok := strings.Cut(de.Msg, `unknown variable "`)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, `"`)
	return name
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	switch s {
	case "and", "or", "xor", "not", "true", "false":
		return false
	}
	return true
}

func (t *Declared) labelList() string {
	var names []string
	for _, l := range t.decl.Label {
		names = append(names, l.Name)
	}
	return strings.Join(names, ", ")
}

// parse parses the expression at path, checking its variables against
// known (what is known at that point of the declaration).
func (t *Declared) parse(path []any, src string, known map[string]string, random bool) (*expr.Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, derr(path, "empty expression")
	}
	e, err := expr.Parse(src)
	if err == nil {
		err = e.Check(func(n string) bool { _, ok := known[n]; return ok }, random)
	}
	if err != nil {
		ee := err.(*expr.Error)
		return nil, &DeclError{Path: slices.Clone(path), Col: ee.Col, Msg: ee.Msg}
	}
	return e, nil
}

// constant evaluates e when it reads only T and the params.
func (t *Declared) constant(e *expr.Expr) (float64, bool) {
	if e.Random() {
		return 0, false
	}
	for _, v := range e.Vars() {
		if _, ok := t.decl.Params[v]; !ok && v != "T" {
			return 0, false
		}
	}
	return e.Eval(&expr.Env{Vars: t.consts}), true
}

// window checks a window [from, to) of a series of n values.
func (t *Declared) checkWindow(p []any, fromSrc, toSrc string, n int, vars, known map[string]string, what string) (int, int, error) {
	fe, err := t.parse(append(p, "from"), fromSrc, vars, false)
	if err != nil {
		return 0, 0, err
	}
	from, ok := t.constant(fe)
	if !ok {
		return 0, 0, derr(append(p, "from"), "the %s window must not depend on the label or the conditions", what)
	}
	if from != math.Trunc(from) || from < 0 || from >= float64(n) {
		return 0, 0, derr(append(p, "from"), "the %s window starts at %v, outside T: want a step in [0, T-1=%d)", what, from, n)
	}
	to := float64(n)
	if toSrc != "" {
		te, err := t.parse(append(p, "to"), toSrc, vars, false)
		if err != nil {
			return 0, 0, err
		}
		var ok bool
		if to, ok = t.constant(te); !ok {
			return 0, 0, derr(append(p, "to"), "the %s window must not depend on the label or the conditions", what)
		}
		if to != math.Trunc(to) || to <= from || to > float64(n) {
			return 0, 0, derr(append(p, "to"), "the %s window ends at %v, outside T: want a step in (from=%v, T-1=%d]", what, to, from, n)
		}
	}
	return int(from), int(to), nil
}

// Decl returns the task's declaration.
func (t *Declared) Decl() *Decl { return t.decl }

// Name returns the declared name.
func (t *Declared) Name() string { return t.decl.Name }

// Inputs returns the number of channels.
func (t *Declared) Inputs() int { return len(t.decl.Inputs) }

// Steps returns T.
func (t *Declared) Steps() int { return t.decl.T }

// Labels returns the labels in declaration order.
func (t *Declared) Labels() []Label { return slices.Clone(t.labels) }

// LabelName returns the declared name of l.
func (t *Declared) LabelName(l Label) string {
	if n, ok := t.names[l]; ok {
		return n
	}
	return strconv.Itoa(int(l))
}

// DrawLabel takes one uniform draw u and returns the first label whose
// cumulative probability exceeds it.
func (t *Declared) DrawLabel(r *rand.Rand) Label {
	return t.labels[pick(t.cum, r.Float64())]
}

// pick returns the first i with u < cum[i], or the last index.
func pick(cum []float64, u float64) int {
	for i, c := range cum {
		if u < c {
			return i
		}
	}
	return len(cum) - 1
}

// env returns the variables of a trial of label l.
func (t *Declared) env(l Label, r *rand.Rand) *expr.Env {
	vars := make(map[string]float64, len(t.consts)+len(t.conds)+1)
	for k, v := range t.consts {
		vars[k] = v
	}
	vars["label"] = float64(l)
	return &expr.Env{Vars: vars, Rand: r}
}

// Stimulus zeroes dst, draws the conditions given l in order and fills
// the events in order.
func (t *Declared) Stimulus(dst *mat.Dense, l Label, r *rand.Rand) {
	zero(dst)
	env := t.env(l, r)
	for _, c := range t.conds {
		if c.value != nil {
			env.Vars[c.name] = c.value.Eval(env)
		} else {
			env.Vars[c.name] = c.values[pick(c.cum, r.Float64())]
		}
	}
	raw := dst.RawMatrix()
	for _, e := range t.events {
		if e.when != nil && !e.when.Bool(env) {
			continue
		}
		on := int(math.Round(e.onset.Eval(env)))
		to := raw.Cols
		if e.dur != nil {
			to = on + int(math.Round(e.dur.Eval(env)))
		}
		if !e.random {
			setRow(dst, e.row, on, to, e.amplitude.Eval(env))
			continue
		}
		row := raw.Data[e.row*raw.Stride : e.row*raw.Stride+raw.Cols]
		for j := max(on, 0); j < min(to, raw.Cols); j++ {
			row[j] = e.amplitude.Eval(env)
		}
	}
}

// Target fills dst with 0 and each target window with its value.
func (t *Declared) Target(dst []float64, l Label) {
	clear(dst)
	env := t.env(l, nil)
	for _, w := range t.target {
		v := w.value.Eval(env)
		for i := w.from; i < min(w.to, len(dst)); i++ {
			dst[i] = v
		}
	}
}

// Correct applies the label's rate rule to o on the rate window.
func (t *Declared) Correct(o []float64, l Label) bool {
	w := window(o, t.rateFrom)
	if t.rateTo >= 0 {
		w = o[min(max(t.rateFrom, 0), len(o)):min(t.rateTo, len(o))]
	}
	return t.rules[l][0].holds(w)
}

// SpikeFrom returns the time in seconds from which spiking outputs are
// scored.
func (t *Declared) SpikeFrom() float64 { return t.spikeSec }

// Thresholds returns the thresholds of the spiking-side rules, distinct,
// from the highest: the levels a figure of the spiking output marks.
func (t *Declared) Thresholds() []float64 {
	var th []float64
	for _, l := range t.labels {
		if x := t.rules[l][1].threshold; !slices.Contains(th, x) {
			th = append(th, x)
		}
	}
	slices.Sort(th)
	slices.Reverse(th)
	return th
}

// StimulusWindows returns the spans [onset, onset+duration) in rate steps
// of the events whose onset and duration are the same on every trial
// (params and T only), distinct, in declaration order: what a figure
// shades as the stimulus. An event without a duration (it lasts to the
// end, as a context cue does) is left out.
func (t *Declared) StimulusWindows() [][2]int {
	var ws [][2]int
	for _, e := range t.events {
		if e.dur == nil {
			continue
		}
		on, ok1 := t.constant(e.onset)
		dur, ok2 := t.constant(e.dur)
		if !ok1 || !ok2 {
			continue
		}
		o := int(math.Round(on))
		w := [2]int{o, o + int(math.Round(dur))}
		if !slices.Contains(ws, w) {
			ws = append(ws, w)
		}
	}
	return ws
}

// CorrectSpiking applies the label's spiking rule to out from SpikeFrom
// on.
func (t *Declared) CorrectSpiking(out []float64, dt float64, l Label) bool {
	return t.rules[l][1].holds(spikeWindow(out, dt, t.spikeSec))
}

func (r rule) holds(w []float64) bool {
	switch r.kind {
	case "max-above":
		return maxOf(w) > r.threshold
	case "min-below":
		return minOf(w) < r.threshold
	case "max-below":
		return maxOf(w) < r.threshold
	case "min-above":
		return minOf(w) > r.threshold
	case "abs-below":
		return maxAbs(w) < r.threshold
	}
	return false // an unknown rule is refused by Compile
}
