//go:build !amd64 || noasm || purego

package rate

// csrMulVec is the product of csr.mulVec.
func csrMulVec(y, x []float64, ptr, col []int32, val []float64) {
	csrMulVecGo(y, x, ptr, col, val)
}
