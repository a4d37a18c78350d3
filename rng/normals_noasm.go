//go:build !amd64 || noasm || purego

package rng

// zigSIMD reports whether Normals runs in SIMD: never on this platform.
const zigSIMD = false

// zigNormals is never called without SIMD.
func zigNormals(dst []float64, gen *Xoshiro, words *[4]uint64, scale float64, tw *[2 * zigLayers]float64) (n, rejected int) {
	return 0, 0
}

// zigNormals4 is never called without SIMD.
func zigNormals4(dst []float64, gen *Xoshiro4, scale float64, tw *[2 * zigLayers]float64) (n, rejected int) {
	return 0, 0
}
