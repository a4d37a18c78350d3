package rate

import (
	"fmt"
	"math"
)

// Adam defaults of the method (SPEC §1), also PyTorch's defaults apart from
// the learning rate.
const (
	DefaultLearningRate = 0.01
	DefaultBeta1        = 0.9
	DefaultBeta2        = 0.999
	DefaultEps          = 1e-8
)

// Adam is the Adam optimiser with the semantics of torch.optim.Adam
// (PyTorch 1.13, no weight decay, no amsgrad): for step s = 1, 2, …
//
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + (1-β2)·g·g
//	θ ← θ - (lr/(1-β1^s)) · m / (sqrt(v)/sqrt(1-β2^s) + ε)
//
// The bias corrections divide the step size and the root of v, exactly
// as PyTorch does (ε is added after the correction of v). A parameter
// whose gradient has always been 0 never moves.
type Adam struct {
	// LR is the learning rate.
	LR float64
	// Beta1 and Beta2 are the decay rates of the moment estimates.
	Beta1, Beta2 float64
	// Eps is added to the denominator.
	Eps float64
	// Step is the number of updates done so far.
	Step int
	// M and V are the first and second moment estimates, one per
	// parameter.
	M, V []float64
}

// NewAdam returns an optimiser for n parameters with the given settings
// and zero moments.
func NewAdam(n int, lr, beta1, beta2, eps float64) *Adam {
	return &Adam{LR: lr, Beta1: beta1, Beta2: beta2, Eps: eps, M: make([]float64, n), V: make([]float64, n)}
}

// Update does one step on the parameters theta with gradient grad (both
// of the optimiser's length).
func (a *Adam) Update(theta, grad []float64) {
	if len(theta) != len(a.M) || len(grad) != len(a.M) {
		panic(fmt.Sprintf("rate: Adam.Update length mismatch: %d parameters, %d gradients, state %d",
			len(theta), len(grad), len(a.M)))
	}
	a.Step++
	s := float64(a.Step)
	bc1 := 1 - math.Pow(a.Beta1, s)
	bc2 := 1 - math.Pow(a.Beta2, s)
	stepSize := a.LR / bc1
	bc2Sqrt := math.Sqrt(bc2)
	b1, b2 := a.Beta1, a.Beta2
	c1, c2 := 1-b1, 1-b2
	m, v := a.M[:len(theta)], a.V[:len(theta)]
	grad = grad[:len(theta)]
	for i, g := range grad {
		mi := m[i]*b1 + c1*g
		vi := v[i]*b2 + c2*g*g
		m[i], v[i] = mi, vi
		denom := math.Sqrt(vi)/bc2Sqrt + a.Eps
		theta[i] += -stepSize * mi / denom
	}
}
