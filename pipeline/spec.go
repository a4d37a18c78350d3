package pipeline

import (
	"context"
	"fmt"
	"regexp"
)

// A Stage is one configured instance of a kind, ready to run. The
// constructor given to [Register] builds it from the decoded settings.
type Stage interface {
	// Run does the stage's work: it receives its inputs and sends its
	// outputs through the typed port handles, using job for its logger,
	// progress, directories and headline metrics. It must return when ctx
	// is done. A nil return means success: the runner then commits the
	// stage's outputs. The runner closes the stage's outputs when Run
	// returns and discards whatever of its inputs Run left unread.
	Run(ctx context.Context, job *Job) error
}

// StageFunc adapts a function to the [Stage] interface.
type StageFunc func(ctx context.Context, job *Job) error

// Run calls f(ctx, job).
func (f StageFunc) Run(ctx context.Context, job *Job) error { return f(ctx, job) }

// A Spec declares a kind: its name, documentation, typed ports and settings.
// It is the single source for lint, the runner, `runpipe stages` and the
// cache key.
type Spec struct {
	// Name is the kind name used in pipeline files (`kind: train-rate`).
	Name string
	// Group says where the kind stands in the flow of items: a source, a
	// stage that transforms or a sink. Every kind has one.
	Group Group
	// Summary is a one-line description.
	Summary string
	// Description is a longer description (plain text paragraphs).
	Description string
	// Version is the kind's own output version, part of the cache key: bump
	// it when the kind's outputs change meaning, so cached results of this
	// kind are recomputed. Zero is a valid first version.
	Version int
	// Inputs and Outputs are the kind's ports, made by [ValueInput],
	// [StreamInput], [ValueOutput] and [StreamOutput].
	Inputs, Outputs []Port
	// Settings describe the `with:` block.
	Settings []Setting
	// Examples are complete pipeline files using the kind; a test lints
	// every example of every kind (see [Environment.CheckExamples]).
	Examples []Example
}

// A Group is where a kind stands in the flow of items: `runpipe stages`
// lists the kinds group by group, in the order of the constants.
type Group int

// The groups of kinds.
const (
	// SourceGroup kinds are where items enter a pipeline: they generate
	// them or read them from files.
	SourceGroup Group = iota + 1
	// StageGroup kinds transform the items they receive into others.
	StageGroup
	// SinkGroup kinds write items out: files for users, figures, reports.
	SinkGroup
)

// Groups returns the groups in order.
func Groups() []Group { return []Group{SourceGroup, StageGroup, SinkGroup} }

// String returns the group's plural name: "sources", "stages" or "sinks".
func (g Group) String() string {
	switch g {
	case SourceGroup:
		return "sources"
	case StageGroup:
		return "stages"
	case SinkGroup:
		return "sinks"
	}
	return fmt.Sprintf("Group(%d)", int(g))
}

// An Example is a complete pipeline file illustrating a kind.
type Example struct {
	Title string
	YAML  string
}

// Input returns the input port with the given name, or nil.
func (s *Spec) Input(name string) Port { return findPort(s.Inputs, name) }

// Output returns the output port with the given name, or nil.
func (s *Spec) Output(name string) Port { return findPort(s.Outputs, name) }

// Setting returns the setting with the given name, or nil.
func (s *Spec) Setting(name string) *Setting { return findField(s.Settings, name) }

func findPort(ps []Port, name string) Port {
	for _, p := range ps {
		if p.Name() == name {
			return p
		}
	}
	return nil
}

func portNames(ps []Port) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name()
	}
	return names
}

var (
	kindNameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	identRE    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)
)

// validate checks a spec given to Register; errors are programming errors.
func (s *Spec) validate() error {
	if !kindNameRE.MatchString(s.Name) {
		return fmt.Errorf("kind name %q: want lower-case words joined by '-'", s.Name)
	}
	if s.Summary == "" {
		return fmt.Errorf("kind %q: empty Summary", s.Name)
	}
	if s.Group < SourceGroup || s.Group > SinkGroup {
		return fmt.Errorf("kind %q: Group %v: want SourceGroup, StageGroup or SinkGroup", s.Name, s.Group)
	}
	for _, group := range []struct {
		ports []Port
		input bool
		what  string
	}{{s.Inputs, true, "input"}, {s.Outputs, false, "output"}} {
		seen := map[string]bool{}
		for _, p := range group.ports {
			if p == nil {
				return fmt.Errorf("kind %q: nil %s port", s.Name, group.what)
			}
			if !identRE.MatchString(p.Name()) {
				return fmt.Errorf("kind %q: %s port name %q is not an identifier", s.Name, group.what, p.Name())
			}
			if p.Input() != group.input {
				return fmt.Errorf("kind %q: port %q listed as %s", s.Name, p.Name(), group.what)
			}
			if seen[p.Name()] {
				return fmt.Errorf("kind %q: duplicate %s port %q", s.Name, group.what, p.Name())
			}
			seen[p.Name()] = true
		}
	}
	seen := map[string]bool{}
	for i := range s.Settings {
		st := &s.Settings[i]
		if !identRE.MatchString(st.Name) {
			return fmt.Errorf("kind %q: setting name %q is not an identifier", s.Name, st.Name)
		}
		if seen[st.Name] {
			return fmt.Errorf("kind %q: duplicate setting %q", s.Name, st.Name)
		}
		seen[st.Name] = true
		if err := validateSetting(st, st.Name); err != nil {
			return fmt.Errorf("kind %q: %w", s.Name, err)
		}
	}
	return nil
}
