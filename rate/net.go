package rate

import (
	"errors"
	"fmt"

	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Noise amplitudes of the method (SPEC §1): x_0 = randn(N)·X0Scale and
// randn(N)·NoiseScale is added to x at every step.
const (
	X0Scale    = 0.01
	NoiseScale = 0.1
)

// noiseKey ("noise" in ASCII) keys the noise stream of a run's seed:
// the noise of RunOptions.Seed s is rng.Xoshiro's stream of (s, noiseKey).
const noiseKey = 0x6e6f697365

// Net is a Model prepared for simulation and training: the effective
// weights and decays are precomputed and every buffer is reused, so that
// running a trial allocates nothing once the buffers have grown to the
// trial length.
//
// A Net reads its Model's parameters when it is made and on Refresh; call
// Refresh after changing the Model. A Net is not safe for concurrent use;
// make one per goroutine (they may share a Model that nobody modifies).
type Net struct {
	m   *Model
	n   int
	nIn int

	weff  []float64 // W_eff, N×N row-major
	weffT []float64 // W_effᵀ, for the dense backward product (only kept when sp is off)
	sp    sparseRec // W_eff and W_effᵀ in compressed form, when sparse enough
	diagM []float64 // diagonal of M; nil when M is not diagonal
	alpha []float64 // DeltaT/τ
	keep  []float64 // 1 - DeltaT/τ
	tau   []float64 // τ

	noise rng.Xoshiro

	// Trial state, time-major: row t holds step t (N values).
	steps int       // T of the last run
	xs    []float64 // x_t, t = 0 … T-1
	rs    []float64 // r_t
	// drive holds d_t - x_{t-1}, where d_t = W_eff r_{t-1} + W_in u[:, t-1]
	// drives x_t, for t = 1 … T-1 (row 0 unused): the factor of dL/dα.
	drive []float64
	out   []float64 // o_t, t = 1 … T-1 (index t-1)
	// roll holds x and r of two steps and one drive row for runs that keep
	// no history: a small working set leaves the cache to W_eff.
	roll []float64
}

// NewNet prepares m for simulation. It returns an error if m is not valid
// (see Model.Validate).
func NewNet(m *Model) (*Net, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	n := m.N
	net := &Net{
		m:     m,
		n:     n,
		nIn:   m.NumInputs(),
		weff:  make([]float64, n*n),
		weffT: make([]float64, n*n),
		alpha: make([]float64, n),
		keep:  make([]float64, n),
		tau:   make([]float64, n),
		roll:  make([]float64, 5*n),
	}
	if isDiagonal(m.M) {
		net.diagM = make([]float64, n)
		for i := range net.diagM {
			net.diagM[i] = m.M.At(i, i)
		}
	}
	net.Refresh()
	return net, nil
}

// Model returns the model the net simulates.
func (net *Net) Model() *Model { return net.m }

// Refresh recomputes the effective weights and the decays from the
// model's current parameters.
func (net *Net) Refresh() {
	m := net.m
	dst := mat.NewDense(net.n, net.n, net.weff)
	m.EffectiveWeights(dst, m.W, m.ApplyDale)
	net.sp.setSupportNonzero(net.n, net.weff)
	net.weightsChanged()
	net.refreshDecay()
}

// weightsChanged brings the forms of W_eff that the products use up to
// date with weff: the compressed forms, or, when W_eff is too dense for
// them, the dense transpose.
func (net *Net) weightsChanged() {
	n := net.n
	net.sp.rebuild(n, net.weff)
	if net.sp.on {
		return
	}
	for i := 0; i < n; i++ {
		for j, v := range net.weff[i*n : (i+1)*n] {
			net.weffT[j*n+i] = v
		}
	}
}

// mulW sets y = W_eff x.
func (net *Net) mulW(y, x []float64) {
	if net.sp.on {
		net.sp.fwd.mulVec(y, x)
		return
	}
	net.gemv(y, net.weff, x)
}

// mulWT sets y = W_effᵀ x.
func (net *Net) mulWT(y, x []float64) {
	if net.sp.on {
		net.sp.bwd.mulVec(y, x)
		return
	}
	net.gemv(y, net.weffT, x)
}

// gemv sets y = A x for the dense N×N matrix a, row-major, with BLAS.
func (net *Net) gemv(y, a, x []float64) {
	n := net.n
	w := blas64.General{Rows: n, Cols: n, Stride: n, Data: a}
	blas64.Gemv(blas.NoTrans, 1, w, blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: y})
}

func (net *Net) refreshDecay() {
	net.m.Decay(net.tau)
	for i, t := range net.tau {
		net.alpha[i] = DeltaT / t
		net.keep[i] = 1 - DeltaT/t
	}
}

// RunOptions control a forward run. The zero value runs without noise from
// x_0 = 0 and records nothing.
type RunOptions struct {
	// Noise switches the network's noise on: x_0 = randn(N)/100 and
	// randn(N)/10 added at every step (SPEC §1).
	Noise bool
	// Seed seeds the noise: the same seed gives the same noise, drawn
	// with rng.Xoshiro.Normals (x_0 first, then N values a step). To
	// replay a trial of a tasks.Stream as training saw it, use the
	// trial's Seed.
	Seed uint64
	// X0 is the initial state (length N). When nil, x_0 is drawn with the
	// noise, or is zero without noise.
	X0 []float64
	// Record, when not nil, receives the states and rates of every step.
	Record *Trace
}

// Trace records a trial: column t of X and R holds x_t and r_t
// (t = 0 … T-1), the layout of the reference's recordings.
type Trace struct {
	// X is N×T: the states x_t.
	X *mat.Dense
	// R is N×T: the rates r_t = φ(x_t).
	R *mat.Dense
}

// ErrShape is wrapped by errors about a stimulus, target or initial state
// whose size does not match the network.
var ErrShape = errors.New("shape mismatch")

// checkInput checks a stimulus against the network.
func (net *Net) checkInput(u *mat.Dense) (int, error) {
	if u == nil {
		return 0, fmt.Errorf("rate: stimulus u is nil: %w", ErrShape)
	}
	rows, cols := u.Dims()
	if rows != net.nIn {
		return 0, fmt.Errorf("rate: stimulus u has %d rows, the network has %d inputs (w_in is %d×%d): %w",
			rows, net.nIn, net.n, net.nIn, ErrShape)
	}
	if cols < 2 {
		return 0, fmt.Errorf("rate: stimulus u has %d columns, want T ≥ 2: %w", cols, ErrShape)
	}
	return cols, nil
}

// grow sizes the trial buffers for T steps; with history false only the
// output buffer.
func (net *Net) grow(steps int, history bool) {
	if cap(net.out) < steps-1 {
		net.out = make([]float64, steps-1)
	}
	net.out = net.out[:steps-1]
	net.steps = steps
	if !history {
		return
	}
	need := steps * net.n
	if cap(net.xs) < need {
		net.xs = make([]float64, need)
		net.rs = make([]float64, need)
		net.drive = make([]float64, need)
	}
	net.xs = net.xs[:need]
	net.rs = net.rs[:need]
	net.drive = net.drive[:need]
}

// Run simulates one trial with stimulus u (Inputs × T) and returns the T-1
// outputs o_1 … o_{T-1}. The returned slice belongs to the Net and is
// overwritten by the next run. opt may be nil (no noise, x_0 = 0).
func (net *Net) Run(u *mat.Dense, opt *RunOptions) ([]float64, error) {
	return net.run(u, opt, false)
}

// run is Run, keeping the history of every step when history is set (the
// backward pass needs it) or a recording is asked for.
func (net *Net) run(u *mat.Dense, opt *RunOptions, history bool) ([]float64, error) {
	steps, err := net.checkInput(u)
	if err != nil {
		return nil, err
	}
	var o RunOptions
	if opt != nil {
		o = *opt
	}
	if o.X0 != nil && len(o.X0) != net.n {
		return nil, fmt.Errorf("rate: x0 has %d values, want N = %d: %w", len(o.X0), net.n, ErrShape)
	}
	net.forward(u, steps, o.Noise, o.Seed, o.X0, history || o.Record != nil)
	if o.Record != nil {
		net.record(o.Record)
	}
	return net.out, nil
}

// forward runs the dynamics of SPEC §1 and fills out and, with history,
// xs, rs and drive for every step (as the backward pass and recordings
// need). With noise on, the noise is drawn from the stream of seed: x_0
// first (unless x0 is given), then N values per step.
func (net *Net) forward(u *mat.Dense, steps int, noise bool, seed uint64, x0 []float64, history bool) {
	net.grow(steps, history)
	n := net.n
	m := net.m
	if noise {
		net.noise.Seed(seed, noiseKey)
	}
	xs, rs := net.xs, net.rs
	if !history {
		xs, rs = net.roll[:2*n], net.roll[2*n:4*n]
	}
	// row returns the offset of step t in xs and rs.
	row := func(t int) int {
		if history {
			return t * n
		}
		return (t & 1) * n
	}
	x := xs[:n]
	switch {
	case x0 != nil:
		copy(x, x0)
	case noise:
		net.noise.Normals(x, X0Scale)
	default:
		clear(x)
	}
	act := m.Activation
	act.applyVec(rs[:n], x)

	uraw := u.RawMatrix()
	winRaw := m.WIn.RawMatrix()
	wout := m.WOut
	bout := m.BOut
	for t := 1; t < steps; t++ {
		po, co := row(t-1), row(t)
		prevX := xs[po : po+n]
		prevR := rs[po : po+n]
		var d []float64
		if history {
			d = net.drive[t*n : (t+1)*n]
		} else {
			d = net.roll[4*n : 5*n]
		}
		net.mulW(d, prevR)
		for k := 0; k < net.nIn; k++ {
			uk := uraw.Data[k*uraw.Stride+t-1]
			if uk == 0 {
				continue
			}
			for i := range d {
				d[i] += winRaw.Data[i*winRaw.Stride+k] * uk
			}
		}
		x := xs[co : co+n]
		keep, alpha := net.keep[:n], net.alpha[:n]
		prevX, d = prevX[:n], d[:n]
		if noise {
			net.noise.Normals(x, NoiseScale)
			for i := range x {
				x[i] = keep[i]*prevX[i] + alpha[i]*d[i] + x[i]
			}
		} else {
			for i := range x {
				x[i] = keep[i]*prevX[i] + alpha[i]*d[i]
			}
		}
		if history {
			for i := range d {
				d[i] -= prevX[i]
			}
		}
		r := rs[co : co+n]
		act.applyVec(r, x)
		net.out[t-1] = floats.Dot(wout, r) + bout
	}
}

// record copies the last trial's states into tr, transposing to N×T.
func (net *Net) record(tr *Trace) {
	n, steps := net.n, net.steps
	tr.X = reuseAs(tr.X, n, steps)
	tr.R = reuseAs(tr.R, n, steps)
	xr, rr := tr.X.RawMatrix(), tr.R.RawMatrix()
	for t := 0; t < steps; t++ {
		for i := 0; i < n; i++ {
			xr.Data[i*xr.Stride+t] = net.xs[t*n+i]
			rr.Data[i*rr.Stride+t] = net.rs[t*n+i]
		}
	}
}

// reuseAs returns d if it is r×c, else a new r×c matrix.
func reuseAs(d *mat.Dense, r, c int) *mat.Dense {
	if d != nil {
		if dr, dc := d.Dims(); dr == r && dc == c {
			return d
		}
	}
	return mat.NewDense(r, c, nil)
}
