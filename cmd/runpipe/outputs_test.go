package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// pathLike matches setting names that look like a file or directory path.
var pathLike = regexp.MustCompile(`(^|_)(path|paths|file|files|dir|directory|table|report|out|output|outputs|model_file)($|_)`)

// TestOutputSettingsUseOutputType walks every setting of every kind runpipe
// knows (fields of objects and elements of lists and maps included): a
// string setting whose name looks like a path must be a pipeline.Output
// (a file the stage writes, held to the one path rule) or a pipeline.File
// (a file it reads), so that a new kind cannot write where lint does not
// look.
func TestOutputSettingsUseOutputType(t *testing.T) {
	env := pipeline.Default()
	outputs := 0
	var walk func(kind, path string, s *pipeline.Setting)
	walk = func(kind, path string, s *pipeline.Setting) {
		switch s.Type {
		case pipeline.Output:
			outputs++
		case pipeline.String:
			if pathLike.MatchString(strings.ToLower(s.Name)) {
				t.Errorf("kind %s: setting %s is a string but names a path: make it a pipeline.Output (written) or pipeline.File (read)", kind, path)
			}
		}
		if s.Elem != nil {
			walk(kind, path+"[]", s.Elem)
		}
		for i := range s.Fields {
			walk(kind, path+"."+s.Fields[i].Name, &s.Fields[i])
		}
	}
	for _, name := range env.Kinds() {
		spec, err := env.Spec(name)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "test-") {
			continue // pipelinetest's kinds, registered by TestMain
		}
		for i := range spec.Settings {
			walk(name, spec.Settings[i].Name, &spec.Settings[i])
		}
	}
	if outputs < 8 {
		t.Errorf("found %d Output settings, want at least 8 (export-mat, parquet, arrow, summary, plot ×2, lambda-search ×2)", outputs)
	}
}
