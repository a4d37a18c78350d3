package spiking

import (
	"context"
	"fmt"
	"testing"

	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

// goStimulus returns the go-nogo go stimulus on the spiking side (1×201,
// ones on columns 50..74).
func goStimulus() *mat.Dense {
	u := mat.NewDense(1, 201, nil)
	for j := 50; j < 75; j++ {
		u.Set(0, j, 1)
	}
	return u
}

// BenchmarkSimulateTrial runs one go trial of gonogo_ref1 at λ = 50 with
// noise on and spike events only (20,000 steps, N = 200).
func BenchmarkSimulateTrial(b *testing.B) {
	benchTrial(b, &TrialSettings{DiscardOutput: true})
}

// BenchmarkSimulateTrialOutput is BenchmarkSimulateTrial keeping the
// output trace, as the λ search does.
func BenchmarkSimulateTrialOutput(b *testing.B) {
	benchTrial(b, &TrialSettings{})
}

// BenchmarkSimulateTrialRecordAll records voltage, rates and IPSC
// (3 × N×nt matrices, 96 MB), as the reference always does, into a fresh
// Result every time.
func BenchmarkSimulateTrialRecordAll(b *testing.B) {
	benchTrial(b, &TrialSettings{RecordVoltage: true, RecordRates: true, RecordIPSC: true})
}

func benchTrial(b *testing.B, ts *TrialSettings) {
	fresh := ts.RecordVoltage || ts.RecordRates || ts.RecordIPSC
	m := loadRefModel(b)
	net, err := NewNetwork(m, 50, nil)
	if err != nil {
		b.Fatal(err)
	}
	sim := NewSimulator(net)
	u := goStimulus()
	var res Result
	b.ReportAllocs()
	spikes := 0
	for i := 0; b.Loop(); i++ {
		ts.Seed = uint64(i)
		if fresh {
			res = Result{}
		}
		if err := sim.Run(&res, u, ts); err != nil {
			b.Fatal(err)
		}
		spikes += len(res.Spikes)
	}
	b.ReportMetric(float64(spikes)/float64(b.N), "spikes/op")
}

// BenchmarkLambdaGrid runs the full λ search of the issue: 12 factors ×
// 100 go-nogo trials of gonogo_ref1 on every core (use -benchtime 1x).
func BenchmarkLambdaGrid(b *testing.B) {
	m := loadRefModel(b)
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g, err := LambdaGridSearch(context.Background(), m, task, &GridSettings{Seed: uint64(i)})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(g.Best, "best-λ")
	}
}

// BenchmarkTrialMemory runs event-only trials of gonogo_ref1 (λ = 50, no
// stimulus) of 1 s and of 10 s with a fresh Simulator and Result each
// time: bytes per op grow only with the spike events (8 bytes each, in
// amortised slice growth), not with the 20,000 or 200,000 steps.
func BenchmarkTrialMemory(b *testing.B) {
	m := loadRefModel(b)
	net, err := NewNetwork(m, 50, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, cols := range []int{201, 2001} {
		u := mat.NewDense(1, cols, nil)
		b.Run(fmt.Sprintf("nt=%d", (cols-1)*100), func(b *testing.B) {
			b.ReportAllocs()
			spikes := 0
			for i := 0; b.Loop(); i++ {
				res, err := net.Simulate(u, &TrialSettings{Seed: uint64(i), DiscardOutput: true})
				if err != nil {
					b.Fatal(err)
				}
				spikes += len(res.Spikes)
			}
			b.ReportMetric(float64(spikes)/float64(b.N), "spikes/op")
		})
	}
}
