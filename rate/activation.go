package rate

import "fmt"

// Activation is the rate nonlinearity φ of SPEC §1.
type Activation int

const (
	// ActSigmoid is φ(x) = 1/(1+e^-x).
	ActSigmoid Activation = iota
	// ActClippedReLU is φ(x) = min(max(x, 0), 20).
	ActClippedReLU
	// ActSoftplus is φ(x) = min(log(1+e^x), 20).
	ActSoftplus
)

var activationNames = [...]string{"sigmoid", "clipped_relu", "softplus"}

// String returns the name used in model files and settings.
func (a Activation) String() string {
	if a < 0 || int(a) >= len(activationNames) {
		return fmt.Sprintf("Activation(%d)", int(a))
	}
	return activationNames[a]
}

// ParseActivation returns the activation with the given name
// ("sigmoid", "clipped_relu" or "softplus").
func ParseActivation(s string) (Activation, error) {
	for i, n := range activationNames {
		if n == s {
			return Activation(i), nil
		}
	}
	return 0, fmt.Errorf("rate: unknown activation %q (want sigmoid, clipped_relu or softplus)", s)
}

// Sigmoid returns 1/(1+e^-x). e^-x is computed within 0.51 ulp (math.Exp:
// 1.7 ulp), by the method of the network's activation loop.
func Sigmoid(x float64) float64 { return 1 / (1 + exp(-x)) }
