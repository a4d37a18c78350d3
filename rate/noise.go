package rate

import (
	"math"
	"math/bits"

	"github.com/spikernn/spikernn/rng"
)

// noiseGen draws the network noise: standard normal numbers from a
// xoshiro256** generator through a 128-layer ziggurat (Marsaglia & Tsang
// 2000) with float64 tables. It is about twice as fast as
// rand.Rand.NormFloat64 with PCG, which matters because a trial of N = 200
// units and T = 200 steps draws 40,200 of them.
//
// The stream is fixed by the seed: the same seed gives the same noise on
// every platform.
type noiseGen struct {
	s [4]uint64
}

// seed resets the generator to the stream of seed.
func (g *noiseGen) seed(seed uint64) {
	hi, lo := rng.State(seed, 0x6e6f697365) // "noise"
	x := hi
	for i := range g.s {
		x = splitmix64(x ^ lo)
		g.s[i] = x
	}
	if g.s == [4]uint64{} {
		g.s[0] = 1
	}
}

func splitmix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// next returns the next 64 random bits (xoshiro256**).
func (g *noiseGen) next() uint64 {
	s := &g.s
	r := bits.RotateLeft64(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = bits.RotateLeft64(s[3], 45)
	return r
}

// uniform returns a number in (0, 1).
func (g *noiseGen) uniform() float64 {
	return (float64(g.next()>>11) + 0.5) * (1.0 / (1 << 53))
}

// Ziggurat tables for the standard normal, 128 layers.
const (
	zigLayers = 128
	zigR      = 3.442619855899
	zigV      = 9.91256303526217e-3
	zigScale  = 1 << 55 // |j| < 2^55 for the signed 56-bit draw
)

var (
	zigK [zigLayers]int64
	zigW [zigLayers]float64
	zigF [zigLayers]float64
)

func init() {
	dn, tn := zigR, zigR
	q := zigV / math.Exp(-0.5*dn*dn)
	zigK[0] = int64(dn / q * zigScale)
	zigK[1] = 0
	zigW[0] = q / zigScale
	zigW[zigLayers-1] = dn / zigScale
	zigF[0] = 1
	zigF[zigLayers-1] = math.Exp(-0.5 * dn * dn)
	for i := zigLayers - 2; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(zigV/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = int64(dn / tn * zigScale)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / zigScale
	}
}

// norm returns a standard normal number.
func (g *noiseGen) norm() float64 { return g.normFrom(g.next()) }

// normFrom returns a standard normal number, starting the ziggurat with
// the random bits u.
func (g *noiseGen) normFrom(u uint64) float64 {
	for {
		i := u & (zigLayers - 1)
		j := int64(u) >> 8 // signed, |j| < 2^55
		x := float64(j) * zigW[i]
		aj := j
		if aj < 0 {
			aj = -aj
		}
		if aj < zigK[i] {
			return x
		}
		if i == 0 {
			// The tail beyond zigR.
			for {
				x = -math.Log(g.uniform()) / zigR
				y := -math.Log(g.uniform())
				if y+y >= x*x {
					break
				}
			}
			if j > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if zigF[i]+g.uniform()*(zigF[i-1]-zigF[i]) < math.Exp(-0.5*x*x) {
			return x
		}
		u = g.next()
	}
}

// fill sets dst[i] = scale × a standard normal number: the numbers of
// norm, with the generator and the ziggurat's fast path (about 98% of
// the draws) inlined on local state.
func (g *noiseGen) fill(dst []float64, scale float64) {
	s0, s1, s2, s3 := g.s[0], g.s[1], g.s[2], g.s[3]
	for k := range dst {
		// next, as xoshiro256**.
		u := bits.RotateLeft64(s1*5, 7) * 9
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)

		i := u & (zigLayers - 1)
		j := int64(u) >> 8
		aj := j
		if aj < 0 {
			aj = -aj
		}
		if aj < zigK[i] {
			dst[k] = float64(j) * zigW[i] * scale
			continue
		}
		g.s = [4]uint64{s0, s1, s2, s3}
		dst[k] = g.normFrom(u) * scale
		s0, s1, s2, s3 = g.s[0], g.s[1], g.s[2], g.s[3]
	}
	g.s = [4]uint64{s0, s1, s2, s3}
}
