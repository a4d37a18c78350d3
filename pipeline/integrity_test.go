package pipeline_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spikernn/spikernn/pipeline"
	"github.com/spikernn/spikernn/pipeline/pipelinetest"
)

// TestEditedFilesAreRebuilt: an output edited behind the runner's back
// (same size, so only its recorded SHA-256 tells) and a manifest edited by
// hand are not trusted: the next run reruns the stage and restores them.
func TestEditedFilesAreRebuilt(t *testing.T) {
	env := testEnv()
	dir := t.TempDir()
	path := pipelinetest.WriteFile(t, dir, streamYAML)
	mustRun(t, env, path, pipeline.Selection{})
	out := filepath.Join(dir, "runs", "s", "raw.txt")
	good, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing changed: nothing runs.
	if ran, _, _ := mustRun(t, env, path, pipeline.Selection{}); len(ran) != 0 {
		t.Fatalf("second run ran %v", ran)
	}

	bad := bytes.Repeat([]byte("9"), len(good))
	if err := os.WriteFile(out, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	os.Chtimes(out, later, later)
	ran, why, _ := mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "ran after an edited output", ran, []string{"gen", "raw", "write"}) // the stream is fed again
	if why["write"] != "output raw.txt changed" {
		t.Errorf("reason %q", why["write"])
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, good) {
		t.Errorf("raw.txt not rebuilt: %q", got)
	}

	mf := filepath.Join(dir, "runs", "s", pipeline.StagesDir, "sum", pipeline.ManifestName)
	raw, err := os.ReadFile(mf)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(raw, []byte(`"headline": {`), []byte(`"headline": { "forged": 1,`), 1)
	if bytes.Equal(edited, raw) {
		t.Fatal("test: manifest has no headline to edit")
	}
	if err := os.WriteFile(mf, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	ran, why, _ = mustRun(t, env, path, pipeline.Selection{})
	sameSet(t, "ran after an edited manifest", ran, []string{"sum", "gen", "scale"})
	if why["sum"] != "manifest edited or damaged (its SHA-256 differs from the one recorded)" {
		t.Errorf("reason %q", why["sum"])
	}
}
