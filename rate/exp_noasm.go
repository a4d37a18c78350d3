//go:build !amd64 || noasm || purego

package rate

// sigmoidPairs sets r[i] = Sigmoid(x[i]) for i < len(x) &^ 1 and returns
// their number.
func sigmoidPairs(r, x []float64) int {
	x = x[:len(x)&^1]
	r = r[:len(x)]
	for i, v := range x {
		r[i] = Sigmoid(v)
	}
	return len(x)
}
