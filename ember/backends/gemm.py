"""float32 matrix products on the CPU: a compiled AVX-512 kernel where it pays, else NumPy.

``mm(a, b, out=None)`` is ``numpy.matmul`` for 2-D arrays. When the native kernels are built
and enabled (``native.ENABLED``), the CPU has AVX-512 and both operands are float32
NumPy arrays in a layout the kernel reads directly (``a`` C- or Fortran-contiguous, ``b``
C-contiguous, at least 16 columns), the product runs in ``_native_gemm`` (csrc/gemm.c): about
2x NumPy's OpenBLAS when OpenBLAS runs its AVX2 kernels (``OPENBLAS_CORETYPE=Haswell``, or a
CPU it does not know), and 1.5x on small products even against its AVX-512 kernels
(docs/performance.md). Everything else goes to ``numpy.matmul`` unchanged.

Opt out: ``EMBER_NO_GEMM_KERNEL=1`` (or ``EMBER_NO_NATIVE_KERNELS=1``); tests flip ``ENABLED``.
"""
import os

import numpy as np
from numpy.lib.stride_tricks import as_strided

from . import native
from .dispatch import xp_of

ENABLED = os.environ.get("EMBER_NO_GEMM_KERNEL", "").strip() in ("", "0")

_state = {"fn": None, "batched": None, "probed": False}
_F32 = np.dtype(np.float32)


def _probe():
    _state["probed"] = True
    mod = native.module("gemm")
    if mod is None or not mod.supported():  # the micro-kernel is written for AVX-512
        return
    _state["fn"] = mod.sgemm_strided
    _state["batched"] = mod.sgemm_batched


def kernel():
    """The compiled ``sgemm_strided`` when it may serve, else None."""
    if not (ENABLED and native.ENABLED):
        return None
    if not _state["probed"]:
        _probe()
    return _state["fn"]


MIN_WORK = 1 << 15  # multiply-adds below which NumPy's call is cheaper than the kernel's


def _f32(*arrays):
    for x in arrays:
        if type(x) is not np.ndarray or x.dtype != _F32:
            return False
    return True


def _result(out, shape, *inputs):
    """``out`` when the kernel may write it (C-contiguous float32, right shape, overlapping
    no input), a fresh array when None, else False."""
    if out is None:
        return np.empty(shape, _F32)
    if type(out) is np.ndarray and out.dtype == _F32 and out.flags.c_contiguous and \
            out.shape == shape and not any(np.may_share_memory(out, x) for x in inputs):
        return out
    return False


def _rows(x, min_row):
    """Row stride in elements when ``x`` (2-D float32) has unit column stride and rows at
    least ``min_row`` elements apart; else None."""
    s0, s1 = x.strides
    if s1 == 4 and s0 % 4 == 0 and s0 // 4 >= min_row:
        return s0 // 4
    return None


def _flat(x):
    """A 1-D view of ``x``'s memory from its first element to its last."""
    span = 1 + sum((d - 1) * s for d, s in zip(x.shape, x.strides)) // 4
    return as_strided(x, shape=(span,), strides=(4,))


def mm(a, b, out=None):
    """``a @ b`` for 2-D arrays of any array module (``out``: an optional result array).

    The kernel reads A with any positive strides along one unit-stride axis (slices,
    transposes), B and the result with unit column stride and any row stride.
    """
    fn = kernel()
    if fn is not None and _f32(a, b) and a.ndim == 2 and b.ndim == 2 and \
            a.shape[1] == b.shape[0] and b.shape[1] >= 16 and \
            a.shape[0] * a.shape[1] * b.shape[1] >= MIN_WORK:
        m, k = a.shape
        n = b.shape[1]
        a_rs, a_ks = _rows(a, 1), 1
        if a_rs is None:
            a_ks, a_rs = _rows(a.T, 1), 1
        b_rs = _rows(b, 1)
        right = b
        if b_rs is None and m >= 16:
            # e.g. x @ W.T: one copy of W.T (O(K N)) buys the kernel for O(M K N)
            right = np.ascontiguousarray(b)
            b_rs = n
        res = out
        if out is None:
            res = np.empty((m, n), _F32)
        elif type(out) is not np.ndarray or out.dtype != _F32 or out.shape != (m, n) or \
                _rows(out, n) is None or np.may_share_memory(out, a) or \
                np.may_share_memory(out, b):
            res = None
        if a_ks is not None and b_rs is not None and res is not None:
            fn(_flat(a), _flat(right), _flat(res), m, n, k, a_rs, a_ks, b_rs,
               res.strides[0] // 4)
            return res
    return _matmul(a, b, out)


def bmm(a, b, out=None):
    """``matmul(a, b)`` for a (B, M, K) or shared (M, K) and b (B, K, N), any array module."""
    fn = kernel()
    if fn is not None and _f32(a, b) and b.ndim == 3 and a.ndim in (2, 3) and \
            b.flags.c_contiguous and b.shape[2] >= 16 and a.shape[-1] == b.shape[1] and \
            (a.ndim == 2 or a.shape[0] == b.shape[0]) and \
            a.shape[-2] * a.shape[-1] * b.shape[2] >= MIN_WORK:
        a3 = a if a.ndim == 3 else a[None]
        trans = False
        if not a3.flags.c_contiguous:
            at = a3.transpose(0, 2, 1)
            if not at.flags.c_contiguous:
                a3 = None
            else:
                a3, trans = at, True
        res = _result(out, (b.shape[0], a.shape[-2], b.shape[2]), a, b) if a3 is not None \
            else False
        if res is not False:
            _state["batched"](a3, b, res, trans, 1 if a.ndim == 3 else 0)
            return res
    return _matmul(a, b, out)


def _matmul(a, b, out):
    """The array module's own matmul (where the kernel does not serve)."""
    xpm = xp_of(a)
    return xpm.matmul(a, b) if out is None else xpm.matmul(a, b, out=out)
