#!/usr/bin/python3
"""Model files in the layouts the reference ecosystem writes, for the tests
of rate.LoadWithNotes and of the from-mat pipeline.

Every file holds the network of ../gonogo_ref1.mat (go-nogo, N = 200, trained
by the PyTorch port), so that what the pipeline measures on it can be compared
with what the reference measured on that model (testdata/REFERENCE.md). Only
the layout differs: the fields present, their classes and their shapes, as
each source saves them. Run from anywhere with python3 + numpy + scipy
(written with numpy 1.24, scipy 1.10); the output is the same on every run
but for the date in scipy's file header.

  seed_readme.mat   The seed README's recipe (spikeRNN README.md, "Complete
                    Workflow"; also docs/quickstart.rst and docs/examples.rst
                    of NuttidaLab/spikeRNN): sio.savemat of model_dict =
                    {w, w_in, w_out, w0, N, m, som_m, inh, exc, taus,
                    taus_gaus, taus_gaus0}. Tensors become float32
                    (.detach().cpu().numpy()), N a Python int (int64), inh
                    and exc numpy bool N x 1 (logical), taus a Python list.
                    No som_N, b_out, activation or training record. w keeps
                    the port's negative entries. taus is [4, 20] (the model's
                    range) where the README's example has [10].

  port_tutorial.mat The PyTorch port's tutorial (NuttidaLab/spikeRNN
                    docs/tutorials.ipynb, "Part 2: Saving the Trained Model"):
                    the same twelve fields, N = np.array(net.N) and taus =
                    np.array(taus) (int64), m and som_m from net.mask and
                    net.som_mask, inh and exc the numpy bool arrays, w, w_in,
                    w_out float32, and w0 taken from the tensor the forward
                    pass returns, which is net.w itself: the tutorial's w0
                    equals the trained w, and so it does here.

  tf_original.mat   The TensorFlow original (rkim35/spikeRNN rate/main.py, the
                    var dict saved after training): x0, r0 (the initial
                    network's first trial, T x N x 1), w0, taus_gaus0, w_in0,
                    u, o (T-1 x 1 x 1), w, x, target, w_out, r, m, som_m, N,
                    exc, inh, w_in, b_out, som_N, losses, taus,
                    eval_perf_mean, eval_loss_mean, eval_os, eval_labels,
                    taus_gaus, tr, activation. TensorFlow values are float32;
                    w and w0 are relu'd (construct_tf reassigns w =
                    tf.nn.relu(w) before they are fetched); losses is the
                    whole np.zeros(n_trials) buffer (n_trials = 5000 here,
                    zeros after tr = 1501); taus comes from argparse as
                    floats; eval_perf_mean and eval_loss_mean are 1-element
                    vectors (np.nanmean(..., 1)); eval_os is eval_tr x T-1 =
                    100 x 199 and eval_labels 100 values (1 go, 0 nogo). The
                    trajectories, stimuli and the evaluation are computed
                    here with numpy from the model (SPEC section 1, noise on,
                    seeded), so eval_perf_mean and eval_loss_mean are those
                    of the eval_os written, not the reference's.

  matlab_appended.mat  tf_original.mat after the original's
                    spiking/lambda_grid_search.m: MATLAB's save(...,
                    'opt_scaling_factor', 'all_perfs', 'scaling_factors',
                    '-append') adds three doubles as compressed (v7)
                    elements after scipy's: opt_scaling_factor 1 x 1,
                    all_perfs = zeros(length(scaling_factors), 1) filled
                    (12 x 1), scaling_factors = [20:5:75] (1 x 12). The
                    values are the reference's measured curve on this model
                    (testdata/REFERENCE.md), best 30.

octave_v7.mat is made from seed_readme.mat by GNU Octave (octave_v7.m,
run by make_octave.sh), so that CI needs no Octave.
"""

import os

import numpy as np
import scipy.io as sio
from scipy.io.matlab._mio5 import MatFile5Writer

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, '..', 'gonogo_ref1.mat')

# The reference's accuracy per λ on this model (testdata/REFERENCE.md).
REF_FACTORS = np.arange(20, 76, 5)
REF_CURVE = [0.77, 0.81, 0.89, 0.88, 0.74, 0.69, 0.70, 0.56, 0.21, 0.16, 0.28, 0.45]

T, STIM_ON, STIM_DUR = 200, 50, 25


def f32(a):
    return np.asarray(a, dtype=np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def go_nogo_trial(rng):
    """generate_input_stim_go_nogo and its target (SPEC section 2)."""
    u = np.zeros((1, T))
    label = 0
    if rng.random() <= 0.5:
        u[0, STIM_ON:STIM_ON + STIM_DUR] = 1
        label = 1
    z = np.zeros(T)
    if label == 1:
        z[STIM_ON + STIM_DUR:] = 1
    return u, label, z


def forward(ref, w, taus_gaus, u, rng):
    """The rate network of SPEC section 1 with noise: x, r (T x N x 1 as
    TensorFlow's lists fetch) and o (T-1 values)."""
    n = int(ref['N'][0, 0])
    lo, hi = ref['taus'][0].astype(float)
    tau = sigmoid(taus_gaus) * (hi - lo) + lo
    weff = np.maximum(w, 0) @ ref['m'] * ref['som_m']
    x = [rng.standard_normal((n, 1)) / 100]
    r = [sigmoid(x[0])]
    o = []
    for t in range(1, T):
        nx = (1 - 1 / tau) * x[t - 1] + (1 / tau) * (weff @ r[t - 1] + ref['w_in'] @ u[:, t - 1:t]) \
            + rng.standard_normal((n, 1)) / 10
        x.append(nx)
        r.append(sigmoid(nx))
        o.append(ref['w_out'] @ r[t] + ref['b_out'])
    return np.array(x), np.array(r), np.array(o)


def correct(o, label):
    """The go-nogo scoring of SPEC section 2."""
    resp = o.ravel()[STIM_ON + STIM_DUR:]
    return resp.max() > 0.7 if label == 1 else np.abs(resp).max() < 0.3


def readme_layout(ref):
    return {
        'w': f32(ref['w']),
        'w_in': f32(ref['w_in']),
        'w_out': f32(ref['w_out']),
        'w0': f32(ref['w0']),
        'N': int(ref['N'][0, 0]),
        'm': f32(ref['m']),
        'som_m': f32(ref['som_m']),
        'inh': ref['inh'].astype(bool),
        'exc': ref['exc'].astype(bool),
        'taus': [int(t) for t in ref['taus'][0]],
        'taus_gaus': f32(ref['taus_gaus']),
        'taus_gaus0': f32(ref['taus_gaus0']),
    }


def tutorial_layout(ref):
    return {
        'w': f32(ref['w']),
        'w_in': f32(ref['w_in']),
        'w_out': f32(ref['w_out']),
        'w0': f32(ref['w']),  # the forward pass returns net.w itself
        'N': np.array(int(ref['N'][0, 0])),
        'm': f32(ref['m']),
        'som_m': f32(ref['som_m']),
        'inh': ref['inh'].astype(bool),
        'exc': ref['exc'].astype(bool),
        'taus': np.array([int(t) for t in ref['taus'][0]]),
        'taus_gaus': f32(ref['taus_gaus']),
        'taus_gaus0': f32(ref['taus_gaus0']),
    }


def tf_layout(ref):
    rng = np.random.default_rng(20191011)
    relu_w = np.maximum(ref['w'], 0)
    relu_w0 = np.maximum(ref['w0'], 0)
    # The first trial, through the initial network.
    u0, _, _ = go_nogo_trial(rng)
    x0, r0, _ = forward(ref, ref['w0'], ref['taus_gaus0'], u0, rng)
    # The last training trial, through the trained network.
    u, _, target = go_nogo_trial(rng)
    x, r, o = forward(ref, ref['w'], ref['taus_gaus'], u, rng)
    # The last evaluation: 100 trials, their outputs and labels.
    eval_tr = 100
    eval_os = np.zeros((eval_tr, T - 1))
    eval_labels = np.zeros((eval_tr,))
    eval_perf = np.zeros((1, eval_tr))
    eval_losses = np.zeros((1, eval_tr))
    for ii in range(eval_tr):
        eu, el, ez = go_nogo_trial(rng)
        _, _, eo = forward(ref, ref['w'], ref['taus_gaus'], eu, rng)
        eo = eo.ravel()
        eval_os[ii, :] = eo
        eval_labels[ii] = el
        eval_losses[0, ii] = np.sqrt(np.sum((eo - ez[1:]) ** 2))
        eval_perf[0, ii] = correct(eo, el)
    n_trials = 5000
    losses = np.zeros((n_trials,))
    losses[:ref['losses'].size] = ref['losses'].ravel()
    return {
        'x0': f32(x0),
        'r0': f32(r0),
        'w0': f32(relu_w0),
        'taus_gaus0': f32(ref['taus_gaus0']),
        'w_in0': f32(ref['w_in']),
        'u': u,
        'o': f32(o),
        'w': f32(relu_w),
        'x': f32(x),
        'target': target,
        'w_out': f32(ref['w_out']),
        'r': f32(r),
        'm': f32(ref['m']),
        'som_m': f32(ref['som_m']),
        'N': int(ref['N'][0, 0]),
        'exc': ref['exc'].astype(bool),
        'inh': ref['inh'].astype(bool),
        'w_in': f32(ref['w_in']),
        'b_out': np.float32(ref['b_out'][0, 0]),
        'som_N': int(ref['som_N'][0, 0]),
        'losses': losses,
        'taus': [float(t) for t in ref['taus'][0]],
        'eval_perf_mean': np.nanmean(eval_perf, 1),
        'eval_loss_mean': np.nanmean(eval_losses, 1),
        'eval_os': eval_os,
        'eval_labels': eval_labels,
        'taus_gaus': f32(ref['taus_gaus']),
        'tr': int(ref['tr'][0, 0]),
        'activation': 'sigmoid',
    }


def main():
    ref = sio.loadmat(REF)
    sio.savemat(os.path.join(HERE, 'seed_readme.mat'), readme_layout(ref))
    sio.savemat(os.path.join(HERE, 'port_tutorial.mat'), tutorial_layout(ref))
    tf = tf_layout(ref)
    sio.savemat(os.path.join(HERE, 'tf_original.mat'), tf)
    path = os.path.join(HERE, 'matlab_appended.mat')
    sio.savemat(path, tf)
    best = REF_FACTORS[int(np.argmax(REF_CURVE))]
    with open(path, 'ab') as f:
        MatFile5Writer(f, do_compression=True).put_variables({
            'opt_scaling_factor': float(best),
            'all_perfs': np.array(REF_CURVE).reshape(-1, 1),
            'scaling_factors': REF_FACTORS.astype(float).reshape(1, -1),
        }, write_header=False)


if __name__ == '__main__':
    main()
