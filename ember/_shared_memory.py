"""``Tensor.share_memory_``: move a tensor's memory into an anonymous shared mapping.

Processes forked afterwards (``torch.multiprocessing.Process`` with the fork start method,
the Linux default) write to the same pages, which is what Hogwild training relies on. The
whole memory block the tensor lives in moves, and the tensor's base (if it is a view) is
moved with it, so both see the shared pages.
"""
import ctypes
import mmap

import numpy as np

try:  # NumPy 2 moved it
    from numpy.lib.array_utils import byte_bounds as _byte_bounds
except ImportError:  # NumPy 1.x
    _byte_bounds = np.byte_bounds


class _SharedBuffer(mmap.mmap):
    """Marks memory that ``share_memory_`` allocated (``is_shared`` looks for it)."""


def _owner(a):
    """The outermost ndarray of ``a``'s base chain and the object below it (or None)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a, a.base


def _ptr(a):
    return a.__array_interface__["data"][0]


def is_shared_array(a):
    return type(a) is np.ndarray and isinstance(_owner(a)[1], _SharedBuffer)


def share_(t):
    """Move ``t``'s memory block (and its base's) into shared memory, in place."""
    a = t._data
    if type(a) is not np.ndarray or is_shared_array(a):
        return t
    owner, _ = _owner(a)
    lo, hi = _byte_bounds(owner)  # the bytes the owning array spans, any strides
    n = hi - lo
    buf = _SharedBuffer(-1, max(n, 1))
    if n:
        np.frombuffer(buf, np.uint8, count=n)[...] = np.frombuffer(
            (ctypes.c_uint8 * n).from_address(lo), np.uint8)

    def rebase(x):
        return np.ndarray(x.shape, x.dtype, buffer=buf, offset=_ptr(x) - lo, strides=x.strides)

    for u in ((t,) if t._base is None else (t, t._base)):
        if type(u._data) is np.ndarray and _owner(u._data)[0] is owner:
            u._data = rebase(u._data)
    return t
