package stages

import (
	"path/filepath"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
)

// benchNetwork converts the reference's go-nogo model at λ = 30.
func benchNetwork(b *testing.B) (*spiking.Network, tasks.Task) {
	b.Helper()
	m, err := rate.Load(filepath.Join("..", "testdata", "models", "gonogo_ref1.mat"))
	if err != nil {
		b.Fatal(err)
	}
	net, err := spiking.NewNetwork(m, 30, nil)
	if err != nil {
		b.Fatal(err)
	}
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	return net, task
}

// BenchmarkConvertTrial measures one lif-convert trial of the reference's
// go-nogo model (N = 200, 20,000 steps): the simulation and the batches
// of spikes, rates (40,000 rows), outputs and the trial result.
func BenchmarkConvertTrial(b *testing.B) {
	net, task := benchNetwork(b)
	w := newConvertWorker(net, &taskSource{task: task, seed: 1}, 1, 30, DefaultOutputEvery)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := w.run(i%16, false); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkSimulateTrial is the simulation alone, for comparison with
// BenchmarkConvertTrial: the difference is what the stage adds.
func BenchmarkSimulateTrial(b *testing.B) {
	net, task := benchNetwork(b)
	sim := spiking.NewSimulator(net)
	stream := tasks.NewStream(task, 1)
	tr := tasks.NewTrial(task, tasks.Spiking)
	var res spiking.Result
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		stream.Trial(i%16, tr)
		if err := sim.Run(&res, tr.U, &spiking.TrialSettings{Seed: tr.Seed}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
