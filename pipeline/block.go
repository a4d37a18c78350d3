package pipeline

import (
	"fmt"
	"slices"
	"sort"

	"github.com/goccy/go-yaml/ast"
)

// A BlockLevel says where in a pipeline file a [Block] is written.
type BlockLevel int

const (
	// FileBlock is a top-level field of the file, beside `pipelines:`.
	FileBlock BlockLevel = iota + 1
	// PipelineBlock is a field of a pipeline, beside `stages:`.
	PipelineBlock
)

// String returns "file" or "pipeline".
func (l BlockLevel) String() string {
	switch l {
	case FileBlock:
		return "file"
	case PipelineBlock:
		return "pipeline"
	}
	return fmt.Sprintf("BlockLevel(%d)", int(l))
}

// A Block declares a field of the pipeline file that the runner does not
// read itself but another package does: a pipeline's `sweep:` matrix, the
// file's task declarations, cluster settings. The package registers the
// block in an environment ([RegisterBlock]); lint then accepts the field
// and calls Check on its value, and the package reads the value back with
// [Config.Block] or [PipelineConfig.Block]. A field of the file that no
// registered block names is an unknown field.
type Block struct {
	// Name is the field's name; it must not be a field the runner reads
	// itself (version, workspace, default, pipelines; description,
	// params, stages).
	Name string
	// Level says where the field is written.
	Level BlockLevel
	// Summary is a one-line description.
	Summary string
	// Doc, when not empty, documents the block's value (its fields and
	// forms), for runpipe stages.
	Doc string
	// Check, when not nil, is called by Lint and Compile for every
	// occurrence of the block, with the file, the pipeline (nil for a
	// FileBlock) and the block's value; the problems it returns are
	// reported with the others. ${name} references in the value are kept
	// as written.
	Check func(c *Config, p *PipelineConfig, v *FileValue) Diagnostics
	// Entries, for a FileBlock, returns the named entries of the block's
	// value that a setting with [Setting.Block] may name; when nil, the
	// entries are the keys of the value's mapping. Problems are Check's
	// to report: Entries returns what it can read.
	Entries func(c *Config, v *FileValue) map[string]*FileValue
}

// RegisterBlock registers a block in the default environment. It panics
// on a duplicate or on a name the runner reads itself.
func RegisterBlock(b Block) { defaultEnv.RegisterBlock(b) }

// RegisterBlock registers a block in e; see the package-level
// [RegisterBlock].
func (e *Environment) RegisterBlock(b Block) {
	builtin := topFields
	if b.Level == PipelineBlock {
		builtin = pipelineFields
	}
	switch {
	case b.Level != FileBlock && b.Level != PipelineBlock:
		panic(fmt.Sprintf("pipeline: RegisterBlock(%q): invalid level %d", b.Name, b.Level))
	case !nameRE.MatchString(b.Name):
		panic(fmt.Sprintf("pipeline: RegisterBlock(%q): invalid name", b.Name))
	case slices.Contains(builtin, b.Name):
		panic(fmt.Sprintf("pipeline: RegisterBlock(%q): the runner reads that %s field itself", b.Name, b.Level))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	key := blockKey{b.Level, b.Name}
	if _, dup := e.blocks[key]; dup {
		panic(fmt.Sprintf("pipeline: RegisterBlock called twice for %s block %q", b.Level, b.Name))
	}
	e.blocks[key] = &b
}

// Blocks returns the blocks registered at level, sorted by name.
func (e *Environment) Blocks(level BlockLevel) []Block {
	e.mu.RLock()
	defer e.mu.RUnlock()
	var out []Block
	for k, b := range e.blocks {
		if k.level == level {
			out = append(out, *b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type blockKey struct {
	level BlockLevel
	name  string
}

// extraField is a field of the file that the runner does not read: a
// block, or an unknown field reported by lint.
type extraField struct {
	level    BlockLevel
	pipeline *PipelineConfig // nil for a file-level field
	entry
}

// Block returns the value of the file-level block name, or nil when the
// file has none. The value is returned whether or not the block is
// registered.
func (c *Config) Block(name string) *FileValue { return c.blockValue(FileBlock, nil, name) }

// Block returns the value of the pipeline's block name, or nil when the
// pipeline has none.
func (p *PipelineConfig) Block(name string) *FileValue {
	if p.cfg == nil {
		return nil
	}
	return p.cfg.blockValue(PipelineBlock, p, name)
}

func (c *Config) blockValue(level BlockLevel, p *PipelineConfig, name string) *FileValue {
	for _, x := range c.extras {
		if x.level == level && x.pipeline == p && x.key == name {
			var d diagList // conversion problems are reported by lint
			return exportValue(c.literal(x.value, &d))
		}
	}
	return nil
}

// blockEntries returns a function giving the entries of c's file-level
// blocks, each read once.
func (e *Environment) blockEntries(c *Config) func(name string) map[string]*FileValue {
	cache := map[string]map[string]*FileValue{}
	return func(name string) map[string]*FileValue {
		if m, ok := cache[name]; ok {
			return m
		}
		var m map[string]*FileValue
		if v := c.Block(name); v != nil {
			e.mu.RLock()
			b := e.blocks[blockKey{FileBlock, name}]
			e.mu.RUnlock()
			if b != nil && b.Entries != nil {
				m = b.Entries(c, v)
			} else if fm, ok := v.V.(*FileMapping); ok {
				m = fm.Values
			}
		}
		cache[name] = m
		return m
	}
}

// checkBlocks reports the file's unknown fields and runs the Check of
// every registered block present.
func (e *Environment) checkBlocks(c *Config, d *diagList) {
	for _, x := range c.extras {
		e.mu.RLock()
		b := e.blocks[blockKey{x.level, x.key}]
		e.mu.RUnlock()
		where, fields := "the pipeline file", topFields
		if x.level == PipelineBlock {
			where, fields = "pipeline "+x.pipeline.Name, pipelineFields
		}
		if b == nil {
			fields = slices.Clone(fields)
			for _, rb := range e.Blocks(x.level) {
				fields = append(fields, rb.Name)
			}
			c.unknownField(d, x.entry, where, fields)
			continue
		}
		if b.Check == nil {
			continue
		}
		v := exportValue(c.literal(x.value, d))
		d.addAll(b.Check(c, x.pipeline, v))
	}
}

// A FileValue is a value written in the pipeline file, with its position: what
// a [Block] reads. FileMapping keys keep their file order.
type FileValue struct {
	// Pos is where the value is written.
	Pos Pos
	// V is nil, int64, float64, string, bool, []*FileValue or *FileMapping.
	V any
	// ValueCol, for a string, is the column of its first character: one
	// past an opening quote. It is Pos.Col when the characters do not map
	// to columns one to one (escapes, a string over several lines).
	ValueCol int
}

// ParseValue reads a YAML file other than a pipeline file, such as a task
// file a block names, within the bounds of a pipeline file (size, depth,
// aliases), into a FileValue with positions in path. ${name} references
// are kept as written. Errors are [Diagnostics].
func ParseValue(path string, src []byte) (*FileValue, error) {
	if len(src) > MaxFileSize {
		return nil, Diagnostics{{Pos: Pos{File: path}, Msg: fmt.Sprintf("file too large: a YAML file may hold at most %d bytes (1 MiB)", MaxFileSize)}}
	}
	c := &Config{Path: path, anchors: map[string]ast.Node{}, open: "{", cls: "}"}
	body, err := c.parseBody(src, "YAML file")
	if err != nil {
		return nil, err
	}
	var d diagList
	v := exportValue(c.literal(body, &d))
	if err := d.ds.Err(); err != nil {
		return nil, err
	}
	return v, nil
}

// A FileMapping is a YAML mapping of a [FileValue], merge keys (<<:) expanded.
type FileMapping struct {
	// Keys are the keys in file order.
	Keys []string
	// Values holds the value of every key, KeyPos the position of every
	// key.
	Values map[string]*FileValue
	KeyPos map[string]Pos
}

// Plain returns the value without positions: nil, int64, float64, string,
// bool, []any or map[string]any.
func (v *FileValue) Plain() any {
	if v == nil {
		return nil
	}
	switch x := v.V.(type) {
	case []*FileValue:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e.Plain()
		}
		return out
	case *FileMapping:
		out := make(map[string]any, len(x.Keys))
		for _, k := range x.Keys {
			out[k] = x.Values[k].Plain()
		}
		return out
	}
	return v.V
}

// Describe names the value's type and shows short values, for messages:
// "string \"abc\"", "int 3", "list", "mapping", "null".
func (v *FileValue) Describe() string { return describe(v.Plain()) }

func exportValue(p *pval) *FileValue {
	if p == nil {
		return nil
	}
	v := &FileValue{Pos: p.pos, ValueCol: p.col}
	switch x := p.v.(type) {
	case []*pval:
		l := make([]*FileValue, len(x))
		for i, e := range x {
			l[i] = exportValue(e)
		}
		v.V = l
	case *pmap:
		m := &FileMapping{Keys: slices.Clone(x.keys), Values: make(map[string]*FileValue, len(x.keys)), KeyPos: make(map[string]Pos, len(x.keys))}
		for _, k := range x.keys {
			m.Values[k] = exportValue(x.vals[k])
			m.KeyPos[k] = x.keyPos[k]
		}
		v.V = m
	default:
		v.V = x
	}
	return v
}
