//go:build !amd64 || noasm || purego

package rate

// sparseCrossover is the density below which the Go product beats the
// dense BLAS product: about 25% at N = 200 on amd64.
const sparseCrossover = 0.25

// csrMulVec is the product of csr.mulVec.
func csrMulVec(y, x []float64, ptr, col []int32, val []float64) {
	csrMulVecGo(y, x, ptr, col, val)
}
