package pipeline

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"time"
)

var durationType = reflect.TypeFor[time.Duration]()

// tagName is the struct tag that binds a settings struct field to a setting.
const tagName = "pipeline"

// checkGoType reports whether values of setting s can decode into Go type t.
// It is called by Register, so a mismatch between a kind's spec and its
// settings struct panics at program start.
func checkGoType(s *Setting, t reflect.Type, path string) error {
	if t.Kind() == reflect.Pointer {
		return checkGoType(s, t.Elem(), path)
	}
	if t.Kind() == reflect.Interface && t.NumMethod() == 0 {
		return nil
	}
	if len(s.Words) > 0 {
		return fmt.Errorf("setting %s: a %v setting decodes into any (a number or a word), not Go type %v", path, s.TypeString(), t)
	}
	bad := func() error {
		return fmt.Errorf("setting %s: %v setting cannot decode into Go type %v", path, s.TypeString(), t)
	}
	switch s.Type {
	case Int:
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if t == durationType {
				return bad()
			}
			return nil
		}
	case Float:
		if t.Kind() == reflect.Float64 || t.Kind() == reflect.Float32 {
			return nil
		}
	case String, File, Output:
		if t.Kind() == reflect.String || s.Block != "" && t == namedType {
			return nil
		}
	case Bool:
		if t.Kind() == reflect.Bool {
			return nil
		}
	case Duration:
		if t == durationType {
			return nil
		}
	case List:
		if t.Kind() == reflect.Slice {
			return checkGoType(s.Elem, t.Elem(), path+"[]")
		}
	case Map:
		if t.Kind() == reflect.Map && t.Key().Kind() == reflect.String {
			if s.Elem == nil {
				if t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0 {
					return nil
				}
				return bad()
			}
			return checkGoType(s.Elem, t.Elem(), path+"[]")
		}
	case Object:
		if t.Kind() == reflect.Struct {
			return checkStruct(s.Fields, t, path+".")
		}
		if t.Kind() == reflect.Map && t.Key().Kind() == reflect.String && t.Elem().Kind() == reflect.Interface && t.Elem().NumMethod() == 0 {
			return nil
		}
	}
	return bad()
}

// checkStruct checks that the tagged fields of struct type t and the
// settings fs correspond one to one with compatible types.
func checkStruct(fs []Setting, t reflect.Type, prefix string) error {
	bound := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, ok := f.Tag.Lookup(tagName)
		if tag == "-" {
			continue
		}
		if !ok || tag == "" {
			return fmt.Errorf("field %v.%s has no `%s:\"name\"` tag (use `%s:\"-\"` to skip it)", t, f.Name, tagName, tagName)
		}
		s := findField(fs, tag)
		if s == nil {
			return fmt.Errorf("field %v.%s: tag %q names no setting (settings: %s)", t, f.Name, tag, fieldNames(fs))
		}
		if bound[tag] {
			return fmt.Errorf("field %v.%s: setting %q bound twice", t, f.Name, tag)
		}
		bound[tag] = true
		if err := checkGoType(s, f.Type, prefix+tag); err != nil {
			return err
		}
	}
	for _, s := range fs {
		if !bound[s.Name] {
			return fmt.Errorf("setting %s%s has no field in %v (tag a field `%s:%q`)", prefix, s.Name, t, tagName, s.Name)
		}
	}
	return nil
}

var namedType = reflect.TypeFor[Named]()

// decoder decodes resolved setting values into Go values.
type decoder struct {
	baseDir string                // File settings are resolved against it
	entries map[string]*FileValue // block entries named by settings, by path
}

// decodeStruct decodes the resolved settings m into the struct rv.
func (d *decoder) decodeStruct(fs []Setting, m map[string]any, rv reflect.Value, prefix string) error {
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get(tagName)
		if !f.IsExported() || tag == "" || tag == "-" {
			continue
		}
		s := findField(fs, tag)
		v, ok := m[tag]
		if s == nil || !ok || v == nil {
			continue
		}
		if err := d.decode(s, v, rv.Field(i), prefix+tag); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) decode(s *Setting, v any, rv reflect.Value, path string) error {
	if v == nil {
		return nil
	}
	if rv.Kind() == reflect.Pointer {
		p := reflect.New(rv.Type().Elem())
		if err := d.decode(s, v, p.Elem(), path); err != nil {
			return err
		}
		rv.Set(p)
		return nil
	}
	if rv.Kind() == reflect.Interface {
		rv.Set(reflect.ValueOf(v))
		return nil
	}
	if rv.Type() == namedType {
		rv.Set(reflect.ValueOf(Named{Name: v.(string), Entry: d.entries[path]}))
		return nil
	}
	switch s.Type {
	case Int:
		x := v.(int64)
		switch rv.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if x < 0 || rv.OverflowUint(uint64(x)) {
				return fmt.Errorf("setting %s: %d out of range for %v", path, x, rv.Type())
			}
			rv.SetUint(uint64(x))
		default:
			if rv.OverflowInt(x) {
				return fmt.Errorf("setting %s: %d out of range for %v", path, x, rv.Type())
			}
			rv.SetInt(x)
		}
	case Float:
		rv.SetFloat(v.(float64))
	case String, Output:
		rv.SetString(v.(string))
	case File:
		p := v.(string)
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.baseDir, p)
		}
		rv.SetString(p)
	case Bool:
		rv.SetBool(v.(bool))
	case Duration:
		dur, err := time.ParseDuration(v.(string))
		if err != nil {
			return fmt.Errorf("setting %s: %w", path, err)
		}
		rv.SetInt(int64(dur))
	case List:
		xs := v.([]any)
		sl := reflect.MakeSlice(rv.Type(), len(xs), len(xs))
		for i, e := range xs {
			if err := d.decode(s.Elem, e, sl.Index(i), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		rv.Set(sl)
	case Map:
		m := v.(map[string]any)
		mv := reflect.MakeMapWithSize(rv.Type(), len(m))
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ev := reflect.New(rv.Type().Elem()).Elem()
			if s.Elem == nil {
				ev.Set(reflect.ValueOf(m[k]))
			} else if err := d.decode(s.Elem, m[k], ev, path+"."+k); err != nil {
				return err
			}
			mv.SetMapIndex(reflect.ValueOf(k).Convert(rv.Type().Key()), ev)
		}
		rv.Set(mv)
	case Object:
		m := v.(map[string]any)
		if rv.Kind() == reflect.Map {
			rv.Set(reflect.ValueOf(m))
			return nil
		}
		return d.decodeStruct(s.Fields, m, rv, path+".")
	}
	return nil
}
