package stages_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/items"
	"github.com/spikernn/spikernn/pipeline"
)

// TestLambdaRace checks lambda-search's strategy race: its factors' trials
// and strategy reach the search, lambda.parquet and the summary.
func TestLambdaRace(t *testing.T) {
	path := writeYAML(t, `
		version: 1
		pipelines:
		  p:
		    stages:
		      model:   {kind: load-mat, with: {path: model.mat}}
		      task:    {kind: task, with: {task: go-nogo}}
		      lambda:  {kind: lambda-search, in: {model: model.model, task: task.task}, with: {factors: [30, 65], trials: 20, strategy: race, batch: 10}}
	`)
	ws := t.TempDir()
	res, _ := run(t, path, "p", ws)
	search := cachedValue[*items.LambdaSearch](t, compile(t, path, "p", ws), "lambda", "search")
	if search.Strategy != "race" || len(search.FactorTrials) != 2 || search.TrialsRun != search.FactorTrials[0]+search.FactorTrials[1] {
		t.Fatalf("search %+v: want strategy race and its trials per factor", search)
	}
	// λ = 65 scores ~0.2 on this model, 30 ~0.9: the race stops 65 after
	// the first round, and with one factor left it ends.
	if search.Best != 30 || search.FactorTrials[0] != 10 || search.FactorTrials[1] != 10 {
		t.Errorf("best %g, trials %v: want 30, both factors stopped at 10 trials", search.Best, search.FactorTrials)
	}
	if n := readParquet(t, filepath.Join(res.Dir, "lambda.parquet")).rows(); n != search.TrialsRun {
		t.Errorf("lambda.parquet: %d rows, the race ran %d trials", n, search.TrialsRun)
	}
}

// TestLambdaRaceLint checks lint's errors for race settings.
func TestLambdaRaceLint(t *testing.T) {
	for _, tc := range []struct{ with, want string }{
		{`{batch: 5}`, "batch and refine are settings of strategy: race"},
		{`{refine: 2}`, "batch and refine are settings of strategy: race"},
		{`{strategy: race, batch: 200, trials: 100}`, "batch = 200: more than trials = 100"},
		{`{strategy: rase}`, `did you mean "race"?`},
		{`{strategy: race, refine: 0}`, "refine: 0 out of range"},
	} {
		src := "version: 1\npipelines:\n  p:\n    stages:\n      m: {kind: load-mat, with: {path: model.mat}}\n" +
			"      k: {kind: task, with: {task: go-nogo}}\n" +
			"      l: {kind: lambda-search, in: {model: m.model, task: k.task}, with: " + tc.with + "}\n"
		cfg, err := pipeline.Parse("p.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if err := pipeline.Default().Lint(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: lint error %v, want one mentioning %q", tc.with, err, tc.want)
		}
	}
}
