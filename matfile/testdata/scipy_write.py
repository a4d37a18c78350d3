"""Write a MAT-file with scipy.io.savemat holding many kinds of variable.

Used by interop_test.go to check that what scipy writes we read as scipy
itself reads it back.

usage: python3 scipy_write.py FILE COMPRESS(0|1)
"""
import sys

import numpy as np
import scipy.io as sio
import scipy.sparse as sp

rng = np.random.default_rng(1)
sarr = np.empty((1, 2), dtype=[('n', 'O'), ('t', 'O')])
sarr[0, 0] = (1.0, 'a')
sarr[0, 1] = (np.array([2, 3], dtype=np.int8), 'bb')
cell = np.empty((2, 2), dtype=object)
cell[0, 0], cell[1, 0], cell[0, 1], cell[1, 1] = 1.0, 'two', np.zeros((2, 2)), {'k': np.uint64(7)}
d = {
    'big': rng.standard_normal((300, 200)),
    'c64': (rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))).astype(np.complex64),
    'c128': np.array([1 + 2j, -3.5j]),
    'bools': rng.random((4, 5)) > 0.5,
    'nd': np.arange(2 * 3 * 4 * 5, dtype=np.int32).reshape(2, 3, 4, 5),
    'ndf': rng.standard_normal((3, 1, 2)).astype(np.float32),
    'uni': 'héllo wörld ✓ 😀',
    'strs': np.array(['ab', 'cd', 'ef']),
    'empty_str': '',
    'column': np.arange(5.0),
    's': {'a': 1.5, 'b': np.array([1, 2, 3], dtype=np.uint16), 'inner': {'x': 'y'}},
    'sarr': sarr,
    'cell': cell,
    'sparse': sp.random(50, 40, density=0.05, random_state=1, format='csc'),
    'cplx_sparse': sp.csc_matrix(np.array([[0, 1 + 1j], [2, 0]])),
    'specials': np.array([np.nan, np.inf, -np.inf, -0.0, 5e-324]),
    'i64': np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max]),
    'u8': np.array([[0, 255]], dtype=np.uint8),
    'long_field_struct': {'f' * 40: 1.0},
    'empty': np.zeros((0, 3)),
}
sio.savemat(sys.argv[1], d, do_compression=sys.argv[2] == '1', long_field_names=True, oned_as='column')
