package pipeline

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
)

// An Environment is a registry of kinds and value codecs. The package-level
// functions ([Register], [RegisterCodec], [Kinds]) use the default
// environment, which `runpipe` reads; tests make isolated ones with
// [NewEnvironment].
type Environment struct {
	mu     sync.RWMutex
	kinds  map[string]*kind
	codecs map[reflect.Type]*Codec
	blocks map[blockKey]*Block
}

// kind is a registered kind: its spec and its type-erased constructor.
type kind struct {
	spec      Spec
	construct func(d *decoder, settings map[string]any) (Stage, error)
}

var defaultEnv = NewEnvironment()

// Default returns the default environment, into which [Register] and
// [RegisterCodec] register.
func Default() *Environment { return defaultEnv }

// NewEnvironment returns an empty environment holding only the built-in
// JSON codecs for simple value types (see [JSONCodec]).
func NewEnvironment() *Environment {
	e := &Environment{kinds: map[string]*kind{}, codecs: map[reflect.Type]*Codec{}, blocks: map[blockKey]*Block{}}
	for _, c := range builtinCodecs() {
		e.RegisterCodec(c)
	}
	return e
}

// Register registers a kind in the default environment: its spec and the
// constructor that builds a stage from the kind's typed settings struct S.
// Call it from an init function. Each exported field of S carries a
// `pipeline:"name"` tag naming a setting of the spec (or `pipeline:"-"`),
// with a Go type the setting decodes into; every setting has a field.
//
// The constructor runs at lint time for every stage of every pipeline, so
// it must be cheap and free of side effects; an error it returns (for
// example a check across settings) is reported as a lint error at the
// stage. Register panics on a duplicate kind name or on a spec that does
// not match S.
func Register[S any](spec Spec, newStage func(settings S) (Stage, error)) {
	RegisterIn(defaultEnv, spec, newStage)
}

// RegisterIn is [Register] into env.
func RegisterIn[S any](env *Environment, spec Spec, newStage func(settings S) (Stage, error)) {
	if err := spec.validate(); err != nil {
		panic("pipeline: Register: " + err.Error())
	}
	st := reflect.TypeFor[S]()
	if st.Kind() != reflect.Struct {
		panic(fmt.Sprintf("pipeline: Register(%q): settings type %v is not a struct", spec.Name, st))
	}
	if err := checkStruct(spec.Settings, st, ""); err != nil {
		panic(fmt.Sprintf("pipeline: Register(%q): %v", spec.Name, err))
	}
	if newStage == nil {
		panic(fmt.Sprintf("pipeline: Register(%q): nil constructor", spec.Name))
	}
	settings := spec.Settings
	k := &kind{spec: spec, construct: func(d *decoder, m map[string]any) (Stage, error) {
		var s S
		if err := d.decodeStruct(settings, m, reflect.ValueOf(&s).Elem(), ""); err != nil {
			return nil, err
		}
		stage, err := newStage(s)
		if err == nil && stage == nil {
			err = fmt.Errorf("constructor returned a nil stage")
		}
		return stage, err
	}}
	env.mu.Lock()
	defer env.mu.Unlock()
	if _, dup := env.kinds[spec.Name]; dup {
		panic(fmt.Sprintf("pipeline: Register called twice for kind %q", spec.Name))
	}
	env.kinds[spec.Name] = k
}

// Kinds returns the names of the kinds in the default environment, sorted.
func Kinds() []string { return defaultEnv.Kinds() }

// Kinds returns the names of the registered kinds, sorted.
func (e *Environment) Kinds() []string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	names := make([]string, 0, len(e.kinds))
	for n := range e.kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Spec returns the spec of the named kind. An unknown name gives an error
// listing the registered kinds.
func (e *Environment) Spec(name string) (*Spec, error) {
	k, err := e.kind(name)
	if err != nil {
		return nil, err
	}
	return &k.spec, nil
}

func (e *Environment) kind(name string) (*kind, error) {
	e.mu.RLock()
	k := e.kinds[name]
	e.mu.RUnlock()
	if k == nil {
		return nil, e.unknownKind(name)
	}
	return k, nil
}

func (e *Environment) unknownKind(name string) error {
	kinds := e.Kinds()
	if len(kinds) == 0 {
		return fmt.Errorf("unknown kind %q (no kinds are registered: forgotten import of the kind packages, sources, stages and sinks/kinds?)", name)
	}
	return fmt.Errorf("unknown kind %q%s (kinds: %s)", name, didYouMean(name, kinds), quoteList(kinds))
}
