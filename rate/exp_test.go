package rate

import (
	"math"
	"math/big"
	"testing"

	"github.com/spikernn/spikernn/rng"
)

// expExact returns e^x to about 290 bits: a Taylor series of x/2^m for
// |x/2^m| ≤ 2^-10, squared m times.
func expExact(x float64) *big.Float {
	const prec = 300
	m := 0
	for a := math.Abs(x); a > 1.0/1024; a /= 2 {
		m++
	}
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	y.SetMantExp(y, -m)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	k := new(big.Float).SetPrec(prec)
	for i := 1; i <= 40; i++ {
		term.Mul(term, y)
		term.Quo(term, k.SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	for range m {
		sum.Mul(sum, sum)
	}
	return sum
}

// ulps returns |got - exact| in units of the last place of exact rounded
// to float64.
func ulps(got float64, exact *big.Float) float64 {
	e, _ := exact.Float64()
	ulp := math.Nextafter(e, math.Inf(1)) - e
	d := new(big.Float).SetPrec(300).SetFloat64(got)
	f, _ := d.Sub(d, exact).Float64()
	return math.Abs(f) / ulp
}

// TestExpAccuracy checks exp against a 300-bit reference: within 0.51 ulp
// everywhere it computes itself (math.Exp, measured the same way, reaches
// about 1.7 ulp), and math.Exp's values beyond.
func TestExpAccuracy(t *testing.T) {
	r := rng.New(1)
	worst, worstMath := 0.0, 0.0
	for k := range 20000 {
		var x float64
		switch k % 4 {
		case 0: // the range of a network's states
			x = (2*r.Float64() - 1) * 40
		case 1:
			x = (2*r.Float64() - 1) * expLimit
		case 2: // near 0
			x = (2*r.Float64() - 1) * math.Ldexp(1, -int(r.Uint64N(60)))
		case 3: // near the reduction's breakpoints k·ln2/128
			x = float64(int(r.Uint64N(20000))-10000)*math.Ln2/expN + (r.Float64()-0.5)*1e-6
		}
		exact := expExact(x)
		e := ulps(exp(x), exact)
		if e > 0.51 {
			t.Fatalf("exp(%v) = %v: %.3f ulp from e^x", x, exp(x), e)
		}
		worst = max(worst, e)
		worstMath = max(worstMath, ulps(math.Exp(x), exact))
	}
	t.Logf("largest error: exp %.3f ulp, math.Exp %.3f ulp", worst, worstMath)
	for _, x := range []float64{0, math.Copysign(0, -1), 1e-300, -1e-300, expLimit, -expLimit, 709.7, 709.8, -745.1, -746,
		math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64} {
		if got, want := exp(x), math.Exp(x); got != want {
			t.Errorf("exp(%v) = %v, want %v", x, got, want)
		}
	}
	if !math.IsNaN(exp(math.NaN())) {
		t.Error("exp(NaN) is not NaN")
	}
}

// TestSigmoidVec checks that the network's activation loop (four and two
// at a time in assembly on amd64) computes exactly Sigmoid, on vectors of
// every parity, with and without arguments beyond expLimit; and
// Sigmoid's limits.
func TestSigmoidVec(t *testing.T) {
	forEachSigmoidKernel(t, testSigmoidVec)
}

func testSigmoidVec(t *testing.T) {
	r := rng.New(2)
	check := func(x []float64) {
		t.Helper()
		y := make([]float64, len(x))
		sigmoidVec(y, x)
		for i, v := range x {
			want := Sigmoid(v)
			if math.Float64bits(y[i]) != math.Float64bits(want) {
				t.Fatalf("len %d: sigmoidVec at %v = %v, Sigmoid = %v", len(x), v, y[i], want)
			}
			if !math.IsNaN(v) && math.Abs(want-1/(1+math.Exp(-v))) > 1e-15 {
				t.Fatalf("Sigmoid(%v) = %v, with math.Exp %v", v, want, 1/(1+math.Exp(-v)))
			}
		}
	}
	for _, n := range []int{0, 1, 2, 3, 200, 10001} {
		x := make([]float64, n)
		for i := range x {
			switch i % 3 {
			case 0:
				x[i] = r.NormFloat64() * 10
			case 1:
				x[i] = (2*r.Float64() - 1) * expLimit * 0.9999
			default:
				x[i] = r.NormFloat64() * 1e-8
			}
		}
		check(x)
	}
	special := []float64{0, math.Copysign(0, -1), 1e-310, 699.9, -699.9, 700, -700, 710, -710, 745, -746,
		1e300, -1e300, math.Inf(1), math.Inf(-1), math.NaN()}
	check(special)
	for _, v := range special {
		check([]float64{0.5, v, -3})
		// Beyond expLimit in the middle of a long vector, at an even and
		// at an odd position.
		x := make([]float64, 201)
		for i := range x {
			x[i] = r.NormFloat64() * 5
		}
		x[100], x[151] = v, v
		check(x)
	}
	for _, c := range []struct{ x, want float64 }{{0, 0.5}, {math.Inf(1), 1}, {math.Inf(-1), 0}, {800, 1}, {-800, 0}} {
		if got := Sigmoid(c.x); got != c.want {
			t.Errorf("Sigmoid(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
