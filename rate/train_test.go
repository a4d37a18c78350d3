package rate_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

func mustTask(t testing.TB, name string) tasks.Task {
	t.Helper()
	task, err := tasks.New(name, tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestTrainGoNogoConverges trains the default go-nogo network (N = 200)
// from a fixed seed to the reference's stop rule.
func TestTrainGoNogoConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a 200-unit network for 1,502 trials")
	}
	task := mustTask(t, "go-nogo")
	m, err := rate.New(rate.ConfigFor(task), rng.New(1))
	if err != nil {
		t.Fatal(err)
	}
	evals := 0
	s := rate.DefaultSettings(task)
	s.Progress = func(p rate.Progress) {
		if p.Evaluated {
			evals++
		}
	}
	res, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 1), s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s after %d trials: eval accuracy %.2f, eval loss %.3f, %v", res.Status, res.Trials, res.EvalAccuracy, res.EvalLoss, res.Duration)
	if !res.Converged || res.Status != rate.Converged {
		t.Fatalf("did not converge: %+v", res)
	}
	// The stop rule needs tr > 1500, and evaluations run after trials
	// 1, 101, …, 1501: the earliest stop is after 1,502 trials.
	if res.Trials < 1502 || (res.Trials-2)%100 != 0 {
		t.Errorf("stopped after %d trials, want 1502 + a multiple of 100", res.Trials)
	}
	if res.EvalAccuracy <= 0.95 || res.EvalLoss >= 7 {
		t.Errorf("final evaluation accuracy %v loss %v does not meet the stop rule", res.EvalAccuracy, res.EvalLoss)
	}
	if evals != (res.Trials-2)/100+1 {
		t.Errorf("%d evaluations, want %d", evals, (res.Trials-2)/100+1)
	}
	if len(m.Losses) != res.Trials || m.Tr != res.Trials-1 || m.EvalPerfMean != res.EvalAccuracy {
		t.Errorf("model record: %d losses, tr %d, eval_perf_mean %v", len(m.Losses), m.Tr, m.EvalPerfMean)
	}
	// The trained network does the task on fresh noisy trials.
	tn, err := rate.NewTrainer(m, task, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc, _, err := tn.Evaluate(tasks.NewStream(task, 99), 200)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.95 {
		t.Errorf("accuracy on 200 fresh trials %.3f, want ≥ 0.95", acc)
	}
}

// smallRun returns a 30-unit go-nogo model and settings for quick runs.
func smallRun(t *testing.T, seed uint64, maxTrials int) (*rate.Model, tasks.Task, *rate.Settings) {
	task := mustTask(t, "go-nogo")
	c := rate.ConfigFor(task)
	c.N = 30
	m, err := rate.New(c, rng.New(seed))
	if err != nil {
		t.Fatal(err)
	}
	s := rate.DefaultSettings(task)
	s.MaxTrials = maxTrials
	s.EvalTrials = 10
	s.EvalEvery = 50
	return m, task, s
}

func sameModel(t *testing.T, got, want *rate.Model) {
	t.Helper()
	switch {
	case !mat.Equal(got.W, want.W):
		t.Error("w differs")
	case !equalFloats(got.WOut, want.WOut), got.BOut != want.BOut:
		t.Error("w_out or b_out differs")
	case !equalFloats(got.TausGaus, want.TausGaus):
		t.Error("taus_gaus differs")
	case !equalFloats(got.Losses, want.Losses):
		t.Errorf("losses differ (%d vs %d)", len(got.Losses), len(want.Losses))
	case got.Tr != want.Tr, got.EvalPerfMean != want.EvalPerfMean, got.EvalLossMean != want.EvalLossMean:
		t.Error("training record differs")
	}
}

// TestCheckpointResume checks that a run interrupted (by MaxTrials or by
// cancellation), checkpointed to disk and resumed equals the straight run
// bit for bit.
func TestCheckpointResume(t *testing.T) {
	const total = 180
	straight, task, s := smallRun(t, 7, total)
	res, err := rate.Train(context.Background(), straight, task, tasks.NewStream(task, 7), s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Trials != total {
		t.Fatalf("straight run did %d trials", res.Trials)
	}

	t.Run("max trials", func(t *testing.T) {
		m, _, s := smallRun(t, 7, 77)
		tn, err := rate.NewTrainer(m, task, s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tn.Train(context.Background(), tasks.NewStream(task, 7)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "run.ckpt")
		if err := tn.SaveCheckpoint(path); err != nil {
			t.Fatal(err)
		}
		ck, err := rate.LoadCheckpoint(path)
		if err != nil {
			t.Fatal(err)
		}
		s2 := ck.Settings
		s2.MaxTrials = total
		tn2, err := ck.Resume(task, &s2)
		if err != nil {
			t.Fatal(err)
		}
		// A fresh stream: Train seeks it to the checkpoint's position.
		res2, err := tn2.Train(context.Background(), tasks.NewStream(task, 7))
		if err != nil {
			t.Fatal(err)
		}
		if res2.Trials != total || res2.EvalAccuracy != res.EvalAccuracy || res2.EvalLoss != res.EvalLoss {
			t.Errorf("resumed result %+v, straight %+v", res2, res)
		}
		sameModel(t, tn2.Model(), straight)
	})

	t.Run("cancel", func(t *testing.T) {
		m, _, s := smallRun(t, 7, total)
		ctx, cancel := context.WithCancel(context.Background())
		path := filepath.Join(t.TempDir(), "run.ckpt")
		var tn *rate.Trainer
		s.Progress = func(p rate.Progress) {
			if p.Trial == 101 { // just after an evaluation
				if err := tn.SaveCheckpoint(path); err != nil {
					t.Error(err)
				}
				cancel()
			}
		}
		tn, err := rate.NewTrainer(m, task, s)
		if err != nil {
			t.Fatal(err)
		}
		res1, err := tn.Train(ctx, tasks.NewStream(task, 7))
		if !errors.Is(err, context.Canceled) || res1.Status != rate.Canceled || res1.Trials != 102 {
			t.Fatalf("canceled run: %+v, %v", res1, err)
		}
		ck, err := rate.LoadCheckpoint(path)
		if err != nil {
			t.Fatal(err)
		}
		if ck.Trials != 102 || ck.Drawn != 102+3*s.EvalTrials {
			t.Errorf("checkpoint at %d trials, %d drawn", ck.Trials, ck.Drawn)
		}
		tn2, err := ck.Resume(task, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tn2.Train(context.Background(), tasks.NewStream(task, 7)); err != nil {
			t.Fatal(err)
		}
		sameModel(t, tn2.Model(), straight)
	})
}

// TestSparseAdamEqualsDense checks that the trainer, which tracks only
// the entries of w that can move, ends where dense Adam over every
// parameter ends.
func TestSparseAdamEqualsDense(t *testing.T) {
	for _, dale := range []bool{true, false} {
		task := mustTask(t, "xor")
		c := rate.ConfigFor(task)
		c.N = 25
		c.ApplyDale = dale
		c.SomN = 2
		m, err := rate.New(c, rng.New(11))
		if err != nil {
			t.Fatal(err)
		}
		dense := m.Clone()
		s := rate.DefaultSettings(task)
		s.LearningRate = 0.05 // drive some entries of w below 0
		tn, err := rate.NewTrainer(m, task, s)
		if err != nil {
			t.Fatal(err)
		}
		net, err := rate.NewNet(dense)
		if err != nil {
			t.Fatal(err)
		}
		n := c.N
		nPar := n*n + n + 1 + n
		adam := rate.NewAdam(nPar, s.LearningRate, s.Beta1, s.Beta2, s.Eps)
		theta := make([]float64, nPar)
		grad := make([]float64, nPar)
		stream := tasks.NewStream(task, 3)
		trial := tasks.NewTrial(task, tasks.Rate)
		var g rate.Gradients
		for step := 0; step < 40; step++ {
			stream.Next(trial)
			l1, err := tn.Step(trial)
			if err != nil {
				t.Fatal(err)
			}
			l2, err := net.Gradients(&g, trial.U, trial.Target, s.Loss, &rate.RunOptions{Noise: true, Seed: trial.Seed})
			if err != nil {
				t.Fatal(err)
			}
			if l1 != l2 {
				t.Fatalf("dale=%v step %d: loss %v, dense %v", dale, step, l1, l2)
			}
			copy(theta, dense.W.RawMatrix().Data)
			copy(theta[n*n:], dense.WOut)
			theta[n*n+n] = dense.BOut
			copy(theta[n*n+n+1:], dense.TausGaus)
			copy(grad, g.W.RawMatrix().Data)
			copy(grad[n*n:], g.WOut)
			grad[n*n+n] = g.BOut
			copy(grad[n*n+n+1:], g.TausGaus)
			adam.Update(theta, grad)
			copy(dense.W.RawMatrix().Data, theta)
			copy(dense.WOut, theta[n*n:])
			dense.BOut = theta[n*n+n]
			copy(dense.TausGaus, theta[n*n+n+1:])
			net.Refresh()
		}
		neg := 0
		for _, v := range m.W.RawMatrix().Data {
			if v < 0 {
				neg++
			}
		}
		if dale && neg == 0 {
			t.Error("no entry of w went negative: the test does not exercise relu")
		}
		if !mat.Equal(m.W, dense.W) || !equalFloats(m.WOut, dense.WOut) || m.BOut != dense.BOut || !equalFloats(m.TausGaus, dense.TausGaus) {
			t.Errorf("dale=%v: sparse and dense Adam differ after 40 steps", dale)
		}
	}
}

func TestTrainNaNNamesTrial(t *testing.T) {
	m, task, s := smallRun(t, 2, 50)
	for i := range m.WOut {
		m.WOut[i] = 1e308
	}
	res, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 2), s)
	if err == nil || !strings.Contains(err.Error(), "trial tr=0") || !strings.Contains(err.Error(), "loss is") {
		t.Fatalf("error %v, want one naming trial tr=0 and the loss", err)
	}
	if res == nil || res.Converged {
		t.Errorf("result %+v", res)
	}
	if m.WOut[0] != 1e308 {
		t.Error("the model changed on a non-finite loss")
	}
}

func TestTrainRejectsBadInput(t *testing.T) {
	gonogo, xor := mustTask(t, "go-nogo"), mustTask(t, "xor")
	m := newModel(t, 10, 1, 1)
	if _, err := rate.NewTrainer(m, xor, nil); err == nil || !strings.Contains(err.Error(), "inputs") {
		t.Errorf("model with 1 input on xor: error %v", err)
	}
	tn, err := rate.NewTrainer(m, gonogo, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := tasks.NewTrial(xor, tasks.Rate)
	bad.Index = 42
	if _, err := tn.Step(bad); err == nil || !strings.Contains(err.Error(), "trial 42") || !errors.Is(err, rate.ErrShape) {
		t.Errorf("xor trial on a go-nogo trainer: error %v", err)
	}
	spk := tasks.NewTrial(gonogo, tasks.Spiking)
	if _, err := tn.Step(spk); err == nil || !strings.Contains(err.Error(), "target") {
		t.Errorf("spiking-side trial: error %v", err)
	}
	m.M.Set(0, 1, 1)
	if _, err := rate.NewTrainer(m, gonogo, nil); err == nil || !strings.Contains(err.Error(), "diagonal") {
		t.Errorf("non-diagonal m: error %v", err)
	}
}

func TestSettingsValidate(t *testing.T) {
	cases := map[string]func(s *rate.Settings){
		"loss":               func(s *rate.Settings) { s.Loss = 7 },
		"learning rate":      func(s *rate.Settings) { s.LearningRate = 0 },
		"beta1":              func(s *rate.Settings) { s.Beta1 = 1 },
		"beta2":              func(s *rate.Settings) { s.Beta2 = -0.1 },
		"eps":                func(s *rate.Settings) { s.Eps = math.NaN() },
		"max trials":         func(s *rate.Settings) { s.MaxTrials = 0 },
		"eval every":         func(s *rate.Settings) { s.EvalEvery = 0 },
		"eval trials":        func(s *rate.Settings) { s.EvalTrials = -1 },
		"loss threshold":     func(s *rate.Settings) { s.LossThreshold = math.NaN() },
		"accuracy threshold": func(s *rate.Settings) { s.AccThreshold = 1.5 },
	}
	for name, breakIt := range cases {
		s := rate.DefaultSettings(nil)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		breakIt(s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "want") {
			t.Errorf("%s: error %v, want one naming the setting and its range", name, err)
		}
		if _, err := rate.NewTrainer(newModel(t, 5, 1, 1), mustTask(t, "go-nogo"), s); err == nil {
			t.Errorf("%s: NewTrainer accepted invalid settings", name)
		}
	}
	if s := rate.DefaultSettings(mustTask(t, "go-nogo")); s.MinTrial != 1500 {
		t.Errorf("go-nogo MinTrial = %d, want 1500", s.MinTrial)
	}
	if s := rate.DefaultSettings(mustTask(t, "mante")); s.MinTrial != -1 {
		t.Errorf("mante MinTrial = %d, want -1", s.MinTrial)
	}
}

func TestEvalSchedule(t *testing.T) {
	m, task, s := smallRun(t, 5, 160)
	s.EvalEvery = 50
	var at []int
	s.Progress = func(p rate.Progress) {
		if p.Evaluated {
			at = append(at, p.Trial)
		}
	}
	s.AccThreshold = 1 // never converges
	if _, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 5), s); err != nil {
		t.Fatal(err)
	}
	want := []int{1, 51, 101, 151}
	if len(at) != len(want) {
		t.Fatalf("evaluations after trials %v, want %v", at, want)
	}
	for i := range want {
		if at[i] != want[i] {
			t.Fatalf("evaluations after trials %v, want %v", at, want)
		}
	}
}
