"""``autocast``: accepted as a context manager and decorator; Ember keeps each op's dtype.

PyTorch's autocast runs selected ops in a lower precision. Ember runs them in the dtype of
their inputs (documented in docs/differences.md): programs keep working and stay float32.
"""
import functools

_state = {"enabled": False, "dtype": None}


def is_autocast_available(device_type):
    return device_type in ("cpu", "cuda")


class autocast:
    """``torch.autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``."""

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device_type = device_type
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self):
        self.prev = dict(_state)
        _state.update(enabled=self._enabled, dtype=self.fast_dtype)
        return self

    def __exit__(self, *exc):
        _state.clear()
        _state.update(self.prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self._enabled):
                return func(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type=None):
    return _state["enabled"]


def get_autocast_dtype(device_type):
    from .. import dtypes
    return _state["dtype"] or (dtypes.bfloat16 if device_type == "cpu" else dtypes.float16)


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return lambda f: f
    return bwd
