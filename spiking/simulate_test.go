package spiking

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

// toyModel returns an n-unit model with no recurrent weights, w_in = win
// for every unit, w_out = 1/n, a fixed decay of 10 steps, and the units
// from nInh on inhibitory.
func toyModel(n, nInh int, win float64) *rate.Model {
	m := &rate.Model{
		N:    n,
		W:    mat.NewDense(n, n, nil),
		M:    mat.NewDense(n, n, nil),
		SomM: mat.NewDense(n, n, nil),
		WIn:  mat.NewDense(n, 1, nil),
		WOut: make([]float64, n),
		Inh:  make([]bool, n),
		Taus: []float64{10},
	}
	for i := 0; i < n; i++ {
		m.M.Set(i, i, 1)
		if i >= n-nInh {
			m.Inh[i] = true
			m.M.Set(i, i, -1)
		}
		for j := 0; j < n; j++ {
			m.SomM.Set(i, j, 1)
		}
		m.WIn.Set(i, 0, win)
		m.WOut[i] = 1 / float64(n)
	}
	return m
}

func constStimulus(cols int, x float64) *mat.Dense {
	u := mat.NewDense(1, cols, nil)
	for j := 0; j < cols; j++ {
		u.Set(0, j, x)
	}
	return u
}

func zeros(n int) []float64 { return make([]float64, n) }

func TestBadInput(t *testing.T) {
	good := func() *rate.Model { return toyModel(4, 1, 1) }
	u := constStimulus(11, 1)
	for _, c := range []struct {
		name   string
		edit   func(m *rate.Model)
		lambda float64
		s      *Settings
		u      mat.Matrix
		ts     *TrialSettings
		want   string
	}{
		{name: "λ = 0", lambda: 0, want: "λ = 0"},
		{name: "λ < 0", lambda: -3, want: "λ = -3"},
		{name: "λ NaN", lambda: math.NaN(), want: "λ = NaN"},
		{name: "λ Inf", lambda: math.Inf(1), want: "λ = +Inf"},
		{name: "downsample", s: &Settings{Downsample: -2}, want: "downsample = -2"},
		{name: "stim unit", ts: &TrialSettings{Stim: Stimulation{Mode: StimExc, Off: 5, Units: []int{1, 4}}}, want: "stimulation unit 4 (Units[1]) out of range [0, 4)"},
		{name: "stim negative unit", ts: &TrialSettings{Stim: Stimulation{Mode: StimInh, Off: 5, Units: []int{-1}}}, want: "stimulation unit -1"},
		{name: "stim range", ts: &TrialSettings{Stim: Stimulation{Mode: StimInh, On: 5, Off: 2, Units: []int{0}}}, want: "stimulation steps [5, 2)"},
		{name: "stim mode", ts: &TrialSettings{Stim: Stimulation{Mode: 7}}, want: "unknown stimulation mode 7"},
		{name: "stimulus rows", u: mat.NewDense(2, 11, nil), want: "stimulus has 2 rows, want 1 (the columns of w_in)"},
		{name: "stimulus short", u: mat.NewDense(1, 1, nil), want: "stimulus has 1 columns"},
		{name: "stimulus short downsampled", s: &Settings{Downsample: 3}, u: mat.NewDense(1, 3, nil), want: "1 after downsampling by 3"},
		{name: "stimulus NaN", u: mat.NewDense(1, 3, []float64{0, math.NaN(), 0}), want: "stimulus[0][1] = NaN"},
		{name: "stimulus nil", u: (*mat.Dense)(nil), want: "stimulus is nil"},
		{name: "v0 length", ts: &TrialSettings{V0Uniform: []float64{0.5}}, want: "V0Uniform has 1 values, want N = 4"},
		{name: "v0 NaN", ts: &TrialSettings{V0Uniform: []float64{0, 0, math.NaN(), 0}}, want: "V0Uniform[2] = NaN"},
		{name: "w NaN", edit: func(m *rate.Model) { m.W.Set(1, 2, math.NaN()) }, want: "model field w[1][2] = NaN"},
		{name: "w Inf", edit: func(m *rate.Model) { m.W.Set(0, 3, math.Inf(-1)) }, want: "model field w[0][3] = -Inf"},
		{name: "w_in NaN", edit: func(m *rate.Model) { m.WIn.Set(3, 0, math.NaN()) }, want: "model field w_in[3][0] = NaN"},
		{name: "w_out Inf", edit: func(m *rate.Model) { m.WOut[2] = math.Inf(1) }, want: "model field w_out[2] = +Inf"},
		{name: "m NaN", edit: func(m *rate.Model) { m.M.Set(0, 0, math.NaN()) }, want: "model field m[0][0]"},
		{name: "som_m NaN", edit: func(m *rate.Model) { m.SomM.Set(0, 1, math.NaN()) }, want: "model field som_m[0][1]"},
		{name: "taus_gaus NaN", edit: func(m *rate.Model) { m.Taus = []float64{4, 20}; m.TausGaus = []float64{0, math.NaN(), 0, 0} }, want: "model field taus_gaus[1] = NaN"},
		{name: "w missing", edit: func(m *rate.Model) { m.W = nil }, want: "missing field w"},
		{name: "w0 missing", s: &Settings{UseInitialWeights: true}, want: "missing field w0"},
		{name: "w_in missing", edit: func(m *rate.Model) { m.WIn = nil }, want: "missing field w_in"},
		{name: "w_out missing", edit: func(m *rate.Model) { m.WOut = nil }, want: "missing field w_out"},
		{name: "m missing", edit: func(m *rate.Model) { m.M = nil }, want: "missing field m"},
		{name: "som_m missing", edit: func(m *rate.Model) { m.SomM = nil }, want: "missing field som_m"},
		{name: "inh missing", edit: func(m *rate.Model) { m.Inh = nil }, want: "missing field inh"},
		{name: "taus missing", edit: func(m *rate.Model) { m.Taus = nil }, want: "missing field taus"},
		{name: "taus_gaus missing", edit: func(m *rate.Model) { m.Taus = []float64{4, 20} }, want: "missing field taus_gaus"},
		{name: "taus zero", edit: func(m *rate.Model) { m.Taus = []float64{0} }, want: "taus[0] = 0"},
		{name: "w shape", edit: func(m *rate.Model) { m.W = mat.NewDense(4, 3, nil) }, want: "model field w is 4×3"},
		{name: "w_out length", edit: func(m *rate.Model) { m.WOut = []float64{1} }, want: "w_out has 1 values, want N = 4"},
		{name: "N", edit: func(m *rate.Model) { m.N = 0 }, want: "model field N = 0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			if c.edit != nil {
				c.edit(m)
			}
			lambda := c.lambda
			if lambda == 0 && !strings.HasPrefix(c.name, "λ") {
				lambda = 10
			}
			uu := c.u
			if uu == nil {
				uu = u
			}
			_, err := Simulate(m, lambda, uu, c.s, c.ts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to mention %q", err, c.want)
			}
		})
	}
	if _, err := Simulate(nil, 10, u, nil, nil); err == nil || !strings.Contains(err.Error(), "model is nil") {
		t.Fatalf("nil model: %v", err)
	}
	if _, err := Simulate(good(), 10, u, nil, nil); err != nil {
		t.Fatalf("good model rejected: %v", err)
	}
}

func TestGeometry(t *testing.T) {
	for _, c := range []struct {
		cols, d, sd, nt int
		T               float64
	}{
		{201, 1, 201, 20000, 1.0},
		{201, 2, 101, 10000, 1.0},
		{201, 3, 67, 6600, 0.99},
		{301, 1, 301, 30000, 1.5},
		{501, 4, 126, 12500, 2.5},
	} {
		dt := BaseDT * float64(c.d)
		sd, T, nt := geometry(c.cols, c.d, dt)
		if sd != c.sd || nt != c.nt || math.Abs(T-c.T) > 1e-12 {
			t.Errorf("cols %d d %d: S_d %d T %v nt %d, want %d %v %d", c.cols, c.d, sd, T, nt, c.sd, c.T, c.nt)
		}
	}
	// The stimulus column of step i is the reference's
	// min(int(i/100 + 0.5), S_d - 1), computed in floating point there.
	for _, sd := range []int{2, 67, 201} {
		for i := 0; i < (sd-1)*100; i++ {
			want := min(int(float64(i)/100+0.5), sd-1)
			if got := stimColumn(i, sd); got != want {
				t.Fatalf("S_d %d step %d: column %d, want %d", sd, i, got, want)
			}
		}
	}
}

// TestDownsample checks that downsample d uses the columns 0, d, 2d, …
// of the stimulus only, with dt = d·0.05 ms.
func TestDownsample(t *testing.T) {
	m := loadRefModel(t)
	u := goStimulus()
	v := mat.DenseCopyOf(u)
	for j := 1; j < 201; j += 2 {
		v.Set(0, j, 5) // dropped by downsample 2
	}
	s := &Settings{Downsample: 2}
	ts := &TrialSettings{Seed: 4}
	a, err := Simulate(m, 40, u, s, ts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(m, 40, v, s, ts)
	if err != nil {
		t.Fatal(err)
	}
	if a.Params.DT != 1e-4 || a.Params.NT != 10000 || a.Params.Columns != 101 || len(a.Out) != 10000 {
		t.Fatalf("params %+v", a.Params)
	}
	if len(a.Spikes) != len(b.Spikes) || a.Out[9999] != b.Out[9999] {
		t.Fatal("downsample 2 read a dropped column")
	}
	c, err := Simulate(m, 40, u, nil, ts)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := Simulate(m, 40, v, nil, ts); err != nil || len(d.Spikes) == len(c.Spikes) && d.Out[19999] == c.Out[19999] {
		t.Fatalf("without downsampling the odd columns must matter (err %v)", err)
	}
}

func TestReproducible(t *testing.T) {
	m := loadRefModel(t)
	net, err := NewNetwork(m, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := goStimulus()
	a, _ := net.Simulate(u, &TrialSettings{Seed: 11})
	b, _ := net.Simulate(u, &TrialSettings{Seed: 11})
	c, _ := net.Simulate(u, &TrialSettings{Seed: 12})
	if len(a.Spikes) != len(b.Spikes) || !equalFloats(a.Out, b.Out) {
		t.Fatal("same seed, different trial")
	}
	if equalFloats(a.Out, c.Out) {
		t.Fatal("different seeds, same trial")
	}
	// A reused Simulator gives the same trial as a fresh one.
	sim := NewSimulator(net)
	var r Result
	for _, seed := range []uint64{12, 11} {
		if err := sim.Run(&r, u, &TrialSettings{Seed: seed}); err != nil {
			t.Fatal(err)
		}
	}
	if len(r.Spikes) != len(a.Spikes) || !equalFloats(r.Out, a.Out) {
		t.Fatal("reused simulator differs from a fresh one")
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRecordings checks the optional recordings against the rules of
// SPEC §4: REC holds 30 mV at a spike (and only there is v ≥ -40), out = (w_out/λ)·rs at every step,
// IPSC starts at 0 and is recorded before its update.
func TestRecordings(t *testing.T) {
	m := loadRefModel(t)
	net, err := NewNetwork(m, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := net.Simulate(goStimulus(), &TrialSettings{Seed: 2, RecordVoltage: true, RecordRates: true, RecordIPSC: true})
	if err != nil {
		t.Fatal(err)
	}
	nt := res.Params.NT
	for _, rec := range []*mat.Dense{res.V, res.Rates, res.IPSC} {
		if r, c := rec.Dims(); r != net.N || c != nt {
			t.Fatalf("recording is %d×%d", r, c)
		}
	}
	spiked := map[[2]int]bool{}
	for _, s := range res.Spikes {
		spiked[[2]int{int(s.Neuron), int(s.Step)}] = true
	}
	for k := 0; k < net.N; k++ {
		if res.IPSC.At(k, 0) != 0 {
			t.Fatalf("IPSC[%d][0] = %v, want 0", k, res.IPSC.At(k, 0))
		}
		for i := 0; i < nt; i++ {
			// v + (30 - v), as the reference computes it: 30 to rounding.
			v := res.V.At(k, i)
			if sp := spiked[[2]int{k, i}]; sp && math.Abs(v-VSpike) > 1e-12 || !sp && v >= VPeak {
				t.Fatalf("V[%d][%d] = %v, spiked %v", k, i, v, sp)
			}
		}
	}
	for i := 0; i < nt; i += 97 {
		var o float64
		for k := 0; k < net.N; k++ {
			o += m.WOut[k] / 50 * res.Rates.At(k, i)
		}
		if math.Abs(o-res.Out[i]) > 1e-12 {
			t.Fatalf("out[%d] = %v, (w_out/λ)·rs = %v", i, res.Out[i], o)
		}
	}
	// Recording changes nothing else.
	plain, _ := net.Simulate(goStimulus(), &TrialSettings{Seed: 2})
	if !equalFloats(plain.Out, res.Out) || len(plain.Spikes) != len(res.Spikes) {
		t.Fatal("recordings changed the trial")
	}
	// Discarding the output keeps the spikes.
	ev, _ := net.Simulate(goStimulus(), &TrialSettings{Seed: 2, DiscardOutput: true})
	if ev.Out != nil || len(ev.Spikes) != len(res.Spikes) {
		t.Fatalf("events only: out %v, %d spikes (want %d)", ev.Out != nil, len(ev.Spikes), len(res.Spikes))
	}
}

func TestReluAndInitialWeights(t *testing.T) {
	m := toyModel(3, 1, 1)
	m.W = mat.NewDense(3, 3, []float64{0, -1, 2, 3, 0, -4, 5, 6, 0})
	m.W0 = mat.NewDense(3, 3, []float64{0, 1, 1, 1, 0, 1, 1, 1, 0})
	net, err := NewNetwork(m, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	// relu, then the sign of the presynaptic unit (unit 2 inhibitory), / λ.
	want := mat.NewDense(3, 3, []float64{0, 0, -1, 1.5, 0, 0, 2.5, 3, 0})
	if !mat.Equal(net.W, want) {
		t.Fatalf("W = %v, want %v", mat.Formatted(net.W), mat.Formatted(want))
	}
	net0, err := NewNetwork(m, 2, &Settings{UseInitialWeights: true})
	if err != nil {
		t.Fatal(err)
	}
	want0 := mat.NewDense(3, 3, []float64{0, 0.5, -0.5, 0.5, 0, -0.5, 0.5, 0.5, 0})
	if !mat.Equal(net0.W, want0) {
		t.Fatalf("W from w0 = %v", mat.Formatted(net0.W))
	}
	// Without inhibitory units there is no relu.
	mE := toyModel(3, 0, 1)
	mE.W = m.W
	netE, _ := NewNetwork(mE, 1, nil)
	if !mat.Equal(netE.W, m.W) {
		t.Fatalf("W without inhibitory units = %v", mat.Formatted(netE.W))
	}
	if m.W.At(0, 1) != -1 {
		t.Fatal("NewNetwork modified the model")
	}
}

// TestStimulation drives units of a silent network (strong negative
// input, noise off) and recovers the kicks from the voltage difference to
// an unstimulated run: each step adds 0 or ±0.5 mV, about half the steps
// do, only the chosen units move, and a unit listed twice moves once.
func TestStimulation(t *testing.T) {
	m := toyModel(6, 2, -50)
	u := constStimulus(21, 1)
	base := &TrialSettings{NoNoise: true, V0Uniform: zeros(6), RecordVoltage: true}
	ref, err := Simulate(m, 1, u, nil, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []StimMode{StimExc, StimInh} {
		ts := *base
		ts.Seed = 5
		ts.Stim = Stimulation{Mode: mode, On: 100, Off: 200, Units: []int{1, 4, 4}}
		res, err := Simulate(m, 1, u, nil, &ts)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Spikes) != 0 || len(ref.Spikes) != 0 {
			t.Fatalf("%v: the test network spiked", mode)
		}
		sign := 1.0
		if mode == StimInh {
			sign = -1
		}
		a := res.Params.DT / TM
		for k := 0; k < 6; k++ {
			kicks := 0
			for i := 1; i < res.Params.NT; i++ {
				d0 := res.V.At(k, i-1) - ref.V.At(k, i-1)
				d1 := res.V.At(k, i) - ref.V.At(k, i)
				kick := d1 - d0*(1-a)
				if i <= 40 { // refractory from the start: no leak yet
					kick = d1 - d0
				}
				switch {
				case math.Abs(kick) < 1e-9:
				case math.Abs(kick-sign*StimKick) < 1e-9 && (k == 1 || k == 4) && i >= 100 && i < 200:
					kicks++
				default:
					t.Fatalf("%v: unit %d step %d moved by %v", mode, k, i, kick)
				}
			}
			if (k == 1 || k == 4) && (kicks < 30 || kicks > 70) {
				t.Errorf("%v: unit %d kicked on %d of 100 steps", mode, k, kicks)
			}
		}
	}
}

// TestObserver checks that the bins a trial hands out cover it exactly:
// contiguous steps, every spike once, the output trace, and rates that are
// spike counts per second.
func TestObserver(t *testing.T) {
	m := loadRefModel(t)
	for _, d := range []int{1, 3} {
		net, err := NewNetwork(m, 40, &Settings{Downsample: d})
		if err != nil {
			t.Fatal(err)
		}
		for _, discard := range []bool{false, true} {
			var bins []int
			var spikes []Spike
			var out []float64
			next := 0
			counts := make([]float64, net.N)
			obs := ObserverFunc(func(b *Bin) error {
				if b.From != next || b.To <= b.From || b.Index != len(bins) {
					t.Fatalf("bin %d covers [%d, %d) after step %d", b.Index, b.From, b.To, next)
				}
				if want := float64(b.From) * net.DT; math.Abs(b.Start-want) > 1e-15 {
					t.Fatalf("bin start %v, want %v", b.Start, want)
				}
				if b.Index != b.From*d/StepsPerColumn || b.Index != (b.To-1)*d/StepsPerColumn {
					t.Fatalf("bin %d holds steps [%d, %d)", b.Index, b.From, b.To)
				}
				next = b.To
				bins = append(bins, b.Index)
				spikes = append(spikes, b.Spikes...)
				out = append(out, b.Out...)
				for k, hz := range b.RateHz {
					counts[k] += hz * b.Duration
				}
				return nil
			})
			res, err := net.Simulate(goStimulus(), &TrialSettings{Seed: 8, Observer: obs, DiscardOutput: discard})
			if err != nil {
				t.Fatal(err)
			}
			full, _ := net.Simulate(goStimulus(), &TrialSettings{Seed: 8})
			if next != res.Params.NT || len(bins) != (res.Params.NT*d+StepsPerColumn-1)/StepsPerColumn {
				t.Fatalf("d = %d: %d bins up to step %d of %d", d, len(bins), next, res.Params.NT)
			}
			if len(spikes) != len(res.Spikes) || len(spikes) != len(full.Spikes) {
				t.Fatalf("observer saw %d spikes, result has %d", len(spikes), len(res.Spikes))
			}
			for k, s := range spikes {
				if s != full.Spikes[k] {
					t.Fatalf("spike %d: %v vs %v", k, s, full.Spikes[k])
				}
			}
			if !equalFloats(out, full.Out) {
				t.Fatal("observed output differs from the result's")
			}
			for k, c := range counts {
				if math.Abs(c-float64(res.Counts[k])) > 1e-9 {
					t.Fatalf("neuron %d: rates give %v spikes, counted %d", k, c, res.Counts[k])
				}
			}
		}
	}
	// An observer error stops the trial.
	stop := errors.New("sink closed")
	net, _ := NewNetwork(m, 40, nil)
	calls := 0
	_, err := net.Simulate(goStimulus(), &TrialSettings{Observer: ObserverFunc(func(*Bin) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})})
	if !errors.Is(err, stop) || calls != 3 {
		t.Fatalf("observer error: %v after %d calls", err, calls)
	}
}

// TestMemoryIndependentOfNT runs a silent trial (no spikes) without
// recordings or output at 2,000 and at 200,000 steps: a fresh Simulator
// and Result allocate the same number of bytes, and a reused pair
// allocates nothing.
func TestMemoryIndependentOfNT(t *testing.T) {
	m := toyModel(50, 10, -50)
	net, err := NewNetwork(m, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := &TrialSettings{NoNoise: true, V0Uniform: zeros(50), DiscardOutput: true}
	alloc := func(cols int) uint64 {
		u := constStimulus(cols, 1)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		sim := NewSimulator(net)
		var res Result
		if err := sim.Run(&res, u, ts); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if len(res.Spikes) != 0 {
			t.Fatalf("the silent network spiked %d times", len(res.Spikes))
		}
		if res.Params.NT != (cols-1)*100 {
			t.Fatalf("nt = %d", res.Params.NT)
		}
		if n := testing.AllocsPerRun(2, func() { sim.Run(&res, u, ts) }); n != 0 {
			t.Fatalf("nt = %d: a reused simulator allocates %v times per trial", res.Params.NT, n)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	// The runtime allocates a few bytes of its own now and then: take the
	// least of a few runs.
	least := func(cols int) uint64 {
		b := alloc(cols)
		for range 4 {
			b = min(b, alloc(cols))
		}
		return b
	}
	short, long := least(21), least(2001)
	if short != long {
		t.Fatalf("a trial of 2,000 steps allocates %d bytes, one of 200,000 steps %d", short, long)
	}
	t.Logf("%d bytes for a trial of 2,000 or 200,000 steps (N = 50)", short)
}

func TestFormatSpikeData(t *testing.T) {
	spikes := []Spike{{Step: 0, Neuron: 2}, {Step: 3, Neuron: 0}, {Step: 3, Neuron: 2}, {Step: 9, Neuron: 0}}
	st := FormatSpikeData(spikes, 3, 10, 0.5)
	wantT := []float64{1.5, 4.5, 0, 1.5}
	wantN := []int{0, 0, 2, 2}
	for k := range wantT {
		if st.Times[k] != wantT[k] || st.Neurons[k] != wantN[k] {
			t.Fatalf("entry %d: (%v, %d), want (%v, %d)", k, st.Times[k], st.Neurons[k], wantT[k], wantN[k])
		}
	}
	if st.Total != 4 || st.RateHz[0] != 0.4 || st.RateHz[1] != 0 || st.RateHz[2] != 0.4 {
		t.Fatalf("total %d rates %v", st.Total, st.RateHz)
	}
}
