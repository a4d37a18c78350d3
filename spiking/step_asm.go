//go:build amd64 && !noasm && !purego

package spiking

import "golang.org/x/sys/cpu"

// stepAVX2 reports whether stepUnits runs the AVX2 kernel: whether the
// CPU (and the OS) support AVX2. Tests clear it to run the Go fallback.
var stepAVX2 = cpu.X86.HasAVX2

// stepUnits is stepUnitsGo, in the AVX2 kernel stepUnitsAVX2 when the CPU
// has AVX2 and spk has room for len(v) more units (Run's buffer has it),
// and in Go otherwise. Both give the same bits and the same units.
func stepUnits(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) []int32 {
	n := len(v)
	if !stepAVX2 || cap(spk)-len(spk) < n {
		return stepUnitsGo(spk, v, tfree, ipsc, ext, z, h, decayD, t, a, dt, decayR, peak, detect)
	}
	tfree, ipsc, ext = tfree[:n], ipsc[:n], ext[:n]
	z, h, decayD = z[:n], h[:n], decayD[:n]
	m := len(spk)
	c := stepUnitsAVX2(spk[m:m+n], v, tfree, ipsc, ext, z, h, decayD, t, a, dt, decayR, peak, detect)
	return spk[:m+c]
}

// stepUnitsAVX2 is stepUnitsGo in AVX2 assembly (step_amd64.s), four
// units at a time, with its bits: it advances v, ipsc and h of the len(v)
// units, writes the units k with v[k] ≥ peak to spk in increasing order
// when detect is set, and returns their number. It does not check its
// arguments: spk and every other slice hold at least len(v) values, and
// the CPU must have AVX2.
//
//go:noescape
func stepUnitsAVX2(spk []int32, v, tfree, ipsc, ext, z, h, decayD []float64, t, a, dt, decayR, peak float64, detect bool) int
