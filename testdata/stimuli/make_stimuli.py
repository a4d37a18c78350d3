#!/usr/bin/python3
"""Stimulus files for the stimulus-file source: the go-nogo protocol of SPEC
section 5 on the spiking side (S = 201 columns of 5 ms; go: input 0 is 1 on
columns 50..74, nogo: zeros), in each form stimulus-file reads.

  gonogo.csv     a table with a header: trial, label, t (s, ignored), u0;
                 one row per column, trial 0 go, trial 1 nogo (pandas:
                 DataFrame(...).to_csv(index=False)).
  gonogo_u.csv   one go stimulus as a matrix, a line per input
                 (numpy.savetxt(path, u, delimiter=',')).
  gonogo.mat     u: 1 x 201 x 2 (go, nogo) with labels = [1 0], the labels
                 the references give go-nogo trials; u_cell: the same two
                 stimuli as a cell array, with labels_cell = {'go', 'nogo'}.

Run with python3 + numpy + scipy; the output is the same on every run but
for the date in scipy's .mat header.
"""

import csv
import os

import numpy as np
import scipy.io as sio

HERE = os.path.dirname(os.path.abspath(__file__))
S = 201


def stimulus(go):
    u = np.zeros((1, S))
    if go:
        u[0, 50:75] = 1
    return u


def main():
    go, nogo = stimulus(True), stimulus(False)
    with open(os.path.join(HERE, 'gonogo.csv'), 'w', newline='') as f:
        w = csv.writer(f)
        w.writerow(['trial', 'label', 't', 'u0'])
        for trial, (label, u) in enumerate([('go', go), ('nogo', nogo)]):
            for j in range(S):
                w.writerow([trial, label, '%g' % (j * 0.005), '%g' % u[0, j]])
    np.savetxt(os.path.join(HERE, 'gonogo_u.csv'), go, delimiter=',', fmt='%g')
    cell = np.empty((1, 2), dtype=object)
    cell[0, 0], cell[0, 1] = go, nogo
    names = np.empty((1, 2), dtype=object)
    names[0, 0], names[0, 1] = 'go', 'nogo'
    sio.savemat(os.path.join(HERE, 'gonogo.mat'), {
        'u': np.stack([go, nogo], axis=2),
        'labels': np.array([1.0, 0.0]),
        'u_cell': cell,
        'labels_cell': names,
    })


if __name__ == '__main__':
    main()
