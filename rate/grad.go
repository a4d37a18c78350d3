package rate

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Gradients holds the derivatives of a trial's loss with respect to the
// trained parameters (SPEC §1).
type Gradients struct {
	// W is N×N: dL/dw. It is 0 wherever relu blocks the entry (w ≤ 0 under
	// Dale's principle) or som_m masks it.
	W *mat.Dense
	// WOut is dL/dw_out (N values).
	WOut []float64
	// BOut is dL/db_out.
	BOut float64
	// TausGaus is dL/dtaus_gaus (N values); all 0 when taus is fixed.
	TausGaus []float64
}

// errNotDiagonal is returned when M is not diagonal: the gradients assume
// the sign matrix of SPEC §1.
var errNotDiagonal = errors.New("rate: m is not diagonal; gradients need the diagonal sign matrix of SPEC §1")

// wSet lists the entries of w that can change during training, with the
// factor M[j][j]·som_m[i][j] that maps dL/dW_eff[i][j] to dL/dw[i][j].
// Entries outside the set have a zero gradient forever (relu blocks them
// or som_m masks them) and zero Adam moments, so Adam never moves them.
type wSet struct {
	idx      []int32 // flat row-major index i·N + j
	row, col []int32 // i and j
	fac      []float64
}

// add appends entry (i, j) of an N×N matrix with factor f.
func (s *wSet) add(i, j, n int, f float64) {
	s.idx = append(s.idx, int32(i*n+j))
	s.row = append(s.row, int32(i))
	s.col = append(s.col, int32(j))
	s.fac = append(s.fac, f)
}

// allEntries returns the set of every entry with a nonzero factor.
func (net *Net) allEntries() wSet {
	var s wSet
	n := net.n
	som := net.m.SomM.RawMatrix()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			f := net.diagM[j] * som.Data[i*som.Stride+j]
			if f == 0 {
				continue
			}
			s.add(i, j, n, f)
		}
	}
	return s
}

// trainableEntries returns the entries of w that a fresh optimiser can
// move: those with a nonzero factor and, under Dale's principle, w > 0,
// plus those with nonzero moments in keep (may be nil).
func (net *Net) trainableEntries(keep func(k int) bool) wSet {
	var s wSet
	n := net.n
	som := net.m.SomM.RawMatrix()
	w := net.m.W.RawMatrix()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			k := i*n + j
			f := net.diagM[j] * som.Data[i*som.Stride+j]
			if f == 0 {
				continue
			}
			if net.m.ApplyDale && !(w.Data[i*w.Stride+j] > 0) && (keep == nil || !keep(k)) {
				continue
			}
			s.add(i, j, n, f)
		}
	}
	return s
}

// backBuf holds the buffers of the backward pass.
type backBuf struct {
	gout   []float64 // dL/do_t, index t-1
	dx     []float64 // dL/dx_t
	dr     []float64
	carry  []float64 // W_effᵀ δ_{t+1}
	dalpha []float64
	delta  []float64 // δ_t = α ⊙ dL/dx_t
	deltaU []float64 // δ, unit-major: row i holds t = 1 … T-1
	rU     []float64 // r_t, unit-major: row j holds t = 0 … T-2
}

func (b *backBuf) grow(n, steps int) {
	need := n * (steps - 1)
	if cap(b.deltaU) < need {
		b.deltaU = make([]float64, need)
		b.rU = make([]float64, need)
	}
	b.deltaU, b.rU = b.deltaU[:need], b.rU[:need]
	if cap(b.gout) < steps-1 {
		b.gout = make([]float64, steps-1)
	}
	b.gout = b.gout[:steps-1]
	if len(b.dx) != n {
		b.dx = make([]float64, n)
		b.dr = make([]float64, n)
		b.carry = make([]float64, n)
		b.dalpha = make([]float64, n)
		b.delta = make([]float64, n)
	}
}

// flatGrad receives the gradients of the backward pass in the layout of
// the optimiser: w (one value per entry of the set), then w_out, b_out and
// taus_gaus (when trained).
type flatGrad struct {
	w, wout []float64
	bout    *float64
	taus    []float64 // nil when taus is fixed
}

// backward computes the gradients of the last forward run given dL/do in
// b.gout, for the w entries in set.
func (net *Net) backward(b *backBuf, set *wSet, g flatGrad) {
	n, steps := net.n, net.steps
	tm1 := steps - 1
	wout := net.m.WOut

	clear(b.dx)
	clear(b.carry)
	clear(b.dalpha)
	clear(g.wout)
	bout := 0.0
	act := net.m.Activation
	deltaU, rU := b.deltaU[:n*tm1], b.rU[:n*tm1]
	for t := steps - 1; t >= 1; t-- {
		x := net.xs[t*n : (t+1)*n]
		r := net.rs[t*n : (t+1)*n]
		gt := b.gout[t-1]
		bout += gt
		if gt != 0 {
			floats.AddScaled(g.wout, gt, r)
		}
		dm := net.drive[t*n : (t+1)*n] // d_t - x_{t-1}
		dx, carry := b.dx[:n], b.carry[:n]
		keep, alpha, dalpha := net.keep[:n], net.alpha[:n], b.dalpha[:n]
		dm, r, wout := dm[:n], r[:n], wout[:n]
		delta := b.delta[:n]
		if act == ActSigmoid {
			// The loops below in one pass: φ'(x) = r(1-r).
			for i, ri := range r {
				if t < tm1 {
					rU[i*tm1+t] = ri
				}
				v := (gt*wout[i]+carry[i])*(ri*(1-ri)) + keep[i]*dx[i]
				dx[i] = v
				dalpha[i] += v * dm[i]
				dl := alpha[i] * v
				delta[i] = dl
				deltaU[i*tm1+t-1] = dl
			}
		} else {
			dr := b.dr[:n]
			for i, c := range carry {
				dr[i] = gt*wout[i] + c
			}
			act.derivVec(dr, x, r)
			if t < tm1 {
				// r_t, unit-major, while it is in the cache.
				for j, v := range r {
					rU[j*tm1+t] = v
				}
			}
			for i := range dx {
				v := dr[i] + keep[i]*dx[i]
				dx[i] = v
				dalpha[i] += v * dm[i]
				dl := alpha[i] * v
				delta[i] = dl
				deltaU[i*tm1+t-1] = dl
			}
		}
		if t > 1 {
			// carry = W_effᵀ δ_t, the part of dL/dr_{t-1} through x_t.
			net.mulWT(b.carry, delta)
		}
	}
	for j, v := range net.rs[:n] {
		rU[j*tm1] = v
	}
	*g.bout = bout

	if g.taus != nil {
		lo, hi := net.m.Taus[0], net.m.Taus[1]
		for i, da := range b.dalpha {
			s := Sigmoid(net.m.TausGaus[i])
			tau := net.tau[i]
			g.taus[i] = da * (-DeltaT / (tau * tau)) * (hi - lo) * s * (1 - s)
		}
	}

	// δ_t and r_{t-1} for t = 1 … T-1 are unit-major, so that each entry
	// of dL/dW_eff is one contiguous dot product.
	w := net.m.W.RawMatrix()
	dale := net.m.ApplyDale
	rows, cols, fac := set.row[:len(set.idx)], set.col[:len(set.idx)], set.fac[:len(set.idx)]
	gw := g.w[:len(set.idx)]
	for k := range gw {
		i, j := int(rows[k]), int(cols[k])
		if dale && !(w.Data[i*w.Stride+j] > 0) {
			gw[k] = 0
			continue
		}
		gw[k] = fac[k] * floats.Dot(deltaU[i*tm1:(i+1)*tm1], rU[j*tm1:(j+1)*tm1])
	}
}

// checkTarget checks a target against the last stimulus length.
func checkTarget(z []float64, steps int) error {
	if len(z) != steps-1 {
		return fmt.Errorf("rate: target z has %d values, want T-1 = %d for a stimulus of T = %d columns: %w",
			len(z), steps-1, steps, ErrShape)
	}
	return nil
}

// Gradients runs one trial with stimulus u and target z (length T-1) and
// returns its loss; the derivatives of the loss with respect to w, w_out,
// b_out and taus_gaus go into g, whose fields are allocated when they have
// the wrong size. opt is as for Run (nil: no noise, x_0 = 0).
//
// This is the hand-derived backpropagation through time used by training,
// exposed for checking and analysis; it computes all N² entries of dL/dw
// and is slower than a training step.
func (net *Net) Gradients(g *Gradients, u *mat.Dense, z []float64, loss Loss, opt *RunOptions) (float64, error) {
	if net.diagM == nil {
		return 0, errNotDiagonal
	}
	o, err := net.run(u, opt, true)
	if err != nil {
		return 0, err
	}
	if err := checkTarget(z, net.steps); err != nil {
		return 0, err
	}
	val := loss.Value(o, z)
	var b backBuf
	b.grow(net.n, net.steps)
	loss.grad(b.gout, o, z, val)

	set := net.allEntries()
	gw := make([]float64, len(set.idx))
	n := net.n
	g.W = reuseAs(g.W, n, n)
	if len(g.WOut) != n {
		g.WOut = make([]float64, n)
	}
	if len(g.TausGaus) != n {
		g.TausGaus = make([]float64, n)
	}
	fg := flatGrad{w: gw, wout: g.WOut, bout: &g.BOut}
	if len(net.m.Taus) == 2 {
		fg.taus = g.TausGaus
	} else {
		clear(g.TausGaus)
	}
	net.backward(&b, &set, fg)
	g.W.Zero()
	raw := g.W.RawMatrix()
	for k := range set.idx {
		raw.Data[int(set.row[k])*raw.Stride+int(set.col[k])] = gw[k]
	}
	return val, nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
