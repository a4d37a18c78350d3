//go:build amd64 && !noasm && !purego

package rng

import "golang.org/x/sys/cpu"

// zigSIMD reports whether Normals runs in AVX2.
var zigSIMD = cpu.X86.HasAVX2

// zigNormals draws standard normal numbers times scale into dst with the
// generator gen and the ziggurat's fast path, four at a time, in AVX2
// (normals_amd64.s). Block by block, it takes the generator's next four
// words, leaves them in words, and sets dst[k] = j·zigW[i]·scale for each
// word's candidate (layer i, j as in zigDraw), rounding exactly as Go does.
// It stops when fewer than four places are left, or at a block with a
// candidate outside its rectangle (j² ≥ zigT[i]): then n counts the
// places filled before that candidate, which is words[n%4], and rejected
// is 1; the places after it hold scratch values. tw is zigTW.
// It requires AVX2.
//
//go:noescape
func zigNormals(dst []float64, gen *Xoshiro, words *[4]uint64, scale float64, tw *[2 * zigLayers]float64) (n, rejected int)

// zigNormals4 is zigNormals for a Xoshiro4, its four lanes stepped
// together in one AVX2 register: block by block, it sets dst[k] =
// j·zigW[i]·scale for the candidates of the lanes' next four words, until
// fewer than four places are left or a block has a candidate outside its
// rectangle. Then n counts the places filled before that candidate,
// rejected is 1, and gen.buf holds the block's words with gen.pos at the
// rejected one. gen.pos must be 4 on entry. It requires AVX2.
//
//go:noescape
func zigNormals4(dst []float64, gen *Xoshiro4, scale float64, tw *[2 * zigLayers]float64) (n, rejected int)
