package stages_test

import (
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	_ "github.com/spikernn/spikernn/sinks/kinds"
	_ "github.com/spikernn/spikernn/sources"
	_ "github.com/spikernn/spikernn/stages"
)

// The tests of the package run whole pipelines, so they register the
// kinds of sources and sinks/kinds too.

// TestExamples lints every example of every kind registered: those of the
// package and those of sources and sinks/kinds, which its examples use.
func TestExamples(t *testing.T) {
	if err := pipeline.Default().CheckExamples(); err != nil {
		t.Fatal(err)
	}
}
