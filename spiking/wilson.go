package spiking

import "math"

// z95 is the standard normal quantile of 0.975, for two-sided 95 %
// intervals.
const z95 = 1.959963984540054

// Wilson returns the 95 % Wilson score interval of a proportion: correct
// successes out of n trials. It stays inside [0, 1] and is not empty at 0
// or n successes, unlike the normal approximation. For n = 0 it returns
// [0, 1].
func Wilson(correct, n int) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	nf := float64(n)
	p := float64(correct) / nf
	z2 := z95 * z95
	den := 1 + z2/nf
	center := (p + z2/(2*nf)) / den
	half := z95 / den * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf))
	return max(0, center-half), min(1, center+half)
}

// correctCount returns the number of correct trials.
func correctCount(trs []TrialResult) int {
	c := 0
	for _, t := range trs {
		if t.Correct {
			c++
		}
	}
	return c
}
