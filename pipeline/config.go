package pipeline

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// FormatVersion is the pipeline file format version this package reads
// (`version: 1`).
const FormatVersion = 1

// DefaultWorkspace is the workspace directory used when the file names
// none, relative to the file's directory.
const DefaultWorkspace = "runs"

// A Config is a parsed pipeline file. It keeps the YAML nodes of the stages'
// settings so that every later message has a file position. Build runnable
// graphs from it with [Environment.Compile].
type Config struct {
	// Path is the file name as given, used in messages.
	Path string
	// Dir is the absolute directory of the file: the base of the
	// workspace and of File settings.
	Dir string
	// Version is the format version (1).
	Version int
	// Workspace is the workspace directory as written (default "runs").
	Workspace string
	// Default is the default pipeline's name as written; "" means the
	// first pipeline.
	Default string
	// Pipelines are the named pipelines in file order.
	Pipelines []*PipelineConfig

	defaultPos Pos
	open, cls  string // the brackets of ${name} after the pre-parse rewrite
	anchors    map[string]ast.Node
	diags      diagList     // schema problems found while parsing
	extras     []extraField // fields the runner does not read (blocks)
}

// A PipelineConfig is one named pipeline of a file.
type PipelineConfig struct {
	Name        string
	Description string
	Pos         Pos
	Params      []*Param
	Stages      []*StageConfig

	cfg *Config // the file, for Block
}

// A Param is a pipeline parameter, substituted into settings as ${name}.
type Param struct {
	Name string
	Pos  Pos
	val  *pval
}

// Value returns the parameter's value as written in the file (nil, int64,
// float64, string, bool, []any or map[string]any).
func (p *Param) Value() any { return p.val.plain() }

// A StageConfig is one stage of a pipeline as written.
type StageConfig struct {
	Name        string
	Kind        string
	Description string
	// Pos is the position of the stage's name, KindPos that of its kind.
	Pos, KindPos Pos
	// In are the stage's input connections in file order.
	In []*InputConfig
	// Buffer are the channel capacities set per input port.
	Buffer []*BufferConfig

	with    ast.Node // the `with:` mapping, nil when absent
	withPos Pos
}

// An InputConfig connects an input port to one or more outputs.
type InputConfig struct {
	Port string
	Pos  Pos
	From []Ref
}

// A Ref names an output port of a stage, written "stage.port".
type Ref struct {
	Stage, Port string
	Pos         Pos
}

// String returns "stage.port".
func (r Ref) String() string { return r.Stage + "." + r.Port }

// A BufferConfig sets the channel capacity of one stream input.
type BufferConfig struct {
	Port string
	Size int
	Pos  Pos
}

// Pipeline returns the named pipeline, or nil.
func (c *Config) Pipeline(name string) *PipelineConfig {
	for _, p := range c.Pipelines {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// DefaultPipeline returns the name of the pipeline run when none is named:
// the file's `default`, else the first pipeline.
func (c *Config) DefaultPipeline() string {
	if c.Default != "" {
		return c.Default
	}
	if len(c.Pipelines) > 0 {
		return c.Pipelines[0].Name
	}
	return ""
}

// PipelineNames returns the names of the pipelines in file order.
func (c *Config) PipelineNames() []string {
	names := make([]string, len(c.Pipelines))
	for i, p := range c.Pipelines {
		names[i] = p.Name
	}
	return names
}

// Stage returns the named stage, or nil.
func (p *PipelineConfig) Stage(name string) *StageConfig {
	for _, s := range p.Stages {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// ParseFile reads and parses the pipeline file at path. It returns an error
// when the file cannot be read or is not valid YAML (then a [Diagnostics]
// with the position). Problems with the file's structure (unknown fields,
// wrong types) are kept and reported by [Environment.Lint] and
// [Environment.Compile] together with the checks against the kinds.
func ParseFile(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	return Parse(path, src)
}

// Parse parses a pipeline file held in memory; path names it in messages
// and sets the base directory of relative paths. A file larger than
// [MaxFileSize], nested deeper than [MaxNesting], or whose aliases are
// recursive or expand beyond [MaxAliasExpansion] is refused with its
// position.
func Parse(path string, src []byte) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if len(src) > MaxFileSize {
		return nil, Diagnostics{{Pos: Pos{File: path}, Msg: fmt.Sprintf("file too large: a pipeline file may hold at most %d bytes (1 MiB)", MaxFileSize)}}
	}
	c := &Config{Path: path, Dir: filepath.Dir(abs), Workspace: DefaultWorkspace, anchors: map[string]ast.Node{}}
	body, err := c.parseBody(c.rewriteRefs(src), "pipeline file")
	if err != nil {
		return nil, err
	}
	c.parseTop(body)
	return c, nil
}

// parseBody parses src, a single YAML document (a what), within the
// reader's bounds, and records its anchors.
func (c *Config) parseBody(src []byte, what string) (ast.Node, error) {
	f, err := c.parseYAML(src)
	if err != nil {
		return nil, err
	}
	var body ast.Node
	for _, d := range f.Docs {
		if d.Body != nil {
			if body != nil {
				return nil, Diagnostics{{Pos: c.pos(d.Body), Msg: "a " + what + " holds a single YAML document"}}
			}
			body = d.Body
		}
	}
	if body == nil {
		return nil, Diagnostics{{Pos: Pos{File: c.Path, Line: 1}, Msg: "empty " + what}}
	}
	for _, n := range ast.Filter(ast.AnchorType, body) {
		a := n.(*ast.AnchorNode)
		if a.Name != nil {
			c.anchors[a.Name.GetToken().Value] = a.Value
		}
	}
	if err := c.checkAliases(body); err != nil {
		return nil, err
	}
	return body, nil
}

// refRE matches ${name} references.
var refRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_-]*)\}`)

// rewriteRefs rewrites ${name} into $(name) (or another bracket pair that
// the file does not use after a '$') of the same length, so that references
// may appear unquoted in flow mappings ({seed: ${seed}}), where YAML would
// read the braces as a nested mapping. Positions do not move.
func (c *Config) rewriteRefs(src []byte) []byte {
	c.open, c.cls = "{", "}"
	if !refRE.Match(src) {
		return src
	}
	for _, pair := range [][2]string{{"(", ")"}, {"<", ">"}, {"=", "="}, {"^", "^"}} {
		if strings.Contains(string(src), "$"+pair[0]) {
			continue
		}
		c.open, c.cls = pair[0], pair[1]
		out := make([]byte, len(src))
		copy(out, src)
		for _, m := range refRE.FindAllIndex(src, -1) {
			if m[0] > 0 && src[m[0]-1] == '$' { // $${x} is an escaped literal
				continue
			}
			out[m[0]+1] = c.open[0]
			out[m[1]-1] = c.cls[0]
		}
		return out
	}
	return src
}

// restore undoes rewriteRefs in a string that is not substituted.
func (c *Config) restore(s string) string {
	if c.open == "{" || !strings.Contains(s, "$"+c.open) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '$' && i+1 < len(s) && s[i+1] == c.open[0] {
			if j := strings.IndexByte(s[i+2:], c.cls[0]); j >= 0 && identRE.MatchString(s[i+2:i+2+j]) {
				b.WriteString("${" + s[i+2:i+2+j] + "}")
				i += 2 + j
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (c *Config) syntaxError(err error) error {
	type yamlErr interface {
		GetToken() *token.Token
		GetMessage() string
	}
	if ye, ok := err.(yamlErr); ok {
		p := Pos{File: c.Path}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Col = tk.Position.Line, tk.Position.Column
		}
		msg := strings.ReplaceAll(c.restore(ye.GetMessage()), "\t", `\t`)
		return Diagnostics{{Pos: p, Msg: "yaml: " + msg}}
	}
	return Diagnostics{{Pos: Pos{File: c.Path}, Msg: "yaml: " + err.Error()}}
}

// pos returns the position of a node.
func (c *Config) pos(n ast.Node) Pos {
	p := Pos{File: c.Path}
	var tk *token.Token
	switch v := n.(type) {
	case nil:
		return p
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return c.pos(v.Values[0].Key)
		}
		tk = v.Start
	case *ast.MappingValueNode:
		return c.pos(v.Key)
	case *ast.SequenceNode:
		tk = v.Start
	case *ast.AnchorNode:
		tk = v.Start
	case *ast.AliasNode:
		tk = v.Start
	case *ast.TagNode:
		tk = v.Start
	case *ast.LiteralNode:
		tk = v.Start
	default:
		tk = n.GetToken()
	}
	if tk != nil && tk.Position != nil {
		p.Line, p.Col = tk.Position.Line, tk.Position.Column
	}
	return p
}

// deref follows anchors and aliases to the value node.
func (c *Config) deref(n ast.Node) ast.Node {
	for i := 0; i < 100 && n != nil; i++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			name := ""
			if v.Value != nil {
				name = v.Value.GetToken().Value
			}
			target, ok := c.anchors[name]
			if !ok {
				return n
			}
			n = target
		default:
			return n
		}
	}
	return n
}

// entry is one key of a mapping, merge keys expanded.
type entry struct {
	key    string
	keyPos Pos
	value  ast.Node
}

// entries returns the entries of a mapping node (nil node: none), expanding
// `<<: *anchor` merges; explicit keys win over merged ones. ok is false
// when n is not a mapping.
func (c *Config) entries(n ast.Node, d *diagList) (es []entry, ok bool) {
	n = c.deref(n)
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return nil, true
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		return nil, false
	}
	seen := map[string]int{}
	var merged []entry
	for _, mv := range values {
		if mv.Key.IsMergeKey() {
			targets := []ast.Node{c.deref(mv.Value)}
			if seq, isSeq := targets[0].(*ast.SequenceNode); isSeq {
				targets = targets[:0]
				for _, t := range seq.Values {
					targets = append(targets, c.deref(t))
				}
			}
			for _, t := range targets {
				sub, subOK := c.entries(t, d)
				if !subOK {
					d.add(c.pos(mv.Value), "merge key <<: want a mapping or an alias of one")
					continue
				}
				merged = append(merged, sub...)
			}
			continue
		}
		key := c.restore(c.keyString(mv.Key))
		seen[key] = len(es)
		es = append(es, entry{key: key, keyPos: c.pos(mv.Key), value: mv.Value})
	}
	for _, m := range merged {
		if _, dup := seen[m.key]; dup {
			continue
		}
		seen[m.key] = len(es)
		es = append(es, m)
	}
	return es, true
}

func (c *Config) keyString(k ast.MapKeyNode) string {
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value
	case ast.ScalarNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value
		}
	}
	return k.String()
}

// pval is a value from the file (or the command line) with its position.
// v is nil, int64, float64, string, bool, []*pval or *pmap.
type pval struct {
	v     any
	pos   Pos
	param string // the value came from a whole-value ${param}
	bad   bool   // already reported (unknown param): do not check further
	col   int    // a literal string's first character (see FileValue.ValueCol)
}

type pmap struct {
	keys   []string
	vals   map[string]*pval
	keyPos map[string]Pos
}

// plain converts a pval into a resolved value (nil, int64, float64, string,
// bool, []any, map[string]any).
func (p *pval) plain() any {
	if p == nil {
		return nil
	}
	switch v := p.v.(type) {
	case []*pval:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = e.plain()
		}
		return out
	case *pmap:
		out := make(map[string]any, len(v.keys))
		for _, k := range v.keys {
			out[k] = v.vals[k].plain()
		}
		return out
	}
	return p.v
}

// fromPlain converts a resolved value into a pval at pos.
func fromPlain(v any, pos Pos) *pval {
	switch x := v.(type) {
	case []any:
		out := make([]*pval, len(x))
		for i, e := range x {
			out[i] = fromPlain(e, pos)
		}
		return &pval{v: out, pos: pos}
	case map[string]any:
		m := &pmap{vals: map[string]*pval{}, keyPos: map[string]Pos{}}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			m.keys = append(m.keys, k)
			m.vals[k] = fromPlain(x[k], pos)
			m.keyPos[k] = pos
		}
		return &pval{v: m, pos: pos}
	}
	return &pval{v: v, pos: pos}
}

// toPval converts a node into a pval. Strings go through str, which either
// restores or substitutes ${name} references.
func (c *Config) toPval(n ast.Node, d *diagList, str func(s string, pos Pos, n ast.Node) *pval) *pval {
	pos := c.pos(n)
	n = c.deref(n)
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return &pval{pos: pos}
	case *ast.StringNode:
		if v.Token != nil && v.Token.Type == token.StringType && sciRE.MatchString(v.Value) {
			return c.sciNumber(v.Value, pos)
		}
		return str(v.Value, pos, v)
	case *ast.LiteralNode:
		return str(v.Value.Value, pos, v)
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return &pval{v: x, pos: pos}
		case uint64:
			if x <= math.MaxInt64 {
				return &pval{v: int64(x), pos: pos}
			}
		}
		d.add(pos, "integer %s out of range", v.Token.Value)
		return &pval{pos: pos}
	case *ast.FloatNode:
		return &pval{v: v.Value, pos: pos}
	case *ast.InfinityNode:
		return &pval{v: v.Value, pos: pos}
	case *ast.NanNode:
		return &pval{v: math.NaN(), pos: pos}
	case *ast.BoolNode:
		return &pval{v: v.Value, pos: pos}
	case *ast.TagNode:
		if v.Start != nil && (v.Start.Value == "!!str" || v.Start.Value == "!str") {
			if sc, ok := c.deref(v.Value).(ast.ScalarNode); ok && sc.GetToken() != nil {
				return str(sc.GetToken().Value, pos, v)
			}
		}
		tag := ""
		if v.Start != nil {
			tag = v.Start.Value
		}
		d.add(pos, "unsupported YAML tag %s", tag)
		return &pval{pos: pos}
	case *ast.SequenceNode:
		out := make([]*pval, len(v.Values))
		for i, e := range v.Values {
			out[i] = c.toPval(e, d, str)
		}
		return &pval{v: out, pos: pos}
	case *ast.MappingNode, *ast.MappingValueNode:
		es, _ := c.entries(v, d)
		m := &pmap{vals: map[string]*pval{}, keyPos: map[string]Pos{}}
		for _, e := range es {
			m.keys = append(m.keys, e.key)
			m.vals[e.key] = c.toPval(e.value, d, str)
			m.keyPos[e.key] = e.keyPos
		}
		return &pval{v: m, pos: pos}
	case *ast.AliasNode:
		d.add(pos, "unknown alias %s", v.String())
		return &pval{pos: pos}
	}
	d.add(pos, "unsupported YAML value %s", strings.TrimSpace(n.String()))
	return &pval{pos: pos}
}

// sciRE matches a number in scientific notation, as YAML 1.2 reads it and
// the YAML parser does not (it reads 1e9 as a string, 1.5e3 as a float).
var sciRE = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$`)

// sciNumber reads a plain scalar in scientific notation: an int64 when it
// is whole and within the range of int64 (1e9), a float64 otherwise
// (1e-12, 1e300); the setting then judges the value.
func (c *Config) sciNumber(s string, pos Pos) *pval {
	x, _ := strconv.ParseFloat(s, 64) // beyond float64: ±Inf, as .inf, for the setting to judge
	if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
		return &pval{v: int64(x), pos: pos}
	}
	return &pval{v: x, pos: pos}
}

// literal converts a node with ${...} kept literally.
func (c *Config) literal(n ast.Node, d *diagList) *pval {
	return c.toPval(n, d, func(s string, pos Pos, n ast.Node) *pval {
		return &pval{v: c.restore(s), pos: pos, col: quoteCol(n, pos, 0)}
	})
}

// scalarString returns a node's value as a string, or reports a diagnostic.
func (c *Config) scalarString(n ast.Node, what string, d *diagList) (string, bool) {
	pv := c.literal(n, d)
	s, ok := pv.v.(string)
	if !ok {
		d.add(pv.pos, "%s: want a string, got %s", what, describe(pv.plain()))
	}
	return s, ok
}

var (
	topFields      = []string{"version", "workspace", "default", "pipelines"}
	pipelineFields = []string{"description", "params", "stages"}
	stageFields    = []string{"kind", "description", "in", "with", "buffer"}
	nameRE         = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)
)

func (c *Config) unknownField(d *diagList, e entry, where string, fields []string) {
	d.add(e.keyPos, "unknown field %q in %s%s (fields: %s)", e.key, where, didYouMean(e.key, fields), quoteList(fields))
}

func (c *Config) parseTop(body ast.Node) {
	d := &c.diags
	es, ok := c.entries(body, d)
	if !ok {
		d.add(c.pos(body), "a pipeline file is a mapping with fields %s", quoteList(topFields))
		return
	}
	var haveVersion, havePipelines bool
	for _, e := range es {
		switch e.key {
		case "version":
			haveVersion = true
			pv := c.literal(e.value, d)
			v, isInt := pv.v.(int64)
			switch {
			case !isInt:
				d.add(pv.pos, "version: want %d, got %s", FormatVersion, describe(pv.plain()))
			case v != FormatVersion:
				d.add(pv.pos, "unsupported version %d (this program reads version %d)", v, FormatVersion)
			default:
				c.Version = int(v)
			}
		case "workspace":
			if s, ok := c.scalarString(e.value, "workspace", d); ok {
				if s == "" {
					d.add(c.pos(e.value), "workspace: empty path")
				} else {
					c.Workspace = s
				}
			}
		case "default":
			if s, ok := c.scalarString(e.value, "default", d); ok {
				c.Default, c.defaultPos = s, c.pos(e.value)
			}
		case "pipelines":
			havePipelines = true
			c.parsePipelines(e.value)
		default:
			c.extras = append(c.extras, extraField{level: FileBlock, entry: e})
		}
	}
	top := c.pos(body)
	if !haveVersion {
		d.add(top, "missing field \"version\" (add `version: %d`)", FormatVersion)
	}
	if !havePipelines {
		d.add(top, "missing field \"pipelines\"")
	}
	if c.Default != "" && len(c.Pipelines) > 0 && c.Pipeline(c.Default) == nil {
		d.add(c.defaultPos, "default: no pipeline %q%s (pipelines: %s)", c.Default, didYouMean(c.Default, c.PipelineNames()), quoteList(c.PipelineNames()))
	}
}

func (c *Config) parsePipelines(n ast.Node) {
	d := &c.diags
	es, ok := c.entries(n, d)
	if !ok {
		d.add(c.pos(n), "pipelines: want a mapping from pipeline names to pipelines")
		return
	}
	if len(es) == 0 {
		d.add(c.pos(n), "pipelines: no pipeline defined")
	}
	for _, e := range es {
		if !nameRE.MatchString(e.key) {
			d.add(e.keyPos, "pipeline name %q: use letters, digits, '_' and '-' (it names a directory)", e.key)
		}
		p := &PipelineConfig{Name: e.key, Pos: e.keyPos, cfg: c}
		c.Pipelines = append(c.Pipelines, p)
		pes, ok := c.entries(e.value, d)
		if !ok {
			d.add(c.pos(e.value), "pipeline %s: want a mapping with fields %s", e.key, quoteList(pipelineFields))
			continue
		}
		haveStages := false
		for _, pe := range pes {
			switch pe.key {
			case "description":
				p.Description, _ = c.scalarString(pe.value, "description", d)
			case "params":
				c.parseParams(p, pe.value)
			case "stages":
				haveStages = true
				c.parseStages(p, pe.value)
			default:
				c.extras = append(c.extras, extraField{level: PipelineBlock, pipeline: p, entry: pe})
			}
		}
		if !haveStages {
			d.add(e.keyPos, "pipeline %s: missing field \"stages\"", e.key)
		}
	}
}

func (c *Config) parseParams(p *PipelineConfig, n ast.Node) {
	d := &c.diags
	es, ok := c.entries(n, d)
	if !ok {
		d.add(c.pos(n), "params: want a mapping from names to values")
		return
	}
	for _, e := range es {
		if !identRE.MatchString(e.key) {
			d.add(e.keyPos, "param name %q: use letters, digits, '_' and '-'", e.key)
		}
		p.Params = append(p.Params, &Param{Name: e.key, Pos: e.keyPos, val: c.literal(e.value, d)})
	}
}

func (c *Config) parseStages(p *PipelineConfig, n ast.Node) {
	d := &c.diags
	es, ok := c.entries(n, d)
	if !ok {
		d.add(c.pos(n), "stages: want a mapping from stage names to stages")
		return
	}
	if len(es) == 0 {
		d.add(c.pos(n), "pipeline %s: no stages", p.Name)
	}
	for _, e := range es {
		if !nameRE.MatchString(e.key) {
			d.add(e.keyPos, "stage name %q: use letters, digits, '_' and '-'", e.key)
		}
		s := &StageConfig{Name: e.key, Pos: e.keyPos}
		p.Stages = append(p.Stages, s)
		ses, ok := c.entries(e.value, d)
		if !ok {
			d.add(c.pos(e.value), "stage %s: want a mapping with fields %s", e.key, quoteList(stageFields))
			continue
		}
		haveKind := false
		for _, se := range ses {
			switch se.key {
			case "kind":
				haveKind = true
				s.KindPos = c.pos(se.value)
				if k, ok := c.scalarString(se.value, "kind", d); ok {
					s.Kind = k
					if k == "" {
						d.add(s.KindPos, "kind: empty")
					}
				}
			case "description":
				s.Description, _ = c.scalarString(se.value, "description", d)
			case "in":
				c.parseIn(s, se.value)
			case "with":
				s.with, s.withPos = se.value, se.keyPos
				if _, ok := c.entries(se.value, d); !ok {
					d.add(c.pos(se.value), "with: want a mapping from setting names to values")
					s.with = nil
				}
			case "buffer":
				c.parseBuffer(s, se.value)
			default:
				c.unknownField(d, se, "stage "+e.key, stageFields)
			}
		}
		if !haveKind {
			d.add(e.keyPos, "stage %s: missing field \"kind\"", e.key)
		}
	}
}

func (c *Config) parseIn(s *StageConfig, n ast.Node) {
	d := &c.diags
	es, ok := c.entries(n, d)
	if !ok {
		d.add(c.pos(n), "in: want a mapping from input ports to \"stage.port\"")
		return
	}
	for _, e := range es {
		in := &InputConfig{Port: e.key, Pos: e.keyPos}
		s.In = append(s.In, in)
		val := c.deref(e.value)
		items := []ast.Node{val}
		if seq, isSeq := val.(*ast.SequenceNode); isSeq {
			items = seq.Values
			if len(items) == 0 {
				d.add(c.pos(val), "input %s: empty list of sources", e.key)
			}
		}
		for _, it := range items {
			str, ok := c.scalarString(it, "input "+e.key, d)
			if !ok {
				continue
			}
			r := Ref{Pos: c.pos(it)}
			r.Stage, r.Port, _ = strings.Cut(str, ".")
			if r.Stage == "" || strings.Contains(r.Port, ".") {
				d.add(r.Pos, "input %s: want \"stage.port\", got %q", e.key, str)
				continue
			}
			in.From = append(in.From, r)
		}
	}
}

func (c *Config) parseBuffer(s *StageConfig, n ast.Node) {
	d := &c.diags
	es, ok := c.entries(n, d)
	if !ok {
		d.add(c.pos(n), "buffer: want a mapping from input ports to channel capacities")
		return
	}
	for _, e := range es {
		pv := c.literal(e.value, d)
		v, isInt := pv.v.(int64)
		if !isInt || v < 0 || v > 1<<20 {
			d.add(pv.pos, "buffer %s: want a capacity between 0 and %d, got %s", e.key, 1<<20, describe(pv.plain()))
			continue
		}
		s.Buffer = append(s.Buffer, &BufferConfig{Port: e.key, Size: int(v), Pos: e.keyPos})
	}
}

// parseSetValue parses the value of a --set name=value override as a YAML
// scalar or flow value; text that does not parse is taken as a string.
func parseSetValue(s string) any {
	if s == "" {
		return ""
	}
	f, err := parser.ParseBytes([]byte("v: "+s), 0)
	if err != nil || len(f.Docs) != 1 {
		return s
	}
	c := &Config{open: "{", cls: "}", anchors: map[string]ast.Node{}}
	var d diagList
	es, ok := c.entries(f.Docs[0].Body, &d)
	if !ok || len(es) != 1 || len(d.ds) > 0 {
		return s
	}
	v := c.literal(es[0].value, &d).plain()
	if len(d.ds) > 0 {
		return s
	}
	if v == nil {
		return s
	}
	return v
}

// quoteCol returns the column of byte idx of a scalar's value, when the
// scalar is on one line; else the scalar's own column.
func quoteCol(n ast.Node, pos Pos, idx int) int {
	sn, ok := n.(*ast.StringNode)
	if !ok || sn.Token == nil || pos.Col == 0 || strings.ContainsAny(sn.Value, "\n") {
		return pos.Col
	}
	switch sn.Token.Type {
	case token.StringType:
		return pos.Col + idx
	case token.SingleQuoteType, token.DoubleQuoteType:
		if !strings.ContainsAny(sn.Token.Origin, `\'`) || sn.Token.Type == token.SingleQuoteType && !strings.Contains(strings.Trim(sn.Token.Origin, " '"), "''") {
			return pos.Col + 1 + idx
		}
	}
	return pos.Col
}
