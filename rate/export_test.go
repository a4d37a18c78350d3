package rate

// NoiseSample returns n standard normal numbers of the noise stream of
// seed, for tests.
func NoiseSample(n int, seed uint64) []float64 {
	var g noiseGen
	g.seed(seed)
	x := make([]float64, n)
	g.fill(x, 1)
	return x
}
