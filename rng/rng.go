package rng

import "math/rand/v2"

// mix is the SplitMix64 finaliser: a bijection on uint64 with good
// avalanche behaviour.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// State returns the two PCG seed words for seed and keys. The order of the
// keys matters: (1, 2) and (2, 1) are different streams.
func State(seed uint64, keys ...uint64) (hi, lo uint64) {
	hi = mix(seed)
	lo = mix(hi ^ 0x6a09e667f3bcc909)
	for _, k := range keys {
		hi = mix(hi ^ mix(k))
		lo = mix(lo + hi)
	}
	return hi, lo
}

// NewPCG returns a PCG source for seed and keys. A *rand.PCG can be saved
// and restored with MarshalBinary and UnmarshalBinary, which checkpoints use.
func NewPCG(seed uint64, keys ...uint64) *rand.PCG {
	return rand.NewPCG(State(seed, keys...))
}

// New returns a generator for seed and keys.
func New(seed uint64, keys ...uint64) *rand.Rand {
	return rand.New(NewPCG(seed, keys...))
}

// Reseed resets src to the stream for seed and keys, without allocating.
func Reseed(src *rand.PCG, seed uint64, keys ...uint64) {
	src.Seed(State(seed, keys...))
}
