package rate_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
)

// Example initialises a small go-nogo network, trains it for a few hundred
// trials and saves it in the reference layout. (A network this small
// learns go-nogo slowly; the default N = 200 meets the stop rule within
// about 500 trials, and the reference's rule then waits for trial 1500.)
func Example() {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		log.Fatal(err)
	}
	cfg := rate.ConfigFor(task) // the defaults of SPEC §1, one input
	cfg.N = 20
	m, err := rate.New(cfg, rng.New(1))
	if err != nil {
		log.Fatal(err)
	}

	s := rate.DefaultSettings(task)
	s.MaxTrials = 300 // give up after 300 trials
	s.EvalTrials = 20 // a quicker evaluation
	evals := 0
	s.Progress = func(p rate.Progress) {
		if p.Evaluated {
			evals++
		}
	}
	res, err := rate.Train(context.Background(), m, task, tasks.NewStream(task, 1), s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s after %d trials, %d evaluations\n", res.Status, res.Trials, evals)
	fmt.Println("losses recorded:", len(m.Losses))

	dir, err := os.MkdirTemp("", "rate-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := m.Save(filepath.Join(dir, "model.mat")); err != nil {
		log.Fatal(err)
	}
	// Output:
	// not converged after 300 trials, 3 evaluations
	// losses recorded: 300
}

// ExampleLoad loads a network trained by the reference implementation and
// runs one noiseless go trial.
func ExampleLoad() {
	m, err := rate.Load("../testdata/models/gonogo_ref1.mat")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("N=%d, %s, taus %v, trained for %d trials\n", m.N, m.Activation, m.Taus, m.Tr+1)

	task, _ := tasks.New("go-nogo", tasks.Settings{})
	trial := tasks.NewTrial(task, tasks.Rate)
	label := tasks.Go
	tasks.Fill(task, trial, &label, nil)

	net, err := rate.NewNet(m)
	if err != nil {
		log.Fatal(err)
	}
	o, err := net.Run(trial.U, nil) // no noise, x_0 = 0
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("go trial correct:", task.Correct(o, label))
	// Output:
	// N=200, sigmoid, taus [4 20], trained for 1502 trials
	// go trial correct: true
}

// A model file saved by the seed README's recipe lacks som_N, b_out and
// activation; LoadWithNotes takes the references' defaults and says so.
func ExampleLoadWithNotes() {
	m, notes, err := rate.LoadWithNotes("../testdata/models/layouts/seed_readme.mat")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("N=%d, som_N=%d, b_out=%g, %s\n", m.N, m.SomN, m.BOut, m.Activation)
	for _, n := range notes {
		fmt.Println(n.Field)
	}
	// Output:
	// N=200, som_N=0, b_out=0, sigmoid
	// b_out
	// som_N
	// activation
	// apply_dale
}

// ExampleCheckpoint interrupts a run, saves a checkpoint and resumes it.
func ExampleCheckpoint() {
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	cfg := rate.ConfigFor(task)
	cfg.N = 20
	m, _ := rate.New(cfg, rng.New(2))
	s := rate.DefaultSettings(task)
	s.MaxTrials = 50 // stop early: say the job was interrupted here

	tn, err := rate.NewTrainer(m, task, s)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := tn.Train(context.Background(), tasks.NewStream(task, 2)); err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "rate-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.ckpt")
	if err := tn.SaveCheckpoint(path); err != nil {
		log.Fatal(err)
	}

	ck, err := rate.LoadCheckpoint(path)
	if err != nil {
		log.Fatal(err)
	}
	s2 := ck.Settings
	s2.MaxTrials = 120
	resumed, err := ck.Resume(task, &s2)
	if err != nil {
		log.Fatal(err)
	}
	// The stream is positioned at the checkpoint by Train.
	res, err := resumed.Train(context.Background(), tasks.NewStream(task, 2))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ck.Trials, "trials before the checkpoint,", res.Trials, "after resuming")
	// Output:
	// 50 trials before the checkpoint, 120 after resuming
}

// chanSource adapts a channel of trials to a TrialSource, as a pipeline
// stage does: Next copies the received trial into the trainer's buffer.
type chanSource struct{ ch <-chan *tasks.Trial }

func (s chanSource) Next(dst *tasks.Trial) {
	tr := <-s.ch
	dst.Index, dst.Label, dst.Seed = tr.Index, tr.Label, tr.Seed
	dst.U.Copy(tr.U)
	copy(dst.Target, tr.Target)
}

// ExampleTrialSource trains from a channel of trials produced by another
// goroutine, in the fixed order the trainer draws them.
func ExampleTrialSource() {
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	cfg := rate.ConfigFor(task)
	cfg.N = 20
	m, _ := rate.New(cfg, rng.New(3))
	s := rate.DefaultSettings(task)
	s.MaxTrials = 20
	s.EvalTrials = 5

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan *tasks.Trial, 8)
	go func() {
		stream := tasks.NewStream(task, 3)
		for {
			tr := tasks.NewTrial(task, tasks.Rate)
			stream.Next(tr)
			select {
			case ch <- tr:
			case <-ctx.Done():
				return
			}
		}
	}()
	res, err := rate.Train(ctx, m, task, chanSource{ch}, s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Trials, "trials,", res.Status)
	// Output:
	// 20 trials, not converged
}
