package rng

// Xoshiro4 is four xoshiro256++ generators, the lanes, stepped together:
// its words are lane 0's first, lane 1's first, lane 2's first, lane 3's
// first, lane 0's second, and so on. Lane l is NewXoshiro(seed, keys...,
// l), so each is an independent stream of the same quality as Xoshiro.
// The four lanes fit the four 64-bit slots of an AVX2 register: Normals
// steps them together and runs the ziggurat on their words four at a time
// (zigNormals4, about 1.3 times as fast as Xoshiro.Normals here), and the
// Go code gives the same numbers on every machine.
//
// Its NormFloat64 and Normals are the ziggurat of Xoshiro on this word
// stream: the same algorithm, other numbers. The zero value is not a
// valid generator: seed it with NewXoshiro4 or Seed.
type Xoshiro4 struct {
	// s[k][l] is word k of lane l's state (s0–s3 of Xoshiro).
	s [4][4]uint64
	// buf holds the words of the lanes' last step; pos is the next one
	// to hand out (4 when all are out). zigNormals4 relies on this layout.
	buf [4]uint64
	pos int
}

// NewXoshiro4 returns a Xoshiro4 seeded from (seed, keys...).
func NewXoshiro4(seed uint64, keys ...uint64) *Xoshiro4 {
	g := new(Xoshiro4)
	g.Seed(seed, keys...)
	return g
}

// Seed sets lane l to the state of NewXoshiro(seed, keys..., l) and
// forgets any words of the last step not yet handed out.
func (g *Xoshiro4) Seed(seed uint64, keys ...uint64) {
	hi, lo := State(seed, keys...)
	for l := range 4 {
		// State(seed, keys..., l), one key on.
		h := mix(hi ^ mix(uint64(l)))
		x := h
		g.s[0][l] = splitmix64(&x)
		g.s[1][l] = splitmix64(&x)
		x ^= mix(lo + h)
		g.s[2][l] = splitmix64(&x)
		g.s[3][l] = splitmix64(&x)
	}
	g.pos = 4
}

// step advances the four lanes by one word each into buf.
func (g *Xoshiro4) step() {
	for l := range 4 {
		g.buf[l], g.s[0][l], g.s[1][l], g.s[2][l], g.s[3][l] = xoshiroNext(g.s[0][l], g.s[1][l], g.s[2][l], g.s[3][l])
	}
	g.pos = 0
}

// Uint64 returns the next word: uniform on [0, 2^64).
func (g *Xoshiro4) Uint64() uint64 {
	if g.pos == len(g.buf) {
		g.step()
	}
	b := g.buf[g.pos]
	g.pos++
	return b
}

// Float64 returns a uniform number in [0, 1) from the top 53 bits of a
// word.
func (g *Xoshiro4) Float64() float64 {
	return float64(g.Uint64()>>11) * 0x1p-53
}

// NormFloat64 returns a standard normal number (mean 0, standard
// deviation 1) from the ziggurat of the package documentation.
func (g *Xoshiro4) NormFloat64() float64 {
	return (&wordSource{g4: g}).normal()
}

// Normals sets dst[k] = scale × a standard normal number, for every k:
// exactly scale × the numbers NormFloat64 would return in turn, bit for
// bit. A step of the lanes gives four candidates at once: with AVX2 the
// steps and the ziggurat's fast path run in assembly (zigNormals4), else in
// Go. A candidate that needs the wedge or tail test, and the words of its
// step after it, go through NormFloat64.
func (g *Xoshiro4) Normals(dst []float64, scale float64) {
	for len(dst) > 0 {
		if g.pos < len(g.buf) || len(dst) < zigBlock {
			dst[0] = g.NormFloat64() * scale
			dst = dst[1:]
			continue
		}
		if zigSIMD {
			// It stops at a rejected candidate, with g.pos at it, or
			// with fewer than four places left.
			n, _ := zigNormals4(dst, g, scale, &zigTW)
			dst = dst[n:]
			continue
		}
		dst = g.normalsGo(dst, scale)
	}
}

// normalsGo is zigNormals4 in Go: whole steps of the lanes, on local
// state, while four places are left and every candidate falls in its
// rectangle. At a rejected candidate it leaves the step's words in g.buf
// with g.pos at it. It returns the places left.
func (g *Xoshiro4) normalsGo(dst []float64, scale float64) []float64 {
	a0, a1, a2, a3 := g.s[0][0], g.s[1][0], g.s[2][0], g.s[3][0]
	b0, b1, b2, b3 := g.s[0][1], g.s[1][1], g.s[2][1], g.s[3][1]
	c0, c1, c2, c3 := g.s[0][2], g.s[1][2], g.s[2][2], g.s[3][2]
	d0, d1, d2, d3 := g.s[0][3], g.s[1][3], g.s[2][3], g.s[3][3]
	for len(dst) >= zigBlock {
		var w [zigBlock]uint64
		w[0], a0, a1, a2, a3 = xoshiroNext(a0, a1, a2, a3)
		w[1], b0, b1, b2, b3 = xoshiroNext(b0, b1, b2, b3)
		w[2], c0, c1, c2, c3 = xoshiroNext(c0, c1, c2, c3)
		w[3], d0, d1, d2, d3 = xoshiroNext(d0, d1, d2, d3)
		k := 0
		for k < zigBlock {
			i, j := zigDraw(w[k])
			if !inRect(i, j) {
				break
			}
			dst[k] = j * zigW[i] * scale
			k++
		}
		dst = dst[k:]
		if k < zigBlock {
			g.buf, g.pos = w, k
			break
		}
	}
	g.s[0][0], g.s[1][0], g.s[2][0], g.s[3][0] = a0, a1, a2, a3
	g.s[0][1], g.s[1][1], g.s[2][1], g.s[3][1] = b0, b1, b2, b3
	g.s[0][2], g.s[1][2], g.s[2][2], g.s[3][2] = c0, c1, c2, c3
	g.s[0][3], g.s[1][3], g.s[2][3], g.s[3][3] = d0, d1, d2, d3
	return dst
}
