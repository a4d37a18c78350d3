package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// TestOutputSymlinkEscape: an output path that is inside the pipeline
// directory on paper but leads out of it through a symbolic link is refused
// at write time, and nothing is written outside.
func TestOutputSymlinkEscape(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	outside := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, `
	version: 1
	pipelines:
	  s:
	    stages:
	      gen:   {kind: test-gen, with: {n: 3}}
	      raw:   {kind: test-scale, in: {in: gen.out}}
	      write: {kind: test-write, in: {in: raw.out}, with: {path: link/deeper/raw.txt}}
	`)
	pdir := filepath.Join(dir, "runs", "s")
	if err := os.MkdirAll(pdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(pdir, "link")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	_, _, err := run(t, env, path, pipeline.Selection{})
	if err == nil || !strings.Contains(err.Error(), "stage write") || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("err = %v, want a refusal naming the stage and the symbolic link", err)
	}
	ents, _ := os.ReadDir(outside)
	if len(ents) != 0 {
		t.Errorf("written outside the pipeline directory: %v", ents)
	}
}
