package spiking

import (
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
// (3 × N×nt matrices), as the reference always does.
func BenchmarkSimulateTrialRecordAll(b *testing.B) {
	benchTrial(b, &TrialSettings{RecordVoltage: true, RecordRates: true, RecordIPSC: true})
}

func benchTrial(b *testing.B, ts *TrialSettings) {
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
		if err := sim.Run(&res, u, ts); err != nil {
			b.Fatal(err)
		}
		spikes += len(res.Spikes)
	}
	b.ReportMetric(float64(spikes)/float64(b.N), "spikes/op")
}

var _ = tasks.Go
