package rng

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// TestXoshiroReference checks Uint64 against the output of the authors'
// xoshiro256plusplus.c from the state {1, 2, 3, 4}, as published with
// the rand_xoshiro crate's tests.
func TestXoshiroReference(t *testing.T) {
	g := Xoshiro{1, 2, 3, 4}
	want := []uint64{
		41943041, 58720359, 3588806011781223, 3591011842654386,
		9228616714210784205, 9973669472204895162, 14011001112246962877,
		12406186145184390807, 15849039046786891736, 10450023813501588000,
	}
	for k, w := range want {
		if got := g.Uint64(); got != w {
			t.Fatalf("output %d = %d, want %d", k, got, w)
		}
	}
}

func TestXoshiroSeed(t *testing.T) {
	a, b := NewXoshiro(7, 1, 2), NewXoshiro(7, 1, 2)
	for i := range 100 {
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Fatalf("draw %d: %d != %d", i, x, y)
		}
	}
	// Seed resets a used generator to the start of its stream.
	a.Seed(7, 1, 2)
	b.Seed(7, 1, 2)
	if x, y := a.Uint64(), b.Uint64(); x != y {
		t.Fatal("Seed does not restart the stream")
	}
	seen := map[uint64][3]uint64{}
	for seed := range uint64(4) {
		for k1 := range uint64(50) {
			for k2 := range uint64(50) {
				x := NewXoshiro(seed, k1, k2).Uint64()
				if prev, ok := seen[x]; ok {
					t.Fatalf("streams (%d,%d,%d) and %v start alike", seed, k1, k2, prev)
				}
				seen[x] = [3]uint64{seed, k1, k2}
			}
		}
	}
	if NewXoshiro(1, 1, 2).Uint64() == NewXoshiro(1, 2, 1).Uint64() {
		t.Fatal("key order ignored")
	}
	if NewXoshiro(1).Uint64() == NewXoshiro(1, 0).Uint64() {
		t.Fatal("an extra zero key should give a different stream")
	}
	// The stream is not PCG's for the same words.
	if NewXoshiro(3, 4).Uint64() == New(3, 4).Uint64() {
		t.Fatal("Xoshiro and PCG streams of (3, 4) start alike")
	}
}

// TestXoshiroSource uses a Xoshiro as a math/rand/v2 Source: rand.Rand
// draws its numbers from Uint64.
func TestXoshiroSource(t *testing.T) {
	var _ rand.Source = (*Xoshiro)(nil)
	a, b := NewXoshiro(9), NewXoshiro(9)
	r := rand.New(a)
	for i := range 1000 {
		if x, y := r.Uint64(), b.Uint64(); x != y {
			t.Fatalf("draw %d: rand.Rand %d, Xoshiro %d", i, x, y)
		}
	}
	// Float64 is uniform on [0, 1).
	const n = 200_000
	var s, s2 float64
	for range n {
		u := b.Float64()
		if u < 0 || u >= 1 {
			t.Fatalf("Float64 = %v", u)
		}
		s += u
		s2 += u * u
	}
	if m, v := s/n, s2/n-(s/n)*(s/n); math.Abs(m-0.5) > 5*math.Sqrt(1.0/12/n) || math.Abs(v-1.0/12) > 0.001 {
		t.Fatalf("Float64 mean %v variance %v, want 0.5, 1/12", m, v)
	}
	for range 10000 {
		if u := b.openFloat64(); u <= 0 || u >= 1 {
			t.Fatalf("openFloat64 = %v", u)
		}
	}
}

func TestXoshiroBinary(t *testing.T) {
	g := NewXoshiro(4, 5)
	g.Uint64()
	data, err := g.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 45 || !bytes.HasPrefix(data, []byte("xoshiro256++:")) {
		t.Fatalf("MarshalBinary = %q", data)
	}
	if app, _ := g.AppendBinary([]byte("x")); !bytes.Equal(app[1:], data) {
		t.Fatalf("AppendBinary = %q, want x + %q", app, data)
	}
	var h Xoshiro
	if err := h.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if x, y := g.NormFloat64(), h.NormFloat64(); x != y {
			t.Fatalf("draw %d after restore: %v, want %v", i, y, x)
		}
	}
	zero := append([]byte("xoshiro256++:"), make([]byte, 32)...)
	saved := h
	for _, bad := range [][]byte{nil, data[:44], append(data[:45:45], 0), []byte("pcg:0123456789abcdef0123456789abcdef01234567"), zero} {
		if err := h.UnmarshalBinary(bad); err == nil {
			t.Errorf("UnmarshalBinary(%q) accepted", bad)
		}
		if h != saved {
			t.Fatalf("UnmarshalBinary(%q) changed the state", bad)
		}
	}
}

// BenchmarkUint64 measures one 64-bit draw.
func BenchmarkUint64(b *testing.B) {
	g := NewXoshiro(1)
	var s uint64
	for b.Loop() {
		s += g.Uint64()
	}
	sink = float64(s)
}

// BenchmarkXoshiroSeed measures Seed with three keys.
func BenchmarkXoshiroSeed(b *testing.B) {
	var g Xoshiro
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		g.Seed(1, uint64(i), 3)
	}
}
