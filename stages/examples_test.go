package stages_test

import (
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	_ "github.com/spikernn/spikernn/stages"
)

// TestExamples lints every example of every kind registered by the package.
func TestExamples(t *testing.T) {
	if err := pipeline.Default().CheckExamples(); err != nil {
		t.Fatal(err)
	}
}
