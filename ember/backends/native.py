"""Ember's native CPU kernels: small C extensions for the memory-bound glue of the models.

NumPy serves every op; where the extensions were built at install (``ember/backends/csrc``,
compiled by ``setup.py`` when a C compiler is present) these kernels replace the NumPy code
for float32 C-contiguous CPU arrays: im2col / col2im with implicit padding, 2-D max pooling
forward and backward, batch norm, the Adam and SGD-momentum updates (``_native_impl``), the
Winograd transforms (``_native_winograd``), the sequence-model kernels (``_native_seq``)
and the float32 matrix product (``_native_gemm``, see gemm.py). Each is one serial pass over
memory, run with the GIL released.

``kernels()`` returns the image/optimizer module, or None when the extensions are missing
or disabled: ``EMBER_NO_NATIVE_KERNELS=1`` in the environment, or ``ENABLED = False`` at run
time (tests flip it to cover both paths). The other modules follow the same switch.
"""
import os

ENABLED = os.environ.get("EMBER_NO_NATIVE_KERNELS", "").strip() in ("", "0")

_ns = {"mod": None, "failed": False}


def kernels():
    """The compiled kernels (``_native_impl``), or None."""
    if not ENABLED:
        return None
    mod = _ns["mod"]
    if mod is None:
        if _ns["failed"]:
            return None
        try:
            from . import _native_impl as mod
        except ImportError:  # not built (no compiler at install): the NumPy paths serve
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
