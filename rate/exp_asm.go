//go:build amd64 && !noasm && !purego

package rate

// sigmoidPairs sets r[i] = Sigmoid(x[i]) for i < len(x) &^ 1, two at a
// time in SSE2 (exp_amd64.s), up to the first pair with an argument
// beyond expLimit (or a NaN), and returns the number of values done.
// len(r) ≥ len(x).
//
//go:noescape
func sigmoidPairs(r, x []float64) int
