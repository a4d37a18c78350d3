package rate_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/spikernn/spikernn/rate"
	"github.com/spikernn/spikernn/rng"
	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// oracleCase is one randomised small network for the gorgonia oracle.
type oracleCase struct {
	act   rate.Activation
	loss  rate.Loss
	dale  bool
	taus  []float64
	somN  int
	steps int
	seed  uint64
}

func (c oracleCase) String() string {
	return fmt.Sprintf("%s/%s/dale=%v/taus=%v/som_N=%d", c.act, c.loss, c.dale, c.taus, c.somN)
}

// oracleNet builds a random network and trial for c.
func oracleNet(t *testing.T, c oracleCase) (*rate.Model, *mat.Dense, []float64, []float64) {
	t.Helper()
	r := rng.New(c.seed)
	cfg := rate.DefaultConfig()
	cfg.N = 9
	cfg.Inputs = 2
	cfg.PRec = 0.5
	cfg.PInh = 0.4
	cfg.ApplyDale = c.dale
	cfg.SomN = c.somN
	cfg.Activation = c.act
	cfg.Taus = c.taus
	m, err := rate.New(cfg, r)
	if err != nil {
		t.Fatal(err)
	}
	// Make some existing weights negative, as in files written by the
	// PyTorch port: relu must block them under Dale's principle.
	raw := m.W.RawMatrix().Data
	for k, v := range raw {
		if v != 0 && r.Float64() < 0.25 {
			raw[k] = -v
		}
	}
	m.BOut = 0.1
	for i := range m.WOut {
		m.WOut[i] = r.NormFloat64() / 3
	}
	u := mat.NewDense(2, c.steps, nil)
	for i := 0; i < 2; i++ {
		for j := 0; j < c.steps; j++ {
			u.Set(i, j, r.NormFloat64())
		}
	}
	if c.act == rate.ActClippedReLU {
		// Push some units above the clip at 20.
		for j := 0; j < c.steps; j++ {
			u.Set(0, j, 30*math.Abs(u.At(0, j)))
		}
	}
	z := make([]float64, c.steps-1)
	for i := range z {
		z[i] = r.NormFloat64()
	}
	x0 := make([]float64, cfg.N)
	for i := range x0 {
		x0[i] = r.NormFloat64()
	}
	return m, u, z, x0
}

func denseT(d *mat.Dense) tensor.Tensor {
	r, c := d.Dims()
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(mat.DenseCopyOf(d).RawMatrix().Data))
}

func vecT(v []float64) tensor.Tensor {
	return tensor.New(tensor.WithShape(len(v)), tensor.WithBacking(append([]float64(nil), v...)))
}

// oracleGrads computes the loss and its gradients with gorgonia's tape
// autodiff, independently of the hand-derived backward pass. Piecewise
// functions are written with constant masks taken from the trace tr, so
// both sides differentiate the same function (DESIGN.md, Numerics): relu(w)
// as w ⊙ 1[w>0], clipped_relu(x) as x ⊙ 1[0<x<20] + 20·1[x≥20] and the
// clip of softplus as softplus(x) ⊙ 1[softplus(x)<20] + 20·1[softplus(x)≥20].
func oracleGrads(t *testing.T, m *rate.Model, u *mat.Dense, z, x0 []float64, loss rate.Loss, tr *rate.Trace) (float64, rate.Gradients) {
	t.Helper()
	must := func(nd *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return nd
	}
	n := m.N
	_, steps := u.Dims()
	g := G.NewGraph()
	// Constants are graph nodes that are not differentiated. Each gets a
	// unique name: gorgonia merges unnamed nodes of the same shape.
	nc := 0
	name := func() G.NodeConsOpt { nc++; return G.WithName(fmt.Sprintf("c%d", nc)) }
	cm := func(d *mat.Dense) *G.Node {
		r, c := d.Dims()
		return G.NewMatrix(g, tensor.Float64, G.WithShape(r, c), G.WithValue(denseT(d)), name())
	}
	cv := func(v []float64) *G.Node {
		return G.NewVector(g, tensor.Float64, G.WithShape(len(v)), G.WithValue(vecT(v)), name())
	}
	cs := func(x float64) *G.Node { return G.NewScalar(g, tensor.Float64, G.WithValue(x), name()) }
	w := G.NewMatrix(g, tensor.Float64, G.WithShape(n, n), G.WithName("w"), G.WithValue(denseT(m.W)))
	wout := G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName("w_out"), G.WithValue(vecT(m.WOut)))
	bout := G.NewScalar(g, tensor.Float64, G.WithName("b_out"), G.WithValue(m.BOut))
	tg := G.NewVector(g, tensor.Float64, G.WithShape(n), G.WithName("taus_gaus"), G.WithValue(vecT(m.TausGaus)))

	weffIn := w
	if m.ApplyDale {
		mask := mat.NewDense(n, n, nil)
		mask.Apply(func(i, j int, v float64) float64 {
			if v > 0 {
				return 1
			}
			return 0
		}, m.W)
		weffIn = must(G.HadamardProd(w, cm(mask)))
	}
	weff := must(G.Mul(weffIn, cm(m.M)))
	weff = must(G.HadamardProd(weff, cm(m.SomM)))

	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1
	}
	var alpha *G.Node
	if len(m.Taus) == 2 {
		lo, hi := m.Taus[0], m.Taus[1]
		s := must(G.Sigmoid(tg))
		tau := must(G.Mul(s, cs(hi-lo)))
		tau = must(G.Add(tau, cv(scaled(ones, lo))))
		alpha = must(G.HadamardDiv(cv(scaled(ones, rate.DeltaT)), tau))
	} else {
		alpha = cv(scaled(ones, rate.DeltaT/m.Taus[0]))
	}
	keep := must(G.Sub(cv(ones), alpha))

	win := cm(m.WIn)
	phi := func(x *G.Node, step int) *G.Node {
		xs := mat.Col(nil, step, tr.X)
		switch m.Activation {
		case rate.ActClippedReLU:
			a, b := make([]float64, n), make([]float64, n)
			for i, v := range xs {
				if v > 0 && v < rate.ClipMax {
					a[i] = 1
				}
				if v >= rate.ClipMax {
					b[i] = rate.ClipMax
				}
			}
			y := must(G.HadamardProd(x, cv(a)))
			return must(G.Add(y, cv(b)))
		case rate.ActSoftplus:
			a, b := make([]float64, n), make([]float64, n)
			for i, v := range xs {
				if sp := math.Log1p(math.Exp(v)); sp < rate.ClipMax {
					a[i] = 1
				} else {
					b[i] = rate.ClipMax
				}
			}
			y := must(G.HadamardProd(must(G.Softplus(x)), cv(a)))
			return must(G.Add(y, cv(b)))
		default:
			return must(G.Sigmoid(x))
		}
	}

	x := cv(x0)
	r := phi(x, 0)
	var cost *G.Node
	for step := 1; step < steps; step++ {
		ucol := cv(mat.Col(nil, step-1, u))
		drive := must(G.Add(must(G.Mul(weff, r)), must(G.Mul(win, ucol))))
		x = must(G.Add(must(G.HadamardProd(keep, x)), must(G.HadamardProd(alpha, drive))))
		r = phi(x, step)
		o := must(G.Add(must(G.Mul(wout, r)), bout))
		e := must(G.Sub(o, cs(z[step-1])))
		var term *G.Node
		if loss == rate.L1 {
			term = must(G.Abs(e))
		} else {
			term = must(G.Square(e))
		}
		if cost == nil {
			cost = term
		} else {
			cost = must(G.Add(cost, term))
		}
	}
	if loss == rate.L2 {
		cost = must(G.Sqrt(cost))
	}
	wrt := G.Nodes{w, wout, bout}
	if len(m.Taus) == 2 {
		wrt = append(wrt, tg)
	}
	if _, err := G.Grad(cost, wrt...); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(wrt...))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	grad := func(nd *G.Node) []float64 {
		v, err := nd.Grad()
		if err != nil {
			t.Fatal(err)
		}
		switch d := v.Data().(type) {
		case []float64:
			return append([]float64(nil), d...)
		case float64:
			return []float64{d}
		}
		t.Fatalf("gradient of %s has type %T", nd.Name(), v.Data())
		return nil
	}
	var out rate.Gradients
	out.W = mat.NewDense(n, n, grad(w))
	out.WOut = grad(wout)
	out.BOut = grad(bout)[0]
	if len(m.Taus) == 2 {
		out.TausGaus = grad(tg)
	} else {
		out.TausGaus = make([]float64, n)
	}
	return cost.Value().Data().(float64), out
}

func scaled(v []float64, s float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * s
	}
	return out
}

// TestOracleGradients checks the hand-derived gradients against gorgonia
// on randomised small networks across activation × loss × Dale ×
// fixed/trainable taus × som_N.
func TestOracleGradients(t *testing.T) {
	seed := uint64(100)
	for _, act := range []rate.Activation{rate.ActSigmoid, rate.ActClippedReLU, rate.ActSoftplus} {
		for _, loss := range []rate.Loss{rate.L2, rate.L1} {
			for _, dale := range []bool{true, false} {
				for _, taus := range [][]float64{{4, 20}, {7}} {
					for _, somN := range []int{0, 2} {
						seed++
						c := oracleCase{act: act, loss: loss, dale: dale, taus: taus, somN: somN, steps: 14, seed: seed}
						t.Run(c.String(), func(t *testing.T) { checkOracle(t, c) })
					}
				}
			}
		}
	}
}

func checkOracle(t *testing.T, c oracleCase) {
	m, u, z, x0 := oracleNet(t, c)
	net, err := rate.NewNet(m)
	if err != nil {
		t.Fatal(err)
	}
	var tr rate.Trace
	opt := &rate.RunOptions{X0: x0, Record: &tr}
	var got rate.Gradients
	loss, err := net.Gradients(&got, u, z, c.loss, opt)
	if err != nil {
		t.Fatal(err)
	}
	wantLoss, want := oracleGrads(t, m, u, z, x0, c.loss, &tr)
	if e := math.Abs(loss-wantLoss) / math.Abs(wantLoss); e > 1e-12 {
		t.Errorf("loss %.17g, oracle %.17g (relative error %.3g)", loss, wantLoss, e)
	}
	checks := []struct {
		name      string
		got, want []float64
	}{
		{"w", got.W.RawMatrix().Data, want.W.RawMatrix().Data},
		{"w_out", got.WOut, want.WOut},
		{"b_out", []float64{got.BOut}, []float64{want.BOut}},
		{"taus_gaus", got.TausGaus, want.TausGaus},
	}
	for _, ch := range checks {
		if e := relErr(ch.got, ch.want); e > 1e-8 {
			t.Errorf("grad %s: error %.3g of the largest oracle entry > 1e-8\n got  %.6g\n want %.6g", ch.name, e, ch.got, ch.want)
		} else {
			t.Logf("grad %s: error %.3g of the largest oracle entry", ch.name, e)
		}
	}
	// The oracle must see nonzero gradients, or the comparison is empty.
	if floatsAllZero(want.W.RawMatrix().Data) || floatsAllZero(want.WOut) {
		t.Errorf("oracle gradients are all zero: the case tests nothing")
	}
	if len(c.taus) == 2 && floatsAllZero(want.TausGaus) {
		t.Errorf("oracle taus_gaus gradient is all zero")
	}
}

func floatsAllZero(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
