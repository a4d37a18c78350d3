package pipeline

import (
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SettingType is the type of a setting's value in the pipeline file.
type SettingType int

const (
	// Int is a whole number (YAML 200). Decodes into any Go integer type.
	Int SettingType = iota + 1
	// Float is a number (YAML 0.5 or 2). Decodes into float64 or float32.
	Float
	// String is a text value. Decodes into a string type.
	String
	// Bool is true or false.
	Bool
	// Duration is a Go duration string ("90s", "1m30s"). Decodes into
	// time.Duration.
	Duration
	// File is the path of an input file, relative to the pipeline file's
	// directory. Its content is part of the stage's cache key, so editing
	// the file reruns the stage. Decodes into a string holding the
	// absolute path.
	File
	// List is a sequence whose elements are described by Setting.Elem.
	// Decodes into a slice.
	List
	// Map is a mapping from names to values described by Setting.Elem (any
	// value when Elem is nil). Decodes into a map with string keys.
	Map
	// Object is a mapping with the fixed fields Setting.Fields. Decodes into
	// a struct whose fields carry `pipeline:"name"` tags.
	Object
	// Output is the path of a file (or directory) a stage writes, relative
	// to the pipeline directory (<workspace>/<pipeline>). Every output path
	// obeys one rule, checked by lint: relative, inside the pipeline
	// directory (no "..", no absolute path, not the runner's own .stages
	// directory); two stages of a pipeline may not write the same one; and
	// [Job.CreateOutput] refuses, at write time, a path that leaves the
	// pipeline directory through a symbolic link. Decodes into a string
	// holding the cleaned relative path.
	Output
)

var settingTypeNames = [...]string{Int: "int", Float: "float", String: "string", Bool: "bool", Duration: "duration", File: "file", List: "list", Map: "map", Object: "object", Output: "output"}

// String returns the type's name as shown by lint and `runpipe stages`.
func (t SettingType) String() string {
	if t > 0 && int(t) < len(settingTypeNames) {
		return settingTypeNames[t]
	}
	return fmt.Sprintf("SettingType(%d)", int(t))
}

// A Setting describes one entry of a stage's `with:` block (or one field of
// an Object setting, or the elements of a List or Map setting). The spec is
// the single source of truth: lint checks the file against it with
// positions, defaults fill what the file leaves out, `runpipe stages`
// documents it, and the resolved values decode into the kind's typed
// settings struct.
type Setting struct {
	// Name is the key in the pipeline file and in the `pipeline:"name"` tag
	// of the settings struct field it decodes into.
	Name string
	// Type is the value's type.
	Type SettingType
	// Doc is a one-line description.
	Doc string
	// Default is the value used when the file leaves the setting out, as a
	// Go value (200, 0.5, "go-nogo", []float64{4, 20}, time.Minute). Nil
	// means no default: the setting is then absent from the resolved
	// settings and its struct field keeps its zero value.
	Default any
	// Required makes a missing setting a lint error.
	Required bool
	// OneOf lists the allowed values, when limited.
	OneOf []any
	// Range limits a number (Int, Float) or a duration, when set.
	Range *Range
	// Elem describes the elements of a List or the values of a Map.
	Elem *Setting
	// Fields are the fields of an Object.
	Fields []Setting
	// Example is an example value shown by `runpipe stages`.
	Example any
	// Words, for an Int or Float setting, are strings the value may be
	// instead of a number, such as "from-file" for a scaling factor read
	// from a model file. The Range does not apply to them. The settings
	// struct field of such a setting has type any: it receives an int64
	// or float64, or one of the words.
	Words []string
	// Block, for a String setting, names a file-level [Block] whose
	// entries the value may also name (beside the OneOf values): a task
	// declared in the file's `tasks:` block. The entry named is given to
	// the constructor in a [Named] field and is part of the cache key, so
	// a changed entry reruns the stage and what depends on it.
	Block string
}

// Named is the Go type of a setting with a Block: the name written and,
// when it names an entry of the block, the entry (nil for a OneOf value).
type Named struct {
	Name  string
	Entry *FileValue
}

// Range is an interval of allowed numbers. Durations are compared in
// seconds.
type Range struct {
	Min, Max       float64
	HasMin, HasMax bool
	// MinOpen excludes Min itself (x > Min rather than x ≥ Min).
	MinOpen bool
}

// AtLeast returns the range x ≥ lo.
func AtLeast(lo float64) *Range { return &Range{Min: lo, HasMin: true} }

// Above returns the range x > lo.
func Above(lo float64) *Range { return &Range{Min: lo, HasMin: true, MinOpen: true} }

// Between returns the range lo ≤ x ≤ hi.
func Between(lo, hi float64) *Range { return &Range{Min: lo, Max: hi, HasMin: true, HasMax: true} }

// String formats the range as "≥ 1", "> 0", "[0, 1]" or "≤ 5".
func (r *Range) String() string {
	switch {
	case r.HasMin && r.HasMax:
		open := "["
		if r.MinOpen {
			open = "("
		}
		return fmt.Sprintf("%s%s, %s]", open, fmtNum(r.Min), fmtNum(r.Max))
	case r.HasMin && r.MinOpen:
		return "> " + fmtNum(r.Min)
	case r.HasMin:
		return "≥ " + fmtNum(r.Min)
	case r.HasMax:
		return "≤ " + fmtNum(r.Max)
	}
	return "any"
}

func (r *Range) contains(x float64) bool {
	if r.HasMin && (x < r.Min || (r.MinOpen && x == r.Min)) {
		return false
	}
	if r.HasMax && x > r.Max {
		return false
	}
	return true
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// TypeString describes the setting's type for documentation, e.g.
// "list of float" or "map of int".
func (s *Setting) TypeString() string {
	if len(s.Words) > 0 {
		return s.Type.String() + " or " + strings.Join(s.Words, " or ")
	}
	switch s.Type {
	case List, Map:
		if s.Elem != nil {
			return s.Type.String() + " of " + s.Elem.TypeString()
		}
	}
	return s.Type.String()
}

// validateSetting checks a setting declared by a kind (a programming error
// when wrong) and normalizes its default, OneOf and Example.
func validateSetting(s *Setting, path string) error {
	if s.Name == "" && path != "" && !strings.HasSuffix(path, "[]") {
		return fmt.Errorf("setting %s: empty name", path)
	}
	if s.Type < Int || s.Type > Output {
		return fmt.Errorf("setting %s: invalid type %v", path, s.Type)
	}
	if (s.Type == List) && s.Elem == nil {
		return fmt.Errorf("setting %s: list without Elem", path)
	}
	if s.Elem != nil {
		if s.Type != List && s.Type != Map {
			return fmt.Errorf("setting %s: Elem set on a %v", path, s.Type)
		}
		if err := validateSetting(s.Elem, path+"[]"); err != nil {
			return err
		}
	}
	if len(s.Fields) > 0 && s.Type != Object {
		return fmt.Errorf("setting %s: Fields set on a %v", path, s.Type)
	}
	seen := map[string]bool{}
	for i := range s.Fields {
		f := &s.Fields[i]
		if seen[f.Name] {
			return fmt.Errorf("setting %s: duplicate field %q", path, f.Name)
		}
		seen[f.Name] = true
		if err := validateSetting(f, path+"."+f.Name); err != nil {
			return err
		}
	}
	if s.Range != nil && s.Type != Int && s.Type != Float && s.Type != Duration {
		return fmt.Errorf("setting %s: Range set on a %v", path, s.Type)
	}
	if len(s.Words) > 0 && s.Type != Int && s.Type != Float {
		return fmt.Errorf("setting %s: Words set on a %v", path, s.Type)
	}
	for i, v := range s.OneOf {
		n, err := normalize(v)
		if err != nil {
			return fmt.Errorf("setting %s: OneOf[%d]: %w", path, i, err)
		}
		if _, msg := checkValue(&Setting{Type: s.Type, Elem: s.Elem, Fields: s.Fields}, n); msg != "" {
			return fmt.Errorf("setting %s: OneOf[%d]: %s", path, i, msg)
		}
		s.OneOf[i] = n
	}
	if s.Default != nil {
		n, err := normalize(s.Default)
		if err != nil {
			return fmt.Errorf("setting %s: default: %w", path, err)
		}
		v, msg := checkValue(s, n)
		if msg != "" {
			return fmt.Errorf("setting %s: default %s: %s", path, showValue(n), msg)
		}
		s.Default = v
	}
	if s.Example != nil {
		n, err := normalize(s.Example)
		if err != nil {
			return fmt.Errorf("setting %s: example: %w", path, err)
		}
		if _, msg := checkValue(s, n); msg != "" {
			return fmt.Errorf("setting %s: example %s: %s", path, showValue(n), msg)
		}
		s.Example = n
	}
	return nil
}

// normalize converts a Go value into the resolved-value form used for
// settings: nil, int64, float64, string, bool, []any and map[string]any.
// Durations become their string form.
func normalize(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if d, ok := v.(time.Duration); ok {
		return d.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d out of range", u)
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			e, err := normalize(rv.Index(i).Interface())
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map key type %v is not a string", rv.Type().Key())
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			e, err := normalize(it.Value().Interface())
			if err != nil {
				return nil, fmt.Errorf("%s: %w", it.Key().String(), err)
			}
			out[it.Key().String()] = e
		}
		return out, nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return normalize(rv.Elem().Interface())
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// typeName names the type of a resolved value for messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	case bool:
		return "bool"
	case []any:
		return "list"
	case map[string]any:
		return "map"
	}
	return fmt.Sprintf("%T", v)
}

// showValue formats a resolved value compactly for messages, as JSON-like
// text ("300", "\"go-nogo\"", "[4,20]").
func showValue(v any) string {
	b, err := canonicalJSON(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(b)
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// describe formats "int 3" / "string \"x\"" for a value.
func describe(v any) string {
	if v == nil {
		return "null"
	}
	return typeName(v) + " " + showValue(v)
}

// checkValue checks a resolved value against s (type, allowed values,
// range; fields of objects) and returns it converted to the setting's
// canonical form (ints widened to floats for Float, durations in canonical
// form, object defaults filled). A non-empty message reports a mismatch.
// For Objects it reports the first problem; positioned checking of file
// nodes is done by checkNode.
func checkValue(s *Setting, v any) (any, string) {
	if v == nil {
		return nil, fmt.Sprintf("want %s, got null", s.TypeString())
	}
	if w, isStr := v.(string); isStr && len(s.Words) > 0 && (s.Type == Int || s.Type == Float) {
		if slices.Contains(s.Words, w) {
			return w, ""
		}
		return nil, fmt.Sprintf("want %s, got %s%s", s.TypeString(), describe(v), didYouMean(w, s.Words))
	}
	var out any
	switch s.Type {
	case Int:
		switch x := v.(type) {
		case int64:
			out = x
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return nil, fmt.Sprintf("want int, got float %s (write it without a decimal point)", fmtNum(x))
			}
			if x == math.Trunc(x) {
				return nil, fmt.Sprintf("want int, got %s: out of the range of an int (±%d)", fmtNum(x), int64(math.MaxInt64))
			}
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return nil, fmt.Sprintf("want int, got float %s (not a whole number)", fmtNum(x))
			}
			return nil, "want int, got " + describe(v)
		default:
			return nil, "want " + s.TypeString() + ", got " + describe(v)
		}
	case Float:
		switch x := v.(type) {
		case int64:
			out = float64(x)
		case float64:
			out = x
		default:
			return nil, "want " + s.TypeString() + ", got " + describe(v)
		}
	case String, File:
		x, ok := v.(string)
		if !ok {
			return nil, fmt.Sprintf("want %s, got %s (quote it to make it a string)", s.Type, describe(v))
		}
		if s.Type == File && x == "" {
			return nil, "want a file path, got an empty string"
		}
		out = x
	case Output:
		x, ok := v.(string)
		if !ok {
			return nil, fmt.Sprintf("want an output path, got %s (quote it to make it a string)", describe(v))
		}
		if msg := checkOutputPath(x); msg != "" {
			return nil, msg
		}
		out = filepath.ToSlash(filepath.Clean(x))
	case Bool:
		x, ok := v.(bool)
		if !ok {
			return nil, "want bool, got " + describe(v)
		}
		out = x
	case Duration:
		x, ok := v.(string)
		if !ok {
			return nil, fmt.Sprintf("want duration (like \"90s\" or \"1m30s\"), got %s", describe(v))
		}
		d, err := time.ParseDuration(x)
		if err != nil {
			return nil, fmt.Sprintf("want duration (like \"90s\" or \"1m30s\"), got %q", x)
		}
		out = d.String()
	case List:
		xs, ok := v.([]any)
		if !ok {
			return nil, "want " + s.TypeString() + ", got " + describe(v)
		}
		res := make([]any, len(xs))
		for i, e := range xs {
			c, msg := checkValue(s.Elem, e)
			if msg != "" {
				return nil, fmt.Sprintf("[%d]: %s", i, msg)
			}
			res[i] = c
		}
		out = res
	case Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "want " + s.TypeString() + ", got " + describe(v)
		}
		res := make(map[string]any, len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if s.Elem == nil {
				res[k] = m[k]
				continue
			}
			c, msg := checkValue(s.Elem, m[k])
			if msg != "" {
				return nil, fmt.Sprintf("%s: %s", k, msg)
			}
			res[k] = c
		}
		out = res
	case Object:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, "want object with fields " + fieldNames(s.Fields) + ", got " + describe(v)
		}
		res := make(map[string]any, len(s.Fields))
		names := fieldNameList(s.Fields)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if findField(s.Fields, k) == nil {
				return nil, fmt.Sprintf("unknown field %q%s", k, didYouMean(k, names))
			}
		}
		for i := range s.Fields {
			f := &s.Fields[i]
			fv, present := m[f.Name]
			if !present {
				if f.Required {
					return nil, fmt.Sprintf("missing required field %q", f.Name)
				}
				if f.Default != nil {
					res[f.Name] = f.Default
				}
				continue
			}
			c, msg := checkValue(f, fv)
			if msg != "" {
				return nil, fmt.Sprintf("%s: %s", f.Name, msg)
			}
			res[f.Name] = c
		}
		out = res
	default:
		return nil, fmt.Sprintf("unsupported setting type %v", s.Type)
	}
	if msg := checkAllowed(s, out); msg != "" {
		return nil, msg
	}
	return out, ""
}

// checkAllowed applies OneOf and Range to a converted value.
func checkAllowed(s *Setting, v any) string {
	if len(s.OneOf) > 0 {
		ok := false
		for _, a := range s.OneOf {
			if equalValues(a, v) {
				ok = true
				break
			}
		}
		if !ok {
			alts := make([]string, len(s.OneOf))
			for i, a := range s.OneOf {
				alts[i] = showValue(a)
			}
			hint := ""
			if str, isStr := v.(string); isStr {
				var cands []string
				for _, a := range s.OneOf {
					if as, ok := a.(string); ok {
						cands = append(cands, as)
					}
				}
				hint = didYouMean(str, cands)
			}
			return fmt.Sprintf("%s is not one of %s%s", showValue(v), strings.Join(alts, ", "), hint)
		}
	}
	if s.Range != nil {
		var x float64
		switch t := v.(type) {
		case int64:
			x = float64(t)
		case float64:
			x = t
		case string: // Duration
			d, err := time.ParseDuration(t)
			if err != nil {
				return ""
			}
			x = d.Seconds()
		default:
			return ""
		}
		if !s.Range.contains(x) {
			return fmt.Sprintf("%s out of range (want %s)", showValue(v), s.Range)
		}
	}
	return ""
}

func equalValues(a, b any) bool {
	ja, err1 := canonicalJSON(a)
	jb, err2 := canonicalJSON(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

func findField(fs []Setting, name string) *Setting {
	for i := range fs {
		if fs[i].Name == name {
			return &fs[i]
		}
	}
	return nil
}

func fieldNameList(fs []Setting) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	return names
}

func fieldNames(fs []Setting) string { return quoteList(fieldNameList(fs)) }

// checkOutputPath is the one rule for the paths stages write (Output
// settings and [Job.CreateOutput]): relative, inside the pipeline
// directory, not the runner's own. It returns a message, or "" when p is
// good.
func checkOutputPath(p string) string {
	switch {
	case p == "":
		return "want an output path, got an empty string"
	case filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\`):
		return fmt.Sprintf("output path %q is absolute: want a relative path inside the pipeline directory", p)
	case !filepath.IsLocal(p):
		return fmt.Sprintf("output path %q leaves the pipeline directory (..): want a relative path inside the pipeline directory", p)
	}
	c := filepath.ToSlash(filepath.Clean(p))
	if c == "." {
		return fmt.Sprintf("output path %q names the pipeline directory itself: want a file or directory inside it", p)
	}
	if c == StagesDir || strings.HasPrefix(c, StagesDir+"/") {
		return fmt.Sprintf("output path %q is inside %s, the runner's directory", p, StagesDir)
	}
	if strings.HasSuffix(c, tmpSuffix) {
		return fmt.Sprintf("output path %q ends in %s, the suffix of the runner's temporary files", p, tmpSuffix)
	}
	return ""
}
