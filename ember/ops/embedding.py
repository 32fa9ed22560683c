"""Embedding lookups: embedding (rows of a weight table) and embedding_bag (pooled bags).

Backward scatters row gradients into the table. ``np.add.at`` is slow, so rows are grouped
by sorting the indices once and summed with ``np.add.reduceat`` (one pass, BLAS-free).
"""
import numpy as np

from ..autograd.graph import Node
from ..tensor import Tensor
from ._fused import building_graph
from ._util import attach, grad_needed, wrap

_SPARSE_MSG = ("sparse=True is not supported: Ember has no sparse tensors, so embedding "
               "gradients are always dense; pass sparse=False")


def _check_indices(input, name="embedding"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'indices' must be Tensor, not "
                        f"{type(input).__name__}")
    kind = input._data.dtype
    if kind not in (np.int64, np.int32):
        tname = {"float32": "Float", "float64": "Double", "float16": "Half", "bool": "Bool",
                 "uint8": "Byte", "int8": "Char", "int16": "Short"}.get(input.dtype.name,
                                                                        input.dtype.name)
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got torch.{tname}Tensor "
                           f"instead (while checking arguments for {name})")


def _check_range(idx, n):
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")


def scatter_rows(idx, rows, num, dtype):
    """``out[idx[i]] += rows[i]`` for a (num, D) table: sort once, sum each run of equals."""
    d = rows.shape[1]
    out = np.zeros((num, d), dtype)
    n = idx.shape[0]
    if n == 0:
        return out
    order = np.argsort(idx, kind="stable")
    si = idx[order]
    first = np.empty(n, bool)
    first[0] = True
    np.not_equal(si[1:], si[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    out[si[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def _row_scale(idx, padding_idx, by_freq, num):
    """Per-lookup gradient factor (0 for padding, 1/count with scale_grad_by_freq) or None."""
    scale = None
    if by_freq:
        counts = np.bincount(idx, minlength=num)
        scale = 1.0 / counts[idx]
    if padding_idx is not None:
        keep = idx != padding_idx
        scale = keep.astype(np.float64) if scale is None else scale * keep
    return scale


class EmbeddingBackward0(Node):
    __slots__ = ("_idx", "_num", "_pad", "_freq", "_dshape")

    def backward(self, g):
        idx = self._idx
        d = g.shape[-1]
        scale = _row_scale(idx, self._pad, self._freq, self._num)
        if building_graph():
            # Linear in g: a constant (num, N) selection matrix keeps it differentiable.
            sel = np.zeros((self._num, idx.shape[0]), g._data.dtype)
            sel[idx, np.arange(idx.shape[0])] = 1 if scale is None else scale
            return wrap(sel).mm(g.reshape(-1, d))
        rows = g._data.reshape(-1, d)
        if scale is not None:
            rows = rows * scale.astype(rows.dtype)[:, None]
        return wrap(scatter_rows(idx, rows, self._num, rows.dtype))

    def _release_extra(self):
        self._idx = None


def _renorm_(weight, idx, max_norm, norm_type):
    """PyTorch's embedding_renorm_: rescale looked-up rows whose norm exceeds max_norm."""
    w = weight._data
    rows = np.unique(idx)
    sub = w[rows]
    norms = np.linalg.norm(sub, ord=norm_type, axis=1) if norm_type != 2 else \
        np.sqrt(np.einsum("ij,ij->i", sub, sub))
    big = norms > max_norm
    if big.any():
        w[rows[big]] = sub[big] * (max_norm / (norms[big] + 1e-7)).astype(w.dtype)[:, None]
        weight._vc[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) at integer ``input``.

    Args:
        padding_idx: row that receives no gradient.
        max_norm: rows looked up are renormalised in place to at most this norm.
        scale_grad_by_freq: divide each row's gradient by its count in the batch.
        sparse: must be False (dense gradients only).
    """
    if sparse:
        raise RuntimeError(_SPARSE_MSG)
    _check_indices(input)
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
            padding_idx = num + padding_idx
    idx = input._data.reshape(-1)
    _check_range(idx, num)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    w = weight._data
    res = wrap(w.take(idx, axis=0).reshape(input._data.shape + w.shape[1:]))
    if grad_needed(weight):
        node = EmbeddingBackward0()
        node._idx = idx.astype(np.int64, copy=False)
        node._num = num
        node._pad = padding_idx
        node._freq = bool(scale_grad_by_freq)
        attach(res, node, (weight,))
    return res


# ---------------------------------------------------------------- embedding_bag
class EmbeddingBagBackward0(Node):
    """Inputs: (weight, per_sample_weights). Gradients flow from each bag to its members."""

    __slots__ = ("_idx", "_bag", "_scale", "_cscale", "_argpos", "_num", "_mode", "_freq",
                 "_nbags", "_keep")

    def backward(self, g):
        w, psw = self.saved_tensors
        if building_graph():
            return self._composite(g, w, psw)
        gd = g._data
        idx, bag = self._idx, self._bag
        gw = gp = None
        if self._mode == "max":
            rows = np.zeros((idx.shape[0], gd.shape[1]), gd.dtype)
            b, c = np.nonzero(self._argpos >= 0)
            rows[self._argpos[b, c], c] = gd[b, c]
        else:
            rows = gd[bag]
            if self._scale is not None:
                rows = rows * self._scale[:, None]
        if self._next[0] is not None:
            if self._freq:
                counts = np.bincount(idx, minlength=self._num)
                rows = rows * (1.0 / counts[idx]).astype(rows.dtype)[:, None]
            gw = wrap(scatter_rows(idx, rows, self._num, gd.dtype))
        if psw is not None and self._next[1] is not None:
            wr = w._data.take(idx, axis=0)
            gp = np.einsum("ij,ij->i", gd[bag], wr)
            if self._keep is not None:
                gp = gp * self._keep
            gp = wrap(_fit(gp.astype(psw._data.dtype, copy=False), psw.shape))
        return gw, gp

    def _composite(self, g, w, psw):
        idx, bag = self._idx, self._bag
        n = idx.shape[0]
        dt = g._data.dtype
        gw = gp = None
        if self._mode == "max":
            gw_parts = []
            for c in range(g.shape[1]):  # max mode with create_graph: rare, kept simple
                sel = np.zeros((self._num, g.shape[0]), dt)
                ok = self._argpos[:, c] >= 0
                sel[idx[self._argpos[ok, c]], np.flatnonzero(ok)] = 1
                gw_parts.append(wrap(sel).mv(g[:, c]))
            from .shape import stack
            return stack(gw_parts, 1), None
        sel = np.zeros((n, g.shape[0]), dt)
        sel[np.arange(n), bag] = 1 if self._cscale is None else self._cscale
        rows = wrap(sel).mm(g)  # (N, D): each member's share of its bag's gradient
        if psw is not None:  # per-sample weights stay in the graph (they are inputs)
            rows = rows * psw.reshape(-1)[:n].unsqueeze(1)
        if self._next[0] is not None:
            scale = _row_scale(idx, None, self._freq, self._num)
            tab = np.zeros((self._num, n), dt)
            tab[idx, np.arange(n)] = 1 if scale is None else scale
            gw = wrap(tab).mm(rows)
        if psw is not None and self._next[1] is not None:
            gp = (wrap(sel).mm(g) * w[wrap(idx)]).sum(1)
            if gp.numel() != psw.numel():  # include_last_offset left trailing entries out
                from .shape import cat
                gp = cat([gp, gp.new_zeros(psw.numel() - gp.numel())])
            gp = gp.reshape(psw.shape)
        return gw, gp

    def _release_extra(self):
        self._idx = self._bag = self._scale = self._cscale = self._argpos = None


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embeddings, without building the per-index rows.

    ``input`` is either 2-D (B, L): B bags of L indices, or 1-D with ``offsets`` giving
    where each bag starts. ``per_sample_weights`` (mode='sum' only) scales each lookup.
    """
    if sparse:
        raise RuntimeError(_SPARSE_MSG)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub.")
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(f"embedding_bag: If per_sample_weights "
                             f"({list(per_sample_weights.shape)}) is not None, then it must "
                             f"have the same shape as the input ({list(input.shape)})")
    _check_indices(input, "embedding_bag")
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += num
    d = input._data
    if d.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        nb, length = d.shape
        starts = np.arange(0, nb * length, length, dtype=np.int64)
        idx = d.reshape(-1)
        end = idx.shape[0]
    elif d.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data.astype(np.int64)
        idx = d
        end = idx.shape[0]
        if include_last_offset:
            end = int(starts[-1]) if starts.size else 0
            starts = starts[:-1]
        if starts.size and starts[0] != 0:
            raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the "
                               f"mini-batch has to start from position 0. However, got "
                               f"{int(starts[0])}")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{d.ndim}")
    idx = idx[:end].astype(np.int64, copy=False)
    _check_range(idx, num)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    nbags = starts.shape[0]
    lengths = np.diff(np.append(starts, end))
    bag = np.repeat(np.arange(nbags), lengths)
    w = weight._data
    rows = w.take(idx, axis=0)
    keep = None
    if padding_idx is not None:
        keep = (idx != padding_idx)
    out = np.zeros((nbags, w.shape[1]), w.dtype)
    scale = cscale = None
    argpos = None
    if mode == "max":
        pos = np.arange(idx.shape[0])
        if keep is not None:
            rows = np.where(keep[:, None], rows, -np.inf).astype(w.dtype)
        valid_bags = np.flatnonzero(lengths > 0)
        argpos = np.full((nbags, w.shape[1]), -1, np.int64)
        if valid_bags.size:
            mx = np.maximum.reduceat(rows, starts[valid_bags], axis=0)
            # First member reaching the maximum gets the gradient (as PyTorch's kernel).
            hit = rows == mx[_dense_rank(bag, valid_bags)]
            cand = np.where(hit, pos[:, None], idx.shape[0])
            first = np.minimum.reduceat(cand, starts[valid_bags], axis=0)
            filled = np.isfinite(mx)
            out[valid_bags] = np.where(filled, mx, 0)
            argpos[valid_bags] = np.where(filled, first, -1)
    else:
        if keep is not None:
            cscale = keep.astype(w.dtype)
        if mode == "mean":
            cnt = np.bincount(bag, weights=None if keep is None else keep,
                              minlength=nbags).astype(w.dtype)
            inv = np.where(cnt > 0, 1.0 / np.maximum(cnt, 1), 0).astype(w.dtype)
            cscale = inv[bag] if cscale is None else cscale * inv[bag]
        scale = cscale  # constant part (padding, mean) times the per-sample weights
        if per_sample_weights is not None:
            pw = per_sample_weights._data.reshape(-1)[:end].astype(w.dtype, copy=False)
            scale = pw if scale is None else scale * pw
        weighted = rows * scale[:, None] if scale is not None else rows
        valid_bags = np.flatnonzero(lengths > 0)
        if valid_bags.size:
            out[valid_bags] = np.add.reduceat(weighted, starts[valid_bags], axis=0)
    res = wrap(out)
    psw = per_sample_weights
    if grad_needed(weight, psw):
        node = EmbeddingBagBackward0()
        node._idx = idx
        node._bag = bag
        node._scale = scale
        node._cscale = cscale
        node._argpos = argpos
        node._num = num
        node._mode = mode
        node._freq = bool(scale_grad_by_freq)
        node._nbags = nbags
        node._keep = None if keep is None else keep.astype(w.dtype)
        node.save_for_backward(weight, psw)
        attach(res, node, (weight, psw))
    return res


def _fit(g, shape):
    """Per-lookup gradient (N,) back to per_sample_weights' shape (zeros past the end)."""
    n = 1
    for d in shape:
        n *= d
    if g.shape[0] != n:
        g = np.concatenate([g, np.zeros(n - g.shape[0], g.dtype)])
    return g.reshape(shape)


def _dense_rank(bag, valid_bags):
    """Position of each member's bag among the non-empty bags (rows of reduceat's result)."""
    rank = np.zeros(int(valid_bags.max()) + 1 if valid_bags.size else 1, np.int64)
    rank[valid_bags] = np.arange(valid_bags.size)
    return rank[bag]
