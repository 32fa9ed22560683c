"""Tensor factories: tensor, as_tensor, from_numpy, zeros/ones/full/empty(_like), arange,
linspace, logspace, eye, meshgrid, tril/triu(_indices)."""
import math
import numbers

import numpy as np

from .. import dtypes as dt
from ..amp import _policy as _amp
from ..autograd.graph import Node
from ..backends.dispatch import xp_for_device
from ..device import to_device
from ..tensor import Size, Tensor
from ._util import arr, attach, grad_needed, wrap


def _finish(data, device, requires_grad):
    t = wrap(data)
    dev = to_device(device)
    if dev.type != "cpu":
        from .conversion import to_impl
        t = to_impl(t, dev, None, False)
    if requires_grad:
        t.requires_grad = True
    return t


def _np_dtype(dtype):
    return None if dtype is None else dt.to_dtype(dtype).numpy_dtype


def _infer(data, exact=False):
    """A NumPy array for Python data, with PyTorch's dtype inference.

    ``exact``: an explicit dtype follows, so keep Python floats as float64 until the cast
    (going through float32 first would round 0.3 before a float64 cast).
    """
    if isinstance(data, Tensor):
        return data._host().copy()
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, np.generic):
        return np.asarray(data)
    if isinstance(data, bool):
        return np.asarray(data)
    if isinstance(data, numbers.Integral):
        return np.asarray(int(data), dtype=np.int64)
    if isinstance(data, float):
        return np.asarray(data, dtype=np.float64 if exact else
                          dt.get_default_dtype().numpy_dtype)
    if isinstance(data, complex):
        return np.asarray(data, dtype=dt.get_default_dtype().to_complex().numpy_dtype)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    try:
        a = np.array(data)
    except ValueError as exc:
        raise ValueError(_ragged_message(data) or str(exc)) from None
    if a.dtype == np.float64 and not exact and not _has_float64_scalar(data):
        a = a.astype(dt.get_default_dtype().numpy_dtype)
    elif a.dtype == np.complex128:
        a = a.astype(dt.get_default_dtype().to_complex().numpy_dtype)
    elif a.dtype.kind in "iu" and a.dtype != np.uint8 and not _has_np_int(data):
        a = a.astype(np.int64)
    elif a.dtype.kind in "USO":
        raise TypeError(f"new(): invalid data type '{_first_leaf_type(data)}'")
    return a


def _leaves(data, limit=64):
    stack = [data]
    seen = 0
    while stack and seen < limit:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            seen += 1
            yield x


def _has_float64_scalar(data):
    for x in _leaves(data):
        if isinstance(x, (np.floating, np.ndarray)) and x.dtype == np.float64:
            return True
        if isinstance(x, Tensor) and x._data.dtype == np.float64:
            return True
    return False


def _has_np_int(data):
    for x in _leaves(data):
        if isinstance(x, (np.integer, np.ndarray, Tensor)):
            return True
    return False


def _first_leaf_type(data):
    for x in _leaves(data):
        return type(x).__name__
    return "object"


def _ragged_message(data):
    def walk(x, dim):
        if not isinstance(x, (list, tuple)):
            return None
        lens = {len(e) for e in x if isinstance(e, (list, tuple))}
        if len(lens) > 1:
            first = len(x[0])
            for e in x:
                if len(e) != first:
                    return f"expected sequence of length {first} at dim {dim + 1} (got {len(e)})"
        for e in x:
            msg = walk(e, dim + 1)
            if msg:
                return msg
        return None
    return walk(data, 0)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor that copies ``data`` (nested lists, numbers, arrays or tensors)."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        a = data._data.copy()
        t = wrap(a)
        if requires_grad:
            t.requires_grad = True
        return t
    a = _infer(data, exact=dtype is not None)  # autograd helper: exact float64 literals
    if dtype is not None:
        a = a.astype(dt.to_dtype(dtype).numpy_dtype, copy=False)
    dt.from_numpy_dtype(a.dtype)  # rejects unsupported dtypes with PyTorch's message
    if device is None and isinstance(data, Tensor):
        device = data.device
    return _finish(a, device, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    return _finish(np.asarray(s, dtype=d.numpy_dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Share memory with ``data`` where dtype and device allow; otherwise copy."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (device is None or to_device(device).type == "cpu"):
        t = from_numpy(data) if data.dtype.kind != "O" else tensor(data.tolist())
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if any(s < 0 for s in ndarray.strides):
        raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                         "with negative strides are not currently supported. (You can probably "
                         "work around this by making a copy of your array  with array.copy().) ")
    dt.from_numpy_dtype(ndarray.dtype)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    return wrap(ndarray)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    a = np.frombuffer(buffer, dtype=dt.to_dtype(dtype).numpy_dtype, count=count, offset=offset)
    return _finish(a, None, requires_grad)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, numbers.Integral):
            raise TypeError(f"zeros(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _factory(fill):
    def make(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, memory_format=None):
        shape = _size(size)
        d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
        dev = to_device(device)
        xp = xp_for_device(dev)
        data = fill(xp, shape, d.numpy_dtype)
        t = wrap(data)
        if requires_grad:
            t.requires_grad = True
        if out is not None:
            from .conversion import copy_into_out
            return copy_into_out(out, t)
        return t
    return make


zeros = _factory(lambda xp, s, d: xp.zeros(s, d))
ones = _factory(lambda xp, s, d: xp.ones(s, d))
empty = _factory(lambda xp, s, d: xp.empty(s, d))


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        d = dt.scalar_dtype(fill_value) if not isinstance(fill_value, np.generic) else \
            dt.from_numpy_dtype(fill_value.dtype)
    else:
        d = dt.to_dtype(dtype)
    xp = xp_for_device(to_device(device))
    t = wrap(xp.full(_size((size,) if isinstance(size, int) else tuple(size)), fill_value,
                     d.numpy_dtype))
    if requires_grad:
        t.requires_grad = True
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, t)
    return t


def _like(fill):
    def make(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None, pin_memory=False):
        d = dt.to_dtype(dtype).numpy_dtype if dtype is not None else input._data.dtype
        xp = input.xp if device is None else xp_for_device(to_device(device))
        t = wrap(fill(xp, input._data.shape, d))
        if requires_grad:
            t.requires_grad = True
        return t
    return make


zeros_like = _like(lambda xp, s, d: xp.zeros(s, d))
ones_like = _like(lambda xp, s, d: xp.ones(s, d))
empty_like = _like(lambda xp, s, d: xp.empty(s, d))


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d = dt.to_dtype(dtype).numpy_dtype if dtype is not None else input._data.dtype
    xp = input.xp if device is None else xp_for_device(to_device(device))
    t = wrap(xp.full(input._data.shape, fill_value, d))
    if requires_grad:
        t.requires_grad = True
    return t


def _scalar_value(x):
    return x.item() if isinstance(x, (Tensor, np.generic)) else x


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from ``start`` to ``end`` (exclusive) by ``step``."""
    if end is None:
        start, end = 0, start
    start, end, step = (_scalar_value(v) for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in (start, end, step))
        d = dt.get_default_dtype() if is_float else dt.int64
    else:
        d = dt.to_dtype(dtype)
    n = max(int(math.ceil((end - start) / step)), 0)
    if d.category == dt.FLOAT:
        data = (start + np.arange(n, dtype=np.float64) * step).astype(d.numpy_dtype)
    else:
        data = (start + np.arange(n, dtype=np.int64) * step).astype(d.numpy_dtype) \
            if all(isinstance(v, numbers.Integral) for v in (start, step)) else \
            (start + np.arange(n, dtype=np.float64) * step).astype(d.numpy_dtype)
    t = _finish(data, device, requires_grad)
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, t)
    return t


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: ``end`` inclusive."""
    n = int(math.floor((end - start) / step)) + 1
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    data = (start + np.arange(n, dtype=np.float64) * step).astype(d.numpy_dtype)
    return _finish(data, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    start, end = _scalar_value(start), _scalar_value(end)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    if steps == 1:
        data = np.asarray([start], dtype=np.float64)
    else:
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        # Symmetric evaluation from both ends, as PyTorch's kernel does.
        data = np.where(i < half, start + i * step, end - (steps - 1 - i) * step)
    if d.category != dt.FLOAT and d.category != dt.COMPLEX:
        data = np.trunc(data)
    return _finish(data.astype(d.numpy_dtype), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    lin = linspace(start, end, steps, dtype=dt.float64)._data
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    return _finish(np.power(base, lin).astype(d.numpy_dtype), device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if m is None:
        m = n
    if n < 0 or m < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {min(n, m)}")
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    xp = xp_for_device(to_device(device))
    t = wrap(xp.eye(n, m, dtype=d.numpy_dtype))
    if requires_grad:
        t.requires_grad = True
    return t


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise ValueError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                         f"received: {indexing}")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    n = len(ts)
    outs = []
    for i, t in enumerate(ts):
        view_shape = [1] * n
        view_shape[i] = -1
        outs.append(t.reshape(view_shape).expand(shape))
    if swap:  # 'xy': grids built for (y, x, ...) order, handed back as (x, y, ...)
        outs[0], outs[1] = outs[1], outs[0]
    return tuple(outs)


class TrilBackward0(Node):
    __slots__ = ("_k",)

    def backward(self, g):
        return tril(g, self._k)


class TriuBackward0(Node):
    __slots__ = ("_k",)

    def backward(self, g):
        return triu(g, self._k)


def _tri(input, diagonal, npfn, cls):
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"{cls.__name__[:4].lower()}: input tensor must have at least 2 "
                           "dimensions")
    res = wrap(arr(npfn(d, diagonal)))
    if grad_needed(input):
        node = cls()
        node._k = diagonal
        attach(res, node, (input,))
    return res


def tril(input, diagonal=0, *, out=None):
    return _tri(input, diagonal, lambda d, k: input.xp.tril(d, k), TrilBackward0)


def triu(input, diagonal=0, *, out=None):
    return _tri(input, diagonal, lambda d, k: input.xp.triu(d, k), TriuBackward0)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.tril_indices(row, offset, col)
    d = dt.to_dtype(dtype).numpy_dtype if dtype is not None else np.int64
    return _finish(np.stack([r, c]).astype(d), device, False)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.triu_indices(row, offset, col)
    d = dt.to_dtype(dtype).numpy_dtype if dtype is not None else np.int64
    return _finish(np.stack([r, c]).astype(d), device, False)


class ComplexBackward0(Node):
    __slots__ = ("_shapes",)

    def backward(self, g):
        from ._util import sum_to
        from .complex import imag, real
        sr, si = self._shapes
        return (sum_to(real(g), sr) if self._next[0] is not None else None,
                sum_to(imag(g), si) if self._next[1] is not None else None)


def complex_(real, imag):
    """``torch.complex``: a complex tensor from real and imaginary parts."""
    if real._data.dtype != imag._data.dtype or real._data.dtype.kind != "f":
        raise RuntimeError(f"Expected object of scalar type {real.dtype} but got scalar type "
                           f"{imag.dtype} for second argument" if real.dtype != imag.dtype else
                           f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype} and {imag.dtype}")
    cd = np.complex64 if real._data.dtype != np.float64 else np.complex128
    data = np.empty(np.broadcast_shapes(real._data.shape, imag._data.shape), cd) \
        if type(real._data) is np.ndarray else real.xp.empty(
            np.broadcast_shapes(real._data.shape, imag._data.shape), cd)
    data.real = real._data
    data.imag = imag._data
    out = wrap(data)
    if grad_needed(real, imag):
        node = ComplexBackward0()
        node._shapes = (real._data.shape, imag._data.shape)
        attach(out, node, (real, imag))
    return out


@_amp.fp32_op(_amp.CPU)
def polar(abs, angle):
    return complex_(abs * angle.cos(), abs * angle.sin())


# ---------------------------------------------------------------- new_* methods
def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)


def _new_factory(fn):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
        return fn(*size, dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)
    return method


new_zeros = _new_factory(zeros)
new_ones = _new_factory(ones)
new_empty = _new_factory(empty)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)
