package pipeline_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// TestYAMLBounds feeds files of up to 1 MiB that are too deep, too large or
// alias bombs: each is refused with one positioned error.
func TestYAMLBounds(t *testing.T) {
	env := testEnv()
	laughs := "version: 1\na: &a [" + strings.Repeat(`"lol",`, 8) + `"lol"]` + "\n"
	for i := 'b'; i <= 'z'; i++ {
		laughs += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(i-1)+",", 8) + "*" + string(i-1) + "]\n"
	}
	cases := []struct{ name, src, want string }{
		{"flow", "a: " + strings.Repeat("[", 400000) + strings.Repeat("]", 400000), "f.yaml:1:68: yaml: nesting deeper than 64 levels"},
		{"flowmap", "a: " + strings.Repeat("{a: ", 200000) + strings.Repeat("}", 200000), "nesting deeper than 64 levels"},
		{"dashes", strings.Repeat("- ", 500000) + "x", "f.yaml:1:129: yaml: nesting deeper than 64 levels"},
		{"block", func() string {
			var b strings.Builder
			for i := 0; b.Len() < 1<<19; i++ {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(), "yaml: nesting deeper than 64 levels"},
		{"size", "version: 1\n# " + strings.Repeat("x", pipeline.MaxFileSize), "f.yaml: file too large: a pipeline file may hold at most 1048576 bytes (1 MiB)"},
		{"laughs", laughs, "aliases expand to more than 100000 values"},
		{"aliases", "version: 1\na: &a 1\nb: [" + strings.Repeat("*a, ", 20000) + "]\n", "more than 10000 aliases"},
		{"tokens", "version: 1\na: [" + strings.Repeat("1,", 500000) + "1]\n", "yaml: more than 100000 tokens"},
		{"stages", func() string {
			var b strings.Builder
			b.WriteString("version: 1\npipelines:\n  p:\n    stages:\n")
			for i := 0; b.Len() < 1<<20-100; i++ {
				fmt.Fprintf(&b, "      s%d: {kind: test-gen, with: {n: %d}}\n", i, i)
			}
			return b.String()
		}(), "yaml: more than 100000 tokens"},
		{"self", "a: &x [*x]", "f.yaml:1:8: yaml: alias *x is reached from inside the anchor &x it names (a recursive alias)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// How fast is BenchmarkLintWorst's business (cmd/runpipe), not a
			// timed test's: here only the error counts.
			cfg, err := pipeline.Parse("f.yaml", []byte(c.src))
			if err == nil {
				err = env.Lint(cfg)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if n := strings.Count(err.Error(), "\n"); n != 0 {
				t.Errorf("want one diagnostic, got %d lines", n+1)
			}
		})
	}
}

// TestParseFileTooLarge: ParseFile reads no more than the bound.
func TestParseFileTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, make([]byte, 3*pipeline.MaxFileSize), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pipeline.ParseFile(path)
	if err == nil || !strings.Contains(err.Error(), "at most 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
}

// FuzzLint parses and lints arbitrary pipeline files: it must never panic
// nor hang. The seeds are the lint corpus and the repository's
// pipelines.yaml.
func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob("testdata/lint/*.yaml")
	files = append(files, "../pipelines.yaml")
	more, _ := filepath.Glob("../cmd/runpipe/testdata/bad/*.yaml")
	files = append(files, more...)
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	env := testEnv()
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := pipeline.Parse("f.yaml", src)
		if err != nil {
			if _, ok := err.(pipeline.Diagnostics); !ok {
				t.Fatalf("Parse: error of type %T: %v", err, err)
			}
			return
		}
		_ = env.Lint(cfg)
	})
}

// TestLongStringShortened: a diagnostic quotes a key of half a megabyte by
// its first 64 bytes and its length, not whole.
func TestLongStringShortened(t *testing.T) {
	key := strings.Repeat("é", 1<<18)
	src := "version: 1\npipelines:\n  p:\n    stages:\n      gen: {kind: test-gen, with: {" + key + ": 3}}\n"
	cfg, err := pipeline.Parse("f.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	err = testEnv().Lint(cfg)
	want := `f.yaml:5:36: unknown setting "` + strings.Repeat("é", 32) + `… (524288 bytes)" for kind test-gen`
	if err == nil || !strings.Contains(err.Error(), want) || len(err.Error()) > 1000 {
		t.Fatalf("got %.2000v, want %q", err, want)
	}
}
