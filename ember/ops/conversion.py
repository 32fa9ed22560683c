"""Moving between dtypes and devices, and writing results into existing tensors."""
import numpy as np

from .. import dtypes as dt
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends.dispatch import cupy, xp_for_device
from ..tensor import Tensor
from ._util import attach, check_inplace, commit_inplace, grad_needed, wrap


class ToCopyBackward0(Node):
    __slots__ = ("_np_dtype", "_device")

    def backward(self, g):
        return to_impl(g, self._device, dt.from_numpy_dtype(self._np_dtype), False)


def _move(data, dev):
    if dev.type == "cpu":
        return data if type(data) is np.ndarray else data.get()
    cp = cupy()
    with cp.cuda.Device(dev.index or 0):
        return cp.asarray(data)


def to_impl(t, dev, dtype, copy):
    """``Tensor.to``: returns t itself when nothing changes and no copy is asked for."""
    d = t._data
    cur_dev = t.device
    same_dev = dev is None or (dev.type == cur_dev.type and
                               (dev.index is None or dev.index == (cur_dev.index or 0)
                                or cur_dev.type == "cpu"))
    same_dt = dtype is None or d.dtype == dtype.numpy_dtype
    if same_dev and same_dt and not copy:
        return t
    res = d
    if not same_dev:
        res = _move(res, dev)
    if not same_dt:
        res = res.astype(dtype.numpy_dtype)
    elif same_dev:
        res = res.copy()
    out = wrap(res)
    if grad_needed(t):
        if dtype is not None and dtype.category < dt.FLOAT:
            return out
        node = ToCopyBackward0()
        node._np_dtype = d.dtype
        node._device = cur_dev
        attach(out, node, (t,))
    return out


def copy_into_out(out, res):
    """Implements ``out=``: resize out if needed, write res into it."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if state.enabled and (out._requires_grad or res._requires_grad):
        raise RuntimeError(f"{'functions'} with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != res._data.shape:
        out._data = res._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = res._data
    out._vc[0] += 1
    return out


class CopyBackwards(Node):
    __slots__ = ("_src_shape", "_src_dtype", "_src_device")

    def backward(self, g):
        from .creation import zeros_like
        from ._util import sum_to, cast_to
        gs = None
        if self._next[1] is not None:
            gs = to_impl(cast_to(sum_to(g, self._src_shape), self._src_dtype),
                         self._src_device, None, False)
        return zeros_like(g), gs


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast, moved across devices) into self, in place."""
    if not isinstance(src, Tensor):
        from .creation import tensor
        src = tensor(src)
    check_inplace(self)
    sd = src._data
    if type(sd) is not type(self._data):
        sd = _move(sd, self.device)
    try:
        np.broadcast_shapes(sd.shape, self._data.shape)
        if np.broadcast_shapes(sd.shape, self._data.shape) != self._data.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self._data.shape[-1] if self._data.ndim else 1}"
                           f") must match the size of tensor b ({sd.shape[-1] if sd.ndim else 1}) "
                           f"at non-singleton dimension {max(self._data.ndim - 1, 0)}") from None
    if not grad_needed(self, src):
        if not self._data.flags.writeable:
            raise RuntimeError("unsupported operation: more than one element of the written-to "
                               "tensor refers to a single memory location. Please clone() the "
                               "tensor before performing the operation.")
        self._data[...] = sd
        self._vc[0] += 1
        return self
    res = wrap(np.broadcast_to(sd, self._data.shape).astype(self._data.dtype)
               if type(sd) is np.ndarray else sd.astype(self._data.dtype) + 0 * self._data)
    node = CopyBackwards()
    node._src_shape = src._data.shape
    node._src_dtype = src._data.dtype
    node._src_device = src.device
    attach(res, node, (self, src))
    return commit_inplace(self, res)


def fill_(self, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value.ndim} dimensions.")
        if grad_needed(value):
            return copy_(self, value.expand(self.shape))
        value = value.item()
    check_inplace(self)
    if grad_needed(self):
        return _fill_graph(self, value)
    self._data.fill(value) if self._data.flags.writeable else _readonly()
    self._vc[0] += 1
    return self


class FillBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        from .creation import zeros_like
        return zeros_like(g)


def _fill_graph(self, value):
    from .creation import full_like
    res = full_like(self, value)
    attach(res, FillBackward0(), (self,))
    return commit_inplace(self, res)


def _readonly():
    raise RuntimeError("unsupported operation: more than one element of the written-to tensor "
                       "refers to a single memory location. Please clone() the tensor before "
                       "performing the operation.")


def zero_(self):
    return fill_(self, 0)


# ---------------------------------------------------------------- in-place metadata changes
def inplace_view(op):
    """``t.unsqueeze_(d)`` and friends: ``t`` takes the shape/strides of ``op(t)``."""
    def method(self, *args, **kwargs):
        if state.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        res = op(self, *args, **kwargs)
        self._data = res._data
        if res._grad_fn is not None:
            self._grad_fn = res._grad_fn
            self._out_nr = res._out_nr
        if self._base is not None:
            self._view_fn = res._view_fn
        return self
    method.__name__ = op.__name__ + "_"
    return method


def resize_(self, *sizes, memory_format=None):
    """Resize in place; elements beyond the old size are uninitialised (zeros here)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if self._requires_grad and state.enabled:
        raise RuntimeError("cannot resize variables that require grad")
    d = self._data
    n = int(np.prod(sizes)) if sizes else 1
    if n == d.size:
        self._data = d.reshape(sizes) if d.flags.c_contiguous else \
            np.ascontiguousarray(d).reshape(sizes)
    else:
        flat = np.zeros(n, dtype=d.dtype)
        k = min(n, d.size)
        flat[:k] = d.reshape(-1)[:k]
        self._data = flat.reshape(sizes)
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, tuple(the_template.shape))


def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal, or a tall 2-D matrix with ``wrap``)."""
    d = self._data
    if d.ndim < 2:
        raise RuntimeError("dimensions must larger than 1")
    if d.ndim > 2 and len(set(d.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(d.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    check_inplace(self)
    if grad_needed(self):
        from .indexing import masked_fill
        return commit_inplace(self, masked_fill(self, wrap_(mask), fill_value))
    d[mask] = fill_value
    self._vc[0] += 1
    return self


wrap_ = wrap
