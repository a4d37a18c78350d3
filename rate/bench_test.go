package rate_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// benchSetup returns a default go-nogo network of n units and its task.
func benchSetup(b *testing.B, n int) (*rate.Model, tasks.Task) {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	c := rate.ConfigFor(task)
	c.N = n
	m, err := rate.New(c, rng.New(1))
	if err != nil {
		b.Fatal(err)
	}
	return m, task
}

// benchTrained returns the reference's trained go-nogo network
// (testdata/models/gonogo_ref1.mat, N = 200: 2,256 of 40,000 entries of
// W_eff nonzero, 5.6%) and
// its task.
func benchTrained(b *testing.B) (*rate.Model, tasks.Task) {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := rate.Load(refModel)
	if err != nil {
		b.Fatal(err)
	}
	return m, task
}

func benchmarkTrainStep(b *testing.B, n int) {
	m, task := benchSetup(b, n)
	benchmarkTrainStepOn(b, m, task)
}

// benchmarkTrainStepOn measures one training step of a trainer on m at
// the start of training: between steps, outside the timer, the trainer
// goes back to m's parameters and a fresh optimiser. (Left to train, a
// new network loses W_eff entries to relu within a few hundred steps, 20%
// to 6% nonzero, and the figure would depend on the number of steps the
// benchmark runs.)
func benchmarkTrainStepOn(b *testing.B, m *rate.Model, task tasks.Task) {
	m0 := m.Clone()
	tn, err := rate.NewTrainer(m, task, nil)
	if err != nil {
		b.Fatal(err)
	}
	stream := tasks.NewStream(task, 1)
	trial := tasks.NewTrial(task, tasks.Rate)
	// Warm up: grow every buffer.
	stream.Next(trial)
	if _, err := tn.Step(trial); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var cpu cpuClock
	for b.Loop() {
		b.StopTimer()
		rate.RestartTrainer(tn, m0)
		stream.Next(trial)
		cpu.resume()
		b.StartTimer()
		if _, err := tn.Step(trial); err != nil {
			b.Fatal(err)
		}
		cpu.pause()
	}
	cpu.report(b)
}

// TestRestartTrainer checks the benchmarks' restart: a restarted trainer
// repeats its first step bit for bit.
func TestRestartTrainer(t *testing.T) {
	task := mustTask(t, "go-nogo")
	c := rate.ConfigFor(task)
	c.N = 50
	m, err := rate.New(c, rng.New(3))
	if err != nil {
		t.Fatal(err)
	}
	m0 := m.Clone()
	tn, err := rate.NewTrainer(m, task, nil)
	if err != nil {
		t.Fatal(err)
	}
	stream := tasks.NewStream(task, 3)
	trial := tasks.NewTrial(task, tasks.Rate)
	stream.Next(trial)
	first, err := tn.Step(trial)
	if err != nil {
		t.Fatal(err)
	}
	after := m.Clone()
	for range 5 {
		if _, err := tn.Step(trial); err != nil {
			t.Fatal(err)
		}
	}
	rate.RestartTrainer(tn, m0)
	again, err := tn.Step(trial)
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("restarted first step: loss %v, want %v", again, first)
	}
	sameModel(t, m, after)
}

// BenchmarkTrainStep is one go-nogo training trial (forward, BPTT, Adam)
// of a new network at N = 200, T = 200 (20% of W_eff nonzero).
func BenchmarkTrainStep(b *testing.B) { benchmarkTrainStep(b, 200) }

// BenchmarkTrainStepN400 is the same at N = 400.
func BenchmarkTrainStepN400(b *testing.B) { benchmarkTrainStep(b, 400) }

// BenchmarkTrainStepTrained is one go-nogo training trial of the
// reference's trained network (N = 200, T = 200), as late in training:
// relu leaves 5.6% of W_eff nonzero instead of the 20% of a new network.
func BenchmarkTrainStepTrained(b *testing.B) {
	m, task := benchTrained(b)
	benchmarkTrainStepOn(b, m, task)
}

func benchmarkForward(b *testing.B, n int) {
	m, task := benchSetup(b, n)
	benchmarkForwardOn(b, m, task)
}

func benchmarkForwardOn(b *testing.B, m *rate.Model, task tasks.Task) {
	net, err := rate.NewNet(m)
	if err != nil {
		b.Fatal(err)
	}
	stream := tasks.NewStream(task, 1)
	trial := tasks.NewTrial(task, tasks.Rate)
	stream.Next(trial)
	opt := &rate.RunOptions{Noise: true, Seed: trial.Seed}
	if _, err := net.Run(trial.U, opt); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := startCPU()
	b.ResetTimer()
	for b.Loop() {
		if _, err := net.Run(trial.U, opt); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// BenchmarkForward is one go-nogo trial forward with noise, no gradient,
// at N = 200, T = 200.
func BenchmarkForward(b *testing.B) { benchmarkForward(b, 200) }

// BenchmarkForwardTrained is one go-nogo trial forward with noise through
// the reference's trained network (N = 200, T = 200, 5.6% of W_eff
// nonzero).
func BenchmarkForwardTrained(b *testing.B) {
	m, task := benchTrained(b)
	benchmarkForwardOn(b, m, task)
}

// cpuClock measures the CPU time the process spends, which on a machine
// shared with other work is a steadier figure than wall time. It runs
// from startCPU or resume to report or pause.
type cpuClock struct {
	start, total time.Duration
	paused       bool
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{start: processCPU()} }

func (c *cpuClock) resume() { c.start, c.paused = processCPU(), false }

func (c *cpuClock) pause() {
	c.total += processCPU() - c.start
	c.paused = true
}

// report adds the metric cpu-ns/op: process CPU time per iteration.
func (c *cpuClock) report(b *testing.B) {
	if !c.paused {
		c.pause()
	}
	if b.N > 0 {
		b.ReportMetric(float64(c.total)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkGemv200 measures the kernel that bounds a trial: one 200×200
// matrix-vector product through gonum BLAS (DESIGN.md measured 3.2 µs on
// an idle machine). A forward pass does 199 of them, a training step 398,
// so this calibrates the figures above on a busy machine.
func BenchmarkGemv200(b *testing.B) {
	const n = 200
	r := rng.New(1)
	a := make([]float64, n*n)
	for i := range a {
		a[i] = r.NormFloat64()
	}
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = r.NormFloat64()
	}
	g := blas64.General{Rows: n, Cols: n, Stride: n, Data: a}
	cpu := startCPU()
	b.ResetTimer()
	for b.Loop() {
		blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: y})
	}
	cpu.report(b)
}
