package pipeline

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
)

// A Codec saves and loads the item of a Value port of one Go type, so that
// a stage that is up to date can serve its values from the cache. Make one
// with [NewCodec] or [JSONCodec] and register it with [RegisterCodec].
type Codec struct {
	name string
	typ  reflect.Type
	save func(dir string, v any) error
	load func(dir string) (any, error)
}

// NewCodec returns a codec for values of type T named name (for example
// "mat"). save writes v as files into dir, an existing empty directory
// private to this value; load reads them back. The runner makes the saved
// files durable and commits them atomically with the stage.
func NewCodec[T any](name string, save func(dir string, v T) error, load func(dir string) (T, error)) *Codec {
	return &Codec{
		name: name,
		typ:  reflect.TypeFor[T](),
		save: func(dir string, v any) error { return save(dir, v.(T)) },
		load: func(dir string) (any, error) { return load(dir) },
	}
}

// JSONCodec returns a codec storing values of type T as value.json with
// encoding/json. It suits simple values: numbers, strings, small structs.
func JSONCodec[T any]() *Codec {
	return NewCodec("json",
		func(dir string, v T) error {
			b, err := json.MarshalIndent(v, "", "  ")
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, "value.json"), append(b, '\n'), 0o644)
		},
		func(dir string) (T, error) {
			var v T
			b, err := os.ReadFile(filepath.Join(dir, "value.json"))
			if err != nil {
				return v, err
			}
			if err := json.Unmarshal(b, &v); err != nil {
				return v, fmt.Errorf("%s: %w", filepath.Join(dir, "value.json"), err)
			}
			return v, nil
		})
}

// Name returns the codec's name.
func (c *Codec) Name() string { return c.name }

// Type returns the Go type the codec handles.
func (c *Codec) Type() reflect.Type { return c.typ }

func builtinCodecs() []*Codec {
	return []*Codec{
		JSONCodec[int](), JSONCodec[int64](), JSONCodec[float64](), JSONCodec[string](), JSONCodec[bool](),
		JSONCodec[[]int](), JSONCodec[[]float64](), JSONCodec[[]string](),
		JSONCodec[map[string]float64](), JSONCodec[map[string]any](),
	}
}

// RegisterCodec registers c in the default environment. It panics when a
// codec for the same type is already registered.
func RegisterCodec(c *Codec) { defaultEnv.RegisterCodec(c) }

// RegisterCodec registers c in e. It panics when a codec for the same type
// is already registered.
func (e *Environment) RegisterCodec(c *Codec) {
	if c == nil || c.typ == nil {
		panic("pipeline: RegisterCodec: nil codec")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, dup := e.codecs[c.typ]; dup {
		panic(fmt.Sprintf("pipeline: RegisterCodec called twice for type %v", c.typ))
	}
	e.codecs[c.typ] = c
}

// Codec returns the codec registered for t, or nil.
func (e *Environment) Codec(t reflect.Type) *Codec {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.codecs[t]
}
