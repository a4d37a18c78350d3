package rate

// The recurrent products W_eff r (forward) and W_effᵀ δ (backward) bound
// a trial. W_eff = relu(w)·M ⊙ som_m is sparse: a connection probability
// P_rec = 0.2 gives about 20% nonzeros at initialisation, and training
// under Dale's principle drives many entries of w below 0, which relu
// zeroes (the reference's trained go-nogo network keeps 5.6%). Below
// sparseMaxDensity the products run over compressed rows, above it over
// the dense matrices with BLAS.
//
// The compressed forms are derived from W_eff alone, never from the
// history of a run: a net rebuilt from a model, or a training run resumed
// from a checkpoint, uses the same forms and computes the same bits.
//
// Under Dale's principle an entry of w that reaches w ≤ 0 has a zero
// gradient from then on (relu's derivative is 0 at and below 0, as in
// PyTorch), and its Adam moment m, which moved it down, keeps its sign
// (m ← β1·m): Adam moves it further down, never back (TestSparseFromState
// counts none). The compressed forms do not rely on this: a trainer's
// support is every entry it trains, and each rebuild after an Adam step
// keeps exactly the nonzero entries of W_eff.

// sparseMaxDensity is the largest fraction of nonzero entries of W_eff for
// which the products use the compressed forms; tests change it.
//
// BenchmarkRecurrentProduct measures the crossover against the dense BLAS
// product. At N = 200 the assembly kernel is still faster at 40% nonzeros
// (6.2 µs against 7.0 µs, medians of 5); at N = 400, where neither form
// fits the 512 KB L2 of a core, the crossover moved between about 30% and
// beyond 40% from session to session (at 40%: 27.8 against 39.6 µs in
// one, 39.4 against 26.2 µs in another). The Go kernel crosses at about
// 25% at N = 200. One threshold serves every build, so that the noasm and
// purego builds, whose kernel gives the bits of the assembly, also choose
// the same products. The networks of the method, with P_rec = 0.2, are
// far below it.
var sparseMaxDensity = 0.4

// csr is a matrix in compressed sparse row form: row i holds the values
// val[ptr[i]:ptr[i+1]] in the columns col[ptr[i]:ptr[i+1]], in increasing
// column order. Only sparseRec.rebuild fills one, which guarantees what
// the assembly product relies on: ptr starts at 0 and never decreases,
// ptr[n] ≤ len(col) = len(val), and every column is in [0, n).
type csr struct {
	n   int
	ptr []int32
	col []int32
	val []float64
}

// mulVec sets y = A x; y and x have length n. Each row is summed with
// four accumulators, entry k of a row into accumulator k mod 4 while four
// entries remain and the rest into the first, and the accumulators are
// added as (s0+s1)+(s2+s3): the result depends only on the matrix and x,
// and is the same with the assembly kernel and without.
func (a *csr) mulVec(y, x []float64) {
	if len(y) != a.n || len(x) != a.n || len(a.ptr) != a.n+1 {
		panic("rate: csr.mulVec: length mismatch")
	}
	csrMulVec(y, x, a.ptr, a.col, a.val)
}

// csrMulVecGo is the product of mulVec in Go, for platforms without the
// assembly kernel (and the build tags noasm or purego), and to check it.
// The conversions float64(a*b) round every product, as the assembly does:
// without them Go may fuse a multiply and an add (on arm64, or on amd64
// with GOAMD64=v3).
func csrMulVecGo(y, x []float64, ptr, col []int32, val []float64) {
	ptr = ptr[:len(y)+1]
	for i := range y {
		lo, hi := ptr[i], ptr[i+1]
		v := val[lo:hi]
		c := col[lo:hi]
		var s0, s1, s2, s3 float64
		for len(v) >= 4 && len(c) >= 4 {
			s0 += float64(v[0] * x[c[0]])
			s1 += float64(v[1] * x[c[1]])
			s2 += float64(v[2] * x[c[2]])
			s3 += float64(v[3] * x[c[3]])
			v, c = v[4:], c[4:]
		}
		c = c[:len(v)]
		for k, vk := range v {
			s0 += float64(vk * x[c[k]])
		}
		y[i] = (s0 + s1) + (s2 + s3)
	}
}

// sparseRec holds W_eff and W_effᵀ in compressed form, built from the
// dense W_eff over a support: the entries that may be nonzero. Outside
// its support W_eff must be zero; inside, the zeros are dropped at every
// rebuild, so that the compressed forms depend only on W_eff.
type sparseRec struct {
	// on reports whether the products use the compressed forms (the
	// density of W_eff is at most sparseMaxDensity).
	on bool
	// nnz is the number of nonzero entries of W_eff at the last rebuild.
	nnz int

	fwd csr // W_eff
	bwd csr // W_effᵀ

	// The support in row-major order: row i holds the flat indices
	// i·N + j of rowFlat[rowPtr[i]:rowPtr[i+1]], j increasing.
	rowPtr, rowFlat []int32
	// The support in column-major order: column j holds the flat indices
	// colFlat[colPtr[j]:colPtr[j+1]] and their rows colRow, i increasing.
	colPtr, colFlat, colRow []int32
}

// setSupport sets the support to the flat row-major indices in flats
// (strictly increasing, each in [0, N²)) and sizes the compressed forms
// for it.
func (s *sparseRec) setSupport(n int, flats []int32) {
	s.rowPtr = resizeInt32(s.rowPtr, n+1)
	s.rowFlat = append(s.rowFlat[:0], flats...)
	clear(s.rowPtr)
	for _, f := range flats {
		s.rowPtr[int(f)/n+1]++
	}
	for i := 0; i < n; i++ {
		s.rowPtr[i+1] += s.rowPtr[i]
	}

	// Column-major by a counting sort; rows stay increasing within a
	// column because flats is row-major.
	s.colPtr = resizeInt32(s.colPtr, n+1)
	clear(s.colPtr)
	for _, f := range flats {
		s.colPtr[int(f)%n+1]++
	}
	for j := 0; j < n; j++ {
		s.colPtr[j+1] += s.colPtr[j]
	}
	s.colFlat = resizeInt32(s.colFlat, len(flats))
	s.colRow = resizeInt32(s.colRow, len(flats))
	next := append([]int32(nil), s.colPtr[:n]...)
	for _, f := range flats {
		i, j := int(f)/n, int(f)%n
		p := next[j]
		next[j]++
		s.colFlat[p] = f
		s.colRow[p] = int32(i)
	}

	k := len(flats)
	s.fwd.n, s.bwd.n = n, n
	s.fwd.ptr = resizeInt32(s.fwd.ptr, n+1)
	s.bwd.ptr = resizeInt32(s.bwd.ptr, n+1)
	s.fwd.col = resizeInt32(s.fwd.col, k)
	s.bwd.col = resizeInt32(s.bwd.col, k)
	s.fwd.val = resizeFloat64(s.fwd.val, k)
	s.bwd.val = resizeFloat64(s.bwd.val, k)
}

// setSupportNonzero sets the support to the nonzero entries of the N×N
// row-major matrix w.
func (s *sparseRec) setSupportNonzero(n int, w []float64) {
	var flats []int32
	for f, v := range w[:n*n] {
		if v != 0 {
			flats = append(flats, int32(f))
		}
	}
	s.setSupport(n, flats)
}

// rebuild recomputes the compressed forms from w (N×N, row-major, zero
// outside the support) and decides whether the products use them. It
// allocates nothing.
func (s *sparseRec) rebuild(n int, w []float64) {
	w = w[:n*n]
	nnz := 0
	for _, f := range s.rowFlat {
		if w[f] != 0 {
			nnz++
		}
	}
	s.nnz = nnz
	s.on = float64(nnz) <= sparseMaxDensity*float64(n)*float64(n)
	if !s.on {
		return
	}
	// Every entry of the support is written at the next free position,
	// which advances only past a nonzero: no branch to mispredict.
	fwd, bwd := &s.fwd, &s.bwd
	fval, fcol := fwd.val[:len(s.rowFlat)], fwd.col[:len(s.rowFlat)]
	p := int32(0)
	for i := 0; i < n; i++ {
		fwd.ptr[i] = p
		base := int32(i * n)
		for _, f := range s.rowFlat[s.rowPtr[i]:s.rowPtr[i+1]] {
			v := w[f]
			fval[p] = v
			fcol[p] = f - base
			if v != 0 {
				p++
			}
		}
	}
	fwd.ptr[n] = p

	bval, bcol := bwd.val[:len(s.colFlat)], bwd.col[:len(s.colFlat)]
	rows := s.colRow[:len(s.colFlat)]
	p = 0
	for j := 0; j < n; j++ {
		bwd.ptr[j] = p
		lo, hi := s.colPtr[j], s.colPtr[j+1]
		for k, f := range s.colFlat[lo:hi] {
			v := w[f]
			bval[p] = v
			bcol[p] = rows[int(lo)+k]
			if v != 0 {
				p++
			}
		}
	}
	bwd.ptr[n] = p
}

func resizeInt32(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func resizeFloat64(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}
