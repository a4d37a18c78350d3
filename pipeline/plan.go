package pipeline

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
)

// Selection chooses which stages of a pipeline run. The zero Selection runs
// every stage that is not up to date. Each list may name several stages.
type Selection struct {
	// Only runs just these stages, from the cached values of the stages
	// above them; it fails with a hint when one of those has no cached
	// output or would have to run to feed a stream.
	Only []string
	// From forces these stages and everything downstream of them to run.
	From []string
	// Until limits the run to these stages and their upstream.
	Until []string
	// Force runs every selected stage, up to date or not.
	Force bool
}

// Action is what a plan does with a stage.
type Action int

const (
	// Skip leaves the stage as it is: up to date, or not selected.
	Skip Action = iota
	// Run runs the stage and commits its outputs.
	Run
)

// String returns "skip" or "run".
func (a Action) String() string {
	if a == Run {
		return "run"
	}
	return "skip"
}

// A Plan says, for every stage of a graph, whether it runs and why.
type Plan struct {
	Graph *Graph
	// Steps follow the graph's topological order.
	Steps []*Step
	// Selection is what the plan was made for.
	Selection Selection

	executed bool
}

// A Step is the decision for one stage.
type Step struct {
	Node   *Node
	Action Action
	// Reason explains the decision: "no manifest", "setting N changed
	// 200→300", "upstream train changed", "--force", "--from train",
	// "re-run to feed stream convert.spikes to spikes", "up to date"…
	Reason string
	// Manifest is the stage's committed manifest, nil when none.
	Manifest *Manifest
	// UpToDate reports whether the committed outputs match the stage's
	// current key.
	UpToDate bool

	// serve: a skipped stage whose cached values feed running stages.
	serve bool
}

// Step returns the step of the named stage, or nil.
func (p *Plan) Step(name string) *Step {
	for _, s := range p.Steps {
		if s.Node.Name == name {
			return s
		}
	}
	return nil
}

// Runs returns the names of the stages the plan runs.
func (p *Plan) Runs() []string {
	var names []string
	for _, s := range p.Steps {
		if s.Action == Run {
			names = append(names, s.Node.Name)
		}
	}
	return names
}

// WriteTo prints the plan as a table: action, stage, kind, reason.
func (p *Plan) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	fmt.Fprintf(cw, "plan for pipeline %s (%s):\n", p.Graph.Pipeline, p.Graph.Dir)
	tw := tabwriter.NewWriter(cw, 0, 4, 2, ' ', 0)
	for _, s := range p.Steps {
		fmt.Fprintf(tw, "  %s\t%s\t(%s)\t%s\n", s.Action, s.Node.Name, s.Node.Kind, s.Reason)
	}
	err := tw.Flush()
	if err == nil {
		err = cw.err
	}
	return cw.n, err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// A SelectionError reports a selection that cannot be planned: an unknown
// stage name, or --only on a stage whose upstream is not cached.
type SelectionError struct{ Msg string }

func (e *SelectionError) Error() string { return e.Msg }

// Plan decides, for every stage, whether it runs and why, reading the
// committed manifests under the graph's directory. Call it with the
// workspace locked (see [LockWorkspace]) when the plan is to be executed.
func (g *Graph) Plan(sel Selection) (*Plan, error) {
	names := make([]string, len(g.Nodes))
	for i, n := range g.Nodes {
		names[i] = n.Name
	}
	check := func(flag string, list []string) (map[string]bool, error) {
		set := map[string]bool{}
		for _, s := range list {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if g.byName[s] == nil {
				return nil, &SelectionError{fmt.Sprintf("%s %s: no stage %q in pipeline %s%s (stages: %s)", flag, s, s, g.Pipeline, didYouMean(s, names), quoteList(names))}
			}
			set[s] = true
		}
		return set, nil
	}
	only, err := check("--only", sel.Only)
	if err != nil {
		return nil, err
	}
	from, err := check("--from", sel.From)
	if err != nil {
		return nil, err
	}
	until, err := check("--until", sel.Until)
	if err != nil {
		return nil, err
	}
	if len(only) > 0 && (len(from) > 0 || len(until) > 0) {
		return nil, &SelectionError{"--only cannot be combined with --from or --until"}
	}

	p := &Plan{Graph: g, Selection: sel}
	steps := map[string]*Step{}
	for _, n := range g.Nodes {
		st := &Step{Node: n}
		m, err := g.Manifest(n.Name)
		switch {
		case err == nil:
			st.Manifest = m
		case errors.Is(err, fs.ErrNotExist):
		default:
			return nil, err
		}
		reason := g.staleness(n, st.Manifest)
		st.UpToDate = reason == ""
		if st.UpToDate {
			reason = "up to date"
		}
		st.Reason = reason
		if !st.UpToDate {
			st.Action = Run
		}
		steps[n.Name] = st
		p.Steps = append(p.Steps, st)
	}

	// Selection.
	var fromClosure map[string]string // stage → the --from stage it is below
	if len(from) > 0 {
		fromClosure = map[string]string{}
		for _, n := range g.Nodes { // topological: upstream first
			if from[n.Name] {
				fromClosure[n.Name] = n.Name
				continue
			}
			for _, in := range n.Inputs {
				for _, src := range in.From {
					if f, ok := fromClosure[src.Stage]; ok {
						if _, done := fromClosure[n.Name]; !done {
							fromClosure[n.Name] = f
						}
					}
				}
			}
		}
	}
	var scope map[string]bool
	if len(until) > 0 {
		scope = map[string]bool{}
		for i := len(g.Nodes) - 1; i >= 0; i-- { // downstream first
			n := g.Nodes[i]
			if !until[n.Name] && !scope[n.Name] {
				continue
			}
			scope[n.Name] = true
			for _, in := range n.Inputs {
				for _, src := range in.From {
					scope[src.Stage] = true
				}
			}
		}
	}
	for _, st := range p.Steps {
		name := st.Node.Name
		switch {
		case len(only) > 0:
			if only[name] {
				st.Action, st.Reason = Run, "--only "+name
			} else {
				st.Action, st.Reason = Skip, notSelected(st, "--only")
			}
		case scope != nil && !scope[name]:
			st.Action, st.Reason = Skip, notSelected(st, "--until")
		case sel.Force:
			st.Action, st.Reason = Run, "--force"
		case fromClosure != nil && fromClosure[name] != "":
			st.Action, st.Reason = Run, "--from "+fromClosure[name]
		}
	}

	// Feeding: a running stage reads streams from running producers and
	// values from running producers or from the cache.
	for changed := true; changed; {
		changed = false
		for i := len(p.Steps) - 1; i >= 0; i-- {
			st := p.Steps[i]
			if st.Action != Run {
				continue
			}
			for _, in := range st.Node.Inputs {
				for _, src := range in.From {
					up := steps[src.Stage]
					if up.Action == Run {
						continue
					}
					why := g.feedNeed(up, in, src)
					if why == "" {
						up.serve = true
						continue
					}
					if len(only) > 0 {
						return nil, g.onlyError(st, up, src, why)
					}
					up.Action, up.serve = Run, false
					up.Reason = fmt.Sprintf("re-run to feed %s %s to %s", in.Mode, src, st.Node.Name)
					if why != "stream" {
						up.Reason += " (" + why + ")"
					}
					changed = true
				}
			}
		}
	}
	return p, nil
}

func notSelected(st *Step, flag string) string {
	if st.UpToDate {
		return "up to date (not selected by " + flag + ")"
	}
	return "not selected by " + flag + "; stale: " + st.Reason
}

// feedNeed returns "" when a skipped stage can serve the source output to a
// running stage from its cache, else why it cannot ("stream" for streams).
func (g *Graph) feedNeed(up *Step, in *Input, src Source) string {
	if in.Mode == Stream {
		return "stream"
	}
	if !up.UpToDate {
		return up.Reason
	}
	if _, ok := up.Manifest.Values[src.Port]; !ok {
		if t := up.Node.Spec.Output(src.Port).Type(); g.env.Codec(t) == nil {
			return fmt.Sprintf("no codec for %v, value not cached", t)
		}
		return "value not in cache"
	}
	return ""
}

func (g *Graph) onlyError(st, up *Step, src Source, why string) error {
	name := st.Node.Name
	switch {
	case why == "stream":
		return &SelectionError{fmt.Sprintf("--only %s: %s reads stream %s, and streams are not cached; use --from %s to run %s and the stages below it", name, name, src, up.Node.Name, up.Node.Name)}
	case !up.UpToDate:
		return &SelectionError{fmt.Sprintf("--only %s: %s needs %s, but stage %s has no usable cached output (%s); run without --only first", name, name, src, up.Node.Name, up.Reason)}
	default:
		return &SelectionError{fmt.Sprintf("--only %s: %s needs %s, which is not cached (%s); use --from %s", name, name, src, why, up.Node.Name)}
	}
}
