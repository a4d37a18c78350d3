package rng

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// Xoshiro is a xoshiro256++ generator (Blackman & Vigna 2021): 256 bits of
// state, period 2^256 - 1, four xors, two shifts and rotations and two
// additions per 64-bit output, no multiplication. It is a math/rand/v2
// Source, and draws normal numbers itself, faster than rand.Rand does
// (NormFloat64, Normals).
//
// The zero Xoshiro is the generator's one fixed point and draws zeros for
// ever: seed it (Seed, NewXoshiro) or restore it (UnmarshalBinary) before
// use. A Xoshiro is 32 bytes and allocates nothing; it is not safe for
// concurrent use.
type Xoshiro struct {
	s0, s1, s2, s3 uint64
}

// NewXoshiro returns a generator seeded with seed and keys (see Seed).
func NewXoshiro(seed uint64, keys ...uint64) *Xoshiro {
	g := new(Xoshiro)
	g.Seed(seed, keys...)
	return g
}

// Seed resets g to the stream of seed and keys, without allocating. The
// state words are four successive SplitMix64 outputs, from the first word
// of State(seed, keys...) and, for the last two, that word xored with
// the second. The same (seed, keys...) gives the same stream on every
// platform.
func (g *Xoshiro) Seed(seed uint64, keys ...uint64) {
	hi, lo := State(seed, keys...)
	x := hi
	g.s0 = splitmix64(&x)
	g.s1 = splitmix64(&x)
	x ^= lo
	g.s2 = splitmix64(&x)
	g.s3 = splitmix64(&x)
	// s0 and s1 are mix of two different words, and mix is a bijection:
	// they are never both zero, so the state is never the fixed point.
}

// splitmix64 advances *x by the golden-ratio increment and returns the
// SplitMix64 output for it.
func splitmix64(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns the next 64 random bits (xoshiro256++). With it, a
// *Xoshiro is a math/rand/v2 Source.
func (g *Xoshiro) Uint64() uint64 {
	var r uint64
	r, g.s0, g.s1, g.s2, g.s3 = xoshiroNext(g.s0, g.s1, g.s2, g.s3)
	return r
}

// Float64 returns a uniform number in [0, 1): the top 53 bits of a
// Uint64, scaled. (rand.Rand.Float64 takes the low 53 bits instead: the
// two give different numbers from the same stream.)
func (g *Xoshiro) Float64() float64 {
	return float64(g.Uint64()>>11) * 0x1p-53
}

// openFloat64 returns a uniform number in (0, 1): the top 53 bits of a
// Uint64 plus one half, scaled.
func (g *Xoshiro) openFloat64() float64 { return openFloat64(g.Uint64()) }

// openFloat64 maps a word to (0, 1): its top 53 bits plus one half, scaled.
func openFloat64(b uint64) float64 {
	return (float64(b>>11) + 0.5) * 0x1p-53
}

// xoshiroMagic starts the binary form of a Xoshiro.
const xoshiroMagic = "xoshiro256++:"

// errXoshiroBinary is returned for a binary form that is not one of
// AppendBinary's.
var errXoshiroBinary = errors.New("rng: invalid Xoshiro encoding")

// AppendBinary implements encoding.BinaryAppender: it appends the magic
// "xoshiro256++:" and the four state words, big-endian, to b.
func (g *Xoshiro) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, xoshiroMagic...)
	b = binary.BigEndian.AppendUint64(b, g.s0)
	b = binary.BigEndian.AppendUint64(b, g.s1)
	b = binary.BigEndian.AppendUint64(b, g.s2)
	b = binary.BigEndian.AppendUint64(b, g.s3)
	return b, nil
}

// MarshalBinary implements encoding.BinaryMarshaler: the state of g, as
// AppendBinary writes it (45 bytes).
func (g *Xoshiro) MarshalBinary() ([]byte, error) {
	return g.AppendBinary(make([]byte, 0, len(xoshiroMagic)+32))
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler: it restores the
// state that MarshalBinary saved. It refuses data of another form and
// the all-zero state, and then leaves g unchanged.
func (g *Xoshiro) UnmarshalBinary(data []byte) error {
	if len(data) != len(xoshiroMagic)+32 || string(data[:len(xoshiroMagic)]) != xoshiroMagic {
		return errXoshiroBinary
	}
	w := data[len(xoshiroMagic):]
	s0 := binary.BigEndian.Uint64(w)
	s1 := binary.BigEndian.Uint64(w[8:])
	s2 := binary.BigEndian.Uint64(w[16:])
	s3 := binary.BigEndian.Uint64(w[24:])
	if s0|s1|s2|s3 == 0 {
		return errXoshiroBinary
	}
	g.s0, g.s1, g.s2, g.s3 = s0, s1, s2, s3
	return nil
}

// xoshiroNext returns the word of the xoshiro256++ state s0–s3 and the
// next state.
func xoshiroNext(s0, s1, s2, s3 uint64) (w, n0, n1, n2, n3 uint64) {
	w = bits.RotateLeft64(s0+s3, 23) + s0
	t := s1 << 17
	s2 ^= s0
	s3 ^= s1
	s1 ^= s2
	s0 ^= s3
	s2 ^= t
	s3 = bits.RotateLeft64(s3, 45)
	return w, s0, s1, s2, s3
}
