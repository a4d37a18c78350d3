// Package rate implements the continuous-rate recurrent network of Kim, Li
// & Sejnowski (PNAS 2019) as SPEC §1–§3 state it: initialisation, the
// forward dynamics with optional noise and recording, the l1 and l2
// losses, hand-derived backpropagation through time, Adam with PyTorch's
// semantics, the training loop with periodic evaluation and the
// reference's stop rule, lesions, checkpoints, and the model file (.mat)
// in the reference layout.
//
// # Model
//
// A Model holds the parameters in the vocabulary of the reference model
// file: w, w_in, w_out, b_out, m, som_m, taus, taus_gaus. New initialises
// one from a Config; Load reads one written by Save, by the reference
// implementations (the TensorFlow original, the PyTorch port, the seed
// README's recipe), by MATLAB or by Octave, and LoadWithNotes also says what
// it assumed for the fields such a file lacks (a Note per assumption); Save
// writes one that scipy, MATLAB and the reference implementations read,
// with the last evaluation's outputs and labels (eval_os, eval_labels) as
// the references write them.
//
// # Dynamics
//
// For a stimulus u (inputs × T) a trial runs, for t = 1 … T-1,
//
//	W_eff = relu(w) @ m ⊙ som_m      (w itself without Dale's principle)
//	x_t   = (1 - 1/τ) ⊙ x_{t-1} + (1/τ) ⊙ (W_eff r_{t-1} + w_in u[:, t-1]) + noise
//	r_t   = φ(x_t),  o_t = w_out · r_t + b_out
//
// and the loss compares o_1 … o_{T-1} with a target of T-1 values. Time is
// counted in steps of 5 ms (DeltaT = 1); τ is in steps. A Net holds the
// precomputed W_eff and all trial buffers, so running a trial allocates
// nothing after the first one.
//
// # Training
//
// A Trainer does one Adam step per trial, drawing trials from a
// TrialSource (a tasks.Stream, or a pipeline's channel adapter), evaluates
// every 100 trials and stops when the reference's rule is met (mean
// evaluation loss < 7 and accuracy > 0.95; for go-nogo also after trial
// 1500). The noise of each trial is drawn from a generator seeded with the
// trial's Seed, so a run is reproducible from its source alone and a
// checkpoint needs only the source position besides the model and the
// optimiser state.
//
// Gradients are derived by hand (see Net.Gradients); they agree with
// PyTorch's autograd on the reference's golden file to about 1e-15 and
// with gorgonia's tape autodiff on randomised networks.
//
// # Performance
//
// A Net keeps W_eff in compressed sparse rows, and its transpose for the
// backward pass, while at most 40% of its entries are nonzero (the
// crossover with gonum's dense BLAS product) and uses BLAS above that:
// at initialisation P_rec = 0.2 gives 20%, and under Dale's principle
// training pushes entries of w below zero, which relu removes (the
// reference's trained go-nogo network keeps 5.6%). The compressed forms
// are rebuilt from W_eff after every Adam step, so they depend on the
// model alone and a resumed run computes the same bits. On amd64 the
// sparse product and the sigmoid run in assembly (AVX2 where the CPU has
// it, SSE2 otherwise); the build tags noasm or purego select the Go
// versions. All give the same bits, so a run replays on any machine. The
// sigmoid's exponential is table-driven, within 0.51 ulp (math.Exp: 1.7
// ulp). BENCHMARKS.md has the figures.
//
// # Layout conventions
//
// Matrices are gonum row-major: W.At(i, j) is the weight from unit j to
// unit i. The .mat reader and writer convert from and to MATLAB's
// column-major order. Recordings (Trace) are N×T like the reference's.
package rate
