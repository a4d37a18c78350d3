//go:build !amd64 || noasm || purego

package spiking

// stepAVX2 reports whether stepUnits runs the AVX2 kernel: never without
// the assembly.
var stepAVX2 = false

// stepUnits is stepUnitsGo.
func stepUnits(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32 {
	return stepUnitsGo(spk, v, tfree, ipsc, ext, z, h, decayD, t, a, dt, decayR, peak, detect)
}
