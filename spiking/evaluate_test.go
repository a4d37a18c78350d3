package spiking

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/spikernn/spikernn/tasks"
)

func TestEvaluate(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	var mu sync.Mutex
	observed := map[EvalTrial]int{}
	var lastDone, total int
	run := func(workers int, observe bool) *Evaluation {
		s := &EvalSettings{Trials: 6, Seed: 2, Workers: workers}
		if observe {
			s.Observe = func(tr EvalTrial) Observer {
				return ObserverFunc(func(b *Bin) error {
					mu.Lock()
					observed[tr] += len(b.Spikes)
					mu.Unlock()
					return nil
				})
			}
			s.Progress = func(done, n int) { lastDone, total = done, n }
		}
		ev, err := Evaluate(context.Background(), m, task, 30, s)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	a, b := run(1, false), run(3, true)
	if lastDone != 12 || total != 12 {
		t.Errorf("progress ended at %d of %d", lastDone, total)
	}
	if len(a.Conditions) != 2 || a.Conditions[0].Name != "go" || a.Conditions[1].Name != "nogo" {
		t.Fatalf("conditions %+v", a.Conditions)
	}
	if a.NT != 20000 || a.DT != BaseDT || a.Lambda != 30 {
		t.Fatalf("NT %d DT %v λ %v", a.NT, a.DT, a.Lambda)
	}
	correct := 0
	for c, cs := range a.Conditions {
		other := b.Conditions[c]
		if cs.Accuracy != other.Accuracy || cs.RateE != other.RateE || cs.RateI != other.RateI ||
			!equalFloats(cs.OutMean, other.OutMean) || !equalFloats(cs.OutSD, other.OutSD) {
			t.Fatalf("%s: 1 worker and 3 workers differ", cs.Name)
		}
		n := 0
		for j, tr := range cs.Trials {
			if tr.Label != cs.Label || tr.Trial != j {
				t.Fatalf("%s trial %d: %+v", cs.Name, j, tr)
			}
			if tr.Correct {
				n++
			}
			key := EvalTrial{Condition: c, Label: cs.Label, Trial: j, Seed: tr.Seed}
			if got, ok := observed[key]; !ok || got != tr.Spikes {
				t.Fatalf("%s trial %d: observer saw %d spikes (seen %v), trial had %d", cs.Name, j, got, ok, tr.Spikes)
			}
		}
		if n != cs.Correct || cs.Accuracy != float64(n)/6 {
			t.Fatalf("%s: correct %d, accuracy %v, trials say %d", cs.Name, cs.Correct, cs.Accuracy, n)
		}
		correct += n
		if len(cs.OutMean) != 20000 || len(cs.OutSD) != 20000 {
			t.Fatalf("%s: output statistics of length %d", cs.Name, len(cs.OutMean))
		}
		if !(cs.RateE > 0 && cs.RateI > 0) {
			t.Fatalf("%s: rates E %v I %v", cs.Name, cs.RateE, cs.RateI)
		}
		// The mean output's peak in the window lies between the trials'
		// peaks.
		var lo, hi = math.Inf(1), math.Inf(-1)
		for _, tr := range cs.Trials {
			lo, hi = min(lo, tr.Peak), max(hi, tr.Peak)
		}
		peak := math.Inf(-1)
		for _, x := range cs.OutMean[10000:] {
			peak = max(peak, x)
		}
		if peak > hi+1e-12 {
			t.Fatalf("%s: mean output peaks at %v above every trial's peak (%v..%v)", cs.Name, peak, lo, hi)
		}
	}
	if a.Accuracy != float64(correct)/12 {
		t.Fatalf("accuracy %v, want %v", a.Accuracy, float64(correct)/12)
	}
	goPeak, nogoPeak := maxOf(a.Conditions[0].OutMean[10000:]), maxOf(a.Conditions[1].OutMean[10000:])
	if !(goPeak > 0.7 && nogoPeak < 0.3) {
		t.Errorf("at λ = 30 the mean go output peaks at %.3f, nogo at %.3f", goPeak, nogoPeak)
	}
	// The E/I summary is the mean over conditions of equal size.
	if math.Abs(a.RateE-(a.Conditions[0].RateE+a.Conditions[1].RateE)/2) > 1e-9 {
		t.Fatalf("RateE %v vs conditions %v %v", a.RateE, a.Conditions[0].RateE, a.Conditions[1].RateE)
	}
}

func maxOf(xs []float64) float64 {
	m := math.Inf(-1)
	for _, x := range xs {
		m = max(m, x)
	}
	return m
}

func TestEvaluateBadInput(t *testing.T) {
	m := loadRefModel(t)
	task := goNogo(t)
	mante, _ := tasks.New("mante", tasks.Settings{})
	for _, c := range []struct {
		task   tasks.Task
		lambda float64
		s      *EvalSettings
		want   string
	}{
		{task, 0, nil, "λ = 0"},
		{task, 30, &EvalSettings{Trials: -1}, "trials = -1"},
		{task, 30, &EvalSettings{Workers: -1}, "workers = -1"},
		{mante, 30, nil, "4 inputs"},
		{nil, 30, nil, "task is nil"},
	} {
		_, err := Evaluate(context.Background(), m, c.task, c.lambda, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want it to mention %q", err, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, m, task, 30, &EvalSettings{Trials: 2}); err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Errorf("cancelled evaluation: %v", err)
	}
}
