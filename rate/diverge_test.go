package rate_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
)

// TestTrainDiverges: a learning rate that makes the loss or the weights
// non-finite stops training with ErrDiverged, naming the trial, and leaves
// every weight of the model finite.
func TestTrainDiverges(t *testing.T) {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := rate.DefaultConfig()
	cfg.N, cfg.Inputs = 20, task.Inputs()
	m, err := rate.New(cfg, rng.New(1))
	if err != nil {
		t.Fatal(err)
	}
	set := rate.DefaultSettings(task)
	set.LearningRate, set.MaxTrials, set.EvalEvery, set.EvalTrials = 1e300, 50, 10, 2
	_, err = rate.Train(context.Background(), m, task, tasks.NewStream(task, 1), set)
	if !errors.Is(err, rate.ErrDiverged) || !strings.Contains(err.Error(), "training trial tr=") {
		t.Fatalf("err = %v, want a divergence naming the trial", err)
	}
	for _, v := range m.W.RawMatrix().Data {
		if v != v || v > 1e308 || v < -1e308 {
			t.Fatalf("a weight of the model is %v", v)
		}
	}
}
