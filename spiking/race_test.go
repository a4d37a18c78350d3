package spiking

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
)

// TestRace checks a race on the reference's model: the same result on one
// worker and on three; every factor's trials are the grid search's first
// trials at that factor; a factor the race stopped has fewer trials than
// the winner, whose interval its own lies below; the refinement adds the
// factors around the winner.
func TestRace(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	set := &RaceSettings{Factors: []float64{30, 45, 65}, Trials: 20, Batch: 10, Refine: 7.5, Seed: 7, Workers: 1}
	one, err := LambdaRace(context.Background(), m, task, set)
	if err != nil {
		t.Fatal(err)
	}
	set3 := *set
	set3.Workers = 3
	three, err := LambdaRace(context.Background(), m, task, &set3)
	if err != nil {
		t.Fatal(err)
	}
	if one.Best != three.Best || !slices.Equal(one.ScalingFactors, three.ScalingFactors) || !slices.Equal(one.AllPerfs, three.AllPerfs) || one.TrialsRun != three.TrialsRun {
		t.Fatalf("1 worker: best %g %v %v (%d trials); 3 workers: best %g %v %v (%d trials)",
			one.Best, one.ScalingFactors, one.AllPerfs, one.TrialsRun, three.Best, three.ScalingFactors, three.AllPerfs, three.TrialsRun)
	}
	total := 0
	var w FactorResult
	for _, fr := range one.Factors {
		total += len(fr.Trials)
		if fr.Lambda == one.Best {
			w = fr
		}
	}
	if total != one.TrialsRun {
		t.Errorf("TrialsRun %d, the factors hold %d", one.TrialsRun, total)
	}
	stopped := 0
	for _, fr := range one.Factors {
		if len(fr.Trials) < len(w.Trials) {
			stopped++
			if fr.Accuracy >= w.Accuracy {
				t.Errorf("λ = %g stopped after %d trials at accuracy %.2f, the winner %g has %.2f", fr.Lambda, len(fr.Trials), fr.Accuracy, w.Lambda, w.Accuracy)
			}
		}
	}
	if stopped == 0 {
		t.Errorf("no factor stopped early: %v", one.AllPerfs)
	}
	// The refinement factors sit around the coarse winner (45 at this
	// seed), 7.5 apart, strictly between its neighbours 30 and 65.
	if got := one.ScalingFactors[3:]; !slices.Equal(got, []float64{37.5, 52.5, 60}) {
		t.Errorf("refinement factors %v, want 37.5, 52.5, 60 around 45", got)
	}

	// The trials are the grid's.
	grid, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{Factors: one.ScalingFactors, Trials: 20, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	for i, fr := range one.Factors {
		for j, tr := range fr.Trials {
			g := grid.Factors[i].Trials[j]
			if tr.Correct != g.Correct || tr.Peak != g.Peak || tr.Seed != g.Seed {
				t.Fatalf("λ = %g trial %d: race %+v, grid %+v", fr.Lambda, j, tr, g)
			}
		}
	}
	t.Logf("race: %v accuracies %v, best %g, %d trials (grid %d)", one.ScalingFactors, one.AllPerfs, one.Best, one.TrialsRun, grid.TrialsRun)
}

// TestRefineFactors checks the refinement factors: strictly between the
// winner's neighbours, mirrored at an end of the grid, none of the grid's.
func TestRefineFactors(t *testing.T) {
	grid := FactorRange(20, 75, 5)
	for _, c := range []struct {
		w, step float64
		want    []float64
	}{
		{30, 1, []float64{26, 27, 28, 29, 31, 32, 33, 34}},
		{30, 2.5, []float64{27.5, 32.5}},
		{20, 2.5, []float64{17.5, 22.5}},
		{75, 2, []float64{71, 73, 77, 79}},
		{30, 5, nil},
	} {
		if got := refineFactors(grid, c.w, c.step); !slices.Equal(got, c.want) {
			t.Errorf("refine %g by %g: %v, want %v", c.w, c.step, got, c.want)
		}
	}
	if got := refineFactors([]float64{30}, 30, 1); got != nil {
		t.Errorf("one factor: %v, want none", got)
	}
}

// TestRaceBadSettings checks the errors of bad race settings.
func TestRaceBadSettings(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	for _, c := range []struct {
		s    *RaceSettings
		want string
	}{
		{&RaceSettings{Batch: -1}, "batch = -1"},
		{&RaceSettings{Refine: math.NaN()}, "refine = NaN"},
		{&RaceSettings{Refine: -1}, "refine = -1"},
		{&RaceSettings{Factors: []float64{20, 20}}, "listed twice"},
		{&RaceSettings{Trials: -3}, "trials = -3"},
	} {
		if _, err := LambdaRace(context.Background(), m, task, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", c.s, err, c.want)
		}
	}
}
