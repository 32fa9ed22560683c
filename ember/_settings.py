"""Process-wide switches of the torch namespace: threads, default device, determinism."""
import os
import warnings

from . import _config
from .device import device as _device

_threads = {"intra": None, "interop": 1}


def _blas_pools():
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl


def set_num_threads(n):
    """Threads used by the BLAS behind matrix products (via threadpoolctl when installed)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError("set_num_threads expects a positive integer")
    _threads["intra"] = n
    tp = _blas_pools()
    if tp is not None:
        tp.threadpool_limits(n)
    else:
        _ctypes_blas_threads(n)


def _ctypes_blas_threads(n):
    # NumPy's wheels bundle OpenBLAS; set its pool size directly when threadpoolctl is absent.
    import ctypes
    import glob
    import numpy as np
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for sym in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                    "openblas_set_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn(int(n))
                return


def get_num_threads():
    if _threads["intra"] is not None:
        return _threads["intra"]
    env = os.environ.get("OMP_NUM_THREADS")
    if env and env.isdigit():
        return int(env)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def set_num_interop_threads(n):
    _threads["interop"] = int(n)


def get_num_interop_threads():
    return _threads["interop"]


def set_default_device(device):
    """Device of tensors made by factories when no ``device=`` is given (None resets)."""
    _config.default_device[0] = None if device is None else _device(device)


def get_default_device():
    return _config.default_device[0] or _device("cpu")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Ember's CPU kernels are deterministic already; the flag is recorded for queries."""
    _config.deterministic[0] = bool(mode)


def are_deterministic_algorithms_enabled():
    return _config.deterministic[0]


def is_deterministic_algorithms_warn_only_enabled():
    return False


def set_deterministic_debug_mode(debug_mode):
    _config.deterministic[0] = debug_mode not in (0, "default")


def get_deterministic_debug_mode():
    return 1 if _config.deterministic[0] else 0


def set_float32_matmul_precision(precision):
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision}")
    _config.matmul_precision = precision


def get_float32_matmul_precision():
    return getattr(_config, "matmul_precision", "highest")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """Returns ``model`` unchanged: Ember runs eagerly and does not compile (see
    docs/differences.md). Usable as ``torch.compile(m)`` and as a decorator."""
    if model is None:
        return lambda fn: fn
    return model


def set_warn_always(b):
    warnings.simplefilter("always" if b else "default")


def is_warn_always_enabled():
    return False
