"""Indexing: ``t[key]`` (basic keys give views, advanced keys copy), differentiable
``t[key] = v``, gather/index_select/masked_fill/nonzero and the scatter helpers backward uses.
"""
import numbers

import numpy as np

from .. import dtypes as dt
from ..autograd.graph import Node
from ..tensor import Tensor
from ._util import (arr, attach, cast_to, check_inplace, commit_inplace, grad_needed, sum_to,
                    wrap, wrap_dim)
from .shape import SelectBackward0, SliceBackward0, region

_BASIC = (int, slice, type(None), type(Ellipsis))


def _convert_key(key, xp=np):
    """Normalise a key: tensors become arrays; returns (key, is_basic)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    basic = True
    for k in key:
        if isinstance(k, Tensor):
            d = k._data
            if d.ndim == 0 and d.dtype.kind in "iu":
                out.append(int(d))
                continue
            if d.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            if d.dtype == np.uint8:
                d = d.astype(bool)
            out.append(d)
            basic = False
        elif isinstance(k, bool) or isinstance(k, np.bool_):
            out.append(bool(k))
            basic = False
        elif isinstance(k, numbers.Integral) and not isinstance(k, _BASIC):
            out.append(int(k))
        elif isinstance(k, _BASIC):
            if isinstance(k, slice) and k.step is not None and k.step <= 0:
                raise ValueError("step must be greater than zero")
            out.append(k)
        elif isinstance(k, (list, tuple, np.ndarray)):
            a = np.asarray([_scalar_index(v) for v in k] if isinstance(k, (list, tuple)) else k)
            if a.dtype.kind == "f" or a.dtype.kind == "O":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool "
                                     "tensors")
            out.append(a)
            basic = False
        else:
            try:
                out.append(k.__index__())
            except AttributeError:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    "Variables are valid indices (got " + type(k).__name__ + ")") from None
    return tuple(out), basic


def _scalar_index(v):
    if isinstance(v, Tensor):
        return v.item()
    return v


def _bounds_error(exc, shape):
    msg = str(exc)
    if "out of bounds" in msg:
        msg = msg.replace("axis", "dimension")
    return IndexError(msg)


def _check_dims(key, ndim):
    n = 0
    for k in key:
        if k is None or k is Ellipsis:
            continue
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            n += max(k.ndim, 1) if k.ndim else 0
        elif isinstance(k, bool):
            continue
        else:
            n += 1
    if n > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")


def getitem(self, key):
    """``self[key]``: a view for basic keys, a differentiable copy for advanced ones."""
    d = self._data
    key, basic = _convert_key(key)
    _check_dims(key, d.ndim)
    if basic:
        try:
            if len(key) == 1 and type(key[0]) is int:
                return region(self, key, SelectBackward0)
            return region(self, key, SliceBackward0)
        except IndexError as exc:
            raise _bounds_error(exc, d.shape) from None
    try:
        res = wrap(arr(d[key]))
    except IndexError as exc:
        raise _bounds_error(exc, d.shape) from None
    if grad_needed(self):
        node = IndexBackward0()
        node._shape = d.shape
        node._key = key
        attach(res, node, (self,))
    return res


class IndexBackward0(Node):
    __slots__ = ("_shape", "_key")

    def backward(self, g):
        return index_put_acc(g, self._shape, self._key)


class IndexPutAccBackward(Node):
    __slots__ = ("_key",)

    def backward(self, g):
        return getitem_raw(g, self._key)


def getitem_raw(t, key):
    res = wrap(arr(t._data[key]))
    if grad_needed(t):
        node = IndexBackward0()
        node._shape = t._data.shape
        node._key = key
        attach(res, node, (t,))
    return res


def index_put_acc(g, shape, key):
    """Zeros of ``shape`` with g added at advanced ``key`` (repeats accumulate)."""
    full = g.xp.zeros(shape, dtype=g._data.dtype)
    if type(full) is np.ndarray:
        np.add.at(full, key, g._data)
    else:
        g.xp.add.at(full, key, g._data)
    out = wrap(full)
    if grad_needed(g):
        node = IndexPutAccBackward()
        node._key = key
        attach(out, node, (g,))
    return out


class IndexPutBackward0(Node):
    __slots__ = ("_key", "_vshape", "_vdtype")

    def backward(self, g):
        gx = gv = None
        if self._next[0] is not None:
            gx = index_put(g, self._key, 0.0)
        if self._next[1] is not None:
            gv = cast_to(sum_to(getitem_raw(g, self._key), self._vshape), self._vdtype)
        return gx, gv


def index_put(x, key, value):
    """Out-of-place ``x[key] = value`` (key already converted)."""
    out = x._data.copy()
    vt = value if isinstance(value, Tensor) else None
    vd = value._data if vt is not None else value
    try:
        out[key] = vd
    except IndexError as exc:
        raise _bounds_error(exc, out.shape) from None
    except ValueError:
        region_shape = out[key].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(vd))} cannot "
                           f"be broadcast to indexing result of shape {list(region_shape)}") \
            from None
    res = wrap(out)
    if grad_needed(x, vt):
        node = IndexPutBackward0()
        node._key = key
        node._vshape = vt._data.shape if vt is not None else None
        node._vdtype = vt._data.dtype if vt is not None else None
        attach(res, node, (x, vt))
    return res


def setitem(self, key, value):
    """``self[key] = value``; differentiable in both self and value."""
    key, _basic = _convert_key(key)
    if isinstance(value, Tensor) and type(value._data) is not type(self._data):
        from ._util import check_same_device
        if value._data.ndim:
            check_same_device(self, value)
        value = value.item()
    check_inplace(self)
    if grad_needed(self, value if isinstance(value, Tensor) else None):
        return commit_inplace(self, index_put(self, key, value))
    d = self._data
    if not d.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    vd = value._data if isinstance(value, Tensor) else value
    try:
        d[key] = vd
    except IndexError as exc:
        raise _bounds_error(exc, d.shape) from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(vd))} cannot "
                           f"be broadcast to indexing result of shape {list(d[key].shape)}") \
            from None
    self._vc[0] += 1
    return self


# ---------------------------------------------------------------- gather family
def _gather_view(d, dim, idx):
    """The part of d that torch.gather reads: index may be smaller in other dims."""
    if idx.shape == d.shape:
        return d
    key = tuple(slice(0, s) if a != dim else slice(None) for a, s in enumerate(idx.shape))
    return d[key]


class GatherBackward0(Node):
    __slots__ = ("_shape", "_dim", "_idx")

    def backward(self, g):
        return scatter_grad(g, self._idx, self._dim, self._shape)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of ``input`` along ``dim`` at ``index``."""
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    if idx.ndim != d.ndim and not (idx.ndim <= 1 and d.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input "
                           "tensor")
    for a in range(idx.ndim):
        if a != ax and idx.shape[a] > d.shape[a]:
            raise RuntimeError(f"Size does not match at dimension {a} expected index "
                               f"{list(idx.shape)} to be smaller than self {list(d.shape)} "
                               f"apart from dimension {ax}")
    if idx.size and (idx.min() < -d.shape[ax] or idx.max() >= d.shape[ax]):
        raise RuntimeError(f"index {int(idx.max())} is out of bounds for dimension {ax} with "
                           f"size {d.shape[ax]}")
    res = wrap(arr(np.take_along_axis(_gather_view(d, ax, idx), idx, ax)
                   if type(d) is np.ndarray else input.xp.take_along_axis(
                       _gather_view(d, ax, idx), idx, ax)))
    if grad_needed(input):
        node = GatherBackward0()
        node._shape = d.shape
        node._dim = ax
        node._idx = idx
        attach(res, node, (input,))
    return res


class ScatterGradBackward(Node):
    __slots__ = ("_dim", "_idx")

    def backward(self, g):
        return gather(g, self._dim, wrap(self._idx))


ScatterGradBackward.__name__ = "ScatterAddBackward0"


def scatter_grad(g, idx, dim, shape):
    """Zeros of ``shape`` with g added at ``idx`` along ``dim`` (backward of gather/max)."""
    if not shape:
        return g.reshape(())
    full = g.xp.zeros(shape, dtype=g._data.dtype)
    gd = g._data
    if idx.shape == full.shape:
        np.put_along_axis(full, idx, gd, dim) if _unique_along(idx, dim) else \
            _add_along(full, idx, gd, dim)
    else:
        key = tuple(slice(0, s) if a != dim else slice(None) for a, s in enumerate(idx.shape))
        _add_along(full[key], idx, gd, dim)
    out = wrap(full)
    if grad_needed(g):
        node = ScatterGradBackward()
        node._dim = dim
        node._idx = idx
        attach(out, node, (g,))
    return out


def _unique_along(idx, dim):
    return idx.shape[dim] == 1


def _add_along(target, idx, src, dim):
    """target[..., idx[i], ...] += src[i] along dim, accumulating repeats."""
    grids = np.indices(idx.shape, sparse=True)
    key = tuple(idx if a == dim else grids[a] for a in range(idx.ndim))
    np.add.at(target, key, src)


class IndexSelectBackward0(Node):
    __slots__ = ("_shape", "_dim", "_idx")

    def backward(self, g):
        key = (slice(None),) * self._dim + (self._idx,)
        return index_put_acc(g, self._shape, key)


def index_select(input, dim, index, *, out=None):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    idx = index._data if isinstance(index, Tensor) else np.asarray(index)
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32/int64 for index")
    idx = idx.reshape(-1)
    if idx.size and (idx.max() >= (d.shape[ax] if d.ndim else 1) or idx.min() < 0):
        raise IndexError(f"index out of range in self")
    res = wrap(arr(d.take(idx, axis=ax) if d.ndim else d.reshape(1).take(idx).reshape(
        idx.shape if index.ndim else ())))
    if grad_needed(input):
        node = IndexSelectBackward0()
        node._shape = d.shape
        node._dim = ax
        node._idx = idx
        attach(res, node, (input,))
    return res


class MaskedFillBackward0(Node):
    __slots__ = ("_mask", "_vshape")

    def backward(self, g):
        keep = wrap(~self._mask)
        gx = g * keep if self._next[0] is not None else None
        gv = None
        if self._vshape is not None and self._next[1] is not None:
            gv = (g * wrap(self._mask)).sum().reshape(self._vshape)
        return gx, gv


def masked_fill(input, mask, value):
    """Fill where ``mask`` is True (mask broadcast to input's shape)."""
    md = mask._data
    if md.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype.name}")
    d = input._data
    vt = None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        vt = value if value._requires_grad else None
        v = value._data.astype(d.dtype)
    else:
        v = value
        if d.dtype.kind in "biu" and isinstance(value, float):
            if not float(value).is_integer():
                raise RuntimeError(f"value cannot be converted to type {input.dtype.name} "
                                   "without overflow")
    try:
        shape = np.broadcast_shapes(md.shape, d.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({d.shape[-1]}) must match the size of tensor "
                           f"b ({md.shape[-1]}) at non-singleton dimension "
                           f"{d.ndim - 1}") from None
    res = np.where(md, np.asarray(v, dtype=d.dtype), d)
    res = wrap(arr(res))
    if grad_needed(input, vt):
        node = MaskedFillBackward0()
        node._mask = np.broadcast_to(md, shape)
        node._vshape = vt._data.shape if vt is not None else None
        attach(res, node, (input, vt))
    return res


def nonzero(input, *, as_tuple=False):
    d = input._data
    if as_tuple:
        if d.ndim == 0:
            return (wrap(np.nonzero(d.reshape(1))[0].astype(np.int64)),)
        return tuple(wrap(a.astype(np.int64)) for a in np.nonzero(d))
    if d.ndim == 0:
        return wrap(np.zeros((int(bool(d)), 0), np.int64))
    return wrap(np.argwhere(d).astype(np.int64))


def argwhere(input):
    return nonzero(input)
