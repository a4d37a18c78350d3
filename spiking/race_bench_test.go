package spiking

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spikernn/spikernn/rate"
)

// TestRaceBenchmark compares the race with the plain grid (20, 25, …, 75,
// 100 trials each) on the reference's model and the model files listed in
// $SPIKERNN_RACE_MODELS (comma-separated), over run seeds 1…5: trials
// spent, best λ, the search's accuracy there and the accuracy re-scored
// on 300 fresh trials (Evaluate, 150 per condition, seed 1000 + seed). It
// runs only with SPIKERNN_RACE_BENCH=1 (minutes) and writes its table to
// $SPIKERNN_RACE_OUT when set; the figures are in BENCHMARKS.md.
func TestRaceBenchmark(t *testing.T) {
	if os.Getenv("SPIKERNN_RACE_BENCH") == "" {
		t.Skip("set SPIKERNN_RACE_BENCH=1 to run the race benchmark")
	}
	paths := []string{refModelPath}
	if env := os.Getenv("SPIKERNN_RACE_MODELS"); env != "" {
		paths = append(paths, strings.Split(env, ",")...)
	}
	ctx := context.Background()
	task := goNogo(t)
	type strategy struct {
		name string
		run  func(m *rate.Model, seed uint64) (*GridResult, error)
	}
	strategies := []strategy{
		{"grid", func(m *rate.Model, seed uint64) (*GridResult, error) {
			return LambdaGridSearch(ctx, m, task, &GridSettings{Seed: seed})
		}},
		{"race (batch 10)", func(m *rate.Model, seed uint64) (*GridResult, error) {
			return LambdaRace(ctx, m, task, &RaceSettings{Seed: seed, Batch: 10})
		}},
		{"race (batch 5)", func(m *rate.Model, seed uint64) (*GridResult, error) {
			return LambdaRace(ctx, m, task, &RaceSettings{Seed: seed, Batch: 5})
		}},
		{"race (batch 10, refine 2.5)", func(m *rate.Model, seed uint64) (*GridResult, error) {
			return LambdaRace(ctx, m, task, &RaceSettings{Seed: seed, Batch: 10, Refine: 2.5})
		}},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| model | strategy | seed | trials | best λ | search accuracy | re-scored accuracy (300 trials) | seconds |\n|---|---|---|---|---|---|---|---|\n")
	for _, path := range paths {
		m, err := rate.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		rescored := map[[2]float64]float64{}        // (seed, λ) → accuracy
		sums := make([][3]float64, len(strategies)) // trials, re-scored accuracy, runs
		for seed := uint64(1); seed <= 5; seed++ {
			for k, st := range strategies {
				start := time.Now()
				res, err := st.run(m, seed)
				if err != nil {
					t.Fatal(err)
				}
				secs := time.Since(start).Seconds()
				key := [2]float64{float64(seed), res.Best}
				acc, ok := rescored[key]
				if !ok {
					ev, err := Evaluate(ctx, m, task, res.Best, &EvalSettings{Trials: 150, Seed: 1000 + seed})
					if err != nil {
						t.Fatal(err)
					}
					acc = ev.Accuracy
					rescored[key] = acc
				}
				fmt.Fprintf(&b, "| %s | %s | %d | %d | %g | %.2f [%.2f, %.2f] | %.3f | %.0f |\n", filepath.Base(path), st.name, seed,
					res.TrialsRun, res.Best, res.AllPerfs[res.BestIndex], res.Lower[res.BestIndex], res.Upper[res.BestIndex], acc, secs)
				sums[k][0] += float64(res.TrialsRun)
				sums[k][1] += acc
				sums[k][2]++
			}
		}
		for k, st := range strategies {
			fmt.Fprintf(&b, "| %s | %s | mean | %.0f (%.0f %% of the grid's) | | | %.3f | |\n", filepath.Base(path), st.name,
				sums[k][0]/sums[k][2], 100*sums[k][0]/sums[0][0], sums[k][1]/sums[k][2])
		}
	}
	t.Log("\n" + b.String())
	if out := os.Getenv("SPIKERNN_RACE_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
