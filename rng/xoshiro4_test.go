package rng

import (
	"math"
	"testing"
)

// TestXoshiro4Lanes checks that the words of a Xoshiro4 interleave those
// of its four lanes, each NewXoshiro(seed, keys..., l).
func TestXoshiro4Lanes(t *testing.T) {
	for _, keys := range [][]uint64{nil, {7}, {7, 1 << 50}} {
		g := NewXoshiro4(99, keys...)
		var lanes [4]*Xoshiro
		for l := range lanes {
			lanes[l] = NewXoshiro(99, append(append([]uint64(nil), keys...), uint64(l))...)
		}
		for k := range 1000 {
			if got, want := g.Uint64(), lanes[k%4].Uint64(); got != want {
				t.Fatalf("keys %v, word %d: %#x, want lane %d's %#x", keys, k, got, k%4, want)
			}
		}
	}
}

// TestXoshiro4Normals checks that Normals draws exactly scale × the
// numbers of NormFloat64, bit for bit, starting and stopping anywhere in a
// step of the lanes, over enough draws to take the wedge and tail paths
// many times, and leaves the generator in step.
func TestXoshiro4Normals(t *testing.T) {
	const n = 1_000_000
	for _, scale := range []float64{1, 0.1, -3.7} {
		a, b := NewXoshiro4(11, 12), NewXoshiro4(11, 12)
		xs := make([]float64, n)
		for lo := 0; lo < n; {
			hi := min(lo+lo%211, n)
			a.Normals(xs[lo:hi], scale)
			lo = hi
			if lo < n && lo%3 == 0 {
				xs[lo] = a.NormFloat64() * scale
				lo++
			}
		}
		tails := 0
		for k, x := range xs {
			want := b.NormFloat64()
			if math.Abs(want) > zigR {
				tails++
			}
			if math.Float64bits(x) != math.Float64bits(want*scale) {
				t.Fatalf("scale %v, draw %d: Normals %v, NormFloat64 × scale %v", scale, k, x, want*scale)
			}
		}
		if a.Uint64() != b.Uint64() || *a != *b {
			t.Fatalf("scale %v: the generators are out of step after %d draws", scale, n)
		}
		if tails == 0 {
			t.Fatalf("no tail draw in %d", n)
		}
	}
}

// TestXoshiro4Stream pins the normal stream of Xoshiro4 for three seeds.
// The same hashes must come with and without the assembly (go test -tags
// noasm): the noise of a spiking trial does not depend on the machine.
func TestXoshiro4Stream(t *testing.T) {
	want := map[uint64]uint64{
		0:       0x859fdfb832c46ff5,
		1:       0xa61be1c6f46a54a7,
		1 << 40: 0x68cd414658761905,
	}
	for seed, hash := range want {
		g := NewXoshiro4(seed)
		if got := normalsHash(200_000, g.Normals); got != hash {
			t.Errorf("seed %d: stream hash %#x, want %#x", seed, got, hash)
		}
	}
}

// TestXoshiro4Allocs checks that seeding and drawing allocate nothing.
func TestXoshiro4Allocs(t *testing.T) {
	var g Xoshiro4
	dst := make([]float64, 200)
	if n := testing.AllocsPerRun(100, func() {
		g.Seed(3, 4)
		g.Normals(dst, 0.1)
		_ = g.Float64()
		_ = g.NormFloat64()
	}); n != 0 {
		t.Fatalf("%v allocations per run", n)
	}
}

// TestZigNormals4 checks the assembly kernel against Xoshiro4.Uint64,
// zigDraw and inRect, as TestZigNormals does for zigNormals, and the
// words and place it leaves in the generator at a rejection.
func TestZigNormals4(t *testing.T) {
	if !zigSIMD {
		t.Skip("no SIMD kernel on this machine")
	}
	rejections := 0
	for trial := range 50000 {
		g := NewXoshiro4(uint64(trial))
		ref := *g
		dst := make([]float64, trial%41)
		scale := []float64{1, 0.1, -2.5}[trial%3]
		n, rejected := zigNormals4(dst, g, scale, &zigTW)

		wantN, wantRej := 0, 0
		for wantRej == 0 && len(dst)-wantN >= zigBlock {
			ok := 0
			for k := range zigBlock {
				if w := ref.Uint64(); ok == k && inRect(zigDraw(w)) {
					ok++
				}
			}
			wantN += ok
			if ok < zigBlock {
				wantRej = 1
				ref.pos = ok
			}
		}
		rejections += wantRej
		if n != wantN || rejected != wantRej {
			t.Fatalf("trial %d (%d places): n, rejected = %d, %d; want %d, %d", trial, len(dst), n, rejected, wantN, wantRej)
		}
		// The words of a step are there to hand out only at a rejection.
		if g.s != ref.s || g.pos != ref.pos || (rejected == 1 && g.buf != ref.buf) {
			t.Fatalf("trial %d: generator %+v, want %+v", trial, *g, ref)
		}
		chk := NewXoshiro4(uint64(trial))
		for k := range n {
			i, j := zigDraw(chk.Uint64())
			if x := j * zigW[i] * scale; math.Float64bits(dst[k]) != math.Float64bits(x) {
				t.Fatalf("trial %d, draw %d: %v, want %v", trial, k, dst[k], x)
			}
		}
	}
	if rejections < 100 {
		t.Fatalf("only %d rejections: the test misses that path", rejections)
	}
}
