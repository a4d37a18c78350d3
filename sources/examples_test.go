package sources_test

import (
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	_ "github.com/spikernn/spikernn/sinks/kinds"
	_ "github.com/spikernn/spikernn/sources"
	_ "github.com/spikernn/spikernn/stages"
)

// TestExamples lints every example of every kind registered: those of the
// package and those of the other kind packages, which its examples use.
func TestExamples(t *testing.T) {
	if err := pipeline.Default().CheckExamples(); err != nil {
		t.Fatal(err)
	}
}
