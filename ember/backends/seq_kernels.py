"""Compiled kernels for the sequence models' elementwise work (``_native_seq``, built from
``csrc/seq.c``): exact GELU, the LSTM cell of one time step, layer norm over rows.

``kernels()`` returns the extension module, or None when it was not built (no C compiler at
install) or the native kernels are disabled (``native.ENABLED``: ``EMBER_NO_NATIVE_KERNELS=1``,
or ``ENABLED = False`` at run time). The NumPy paths serve whenever this returns None.
"""
from . import native


def kernels():
    return native.module("seq")


def usable(*arrays):
    """True when every array is a C-contiguous float32 NumPy array."""
    return native.usable(*arrays)


# ---------------------------------------------------------------- one BLAS thread for a loop
_blas = {"fns": None}


def _blas_thread_fns():
    """(get, set) for the thread count of NumPy's bundled OpenBLAS, or None."""
    fns = _blas["fns"]
    if fns is None:
        fns = False
        try:
            from .host_tuning import _openblas
            lib = _openblas()
            for get, put in (("scipy_openblas_get_num_threads64_",
                              "scipy_openblas_set_num_threads64_"),
                             ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                             ("openblas_get_num_threads", "openblas_set_num_threads")):
                if lib is not None and hasattr(lib, get) and hasattr(lib, put):
                    fns = (getattr(lib, get), getattr(lib, put))
                    break
        except (OSError, AttributeError, ImportError):
            fns = False
        _blas["fns"] = fns
    return fns or None


class single_blas_thread:
    """Run the block with NumPy's OpenBLAS on one thread, then restore its count.

    For loops of small products (a recurrent layer's per-step GEMMs, ~4 MFLOP each): split
    over threads they gain little, and when the cores are shared each product waits for a
    descheduled helper thread (measured on a loaded 2-core machine: 50 step pairs took 0.65-11
    ms on two threads against 0.1-0.2 ms on one). A no-op without a reachable OpenBLAS.
    """

    __slots__ = ("_prev",)

    def __enter__(self):
        self._prev = None
        fns = _blas_thread_fns()
        if fns is not None:
            n = fns[0]()
            if n > 1:
                self._prev = n
                fns[1](1)
        return self

    def __exit__(self, *exc):
        if self._prev is not None:
            _blas["fns"][1](self._prev)
        return False
