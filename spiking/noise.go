package spiking

import (
	"math"
	"math/bits"

	"github.com/spikernn/spikernn/rng"
)

// noise is the per-trial random generator of the LIF network: xoshiro256++
// (Blackman & Vigna 2019, period 2^256 - 1) feeding a 1024-layer ziggurat
// for the normal draws (Marsaglia & Tsang 2000, in the form of Doornik
// 2005 that takes the layer and the uniform from disjoint bits).
//
// A trial draws N normals per step (4 million for a 1 s go-nogo trial at
// N = 200); drawing them in a tight batch from this inlined generator costs
// about half of math/rand/v2's PCG + NormFloat64. Its four state words are
// derived from the rng package's (seed, keys...) state with SplitMix64, so
// a trial's noise is reproducible from its seed alone.
type noise struct {
	s0, s1, s2, s3 uint64
}

// splitmix64 advances *x and returns the next SplitMix64 output.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// seed sets the state from seed and keys via rng.State.
func (g *noise) seed(seed uint64, keys ...uint64) {
	hi, lo := rng.State(seed, keys...)
	g.seedWords(hi, lo)
}

func (g *noise) seedWords(hi, lo uint64) {
	x := hi
	g.s0 = splitmix64(&x)
	g.s1 = splitmix64(&x)
	x ^= lo
	g.s2 = splitmix64(&x)
	g.s3 = splitmix64(&x)
	if g.s0|g.s1|g.s2|g.s3 == 0 {
		g.s0 = 1 // the all-zero state is the one fixed point
	}
}

// Uint64 returns the next xoshiro256++ output; with it *noise is a
// math/rand/v2 Source.
func (g *noise) Uint64() uint64 {
	r := bits.RotateLeft64(g.s0+g.s3, 23) + g.s0
	t := g.s1 << 17
	g.s2 ^= g.s0
	g.s3 ^= g.s1
	g.s1 ^= g.s2
	g.s0 ^= g.s3
	g.s2 ^= t
	g.s3 = bits.RotateLeft64(g.s3, 45)
	return r
}

// Float64 returns a uniform draw in [0, 1) with 53 random bits.
func (g *noise) Float64() float64 {
	return float64(g.Uint64()>>11) * 0x1p-53
}

// openFloat64 returns a uniform draw in (0, 1).
func (g *noise) openFloat64() float64 {
	return (float64(g.Uint64()>>11) + 0.5) * 0x1p-53
}

// Ziggurat constants for 1024 layers: zigR is the start of the right tail
// and zigV the area of each layer, found by bisection on R so that the
// recursion x[i+1] = f⁻¹(V/x[i] + f(x[i])) closes exactly at the top
// layer (f(x) = exp(-x²/2)). With 1024 layers 99.57% of the draws take the
// fast path (256 layers: 98.5%), which matters because a rejected draw
// costs an exp or two logs.
const (
	zigLayers = 1024
	zigR      = 4.038849846109505
	zigV      = 0.0012263246463530852
)

var (
	// zigX[i] is the right edge of layer i (zigX[0] = V/f(R) for the
	// base layer with its tail, zigX[1024] = 0), zigF[i] = f(zigX[i]).
	zigX, zigF [zigLayers + 1]float64
	// zigRatio2[i] = (zigX[i+1]/zigX[i])²: a uniform u in (-1, 1) with
	// u² below it lands inside the rectangle under layer i+1 and is
	// accepted at once.
	zigRatio2 [zigLayers]float64
	// zigNoise[i] = zigX[i]·NoiseSD, for draws of the voltage noise.
	zigNoise [zigLayers + 1]float64
)

func init() {
	f := math.Exp(-0.5 * zigR * zigR)
	zigX[0] = zigV / f
	zigX[1] = zigR
	zigX[zigLayers] = 0
	for i := 2; i < zigLayers; i++ {
		zigX[i] = math.Sqrt(-2 * math.Log(zigV/zigX[i-1]+f))
		f = math.Exp(-0.5 * zigX[i] * zigX[i])
	}
	for i := range zigF {
		zigF[i] = math.Exp(-0.5 * zigX[i] * zigX[i])
	}
	for i := range zigRatio2 {
		q := zigX[i+1] / zigX[i]
		zigRatio2[i] = q * q
		zigNoise[i] = zigX[i] * NoiseSD
	}
}

// fillNormal fills dst with independent standard normal draws.
func (g *noise) fillNormal(dst []float64) { g.fillZiggurat(dst, &zigX, 1) }

// fillNoise fills dst with independent normal draws of standard deviation
// NoiseSD.
func (g *noise) fillNoise(dst []float64) { g.fillZiggurat(dst, &zigNoise, NoiseSD) }

// fillZiggurat fills dst with normal draws of standard deviation sd; edges
// holds zigX scaled by sd.
func (g *noise) fillZiggurat(dst []float64, edges *[zigLayers + 1]float64, sd float64) {
	s0, s1, s2, s3 := g.s0, g.s1, g.s2, g.s3
	for k := range dst {
		// xoshiro256++, inlined so the state stays in registers.
		x := bits.RotateLeft64(s0+s3, 23) + s0
		t := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= t
		s3 = bits.RotateLeft64(s3, 45)

		// Bits 0-9 pick the layer, bits 11-63 give a signed uniform in
		// (-1, 1): disjoint bits, so layer and value are independent.
		i := x & (zigLayers - 1)
		u := (float64(int64(x)>>11) + 0.5) * 0x1p-52
		if u*u < zigRatio2[i] {
			dst[k] = u * edges[i]
			continue
		}
		g.s0, g.s1, g.s2, g.s3 = s0, s1, s2, s3
		dst[k] = g.normalSlow(u, int(i)) * sd
		s0, s1, s2, s3 = g.s0, g.s1, g.s2, g.s3
	}
	g.s0, g.s1, g.s2, g.s3 = s0, s1, s2, s3
}

// normalSlow finishes a standard normal draw whose first candidate
// (signed uniform u, layer i) fell outside the rectangle of the layer
// above: a tail draw for the base layer, else a wedge test, retrying from
// scratch on rejection.
func (g *noise) normalSlow(u float64, i int) float64 {
	for {
		if i == 0 {
			return g.tail(u < 0)
		}
		x := u * zigX[i]
		// Accept when a uniform height between f(x[i]) and f(x[i+1])
		// lies below the density at x.
		if zigF[i]+g.openFloat64()*(zigF[i+1]-zigF[i]) < math.Exp(-0.5*x*x) {
			return x
		}
		r := g.Uint64()
		i = int(r & (zigLayers - 1))
		u = (float64(int64(r)>>11) + 0.5) * 0x1p-52
		if u*u < zigRatio2[i] {
			return u * zigX[i]
		}
	}
}

// tail draws from the normal tail beyond zigR (Marsaglia 1964).
func (g *noise) tail(negative bool) float64 {
	for {
		x := math.Log(g.openFloat64()) / zigR
		y := math.Log(g.openFloat64())
		if -2*y >= x*x {
			if negative {
				return x - zigR
			}
			return zigR - x
		}
	}
}
