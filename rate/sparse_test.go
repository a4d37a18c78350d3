package rate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/spikernn/spikernn/rng"
	"github.com/spikernn/spikernn/tasks"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// randSparse returns an n×n row-major matrix with about density·n²
// nonzero entries, some of them -0 (which count as zero).
func randSparse(r *rand.Rand, n int, density float64) []float64 {
	w := make([]float64, n*n)
	for k := range w {
		switch u := r.Float64(); {
		case u < density:
			w[k] = r.NormFloat64()
		case u < density+0.01:
			w[k] = math.Copysign(0, -1)
		}
	}
	return w
}

// denseMulVec returns A x for the n×n row-major A, summed in order.
func denseMulVec(a []float64, n int, x []float64) []float64 {
	y := make([]float64, n)
	for i := range y {
		for j, v := range a[i*n : (i+1)*n] {
			y[i] += v * x[j]
		}
	}
	return y
}

func transposed(a []float64, n int) []float64 {
	t := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			t[j*n+i] = a[i*n+j]
		}
	}
	return t
}

func TestSparseProducts(t *testing.T) {
	r := rng.New(3)
	for _, n := range []int{1, 2, 7, 30, 201} {
		for _, density := range []float64{0, 0.03, 0.2, 0.6, 1} {
			w := randSparse(r, n, density)
			x := make([]float64, n)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			var s sparseRec
			// The support is a superset of the nonzeros: every third
			// zero entry joins it.
			var flats []int32
			for f, v := range w {
				if v != 0 || f%3 == 0 {
					flats = append(flats, int32(f))
				}
			}
			s.setSupport(n, flats)
			s.rebuild(n, w)
			nnz := 0
			for _, v := range w {
				if v != 0 {
					nnz++
				}
			}
			if s.nnz != nnz {
				t.Fatalf("n=%d density %v: nnz %d, want %d", n, density, s.nnz, nnz)
			}
			if want := float64(nnz) <= sparseMaxDensity*float64(n*n); s.on != want {
				t.Fatalf("n=%d density %v: on = %v with %d of %d nonzero", n, density, s.on, nnz, n*n)
			}
			if !s.on {
				continue
			}
			if got := int(s.fwd.ptr[n]); got != nnz || int(s.bwd.ptr[n]) != nnz {
				t.Fatalf("n=%d density %v: %d/%d stored entries, want %d", n, density, got, s.bwd.ptr[n], nnz)
			}
			for _, c := range []struct {
				name string
				a    *csr
				want []float64
			}{
				{"W x", &s.fwd, denseMulVec(w, n, x)},
				{"Wᵀ x", &s.bwd, denseMulVec(transposed(w, n), n, x)},
			} {
				y := make([]float64, n)
				c.a.mulVec(y, x)
				for i := range y {
					if math.Abs(y[i]-c.want[i]) > 1e-12*(1+math.Abs(c.want[i])) {
						t.Fatalf("n=%d density %v: %s [%d] = %v, want %v", n, density, c.name, i, y[i], c.want[i])
					}
				}
			}
		}
	}
}

// TestCSRKernel checks that the product kernel in use (assembly on amd64)
// gives the bits of the Go kernel, for rows of every length mod 4.
func TestCSRKernel(t *testing.T) {
	defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
	sparseMaxDensity = 1
	r := rng.New(4)
	for _, n := range []int{1, 2, 3, 5, 8, 13, 64, 200} {
		for _, density := range []float64{0, 0.02, 0.1, 0.3, 0.7, 1} {
			w := randSparse(r, n, density)
			var s sparseRec
			s.setSupportNonzero(n, w)
			s.rebuild(n, w)
			x := make([]float64, n)
			for i := range x {
				x[i] = r.NormFloat64() * math.Ldexp(1, int(r.Uint64N(20))-10)
			}
			for _, a := range []*csr{&s.fwd, &s.bwd} {
				got := make([]float64, n)
				want := make([]float64, n)
				a.mulVec(got, x)
				csrMulVecGo(want, x, a.ptr, a.col, a.val)
				if !equalBits(got, want) {
					t.Fatalf("n=%d density %v: kernel %v, Go %v", n, density, got, want)
				}
			}
		}
	}
}

// TestSparseFromState checks that a trainer's compressed W_eff is the one a
// new net builds from the trained model: the forms depend on the state,
// not on the history of the run. Under Dale's principle training zeroes
// entries of W_eff through relu; without it, entries that start at zero
// become nonzero.
func TestSparseFromState(t *testing.T) {
	defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
	sparseMaxDensity = 1 // compressed products throughout
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, dale := range []bool{true, false} {
		c := ConfigFor(task)
		c.N = 40
		c.ApplyDale = dale
		m, err := New(c, rng.New(5))
		if err != nil {
			t.Fatal(err)
		}
		s := DefaultSettings(task)
		s.LearningRate = 0.05 // drive entries of w below 0
		tn, err := NewTrainer(m, task, s)
		if err != nil {
			t.Fatal(err)
		}
		stream := tasks.NewStream(task, 5)
		trial := tasks.NewTrial(task, tasks.Rate)
		zero := make([]bool, len(tn.net.weff))
		for f, v := range tn.net.weff {
			zero[f] = v == 0
		}
		zeroed, revived := 0, 0
		for range 60 {
			stream.Next(trial)
			if _, err := tn.Step(trial); err != nil {
				t.Fatal(err)
			}
			for f, v := range tn.net.weff {
				z := v == 0
				switch {
				case z && !zero[f]:
					zeroed++
				case !z && zero[f]:
					revived++
				}
				zero[f] = z
			}
		}
		// Under Dale's principle an entry that relu blocks has a zero
		// gradient from then on, and its Adam moment keeps the sign that
		// drove it below 0: it never comes back.
		t.Logf("dale=%v: %d entries of W_eff zeroed, %d became nonzero, %d nonzero at the end", dale, zeroed, revived, tn.net.sp.nnz)
		if dale && zeroed == 0 || !dale && revived == 0 {
			t.Fatalf("dale=%v: %d entries zeroed, %d became nonzero: the test does not exercise the support", dale, zeroed, revived)
		}
		fresh, err := NewNet(m.Clone())
		if err != nil {
			t.Fatal(err)
		}
		got, want := &tn.net.sp, &fresh.sp
		if !got.on || got.on != want.on || got.nnz != want.nnz {
			t.Fatalf("dale=%v: trainer: on %v, %d nonzeros; fresh net: on %v, %d", dale, got.on, got.nnz, want.on, want.nnz)
		}
		same := func(name string, a, b *csr) {
			k := int(a.ptr[tn.net.n])
			if !equalInt32(a.ptr, b.ptr) || !equalInt32(a.col[:k], b.col[:k]) || !equalBits(a.val[:k], b.val[:k]) {
				t.Errorf("dale=%v: %s: the trainer's compressed form differs from a fresh net's", dale, name)
			}
		}
		same("W_eff", &got.fwd, &want.fwd)
		same("W_effᵀ", &got.bwd, &want.bwd)
	}
}

// TestSparseDenseAgree runs the same trials through the compressed and
// the dense products: only the summation order differs.
func TestSparseDenseAgree(t *testing.T) {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	c := ConfigFor(task)
	c.N = 60
	stream := tasks.NewStream(task, 2)
	trial := tasks.NewTrial(task, tasks.Rate)
	stream.Next(trial)
	run := func(maxDensity float64) (out []float64, loss float64, g *Gradients) {
		defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
		sparseMaxDensity = maxDensity
		m, err := New(c, rng.New(9))
		if err != nil {
			t.Fatal(err)
		}
		net, err := NewNet(m)
		if err != nil {
			t.Fatal(err)
		}
		if net.sp.on != (maxDensity > 0) {
			t.Fatalf("sparseMaxDensity %v: compressed products on = %v", maxDensity, net.sp.on)
		}
		o, err := net.Run(trial.U, &RunOptions{Noise: true, Seed: trial.Seed})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o...)
		g = new(Gradients)
		loss, err = net.Gradients(g, trial.U, trial.Target, L2, &RunOptions{Noise: true, Seed: trial.Seed})
		if err != nil {
			t.Fatal(err)
		}
		return out, loss, g
	}
	oS, lS, gS := run(1)
	oD, lD, gD := run(0)
	for i := range oS {
		if math.Abs(oS[i]-oD[i]) > 1e-12*max(1, math.Abs(oD[i])) {
			t.Fatalf("o[%d]: sparse %v, dense %v", i, oS[i], oD[i])
		}
	}
	if math.Abs(lS-lD) > 1e-12*lD {
		t.Errorf("loss: sparse %v, dense %v", lS, lD)
	}
	scale := 0.0
	for _, v := range gD.W.RawMatrix().Data {
		scale = max(scale, math.Abs(v))
	}
	for k, v := range gS.W.RawMatrix().Data {
		if d := gD.W.RawMatrix().Data[k]; math.Abs(v-d) > 1e-10*scale {
			t.Fatalf("dL/dw entry %d: sparse %v, dense %v", k, v, d)
		}
	}
}

func equalInt32(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// BenchmarkRecurrentProduct measures the crossover of sparseMaxDensity:
// the compressed product W_eff x against the dense BLAS product, at
// N = 200 and 400 and a range of densities.
func BenchmarkRecurrentProduct(b *testing.B) {
	defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
	sparseMaxDensity = 1
	r := rng.New(1)
	for _, n := range []int{200, 400} {
		x := make([]float64, n)
		for i := range x {
			x[i] = r.Float64()
		}
		y := make([]float64, n)
		w := randSparse(r, n, 1)
		g := blas64.General{Rows: n, Cols: n, Stride: n, Data: w}
		b.Run(fmt.Sprintf("N=%d/dense", n), func(b *testing.B) {
			for b.Loop() {
				blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: y})
			}
		})
		for _, density := range []float64{0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4} {
			w := randSparse(r, n, density)
			var s sparseRec
			s.setSupportNonzero(n, w)
			s.rebuild(n, w)
			b.Run(fmt.Sprintf("N=%d/sparse=%.2f", n, density), func(b *testing.B) {
				for b.Loop() {
					s.fwd.mulVec(y, x)
				}
			})
		}
	}
}

// TestTrainerSparseDenseAgree trains the same network with the compressed
// and with the dense products: the runs differ only in summation order.
func TestTrainerSparseDenseAgree(t *testing.T) {
	task, err := tasks.New("go-nogo", tasks.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	c := ConfigFor(task)
	c.N = 40
	train := func(maxDensity float64) *Model {
		defer func(d float64) { sparseMaxDensity = d }(sparseMaxDensity)
		sparseMaxDensity = maxDensity
		m, err := New(c, rng.New(8))
		if err != nil {
			t.Fatal(err)
		}
		s := DefaultSettings(task)
		s.LearningRate = 0.05
		tn, err := NewTrainer(m, task, s)
		if err != nil {
			t.Fatal(err)
		}
		stream := tasks.NewStream(task, 8)
		trial := tasks.NewTrial(task, tasks.Rate)
		for range 20 {
			stream.Next(trial)
			if _, err := tn.Step(trial); err != nil {
				t.Fatal(err)
			}
			if tn.net.sp.on != (maxDensity > 0) {
				t.Fatalf("sparseMaxDensity %v: compressed products on = %v", maxDensity, tn.net.sp.on)
			}
		}
		return m
	}
	sparse, dense := train(1), train(0)
	ws, wd := sparse.W.RawMatrix().Data, dense.W.RawMatrix().Data
	for k := range ws {
		if math.Abs(ws[k]-wd[k]) > 1e-9 {
			t.Fatalf("w entry %d after 20 steps: sparse %v, dense %v", k, ws[k], wd[k])
		}
	}
	for i := range sparse.WOut {
		if math.Abs(sparse.WOut[i]-dense.WOut[i]) > 1e-9 || math.Abs(sparse.TausGaus[i]-dense.TausGaus[i]) > 1e-9 {
			t.Fatalf("unit %d after 20 steps: w_out %v / %v, taus_gaus %v / %v", i,
				sparse.WOut[i], dense.WOut[i], sparse.TausGaus[i], dense.TausGaus[i])
		}
	}
}
