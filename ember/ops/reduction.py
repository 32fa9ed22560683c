"""Reductions: sum, mean, prod, max/min, var/std, logsumexp, norm, all/any, softmax family."""
import builtins

import numpy as np

from .. import dtypes as dt
from ..amp import _policy as _amp
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..return_types import named
from ..tensor import Tensor
from ._util import arr, attach, grad_needed, wrap, wrap_dim, wrap_dims
from ._util import np_dim_alias

_ndarray = np.ndarray


def _expand_back(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back over the reduced dims (a view, no copy)."""
    if not keepdim and dims:
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(shape)


def _acc_dtype(d, dtype):
    """Sum-like reductions: ints and bools accumulate in int64 unless dtype= says otherwise."""
    if dtype is not None:
        return dt.to_dtype(dtype).numpy_dtype
    if d.dtype.kind in "biu":
        return np.int64
    return None


def _reduce_dims(dim, ndim):
    """wrap_dims, with PyTorch's convention that an empty dim list reduces every dim."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(ndim))
    return wrap_dims(dim, ndim)


def _back_dtype(g, npdtype):
    return g if g._data.dtype == npdtype else g.to(dt.from_numpy_dtype(npdtype))


class SumBackward0(Node):
    __slots__ = ("_shape", "_dtype")

    def backward(self, g):
        return _back_dtype(g, self._dtype).expand(self._shape)


class SumBackward1(Node):
    __slots__ = ("_shape", "_dims", "_keep", "_dtype")

    def backward(self, g):
        return _expand_back(_back_dtype(g, self._dtype), self._shape, self._dims, self._keep)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    """Sum over ``dim`` (int, tuple or all); integer inputs sum to int64."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("sum", dim, keepdim, axis, keepdims)
    d = input._data
    acc = _acc_dtype(d, dtype)
    if dim is None:
        res = d.sum(dtype=acc)
        if keepdim:
            res = np.asarray(res).reshape((1,) * d.ndim)
        t = wrap(arr(res))
        if state.enabled and input._requires_grad:
            node = SumBackward0()
            node._shape = d.shape
            node._dtype = d.dtype
            attach(t, node, (input,))
        return _maybe_out(t, out)
    dims = _reduce_dims(dim, d.ndim)
    if d.ndim == 2 and dims == (0,) and d.dtype.kind == "f" and acc is None and d.shape[0] > 1:
        # A BLAS row-sum is several times faster than NumPy's strided reduction.
        res = np.ones(d.shape[0], d.dtype) @ d if type(d) is _ndarray else d.sum(0)
        if keepdim:
            res = res[None]
    else:
        res = d.sum(axis=dims, dtype=acc, keepdims=keepdim)
    t = wrap(arr(res))
    if state.enabled and input._requires_grad:
        node = SumBackward1()
        node._shape = d.shape
        node._dims = dims
        node._keep = keepdim
        node._dtype = d.dtype
        attach(t, node, (input,))
    return _maybe_out(t, out)


class NansumBackward0(Node):
    __slots__ = ("_dims", "_keep")

    def backward(self, g):
        (x,) = self.saved_tensors
        gk = g if self._keep else _unsq(g, self._dims)
        return gk.expand(x.shape).where(x.isnan().logical_not(), 0.0)


def nansum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """``sum`` treating NaN as zero."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("nansum", dim, keepdim, axis, keepdims)
    d = input._data
    if not input.is_floating_point():
        return sum(input, dim, keepdim, dtype=dtype)
    dims = _reduce_dims(dim, d.ndim) if dim is not None else tuple(range(d.ndim))
    src = d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d
    res = np.nansum(src, axis=dims, keepdims=keepdim,
                    dtype=None if dtype is None else dt.to_dtype(dtype).numpy_dtype)
    t = wrap(arr(res).astype(d.dtype if dtype is None else dt.to_dtype(dtype).numpy_dtype,
                             copy=False))
    if grad_needed(input):
        node = NansumBackward0()
        node._dims = dims
        node._keep = keepdim
        node.save_for_backward(input)
        attach(t, node, (input,))
    return t


class MeanBackward0(Node):
    __slots__ = ("_shape", "_dims", "_keep", "_n", "_dtype")

    def backward(self, g):
        return _back_dtype(_expand_back(g / self._n, self._shape, self._dims, self._keep),
                           self._dtype)


class MeanBackward1(MeanBackward0):
    __slots__ = ()


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("mean", dim, keepdim, axis, keepdims)
    d = input._data
    if dtype is not None:
        d = d.astype(dt.to_dtype(dtype).numpy_dtype)
    if d.dtype.kind not in "fc" and d.dtype != dt._np_bfloat16:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {dt.type_word(input.dtype)}")
    dims = _reduce_dims(dim, d.ndim) if dim is not None else tuple(range(d.ndim))
    n = 1
    for a in dims:
        n *= d.shape[a]
    if dim is None and not keepdim:
        res = d.mean() if d.size else np.asarray(np.nan, d.dtype)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            res = d.mean(axis=dims, keepdims=keepdim) if d.size else \
                np.full(np.sum(d, axis=dims, keepdims=keepdim).shape, np.nan, d.dtype)
    t = wrap(arr(res).astype(d.dtype, copy=False))
    if state.enabled and input._requires_grad:
        node = MeanBackward0() if dim is None else MeanBackward1()
        node._dtype = input._data.dtype
        node._shape = d.shape
        node._dims = dims
        node._keep = keepdim or dim is None and False
        node._n = n
        if dim is None:
            node._keep = False
        attach(t, node, (input,))
    return _maybe_out(t, out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("nanmean", dim, keepdim, axis, keepdims)
    mask = ~input.isnan()
    return nansum(input, dim, keepdim, dtype=dtype) / mask.sum(dim, keepdim).to(input.dtype)


class ProdBackward0(Node):
    __slots__ = ("_dims", "_keep")

    def backward(self, g):
        if g._data.dtype.kind == "c":  # holomorphic: g * conj(d prod / d x)
            return self._grad(g.conj()).conj()
        return self._grad(g)

    def _grad(self, g):
        (x,) = self.saved_tensors
        dims = self._dims
        gk = g if (dims is None or self._keep) else g.unsqueeze(dims[0])
        # The product of the *other* elements (exclusive cumprods) stays right with zeros.
        if dims is None:
            return gk * _excl_prod(x.reshape(-1), 0).reshape(x.shape)
        return gk * _excl_prod(x, dims[0])


def _unsq(g, dims):
    for d in dims:
        g = g.unsqueeze(d)
    return g


def _excl_prod(x, d):
    from .shape import cat, flip
    from .creation import ones_like
    n = x.shape[d]
    one = ones_like(x.narrow(d, 0, 1))
    left = cat([one, x.narrow(d, 0, n - 1)], d).cumprod(d)
    right = flip(cat([one, flip(x, [d]).narrow(d, 0, n - 1)], d).cumprod(d), [d])
    return left * right


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("prod", dim, keepdim, axis, keepdims)
    if _amp.active:  # CPU: fp32; CUDA: fp32 unless a dtype is given (fp32_set_opt_dtype)
        input, = _amp.fp32(_amp.BOTH if dtype is None else _amp.CPU, input)
    d = input._data
    acc = _acc_dtype(d, dtype)
    if dim is None:
        t = wrap(arr(d.prod(dtype=acc)))
        dims = None
    else:
        dims = (wrap_dim(dim, d.ndim),)
        t = wrap(arr(d.prod(axis=dims, dtype=acc, keepdims=keepdim)))
    if grad_needed(input):
        node = ProdBackward0() if dims is None else ProdBackward1()
        node._dims = dims
        node._keep = keepdim
        node.save_for_backward(input)
        attach(t, node, (input,))
    return t


class ProdBackward1(ProdBackward0):
    __slots__ = ()


# ---------------------------------------------------------------- max / min family
class _SelectBackward(Node):
    """Gradient flows to the selected element (max/min along a dim, median, kthvalue)."""

    __slots__ = ("_shape", "_dim", "_keep", "_idx")

    def backward(self, g):
        from .indexing import scatter_grad
        idx = self._idx
        gk = g if self._keep else g.unsqueeze(self._dim)
        ik = np.expand_dims(idx, self._dim) if len(self._shape) else idx
        return scatter_grad(gk, ik, self._dim, self._shape)


class MaxBackward0(_SelectBackward):
    __slots__ = ()


class MinBackward0(_SelectBackward):
    __slots__ = ()


class MedianBackward1(_SelectBackward):
    __slots__ = ()


class KthvalueBackward0(_SelectBackward):
    __slots__ = ()


class ModeBackward0(_SelectBackward):
    __slots__ = ()


class MaxBackward1(Node):
    """Full reduction max/min/amax/amin: gradient shared evenly among the extremal elements."""

    __slots__ = ("_dims", "_keep")

    def backward(self, g):
        (x,) = self.saved_tensors
        out = self.saved_output()
        dims = self._dims
        if dims is None:
            mask = (x == out).to(g.dtype)
            return mask * (g / mask.sum())
        ok = out if self._keep else _unsq(out, dims)
        gk = g if self._keep else _unsq(g, dims)
        mask = (x == ok).to(g.dtype)
        return mask * gk / mask.sum(dims, keepdim=True)


class MinBackward1(MaxBackward1):
    __slots__ = ()


class AmaxBackward0(MaxBackward1):
    __slots__ = ()


class AminBackward0(MaxBackward1):
    __slots__ = ()


def _named_pair(name):
    return named(name, ("values", "indices"))


def _check_nonempty(d, name, dim=None):
    if d.size == 0 and (dim is None or d.shape[dim] == 0):
        if dim is None:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _extreme(input, dim, keepdim, np_arg, np_red, node_full, node_dim, name):
    d = input._data
    if isinstance(dim, Tensor):  # max(a, b) elementwise
        from .elementwise import maximum, minimum
        return (maximum if name == "max" else minimum)(input, dim)
    if dim is None:
        _check_nonempty(d, name)
        t = wrap(arr(np_red(d)))
        if grad_needed(input):
            node = node_full()
            node._dims = None
            node._keep = False
            node.save_for_backward(input)
            attach(t, node, (input,))
            node.save_output(t)
        return t
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        vals, idx = wrap(d.copy()), np.zeros((), np.int64)
    else:
        _check_nonempty(d, name, ax)
        idx = np_arg(d, axis=ax)
        if d.dtype.kind == "f":  # NaN wins, as in PyTorch
            nanpos = np.isnan(d)
            if nanpos.any():
                idx = np.where(nanpos.any(axis=ax), np.argmax(nanpos, axis=ax), idx)
        vals = np.take_along_axis(d, np.expand_dims(idx, ax), ax)
        if not keepdim:
            vals = vals.squeeze(ax)
        vals = wrap(arr(vals))
        idx = idx.astype(np.int64, copy=False)
    ind = wrap(arr(np.expand_dims(idx, ax) if keepdim and d.ndim else idx))
    if grad_needed(input):
        node = node_dim()
        node._shape = d.shape
        node._dim = ax
        node._keep = keepdim or d.ndim == 0
        node._idx = idx if d.ndim else np.zeros((), np.int64)
        attach(vals, node, (input,))
    return _named_pair(name)(vals, ind)


def max(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Max of all elements, or (values, indices) along ``dim``; ``max(a, b)`` is maximum."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("max", dim, keepdim, axis, keepdims)
    return _extreme(input, dim, keepdim, np.argmax, np.max, MaxBackward1, MaxBackward0, "max")


def min(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("min", dim, keepdim, axis, keepdims)
    return _extreme(input, dim, keepdim, np.argmin, np.min, MinBackward1, MinBackward0, "min")


def _amax_impl(input, dim, keepdim, np_red, node_cls, name):
    d = input._data
    dims = wrap_dims(dim, d.ndim) if dim not in (None, ()) else tuple(range(d.ndim))
    if d.size == 0 and builtins.any(d.shape[a] == 0 for a in dims):
        raise IndexError(f"{name}(): Expected reduction dim {dims[0]} to have non-zero size.")
    t = wrap(arr(np_red(d, axis=dims, keepdims=keepdim)))
    if grad_needed(input):
        node = node_cls()
        node._dims = dims
        node._keep = keepdim
        node.save_for_backward(input)
        attach(t, node, (input,))
        node.save_output(t)
    return t


def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("amax", dim, keepdim, axis, keepdims)
    return _amax_impl(input, dim, keepdim, np.max, AmaxBackward0, "amax")


def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("amin", dim, keepdim, axis, keepdims)
    return _amax_impl(input, dim, keepdim, np.min, AminBackward0, "amin")


def aminmax(input, *, dim=None, keepdim=False, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("aminmax", dim, keepdim, axis, keepdims)
    cls = _named_pair_generic("aminmax", ("min", "max"))
    if dim is None:
        return cls(amin(input), amax(input))
    return cls(amin(input, dim, keepdim), amax(input, dim, keepdim))


def _named_pair_generic(name, fields):
    return named(name, tuple(fields))


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("argmax", dim, keepdim, axis, keepdims)
    d = input._data
    if d.dtype.kind == "b":
        raise RuntimeError("argmax(): does not support bool input")
    if dim is None:
        _check_nonempty(d, "argmax")
        res = np.asarray(np.argmax(d), dtype=np.int64)
        return wrap(res.reshape((1,) * d.ndim) if keepdim else res)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return wrap(np.zeros((), np.int64))
    _check_nonempty(d, "argmax", ax)
    return wrap(arr(np.argmax(d, axis=ax, keepdims=keepdim).astype(np.int64, copy=False)))


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("argmin", dim, keepdim, axis, keepdims)
    d = input._data
    if d.dtype.kind == "b":
        raise RuntimeError("argmin(): does not support bool input")
    if dim is None:
        _check_nonempty(d, "argmin")
        res = np.asarray(np.argmin(d), dtype=np.int64)
        return wrap(res.reshape((1,) * d.ndim) if keepdim else res)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return wrap(np.zeros((), np.int64))
    _check_nonempty(d, "argmin", ax)
    return wrap(arr(np.argmin(d, axis=ax, keepdims=keepdim).astype(np.int64, copy=False)))


# ---------------------------------------------------------------- median / mode
class MedianBackward0(Node):
    """Full median: the gradient goes to the one selected element."""

    __slots__ = ("_shape", "_flat")

    def backward(self, g):
        from .indexing import scatter_grad
        flat = scatter_grad(g.reshape(1), np.array([self._flat]), 0, (int(np.prod(self._shape)),))
        return flat.reshape(self._shape)


class NanmedianBackward0(MedianBackward0):
    __slots__ = ()


class NanmedianBackward1(_SelectBackward):
    __slots__ = ()


def _median_pick(src, ax, ignore_nan):
    """Index along ``ax`` of the lower median (PyTorch's choice for even counts)."""
    order = np.argsort(src, axis=ax, kind="stable")  # NaNs sort last
    n = src.shape[ax]
    if src.dtype.kind == "f":
        nnan = np.isnan(src).sum(axis=ax, keepdims=True)
        if ignore_nan:
            k = np.maximum((n - nnan - 1) // 2, 0)
        else:  # any NaN makes the median NaN: pick the first NaN
            k = np.where(nnan > 0, n - nnan, (n - 1) // 2)
    else:
        k = np.full([1 if a == ax else s for a, s in enumerate(src.shape)], (n - 1) // 2)
    return np.take_along_axis(order, k, ax)


def _median(input, dim, keepdim, ignore_nan, name, full_node, dim_node):
    d = input._data
    if d.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    src = d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d
    if dim is None:
        if d.size == 0:
            return wrap(np.asarray(np.nan, d.dtype))
        flat = src.reshape(-1)
        i = int(_median_pick(flat, 0, ignore_nan)[0])
        t = wrap(np.asarray(d.reshape(-1)[i]))
        if grad_needed(input):
            node = full_node()
            node._shape = d.shape
            node._flat = i
            attach(t, node, (input,))
        return t
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        vals, idx = d.copy(), np.zeros((), np.int64)
    else:
        _check_nonempty(d, name, ax)
        idx = _median_pick(src, ax, ignore_nan)
        vals = np.take_along_axis(d, idx, ax)
        if not keepdim:
            vals, idx = vals.squeeze(ax), idx.squeeze(ax)
    return _select_result(input, arr(vals), arr(idx.astype(np.int64, copy=False)), ax,
                          keepdim, dim_node, name)


def _select_result(input, vals, idx, ax, keepdim, node_cls, name):
    d = input._data
    values = wrap(vals)
    if grad_needed(input):
        node = node_cls()
        node._shape = d.shape
        node._dim = ax
        node._keep = keepdim or d.ndim == 0
        node._idx = idx.squeeze(ax) if keepdim and d.ndim else idx  # the node expands it
        attach(values, node, (input,))
    return _named_pair(name)(values, wrap(idx))


def median(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """Lower median of all elements, or (values, indices) along ``dim``; NaN propagates."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("median", dim, keepdim, axis, keepdims)
    return _median(input, dim, keepdim, False, "median", MedianBackward0, MedianBackward1)


def nanmedian(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """``median`` ignoring NaNs (NaN only where a whole slice is NaN)."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("nanmedian", dim, keepdim, axis, keepdims)
    return _median(input, dim, keepdim, True, "nanmedian", NanmedianBackward0,
                   NanmedianBackward1)


def mode(input, dim=-1, keepdim=False, *, out=None, axis=None, keepdims=None):
    """(values, indices): the most frequent value along ``dim`` (the smallest on ties)."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("mode", dim, keepdim, axis, keepdims)
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _select_result(input, d.copy(), np.zeros((), np.int64), ax, keepdim,
                              ModeBackward0, "mode")
    _check_nonempty(d, "mode", ax)
    src = d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d
    moved = np.moveaxis(src, ax, -1)
    n = moved.shape[-1]
    rows = moved.reshape(-1, n)
    s = np.sort(rows, axis=1)
    pos = np.arange(n)
    new_run = np.ones(s.shape, bool)
    new_run[:, 1:] = s[:, 1:] != s[:, :-1]
    end_run = np.ones(s.shape, bool)
    end_run[:, :-1] = new_run[:, 1:]
    start = np.maximum.accumulate(np.where(new_run, pos, 0), axis=1)
    end = np.minimum.accumulate(np.where(end_run, pos, n - 1)[:, ::-1], axis=1)[:, ::-1]
    best = np.argmax(end - start, axis=1)          # first = smallest value among ties
    value = s[np.arange(s.shape[0]), best]
    # PyTorch reports the last position holding the mode.
    where_eq = rows == value[:, None]
    index = n - 1 - np.argmax(where_eq[:, ::-1], axis=1)
    out_shape = moved.shape[:-1]
    vals = value.reshape(out_shape).astype(d.dtype, copy=False)
    idx = index.reshape(out_shape).astype(np.int64)
    if keepdim:
        vals, idx = np.expand_dims(vals, ax), np.expand_dims(idx, ax)
    return _select_result(input, arr(vals), arr(idx), ax, keepdim, ModeBackward0, "mode")


# ---------------------------------------------------------------- var / std
def _correction(unbiased, correction):
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _parse_var_args(dim, unbiased, keepdim):
    # var(x, True) means unbiased=True in PyTorch's legacy signature.
    if isinstance(dim, bool):
        return None, dim, keepdim
    return dim, unbiased, keepdim


class VarBackward0(Node):
    __slots__ = ("_dims", "_keep", "_denom")

    def backward(self, g):
        (x,) = self.saved_tensors
        gk = g if self._keep else _unsq(g, self._dims)
        return gk * (2.0 / self._denom) * (x - x.mean(self._dims, keepdim=True))


class StdBackward0(VarBackward0):
    __slots__ = ()

    def backward(self, g):
        (x,) = self.saved_tensors
        out = self.saved_output()
        gk, ok = (g, out) if self._keep else (_unsq(g, self._dims), _unsq(out, self._dims))
        return gk * (x - x.mean(self._dims, keepdim=True)) / (ok * self._denom)


def _var_impl(input, dim, unbiased, keepdim, correction, node_cls, take_sqrt):
    dim, unbiased, keepdim = _parse_var_args(dim, unbiased, keepdim)
    c = _correction(unbiased, correction)
    d = input._data
    if d.dtype.kind not in "fcV":
        raise RuntimeError(f"std and var only support floating point and complex dtypes")
    dims = _reduce_dims(dim, d.ndim) if dim is not None else tuple(range(d.ndim))
    n = 1
    for a in dims:
        n *= d.shape[a]
    denom = n - c
    if denom <= 0:
        import warnings
        warnings.warn("var(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      stacklevel=3)
    src = d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = src.mean(axis=dims, keepdims=True) if src.size else 0
        diff = src - mu
        if diff.dtype.kind == "c":  # |x - mean|^2: the variance of a complex tensor is real
            diff = np.abs(diff)
        sq = np.sum(diff * diff, axis=dims, keepdims=keepdim)
        res = sq / builtins.max(denom, 0)  # PyTorch divides by max(0, N - correction)
        if take_sqrt:
            res = np.sqrt(res)
    out_dtype = d.real.dtype if d.dtype.kind == "c" else d.dtype
    t = wrap(arr(res).astype(out_dtype, copy=False))
    if grad_needed(input):
        node = node_cls()
        node._dims = dims
        node._keep = keepdim
        node._denom = builtins.max(denom, 0)
        node.save_for_backward(input)
        attach(t, node, (input,))
        if take_sqrt:
            node.save_output(t)
    return t


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None,
        axis=None, keepdims=None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; ``unbiased=False``: 0)."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("var", dim, keepdim, axis, keepdims)
    return _var_impl(input, dim, unbiased, keepdim, correction, VarBackward0, False)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None,
        axis=None, keepdims=None):
    """Standard deviation: the square root of ``var``."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("std", dim, keepdim, axis, keepdims)
    return _var_impl(input, dim, unbiased, keepdim, correction, StdBackward0, True)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None,
             axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("var_mean", dim, keepdim, axis, keepdims)
    d2, u2, k2 = _parse_var_args(dim, unbiased, keepdim)
    v = var(input, d2, u2, k2, correction=correction)
    m = input.mean(wrap_dims(d2, input.ndim), keepdim=k2) if d2 is not None else \
        (input.mean().reshape((1,) * input.ndim) if k2 else input.mean())
    return v, m


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None,
             axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("std_mean", dim, keepdim, axis, keepdims)
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return v.sqrt(), m


# ---------------------------------------------------------------- logsumexp / norms / bools
class LogsumexpBackward0(Node):
    __slots__ = ("_dims", "_keep")

    def backward(self, g):
        (x,) = self.saved_tensors
        out = self.saved_output()
        if not self._keep:
            g, out = _unsq(g, self._dims), _unsq(out, self._dims)
        return g * (x - out).exp()


def logsumexp(input, dim=None, keepdim=False, *, out=None, axis=None, keepdims=None):
    """``log(sum(exp(x)))`` over ``dim``, computed stably (the max is subtracted first)."""
    if axis is not None or keepdims is not None or dim is None:  # NumPy-style aliases
        dim, keepdim = np_dim_alias("logsumexp", dim, keepdim, axis, keepdims, required=True)
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    dims = _reduce_dims(dim, d.ndim)
    src = d.astype(np.float32) if d.dtype == dt._np_bfloat16 else d
    if src.size:
        m = np.max(src, axis=dims, keepdims=True)
        m = np.where(np.isfinite(m), m, 0).astype(src.dtype, copy=False)
        with np.errstate(divide="ignore"):
            res = np.log(np.sum(np.exp(src - m), axis=dims, keepdims=True)) + m
        if not keepdim:
            res = res.reshape([n for a, n in enumerate(src.shape) if a not in dims])
    else:
        with np.errstate(divide="ignore"):
            res = np.log(np.sum(np.exp(src), axis=dims, keepdims=keepdim))
    t = wrap(arr(res).astype(d.dtype, copy=False))
    if grad_needed(input):
        node = LogsumexpBackward0()
        node._dims = dims
        node._keep = keepdim
        node.save_for_backward(input)
        attach(t, node, (input,))
        node.save_output(t)
    return _maybe_out(t, out)


def all(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("all", dim, keepdim, axis, keepdims)
    d = input._data
    if dim is None:
        r = np.asarray(np.all(d), np.uint8 if d.dtype == np.uint8 else np.bool_)
        return wrap(r.reshape((1,) * d.ndim) if keepdim else r)
    dims = wrap_dims(dim, d.ndim)
    res = arr(np.all(d, axis=dims, keepdims=keepdim))
    return wrap(res if d.dtype != np.uint8 else res.astype(np.uint8))


def any(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("any", dim, keepdim, axis, keepdims)
    d = input._data
    if dim is None:
        r = np.asarray(np.any(d), np.uint8 if d.dtype == np.uint8 else np.bool_)
        return wrap(r.reshape((1,) * d.ndim) if keepdim else r)
    dims = wrap_dims(dim, d.ndim)
    res = arr(np.any(d, axis=dims, keepdims=keepdim))
    return wrap(res if d.dtype != np.uint8 else res.astype(np.uint8))


def count_nonzero(input, dim=None, *, axis=None):
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("count_nonzero", dim, None, axis, None)
    d = input._data
    if dim is None:
        return wrap(np.asarray(np.count_nonzero(d), dtype=np.int64))
    return wrap(arr(np.count_nonzero(d, axis=wrap_dims(dim, d.ndim))).astype(np.int64))


def _maybe_out(t, out):
    if out is None:
        return t
    from .conversion import copy_into_out
    return copy_into_out(out, t)


# ---------------------------------------------------------------- softmax family
class SoftmaxBackward0(Node):
    __slots__ = ("_dim",)

    def backward(self, g):
        y = self.saved_output()
        gy = g * y
        return gy - y * gy.sum(self._dim, keepdim=True)


class LogSoftmaxBackward0(Node):
    __slots__ = ("_dim",)

    def backward(self, g):
        y = self.saved_output()
        return g - y.exp() * g.sum(self._dim, keepdim=True)


def _softmax_dtype(input, dtype):
    d = input._data
    if dtype is not None:
        d = d.astype(dt.to_dtype(dtype).numpy_dtype)
        input = input.to(dtype)
    elif d.dtype.kind in "biu":
        raise RuntimeError(f"\"softmax_lastdim_kernel_impl\" not implemented for "
                           f"'{input.dtype.name.capitalize()}'")
    return input, d


def softmax(input, dim=None, dtype=None, *, _stacklevel=3, axis=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably."""
    if _amp.active and dtype is None:  # CUDA autocast: float32 (PyTorch's fp32_set_opt_dtype)
        input, = _amp.fp32(_amp.CUDA, input)
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("softmax", dim, None, axis, None)
    input, d = _softmax_dtype(input, dtype)
    ax = _softmax_dim(dim, d.ndim)
    if d.ndim == 0:
        res = np.ones_like(d)
    else:
        m = d.max(axis=ax, keepdims=True) if d.size else 0
        with np.errstate(invalid="ignore"):  # an all -inf row is NaN, silently as in torch
            e = np.exp(d - m)
            res = e / e.sum(axis=ax, keepdims=True) if d.size else e
    t = wrap(arr(res))
    if grad_needed(input):
        node = SoftmaxBackward0()
        node._dim = ax
        attach(t, node, (input,))
        node.save_output(t)
    return t


def _softmax_dim(dim, ndim):
    if dim is None:
        # PyTorch's legacy implicit choice (with a deprecation warning): 0 for 0/1/3-d, else 1.
        return 0 if ndim in (0, 1, 3) else 1
    return wrap_dim(dim, ndim) if ndim else 0


def log_softmax(input, dim=None, dtype=None, *, _stacklevel=3, axis=None):
    if _amp.active and dtype is None:  # CUDA autocast: float32 (PyTorch's fp32_set_opt_dtype)
        input, = _amp.fp32(_amp.CUDA, input)
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("log_softmax", dim, None, axis, None)
    input, d = _softmax_dtype(input, dtype)
    ax = _softmax_dim(dim, d.ndim)
    if d.ndim == 0:
        res = np.zeros_like(d)
    elif d.size:
        m = d.max(axis=ax, keepdims=True)
        with np.errstate(invalid="ignore"):  # an all -inf row is NaN, silently as in torch
            sh = d - m
            res = sh - np.log(np.exp(sh).sum(axis=ax, keepdims=True))
    else:
        res = d.copy()
    t = wrap(arr(res))
    if grad_needed(input):
        node = LogSoftmaxBackward0()
        node._dim = ax
        attach(t, node, (input,))
        node.save_output(t)
    return t


def softmin(input, dim=None, dtype=None):
    return softmax(-input, dim, dtype)
