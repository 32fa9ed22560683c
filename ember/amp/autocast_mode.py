"""``autocast``: accepted as a context manager and decorator; Ember keeps each op's dtype.

PyTorch's autocast runs selected ops in a lower precision. Ember runs them in the dtype of
their inputs (documented in docs/differences.md): programs keep working and stay float32.
"""
import functools

_state = {"enabled": False, "dtype": None}
# Per-device autocast flags and dtypes, as PyTorch keeps them (torch.is_autocast_enabled(dev)).
_devices = {}
_misc = {"cache": True, "nesting": 0}


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
        self.prev_device = _devices.get(self.device_type)
        _state.update(enabled=self._enabled, dtype=self.fast_dtype)
        _devices[self.device_type] = (bool(self._enabled),
                                      self.fast_dtype or get_autocast_dtype(self.device_type))
        return self

    def __exit__(self, *exc):
        _state.clear()
        _state.update(self.prev)
        if self.prev_device is None:
            _devices.pop(self.device_type, None)
        else:
            _devices[self.device_type] = self.prev_device
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self._enabled):
                return func(*args, **kwargs)
        return wrapper


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` (no argument: CUDA, as in PyTorch)."""
    return _devices.get(device_type or "cuda", (False, None))[0]


def set_autocast_enabled(*args):
    """``set_autocast_enabled(device_type, enabled)`` (or the legacy CUDA-only
    ``set_autocast_enabled(enabled)``)."""
    dev, enabled = ("cuda", args[0]) if len(args) == 1 else args
    _devices[dev] = (bool(enabled), get_autocast_dtype(dev))


def get_autocast_dtype(device_type):
    """The lower-precision dtype autocast would use on ``device_type``."""
    from .. import dtypes
    entry = _devices.get(device_type)
    if entry is not None and entry[1] is not None:
        return entry[1]
    return dtypes.bfloat16 if device_type == "cpu" else dtypes.float16


def set_autocast_dtype(device_type, dtype):
    _devices[device_type] = (is_autocast_enabled(device_type), dtype)


def is_autocast_cache_enabled():
    return _misc["cache"]


def set_autocast_cache_enabled(enabled):
    _misc["cache"] = bool(enabled)


def clear_autocast_cache():
    """Ember keeps no cast cache (ops run in their inputs' dtype): nothing to clear."""
    return None


def autocast_increment_nesting():
    _misc["nesting"] += 1
    return _misc["nesting"]


def autocast_decrement_nesting():
    _misc["nesting"] -= 1
    return _misc["nesting"]


def custom_fwd(fwd=None, *, device_type="cuda", cast_inputs=None):
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd=None, *, device_type="cuda"):
    if bwd is None:
        return lambda f: f
    return bwd
