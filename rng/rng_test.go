package rng

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a, b := New(7, 1, 2), New(7, 1, 2)
	for i := 0; i < 100; i++ {
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Fatalf("draw %d: %d != %d", i, x, y)
		}
	}
}

func TestStreamsDiffer(t *testing.T) {
	seen := map[uint64][2]uint64{}
	for seed := uint64(0); seed < 4; seed++ {
		for k1 := uint64(0); k1 < 50; k1++ {
			for k2 := uint64(0); k2 < 50; k2++ {
				x := New(seed, k1, k2).Uint64()
				if prev, ok := seen[x]; ok {
					t.Fatalf("streams (%d,%d,%d) and %v start alike", seed, k1, k2, prev)
				}
				seen[x] = [2]uint64{k1, k2}
			}
		}
	}
	if New(1, 1, 2).Uint64() == New(1, 2, 1).Uint64() {
		t.Fatal("key order ignored")
	}
	if New(1).Uint64() == New(1, 0).Uint64() {
		t.Fatal("an extra zero key should give a different stream")
	}
}

func TestReseed(t *testing.T) {
	src := rand.NewPCG(0, 0)
	Reseed(src, 3, 4)
	if got, want := rand.New(src).Uint64(), New(3, 4).Uint64(); got != want {
		t.Fatalf("Reseed stream %d, want %d", got, want)
	}
}

// TestNormalMoments checks that neighbouring streams give standard normal
// draws with the right mean and variance.
func TestNormalMoments(t *testing.T) {
	const n = 200000
	var s, s2 float64
	for k := uint64(0); k < 100; k++ {
		r := New(42, k)
		for i := 0; i < n/100; i++ {
			x := r.NormFloat64()
			s += x
			s2 += x * x
		}
	}
	mean, v := s/n, s2/n-(s/n)*(s/n)
	if math.Abs(mean) > 0.01 || math.Abs(v-1) > 0.02 {
		t.Fatalf("mean %.4f var %.4f", mean, v)
	}
}

func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = New(1, uint64(i))
	}
}

func BenchmarkReseed(b *testing.B) {
	src := rand.NewPCG(0, 0)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Reseed(src, 1, uint64(i), 3)
	}
}
