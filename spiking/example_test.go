package spiking_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/spiking"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/mat"
)

const modelPath = "../testdata/models/gonogo_ref1.mat"

// ExampleSimulate converts a go-nogo network trained by the reference
// implementation at λ = 50 and replays the reference's own trials: the
// voltage noise off and the initial voltages it drew.
func ExampleSimulate() {
	m, err := rate.Load(modelPath)
	if err != nil {
		log.Fatal(err)
	}
	g, err := matfile.Open("../testdata/golden/lif_golden_gonogo_ref1.mat")
	if err != nil {
		log.Fatal(err)
	}
	v, _ := g.Var("v0_uniform")
	v0, _ := v.Float64s()

	for _, name := range []string{"go", "nogo"} {
		u := mat.NewDense(1, 201, nil) // 1 s: 201 columns of 5 ms
		if name == "go" {
			for j := 50; j < 75; j++ {
				u.Set(0, j, 1)
			}
		}
		res, err := spiking.Simulate(m, 50, u, nil, &spiking.TrialSettings{NoNoise: true, V0Uniform: v0})
		if err != nil {
			log.Fatal(err)
		}
		peak := res.Out[10000] // from 0.5 s on
		for _, o := range res.Out[10000:] {
			peak = max(peak, o)
		}
		fmt.Printf("%-4s %d steps of %.2f ms, %d spikes, peak output after 0.5 s %.3f\n",
			name, res.Params.NT, res.Params.DT*1000, len(res.Spikes), peak)
	}
	// Output:
	// go   20000 steps of 0.05 ms, 814 spikes, peak output after 0.5 s 0.927
	// nogo 20000 steps of 0.05 ms, 254 spikes, peak output after 0.5 s 0.007
}

// ExampleLambdaGridSearch searches two scaling factors with 20 trials each
// and writes the annotated copy of the model that the reference's
// lambda_grid_search would have written into the model file itself.
func ExampleLambdaGridSearch() {
	m, err := rate.Load(modelPath)
	if err != nil {
		log.Fatal(err)
	}
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	g, err := spiking.LambdaGridSearch(context.Background(), m, task, &spiking.GridSettings{
		Factors: []float64{30, 60},
		Trials:  20,
		Seed:    1,
	})
	if err != nil {
		log.Fatal(err)
	}
	for k, f := range g.ScalingFactors {
		fmt.Printf("λ = %g: accuracy %.2f\n", f, g.AllPerfs[k])
	}
	fmt.Println("best:", g.Best)

	annotated, err := spiking.Annotate(m, g)
	if err != nil {
		log.Fatal(err)
	}
	dir, _ := os.MkdirTemp("", "spiking")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model_lambda.mat")
	if err := annotated.Save(path); err != nil {
		log.Fatal(err)
	}
	back, _ := rate.Load(path)
	fmt.Println("saved opt_scaling_factor:", back.OptScalingFactor, "input untouched:", m.OptScalingFactor == 0)
	// Output:
	// λ = 30: accuracy 1.00
	// λ = 60: accuracy 0.10
	// best: 30
	// saved opt_scaling_factor: 30 input untouched: true
}

// ExampleEvaluate evaluates the converted network at λ = 30 on ten trials
// of each condition.
func ExampleEvaluate() {
	m, err := rate.Load(modelPath)
	if err != nil {
		log.Fatal(err)
	}
	task, _ := tasks.New("go-nogo", tasks.Settings{})
	ev, err := spiking.Evaluate(context.Background(), m, task, 30, &spiking.EvalSettings{Trials: 10, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range ev.Conditions {
		fmt.Printf("%-4s accuracy %.1f, mean output at 0.75 s %.2f\n", c.Name, c.Accuracy, c.OutMean[15000])
	}
	fmt.Println("excitatory units fire less than inhibitory ones:", ev.RateE < ev.RateI)
	// Output:
	// go   accuracy 1.0, mean output at 0.75 s 1.89
	// nogo accuracy 0.8, mean output at 0.75 s 0.08
	// excitatory units fire less than inhibitory ones: true
}

// ExampleObserverFunc streams a trial bin by bin, as a Parquet writer
// would, without keeping the output trace in the result.
func ExampleObserverFunc() {
	m, err := rate.Load(modelPath)
	if err != nil {
		log.Fatal(err)
	}
	net, err := spiking.NewNetwork(m, 30, nil)
	if err != nil {
		log.Fatal(err)
	}
	u := mat.NewDense(1, 201, nil)
	bins, spikes, busiest := 0, 0, 0.0
	obs := spiking.ObserverFunc(func(b *spiking.Bin) error {
		bins++
		spikes += len(b.Spikes)
		for _, hz := range b.RateHz { // spikes per neuron in the 5 ms bin, in Hz
			busiest = max(busiest, hz)
		}
		return nil
	})
	res, err := net.Simulate(u, &spiking.TrialSettings{Seed: 7, Observer: obs, DiscardOutput: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(bins, "bins of 5 ms;", spikes == len(res.Spikes), "spikes streamed;", busiest <= 1/0.005, "at most one spike per neuron and bin; output kept:", res.Out != nil)
	// Output:
	// 200 bins of 5 ms; true spikes streamed; true at most one spike per neuron and bin; output kept: false
}

// ExampleFormatSpikeData lists a trial's spikes the way the reference's
// format_spike_data does.
func ExampleFormatSpikeData() {
	spikes := []spiking.Spike{{Step: 100, Neuron: 3}, {Step: 250, Neuron: 0}, {Step: 900, Neuron: 3}}
	st := spiking.FormatSpikeData(spikes, 4, 20000, spiking.BaseDT)
	fmt.Printf("times (s): %.4g\n", st.Times)
	fmt.Println("neurons:  ", st.Neurons)
	fmt.Println("rates (Hz):", st.RateHz, "total:", st.Total)
	// Output:
	// times (s): [0.0125 0.005 0.045]
	// neurons:   [0 3 3]
	// rates (Hz): [1 0 0 2] total: 3
}
