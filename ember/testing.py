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


class _Failure(AssertionError):
    """A mismatch found at ``path`` inside nested containers."""

    def __init__(self, text, path=""):
        super().__init__(text)
        self.text = text
        self.path = path


def _kind(x):
    if isinstance(x, Tensor):
        return "tensor"
    if isinstance(x, np.ndarray):
        return "array"
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (int, float, complex, np.number)):
        return "number"
    return None


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close.

    Tensors, NumPy arrays, numbers and (nested) sequences and mappings of them are compared
    pairwise, with the default ``rtol``/``atol`` of the dtype (zero for integers) unless
    both are given. The message follows PyTorch's (mismatch count, greatest absolute and
    relative difference with their index, and where in a container the failure occurred).
    """
    if (rtol is None) != (atol is None):
        raise ValueError("Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    opts = dict(rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
                check_dtype=check_dtype, check_stride=check_stride)
    try:
        _compare(actual, expected, opts)
    except _Failure as f:
        text = f.text + (f"\n\nThe failure occurred for item {f.path}" if f.path else "")
        if msg is None:
            raise AssertionError(text) from None
        raise AssertionError(msg(text) if callable(msg) else msg) from None


def _compare(actual, expected, opts):
    ka, ke = _kind(actual), _kind(expected)
    if ka is not None and ka == ke:
        return _compare_leaf(actual, expected, ka, opts)
    if actual is None and expected is None:
        return None
    seq = (list, tuple)
    if isinstance(actual, seq) and isinstance(expected, seq):
        if len(actual) != len(expected):
            raise _Failure(f"The length of the sequences mismatch: {len(actual)} != "
                           f"{len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _nested(a, e, f"[{i}]", opts)
        return None
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            missing = [k for k in expected if k not in actual]
            extra = [k for k in actual if k not in expected]
            raise _Failure(f"The keys of the mappings do not match:\nMissing keys in the actual "
                           f"mapping: {sorted(missing, key=repr)}\nAdditional keys in the actual "
                           f"mapping: {sorted(extra, key=repr)}")
        for k in expected:
            _nested(actual[k], expected[k], f"[{k!r}]", opts)
        return None
    raise TypeError(f"No comparison pair was able to handle inputs of type {_type_str(actual)} "
                    f"and {_type_str(expected)}.")


def _type_str(x):
    # Programs written for PyTorch see PyTorch's class name in this message.
    return "<class 'torch.Tensor'>" if isinstance(x, Tensor) else str(type(x))


def _nested(a, e, where, opts):
    try:
        _compare(a, e, opts)
    except _Failure as f:
        raise _Failure(f.text, where + f.path) from None


def _tolerances(names, opts):
    if opts["rtol"] is not None:
        return opts["rtol"], opts["atol"]
    tols = [_TOL.get(n, (0.0, 0.0)) for n in names]
    return max(t[0] for t in tols), max(t[1] for t in tols)


def _compare_leaf(actual, expected, kind, opts):
    if kind == "bool":
        if bool(actual) != bool(expected):
            raise _Failure(f"Booleans mismatch: {actual} is not {expected}")
        return None
    if kind == "number":
        if type(actual) is not type(expected) and not (
                isinstance(actual, np.number) or isinstance(expected, np.number)):
            raise _Failure(f"The (d)types do not match: {type(actual)} != {type(expected)}.")
        names = ["float64" if isinstance(v, float) else np.asarray(v).dtype.name
                 for v in (actual, expected)]
        rtol, atol = _tolerances(names, opts)
        return _compare_scalars(actual, expected, rtol, atol, opts["equal_nan"])
    if kind == "tensor":
        for attr, av, ev, on in (("shape", actual.shape, expected.shape, True),
                                 ("device", actual.device, expected.device,
                                  opts["check_device"]),
                                 ("dtype", actual.dtype, expected.dtype, opts["check_dtype"])):
            if on and av != ev:
                raise _Failure(f"The values for attribute '{attr}' do not match: {av} != {ev}.")
        if opts["check_stride"] and actual.stride() != expected.stride():
            raise _Failure(f"The values for attribute 'stride()' do not match: "
                           f"{actual.stride()} != {expected.stride()}.")
        names = [actual.dtype.name, expected.dtype.name]
    else:
        if actual.shape != expected.shape:
            raise _Failure(f"The values for attribute 'shape' do not match: "
                           f"torch.Size({list(actual.shape)}) != "
                           f"torch.Size({list(expected.shape)}).")
        if opts["check_dtype"] and actual.dtype != expected.dtype:
            raise _Failure(f"The values for attribute 'dtype' do not match: "
                           f"torch.{_dt.from_numpy_dtype(actual.dtype).name} != "
                           f"torch.{_dt.from_numpy_dtype(expected.dtype).name}.")
        names = [actual.dtype.name, expected.dtype.name]
    rtol, atol = _tolerances(names, opts)
    a, e = _as_array(actual), _as_array(expected)
    if a.ndim == 0:
        return _compare_scalars(a.item(), e.item(), rtol, atol, opts["equal_nan"])
    return _compare_arrays(a, e, rtol, atol, opts["equal_nan"])


def _compare_scalars(a, e, rtol, atol, equal_nan):
    if _close(np.asarray(a), np.asarray(e), rtol, atol, equal_nan).all():
        return None
    exact = rtol == 0 and atol == 0
    diff = abs(a - e)
    rel = diff / abs(e) if e != 0 else (float("nan") if diff != diff else float("inf"))
    tail_a = "" if exact else f" (up to {atol} allowed)"
    tail_r = "" if exact else f" (up to {rtol} allowed)"
    raise _Failure(f"Scalars are not {'equal' if exact else 'close'}!\n\nExpected {e} but got "
                   f"{a}.\nAbsolute difference: {diff}{tail_a}\nRelative difference: "
                   f"{rel}{tail_r}")


def _close(a, e, rtol, atol, equal_nan):
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        return a.astype(np.int64) == e.astype(np.int64) if rtol == 0 and atol == 0 else \
            np.abs(a.astype(np.int64) - e.astype(np.int64)) <= atol + rtol * np.abs(e)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)


def _compare_arrays(a, e, rtol, atol, equal_nan):
    close = _close(a, e, rtol, atol, equal_nan)
    if close.all():
        return None
    exact = rtol == 0 and atol == 0
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        ref = np.abs(e.astype(np.int64)).astype(np.float32)
        diff_f = diff.astype(np.float32)
    else:
        wide = np.result_type(a.dtype, e.dtype)
        diff = np.abs(a.astype(wide) - e.astype(wide))
        ref = np.abs(e.astype(wide))
        diff_f = diff
    diff = np.where(close, 0, diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff_f / ref
    rel = np.where(close, 0, rel)
    bad = int((~close).sum())

    def greatest(x):
        flat = x.reshape(-1)
        nans = np.isnan(flat) if flat.dtype.kind == "f" else None
        i = int(np.argmax(nans)) if nans is not None and nans.any() else int(np.argmax(flat))
        return flat[i].item(), tuple(int(v) for v in np.unravel_index(i, x.shape))

    dmax, di = greatest(diff)
    rmax, ri = greatest(rel)
    tail_a = "" if exact else f" (up to {atol} allowed)"
    tail_r = "" if exact else f" (up to {rtol} allowed)"
    raise _Failure(f"Tensor-likes are not {'equal' if exact else 'close'}!\n\nMismatched "
                   f"elements: {bad} / {close.size} ({100.0 * bad / close.size:.1f}%)\n"
                   f"Greatest absolute difference: {dmax} at index {di}{tail_a}\n"
                   f"Greatest relative difference: {rmax} at index {ri}{tail_r}")


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated PyTorch alias of :func:`assert_close` (no dtype check, NaNs equal)."""
    from .ops.creation import as_tensor
    if not isinstance(actual, Tensor):
        actual = as_tensor(actual)
    if not isinstance(expected, Tensor):
        expected = as_tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _tolerances([actual.dtype.name, expected.dtype.name],
                                 {"rtol": None})
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan,
                 check_dtype=False, msg=msg or None)


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
