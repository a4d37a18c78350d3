package rng

import "math"

// The ziggurat of the standard normal density f(x) = exp(-x²/2) (left
// unnormalised): zigLayers layers of equal area zigV, the base one a
// rectangle up to zigR plus the tail beyond it. zigR and zigV were found by
// bisection on R so that the recursion x[i+1] = f⁻¹(V/x[i] + f(x[i]))
// closes exactly at the top layer; TestZigguratTables checks the areas.
// The fast path takes the mean of x[i+1]/x[i] over the layers: 99.57% of
// the draws with 1024 layers, against 97.2% with 128 and 98.5% with 256,
// which matters because a rejected draw costs an exp or two logs and a
// branch the processor mispredicts. The tables are 32 KB, of which the
// fast path reads 16 (zigT and zigW).
const (
	zigLayers = 1024
	zigR      = 4.038849846109505
	zigV      = 0.0012263246463530852
)

var (
	// zigX[i] is the right edge of layer i: zigX[0] = V/f(R) for the
	// base layer with its tail, zigX[1] = R, zigX[1024] = 0.
	// zigF[i] = f(zigX[i]).
	zigX, zigF [zigLayers + 1]float64
	// zigT[i] = (zigX[i+1]/zigX[i])²·2^106: a signed odd j with j² below
	// it puts x = j·2^-53·zigX[i] inside the rectangle under layer i+1,
	// which lies under the density: it is accepted at once (see inRect).
	zigT [zigLayers]float64
	// zigW[i] = zigX[i]·2^-53, so that x = j·zigW[i] exactly.
	zigW [zigLayers]float64
	// zigTW interleaves the two for zigFast: zigTW[2i] = zigT[i] and
	// zigTW[2i+1] = zigW[i], so that one 16-byte load fetches both.
	zigTW [2 * zigLayers]float64
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
	for i := range zigT {
		q := zigX[i+1] / zigX[i]
		zigT[i] = q * q * 0x1p106
		zigW[i] = zigX[i] * 0x1p-53
		zigTW[2*i], zigTW[2*i+1] = zigT[i], zigW[i]
	}
}

// zigDraw splits 64 random bits b into a layer (bits 0–9) and the signed
// odd j = 2·⌊b/2^11⌋ + 1 from bits 11–63 read as a signed number, as a
// float64 (exact, |j| < 2^53), so that j·2^-53 is uniform on the 2^53
// points (k + 1/2)·2^-52 in (-1, 1): symmetric, never zero, and
// independent of the layer (Doornik 2005).
func zigDraw(b uint64) (layer uint64, j float64) {
	return b & (zigLayers - 1), float64(int64(b)>>10 | 1)
}

// inRect reports whether the candidate (layer i, odd j) lies in the
// rectangle under layer i+1: j² < zigT[i]. This is Doornik's test
// u² < (x[i+1]/x[i])² on u = j·2^-53, scaled by 2^106 (exactly, so the
// rounding is the same). In floating point the test leaves the integer
// registers to the generator: the integer test |j| < ⌊2^53·x[i+1]/x[i]⌋
// measured up to 14% slower in Normals' loop, depending on where the
// linker put the loop, while this one stayed within 1%.
func inRect(i uint64, j float64) bool {
	return j*j < zigT[i]
}

// NormFloat64 returns a standard normal number (mean 0, standard
// deviation 1) from the ziggurat described in the package documentation.
// It consumes one Uint64 in 99.57% of the calls.
func (g *Xoshiro) NormFloat64() float64 {
	i, j := zigDraw(g.Uint64())
	if inRect(i, j) {
		return j * zigW[i]
	}
	return normalSlow(&wordSource{g: g}, i, j)
}

// Normals sets dst[k] = scale × a standard normal number, for every k:
// exactly scale × the numbers NormFloat64 would return in turn, bit for
// bit, at under half their cost.
//
// With AVX2, the generator and the ziggurat's fast path run four draws at
// a time in assembly (zigNormals). A candidate that needs the wedge or tail
// test stops it; the draw finishes in Go, taking its further words first
// from those the block drew after it, then from the generator, so that the
// words are consumed in exactly the order of NormFloat64. Without AVX2,
// the generator and the fast path run on local state in one Go loop.
func (g *Xoshiro) Normals(dst []float64, scale float64) {
	if zigSIMD {
		var words [zigBlock]uint64
		for len(dst) >= zigBlock {
			n, rejected := zigNormals(dst, g, &words, scale, &zigTW)
			dst = dst[n:]
			if rejected == 0 {
				break
			}
			// The rejected candidate and the block's words after it: one
			// place each is left in dst, and each draw takes at least one.
			src := wordSource{words: words[n%zigBlock:], g: g}
			for len(src.words) > 0 {
				dst[0] = src.normal() * scale
				dst = dst[1:]
			}
		}
	}
	g.normalsGo(dst, scale)
}

// zigBlock is the number of draws zigNormals makes at a time.
const zigBlock = 4

// wordSource is where a draw takes its words: those left in a block of
// zigNormals, then the generator's (g or g4).
type wordSource struct {
	words []uint64
	g     *Xoshiro
	g4    *Xoshiro4 // instead of g
}

func (s *wordSource) Uint64() uint64 {
	if len(s.words) > 0 {
		b := s.words[0]
		s.words = s.words[1:]
		return b
	}
	if s.g4 != nil {
		return s.g4.Uint64()
	}
	return s.g.Uint64()
}

// normal returns a standard normal number drawn from the words of s.
func (s *wordSource) normal() float64 {
	i, j := zigDraw(s.Uint64())
	if inRect(i, j) {
		return j * zigW[i]
	}
	return normalSlow(s, i, j)
}

// normalsGo is Normals without SIMD: the generator and the ziggurat's
// fast path on local state in one loop; only the 0.43% of draws that need
// a wedge or tail test leave it.
func (g *Xoshiro) normalsGo(dst []float64, scale float64) {
	s0, s1, s2, s3 := g.s0, g.s1, g.s2, g.s3
	for k := range dst {
		// Uint64, on local state so that it stays in registers.
		var b uint64
		b, s0, s1, s2, s3 = xoshiroNext(s0, s1, s2, s3)

		// zigDraw and inRect, written out: inlined calls would leave a
		// no-op position mark each in the loop.
		i := b & (zigLayers - 1)
		j := float64(int64(b)>>10 | 1)
		if j*j < zigT[i] {
			dst[k] = j * zigW[i] * scale
			continue
		}
		g.s0, g.s1, g.s2, g.s3 = s0, s1, s2, s3
		dst[k] = normalSlow(&wordSource{g: g}, i, j) * scale
		s0, s1, s2, s3 = g.s0, g.s1, g.s2, g.s3
	}
	g.s0, g.s1, g.s2, g.s3 = s0, s1, s2, s3
}

// normalSlow finishes a standard normal draw whose candidate (layer i,
// signed odd j) fell outside the rectangle under layer i+1: a tail draw
// for the base layer, else a wedge test, and on rejection a fresh
// candidate from scratch.
func normalSlow(g *wordSource, i uint64, j float64) float64 {
	for {
		if i == 0 {
			return normalTail(g, j < 0)
		}
		if x := j * zigW[i]; wedgeAccepts(g, i, x) {
			return x
		}
		i, j = zigDraw(g.Uint64())
		if inRect(i, j) {
			return j * zigW[i]
		}
	}
}

// wedgeAccepts reports whether a point at x in layer i, outside the
// rectangle under layer i+1, lies under the density: whether a uniform
// height between f(x[i]) and f(x[i+1]) lies below exp(-x²/2).
func wedgeAccepts(g *wordSource, i uint64, x float64) bool {
	return zigF[i]+openFloat64(g.Uint64())*(zigF[i+1]-zigF[i]) < math.Exp(-0.5*x*x)
}

// normalTail draws from the normal tail beyond zigR, negative when
// negative is set (Marsaglia 1964): with x = -ln(U1)/R and y = -ln(U2),
// accept R + x when 2y ≥ x².
func normalTail(g *wordSource, negative bool) float64 {
	for {
		x := math.Log(openFloat64(g.Uint64())) / zigR
		y := math.Log(openFloat64(g.Uint64()))
		if -2*y >= x*x {
			if negative {
				return x - zigR
			}
			return zigR - x
		}
	}
}
