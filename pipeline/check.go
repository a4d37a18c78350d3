package pipeline

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// checker checks positioned values against settings specs.
type checker struct {
	d       *diagList
	ps      *params
	files   []fileRef // File settings met, for the cache key
	outputs []fileRef // Output settings met, for the duplicate check
	stage   string    // the stage checked, named in messages on output paths
	// entries returns the entries of a file-level block (nil when the
	// block is absent); named collects the entries settings name, by path.
	entries func(block string) map[string]*FileValue
	named   map[string]*FileValue
}

// fileRef is a File setting: its path in the settings, its value and position.
type fileRef struct {
	path, value string
	pos         Pos
}

// with checks a stage's `with:` block (pv is nil when absent) against the
// kind's settings and returns the resolved settings, defaults filled in.
func (ck *checker) with(spec *Spec, pv *pval, withPos, stagePos Pos) (map[string]any, bool) {
	obj := &Setting{Type: Object, Fields: spec.Settings}
	if pv == nil {
		pv = &pval{v: &pmap{vals: map[string]*pval{}, keyPos: map[string]Pos{}}, pos: stagePos}
	}
	if pv.v == nil && !pv.bad { // `with:` with nothing after it
		pv = &pval{v: &pmap{vals: map[string]*pval{}, keyPos: map[string]Pos{}}, pos: withPos}
	}
	missingPos := withPos
	if missingPos.Line == 0 {
		missingPos = stagePos
	}
	v, ok := ck.object(obj, pv, "", "kind "+spec.Name, missingPos)
	if !ok {
		return nil, false
	}
	return v.(map[string]any), true
}

// object checks a mapping against an Object setting. where names the
// owner in messages; missingPos is where a missing field is reported.
func (ck *checker) object(s *Setting, pv *pval, path, where string, missingPos Pos) (any, bool) {
	m, isMap := pv.v.(*pmap)
	if !isMap {
		ck.mismatch(s, pv, path)
		return nil, false
	}
	names := fieldNameList(s.Fields)
	ok := true
	for _, k := range m.keys {
		if findField(s.Fields, k) == nil {
			if path == "" {
				ck.d.add(m.keyPos[k], "unknown setting %q for %s%s (settings: %s)", k, where, didYouMean(k, names), quoteList(names))
			} else {
				ck.d.add(m.keyPos[k], "unknown field %q in setting %s%s (fields: %s)", k, path, didYouMean(k, names), quoteList(names))
			}
			ok = false
		}
	}
	out := make(map[string]any, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		fp := joinPath(path, f.Name)
		fv, present := m.vals[f.Name]
		if !present {
			if f.Required {
				if path == "" {
					ck.d.add(missingPos, "missing required setting %q (%s, %s)", f.Name, f.TypeString(), where)
				} else {
					ck.d.add(pv.pos, "setting %s: missing required field %q", path, f.Name)
				}
				ok = false
				continue
			}
			if f.Default != nil {
				out[f.Name] = f.Default
			}
			continue
		}
		v, fok := ck.node(f, fv, fp)
		if !fok {
			ok = false
			continue
		}
		out[f.Name] = v
	}
	if !ok {
		return nil, false
	}
	if msg := checkAllowed(s, out); msg != "" {
		ck.d.add(pv.pos, "setting %s: %s", path, msg)
		return nil, false
	}
	return out, true
}

// node checks one positioned value against s and returns it resolved.
func (ck *checker) node(s *Setting, pv *pval, path string) (any, bool) {
	if pv.bad {
		return nil, false
	}
	switch s.Type {
	case Object:
		if _, isMap := pv.v.(*pmap); isMap {
			return ck.object(s, pv, path, "", pv.pos)
		}
	case Map:
		if m, isMap := pv.v.(*pmap); isMap {
			out := make(map[string]any, len(m.keys))
			ok := true
			for _, k := range m.keys {
				if s.Elem == nil {
					out[k] = m.vals[k].plain()
					continue
				}
				v, eok := ck.node(s.Elem, m.vals[k], path+"."+k)
				ok = ok && eok
				out[k] = v
			}
			return ck.collection(s, pv, path, out, ok)
		}
	case List:
		if xs, isList := pv.v.([]*pval); isList {
			out := make([]any, len(xs))
			ok := true
			for i, x := range xs {
				v, eok := ck.node(s.Elem, x, fmt.Sprintf("%s[%d]", path, i))
				ok = ok && eok
				out[i] = v
			}
			return ck.collection(s, pv, path, out, ok)
		}
	}
	plain := pv.plain()
	if f, isFloat := plain.(float64); isFloat && (math.IsNaN(f) || math.IsInf(f, 0)) && (s.Type == Float || s.Type == Int) {
		ck.d.add(pv.pos, "setting %s: want a finite number, got %s%s", path, fmtNum(f), ck.note(pv))
		return nil, false
	}
	if name, isStr := plain.(string); isStr && s.Block != "" && ck.entries != nil {
		if entry := ck.entries(s.Block)[name]; entry != nil {
			if ck.named == nil {
				ck.named = map[string]*FileValue{}
			}
			ck.named[path] = entry
			return name, true
		}
	}
	v, msg := checkValue(s, plain)
	if msg != "" && s.Type == Output && ck.stage != "" {
		ck.d.add(pv.pos, "stage %s: setting %s: %s%s", ck.stage, path, msg, ck.note(pv))
		return nil, false
	}
	if msg != "" {
		if s.Block != "" && ck.entries != nil {
			msg += ck.blockHint(s.Block)
		}
		ck.d.add(pv.pos, "setting %s: %s%s", path, msg, ck.note(pv))
		return nil, false
	}
	if s.Type == File {
		ck.files = append(ck.files, fileRef{path: path, value: v.(string), pos: pv.pos})
	}
	if s.Type == Output {
		ck.outputs = append(ck.outputs, fileRef{path: path, value: v.(string), pos: pv.pos})
	}
	return v, true
}

// collection finishes a map or list setting whose elements were checked
// (ok when all passed): the whole value against the setting's allowed
// values.
func (ck *checker) collection(s *Setting, pv *pval, path string, out any, ok bool) (any, bool) {
	if !ok {
		return nil, false
	}
	if msg := checkAllowed(s, out); msg != "" {
		ck.d.add(pv.pos, "setting %s: %s", path, msg)
		return nil, false
	}
	return out, true
}

func (ck *checker) mismatch(s *Setting, pv *pval, path string) {
	_, msg := checkValue(s, pv.plain())
	if msg == "" {
		msg = "want " + s.TypeString()
	}
	ck.d.add(pv.pos, "setting %s: %s%s", path, msg, ck.note(pv))
}

// note says where a substituted value came from.
func (ck *checker) note(pv *pval) string {
	if pv.param == "" {
		return ""
	}
	if o := ck.ps.origin[pv.param]; o != "" {
		return fmt.Sprintf(" (${%s} from %s)", pv.param, o)
	}
	return fmt.Sprintf(" (from param %s)", pv.param)
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// blockHint names the entries of a block, for a value that is neither a
// OneOf value nor an entry.
func (ck *checker) blockHint(block string) string {
	names := slices.Sorted(maps.Keys(ck.entries(block)))
	if len(names) == 0 {
		return fmt.Sprintf(", nor an entry of the file's %s: block (it has none)", block)
	}
	return fmt.Sprintf(", nor an entry of the file's %s: block (%s)", block, quoteList(names))
}
