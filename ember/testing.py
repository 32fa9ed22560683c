"""``torch.testing``: ``assert_close`` and ``make_tensor``."""
import numpy as np

from . import dtypes as _dt
from .tensor import Tensor

_TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
        "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}


def _as_array(x):
    if isinstance(x, Tensor):
        x = x.detach()
        return (x.float() if x.dtype is _dt.bfloat16 else x)._host()
    return np.asarray(x)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close (recursively)."""
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), \
            msg or f"sequence length mismatch: {len(actual)} != {len(expected)}"
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), \
            msg or "mapping keys differ"
        for k in expected:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        if actual.shape != expected.shape:
            raise AssertionError(msg or f"The values for attribute 'shape' do not match: "
                                 f"{actual.shape} != {expected.shape}.")
        if check_dtype and actual.dtype is not expected.dtype:
            raise AssertionError(msg or f"The values for attribute 'dtype' do not match: "
                                 f"{actual.dtype} != {expected.dtype}.")
        if check_device and actual.device != expected.device:
            raise AssertionError(msg or f"The values for attribute 'device' do not match: "
                                 f"{actual.device} != {expected.device}.")
        name = expected.dtype.name
    else:
        name = np.asarray(expected).dtype.name
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if rtol is None:
        rtol, atol = _TOL.get(name, (0.0, 0.0))
    a, e = _as_array(actual), _as_array(expected)
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if not np.all(close):
        bad = int((~close).sum())
        diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
        raise AssertionError(msg or (
            f"Tensor-likes are not close!\n\nMismatched elements: {bad} / {close.size} "
            f"({100.0 * bad / max(close.size, 1):.1f}%)\nGreatest absolute difference: "
            f"{np.nanmax(diff) if diff.size else 0} (up to {atol} allowed)"))


assert_allclose = assert_close


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """A random tensor of ``shape`` and ``dtype`` with values in [low, high)."""
    from .ops.creation import tensor
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    d = _dt.to_dtype(dtype)
    rng = np.random.default_rng()
    if d is _dt.bool_:
        a = rng.random(shape) > 0.5
    elif d.category == _dt.INT:
        lo = -9 if low is None else int(low)
        hi = 10 if high is None else int(high)
        if not d.is_signed:
            lo = max(lo, 0)
        a = rng.integers(lo, hi, size=shape)
    else:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        a = rng.uniform(lo, hi, size=shape)
    if exclude_zero:
        a = np.where(a == 0, 1, a)
    t = tensor(a, dtype=d, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t
