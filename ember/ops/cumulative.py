"""Cumulative ops along a dim: cumsum, cumprod, cummax, cummin, logcumsumexp."""
import numpy as np

from .. import dtypes as dt
from ..autograd.graph import Node
from ._util import arr, attach, grad_needed, wrap, wrap_dim
from ._util import np_dim_alias


def _dim(input, dim, name):
    if dim is None:
        raise TypeError(f"{name}() missing 1 required positional arguments: \"dim\"")
    return wrap_dim(dim, input._data.ndim)


def _rev_cumsum(g, dim):
    """sum_{j >= k} g_j along dim (the adjoint of cumsum), with differentiable ops."""
    return g.flip([dim]).cumsum(dim).flip([dim])


def _acc(d, dtype):
    if dtype is not None:
        return d.astype(dt.to_dtype(dtype).numpy_dtype, copy=False)
    if d.dtype.kind in "biu":  # integer cumulative ops accumulate in int64, as PyTorch
        return d.astype(np.int64)
    return d


def _finish(res, d, input, node_cls, dim, save_input=False, save_out=False):
    t = wrap(arr(res).astype(d.dtype, copy=False))
    if grad_needed(input):
        node = node_cls()
        node._dim = dim
        node._dtype = input._data.dtype
        if save_input:
            node.save_for_backward(input)
        attach(t, node, (input,))
        if save_out:
            node.save_output(t)
    return t


def _bf16_in(d):
    return d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d


class CumsumBackward0(Node):
    __slots__ = ("_dim", "_dtype")

    def backward(self, g):
        gi = _rev_cumsum(g, self._dim) if g.ndim else g
        return gi if gi._data.dtype == self._dtype else gi.to(dt.from_numpy_dtype(self._dtype))


def cumsum(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running sum along ``dim``; integer inputs accumulate in int64.

    Example::

        >>> torch.cumsum(torch.tensor([1, 2, 3]), 0)
        tensor([1, 3, 6])
    """
    if axis is not None or dim is None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("cumsum", dim, None, axis, None, required=True)
    ax = _dim(input, dim, "cumsum")
    d = _acc(input._data, dtype)
    res = np.cumsum(_bf16_in(d), axis=ax) if d.ndim else d.copy()
    return _out(_finish(res, d, input, CumsumBackward0, ax), out)


class CumprodBackward0(Node):
    __slots__ = ("_dim", "_dtype")

    def backward(self, g):
        (x,) = self.saved_tensors
        if not g.ndim:
            return g
        dim = self._dim
        out = x.cumprod(dim)
        is_zero = x == 0
        nzeros = is_zero.cumsum(dim)
        before = nzeros == 0                     # positions ahead of the first zero
        first_zero = (nzeros == 1).logical_and(is_zero)
        # Ahead of the first zero, d out_j / d x_k = out_j / x_k.
        safe_x = x.where(before, 1.0)
        g_before = _rev_cumsum(g * out, dim) / safe_x
        # At the first zero: the products with that zero replaced by one.
        out1 = x.where(first_zero.logical_not(), 1.0).cumprod(dim)
        g_zero = _rev_cumsum(g * out1, dim)
        gi = g_before.where(before, g_zero.where(first_zero, 0.0))
        return gi if gi._data.dtype == self._dtype else gi.to(dt.from_numpy_dtype(self._dtype))


def cumprod(input, dim=None, *, dtype=None, out=None, axis=None):
    """Running product along ``dim``; the gradient is exact even with zeros."""
    if axis is not None or dim is None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("cumprod", dim, None, axis, None, required=True)
    ax = _dim(input, dim, "cumprod")
    d = _acc(input._data, dtype)
    res = np.cumprod(_bf16_in(d), axis=ax) if d.ndim else d.copy()
    return _out(_finish(res, d, input, CumprodBackward0, ax, save_input=True), out)


class LogcumsumexpBackward0(Node):
    __slots__ = ("_dim", "_dtype")

    def backward(self, g):
        (x,) = self.saved_tensors
        if not g.ndim:
            return g
        dim = self._dim
        out = self.saved_output()
        # grad_k = exp(x_k) * sum_{j>=k} g_j exp(-out_j); the sum is taken in log space for
        # the positive and negative parts of g separately (a reversed logcumsumexp), so
        # nothing overflows however wide the range of x.
        ninf = float("-inf")

        def part(mask):
            lg = g.where(mask, 1.0).abs().log().where(mask, ninf)
            return ((lg - out).flip([dim]).logcumsumexp(dim).flip([dim]) + x).exp()
        return part(g > 0) - part(g < 0)


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably."""
    ax = _dim(input, dim, "logcumsumexp")
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    src = _bf16_in(d)
    if d.ndim == 0 or src.size == 0:
        res = src.copy()
    else:
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            res = np.logaddexp.accumulate(src, axis=ax)
    return _out(_finish(res, d, input, LogcumsumexpBackward0, ax, save_input=True,
                        save_out=True), out)


class CummaxBackward0(Node):
    __slots__ = ("_dim", "_dtype", "_idx", "_shape")

    def backward(self, g):
        from .creation import zeros
        from .indexing import scatter_add
        if not g.ndim:
            return g
        z = zeros(self._shape, dtype=g.dtype, device=g.device)
        return scatter_add(z, self._dim, self._idx, g)

    def _release_extra(self):
        self._idx = None


class CumminBackward0(CummaxBackward0):
    __slots__ = ()


def _cum_extreme(input, dim, ufunc, name, node_cls):
    from .reduction import _named_pair
    ax = _dim(input, dim, name)
    d = input._data
    src = _bf16_in(d)
    if d.ndim == 0:
        vals, idx = d.copy(), np.zeros((), np.int64)
    elif d.size == 0:
        vals, idx = d.copy(), np.zeros(d.shape, np.int64)
    else:
        run = ufunc.accumulate(src, axis=ax)
        shape = [1] * d.ndim
        shape[ax] = d.shape[ax]
        pos = np.arange(d.shape[ax]).reshape(shape)
        # A new extreme, a tie (PyTorch keeps the latest index) or a NaN takes this position.
        hit = src == run
        if src.dtype.kind == "f":
            hit |= np.isnan(src)
        idx = np.maximum.accumulate(np.where(hit, pos, 0), axis=ax).astype(np.int64)
        vals = run.astype(d.dtype, copy=False)
    values = wrap(arr(vals))
    indices = wrap(arr(idx))
    if grad_needed(input):
        node = node_cls()
        node._dim = ax
        node._dtype = d.dtype
        node._idx = indices
        node._shape = d.shape
        attach(values, node, (input,))
    return _named_pair(name)(values, indices)


def cummax(input, dim=None, *, out=None, axis=None):
    """(values, indices): the running maximum along ``dim`` and where it was found."""
    if axis is not None or dim is None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("cummax", dim, None, axis, None, required=True)
    return _cum_extreme(input, dim, np.maximum, "cummax", CummaxBackward0)


def cummin(input, dim=None, *, out=None, axis=None):
    """(values, indices): the running minimum along ``dim`` and where it was found."""
    if axis is not None or dim is None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("cummin", dim, None, axis, None, required=True)
    return _cum_extreme(input, dim, np.minimum, "cummin", CumminBackward0)


def _out(res, out):
    if out is None:
        return res
    from .conversion import copy_into_out
    return copy_into_out(out, res)
