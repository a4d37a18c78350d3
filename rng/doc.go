// Package rng derives independent, reproducible random streams from a run
// seed and the coordinates of a unit of work (a trial, a λ factor, a worker
// job), so that results do not depend on scheduling or on the number of
// cores, and provides the fast normal generator of the network noise.
//
// # Streams
//
// State mixes a seed and any number of keys into two 64-bit words with the
// SplitMix64 finaliser. The same (seed, keys...) always gives the same
// words; different keys give statistically independent words for all
// practical purposes. Two generators are seeded from them:
//
//   - New and NewPCG: math/rand/v2's PCG, for everything drawn a few times
//     per trial (conditions, stimuli, initial weights). A *rand.PCG can be
//     saved and restored with MarshalBinary and UnmarshalBinary.
//   - Xoshiro: xoshiro256++ with a ziggurat normal sampler, for the noise
//     of the rate network, which draws N normal numbers per step.
//   - Xoshiro4: four xoshiro256++ lanes stepped together, lane l seeded as
//     Xoshiro from (seed, keys..., l), their words interleaved; the same
//     ziggurat on that word stream. With AVX2 the four lanes fill one
//     register and four draws run at once. It draws the noise of the
//     spiking network: 4 million normal numbers in a 1 s trial of 200
//     units.
//
// # The normal sampler
//
// NormFloat64 and Normals use a 1024-layer ziggurat
// (Marsaglia & Tsang 2000) in the form of Doornik (2005): the layer comes
// from the low 10 bits of one 64-bit draw and the signed uniform from the
// top 53, so that the two are independent, and 99.57% of the draws return
// after a square, a table comparison and a multiplication. The rest take a
// wedge test against exp(-x²/2), or, beyond R = 4.0388, Marsaglia's (1964)
// exponential method for the tail. The draws are exact standard normals
// to within the 53-bit resolution of the uniform; the tests hold their
// moments, tails beyond 1–5σ and beyond R, and their Kolmogorov–Smirnov
// distances to the exact normal and to math/rand/v2's NormFloat64.
//
// With AVX2 (amd64), Normals of both generators run the fast path in
// assembly, four candidates at a time, and leave only a rejected
// candidate to Go, taking its further words in the stream's order: the
// numbers are those of NormFloat64 bit for bit, with or without the
// assembly (build tag noasm), which the tests check. On this project's
// machine (2 shared cores) a draw costs 1.8–2.5 ns in a batch of 200 with
// Xoshiro4.Normals, 2.5–3.2 ns with Xoshiro.Normals (xoshiro256++ is one
// sequential stream, so its words come one at a time) and 4.6–7.0 ns one
// at a time (NormFloat64), against 7.1–8.5 ns for rand.Rand.NormFloat64
// with PCG.
//
// References:
//
//   - D. Blackman, S. Vigna, "Scrambled linear pseudorandom number
//     generators", ACM Trans. Math. Softw. 47(4):36 (2021);
//     https://prng.di.unimi.it/xoshiro256plusplus.c.
//   - G. Marsaglia, W. W. Tsang, "The ziggurat method for generating
//     random variables", J. Stat. Softw. 5(8) (2000).
//   - J. A. Doornik, "An improved ziggurat method to generate normal
//     random samples", University of Oxford (2005).
//   - G. Marsaglia, "Generating a variable from the tail of the normal
//     distribution", Technometrics 6(1):101–102 (1964).
//   - S. Vigna, "An experimental exploration of Marsaglia's xorshift
//     generators, scrambled", ACM Trans. Math. Softw. 42(4):30 (2016),
//     for SplitMix64 as a seeder.
package rng
