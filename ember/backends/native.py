"""Ember's native CPU kernels: small C extensions for the memory-bound glue of the models.

NumPy serves every op; where the extensions were built at install (``ember/backends/csrc``,
compiled by ``setup.py`` when a C compiler is present) these kernels replace the NumPy code
for float32 C-contiguous CPU arrays: im2col / col2im with implicit padding, 2-D max pooling
forward and backward, batch norm, the Adam and SGD-momentum updates (``_native_impl``), the
Winograd transforms (``_native_winograd``), the sequence-model kernels (``_native_seq``)
and the float32 matrix product (``_native_gemm``, see gemm.py). Each is one serial pass over
memory, run with the GIL released.

``module(name)`` returns one extension, ``kernels()`` the image/optimizer one, or None when it
is missing or disabled: ``EMBER_NO_NATIVE_KERNELS=1`` in the environment, or ``ENABLED =
False`` at run time (tests flip it to cover both paths).
"""
import importlib
import os

import numpy as np

ENABLED = os.environ.get("EMBER_NO_NATIVE_KERNELS", "").strip() in ("", "0")

_modules = {}  # name -> the extension module, or None when it is not built
_F32 = np.dtype(np.float32)


def module(name):
    """The extension ``_native_<name>`` (built from ``csrc/<name>.c``), or None when the native
    kernels are disabled or it was not built (no C compiler at install)."""
    if not ENABLED:
        return None
    try:
        return _modules[name]
    except KeyError:
        pass
    try:
        mod = importlib.import_module(f"{__package__}._native_{name}")
    except ImportError:  # the NumPy paths serve
        mod = None
    _modules[name] = mod
    return mod


def kernels():
    """The image and optimizer kernels (``_native_impl``), or None."""
    return module("impl")


def usable(*arrays):
    """True when every array is a C-contiguous float32 NumPy array."""
    for a in arrays:
        if type(a) is not np.ndarray or a.dtype != _F32 or not a.flags.c_contiguous:
            return False
    return True
