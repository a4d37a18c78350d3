package pipeline

import (
	"errors"
	"fmt"
)

// CheckExamples lints every example of every kind registered in e and
// checks that every kind has at least one example that uses it. A test of
// the package registering kinds calls it:
//
//	func TestExamples(t *testing.T) {
//		if err := pipeline.Default().CheckExamples(); err != nil {
//			t.Fatal(err)
//		}
//	}
func (e *Environment) CheckExamples() error {
	var errs []error
	for _, name := range e.Kinds() {
		spec, _ := e.Spec(name)
		if len(spec.Examples) == 0 {
			errs = append(errs, fmt.Errorf("kind %s: no example", name))
			continue
		}
		for i, ex := range spec.Examples {
			path := fmt.Sprintf("%s/example-%d.yaml", name, i+1)
			cfg, err := Parse(path, []byte(ex.YAML))
			if err != nil {
				errs = append(errs, fmt.Errorf("kind %s, example %d (%s):\n%w", name, i+1, ex.Title, err))
				continue
			}
			if err := e.Lint(cfg); err != nil {
				errs = append(errs, fmt.Errorf("kind %s, example %d (%s):\n%w", name, i+1, ex.Title, err))
				continue
			}
			used := false
			for _, p := range cfg.Pipelines {
				for _, s := range p.Stages {
					used = used || s.Kind == name
				}
			}
			if !used {
				errs = append(errs, fmt.Errorf("kind %s, example %d (%s): does not use kind %s", name, i+1, ex.Title, name))
			}
		}
	}
	return errors.Join(errs...)
}
