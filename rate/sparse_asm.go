//go:build amd64 && !noasm && !purego

package rate

// csrMulVec is the product of csr.mulVec in SSE2 assembly
// (sparse_amd64.s): the summation of csrMulVecGo, in about half its time.
// It does not check its arguments: see csr.
//
//go:noescape
func csrMulVec(y, x []float64, ptr, col []int32, val []float64)
