//go:build amd64 && !noasm && !purego

package rate

// sparseCrossover is the density below which the assembly product beats
// the dense BLAS product: about 40% at N = 200 and 400 (6.5 µs against
// 7.2 µs at N = 200, 29.8 µs against 29.1 µs at N = 400, in
// BenchmarkRecurrentProduct).
const sparseCrossover = 0.4

// csrMulVec is the product of csr.mulVec in SSE2 assembly
// (sparse_amd64.s): the summation of csrMulVecGo, in about half its time.
// It does not check its arguments: see csr.
//
//go:noescape
func csrMulVec(y, x []float64, ptr, col []int32, val []float64)
