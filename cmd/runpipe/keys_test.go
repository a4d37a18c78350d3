package main

import (
	"testing"

	"github.com/spikernn/spikernn/pipeline"
)

// pinnedKeys are the cache keys of the stages of testdata/keys.yaml
// (pipeline → stage → key, first 16 hex digits) as computed before the
// kinds moved into the sources, stages and sinks packages. A stage's key
// hashes its kind's name, version and settings and its inputs' keys; a
// change of any of them makes every cached run of the kind recompute, so
// it must be deliberate: then update the pins.
var pinnedKeys = map[string]map[string]string{
	"go-nogo": {
		"trials": "ae95a359e6154cad", "train": "7df182723161be3d", "export": "3009f99ca0178ca4",
		"lambda": "e32c30a92d723e2f", "convert": "a84077c0df2ae04f", "eval": "ad251bc95fff492f",
		"spikes": "9044d24293e48d2d", "rates": "19d32781cf311663", "outputs": "0372e04f10cc9bd6",
		"neurons": "a88c6e8544ae7d00", "table": "59c082393aab0ac5", "summary": "9231486c094ebf50",
		"plots": "c8af4488a56599eb",
	},
	"from-mat": {
		"model": "bc5ac2add33e3d84", "task": "0112e43f39ea15f6", "lambda": "226d9a07d3838c9d",
		"convert": "ca27c791e363be21", "eval": "d47ee7f4bfdaebea", "spikes": "1c5769a09ddbee7f",
		"rates": "af9ac3c4da98c429", "outputs": "602aecb0501a7057", "neurons": "20ab4ea98d54a971",
		"table": "77a18dab98c18a9d", "summary": "074f7921e099356c", "plots": "b4bc13dbcc210af4",
		"stream": "0e2d9d6d6467edba",
	},
}

// TestCacheKeys checks that the cache keys of the default pipeline (and of
// from-mat, for load-mat and task) are those pinned.
func TestCacheKeys(t *testing.T) {
	cfg, err := pipeline.ParseFile("testdata/keys.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range pinnedKeys {
		g, err := pipeline.Default().Compile(cfg, pipeline.CompileOptions{Pipeline: name, Workspace: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Nodes) != len(want) {
			t.Errorf("%s: %d stages, %d pinned", name, len(g.Nodes), len(want))
		}
		for _, n := range g.Nodes {
			if got := n.Key[:16]; got != want[n.Name] {
				t.Errorf("%s: stage %s (kind %s): key %s, pinned %s", name, n.Name, n.Kind, got, want[n.Name])
			}
		}
	}
}
