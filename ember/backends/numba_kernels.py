"""Optional compiled CPU kernels (numba) for the memory-bound glue of image models.

NumPy serves every op; where numba is installed (``pip install ember[fast]``) these kernels
replace the NumPy code for float32 C-contiguous CPU arrays: im2col / col2im with implicit
padding, 2-D max pooling forward and backward, batch norm, the Adam and SGD-momentum updates
(_numba_impl.py), the Winograd transforms (_numba_winograd.py) and the sequence-model
kernels (_numba_seq.py). Each is one pass over memory, compiled serial (see _numba_impl.py
for why). Measured against the NumPy paths at one
thread (docs/performance.md): col2im ~2.5x, 2x2 max pooling forward 4x / backward 3x, Adam
~4.5x, batch norm ~2x.

``kernels()`` returns the compiled namespace, or None when numba is missing or disabled:
``EMBER_DISABLE_NUMBA=1`` in the environment, or ``ENABLED = False`` at run time (tests
flip it to cover both paths). Compilation is lazy (first use) and cached on disk
(``cache=True``); kernels are only ever called with float32 arrays, one signature each.
"""
import os

ENABLED = os.environ.get("EMBER_DISABLE_NUMBA", "").strip() in ("", "0")

_ns = {"mod": None, "failed": False}


def kernels():
    """The compiled kernels (a module-like namespace), or None."""
    if not ENABLED:
        return None
    mod = _ns["mod"]
    if mod is None:
        if _ns["failed"]:
            return None
        try:
            from . import _numba_impl as mod
        except ImportError:  # numba not installed (or broken): the NumPy paths serve
            _ns["failed"] = True
            return None
        _ns["mod"] = mod
    return mod


def usable(*arrays):
    """True when every array is a C-contiguous float32 NumPy array."""
    import numpy as np
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype != np.float32 or not a.flags.c_contiguous:
            return False
    return True
