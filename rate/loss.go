package rate

import (
	"fmt"
	"math"
)

// Loss is the training loss over a trial's T-1 outputs (SPEC §1).
type Loss int

const (
	// L2 is sqrt(Σ (o_t - z[t-1])²): the root of the sum, not of the mean.
	L2 Loss = iota
	// L1 is Σ |o_t - z[t-1]|.
	L1
)

var lossNames = [...]string{"l2", "l1"}

// String returns "l2" or "l1".
func (l Loss) String() string {
	if l < 0 || int(l) >= len(lossNames) {
		return fmt.Sprintf("Loss(%d)", int(l))
	}
	return lossNames[l]
}

// ParseLoss returns the loss named s ("l2" or "l1").
func ParseLoss(s string) (Loss, error) {
	for i, n := range lossNames {
		if n == s {
			return Loss(i), nil
		}
	}
	return 0, fmt.Errorf("rate: unknown loss %q (want l2 or l1)", s)
}

// Value returns the loss of outputs o against target z (equal lengths).
func (l Loss) Value(o, z []float64) float64 {
	if len(o) != len(z) {
		panic("rate: Loss.Value length mismatch")
	}
	s := 0.0
	if l == L1 {
		for i, v := range o {
			s += math.Abs(v - z[i])
		}
		return s
	}
	for i, v := range o {
		e := v - z[i]
		s += e * e
	}
	return math.Sqrt(s)
}

// grad sets g to dL/do for outputs o, target z and loss value val. It
// follows PyTorch: sign(0) = 0 for l1. For l2 at a loss of exactly 0,
// where the derivative of the square root is undefined, g is set to 0.
func (l Loss) grad(g, o, z []float64, val float64) {
	g = g[:len(o)]
	if l == L1 {
		for i, v := range o {
			switch e := v - z[i]; {
			case e > 0:
				g[i] = 1
			case e < 0:
				g[i] = -1
			default:
				g[i] = 0
			}
		}
		return
	}
	if val == 0 {
		clear(g)
		return
	}
	for i, v := range o {
		g[i] = (v - z[i]) / val
	}
}
