package main

import (
	"strings"
	"testing"
)

// TestStagesGroups checks that `runpipe stages` lists the kinds under the
// headings of their groups, sources first, and every kind of spikernn
// under its own, then the blocks (the sweep block documented).
func TestStagesGroups(t *testing.T) {
	code, out, errOut := runpipe("stages")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := map[string][]string{
		"sources": {"task", "task-trials", "load-mat", "test-gen"},
		"stages":  {"train-rate", "lambda-search", "lif-convert", "evaluate", "test-scale"},
		"sinks":   {"export-mat", "parquet", "arrow", "summary", "plot", "test-write"},
	}
	kinds, blocks, _ := strings.Cut(out, "\n# block ")
	for _, want := range []string{"sweep: a field of the pipeline: run the pipeline over a matrix", "seed: {from: 1, to: 20}", "--max-points"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("runpipe stages: the blocks after the kinds lack %q:\n%s", want, blocks)
		}
	}
	out = kinds
	sections := strings.Split(out, "\n# ")
	if len(sections) != 3 || !strings.HasPrefix(out, "# sources: ") ||
		!strings.HasPrefix(sections[1], "stages: ") || !strings.HasPrefix(sections[2], "sinks: ") {
		t.Fatalf("want the headings sources, stages, sinks in order:\n%s", out)
	}
	for _, sec := range sections {
		group, _, _ := strings.Cut(strings.TrimPrefix(sec, "# "), ":")
		for _, k := range want[group] {
			if !strings.Contains(sec, "\n"+k+" — ") {
				t.Errorf("kind %s is not under %s", k, group)
			}
		}
	}
	// Named kinds are grouped too.
	_, out, _ = runpipe("stages", "plot", "task")
	if i, j := strings.Index(out, "# sources: "), strings.Index(out, "# sinks: "); i != 0 || j < 0 ||
		!strings.Contains(out[:j], "\ntask — ") || !strings.Contains(out[j:], "\nplot — ") || strings.Contains(out, "# stages") {
		t.Errorf("runpipe stages plot task:\n%s", out)
	}
}
