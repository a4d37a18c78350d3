//go:build amd64 && !noasm && !purego

package rate

import (
	"math"
	"testing"

	"github.com/spikernn/spikernn/rng"
)

// TestCSRKernels checks both assembly kernels against csrMulVecGo bit for
// bit, on rows of every length mod 8 (blocks of eight, a block of four,
// and one to three entries after them).
func TestCSRKernels(t *testing.T) {
	defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
	sparseMaxDensity = 1
	kernels := map[string]func(y, x []float64, ptr, col []int32, val []float64){"SSE2": csrMulVecSSE2}
	if csrAVX2 {
		kernels["AVX2"] = csrMulVecAVX2
	}
	r := rng.New(9)
	lengths := map[int]bool{}
	for _, n := range []int{1, 3, 7, 8, 9, 17, 33, 200} {
		for _, density := range []float64{0, 0.05, 0.3, 0.6, 1} {
			w := randSparse(r, n, density)
			var s sparseRec
			s.setSupportNonzero(n, w)
			s.rebuild(n, w)
			x := make([]float64, n)
			for i := range x {
				x[i] = r.NormFloat64() * math.Ldexp(1, int(r.Uint64N(40))-20)
			}
			for _, a := range []*csr{&s.fwd, &s.bwd} {
				for i := range n {
					lengths[int(a.ptr[i+1]-a.ptr[i])%8] = true
				}
				want := make([]float64, n)
				csrMulVecGo(want, x, a.ptr, a.col, a.val)
				for name, kernel := range kernels {
					got := make([]float64, n+1)
					got[n] = 7
					kernel(got[:n], x, a.ptr, a.col, a.val)
					if !equalBits(got[:n], want) || got[n] != 7 {
						t.Fatalf("%s, n=%d density %v: kernel %v, Go %v", name, n, density, got, want)
					}
				}
			}
		}
	}
	if len(lengths) != 8 {
		t.Fatalf("row lengths mod 8 covered: %v", lengths)
	}
}

// forEachSigmoidKernel runs f with the kernels sigmoidVec uses here
// (AVX2 then SSE2), and with SSE2 alone.
func forEachSigmoidKernel(t *testing.T, f func(t *testing.T)) {
	t.Run("default", f)
	defer func(v bool) { sigmoidAVX2 = v }(sigmoidAVX2)
	sigmoidAVX2 = false
	t.Run("SSE2", f)
}
