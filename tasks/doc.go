// Package tasks defines the cognitive tasks of the method (SPEC §2 and §5):
// go-nogo, xor and mante. A task builds the stimulus u (inputs × columns)
// and the target z for a trial of a given label, and scores a network's
// output on the rate side and on the spiking side.
//
// Time on the rate side is counted in steps of 5 ms; a rate trial has T
// columns and its target and output have T-1 values (o_t is compared with
// z[t-1]). A spiking trial uses S = T+1 columns of the same stimulus; its
// output is sampled every dt seconds and scored from a fixed time on.
//
// Randomness always comes from the caller's *rand.Rand, so a trial is
// reproducible from its seed. A Stream draws trial i from the stream
// rng.New(seed, i), whatever happened before, so a run can resume from a
// trial index alone.
//
// A task may also be declared, without Go code, as a Decl (ParseDecl,
// Decl.Compile): length, channels, conditions, events, target and
// scoring, in YAML; the built-in tasks declared so are their exact twins.
//
// New tasks implement the small Task interface and register a constructor
// with Register; see the example for a complete one.
package tasks
