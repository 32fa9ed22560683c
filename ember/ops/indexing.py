"""Indexing: ``t[key]`` (basic keys give views, advanced keys copy), differentiable
``t[key] = v``, gather/index_select/masked_fill/nonzero and the scatter helpers backward uses.
"""
import numbers

import numpy as np

from ..autograd.engine import record_trace
from ..amp import _policy as _amp
from ..autograd.grad_mode import state
from ..autograd.graph import Node, edge_of
from ..tensor import Tensor
from ._util import (arr, attach, cast_to, check_inplace, commit_inplace, grad_needed, sum_to,
                    wrap, wrap_dim)
from .shape import SelectBackward0, SliceBackward0, alias, region, unsqueeze

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


def _bounds_error(exc, shape, key=()):
    msg = str(exc)
    if "boolean index did not match" in msg:
        dim = 0
        for k in key:
            if isinstance(k, np.ndarray) and k.dtype == np.bool_:
                if tuple(k.shape) != tuple(shape[dim:dim + k.ndim]):
                    bad = next(i for i in range(k.ndim) if k.shape[i] != shape[dim + i])
                    return IndexError(f"The shape of the mask {list(k.shape)} at index {bad} "
                                      f"does not match the shape of the indexed tensor "
                                      f"{list(shape)} at index {dim + bad}")
                dim += k.ndim
            elif k is not None and k is not Ellipsis and not isinstance(k, bool):
                dim += 1
            elif k is Ellipsis:
                break
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


def _split_int_key(key):
    """PyTorch applies integer indices first (as ``select``) and only then the advanced
    (array) indices; NumPy counts integers as advanced indices, which places the
    advanced-index dimensions differently when an integer sits apart from the arrays
    (``x[0, :, [1, 2]]``). Returns the two-step keys (basic part, advanced part) for a key
    with integers and arrays (so the graph is PyTorch's too: Index after Select), else
    None."""
    kinds = []
    for k in key:
        if type(k) is int:
            kinds.append("i")
        elif isinstance(k, np.ndarray):
            kinds.append("a")
        elif isinstance(k, bool):
            return None
        else:
            kinds.append("b")
    if "i" not in kinds:
        return None
    first, second = [], []
    for k, c in zip(key, kinds):
        if c == "i":
            first.append(k)
        elif c == "a":
            first.extend([slice(None)] * max(k.ndim if k.dtype == np.bool_ else 1, 0))
            second.append(k)
        elif k is None:
            first.append(None)
            second.append(slice(None))
        else:
            first.append(k)
            second.append(k)
    return tuple(first), tuple(second)


def getitem(self, key):
    """``self[key]``: a view for basic keys, a differentiable copy for advanced ones."""
    d = self._data
    single = not isinstance(key, tuple)
    key, basic = _convert_key(key)
    _check_dims(key, d.ndim)
    if not basic and int in map(type, key):
        split = _split_int_key(key)
        if split is not None:
            return getitem(getitem(self, split[0]), split[1])
    if basic:
        try:
            if len(key) == 1:  # the common one-item keys, without the general walk
                k = key[0]
                if type(k) is int:
                    return region(self, key, SelectBackward0)
                if single and type(k) is slice:
                    return region(self, key, SliceBackward0)
                if k is None:
                    return unsqueeze(self, 0)
            return _basic_view(self, key, single)
        except IndexError as exc:
            raise _bounds_error(exc, d.shape) from None
    try:
        res = wrap(arr(d[key]))
    except IndexError as exc:
        raise _bounds_error(exc, d.shape, key) from None
    if grad_needed(self):
        node = IndexBackward0()
        node._shape = d.shape
        node._key = key
        attach(res, node, (self,))
    return res


def _basic_steps(key, shape, single):
    """PyTorch's decomposition of a basic key into view ops, applied left to right:
    ("select", dim, key), ("slice", dim, key) or ("unsqueeze", dim, None). A full slice
    inside a tuple key is skipped (a lone ``x[:]`` is still a slice)."""
    steps = []
    ndim = len(shape)
    used = builtins_sum(1 for k in key if k is not None and k is not Ellipsis)
    src = 0  # the dimension of the input the next item indexes
    dim = 0  # the same dimension in the result so far
    for k in key:
        if k is None:
            steps.append(("unsqueeze", dim, None))
            dim += 1
        elif k is Ellipsis:
            skip = ndim - used
            src += skip
            dim += skip
        elif type(k) is int:
            steps.append(("select", dim, (slice(None),) * dim + (k,)))
            src += 1
        else:
            if single or k.indices(shape[src]) != (0, shape[src], 1):
                steps.append(("slice", dim, (slice(None),) * dim + (k,)))
            src += 1
            dim += 1
    return steps


builtins_sum = sum


def _basic_view(self, key, single):
    """A basic-index view recorded as PyTorch records it: one node per select / slice /
    unsqueeze step (a key with one step gives one node), an alias when nothing changes."""
    steps = _basic_steps(key, self._data.shape, single)
    if not steps:
        return alias(self)
    if len(steps) == 1:
        kind, dim, _k = steps[0]
        if kind == "unsqueeze":
            return unsqueeze(self, dim)
        return region(self, key, SelectBackward0 if kind == "select" else SliceBackward0)
    out = self
    for kind, dim, k in steps:
        if kind == "unsqueeze":
            out = unsqueeze(out, dim)
        else:
            out = region(out, k, SelectBackward0 if kind == "select" else SliceBackward0)
    return out


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
    xp = g.xp
    full = xp.zeros(shape, dtype=g._data.dtype)
    xp.add.at(full, key, g._data)
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
            gx = index_put_impl(g, self._key, 0.0)
        if self._next[1] is not None:
            region = getitem_raw(g, self._key)
            extra = len(self._vshape) - region._data.ndim
            if extra > 0:  # the value had leading 1-dims the region lacks
                region = region.reshape((1,) * extra + tuple(region.shape))
            gv = cast_to(sum_to(region, self._vshape), self._vdtype)
        return gx, gv


def _assign(d, key, vd):
    """``d[key] = vd``; like PyTorch, a value with extra leading 1-dims fits (CleanRL's
    ``advantages[t] = delta`` with a (1, 1) delta into a 0-d slot)."""
    try:
        d[key] = vd
    except ValueError:
        shape = np.shape(vd)
        lead = 0
        while lead < len(shape) and shape[lead] == 1:
            lead += 1
        if not lead:
            raise
        d[key] = vd.reshape(shape[lead:]) if hasattr(vd, "reshape") else vd
        # a region with fewer dims than the value still fails above, with NumPy's error


def index_put_impl(x, key, value):
    """Out-of-place ``x[key] = value`` (key already converted)."""
    out = x._data.copy()
    vt = value if isinstance(value, Tensor) else None
    vd = value._data if vt is not None else value
    try:
        _assign(out, key, vd)
    except IndexError as exc:
        raise _bounds_error(exc, out.shape, key) from None
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
    raw = key
    key, _basic = _convert_key(key)
    if not _basic and int in map(type, key):
        split = _split_int_key(key)
        if split is not None:  # write through the integer-selected view
            return setitem(getitem(self, split[0]), split[1], value)
    if isinstance(value, Tensor) and type(value._data) is not type(self._data):
        from ._util import check_same_device
        if value._data.ndim:
            check_same_device(self, value)
        value = value.item()
    vt = value if isinstance(value, Tensor) else None
    if _basic and grad_needed(self, vt):
        return _copy_slices(self, raw, value, vt)
    check_inplace(self)
    if grad_needed(self, vt):
        return commit_inplace(self, index_put_impl(self, key, value))
    d = self._data
    if not d.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    vd = value._data if isinstance(value, Tensor) else value
    try:
        _assign(d, key, vd)
    except IndexError as exc:
        raise _bounds_error(exc, d.shape, key) from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(vd))} cannot "
                           f"be broadcast to indexing result of shape {list(d[key].shape)}") \
            from None
    self._vc[0] += 1
    return self


class CopySlices(Node):
    """The base's node after ``t[basic key] = value``: the base's old gradient outside the
    written region, the region's gradient to the value (summed to its shape)."""

    __slots__ = ("_view_fn", "_shape", "_vshape", "_vdtype")

    def backward(self, g):
        gb = gv = None
        if self._next[0] is not None:
            xp = g.xp
            mask = xp.zeros(self._shape, dtype=bool)
            self._view_fn(wrap(mask))._data[...] = True
            # masked_fill, not g * mask: PyTorch zeroes the region, NaNs included
            gb = masked_fill(g, wrap(mask), 0.0)
        if self._next[1] is not None:
            shape, fitted = self._vshape  # the value's shape, less leading 1-dims
            gv = cast_to(sum_to(self._view_fn(g), fitted), self._vdtype)
            if fitted != shape:
                gv = gv.reshape(shape)
        return gb, gv


CopySlices._cpp_name = "torch::autograd::CopySlices"


def _copy_slices(self, key, value, vt):
    """``self[key] = value`` for a basic key under autograd: write through the view
    ``self[key]`` and give the base a CopySlices node (as PyTorch does)."""
    view = getitem(self, key)
    check_inplace(view)  # a leaf's view: "a view of a leaf Variable ..." as PyTorch
    vd = view._data
    if not vd.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    src = value._data if vt is not None else value
    if vt is not None:
        while src.ndim > vd.ndim and src.shape[0] == 1:  # PyTorch drops leading 1-dims
            src = src[0]
        if src.shape != vd.shape:
            from .shape import expand
            expand(wrap(src), vd.shape)  # raises PyTorch's error for shapes that do not fit
    root = view._base
    base_edge = edge_of(root)
    vd[...] = src
    self._vc[0] += 1
    node = CopySlices()
    node._view_fn = view._view_fn
    node._shape = root._data.shape
    node._vshape = (vt._data.shape, src.shape) if vt is not None else None
    node._vdtype = src.dtype if vt is not None else None
    node._next = (base_edge, edge_of(vt) if vt is not None else None)
    if state.anomaly:
        record_trace(node)
    root._grad_fn = node
    root._out_nr = 0
    root._requires_grad = True
    if self is not root:  # self is itself a view: its graph now starts at the new base
        fresh = self._view_fn(root)
        self._grad_fn = fresh._grad_fn
        self._out_nr = fresh._out_nr
        self._requires_grad = True
        self._view_ver = self._vc[0]
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
    _check_index(idx, "gather", d.shape[ax] if d.ndim else 1, ax)
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
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
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
    """masked_fill with a number: one edge (PyTorch records none for the number)."""

    __slots__ = ("_mask", "_vshape")

    def backward(self, g):
        mask = wrap(self._mask)
        # masked_fill, not g * ~mask: a NaN gradient in a filled position gives 0 (PyTorch)
        gx = masked_fill(g, mask, 0.0) if self._next[0] is not None else None
        gv = None
        if len(self._next) > 1 and self._next[1] is not None:
            gv = masked_fill(g, wrap(~self._mask), 0.0).sum().reshape(self._vshape)
        return gx, gv


class MaskedFillBackward1(MaskedFillBackward0):
    """masked_fill with a 0-d tensor value."""

    __slots__ = ()


# The C type names PyTorch's masked_fill error prints.
_C_TYPE_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                 "uint8": "unsigned char", "float32": "float", "float64": "double",
                 "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def masked_fill(input, mask, value):
    """Fill where ``mask`` is True (mask broadcast to input's shape)."""
    md = mask._data
    if md.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_C_TYPE_NAMES.get(mask.dtype.name, mask.dtype.name)}")
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
        node = MaskedFillBackward0() if value is v else MaskedFillBackward1()
        node._mask = np.broadcast_to(md, shape)
        node._vshape = vt._data.shape if vt is not None else None
        attach(res, node, (input,) if value is v else (input, vt))
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


# ---------------------------------------------------------------- scatter family
def _check_index(idx, name, size=None, dim=None):
    if idx.dtype.kind != "i":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if size is not None and idx.size and (idx.min() < 0 or idx.max() >= size):
        bad = int(idx.min()) if idx.min() < 0 else int(idx.max())
        raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _scatter_key(idx, dim):
    """Advanced-index key that addresses ``target[..., idx[i], ...]`` along ``dim``."""
    grids = np.indices(idx.shape, sparse=True)
    return tuple(idx if a == dim else grids[a] for a in range(idx.ndim))


def _src_region(src, idx_shape):
    if src.shape == idx_shape:
        return src
    return src[tuple(slice(0, s) for s in idx_shape)]


def _scatter_checks(input, dim, index, src, name):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not "
                        f"{type(index).__name__}")
    idx = index._data
    if idx.dtype.kind != "i":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != d.dtype:
        raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
    nd = max(d.ndim, 1)
    if max(idx.ndim, 1) != nd or (src is not None and max(src._data.ndim, 1) != nd):
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           + ("src tensor" if idx.ndim == nd else "self tensor"))
    dd = d.reshape(1) if d.ndim == 0 else d
    ii = idx.reshape(1) if idx.ndim == 0 else idx
    for a in range(nd):
        if a != ax and ii.shape[a] > dd.shape[a]:
            raise RuntimeError(f"Expected index {list(idx.shape)} to be smaller than self "
                               f"{list(d.shape)} apart from dimension {ax}"
                               + (f" and to be smaller size than src {list(src.shape)}"
                                  if src is not None else ""))
        if src is not None and ii.shape[a] > (src._data.reshape(1) if src.ndim == 0
                                              else src._data).shape[a]:
            raise RuntimeError(f"Expected index {list(idx.shape)} to be smaller than self "
                               f"{list(d.shape)} apart from dimension {ax} and to be smaller "
                               f"size than src {list(src.shape)}")
    _check_index(ii, name, dd.shape[ax], ax)
    return dd, ii, ax


def _grad_to_src(g_gathered, src_shape):
    """gather() output has index's shape; pad with zeros up to src's shape."""
    if tuple(g_gathered._data.shape) == tuple(src_shape):
        return g_gathered
    from .shape import embed
    key = tuple(slice(0, s) for s in g_gathered._data.shape)
    return embed(g_gathered, src_shape, key)


def _reshape_like(t, shape):
    return t if tuple(t._data.shape) == tuple(shape) else t.reshape(shape)


class ScatterBackward0(Node):
    __slots__ = ("_dim", "_idx", "_shape", "_src_shape")

    def backward(self, g):
        idx = wrap(self._idx)
        g2 = g if self._shape else g.reshape(1)
        gx = gs = None
        if self._next[0] is not None:
            gx = _reshape_like(scatter(g2, self._dim, idx, 0.0), self._shape)
        if len(self._next) > 1 and self._next[1] is not None:
            gs = _reshape_like(_grad_to_src(gather(g2, self._dim, idx),
                                            self._src_shape or (1,)), self._src_shape)
        return gx, gs


class ScatterAddBackward0(Node):
    __slots__ = ("_dim", "_idx", "_shape", "_src_shape")

    def backward(self, g):
        gs = None
        if self._next[1] is not None:
            g2 = g if self._shape else g.reshape(1)
            gs = _reshape_like(_grad_to_src(gather(g2, self._dim, wrap(self._idx)),
                                            self._src_shape or (1,)), self._src_shape)
        return g, gs


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """Out-of-place ``self[..., index[i], ...] = src[i]`` along ``dim``."""
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        return _scatter_value(input, dim, index, src, reduce)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
    dd, ii, ax = _scatter_checks(input, dim, index, src, "scatter")
    sd = src._data.reshape(1) if src.ndim == 0 else src._data
    res = dd.copy()
    res[_scatter_key(ii, ax)] = _src_region(sd, ii.shape)
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input, src):
        node = ScatterBackward0()
        node._dim, node._idx = ax, ii
        node._shape, node._src_shape = input._data.shape, src._data.shape
        attach(res, node, (input, src))
    return res


def _scatter_value(input, dim, index, value, reduce):
    dd, ii, ax = _scatter_checks(input, dim, index, None, "scatter")
    res = dd.copy()
    key = _scatter_key(ii, ax)
    if reduce is None:
        res[key] = value
    elif reduce == "add":
        np.add.at(res, key, value)
    elif reduce == "multiply":
        np.multiply.at(res, key, value)
    else:
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input):
        if reduce == "multiply":
            from .elementwise import mul
            return mul(input, wrap(res._data / np.where(dd == 0, 1, dd).reshape(res.shape)))
        node = ScatterBackward0()
        node._dim, node._idx = ax, ii
        node._shape, node._src_shape = input._data.shape, None
        if reduce == "add":
            node = _IdentityBackward()
        attach(res, node, (input,))
    return res


class _IdentityBackward(Node):
    __slots__ = ()

    def backward(self, g):
        return g


_IdentityBackward.__name__ = "ScatterBackward1"


def scatter_add(input, dim, index, src, *, out=None):
    """Out-of-place ``self[..., index[i], ...] += src[i]`` along ``dim`` (repeats add up)."""
    dd, ii, ax = _scatter_checks(input, dim, index, src, "scatter_add")
    sd = src._data.reshape(1) if src.ndim == 0 else src._data
    res = dd.copy()
    np.add.at(res, _scatter_key(ii, ax), _src_region(sd, ii.shape))
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input, src):
        node = ScatterAddBackward0()
        node._dim, node._idx = ax, ii
        node._shape, node._src_shape = input._data.shape, src._data.shape
        attach(res, node, (input, src))
    return res


_REDUCE_UFUNC = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum,
                 "mean": np.add}


class ScatterReduceBackward0(Node):
    __slots__ = ("_dim", "_idx", "_reduce", "_include", "_shape", "_src_shape", "_fx",
                 "_fs")

    def backward(self, g):
        from .elementwise import mul
        idx = wrap(self._idx)
        dim = self._dim
        g2 = g if self._shape else g.reshape(1)
        gx = gs = None
        red = self._reduce
        if red == "sum":
            if self._next[0] is not None:
                gx = g2 if self._include else scatter(g2, dim, idx, 0.0)
            if self._next[1] is not None:
                gs = gather(g2, dim, idx)
        else:
            # Per-element factors computed in forward: grad = g * factor (x) / gather(g) * f (src)
            if self._next[0] is not None:
                gx = mul(g2, wrap(self._fx))
            if self._next[1] is not None:
                gs = mul(gather(g2, dim, idx), wrap(self._fs))
        if gx is not None:
            gx = _reshape_like(gx, self._shape)
        if gs is not None:
            gs = _reshape_like(_grad_to_src(gs, self._src_shape or (1,)), self._src_shape)
        return gx, gs

    def _release_extra(self):
        self._fx = self._fs = None


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """Reduce ``src`` into ``self`` at ``index`` along ``dim`` with sum, prod, mean, amax or
    amin; ``include_self=False`` ignores self's values at the scattered positions."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # accepted aliases
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dd, ii, ax = _scatter_checks(input, dim, index, src, "scatter_reduce")
    sd = src._data.reshape(1) if src.ndim == 0 else src._data
    s = _src_region(sd, ii.shape)
    key = _scatter_key(ii, ax)
    uf = _REDUCE_UFUNC[reduce]
    hit = np.zeros(dd.shape, np.int64)
    np.add.at(hit, key, 1)
    touched = hit > 0
    res = dd.copy()
    if not include_self:
        ident = {"sum": 0, "mean": 0, "prod": 1}.get(reduce)
        if ident is None:
            ident = (-np.inf if reduce == "amax" else np.inf) if dd.dtype.kind == "f" else (
                np.iinfo(dd.dtype).min if reduce == "amax" else np.iinfo(dd.dtype).max)
        res[touched] = ident
    uf.at(res, key, s)
    count = None
    if reduce == "mean":
        count = hit + (1 if include_self else 0)
        count = np.maximum(count, 1)
        if dd.dtype.kind == "f":
            res = np.where(touched, res / count, res).astype(dd.dtype)
        else:
            res = np.where(touched, np.floor_divide(res, count), res).astype(dd.dtype)
    out_t = wrap(res.reshape(input._data.shape))
    if grad_needed(input, src):
        node = ScatterReduceBackward0()
        node._dim, node._idx, node._reduce, node._include = ax, ii, reduce, include_self
        node._shape, node._src_shape = input._data.shape, src._data.shape
        node._fx = node._fs = None
        if reduce == "mean":
            inv = (1.0 / count).astype(dd.dtype)
            node._fx = np.where(touched, inv if include_self else 0, 1).astype(dd.dtype)
            node._fs = inv[key]
            node._reduce = "factor"
        elif reduce in ("amax", "amin"):
            # Gradient split evenly among every element equal to the result.
            # PyTorch counts self's equal elements even with include_self=False (and then
            # gives them no gradient); matched here.
            eq_x = dd == res
            eq_s = s == res[key]
            n = eq_x.astype(np.int64)
            np.add.at(n, key, eq_s.astype(np.int64))
            n = np.maximum(n, 1)
            node._fx = np.where(touched, eq_x / n if include_self else 0, 1).astype(dd.dtype)
            node._fs = (eq_s / n[key]).astype(dd.dtype)
        elif reduce == "prod":
            node._fx, node._fs = _prod_factors(dd, s, key, touched, include_self)
        attach(out_t, node, (input, src))
    return out_t


def _prod_factors(dd, s, key, touched, include_self):
    """d(product)/d(each factor) = product of the other factors, zeros handled exactly."""
    nz = np.ones(dd.shape, dd.dtype)       # product of the non-zero contributors
    zeros = np.zeros(dd.shape, np.int64)   # how many contributors are zero
    if include_self:
        nz = np.where(dd != 0, dd, 1).astype(dd.dtype)
        zeros += (dd == 0)
    np.multiply.at(nz, key, np.where(s != 0, s, 1))
    np.add.at(zeros, key, (s == 0).astype(np.int64))

    def others(v, zcount):
        # product of the others: nz / v when v != 0 and no zero elsewhere; nz when v is the
        # only zero; 0 otherwise.
        safe = np.where(v != 0, v, 1)
        return np.where(v != 0, np.where(zcount == 0, nz_k / safe, 0),
                        np.where(zcount == 1, nz_k, 0))

    nz_k = nz
    fx = np.where(touched, others(dd, zeros), 1) if include_self else \
        np.where(touched, 0, 1)
    nz_k = nz[key]
    fs = others(s, zeros[key])
    return fx.astype(dd.dtype), fs.astype(dd.dtype)


# ---------------------------------------------------------------- index_* family
def _index_vector(index, name, size, dim):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if name == "index_copy" and idx.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{index.dtype.name.capitalize()}")
    idx = idx.reshape(-1)
    # index_fill wraps negative indices; index_add/index_copy reject them (as PyTorch).
    low = -size if name == "index_fill" else 0
    if idx.size and (idx.max() >= size or idx.min() < low):
        bad = int(idx.max()) if idx.max() >= size else int(idx.min())
        if name == "index_add":
            raise IndexError("index out of range in self")
        raise IndexError(f"{name + '_(): ' if name == 'index_copy' else ''}index {bad} is out "
                         f"of bounds for dimension {dim} with size {size}")
    return np.where(idx < 0, idx + size, idx) if idx.size and idx.min() < 0 else idx


def _index_setup(input, dim, index, source, name):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    dd = d.reshape(1) if d.ndim == 0 else d
    idx = _index_vector(index, name, dd.shape[ax], ax)
    sd = None
    if source is not None:
        sd = source._data.reshape(1) if source._data.ndim == 0 else source._data
        if source._data.dtype != d.dtype:
            raise RuntimeError(f"{name}(): self ({input.dtype.name}) and source "
                               f"({source.dtype.name}) must have the same scalar type")
        exp = dd.shape[:ax] + (idx.size,) + dd.shape[ax + 1:]
        if sd.shape != exp:
            raise RuntimeError(f"{name}(): Source/destination tensor must have same slice "
                               f"shapes. Destination slice shape: {list(exp)} and source "
                               f"slice shape: {list(sd.shape)}")
    return dd, idx, ax, sd


class IndexAddBackward0(Node):
    __slots__ = ("_dim", "_idx", "_alpha", "_src_shape")

    def backward(self, g):
        gs = None
        if self._next[1] is not None:
            g2 = g if g.ndim else g.reshape(1)
            gs = _reshape_like(index_select(g2, self._dim, wrap(self._idx)), self._src_shape)
            if self._alpha != 1:
                gs = gs * self._alpha
        return g, gs


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """Out-of-place ``self.index_select(dim, index) += alpha * source`` (repeats add up)."""
    dd, idx, ax, sd = _index_setup(input, dim, index, source, "index_add")
    res = dd.copy()
    key = (slice(None),) * ax + (idx,)
    np.add.at(res, key, sd if alpha == 1 else sd * alpha)
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input, source):
        node = IndexAddBackward0()
        node._dim, node._idx, node._alpha = ax, idx, alpha
        node._src_shape = source._data.shape
        attach(res, node, (input, source))
    return res


class IndexCopyBackward0(Node):
    __slots__ = ("_dim", "_idx", "_src_shape", "_shape")

    def backward(self, g):
        g2 = g if g.ndim else g.reshape(1)
        idx = wrap(self._idx)
        gx = gs = None
        if self._next[0] is not None:
            gx = _reshape_like(index_fill(g2, self._dim, idx, 0.0), self._shape)
        if len(self._next) > 1 and self._next[1] is not None:
            gs = _reshape_like(index_select(g2, self._dim, idx), self._src_shape)
        return gx, gs


def index_copy(input, dim, index, source, *, out=None):
    """Out-of-place copy of ``source`` slices into ``self`` at ``index`` along ``dim``."""
    if _amp.active and out is None:
        input, source = _amp.promote(_amp.CPU, input, source)
    dd, idx, ax, sd = _index_setup(input, dim, index, source, "index_copy")
    res = dd.copy()
    res[(slice(None),) * ax + (idx,)] = sd
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input, source):
        node = IndexCopyBackward0()
        node._dim, node._idx = ax, idx
        node._src_shape, node._shape = source._data.shape, input._data.shape
        attach(res, node, (input, source))
    return res


class IndexFillBackward0(Node):
    """index_fill with a number: one edge; IndexFillBackward1 (0-d tensor value): two."""

    __slots__ = ("_dim", "_idx", "_shape")

    def backward(self, g):
        g2 = g if g.ndim else g.reshape(1)
        idx = wrap(self._idx)
        gx = gv = None
        if self._next[0] is not None:
            gx = _reshape_like(index_fill(g2, self._dim, idx, 0.0), self._shape)
        if len(self._next) > 1 and self._next[1] is not None:
            # each filled slice counts once, however often its index repeats
            gv = index_select(g2, self._dim, wrap(np.unique(self._idx))).sum()
        return gx, gv


def index_fill(input, dim, index, value):
    """Out-of-place fill of the slices at ``index`` along ``dim`` with ``value``."""
    dd, idx, ax, _ = _index_setup(input, dim, index, None, "index_fill")
    vt = None
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        vt = value
        value = value._data
    res = dd.copy()
    res[(slice(None),) * ax + (idx,)] = value
    res = wrap(res.reshape(input._data.shape))
    if grad_needed(input, vt):
        node = IndexFillBackward0() if vt is None else IndexFillBackward1()
        node._dim, node._idx, node._shape = ax, idx, input._data.shape
        attach(res, node, (input,) if vt is None else (input, vt))
    return res


class IndexFillBackward1(IndexFillBackward0):
    __slots__ = ()


class IndexPutAccumulateBackward(Node):
    __slots__ = ("_key", "_vshape", "_vdtype")

    def backward(self, g):
        gv = None
        if self._next[1] is not None:
            gv = cast_to(sum_to(getitem_raw(g, self._key), self._vshape), self._vdtype)
        return g, gv


IndexPutAccumulateBackward.__name__ = "IndexPutBackward0"


def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``self[indices] = values`` (``+=`` with repeats summed if accumulate)."""
    key, _ = _convert_key(tuple(indices))
    if not isinstance(values, Tensor):
        from .creation import tensor
        values = tensor(values, dtype=input.dtype)
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{input.dtype.name.capitalize()} for the destination and "
                           f"{values.dtype.name.capitalize()} for the source.")
    if not accumulate:
        return index_put_impl(input, key, values)
    d = input._data
    res = d.copy()
    try:
        target_shape = d[key].shape
        np.add.at(res, key, np.broadcast_to(values._data, target_shape))
    except IndexError as exc:
        raise _bounds_error(exc, d.shape) from None
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(values.shape)} cannot "
                           f"be broadcast to indexing result of shape {list(target_shape)}") \
            from None
    res = wrap(res)
    if grad_needed(input, values):
        node = IndexPutAccumulateBackward()
        node._key = key
        node._vshape, node._vdtype = values._data.shape, values._data.dtype
        attach(res, node, (input, values))
    return res


# ---------------------------------------------------------------- masks
class MaskedSelectBackward0(Node):
    __slots__ = ("_mask", "_shape")

    def backward(self, g):
        from .creation import zeros
        full = zeros(self._mask.shape, dtype=g.dtype)
        return sum_to(masked_scatter(full, wrap(self._mask), g), self._shape)


def masked_select(input, mask, *, out=None):
    """The elements where ``mask`` (broadcast with input) is True, as a 1-D tensor."""
    md = mask._data
    if md.dtype != np.bool_:
        raise RuntimeError(f"masked_select: expected BoolTensor for mask")
    d = input._data
    try:
        shape = np.broadcast_shapes(d.shape, md.shape)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({d.shape[-1]}) must match the size of tensor "
                           f"b ({md.shape[-1]}) at non-singleton dimension "
                           f"{max(len(d.shape), len(md.shape)) - 1}") from None
    mb = np.broadcast_to(md, shape)
    res = wrap(np.broadcast_to(d, shape)[mb])
    if grad_needed(input):
        node = MaskedSelectBackward0()
        node._mask, node._shape = mb, d.shape
        attach(res, node, (input,))
    return res


class MaskedScatterBackward0(Node):
    __slots__ = ("_mask", "_src_shape", "_shape")

    def backward(self, g):
        gx = gs = None
        m = wrap(self._mask)
        if self._next[0] is not None:
            gx = sum_to(masked_fill(g, m, 0.0), self._shape)
        if self._next[1] is not None:
            sel = masked_select(g, m)
            n = int(np.prod(self._src_shape))
            if sel._data.size < n:
                from .creation import zeros
                from .shape import cat
                sel = cat([sel, zeros(n - sel._data.size, dtype=g.dtype)])
            gs = sel.reshape(self._src_shape)
        return gx, gs


def masked_scatter(input, mask, source):
    """Copy ``source`` elements, in order, into ``self`` where ``mask`` is True."""
    md = mask._data
    if md.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {mask.dtype.name}")
    d = input._data
    if source._data.dtype != d.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got {input.dtype.name.capitalize()} and "
                           f"{source.dtype.name.capitalize()}")
    shape = np.broadcast_shapes(d.shape, md.shape)
    mb = np.broadcast_to(md, shape)
    n = int(mb.sum())
    if source._data.size < n:
        raise RuntimeError(f"masked_scatter: expected source to have at least {n} elements, "
                           f"got {source._data.size}")
    res = np.broadcast_to(d, shape).copy()
    res[mb] = source._data.reshape(-1)[:n]
    res = wrap(res)
    if grad_needed(input, source):
        node = MaskedScatterBackward0()
        node._mask, node._src_shape, node._shape = mb, source._data.shape, d.shape
        attach(res, node, (input, source))
    return res


# ---------------------------------------------------------------- take
class TakeBackward0(Node):
    __slots__ = ("_shape", "_idx")

    def backward(self, g):
        n = int(np.prod(self._shape))
        return index_put_acc(g.reshape(-1), (n,), (self._idx,)).reshape(self._shape)


def take(input, index):
    """Elements of the flattened input at ``index`` (result has index's shape)."""
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype.name.capitalize()}")
    d = input._data
    n = d.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    flat_idx = np.where(idx < 0, idx + n, idx).reshape(-1)
    res = wrap(arr(d.reshape(-1)[flat_idx].reshape(idx.shape)))
    if grad_needed(input):
        node = TakeBackward0()
        node._shape, node._idx = d.shape, flat_idx
        attach(res, node, (input,))
    return res


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with broadcasting of input and indices (flattened input when dim is None)."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    ax = wrap_dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    si = list(input.shape)
    sx = list(indices.shape)
    si[ax] = sx[ax] = 1
    b = list(np.broadcast_shapes(tuple(si), tuple(sx)))
    bi, bx = list(b), list(b)
    bi[ax] = input.shape[ax]
    bx[ax] = indices.shape[ax]
    x = input.expand(bi)  # always an Expand node, as PyTorch
    i = indices.expand(bx) if list(indices.shape) != bx else indices
    return gather(x, ax, i.contiguous() if not i._data.flags.c_contiguous else i)
