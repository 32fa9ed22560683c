"""Sorting and searching: sort, argsort, msort, topk, kthvalue, unique, unique_consecutive,
bincount, histc, searchsorted, bucketize."""
import numpy as np

from ..autograd.graph import Node
from ..tensor import Tensor
from ._util import arr, attach, grad_needed, wrap, wrap_dim
from ._util import np_dim_alias
from .reduction import KthvalueBackward0, _named_pair


def _argsort(d, ax, descending):
    """Stable argsort along ``ax``; NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return np.argsort(d, axis=ax, kind="stable")
    # Stable descending: sort the reversed array ascending, reverse back, map indices.
    n = d.shape[ax]
    rev = np.flip(np.argsort(np.flip(d, ax), axis=ax, kind="stable"), ax)
    return (n - 1) - rev


class SortBackward0(Node):
    """Scatter the gradient back through a permutation along ``dim``."""

    __slots__ = ("_dim", "_idx", "_shape")

    def backward(self, g):
        return _unpermute(g, self._idx, self._dim, self._shape)


class TopkBackward0(SortBackward0):
    __slots__ = ()


class _UnpermuteBackward(Node):
    __slots__ = ("_dim", "_idx")

    def backward(self, g):
        from .indexing import gather
        return gather(g, self._dim, wrap(self._idx))


_UnpermuteBackward.__name__ = "ScatterBackward0"


def _unpermute(g, idx, dim, shape):
    """Zeros of ``shape`` with g written at ``idx`` along ``dim`` (indices are distinct)."""
    if not shape:
        return g.reshape(())
    full = np.zeros(shape, dtype=g._data.dtype)
    np.put_along_axis(full, idx, g._data, dim)
    out = wrap(full)
    if grad_needed(g):
        node = _UnpermuteBackward()
        node._dim = dim
        node._idx = idx
        attach(out, node, (g,))
    return out


def _values_and_grad(input, vals, idx, ax, cls):
    v = wrap(arr(vals))
    if grad_needed(input):
        node = cls()
        node._dim = ax
        node._idx = idx
        node._shape = input._data.shape
        attach(v, node, (input,))
    return v


def sort(input, dim=-1, descending=False, stable=False, *, out=None, axis=None):
    """Sorted values and their indices along ``dim`` (a stable sort)."""
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("sort", dim, None, axis, None)
    if isinstance(dim, bool):  # torch.sort(x, stable=..., dim=...) keyword-only forms
        descending, dim = dim, -1
    d = input._data
    if d.ndim == 0:
        idx = np.zeros((), np.int64)
        return _named_pair("sort")(_values_and_grad(input, d.copy(), idx, 0, SortBackward0),
                                   wrap(idx))
    ax = wrap_dim(dim, d.ndim)
    idx = _argsort(d, ax, descending)
    vals = np.take_along_axis(d, idx, ax)
    return _named_pair("sort")(_values_and_grad(input, vals, idx, ax, SortBackward0),
                               wrap(idx.astype(np.int64, copy=False)))


def argsort(input, dim=-1, descending=False, stable=False, *, axis=None):
    """Indices that sort ``input`` along ``dim``."""
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("argsort", dim, None, axis, None)
    d = input._data
    if d.ndim == 0:
        return wrap(np.zeros((), np.int64))
    return wrap(_argsort(d, wrap_dim(dim, d.ndim), descending).astype(np.int64, copy=False))


def msort(input):
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None, axis=None):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("topk", dim, None, axis, None)
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    n = d.shape[ax] if d.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if d.ndim == 0:
        idx = np.zeros((), np.int64)
        return _named_pair("topk")(_values_and_grad(input, d.copy(), idx, 0, TopkBackward0),
                                   wrap(idx))
    if 0 < k < n and n > 64:
        # Partition first: O(n) to find the k candidates, then sort only those.
        key = -d if largest and d.dtype.kind in "fi" else d
        if largest and d.dtype.kind not in "fi":
            part = np.argpartition(d, n - k, axis=ax)
            cand = np.take(part, np.arange(n - k, n), axis=ax)
        else:
            part = np.argpartition(key, k - 1, axis=ax)
            cand = np.take(part, np.arange(k), axis=ax)
        cvals = np.take_along_axis(d, cand, ax)
        order = _argsort(cvals, ax, largest)
        idx = np.take_along_axis(cand, order, ax)
    else:
        idx = np.take(_argsort(d, ax, largest), np.arange(k), axis=ax)
    vals = np.take_along_axis(d, idx, ax)
    idx = idx.astype(np.int64, copy=False)
    return _named_pair("topk")(_values_and_grad(input, vals, idx, ax, TopkBackward0), wrap(idx))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None, axis=None, keepdims=None):
    """The ``k``-th smallest value along ``dim`` (1-based) and its index."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("kthvalue", dim, keepdim, axis, keepdims)
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    n = d.shape[ax] if d.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
    if d.ndim == 0:
        idx = np.zeros((), np.int64)
        vals = d.copy()
    else:
        idx = np.take(np.argsort(d, axis=ax, kind="stable"), k - 1, axis=ax)
        vals = np.take_along_axis(d, np.expand_dims(idx, ax), ax).squeeze(ax)
    v = wrap(arr(np.expand_dims(vals, ax) if keepdim and d.ndim else vals))
    i = wrap(arr(np.expand_dims(idx, ax) if keepdim and d.ndim else idx).astype(np.int64))
    if grad_needed(input):
        node = KthvalueBackward0()
        node._shape = d.shape
        node._dim = ax
        node._keep = keepdim or d.ndim == 0
        node._idx = idx.astype(np.int64)
        attach(v, node, (input,))
    return _named_pair("kthvalue")(v, i)


# ---------------------------------------------------------------- unique
def _pack(out, inverse, counts, return_inverse, return_counts):
    res = [out]
    if return_inverse:
        res.append(inverse)
    if return_counts:
        res.append(counts)
    return res[0] if len(res) == 1 else tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Unique elements (sorted), optionally with inverse indices and counts."""
    d = input._data
    if dim is None:
        flat = d.reshape(-1)
        vals, inv, cnt = np.unique(flat, return_inverse=True, return_counts=True)
        inv = inv.reshape(d.shape)
    else:
        ax = wrap_dim(dim, d.ndim)
        if d.shape[ax] == 0 and d.size == 0 and d.ndim > 1 and any(
                s == 0 for i, s in enumerate(d.shape) if i != ax):
            raise RuntimeError(f"Number of zero sized dimensions is more than one, so unique "
                               f"cannot be applied ")
        vals, inv, cnt = np.unique(d, return_inverse=True, return_counts=True, axis=ax)
        inv = inv.reshape(-1)
    return _pack(wrap(vals), wrap(inv.astype(np.int64)), wrap(cnt.astype(np.int64)),
                 return_inverse, return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (along ``dim``, or over the flattened input)."""
    d = input._data
    if dim is None:
        flat = d.reshape(-1)
        if flat.size:
            change = np.empty(flat.size, bool)
            change[0] = True
            np.not_equal(flat[1:], flat[:-1], out=change[1:])
        else:
            change = np.zeros(0, bool)
        vals = flat[change]
        inv = (np.cumsum(change) - 1).reshape(d.shape)
    else:
        ax = wrap_dim(dim, d.ndim)
        m = np.moveaxis(d, ax, 0).reshape(d.shape[ax], -1)
        change = np.ones(m.shape[0], bool)
        if m.shape[0] > 1:
            change[1:] = np.any(m[1:] != m[:-1], axis=1)
        vals = np.compress(change, d, axis=ax)
        inv = np.cumsum(change) - 1
    starts = np.flatnonzero(change)
    cnt = np.diff(np.append(starts, change.size))
    return _pack(wrap(np.ascontiguousarray(vals)), wrap(inv.astype(np.int64)),
                 wrap(cnt.astype(np.int64)), return_inverse, return_counts)


# ---------------------------------------------------------------- counting
def bincount(input, weights=None, minlength=0):
    """Count of each non-negative integer value (weighted sums with ``weights``)."""
    d = input._data
    if d.ndim != 1 or d.dtype.kind not in "iub" or d.dtype.kind == "b":
        if d.ndim != 1:
            raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs.")
        raise RuntimeError(f"\"bincount_cpu\" not implemented for '{input.dtype.name}'")
    if d.size and d.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return wrap(np.bincount(d, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.shape != d.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    res = np.bincount(d, weights=w, minlength=minlength)
    # float32 weights keep their dtype; everything else counts in float64 (as PyTorch).
    return wrap(res.astype(np.float32 if w.dtype == np.float32 else np.float64))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal-width bins over [min, max] (data range if both are 0)."""
    d = input._data
    if d.dtype.kind not in "f":
        from .decomposition import _dtype_word
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{_dtype_word(d.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins))
    lo, hi = float(min), float(max)
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc(): max must be larger than min, but got min {lo} max "
                           f"{hi}")
    flat = d.reshape(-1)
    keep = flat[(flat >= lo) & (flat <= hi)].astype(np.float64)
    pos = ((keep - lo) * (bins / (hi - lo))).astype(np.int64)
    pos[pos == bins] = bins - 1  # the right edge belongs to the last bin
    return wrap(np.bincount(pos, minlength=bins).astype(d.dtype))


# ---------------------------------------------------------------- searching
def searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """Indices where ``values`` would be inserted into the sorted innermost dim."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(values, Tensor)
    v = np.asarray(values) if scalar else values._data
    if sorter is not None:
        srt = sorter._data
        if srt.shape != seq.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same "
                               "size")
        seq = np.take_along_axis(seq, srt, -1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, v, side=how)
    else:
        if scalar or v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                f"dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor "
                f"{list(np.shape(v))}")
        rows = int(np.prod(seq.shape[:-1]))
        m = seq.shape[-1]
        s2 = seq.reshape(rows, m)
        v2 = v.reshape(rows, -1)
        if rows * m * v2.shape[1] <= 1 << 22:
            # Small: count the boundaries below each value in one vectorised comparison.
            cmp = (s2[:, None, :] <= v2[:, :, None]) if right else \
                (s2[:, None, :] < v2[:, :, None])
            res = cmp.sum(-1)
        else:  # large: one binary search per row
            res = np.stack([np.searchsorted(s2[r], v2[r], side=how) for r in range(rows)])
        res = res.reshape(v.shape)
    return wrap(arr(np.asarray(res, dtype=np.int32 if out_int32 else np.int64)))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket (defined by 1-D ``boundaries``) each element falls into."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)
