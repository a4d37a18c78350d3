package spiking

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/mat"
)

// StimMode is the kind of artificial (optogenetic) stimulation of a trial.
type StimMode int

const (
	// StimNone applies no stimulation.
	StimNone StimMode = iota
	// StimExc depolarises the stimulated units: +0.5 mV.
	StimExc
	// StimInh hyperpolarises the stimulated units: -0.5 mV.
	StimInh
)

// String returns "none", "exc" or "inh", the reference's mode names.
func (m StimMode) String() string {
	switch m {
	case StimNone:
		return "none"
	case StimExc:
		return "exc"
	case StimInh:
		return "inh"
	}
	return fmt.Sprintf("StimMode(%d)", int(m))
}

// StimKick is the voltage step of a stimulation in mV.
const StimKick = 0.5

// Stimulation is the reference's stims argument: during steps [On, Off),
// at each step with probability 0.5 (one draw per step, shared by all
// units), the voltage of every unit in Units moves by +StimKick (StimExc)
// or -StimKick (StimInh), after the noise and before the threshold test.
type Stimulation struct {
	// Mode selects none, exc or inh. Default StimNone.
	Mode StimMode
	// On and Off bound the stimulated LIF steps [On, Off) (steps of DT
	// seconds, counted from 0 as the reference's loop index).
	On, Off int
	// Units are the 0-based indices of the stimulated units; a unit listed
	// twice is stimulated once, as in the reference's v[units] += 0.5.
	Units []int
}

// TrialSettings are the settings of one simulated trial. A nil
// *TrialSettings means the defaults: seed 0, noise on, output kept, no
// recordings, no stimulation, no observer.
type TrialSettings struct {
	// Seed selects the trial's random stream: the initial voltages, the
	// voltage noise and the stimulation coin flips. The same seed gives
	// the same trial bit for bit.
	Seed uint64
	// NoNoise switches off the per-step voltage noise randn(N)/10 (for
	// tests against the reference with its noise set to zero).
	NoNoise bool
	// V0Uniform, when it has N values, replaces the initial uniform draw:
	// v0[i] = VReset + V0Uniform[i]·(VSpike - VReset) mV.
	V0Uniform []float64
	// Stim is the artificial stimulation. Default none.
	Stim Stimulation

	// DiscardOutput drops the output trace from the Result (an Observer
	// still receives it bin by bin), so that a trial costs O(N) memory
	// beyond its spike events whatever its length. Default false.
	DiscardOutput bool
	// RecordVoltage keeps the membrane voltage of every unit at every
	// step (the reference's REC, N×nt, mV; VSpike at a spike). Default
	// false.
	RecordVoltage bool
	// RecordRates keeps the filtered rate r of every unit at every step
	// (the reference's rs, N×nt, Hz). Default false.
	RecordRates bool
	// RecordIPSC keeps the synaptic current of every unit at the start of
	// every step (the reference's params['IPSCs'], N×nt, mV). Default
	// false.
	RecordIPSC bool

	// Observer, when set, receives the trial bin by bin as it runs.
	Observer Observer
}

// Spike is one spike event: unit Neuron crossed the threshold at step
// Step (time Step·DT seconds from the trial start).
type Spike struct {
	Step   int32
	Neuron int32
}

// Params are the timing parameters of a trial as the reference returns
// them.
type Params struct {
	// DT is the integration step in seconds.
	DT float64
	// T is the trial duration in seconds: (S_d - 1)·DT·100, with S_d the
	// number of stimulus columns after downsampling.
	T float64
	// NT is the number of steps, round(T/DT) = (S_d - 1)·100.
	NT int
	// Columns is S_d, the number of stimulus columns after downsampling.
	Columns int
	// TD holds the synaptic decay of every unit in seconds (shared with
	// the Network; read only).
	TD []float64
}

// Result is what a trial produced.
type Result struct {
	// Spikes lists every spike in step order, then neuron order.
	Spikes []Spike
	// Counts holds the number of spikes of every unit over the trial.
	Counts []int
	// AllFR holds the firing rate of every unit in Hz as the reference
	// computes all_fr: spikes from step FRFromStep on, divided by T.
	AllFR []float64
	// Out is the network output (w_out/λ)·r at every step (NT values);
	// nil with DiscardOutput.
	Out []float64
	// V, Rates and IPSC are the optional N×NT recordings (nil unless
	// requested): membrane voltage in mV, filtered rates r, synaptic
	// currents.
	V, Rates, IPSC *mat.Dense
	// W is the network's scaled weight matrix W_eff/λ (shared; read only).
	W *mat.Dense
	// Params are the trial's timing parameters.
	Params Params
}

// Simulate runs one trial of model m converted at scaling factor lambda on
// stimulus u (n_in × S, columns of 5 ms) — the reference's
// LIF_network_fnc. To run many trials of one network, build it once with
// NewNetwork and reuse a Simulator.
func Simulate(m *rate.Model, lambda float64, u mat.Matrix, s *Settings, ts *TrialSettings) (*Result, error) {
	net, err := NewNetwork(m, lambda, s)
	if err != nil {
		return nil, err
	}
	return net.Simulate(u, ts)
}

// Simulate runs one trial of the network on stimulus u with a fresh
// Simulator.
func (n *Network) Simulate(u mat.Matrix, ts *TrialSettings) (*Result, error) {
	res := new(Result)
	if err := NewSimulator(n).Run(res, u, ts); err != nil {
		return nil, err
	}
	return res, nil
}

// Simulator runs trials of one Network, reusing its O(N) state between
// trials: after the first trial a Run allocates nothing unless a Result
// slice has to grow. A Simulator is not safe for concurrent use; give each
// goroutine its own.
type Simulator struct {
	net *Network

	v, tlast, tfree    []float64
	ipsc, h, r, hr, jd []float64
	z, ext             []float64
	spk                []int32
	stimUnits          []int
	binCount           []int
	binRate            []float64
	binOut             []float64
	rec                recorder
	noise              rng.Xoshiro4
	bin                Bin
}

// NewSimulator returns a Simulator for n.
func NewSimulator(n *Network) *Simulator {
	s := &Simulator{}
	s.Reset(n)
	return s
}

// Network returns the simulator's network.
func (s *Simulator) Network() *Network { return s.net }

// Reset makes s simulate n, keeping its buffers when the size allows.
func (s *Simulator) Reset(n *Network) {
	s.net = n
	grow := func(b []float64) []float64 {
		if cap(b) < n.N {
			return make([]float64, n.N)
		}
		return b[:n.N]
	}
	s.v, s.tlast, s.tfree = grow(s.v), grow(s.tlast), grow(s.tfree)
	s.ipsc, s.h, s.r, s.hr, s.jd = grow(s.ipsc), grow(s.h), grow(s.r), grow(s.hr), grow(s.jd)
	s.z, s.ext, s.binRate = grow(s.z), grow(s.ext), grow(s.binRate)
	if cap(s.spk) < n.N {
		s.spk = make([]int32, 0, n.N)
	}
	if cap(s.binCount) < n.N {
		s.binCount = make([]int, n.N)
	}
	s.binCount = s.binCount[:n.N]
}

// geometry returns the number of stimulus columns after downsampling,
// the trial duration T in seconds and the number of steps nt, computed as
// the reference does.
func geometry(cols, d int, dt float64) (sd int, T float64, nt int) {
	sd = (cols + d - 1) / d
	T = float64(sd-1) * dt * 100
	nt = int(math.Round(T / dt))
	return sd, T, nt
}

// check validates a trial's stimulus and settings against the network.
func (s *Simulator) check(u mat.Matrix, ts *TrialSettings) error {
	n := s.net
	if u == nil {
		return fmt.Errorf("spiking: stimulus is nil")
	}
	if v := reflect.ValueOf(u); v.Kind() == reflect.Pointer && v.IsNil() {
		return fmt.Errorf("spiking: stimulus is nil")
	}
	rows, cols := u.Dims()
	if rows != n.nIn {
		return fmt.Errorf("spiking: stimulus has %d rows, want %d (the columns of w_in)", rows, n.nIn)
	}
	if sd, _, _ := geometry(cols, n.Downsample, n.DT); sd < 2 {
		return fmt.Errorf("spiking: stimulus has %d columns, %d after downsampling by %d; want at least 2", cols, sd, n.Downsample)
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if x := u.At(i, j); math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("spiking: stimulus[%d][%d] = %v, want finite", i, j, x)
			}
		}
	}
	if len(ts.V0Uniform) != 0 && len(ts.V0Uniform) != n.N {
		return fmt.Errorf("spiking: V0Uniform has %d values, want N = %d", len(ts.V0Uniform), n.N)
	}
	for k, x := range ts.V0Uniform {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("spiking: V0Uniform[%d] = %v, want finite", k, x)
		}
	}
	st := ts.Stim
	switch st.Mode {
	case StimNone:
	case StimExc, StimInh:
		if st.On < 0 || st.Off < st.On {
			return fmt.Errorf("spiking: stimulation steps [%d, %d) are not a range of steps", st.On, st.Off)
		}
		for k, u := range st.Units {
			if u < 0 || u >= n.N {
				return fmt.Errorf("spiking: stimulation unit %d (Units[%d]) out of range [0, %d)", u, k, n.N)
			}
		}
	default:
		return fmt.Errorf("spiking: unknown stimulation mode %d", int(st.Mode))
	}
	return nil
}

// setExt sets s.ext to BIAS + w_in @ u[:, col·d], the bias plus the
// external input of stimulus column col after downsampling.
func (s *Simulator) setExt(u mat.Matrix, col int) {
	n := s.net
	c := col * n.Downsample
	for i := range s.ext {
		w := n.win[i*n.nIn : (i+1)*n.nIn]
		var x float64
		for j, wj := range w {
			x += wj * u.At(j, c)
		}
		s.ext[i] = n.Neuron.Bias + x
	}
}

// Run simulates one trial of the network on stimulus u (n_in × S, S
// columns of 5 ms; S_d = ⌈S/d⌉ columns are kept with downsample d) and
// stores it in dst, reusing dst's slices. It follows SPEC §4 step by step.
//
// With downsample d the reference keeps u[:, ::d] and leaves the rest of
// the formulas unchanged: step i (time i·d·0.05 ms) reads kept column
// min(round(i/100), S_d-1) (rounding halves up: int(i/100 + 0.5)), that is
// the original column d·round(i/100), the kept column nearest in time;
// the trial lasts (S_d-1)·d·5 ms in NT = (S_d-1)·100 steps.
func (s *Simulator) Run(dst *Result, u mat.Matrix, ts *TrialSettings) error {
	if ts == nil {
		ts = &TrialSettings{}
	}
	if err := s.check(u, ts); err != nil {
		return err
	}
	net := s.net
	N := net.N
	_, cols := u.Dims()
	sd, T, nt := geometry(cols, net.Downsample, net.DT)
	dt := net.DT

	// Result buffers.
	dst.Spikes = dst.Spikes[:0]
	dst.Counts = resizeInts(dst.Counts, N)
	dst.AllFR = resizeFloats(dst.AllFR, N)
	if ts.DiscardOutput {
		dst.Out = nil
	} else {
		dst.Out = resizeFloats(dst.Out, nt)
	}
	dst.V = recording(dst.V, ts.RecordVoltage, N, nt)
	dst.Rates = recording(dst.Rates, ts.RecordRates, N, nt)
	dst.IPSC = recording(dst.IPSC, ts.RecordIPSC, N, nt)
	dst.W = net.W
	dst.Params = Params{DT: dt, T: T, NT: nt, Columns: sd, TD: net.TD}
	s.rec.reset(N, dst.V, dst.Rates, dst.IPSC)

	// State: IPSC, h, r, hr = 0; v uniform in [VReset, VSpike); tlast = 0.
	s.noise.Seed(ts.Seed)
	v, tlast, tfree := s.v[:N], s.tlast[:N], s.tfree[:N]
	ipsc, h, r, hr, jd := s.ipsc[:N], s.h[:N], s.r[:N], s.hr[:N], s.jd[:N]
	z, ext := s.z[:N], s.ext[:N]
	decayD, gainH, wout := net.decayD[:N], net.gainH[:N], net.wout[:N]
	decayR := net.decayR
	nr := &net.Neuron
	qif := nr.Model == ModelQIF
	clear(ipsc)
	clear(h)
	clear(r)
	clear(hr)
	clear(tlast)
	clear(z)
	for k := range v {
		x := 0.0
		if len(ts.V0Uniform) == N {
			x = ts.V0Uniform[k]
		} else {
			x = s.noise.Float64()
		}
		v[k] = nr.VReset + x*(VSpike-nr.VReset)
		tfree[k] = tlast[k] + nr.TRef
	}

	// Stimulation units, deduplicated.
	stimOn, stimOff := 0, 0
	kick := 0.0
	if ts.Stim.Mode != StimNone && len(ts.Stim.Units) > 0 {
		s.stimUnits = append(s.stimUnits[:0], ts.Stim.Units...)
		slices.Sort(s.stimUnits)
		s.stimUnits = slices.Compact(s.stimUnits)
		stimOn, stimOff = ts.Stim.On, ts.Stim.Off
		kick = StimKick
		if ts.Stim.Mode == StimInh {
			kick = -StimKick
		}
	}

	// Observer bins: step i belongs to bin ⌊i·d/100⌋ (5 ms each).
	obs := ts.Observer
	d := net.Downsample
	if obs != nil {
		clear(s.binCount)
		if ts.DiscardOutput {
			s.binOut = resizeFloats(s.binOut, StepsPerColumn)
		}
	}
	binStart, binSpikes := 0, 0

	a := dt / nr.TM // dt·dv = dt·(I - v)/tm
	// The filtered rates r (and hr) only feed the output and the rate
	// recording: a trial that wants neither skips them.
	rates := !ts.DiscardOutput || obs != nil || ts.RecordRates
	col := -1
	for i := 0; i < nt; i++ {
		if c := stimColumn(i, sd); c != col {
			col = c
			s.setExt(u, col)
		}
		if s.rec.ipsc != nil {
			s.rec.put(s.rec.ipsc, i, ipsc)
		}
		t := dt * float64(i+1)
		if !ts.NoNoise {
			s.noise.Normals(z, NoiseSD)
		}
		stim := kick != 0 && i >= stimOn && i < stimOff
		spk := s.spk[:0]
		// In the reference's order: I = IPSC + (BIAS + ext);
		// dv = (t > tlast + tref)·(I - v)/tm; v = v + dt·dv + randn/10
		// (z holds randn/10); the threshold test, unless a stimulation
		// comes first. Then the parts of the synaptic and rate updates
		// that do not depend on this step's spikes:
		//   IPSC = IPSC·e^(-dt/td) + h·dt;  h  = h·e^(-dt/tr)  (+ JD/(tr·td) below)
		//   r    = r·e^(-dt/td) + hr·dt;    hr = hr·e^(-dt/tr) (+ 1/(tr·td) below)
		// IPSC and r read h and hr from before this step's update, as in
		// the reference, and adding a spike term afterwards rounds
		// exactly like h·e^(-dt/tr) + JD/(tr·td) in one expression.
		if qif {
			spk = stepUnitsQIF(spk, v, tfree, ipsc, ext, z, h, decayD, t, a, dt, decayR, nr.VPeak, !stim)
		} else {
			spk = stepUnits(spk, v, tfree, ipsc, ext, z, h, decayD, t, a, dt, decayR, nr.VPeak, !stim)
		}
		var out float64
		if rates {
			// The output is (w_out/λ)·r once the spike terms are in, but
			// they only touch hr: r is final here.
			out = stepRates(r, hr, decayD, wout, dt, decayR)
		}
		if stim {
			if s.noise.Float64() < 0.5 {
				for _, k := range s.stimUnits {
					v[k] += kick
				}
			}
			for k, vk := range v {
				if vk >= nr.VPeak {
					spk = append(spk, int32(k))
				}
			}
		}
		s.spk = spk

		if len(spk) > 0 {
			// JD = Σ_{j spiked} W[:, j]; h += JD/(tr·td); hr += 1/(tr·td)
			// for the spiking units; tlast = t for them.
			first := net.wt[int(spk[0])*N : int(spk[0])*N+N]
			copy(jd, first)
			for _, j := range spk[1:] {
				col := net.wt[int(j)*N : int(j)*N+N]
				for k := range jd {
					jd[k] += col[k]
				}
			}
			// With the single-exponential filter (tr = 0) the spike
			// terms go to IPSC and r directly: IPSC += JD/td, r += 1/td
			// (h and hr stay 0).
			syn, fr := h, hr
			if net.single {
				syn, fr = ipsc, r
			}
			for k := range syn {
				syn[k] += float64(jd[k] * gainH[k])
			}
			for _, j := range spk {
				if rates {
					fr[j] += gainH[j]
				}
				tl := tlast[j]
				tl += t - tl
				tlast[j] = tl
				tfree[j] = tl + nr.TRef
				dst.Spikes = append(dst.Spikes, Spike{Step: int32(i), Neuron: j})
				dst.Counts[j]++
				if i >= FRFromStep {
					dst.AllFR[j]++
				}
			}
		}

		if net.single && rates && len(spk) > 0 {
			// r took this step's spikes: the output reads them.
			out = dot4(wout, r)
		}
		if dst.Out != nil {
			dst.Out[i] = out
		}
		if s.rec.rates != nil {
			s.rec.put(s.rec.rates, i, r)
		}

		// v = 30 at a spike (recorded), then the reset.
		moveTo(v, spk, VSpike)
		if s.rec.v != nil {
			s.rec.put(s.rec.v, i, v)
		}
		moveTo(v, spk, nr.VReset)

		if obs != nil {
			for _, j := range spk {
				s.binCount[j]++
			}
			if ts.DiscardOutput {
				s.binOut[i-binStart] = out
			}
			if i == nt-1 || (i+1)*d/StepsPerColumn != i*d/StepsPerColumn {
				if err := s.emit(obs, dst, i*d/StepsPerColumn, binStart, i+1, binSpikes, ts.DiscardOutput); err != nil {
					s.rec.flush()
					return err
				}
				binStart, binSpikes = i+1, len(dst.Spikes)
			}
		}
		if s.rec.active() {
			s.rec.step(i)
		}
	}
	s.rec.flush()
	for k := range dst.AllFR {
		dst.AllFR[k] /= T
	}
	return nil
}

// stimColumn returns the stimulus column read at step i of a trial with
// sd columns: the reference's min(int(i/100 + 0.5), sd-1). The float
// expression is exact here: (i+50)/100 is never within rounding of an
// integer it does not equal.
func stimColumn(i, sd int) int {
	return min((i+StepsPerColumn/2)/StepsPerColumn, sd-1)
}

// emit hands the bin [from, to) to the observer.
func (s *Simulator) emit(obs Observer, dst *Result, bin, from, to, firstSpike int, discard bool) error {
	b := &s.bin
	b.Index = bin
	b.From, b.To = from, to
	b.Start = float64(from) * s.net.DT
	b.Duration = float64(to-from) * s.net.DT
	b.Spikes = dst.Spikes[firstSpike:]
	for k, c := range s.binCount {
		s.binRate[k] = float64(c) / b.Duration
	}
	clear(s.binCount)
	b.RateHz = s.binRate
	if discard {
		b.Out = s.binOut[:to-from]
	} else {
		b.Out = dst.Out[from:to]
	}
	return obs.ObserveBin(b)
}

// stepUnitsGo advances the voltages and synaptic currents of all units
// by one step (see Run) and appends to spk the units at or above
// threshold when detect is set, in increasing order. It is stepUnits in
// Go: the reference for the AVX2 kernel (step_amd64.s), and the fallback
// without it. The conversions float64(x*y) round every product, as the
// kernel does: without them Go may fuse a multiply and an add (on arm64,
// or on amd64 with GOAMD64=v3).
func stepUnitsGo(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32 {
	tfree, ipsc, ext = tfree[:len(v)], ipsc[:len(v)], ext[:len(v)]
	z, h, decayD = z[:len(v)], h[:len(v)], decayD[:len(v)]
	for k, vk := range v {
		ik := ipsc[k]
		if t > tfree[k] {
			vk += float64((ik + ext[k] - vk) * a)
		}
		vk += z[k]
		v[k] = vk
		if vk >= peak && detect {
			spk = append(spk, int32(k))
		}
		hk := h[k]
		ipsc[k] = float64(ik*decayD[k]) + float64(hk*dt)
		h[k] = hk * decayR
	}
	return spk
}

// stepUnitsQIF is stepUnitsGo for the quadratic integrate-and-fire unit:
// dv = (t > tlast + tref)·(v² + I)/tm, so v' = v + (v·v + I)·a with
// a = dt/tm, in Go for every CPU (the AVX2 kernel is linear).
func stepUnitsQIF(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32 {
	tfree, ipsc, ext = tfree[:len(v)], ipsc[:len(v)], ext[:len(v)]
	z, h, decayD = z[:len(v)], h[:len(v)], decayD[:len(v)]
	for k, vk := range v {
		ik := ipsc[k]
		if t > tfree[k] {
			vk += float64((float64(vk*vk) + (ik + ext[k])) * a)
		}
		vk += z[k]
		v[k] = vk
		if vk >= peak && detect {
			spk = append(spk, int32(k))
		}
		hk := h[k]
		ipsc[k] = float64(ik*decayD[k]) + float64(hk*dt)
		h[k] = hk * decayR
	}
	return spk
}

// dot4 is Σ w[k]·r[k] summed as stepRates sums its output.
func dot4(w, r []float64) float64 {
	n := len(r)
	w = w[:n]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= n; k += 4 {
		s0 += float64(w[k] * r[k])
		s1 += float64(w[k+1] * r[k+1])
		s2 += float64(w[k+2] * r[k+2])
		s3 += float64(w[k+3] * r[k+3])
	}
	for ; k < n; k++ {
		s0 += float64(w[k] * r[k])
	}
	return (s0 + s1) + (s2 + s3)
}

// stepRates advances the filtered rates by one step, before the spike
// terms — r = r·e^(-dt/td) + hr·dt, hr = hr·e^(-dt/tr) — and returns the
// output Σ w[k]·r[k], summed in four interleaved partial sums so that the
// additions do not wait on each other. The conversions float64(x*y) keep
// every product rounded (no fused multiply-add, on any GOAMD64 level or
// architecture), as in the reference.
func stepRates(r, hr, decayD, w []float64, dt, decayR float64) float64 {
	n := len(r)
	hr, decayD, w = hr[:n], decayD[:n], w[:n]
	var s0, s1, s2, s3 float64
	k := 0
	for ; k+4 <= n; k += 4 {
		h0, h1, h2, h3 := hr[k], hr[k+1], hr[k+2], hr[k+3]
		r0 := float64(r[k]*decayD[k]) + float64(h0*dt)
		r1 := float64(r[k+1]*decayD[k+1]) + float64(h1*dt)
		r2 := float64(r[k+2]*decayD[k+2]) + float64(h2*dt)
		r3 := float64(r[k+3]*decayD[k+3]) + float64(h3*dt)
		r[k], r[k+1], r[k+2], r[k+3] = r0, r1, r2, r3
		hr[k], hr[k+1], hr[k+2], hr[k+3] = h0*decayR, h1*decayR, h2*decayR, h3*decayR
		s0 += float64(w[k] * r0)
		s1 += float64(w[k+1] * r1)
		s2 += float64(w[k+2] * r2)
		s3 += float64(w[k+3] * r3)
	}
	for ; k < n; k++ {
		hk := hr[k]
		rk := float64(r[k]*decayD[k]) + float64(hk*dt)
		r[k] = rk
		hr[k] = hk * decayR
		s0 += float64(w[k] * rk)
	}
	return (s0 + s1) + (s2 + s3)
}

// moveTo sets v[j] to the value to for the units j in spk, as the
// reference does with v + (to - v)·spiked: with its rounding.
func moveTo(v []float64, spk []int32, to float64) {
	for _, j := range spk {
		vj := v[j]
		vj += to - vj
		v[j] = vj
	}
}

func resizeFloats(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	b = b[:n]
	clear(b)
	return b
}

func resizeInts(b []int, n int) []int {
	if cap(b) < n {
		return make([]int, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// recording returns an r×c matrix for a requested recording, reusing m
// when it has that shape, or nil when the recording is off.
func recording(m *mat.Dense, on bool, r, c int) *mat.Dense {
	if !on {
		return nil
	}
	if m != nil {
		if mr, mc := m.Dims(); mr == r && mc == c {
			return m
		}
	}
	return mat.NewDense(r, c, nil)
}
