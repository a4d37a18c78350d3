package rng

import (
	"math"
	"testing"
)

// TestZigNormals checks the assembly kernel against Xoshiro.Uint64,
// zigDraw and inRect on generators from many seeds, in places for up to
// 40 draws, with about one candidate in 60 rejected: the count it returns,
// the rejection flag, the words it leaves, the generator state after it,
// and every value it promises, bit for bit.
func TestZigNormals(t *testing.T) {
	if !zigSIMD {
		t.Skip("no SIMD kernel on this machine")
	}
	rejections := 0
	for trial := range 50000 {
		g := NewXoshiro(uint64(trial))
		ref := *g
		dst := make([]float64, trial%41)
		scale := []float64{1, 0.1, -2.5}[trial%3]
		var words [zigBlock]uint64
		n, rejected := zigNormals(dst, g, &words, scale, &zigTW)

		// What it should have done.
		var want [zigBlock]uint64
		wantN, wantRej, blocks := 0, 0, 0
		for wantRej == 0 && len(dst)-wantN >= zigBlock {
			blocks++
			ok := 0
			for k := range want {
				want[k] = ref.Uint64()
				if ok == k && inRect(zigDraw(want[k])) {
					ok++
				}
			}
			wantN += ok
			if ok < zigBlock {
				wantRej = 1
			}
		}
		rejections += wantRej
		if n != wantN || rejected != wantRej {
			t.Fatalf("trial %d (%d places): n, rejected = %d, %d; want %d, %d", trial, len(dst), n, rejected, wantN, wantRej)
		}
		if *g != ref {
			t.Fatalf("trial %d: the generator is not %d words on", trial, blocks*zigBlock)
		}
		if blocks > 0 && words != want {
			t.Fatalf("trial %d: words %x, want the last block's %x", trial, words, want)
		}
		chk := NewXoshiro(uint64(trial))
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
