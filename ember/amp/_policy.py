"""Autocast's cast policies (PyTorch's ``aten/src/ATen/autocast_mode.cpp``), applied by the ops.

An op on one of autocast's lists starts with ``if _amp.active:`` (one module attribute read,
False unless some thread has autocast enabled) and only then asks this module to cast its
tensor arguments:

- ``lower(devs, *args)``: floating tensors to the region's dtype (bfloat16 / float16);
- ``fp32(devs, *args)``: floating tensors to float32;
- ``promote(devs, *args)``: floating tensors to the widest floating dtype among them.

``devs`` names the device types whose list holds the op (``CPU``, ``CUDA`` or ``BOTH``): the
device of an op is that of its first tensor, and the state that applies is that device's. As
in PyTorch, a tensor is cast only when it is floating point, not float64 and on that device;
other tensors and non-tensors pass unchanged. Casts go through ``Tensor.to``, so gradients
flow back to float32 parameters in float32.

Ops that are not hot take the decorator ``fp32_op(devs)`` instead, and ``plain(fn, ...)``
runs an op's body with autocast off where PyTorch's body runs below the autocast layer.

The state is thread-local, as PyTorch's: a region entered in one thread casts nothing in
another (``active`` only says that some thread may be casting).
"""
import functools
import threading

import numpy as np

from .. import dtypes as _dt

active = False  # True while any thread has autocast enabled for some device type

CPU = ("cpu",)
CUDA = ("cuda",)
BOTH = ("cpu", "cuda")

_ELIGIBLE = frozenset(np.dtype(d) for d in (np.float16, np.float32)) | (
    frozenset() if _dt._np_bfloat16 is None else frozenset((_dt._np_bfloat16,)))
_F32 = np.dtype(np.float32)
_DEFAULT_DTYPE = {"cpu": _dt.bfloat16}  # every other device type: float16


class _State(threading.local):
    """One thread's autocast settings (PyTorch keeps them thread-local too)."""

    def __init__(self):
        self.enabled = {}
        self.dtype = {}
        self.cache = True
        self.nesting = 0


tls = _State()
_lock = threading.Lock()
_n_enabled = [0]  # (thread, device type) pairs with autocast on, over all threads
_Tensor = []  # ember.Tensor, imported on first use (ops import this module early)


def is_enabled(device_type):
    return tls.enabled.get(device_type, False)


def set_enabled(device_type, enabled):
    global active
    st = tls.enabled
    enabled = bool(enabled)
    if st.get(device_type, False) == enabled:
        return
    st[device_type] = enabled
    with _lock:
        _n_enabled[0] += 1 if enabled else -1
        active = _n_enabled[0] > 0


def get_dtype(device_type):
    dt = tls.dtype.get(device_type)
    return dt if dt is not None else _DEFAULT_DTYPE.get(device_type, _dt.float16)


def set_dtype(device_type, dtype):
    tls.dtype[device_type] = dtype


# ---------------------------------------------------------------- the policies
def _first_device(args):
    """"cpu" or "cuda" for the first tensor among args (lists of tensors included)."""
    if not _Tensor:
        from ..tensor import Tensor
        _Tensor.append(Tensor)
    T = _Tensor[0]
    for a in args:
        if isinstance(a, (list, tuple)):
            a = next((t for t in a if isinstance(t, T)), None)
        if isinstance(a, T):
            return "cpu" if type(a._data) is np.ndarray else "cuda"
    return None


def region(devs, *args):
    """The device type whose autocast applies to an op on ``devs``'s lists, or None."""
    return _region(devs, args)


def _region(devs, args):
    dev = _first_device(args)
    if dev is None or dev not in devs or not tls.enabled.get(dev, False):
        return None
    return dev


def _eligible(t, dev):
    d = t._data
    return d.dtype in _ELIGIBLE and (type(d) is np.ndarray) == (dev == "cpu")


def _cast(a, dtype, dev):
    T = _Tensor[0]
    if isinstance(a, T):
        if _eligible(a, dev) and a._data.dtype != dtype.numpy_dtype:
            return a.to(dtype)
        return a
    if isinstance(a, (list, tuple)) and any(isinstance(t, T) for t in a):
        return (tuple if isinstance(a, tuple) else list)(_cast(t, dtype, dev) for t in a)
    return a


def lower(devs, *args):
    """args with eligible tensors cast to the autocast dtype (PyTorch's lower_precision_fp)."""
    dev = _region(devs, args)
    if dev is None:
        return args
    dtype = get_dtype(dev)
    return tuple(_cast(a, dtype, dev) for a in args)


def fp32(devs, *args):
    """args with eligible tensors cast to float32 (PyTorch's fp32 policy)."""
    dev = _region(devs, args)
    if dev is None:
        return args
    return tuple(_cast(a, _dt.float32, dev) for a in args)


def promote(devs, *args):
    """args with eligible tensors cast to the widest floating dtype among them."""
    dev = _region(devs, args)
    if dev is None:
        return args
    low = get_dtype(dev).numpy_dtype
    to = low
    for a in args:
        for t in (a if isinstance(a, (list, tuple)) else (a,)):
            if not isinstance(t, _Tensor[0]) or not _eligible(t, dev):
                continue
            d = t._data.dtype
            if to == _F32 or d == _F32:
                to = _F32
            elif not (to == low and d == low):  # PyTorch's at::autocast::prioritize
                raise RuntimeError("Unexpected floating ScalarType in at::autocast::prioritize")
    dtype = _dt.float32 if to == _F32 else get_dtype(dev)
    return tuple(_cast(a, dtype, dev) for a in args)


def fp32_op(devs):
    """Decorator for the ops on a float32 list that are not hot (decompositions, FFTs, 3-d
    pools ...): the check costs a call frame; inside a region the body runs on float32
    inputs with autocast off, as PyTorch's fp32 wrapper."""
    def deco(fn):
        @functools.wraps(fn)
        def op(*args, **kwargs):
            if not active:
                return fn(*args, **kwargs)
            dev = _region(devs, args + tuple(kwargs.values()))
            if dev is None:
                return fn(*args, **kwargs)
            f32 = _dt.float32
            args = [_cast(a, f32, dev) for a in args]
            kwargs = {k: _cast(v, f32, dev) for k, v in kwargs.items()}
            return plain(fn, *args, **kwargs)
        return op
    return deco


def plain(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with this thread's autocast off: PyTorch runs an autocast op's
    body below the autocast layer, so the ops it is built from cast nothing more."""
    st = tls.enabled
    saved = [d for d in BOTH if st.get(d, False)]
    for d in saved:
        set_enabled(d, False)
    try:
        return fn(*args, **kwargs)
    finally:
        for d in saved:
            set_enabled(d, True)
