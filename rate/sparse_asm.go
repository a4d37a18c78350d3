//go:build amd64 && !noasm && !purego

package rate

import "golang.org/x/sys/cpu"

// csrAVX2 reports whether csrMulVec runs the AVX2 kernel; tests clear it
// to run the SSE2 one.
var csrAVX2 = cpu.X86.HasAVX2

// csrMulVec is the product of csr.mulVec in assembly (sparse_amd64.s):
// the summation of csrMulVecGo, bit for bit, in AVX2 where the CPU has it
// and in SSE2 otherwise. It does not check its arguments: see csr.
func csrMulVec(y, x []float64, ptr, col []int32, val []float64) {
	if csrAVX2 {
		csrMulVecAVX2(y, x, ptr, col, val)
		return
	}
	csrMulVecSSE2(y, x, ptr, col, val)
}

// csrMulVecSSE2 is csrMulVec in SSE2, about half the time of
// csrMulVecGo.
//
//go:noescape
func csrMulVecSSE2(y, x []float64, ptr, col []int32, val []float64)

// csrMulVecAVX2 is csrMulVec in AVX2, two blocks of four entries per
// iteration.
//
//go:noescape
func csrMulVecAVX2(y, x []float64, ptr, col []int32, val []float64)
