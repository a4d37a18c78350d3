package rng_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/spikernn/spikernn/rng"
)

// A Xoshiro seeded from (run seed, trial index) draws the same noise
// whatever the order in which trials run; it is also a rand.Source.
func ExampleXoshiro() {
	var g rng.Xoshiro
	for trial := range uint64(2) {
		g.Seed(1, trial)
		fmt.Printf("trial %d: %.4f %.4f\n", trial, g.NormFloat64(), g.NormFloat64())
	}
	// As a rand.Source, for rand.Rand's other distributions.
	r := rand.New(rng.NewXoshiro(1, 2))
	fmt.Println(r.Perm(5), r.IntN(6)+1)
	// Output:
	// trial 0: 0.0931 -0.6319
	// trial 1: 0.1900 -2.0281
	// [2 0 1 4 3] 3
}

// Normals fills a network's noise for one step: N draws of standard
// deviation 0.1, exactly 0.1 × the numbers NormFloat64 gives.
func ExampleXoshiro_Normals() {
	g := rng.NewXoshiro(7)
	noise := make([]float64, 4)
	g.Normals(noise, 0.1)
	g.Seed(7)
	for _, z := range noise {
		fmt.Printf("%.5f %v\n", z, z == 0.1*g.NormFloat64())
	}
	// Output:
	// -0.09380 true
	// -0.06700 true
	// 0.13624 true
	// 0.04640 true
}
