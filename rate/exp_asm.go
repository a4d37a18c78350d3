//go:build amd64 && !noasm && !purego

package rate

import "golang.org/x/sys/cpu"

// sigmoidAVX2 reports whether sigmoidPairs starts with the AVX2 kernel;
// tests clear it to run the SSE2 one alone.
var sigmoidAVX2 = cpu.X86.HasAVX2

// sigmoidPairs sets r[i] = Sigmoid(x[i]) for i < len(x) &^ 1, with the
// bits of Sigmoid, up to the first pair with an argument beyond expLimit
// (or a NaN), and returns the number of values done: four at a time in
// AVX2 while it can, then two at a time in SSE2 (exp_amd64.s).
// len(r) ≥ len(x).
func sigmoidPairs(r, x []float64) int {
	k := 0
	if sigmoidAVX2 {
		k = sigmoidQuads(r, x)
	}
	return k + sigmoidPairsSSE2(r[k:], x[k:])
}

// sigmoidPairsSSE2 is sigmoidPairs two at a time in SSE2.
//
//go:noescape
func sigmoidPairsSSE2(r, x []float64) int

// sigmoidQuads is sigmoidPairs four at a time in AVX2, for the first
// len(x) &^ 3 values, up to the first block of four with an argument
// beyond expLimit (or a NaN).
//
//go:noescape
func sigmoidQuads(r, x []float64) int
