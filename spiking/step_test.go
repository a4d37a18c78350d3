package spiking

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// stepCase is the input of one call of stepUnits.
type stepCase struct {
	v, tfree, ipsc, ext, z, h, decayD []float64
	t, a, dt, decayR                  float64
}

// stepGuard fills the values beyond the n units of a case's slices, which
// no kernel may touch.
const stepGuard = 3

// randStepCase returns n units of random inputs that straddle the
// threshold and the end of the refractory period: voltages at VPeak and
// its neighbours, and such that v + z lands exactly on VPeak, tfree equal
// to t, one ulp off and farther. Every slice starts at an odd offset (so
// that no load is 32-byte aligned) and has stepGuard guard values after
// the n units.
func randStepCase(rng *rand.Rand, n int) stepCase {
	mk := func() []float64 {
		b := make([]float64, 1+n+stepGuard)
		for i := range b {
			b[i] = math.Float64frombits(0x7ff4dead0000beef) // a signalling NaN
		}
		return b[1 : 1+n : 1+n+stepGuard]
	}
	c := stepCase{v: mk(), tfree: mk(), ipsc: mk(), ext: mk(), z: mk(), h: mk(), decayD: mk()}
	c.dt = 5e-5
	c.t = c.dt * float64(1+rng.IntN(20000))
	if rng.IntN(4) == 0 {
		c.t = rng.Float64()
		c.dt = rng.Float64() * 1e-3
	}
	c.a = c.dt / TM
	if rng.IntN(4) == 0 {
		c.a = rng.Float64()
	}
	c.decayR = math.Exp(-c.dt / TRise)
	if rng.IntN(4) == 0 {
		c.decayR = rng.Float64()
	}
	for k := range n {
		c.ipsc[k] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(5)-1))
		c.ext[k] = Bias + rng.NormFloat64()
		c.h[k] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(7)-2))
		c.decayD[k] = math.Exp(-c.dt / (0.02 + 0.1*rng.Float64()))
		c.z[k] = rng.NormFloat64() / 10
		switch rng.IntN(6) {
		case 0:
			c.v[k] = VPeak
		case 1:
			c.v[k] = math.Nextafter(VPeak, math.Inf(-1+2*rng.IntN(2)))
		case 2:
			c.v[k] = VPeak + rng.NormFloat64()*1e-3
		case 3:
			c.v[k] = VPeak - 0.5
			c.z[k] = 0.5 // v + z = VPeak exactly
		case 4:
			c.v[k] = VPeak + rng.NormFloat64()*0.2
		default:
			c.v[k] = VReset + rng.Float64()*(VSpike-VReset)
		}
		switch rng.IntN(5) {
		case 0:
			c.tfree[k] = c.t
		case 1:
			c.tfree[k] = math.Nextafter(c.t, math.Inf(-1+2*rng.IntN(2)))
		case 2:
			c.tfree[k] = c.t + rng.NormFloat64()*1e-3
		case 3:
			c.tfree[k] = c.t + TRef*rng.Float64()
		default:
			c.tfree[k] = c.t - rng.Float64()
		}
	}
	return c
}

func (c stepCase) clone() stepCase {
	cp := func(x []float64) []float64 {
		y := make([]float64, len(x), cap(x))
		copy(y[:cap(x)], x[:cap(x)])
		return y
	}
	d := c
	d.v, d.tfree, d.ipsc, d.ext = cp(c.v), cp(c.tfree), cp(c.ipsc), cp(c.ext)
	d.z, d.h, d.decayD = cp(c.z), cp(c.h), cp(c.decayD)
	return d
}

func (c stepCase) slices() [][]float64 {
	return [][]float64{c.v, c.tfree, c.ipsc, c.ext, c.z, c.h, c.decayD}
}

// run steps the case with f, spk holding prefix and room for the units.
func (c stepCase) run(f func(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32, prefix []int32, detect bool) []int32 {
	spk := append(make([]int32, 0, len(prefix)+len(c.v)), prefix...)
	return f(spk, c.v, c.tfree, c.ipsc, c.ext, c.z, c.h, c.decayD, c.t, c.a, c.dt, c.decayR, VPeak, detect)
}

// sameBits reports the first value of got and want (guard values
// included) whose bits differ, or -1. With nanAlike, two NaNs are alike
// whatever their bits.
func sameBits(got, want []float64, nanAlike bool) int {
	got, want = got[:cap(got)], want[:cap(want)]
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) && !(nanAlike && math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			return i
		}
	}
	return -1
}

// compareStep steps c with stepUnits and with stepUnitsGo and compares
// every value and the spike lists.
func compareStep(t *testing.T, name string, c stepCase, detect, nanAlike bool) {
	t.Helper()
	prefix := []int32{9, 4}
	got, want := c.clone(), c.clone()
	gs := got.run(stepUnits, prefix, detect)
	ws := want.run(stepUnitsGo, prefix, detect)
	names := []string{"v", "tfree", "ipsc", "ext", "z", "h", "decayD"}
	gv, wv := got.slices(), want.slices()
	for i := range names {
		if k := sameBits(gv[i], wv[i], nanAlike); k >= 0 {
			t.Fatalf("%s detect=%v: %s[%d] = %v (%#x), Go %v (%#x); input %v", name, detect, names[i], k,
				gv[i][:cap(gv[i])][k], math.Float64bits(gv[i][:cap(gv[i])][k]),
				wv[i][:cap(wv[i])][k], math.Float64bits(wv[i][:cap(wv[i])][k]), c.slices()[i][:cap(c.v)][k])
		}
	}
	if !slices.Equal(gs, ws) {
		t.Fatalf("%s detect=%v: spikes %v, Go %v", name, detect, gs, ws)
	}
}

// TestStepKernel checks the AVX2 kernel of stepUnits against stepUnitsGo
// bit for bit: every voltage, current and h, the spike lists, and that
// nothing beyond the n units is written.
func TestStepKernel(t *testing.T) {
	if !stepAVX2 {
		t.Skip("no AVX2 kernel (build tag noasm or purego, another GOARCH, or a CPU without AVX2)")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	spikes := 0
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 199, 200, 203} {
		trials := 2000
		if n >= 100 {
			trials = 200
		}
		for trial := range trials {
			c := randStepCase(rng, n)
			for _, detect := range []bool{true, false} {
				compareStep(t, fmt.Sprintf("n=%d trial %d", n, trial), c, detect, false)
			}
			spikes += len(c.clone().run(stepUnitsGo, nil, true))
		}
	}
	if spikes < 10000 {
		t.Fatalf("only %d spikes in the cases", spikes)
	}
}

// TestStepKernelSpecial gives the kernel infinities, NaNs, zeros of both
// signs and subnormals: the same bits as stepUnitsGo, except that the
// payload of a NaN may come from another operand.
func TestStepKernelSpecial(t *testing.T) {
	if !stepAVX2 {
		t.Skip("no AVX2 kernel")
	}
	special := []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1),
		5e-324, -5e-324, math.MaxFloat64, VPeak, 1}
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 3000 {
		n := 1 + rng.IntN(11)
		c := randStepCase(rng, n)
		for _, s := range c.slices() {
			for k := range s {
				if rng.IntN(4) == 0 {
					s[k] = special[rng.IntN(len(special))]
				}
			}
		}
		switch rng.IntN(4) {
		case 0:
			c.t = special[rng.IntN(len(special))]
		case 1:
			c.a = special[rng.IntN(len(special))]
		case 2:
			c.dt = special[rng.IntN(len(special))]
		case 3:
			c.decayR = special[rng.IntN(len(special))]
		}
		for _, detect := range []bool{true, false} {
			compareStep(t, fmt.Sprintf("trial %d", trial), c, detect, true)
		}
	}
}

// TestStepFallback checks the Go fallback of stepUnits: without room in
// spk for every unit, or with the kernel off, it is stepUnitsGo; and whole
// trials (noise on, stimulation on and off, every recording) give the
// same bits with the kernel and without.
func TestStepFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := randStepCase(rng, 203)
	got, want := c.clone(), c.clone()
	gs := stepUnits(make([]int32, 0, 202), got.v, got.tfree, got.ipsc, got.ext, got.z, got.h, got.decayD, c.t, c.a, c.dt, c.decayR, VPeak, true)
	ws := want.run(stepUnitsGo, nil, true)
	if !slices.Equal(gs, ws) || sameBits(got.v, want.v, false) >= 0 || sameBits(got.ipsc, want.ipsc, false) >= 0 || sameBits(got.h, want.h, false) >= 0 {
		t.Fatal("stepUnits with a short spike buffer is not stepUnitsGo")
	}

	m := loadRefModel(t)
	net, err := NewNetwork(m, 50, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := goStimulus()
	trial := func(ts TrialSettings) *Result {
		t.Helper()
		ts.RecordVoltage, ts.RecordRates, ts.RecordIPSC = true, true, true
		res, err := net.Simulate(u, &ts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	stim := Stimulation{Mode: StimExc, On: 4000, Off: 9000, Units: []int{3, 50, 51, 199}}
	settings := []TrialSettings{{Seed: 1}, {Seed: 2, Stim: stim}}
	var kernel []*Result
	for _, ts := range settings {
		kernel = append(kernel, trial(ts))
	}
	saved := stepAVX2
	stepAVX2 = false
	t.Cleanup(func() { stepAVX2 = saved })
	for i, ts := range settings {
		a, b := kernel[i], trial(ts)
		if len(a.Spikes) == 0 || !slices.Equal(a.Spikes, b.Spikes) {
			t.Fatalf("trial %d: %d spikes with the kernel, %d without, or they differ", i, len(a.Spikes), len(b.Spikes))
		}
		for name, ms := range map[string][2]*mat.Dense{"V": {a.V, b.V}, "Rates": {a.Rates, b.Rates}, "IPSC": {a.IPSC, b.IPSC}} {
			if k := sameBits(ms[0].RawMatrix().Data, ms[1].RawMatrix().Data, false); k >= 0 {
				t.Fatalf("trial %d: %s differs at %d", i, name, k)
			}
		}
		if k := sameBits(a.Out, b.Out, false); k >= 0 {
			t.Fatalf("trial %d: output differs at step %d", i, k)
		}
	}
}

// BenchmarkStepUnits times one step of 200 units (gonogo_ref1's size)
// with the kernel that stepUnits selects and with stepUnitsGo.
func BenchmarkStepUnits(b *testing.B) {
	c := randStepCase(rand.New(rand.NewPCG(7, 8)), 200)
	for k := range c.v {
		c.v[k] = VReset + 20*float64(k%5)/4 // spikes are rare, as in a trial
		c.tfree[k] = c.t - 1
		c.h[k], c.decayD[k] = 0, 1 // ipsc and h stay put
	}
	spk := make([]int32, 0, len(c.v))
	for _, f := range []struct {
		name string
		step func(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32
	}{{"stepUnits", stepUnits}, {"Go", stepUnitsGo}} {
		b.Run(f.name, func(b *testing.B) {
			d := c.clone()
			for b.Loop() {
				copy(d.v, c.v)
				f.step(spk[:0], d.v, d.tfree, d.ipsc, d.ext, d.z, d.h, d.decayD, d.t, d.a, d.dt, d.decayR, VPeak, true)
			}
		})
	}
}
