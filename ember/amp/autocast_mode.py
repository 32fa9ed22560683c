"""``autocast``: run selected ops in lower precision, as ``torch.autocast``.

Inside an enabled region, the ops on PyTorch's autocast lists cast their floating inputs:
matmul, linear, conv and attention to the region's dtype (bfloat16 on CPU by default,
float16 on CUDA), losses and other precision-sensitive ops to float32, cat/stack to the
widest input dtype. The lists and the casting live in ``ember/amp/_policy.py``; the state
(enabled flag and dtype per device type, cache flag, nesting) is thread-local, as PyTorch's.
"""
import collections.abc
import functools
import warnings

import numpy as np

from . import _policy

_SUPPORTED = ("bfloat16", "float16")


def is_autocast_available(device_type):
    return device_type in ("cpu", "cuda")


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``.

    Args:
        device_type: ``"cpu"`` or ``"cuda"``: the device whose ops the region casts.
        dtype: the lower precision (default: bfloat16 on CPU, float16 on CUDA).
        enabled: False makes a region that turns autocast off for its body.
        cache_enabled: accepted; Ember keeps no cast cache (each op casts its weights).

    Example::

        >>> with torch.autocast("cpu", dtype=torch.bfloat16):
        ...     y = torch.nn.Linear(4, 2)(torch.randn(3, 4))
        >>> y.dtype
        torch.bfloat16
    """

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        if not is_autocast_available(device_type):
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None \
            else cache_enabled
        if enabled:
            if device_type == "cuda":
                from .. import cuda
                if not cuda.is_available():
                    warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                                  "autocast.", stacklevel=2)
                    enabled = False
            elif getattr(self.fast_dtype, "name", None) not in _SUPPORTED:
                name = device_type.upper()
                warnings.warn(f"In {name} autocast, but the target dtype is not supported. "
                              f"Disabling autocast.\n{name} Autocast only supports dtypes of "
                              "torch.bfloat16, torch.float16 currently.", stacklevel=2)
                enabled = False
        self._enabled = enabled

    @property
    def device_type(self):
        return self.device

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, *exc):
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f"autocast()(func) requires a callable, but got "
                            f"{type(func).__name__}. Did you mean to use autocast as a context "
                            "manager? For example:\n    with torch.autocast(device_type=...):\n"
                            "        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return decorate_autocast


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` (no argument: CUDA, as in PyTorch)."""
    return _policy.is_enabled(device_type or "cuda")


def set_autocast_enabled(*args):
    """``set_autocast_enabled(device_type, enabled)`` (or the legacy CUDA-only
    ``set_autocast_enabled(enabled)``)."""
    dev, enabled = ("cuda", args[0]) if len(args) == 1 else args
    _policy.set_enabled(dev, enabled)


def get_autocast_dtype(device_type):
    """The lower-precision dtype autocast uses on ``device_type``."""
    return _policy.get_dtype(device_type)


def set_autocast_dtype(device_type, dtype):
    _policy.set_dtype(device_type, dtype)


def is_autocast_cache_enabled():
    return _policy.tls.cache


def set_autocast_cache_enabled(enabled):
    _policy.tls.cache = bool(enabled)


def clear_autocast_cache():
    """Ember keeps no cast cache (each op casts its inputs anew): nothing to clear."""
    return None


def autocast_increment_nesting():
    _policy.tls.nesting += 1
    return _policy.tls.nesting


def autocast_decrement_nesting():
    _policy.tls.nesting -= 1
    return _policy.tls.nesting


# ---------------------------------------------------------------- custom autograd Functions
def _cast(value, device_type, dtype):
    """Floating tensors on ``device_type`` (not float64) cast to dtype, through containers."""
    from ..tensor import Tensor
    if isinstance(value, Tensor):
        ok = value.is_floating_point() and value.device.type == device_type and \
            value.dtype.name != "float64"
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype)
                for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        it = (_cast(v, device_type, dtype) for v in value)
        return type(value)(it) if isinstance(value, (list, tuple)) else it
    return value


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    """Decorator for a custom ``autograd.Function``'s ``forward``.

    With ``cast_inputs`` (a dtype), inside an autocast-enabled region the floating tensor
    arguments are cast to it and ``forward`` runs with autocast off; otherwise ``forward``
    runs under the current autocast state. Pair it with :func:`custom_bwd`.
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        args[0]._fwd_used_autocast = False
        if not is_autocast_enabled(device_type):
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, device_type, cast_inputs),
                       **_cast(kwargs, device_type, cast_inputs))
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type="cuda"):
    """Decorator for a custom ``autograd.Function``'s ``backward``: runs it with the autocast
    state its ``forward`` (decorated by :func:`custom_fwd`) ran with."""
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast,
                      dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd
