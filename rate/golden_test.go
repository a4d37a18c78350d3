package rate_test

import (
	"math"
	"testing"

	"github.com/spikernn/spikernn/matfile"
	"github.com/spikernn/spikernn/rate"
	"gonum.org/v1/gonum/mat"
)

const goldenPath = "../testdata/golden/rate_golden.mat"

// golden reads the variables of rate_golden.mat.
type golden struct {
	t *testing.T
	f *matfile.File
}

func openGolden(t *testing.T) golden {
	t.Helper()
	f, err := matfile.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	return golden{t, f}
}

func (g golden) vals(name string) []float64 {
	g.t.Helper()
	v, err := g.f.Var(name)
	if err != nil {
		g.t.Fatal(err)
	}
	x, err := v.Float64s()
	if err != nil {
		g.t.Fatal(err)
	}
	return x
}

func (g golden) dense(name string) *mat.Dense {
	g.t.Helper()
	v, err := g.f.Var(name)
	if err != nil {
		g.t.Fatal(err)
	}
	d, err := v.Dense()
	if err != nil {
		g.t.Fatal(err)
	}
	return d
}

// model builds the model of one golden case.
func (g golden) model(c string) *rate.Model {
	inhV := g.vals(c + "_inh")
	inh := make([]bool, len(inhV))
	for i, v := range inhV {
		inh[i] = v != 0
	}
	n := len(inh)
	return &rate.Model{
		N:          n,
		ApplyDale:  true,
		Activation: rate.ActSigmoid,
		Inh:        inh,
		W:          g.dense(c + "_w"),
		M:          g.dense(c + "_m"),
		SomM:       g.dense(c + "_som_m"),
		WIn:        g.dense(c + "_w_in"),
		WOut:       g.vals(c + "_w_out"),
		BOut:       g.vals(c + "_b_out")[0],
		Taus:       g.vals("taus"),
		TausGaus:   g.vals(c + "_taus_gaus"),
	}
}

// relErr returns max|got-want| / max|want|.
func relErr(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	d, s := 0.0, 0.0
	for i := range want {
		d = max(d, math.Abs(got[i]-want[i]))
		s = max(s, math.Abs(want[i]))
	}
	if s == 0 {
		return d
	}
	return d / s
}

// elemRelErr returns max_i |got-want|/|want| (absolute where want is 0).
func elemRelErr(got, want []float64) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	e := 0.0
	for i := range want {
		d := math.Abs(got[i] - want[i])
		if want[i] != 0 {
			d /= math.Abs(want[i])
		}
		e = max(e, d)
	}
	return e
}

func TestGolden(t *testing.T) {
	g := openGolden(t)
	for _, c := range []string{"go_nogo", "mante"} {
		t.Run(c, func(t *testing.T) {
			m := g.model(c)
			net, err := rate.NewNet(m)
			if err != nil {
				t.Fatal(err)
			}
			u := g.dense(c + "_u")
			z := g.vals(c + "_z")
			opt := &rate.RunOptions{X0: g.vals(c + "_x0")}
			o, err := net.Run(u, opt)
			if err != nil {
				t.Fatal(err)
			}
			if e := elemRelErr(o, g.vals(c+"_o")); e > 1e-12 {
				t.Errorf("outputs: relative error %.3g > 1e-12", e)
			}
			for _, l := range []rate.Loss{rate.L2, rate.L1} {
				p := c + "_" + l.String()
				var gr rate.Gradients
				loss, err := net.Gradients(&gr, u, z, l, opt)
				if err != nil {
					t.Fatal(err)
				}
				want := g.vals(p + "_loss")[0]
				if e := math.Abs(loss-want) / math.Abs(want); e > 1e-12 {
					t.Errorf("%s loss = %.17g, want %.17g (relative error %.3g)", l, loss, want, e)
				}
				checks := []struct {
					name      string
					got, want []float64
				}{
					{"w", gr.W.RawMatrix().Data, g.dense(p + "_grad_w").RawMatrix().Data},
					{"w_out", gr.WOut, g.vals(p + "_grad_w_out")},
					{"b_out", []float64{gr.BOut}, g.vals(p + "_grad_b_out")},
					{"taus_gaus", gr.TausGaus, g.vals(p + "_grad_taus_gaus")},
				}
				for _, ch := range checks {
					if e := relErr(ch.got, ch.want); e > 1e-9 {
						t.Errorf("%s grad %s: error %.3g of the largest entry > 1e-9", l, ch.name, e)
					} else {
						t.Logf("%s grad %s: error %.3g of the largest entry", l, ch.name, e)
					}
				}
			}
		})
	}
}

func TestGoldenAdam(t *testing.T) {
	g := openGolden(t)
	w := g.dense("go_nogo_w")
	grad := g.dense("go_nogo_l2_grad_w")
	want := g.dense("go_nogo_w_after_adam1")
	theta := append([]float64(nil), w.RawMatrix().Data...)
	a := rate.NewAdam(len(theta), rate.DefaultLearningRate, rate.DefaultBeta1, rate.DefaultBeta2, rate.DefaultEps)
	a.Update(theta, grad.RawMatrix().Data)
	if e := elemRelErr(theta, want.RawMatrix().Data); e > 1e-12 {
		t.Errorf("w after one Adam step: relative error %.3g > 1e-12", e)
	}
	// Entries with a zero gradient must not move at all.
	for k, gk := range grad.RawMatrix().Data {
		if gk == 0 && theta[k] != w.RawMatrix().Data[k] {
			t.Fatalf("entry %d has zero gradient but moved from %v to %v", k, w.RawMatrix().Data[k], theta[k])
		}
	}
}
