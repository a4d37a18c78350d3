package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
)

// A Graph is one pipeline of a file, checked against the kinds and ready to
// plan: stages in topological order with resolved settings and cache keys.
type Graph struct {
	// Pipeline is the pipeline's name, Description its description.
	Pipeline, Description string
	// Path is the pipeline file, as given.
	Path string
	// Workspace is the absolute workspace directory; Dir is
	// Workspace/Pipeline, where the pipeline's outputs live.
	Workspace, Dir string
	// BaseDir is the directory of the pipeline file.
	BaseDir string
	// Nodes are the stages in topological order (file order among stages
	// that do not depend on each other).
	Nodes []*Node
	// Params are the pipeline's parameters after --set overrides.
	Params map[string]any
	// Point is the sweep point the graph runs ([CompileOptions].Point),
	// "" for a plain run.
	Point string

	byName map[string]*Node
	env    *Environment
}

// A Node is a stage of a Graph.
type Node struct {
	// Name is the stage's name, Kind its kind.
	Name, Kind string
	// Spec is the kind's spec.
	Spec *Spec
	// Settings are the resolved settings (defaults filled in, parameters
	// substituted): nil, int64, float64, string, bool, []any and
	// map[string]any values.
	Settings map[string]any
	// Inputs are the stage's connected inputs, in the order of the kind's
	// spec.
	Inputs []*Input
	// Key is the cache key: a hex SHA-256 of the kind, its version, the
	// resolved settings, the keys of the upstream stages read, the content
	// of File settings, the block entries settings name ([Setting.Block])
	// and ProgramVersion.
	Key string
	// Pos is the position of the stage in the file.
	Pos Pos

	stage   Stage
	buffers map[string]int
	files   map[string]string // File setting path → sha256 of content
	named   map[string]any    // setting path → the block entry it names
	outs    map[string][]consumer
}

// An Input is a connected input port of a node.
type Input struct {
	Port string
	Mode PortMode
	Type reflect.Type
	// From are the outputs feeding the port.
	From []Source
}

// A Source is an output port of a stage.
type Source struct{ Stage, Port string }

// String returns "stage.port".
func (s Source) String() string { return s.Stage + "." + s.Port }

// consumer is a stage input fed by an output.
type consumer struct {
	node *Node
	port string
}

// Node returns the named stage, or nil.
func (g *Graph) Node(name string) *Node { return g.byName[name] }

// Environment returns the environment the graph was compiled in.
func (g *Graph) Environment() *Environment { return g.env }

// Consumers returns the stages reading the output port of n, as
// "stage.input" strings in file order.
func (g *Graph) Consumers(n *Node, port string) []string {
	var out []string
	for _, c := range n.outs[port] {
		out = append(out, c.node.Name+"."+c.port)
	}
	return out
}

// Lint checks every pipeline of c against the kinds of e and returns all
// problems found (up to [MaxDiagnostics]) as [Diagnostics], or nil.
// Files named by File settings are not opened.
func (e *Environment) Lint(c *Config) error {
	var d diagList
	d.addAll(c.diags.ds)
	e.checkBlocks(c, &d)
	for _, p := range c.Pipelines {
		e.compile(c, p, nil, nil, false, "", &d)
	}
	return d.ds.sorted().Err()
}

// CompileOptions select and adjust the pipeline to compile.
type CompileOptions struct {
	// Pipeline is the pipeline's name; "" selects the default.
	Pipeline string
	// Set are parameter overrides, each "name=value"; the value is read as
	// a YAML scalar or flow value (300, 0.5, go-nogo, [4, 20]). Each must
	// name an existing parameter of the pipeline.
	Set []string
	// Workspace, when not empty, replaces the file's workspace directory.
	Workspace string
	// Overrides set params to typed values after Set (a sweep point's
	// axis values); each must name an existing parameter of the pipeline.
	Overrides []Override
	// Point, when not empty, is the sub-directory of the pipeline's
	// directory that the graph runs in (a sweep point): the graph's Dir
	// is Workspace/Pipeline/Point, with its own stages and lock. It must
	// be a local path (no "..", not absolute).
	Point string
	// SelectedOnly skips the checks of the file's other pipelines and of
	// its blocks, for a caller that has compiled the same Config already
	// and compiles its pipeline again with other overrides (the points of
	// a sweep, after the sweep's own compilation): a sweep of 300 points
	// would otherwise lint the whole file 300 times.
	SelectedOnly bool
}

// An Override sets a param to a typed value, as a sweep point does.
type Override struct {
	// Name is the param's name.
	Name string
	// Value is nil, int64, float64, string, bool, []any or
	// map[string]any.
	Value any
	// Pos is where the value is written (a sweep axis value); Origin says
	// where it comes from in messages ("sweep point N=200,seed=3").
	Pos    Pos
	Origin string
}

// Compile lints the whole file (every pipeline), then builds the graph of
// the selected pipeline with its overrides applied, hashing input files and
// computing cache keys. Problems are returned as [Diagnostics].
func (e *Environment) Compile(c *Config, opts CompileOptions) (*Graph, error) {
	var d diagList
	d.addAll(c.diags.ds)
	if !opts.SelectedOnly {
		e.checkBlocks(c, &d)
	}
	name := opts.Pipeline
	if name == "" {
		name = c.DefaultPipeline()
	}
	sel := c.Pipeline(name)
	if sel == nil && len(c.Pipelines) > 0 {
		d.add(Pos{}, "no pipeline %q in %s%s (pipelines: %s)", name, c.Path, didYouMean(name, c.PipelineNames()), quoteList(c.PipelineNames()))
	}
	var g *Graph
	for _, p := range c.Pipelines {
		if p == sel {
			ws := opts.Workspace
			if ws == "" {
				ws = c.Workspace
			}
			if !filepath.IsAbs(ws) {
				ws = filepath.Join(c.Dir, ws)
			}
			if opts.Point != "" && !filepath.IsLocal(opts.Point) {
				d.add(Pos{}, "pipeline %s: point directory %q is not a local path", p.Name, opts.Point)
				break
			}
			g = e.compile(c, p, opts.Set, opts.Overrides, true, ws, &d)
			if g != nil && opts.Point != "" {
				g.Point = opts.Point
				g.Dir = filepath.Join(g.Dir, opts.Point)
			}
		} else if !opts.SelectedOnly {
			e.compile(c, p, nil, nil, false, "", &d)
		}
	}
	if err := d.ds.sorted().Err(); err != nil {
		return nil, err
	}
	return g, nil
}

// compile checks pipeline p; when full, it also applies sets, hashes files
// and returns the graph (nil when there are problems).
func (e *Environment) compile(c *Config, p *PipelineConfig, sets []string, ovs []Override, full bool, workspace string, d *diagList) *Graph {
	before := len(d.ds)
	ps := &params{vals: map[string]*pval{}, origin: map[string]string{}}
	for _, prm := range p.Params {
		ps.vals[prm.Name] = prm.val
		ps.names = append(ps.names, prm.Name)
	}
	for _, s := range sets {
		name, val, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok || name == "":
			d.add(Pos{}, "--set %s: want name=value", s)
		case ps.vals[name] == nil:
			d.add(Pos{}, "--set %s: unknown param %q of pipeline %s%s (params: %s)", s, name, p.Name, didYouMean(name, ps.names), quoteList(ps.names))
		default:
			ps.vals[name] = fromPlain(parseSetValue(val), Pos{File: "--set " + s})
			ps.origin[name] = "--set " + s
		}
	}
	for _, o := range ovs {
		if ps.vals[o.Name] == nil {
			d.add(o.Pos, "%s: unknown param %q of pipeline %s%s (params: %s)", o.Origin, o.Name, p.Name, didYouMean(o.Name, ps.names), quoteList(ps.names))
			continue
		}
		ps.vals[o.Name] = fromPlain(o.Value, o.Pos)
		ps.origin[o.Name] = o.Origin
	}

	g := &Graph{Pipeline: p.Name, Description: p.Description, Path: c.Path, BaseDir: c.Dir, byName: map[string]*Node{}, env: e, Params: map[string]any{}}
	for name, v := range ps.vals {
		g.Params[name] = v.plain()
	}
	if workspace != "" {
		g.Workspace = workspace
		g.Dir = filepath.Join(workspace, p.Name)
	}
	stageNames := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		stageNames[i] = s.Name
	}
	// First pass: kinds and settings.
	kinds := map[string]*kind{}
	var nodes []*Node
	fileRefs := map[*Node][]fileRef{}
	type outputRef struct {
		fileRef
		stage string
	}
	outputs := map[string]outputRef{} // cleaned output path → first stage writing it
	entries := e.blockEntries(c)
	for _, s := range p.Stages {
		n := &Node{Name: s.Name, Kind: s.Kind, Pos: s.Pos, buffers: map[string]int{}, outs: map[string][]consumer{}}
		nodes = append(nodes, n)
		g.byName[s.Name] = n
		if s.Kind == "" {
			continue
		}
		k, err := e.kind(s.Kind)
		if err != nil {
			d.add(s.KindPos, "%v", err)
			continue
		}
		kinds[s.Name] = k
		n.Spec = &k.spec
		var with *pval
		if s.with != nil {
			with = c.toPval(s.with, d, c.substFunc(ps, d))
		}
		ck := &checker{d: d, ps: ps, stage: s.Name, entries: entries}
		settings, ok := ck.with(n.Spec, with, s.withPos, s.Pos)
		if !ok {
			continue
		}
		n.Settings = settings
		fileRefs[n] = ck.files
		given := map[string]fileRef{}
		for _, o := range ck.outputs {
			given[o.path] = o
		}
		for _, f := range n.Spec.Settings {
			v, isStr := settings[f.Name].(string)
			if f.Type != Output || !isStr {
				continue
			}
			o, ok := given[f.Name]
			if !ok { // the default
				o = fileRef{path: f.Name, value: v, pos: s.Pos}
			}
			if prev, dup := outputs[o.value]; dup {
				d.add(o.pos, "stage %s: setting %s: output %q is already written by stage %s (setting %s, %s)", s.Name, o.path, o.value, prev.stage, prev.path, prev.pos)
				continue
			}
			outputs[o.value] = outputRef{fileRef: o, stage: s.Name}
		}
		for path, v := range ck.named {
			if n.named == nil {
				n.named = map[string]any{}
			}
			n.named[path] = v.Plain()
		}
		stage, err := k.construct(&decoder{baseDir: c.Dir, entries: ck.named}, settings)
		if err != nil {
			d.add(s.Pos, "stage %s (%s): %v", s.Name, s.Kind, err)
			continue
		}
		n.stage = stage
	}
	// Second pass: edges and buffers.
	for i, s := range p.Stages {
		n := nodes[i]
		connected := map[string]bool{}
		for _, in := range s.In {
			var port Port
			if n.Spec != nil {
				port = n.Spec.Input(in.Port)
				if port == nil {
					names := portNames(n.Spec.Inputs)
					d.add(in.Pos, "kind %s has no input %q%s (inputs: %s)", s.Kind, in.Port, didYouMean(in.Port, names), quoteList(names))
					continue
				}
				if port.Mode() == Value && len(in.From) > 1 {
					d.add(in.Pos, "input %s is a value port and takes one source, got %d", in.Port, len(in.From))
					continue
				}
			}
			if connected[in.Port] {
				d.add(in.Pos, "input %s connected twice", in.Port)
				continue
			}
			connected[in.Port] = true
			input := &Input{Port: in.Port}
			if port != nil {
				input.Mode, input.Type = port.Mode(), port.Type()
			}
			ok := true
			for _, r := range in.From {
				up := g.byName[r.Stage]
				if up == nil {
					d.add(r.Pos, "input %s: no stage %q in pipeline %s%s", in.Port, r.Stage, p.Name, didYouMean(r.Stage, stageNames))
					ok = false
					continue
				}
				if up.Spec == nil {
					ok = false
					continue // unknown kind, already reported
				}
				outs := portNames(up.Spec.Outputs)
				if r.Port == "" {
					hint := ""
					if len(outs) == 1 {
						hint = fmt.Sprintf(" (did you mean %q?)", r.Stage+"."+outs[0])
					}
					d.add(r.Pos, "input %s: want \"stage.port\", got %q%s (outputs of %s: %s)", in.Port, r.Stage, hint, r.Stage, quoteList(outs))
					ok = false
					continue
				}
				out := up.Spec.Output(r.Port)
				if out == nil {
					d.add(r.Pos, "input %s: stage %s (%s) has no output %q%s (outputs: %s)", in.Port, r.Stage, up.Kind, r.Port, didYouMean(r.Port, outs), quoteList(outs))
					ok = false
					continue
				}
				if port != nil && (out.Mode() != port.Mode() || !accepts(port.Type(), out.Type())) {
					why := ""
					if out.Mode() == port.Mode() && port.Type().Kind() == reflect.Interface {
						why = fmt.Sprintf(" (which does not implement %v)", port.Type())
					}
					d.add(r.Pos, "input %s takes %s %v, but %s is %s %v%s", in.Port, port.Mode(), port.Type(), r, out.Mode(), out.Type(), why)
					ok = false
					continue
				}
				input.From = append(input.From, Source{Stage: r.Stage, Port: r.Port})
			}
			if ok && port != nil {
				n.Inputs = append(n.Inputs, input)
			}
		}
		if n.Spec != nil {
			for _, port := range n.Spec.Inputs {
				if port.Required() && !connected[port.Name()] {
					d.add(s.Pos, "stage %s (%s): required input %q (%s %v) is not connected", s.Name, s.Kind, port.Name(), port.Mode(), port.Type())
				}
			}
			sort.SliceStable(n.Inputs, func(a, b int) bool {
				return portIndex(n.Spec.Inputs, n.Inputs[a].Port) < portIndex(n.Spec.Inputs, n.Inputs[b].Port)
			})
			for _, b := range s.Buffer {
				port := n.Spec.Input(b.Port)
				if port == nil || port.Mode() != Stream {
					var streams []string
					for _, in := range n.Spec.Inputs {
						if in.Mode() == Stream {
							streams = append(streams, in.Name())
						}
					}
					d.add(b.Pos, "buffer: kind %s has no stream input %q%s (stream inputs: %s)", s.Kind, b.Port, didYouMean(b.Port, streams), quoteList(streams))
					continue
				}
				n.buffers[b.Port] = b.Size
			}
		}
	}
	checkCycles(p, nodes, d)
	checkStages(p, nodes, c.Dir, d)
	if !full || len(d.ds) > before {
		return nil
	}

	// The graph is sound: order it, wire consumers, hash files, compute keys.
	g.Nodes = topoOrder(nodes)
	for _, n := range g.Nodes {
		for _, in := range n.Inputs {
			for _, src := range in.From {
				up := g.byName[src.Stage]
				up.outs[src.Port] = append(up.outs[src.Port], consumer{node: n, port: in.Port})
			}
		}
	}
	for _, n := range g.Nodes {
		n.files = map[string]string{}
		for _, f := range fileRefs[n] {
			path := f.value
			if !filepath.IsAbs(path) {
				path = filepath.Join(c.Dir, path)
			}
			sum, err := hashFile(path)
			if err != nil {
				d.add(f.pos, "setting %s: %v", f.path, err)
				continue
			}
			n.files[f.path] = sum
		}
		n.Key = nodeKey(n, g)
	}
	if len(d.ds) > before {
		return nil
	}
	return g
}

func portIndex(ps []Port, name string) int {
	for i, p := range ps {
		if p.Name() == name {
			return i
		}
	}
	return len(ps)
}

// checkCycles reports each cycle among the stages once, at the input that
// closes it.
func checkCycles(p *PipelineConfig, nodes []*Node, d *diagList) {
	byName := map[string]int{}
	for i, s := range p.Stages {
		byName[s.Name] = i
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(nodes))
	var stack []int
	reported := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		color[i] = grey
		stack = append(stack, i)
		for _, in := range p.Stages[i].In {
			for _, r := range in.From {
				j, ok := byName[r.Stage]
				if !ok {
					continue
				}
				switch color[j] {
				case grey:
					// Cycle: from j along the stack to i, then back to j.
					start := 0
					for k, s := range stack {
						if s == j {
							start = k
						}
					}
					var names []string
					for _, s := range stack[start:] {
						names = append(names, p.Stages[s].Name)
					}
					members := append([]string(nil), names...)
					sort.Strings(members)
					id := strings.Join(members, ",")
					if !reported[id] {
						reported[id] = true
						// names[k] reads names[k+1] and the last reads
						// names[0]: in the direction of data flow the cycle
						// is names[0] → names[last] → … → names[1] → names[0].
						rev := []string{names[0]}
						for k := len(names) - 1; k >= 1; k-- {
							rev = append(rev, names[k])
						}
						rev = append(rev, names[0])
						d.add(r.Pos, "cycle: %s", strings.Join(rev, " → "))
					}
				case white:
					visit(j)
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
	}
	for i := range nodes {
		if color[i] == white {
			visit(i)
		}
	}
}

// topoOrder orders nodes so that every stage comes after the stages it
// reads, keeping file order among independent stages.
func topoOrder(nodes []*Node) []*Node {
	placed := map[*Node]bool{}
	byName := map[string]*Node{}
	for _, n := range nodes {
		byName[n.Name] = n
	}
	out := make([]*Node, 0, len(nodes))
	for len(out) < len(nodes) {
		progress := false
		for _, n := range nodes {
			if placed[n] {
				continue
			}
			ready := true
			for _, in := range n.Inputs {
				for _, src := range in.From {
					if !placed[byName[src.Stage]] {
						ready = false
					}
				}
			}
			if ready {
				placed[n] = true
				out = append(out, n)
				progress = true
				break
			}
		}
		if !progress {
			panic("pipeline: topoOrder on a cyclic graph")
		}
	}
	return out
}

// keyDoc is what a cache key hashes.
type keyDoc struct {
	Program     int               `json:"program_version"`
	Kind        string            `json:"kind"`
	KindVersion int               `json:"kind_version"`
	Settings    map[string]any    `json:"settings"`
	Inputs      []keyInput        `json:"inputs"`
	Files       map[string]string `json:"files"`
	Named       map[string]any    `json:"named,omitempty"`
}

type keyInput struct {
	Port string   `json:"port"`
	From []string `json:"from"`
	Keys []string `json:"keys"`
}

// nodeKey computes n's cache key; the upstream keys must be known.
func nodeKey(n *Node, g *Graph) string {
	doc := keyDoc{Program: ProgramVersion, Kind: n.Kind, KindVersion: n.Spec.Version, Settings: n.Settings, Files: n.files, Named: n.named}
	for _, in := range n.Inputs {
		ki := keyInput{Port: in.Port}
		for _, src := range in.From {
			ki.From = append(ki.From, src.String())
			ki.Keys = append(ki.Keys, g.byName[src.Stage].Key)
		}
		doc.Inputs = append(doc.Inputs, ki)
	}
	b, err := canonicalJSON(doc)
	if err != nil {
		panic("pipeline: cache key: " + err.Error()) // settings are checked finite
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// hashFile returns the hex SHA-256 of a file's content.
func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
