package spiking

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikernn/spikernn/rng"
)

// normalCDF is Φ(x).
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

type momentStats struct {
	n                          float64
	mean, variance, skew, kurt float64
	// tail[k] is the fraction with |x| > k+1 (k = 0..4).
	tail [5]float64
	// ks is the Kolmogorov–Smirnov distance to Φ over a 1/64 grid.
	ks float64
}

func moments(xs []float64) momentStats {
	var st momentStats
	st.n = float64(len(xs))
	var s1 float64
	for _, x := range xs {
		s1 += x
	}
	st.mean = s1 / st.n
	var m2, m3, m4 float64
	const lo, width, nb = -6.0, 1.0 / 64, 768
	var hist [nb + 2]float64
	for _, x := range xs {
		d := x - st.mean
		m2 += d * d
		m3 += d * d * d
		m4 += d * d * d * d
		for k := range st.tail {
			if math.Abs(x) > float64(k+1) {
				st.tail[k]++
			}
		}
		b := int(math.Floor((x-lo)/width)) + 1
		hist[min(max(b, 0), nb+1)]++
	}
	m2 /= st.n
	st.variance = m2
	st.skew = m3 / st.n / math.Pow(m2, 1.5)
	st.kurt = m4/st.n/(m2*m2) - 3
	for k := range st.tail {
		st.tail[k] /= st.n
	}
	var cum float64
	for b := 0; b <= nb; b++ {
		cum += hist[b]
		edge := lo + float64(b)*width
		st.ks = max(st.ks, math.Abs(cum/st.n-normalCDF(edge)))
	}
	return st
}

// TestNormalDistribution checks the ziggurat against the exact normal and
// against math/rand/v2's NormFloat64 on the same number of draws: mean,
// variance, skewness, excess kurtosis, the tails beyond 1..5 σ and the
// Kolmogorov–Smirnov distance.
func TestNormalDistribution(t *testing.T) {
	n := 4_000_000
	if testing.Short() {
		n = 1_000_000
	}
	var g noise
	g.seed(1, 2, 3)
	ours := make([]float64, n)
	for k := 0; k < n; k += 200 {
		g.fillNormal(ours[k:min(k+200, n)])
	}
	r := rng.New(1, 2, 3)
	theirs := make([]float64, n)
	for k := range theirs {
		theirs[k] = r.NormFloat64()
	}
	a, b := moments(ours), moments(theirs)
	se := 1 / math.Sqrt(float64(n))
	for _, c := range []struct {
		name      string
		got, want float64
		ref       float64
		tol       float64
	}{
		{"mean", a.mean, 0, b.mean, 5 * se},
		{"variance", a.variance, 1, b.variance, 5 * math.Sqrt2 * se},
		{"skewness", a.skew, 0, b.skew, 5 * math.Sqrt(6) * se},
		{"excess kurtosis", a.kurt, 0, b.kurt, 5 * math.Sqrt(24) * se},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.5f, want %v ± %.5f (math/rand/v2: %.5f)", c.name, c.got, c.want, c.tol, c.ref)
		}
	}
	for k := range a.tail {
		p := 2 * normalCDF(-float64(k+1))
		tol := 5*math.Sqrt(p*(1-p)/float64(n)) + 1/float64(n)
		if math.Abs(a.tail[k]-p) > tol {
			t.Errorf("P(|x| > %d) = %.3g, want %.3g ± %.2g (math/rand/v2: %.3g)", k+1, a.tail[k], p, tol, b.tail[k])
		}
	}
	// KS critical value at α = 0.001 is 1.95/sqrt(n).
	if crit := 1.95 * se; a.ks > crit {
		t.Errorf("KS distance %.2g > %.2g (math/rand/v2: %.2g)", a.ks, crit, b.ks)
	}
	t.Logf("ziggurat: mean %.5f var %.5f skew %.5f kurt %.5f KS %.2g tails %.3g", a.mean, a.variance, a.skew, a.kurt, a.ks, a.tail)
	t.Logf("rand/v2:  mean %.5f var %.5f skew %.5f kurt %.5f KS %.2g tails %.3g", b.mean, b.variance, b.skew, b.kurt, b.ks, b.tail)
}

// TestNormalFarTail draws enough to reach the region beyond R = 3.654
// (handled by the tail algorithm) and checks its conditional distribution:
// P(|x| > 4.5 | |x| > R).
func TestNormalFarTail(t *testing.T) {
	var g noise
	g.seed(7)
	buf := make([]float64, 1<<16)
	var beyondR, beyond45 float64
	for it := 0; it < 64; it++ {
		g.fillNormal(buf)
		for _, x := range buf {
			if math.Abs(x) > zigR {
				beyondR++
				if math.Abs(x) > 4.5 {
					beyond45++
				}
			}
		}
	}
	n := float64(64 * len(buf))
	pR := 2 * normalCDF(-zigR)
	if tol := 5 * math.Sqrt(pR/n); math.Abs(beyondR/n-pR) > tol {
		t.Errorf("P(|x| > R) = %.3g, want %.3g ± %.2g", beyondR/n, pR, tol)
	}
	q := normalCDF(-4.5) / normalCDF(-zigR)
	if tol := 5 * math.Sqrt(q*(1-q)/beyondR); math.Abs(beyond45/beyondR-q) > tol {
		t.Errorf("P(|x| > 4.5 | |x| > R) = %.3g, want %.3g ± %.2g", beyond45/beyondR, q, tol)
	}
}

func TestNoiseReproducible(t *testing.T) {
	var a, b, c noise
	a.seed(3, 1, 4)
	b.seed(3, 1, 4)
	c.seed(3, 1, 5)
	x, y, z := make([]float64, 1000), make([]float64, 1000), make([]float64, 1000)
	a.fillNormal(x)
	b.fillNormal(y)
	c.fillNormal(z)
	same := 0
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("draw %d differs for the same seed", i)
		}
		if x[i] == z[i] {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d equal draws for different keys", same)
	}
	// fillNoise is fillNormal scaled by NoiseSD, draw for draw (to
	// rounding), slow path included.
	var p, q noise
	p.seed(8)
	q.seed(8)
	std, scaled := make([]float64, 100000), make([]float64, 100000)
	p.fillNormal(std)
	q.fillNoise(scaled)
	for i := range std {
		if d := math.Abs(scaled[i] - NoiseSD*std[i]); d > 1e-15*math.Abs(std[i]) {
			t.Fatalf("draw %d: noise %v, 0.1 × normal %v", i, scaled[i], NoiseSD*std[i])
		}
	}
	// A uniform from the same generator stays in [0, 1).
	for i := 0; i < 10000; i++ {
		if u := a.Float64(); u < 0 || u >= 1 {
			t.Fatalf("Float64 = %v", u)
		}
	}
}

func TestZigguratTables(t *testing.T) {
	// The layers must have equal area V: x[i]*(f(x[i+1]) - f(x[i])) = V
	// for the layers above the base, the top one closing at f(0) = 1;
	// the base layer (rectangle up to R plus the tail) too.
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	for i := 1; i < zigLayers; i++ {
		if a := zigX[i] * (f(zigX[i+1]) - f(zigX[i])); math.Abs(a-zigV)/zigV > 1e-6 {
			t.Fatalf("layer %d area %.10g, want %.10g", i, a, zigV)
		}
	}
	tail := math.Sqrt(math.Pi/2) * math.Erfc(zigR/math.Sqrt2)
	if base := zigR*f(zigR) + tail; math.Abs(base-zigV)/zigV > 1e-9 {
		t.Fatalf("base layer area %.10g, want %.10g", base, zigV)
	}
}

func BenchmarkNormalZiggurat(b *testing.B) {
	var g noise
	g.seed(1)
	buf := make([]float64, 200)
	b.SetBytes(200 * 8)
	for b.Loop() {
		g.fillNormal(buf)
	}
}

func BenchmarkNormalPCG(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]float64, 200)
	b.SetBytes(200 * 8)
	for b.Loop() {
		for k := range buf {
			buf[k] = r.NormFloat64()
		}
	}
}
