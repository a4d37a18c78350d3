package rate

import (
	"math"
	"math/big"
)

// The sigmoid needs e^-x for every unit at every step (40,000 per trial at
// N = T = 200). math.Exp on amd64 is an assembly routine that Go cannot
// inline and whose error reaches 1.7 ulp; exp below is the table-driven
// method of ARM's optimized-routines (Szabolcs Nagy): e^x = 2^(k/128) ·
// e^r with |r| ≤ ln2/256, a 128-entry table of 2^(j/128) with the
// rounding error of each entry kept as a correction, and a degree-5
// polynomial. Its error stays below 0.51 ulp (TestExpAccuracy checks it
// against a 300-bit reference). On amd64 the network's activation loop
// computes four sigmoids at a time in AVX2 assembly, or two in SSE2
// (exp_amd64.s), with
// the bits of exp: every product is rounded before it is added, here
// with explicit conversions, which keep Go from fusing a multiply-add.

const (
	expBits = 7
	expN    = 1 << expBits
	// expLimit bounds the arguments exp handles itself; beyond it (and
	// for NaN) math.Exp takes over. Within it 2^k stays a normal number.
	expLimit = 700

	expInvLn2N = 0x1.71547652b82fep0 * expN // expN / ln 2
	expNegLn2H = -0x1.62e42fefa0000p-8      // -ln2/expN, high part (exact products with k)
	expNegLn2L = -0x1.cf79abc9e3b3ap-47     // -ln2/expN, low part
	expShift   = 0x1.8p52                   // rounds to an integer, kept in the low bits
	expC2      = 0x1.ffffffffffdbdp-2
	expC3      = 0x1.555555555543cp-3
	expC4      = 0x1.55555cf172b91p-5
	expC5      = 0x1.1111167a4d017p-7
)

// expTab holds, for j = 0 … expN-1, the relative rounding error of
// 2^(j/expN) as a float64 (entry 2j) and the bits of 2^(j/expN) less
// j << (52-expBits) (entry 2j+1), so that adding k << (52-expBits) for
// k = q·expN + j gives the bits of 2^q · 2^(j/expN).
var expTab = func() (tab [2 * expN]uint64) {
	// 2^(1/expN) to 256 bits by repeated square roots, then its powers.
	const prec = 256
	root := new(big.Float).SetPrec(prec).SetInt64(2)
	for range expBits {
		root.Sqrt(root)
	}
	p := new(big.Float).SetPrec(prec).SetInt64(1)
	tail := new(big.Float).SetPrec(prec)
	near := new(big.Float).SetPrec(prec)
	for j := range expN {
		s, _ := p.Float64() // nearest
		near.SetFloat64(s)
		tail.Sub(p, near)
		tail.Quo(tail, near)
		t, _ := tail.Float64()
		tab[2*j] = math.Float64bits(t)
		tab[2*j+1] = math.Float64bits(s) - uint64(j)<<(52-expBits)
		p.Mul(p, root)
	}
	return tab
}()

// exp returns e^x.
func exp(x float64) float64 {
	if !(math.Abs(x) < expLimit) {
		return math.Exp(x)
	}
	// The order of exp_amd64.s; keep them equal.
	kd := float64(expInvLn2N*x) + expShift
	ki := math.Float64bits(kd)
	kd -= expShift
	r := x + float64(kd*expNegLn2H) + float64(kd*expNegLn2L)
	idx := 2 * (ki % expN)
	top := ki << (52 - expBits)
	tail := math.Float64frombits(expTab[idx])
	scale := math.Float64frombits(expTab[idx+1] + top)
	r2 := r * r
	tmp := tail + r + float64(r2*(expC2+float64(r*expC3))) + float64(float64(r2*r2)*(expC4+float64(r*expC5)))
	return scale + float64(scale*tmp)
}

// sigmoidVec sets r[i] = Sigmoid(x[i]), in blocks in sigmoidPairs;
// a pair with an argument beyond expLimit (which only a diverging network
// reaches) goes through Sigmoid.
func sigmoidVec(r, x []float64) {
	r = r[:len(x)]
	for len(x) >= 2 {
		k := sigmoidPairs(r, x)
		r, x = r[k:], x[k:]
		if len(x) >= 2 {
			r[0], r[1] = Sigmoid(x[0]), Sigmoid(x[1])
			r, x = r[2:], x[2:]
		}
	}
	if len(x) == 1 {
		r[0] = Sigmoid(x[0])
	}
}
