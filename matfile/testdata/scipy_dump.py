"""Print, as JSON, what scipy.io.loadmat sees in a MAT-file.

Used by interop_test.go: for each top-level variable, the array class and
flags from scipy's own parse of the variable header, and the value with
shape and every number as its exact bit pattern (floats as the unsigned
integer of their bits, so NaN payloads and -0 compare too).

usage: python3 scipy_dump.py FILE
"""
import json
import os
import sys

import numpy as np
import scipy.io as sio
import scipy.sparse as sp
from scipy.io.matlab import MatlabObject
from scipy.io.matlab._mio5 import MatFile5Reader


def bits(a):
    a = np.asarray(a)
    if a.dtype.kind == 'f':
        a = a.view('u%d' % a.dtype.itemsize)
    return [str(int(x)) for x in a.flatten(order='F')]


def enc(a):
    if a is None:
        # scipy's value for a struct without fields
        return {"kind": "none"}
    if sp.issparse(a):
        c = a.tocsc()
        c.sort_indices()
        out = {"kind": "sparse", "dtype": str(c.dtype), "shape": list(c.shape),
               "indptr": [int(x) for x in c.indptr], "indices": [int(x) for x in c.indices]}
        if c.dtype.kind == 'c':
            out["re"], out["im"] = bits(c.data.real), bits(c.data.imag)
        else:
            out["re"] = bits(c.data.astype(np.float64))
        return out
    if isinstance(a, MatlabObject) or (a.dtype.names is not None):
        names = list(a.dtype.names or [])
        out = {"kind": "object" if isinstance(a, MatlabObject) else "struct",
               "shape": list(a.shape), "fields": names,
               "elems": [[enc(e[f]) for f in names] for e in a.flatten(order='F')]}
        if isinstance(a, MatlabObject):
            out["classname"] = a.classname
        return out
    if a.dtype == object:
        return {"kind": "cell", "shape": list(a.shape),
                "elems": [enc(e) for e in a.flatten(order='F')]}
    if a.dtype.kind == 'U':
        return {"kind": "char", "shape": list(a.shape),
                "text": "".join(a.flatten(order='F'))}
    out = {"kind": "numeric", "dtype": str(a.dtype), "shape": list(a.shape)}
    if a.dtype.kind == 'c':
        out["re"], out["im"] = bits(a.real), bits(a.imag)
    else:
        out["re"] = bits(a)
    return out


def headers(path):
    """The class code and flags scipy parses from each variable header."""
    out = {}
    end = os.path.getsize(path)
    with open(path, 'rb') as f:
        r = MatFile5Reader(f)
        r.initialize_read()
        f.seek(128)
        while f.tell() < end:
            h, nxt = r.read_var_header()
            out[h.name.decode()] = {"mclass": int(h.mclass), "logical": bool(h.is_logical),
                                    "global": bool(h.is_global), "dims": [int(d) for d in h.dims]}
            f.seek(nxt)
    return out


def main():
    path = sys.argv[1]
    d = sio.loadmat(path, chars_as_strings=False, squeeze_me=False, mat_dtype=False)
    hdr = headers(path)
    out = {"header": d["__header__"].decode("latin-1"), "version": d["__version__"],
           "globals": list(d["__globals__"]), "vars": {}}
    for k, v in d.items():
        if k.startswith("__"):
            continue
        e = enc(v)
        e.update(hdr.get(k, {}))
        out["vars"][k] = e
    json.dump(out, sys.stdout)


main()
