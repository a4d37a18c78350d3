package spiking

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/tasks"
)

// referenceCurve is the go-nogo accuracy the reference LIF code measured on
// gonogo_ref1 (testdata/REFERENCE.md), 100 trials per factor.
var referenceCurve = map[float64]float64{
	20: 0.77, 25: 0.81, 30: 0.89, 35: 0.88, 40: 0.74, 45: 0.69,
	50: 0.70, 55: 0.56, 60: 0.21, 65: 0.16, 70: 0.28, 75: 0.45,
}

func goNogo(t testing.TB) tasks.Task {
	t.Helper()
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestLambdaGridReference runs the full λ search of SPEC §5 on
// gonogo_ref1 (12 factors × 100 trials) and holds the accuracy curve to the
// one the reference measured: no factor off by more than 0.20, a mean
// absolute difference of at most 0.08, and the best factor among the
// reference's top three (30, 35, 25).
func TestLambdaGridReference(t *testing.T) {
	if testing.Short() {
		t.Skip("the full λ search takes 10–30 s; run without -short")
	}
	m := loadRefModel(t)
	g, err := LambdaGridSearch(context.Background(), m, goNogo(t), &GridSettings{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for k, f := range g.ScalingFactors {
		want, ok := referenceCurve[f]
		if !ok {
			t.Fatalf("factor %v not in the reference table", f)
		}
		d := math.Abs(g.AllPerfs[k] - want)
		sum += d
		if d > 0.20 {
			t.Errorf("λ = %v: accuracy %.2f, reference %.2f", f, g.AllPerfs[k], want)
		}
	}
	if mean := sum / float64(len(g.ScalingFactors)); mean > 0.08 {
		t.Errorf("mean |accuracy - reference| = %.3f, want ≤ 0.08", mean)
	} else {
		t.Logf("mean |accuracy - reference| = %.3f", mean)
	}
	if g.Best != 30 && g.Best != 35 && g.Best != 25 {
		t.Errorf("best factor %v, want one of the reference's top three 30, 35, 25", g.Best)
	}
	t.Logf("scaling_factors %v", g.ScalingFactors)
	t.Logf("all_perfs       %v", g.AllPerfs)
	t.Logf("best %v", g.Best)
}

// TestGridWorkersIndependent checks that one worker and several give
// identical per-trial results.
func TestGridWorkersIndependent(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	run := func(workers int) *GridResult {
		g, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{
			Factors: []float64{30, 60}, Trials: 6, Seed: 9, Workers: workers,
		})
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	a, b := run(1), run(4)
	for i := range a.Factors {
		for j := range a.Factors[i].Trials {
			if x, y := a.Factors[i].Trials[j], b.Factors[i].Trials[j]; x != y {
				t.Fatalf("λ = %v trial %d: 1 worker %+v, 4 workers %+v", a.Factors[i].Lambda, j, x, y)
			}
		}
	}
	if a.Best != b.Best || a.AllPerfs[0] != b.AllPerfs[0] || a.AllPerfs[1] != b.AllPerfs[1] {
		t.Fatalf("summaries differ: %+v vs %+v", a.AllPerfs, b.AllPerfs)
	}
	// GridTrial replays a trial of the search.
	net, err := NewNetwork(m, 60, nil)
	if err != nil {
		t.Fatal(err)
	}
	for j, want := range a.Factors[1].Trials {
		tr := GridTrial(task, 9, 60, j)
		res, err := net.Simulate(tr.U, &TrialSettings{Seed: tr.Seed})
		if err != nil {
			t.Fatal(err)
		}
		if got := score(task, tr, res); got != want {
			t.Fatalf("replayed trial %d: %+v, search had %+v", j, got, want)
		}
	}
	// Both conditions appear, and a factor's trials do not depend on the
	// other factors searched.
	labels := map[tasks.Label]bool{}
	for _, tr := range a.Factors[0].Trials {
		labels[tr.Label] = true
	}
	if len(labels) != 2 {
		t.Errorf("6 trials drew only %v", labels)
	}
	c, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{Factors: []float64{60}, Trials: 6, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	for j, tr := range c.Factors[0].Trials {
		if tr != a.Factors[1].Trials[j] {
			t.Fatalf("λ = 60 trial %d depends on the other factors: %+v vs %+v", j, tr, a.Factors[1].Trials[j])
		}
	}
}

// TestGridResume interrupts a search after its first factor, then resumes
// it from the factor reported by OnFactor, and gets the same result as an
// uninterrupted search.
func TestGridResume(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	factors := []float64{25, 50, 75}
	full, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{Factors: factors, Trials: 4, Seed: 3, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var saved []FactorResult
	part, err := LambdaGridSearch(ctx, m, task, &GridSettings{
		Factors: factors, Trials: 4, Seed: 3, Workers: 1,
		OnFactor: func(fr FactorResult) error {
			mu.Lock()
			defer mu.Unlock()
			saved = append(saved, fr)
			cancel() // stop after the first factor
			return nil
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted search returned %v, want context.Canceled", err)
	}
	if len(saved) != 1 || len(part.Factors) != 1 || part.BestIndex != -1 {
		t.Fatalf("after the interruption: %d saved, %d in the result, best index %d", len(saved), len(part.Factors), part.BestIndex)
	}
	var progress []GridProgress
	rest, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{
		Factors: factors, Trials: 4, Seed: 3, Done: saved,
		OnFactor: func(fr FactorResult) error {
			if fr.Lambda == saved[0].Lambda {
				t.Errorf("factor %v run again", fr.Lambda)
			}
			return nil
		},
		Progress: func(p GridProgress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(progress) != 8 || progress[0].TrialsDone != 5 || progress[7].TrialsDone != 12 || progress[7].FactorsDone != 3 {
		t.Errorf("progress %+v", progress)
	}
	for i := range full.Factors {
		for j := range full.Factors[i].Trials {
			if full.Factors[i].Trials[j] != rest.Factors[i].Trials[j] {
				t.Fatalf("resumed search differs at λ = %v trial %d", full.Factors[i].Lambda, j)
			}
		}
	}
	if full.Best != rest.Best {
		t.Fatalf("best %v vs resumed %v", full.Best, rest.Best)
	}

	// A callback error stops the search and is returned.
	boom := errors.New("disk full")
	_, err = LambdaGridSearch(context.Background(), m, task, &GridSettings{
		Factors: factors, Trials: 2, OnFactor: func(FactorResult) error { return boom },
	})
	if !errors.Is(err, boom) {
		t.Fatalf("OnFactor error: got %v", err)
	}
}

func TestGridBadSettings(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	xor, _ := tasks.New("xor", tasks.Settings{})
	for _, c := range []struct {
		task tasks.Task
		s    *GridSettings
		want string
	}{
		{task, &GridSettings{Factors: []float64{}}, "no scaling factors"},
		{task, &GridSettings{Factors: []float64{20, -5}}, "scaling factor 1 is -5"},
		{task, &GridSettings{Factors: []float64{math.NaN()}}, "NaN"},
		{task, &GridSettings{Factors: []float64{20, 20}}, "listed twice"},
		{task, &GridSettings{Trials: -1}, "trials = -1"},
		{task, &GridSettings{Workers: -2}, "workers = -2"},
		{task, &GridSettings{Network: &Settings{Downsample: -1}}, "downsample = -1"},
		{task, &GridSettings{Factors: []float64{20}, Trials: 3, Done: []FactorResult{{Lambda: 30}}}, "not among the factors"},
		{task, &GridSettings{Factors: []float64{20}, Trials: 3, Done: []FactorResult{{Lambda: 20}}}, "has 0 trials, want 3"},
		{xor, &GridSettings{Factors: []float64{20}, Trials: 1}, "2 inputs"},
		{nil, nil, "task is nil"},
	} {
		_, err := LambdaGridSearch(context.Background(), m, c.task, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want it to mention %q", c.s, err, c.want)
		}
	}
}

// TestGridDefaultFactors checks that a search given no factors tries the
// SI's grid for the model's activation.
func TestGridDefaultFactors(t *testing.T) {
	m := loadRefModel(t).Clone()
	m.Activation = rate.ActSoftplus
	res, err := LambdaGridSearch(context.Background(), m, goNogo(t), &GridSettings{Trials: 1, Network: &Settings{Downsample: 10}})
	if err != nil {
		t.Fatal(err)
	}
	want := FactorRange(4, 26, 2)
	if len(res.ScalingFactors) != len(want) {
		t.Fatalf("softplus model: searched %v, want %v", res.ScalingFactors, want)
	}
	for i, f := range want {
		if res.ScalingFactors[i] != f {
			t.Fatalf("softplus model: searched %v, want %v", res.ScalingFactors, want)
		}
	}
}

func TestFactorRange(t *testing.T) {
	for _, c := range []struct {
		a                rate.Activation
		n                int
		first, last, gap float64
	}{
		{rate.ActSigmoid, 12, 20, 75, 5},
		{rate.ActSoftplus, 12, 4, 26, 2},
		{rate.ActClippedReLU, 12, 4, 26, 2},
	} {
		got := DefaultFactors(c.a)
		if len(got) != c.n || got[0] != c.first || got[c.n-1] != c.last || got[1]-got[0] != c.gap {
			t.Errorf("DefaultFactors(%v) = %v, want %g, %g, …, %g", c.a, got, c.first, c.first+c.gap, c.last)
		}
	}
	if r := FactorRange(0.1, 0.3, 0.1); len(r) != 3 {
		t.Fatalf("FactorRange(0.1, 0.3, 0.1) = %v", r)
	}
	if r := FactorRange(5, 1, 1); r != nil {
		t.Fatalf("empty range gave %v", r)
	}
}

func TestAnnotate(t *testing.T) {
	m := loadRefModel(t)
	g := &GridResult{ScalingFactors: []float64{20, 25}, AllPerfs: []float64{0.5, 0.9}, Best: 25, BestIndex: 1}
	c, err := Annotate(m, g)
	if err != nil {
		t.Fatal(err)
	}
	if c.OptScalingFactor != 25 || len(c.AllPerfs) != 2 || c.ScalingFactors[1] != 25 {
		t.Fatalf("annotated copy: %v %v %v", c.OptScalingFactor, c.ScalingFactors, c.AllPerfs)
	}
	if m.OptScalingFactor != 0 || m.AllPerfs != nil {
		t.Fatal("Annotate modified its input")
	}
	c.W.Set(0, 0, 123)
	c.WOut[0] = 7
	if m.W.At(0, 0) == 123 || m.WOut[0] == 7 {
		t.Fatal("the copy shares memory with the input")
	}
	if _, err := Annotate(m, &GridResult{BestIndex: -1}); err == nil {
		t.Fatal("Annotate accepted an incomplete search")
	}
}

// chanSlots is a budget of core slots for the tests.
type chanSlots chan struct{}

func (c chanSlots) Acquire(ctx context.Context) error {
	select {
	case c <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c chanSlots) Release() { <-c }

// TestRunPoolFullBudget checks that a pool whose budget is held entirely
// elsewhere (every slot taken by other sweep points) runs all its jobs on
// worker 0 and returns, instead of waiting for a slot that never frees.
func TestRunPoolFullBudget(t *testing.T) {
	slots := make(chanSlots, 1)
	slots <- struct{}{} // held by another point for the whole test
	var mu sync.Mutex
	ran := map[int]bool{}
	done := make(chan error, 1)
	go func() {
		done <- runPool(context.Background(), 4, 20, slots, func() poolWorker {
			return func(job int) error {
				mu.Lock()
				ran[job] = true
				mu.Unlock()
				return nil
			}
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runPool is still waiting for a slot after every job ran")
	}
	if len(ran) != 20 {
		t.Errorf("%d of 20 jobs ran", len(ran))
	}
	if len(slots) != 1 {
		t.Errorf("%d slots held after the pool, want the 1 held elsewhere", len(slots))
	}
}
