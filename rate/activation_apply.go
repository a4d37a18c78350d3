package rate

import "math"

// ClipMax is the upper clip of the clipped_relu and softplus activations.
const ClipMax = 20

// Apply returns φ(x).
func (a Activation) Apply(x float64) float64 {
	switch a {
	case ActClippedReLU:
		return min(max(x, 0), ClipMax)
	case ActSoftplus:
		return min(softplus(x), ClipMax)
	default:
		return Sigmoid(x)
	}
}

// softplus returns log(1+e^x) without overflow.
func softplus(x float64) float64 {
	return max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// applyVec sets r[i] = φ(x[i]).
func (a Activation) applyVec(r, x []float64) {
	r = r[:len(x)]
	switch a {
	case ActClippedReLU:
		for i, v := range x {
			r[i] = min(max(v, 0), ClipMax)
		}
	case ActSoftplus:
		for i, v := range x {
			r[i] = min(softplus(v), ClipMax)
		}
	default:
		sigmoidVec(r, x)
	}
}

// derivVec multiplies d[i] by φ'(x[i]), where r[i] = φ(x[i]). The
// derivative is 0 wherever the clip or the relu is active, as in the
// reference (relu has gradient 0 at and below 0).
func (a Activation) derivVec(d, x, r []float64) {
	d = d[:len(x)]
	r = r[:len(x)]
	switch a {
	case ActClippedReLU:
		for i, v := range x {
			if !(v > 0 && v < ClipMax) {
				d[i] = 0
			}
		}
	case ActSoftplus:
		for i, v := range x {
			if r[i] < ClipMax {
				d[i] *= 1 / (1 + math.Exp(-v))
			} else {
				d[i] = 0
			}
		}
	default:
		for i, ri := range r {
			d[i] *= ri * (1 - ri)
		}
	}
}
