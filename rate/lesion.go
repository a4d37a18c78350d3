package rate

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Block is one of the four connection classes by presynaptic and
// postsynaptic type.
type Block int

// The connection blocks, named presynaptic→postsynaptic.
const (
	EE Block = iota // excitatory → excitatory
	EI              // excitatory → inhibitory
	IE              // inhibitory → excitatory
	II              // inhibitory → inhibitory
)

var blockNames = [...]string{"E→E", "E→I", "I→E", "I→I"}

// String returns "E→E", "E→I", "I→E" or "I→I".
func (b Block) String() string {
	if b < 0 || int(b) >= len(blockNames) {
		return fmt.Sprintf("Block(%d)", int(b))
	}
	return blockNames[b]
}

// blockOf returns the block of the connection from unit j to unit i.
func (m *Model) blockOf(i, j int) Block {
	b := EE
	if m.Inh[j] {
		b = IE
	}
	if m.Inh[i] {
		b++
	}
	return b
}

// LesionResult counts the connections of each block before a lesion and
// the connections it removed.
type LesionResult struct {
	// Existing and Removed are indexed by Block.
	Existing, Removed [4]int
}

// TotalRemoved returns the number of connections removed.
func (r LesionResult) TotalRemoved() int {
	return r.Removed[EE] + r.Removed[EI] + r.Removed[IE] + r.Removed[II]
}

// Lesion removes (sets w to 0) a fraction of the existing connections:
// those whose effective weight W_eff[i][j] is nonzero. With perBlock
// false it removes round(frac × count) connections chosen uniformly at
// random among all of them; with perBlock true it removes the same
// fraction within each E→E, E→I, I→E and I→I block separately. Randomness
// comes from r. frac must be in [0, 1].
//
// The lesion changes W only; make a new Net (or call Refresh) afterwards.
func (m *Model) Lesion(frac float64, perBlock bool, r *rand.Rand) (LesionResult, error) {
	var res LesionResult
	if !inUnit(frac) {
		return res, fmt.Errorf("rate: lesion fraction = %v, want in [0, 1]", frac)
	}
	if r == nil {
		return res, fmt.Errorf("rate: lesion needs a random generator")
	}
	if err := m.Validate(); err != nil {
		return res, err
	}
	weff := m.EffectiveWeights(nil, m.W, m.ApplyDale)
	n := m.N
	var groups [4][]int
	raw := weff.RawMatrix()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if raw.Data[i*raw.Stride+j] == 0 {
				continue
			}
			b := m.blockOf(i, j)
			res.Existing[b]++
			g := b
			if !perBlock {
				g = EE
			}
			groups[g] = append(groups[g], i*n+j)
		}
	}
	w := m.W.RawMatrix()
	for _, g := range groups {
		k := int(math.Round(frac * float64(len(g))))
		// Partial Fisher–Yates: the first k entries become a uniform
		// sample without replacement.
		for q := 0; q < k; q++ {
			p := q + r.IntN(len(g)-q)
			g[q], g[p] = g[p], g[q]
			i, j := g[q]/n, g[q]%n
			w.Data[i*w.Stride+j] = 0
			res.Removed[m.blockOf(i, j)]++
		}
	}
	return res, nil
}
