"""``torch.segment_reduce``: reduce consecutive runs ("segments") of ``data`` along one axis.

The segments are given by ``lengths`` (or by ``offsets``, their running boundaries); the
reduction is one ``ufunc.reduceat`` over the flattened (batch, axis) rows, so there is no Python
loop over segments. Backward spreads each segment's gradient back with one ``index_select``.
"""
import numpy as np

from ..autograd.graph import Node
from ._util import attach, grad_needed, wrap

_REDUCES = {"sum": "sum", "mean": "mean", "max": "max", "amax": "max", "min": "min",
            "amin": "min", "prod": "prod"}
_UFUNC = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum,
          "prod": np.multiply}


def _lengths(data, lengths, offsets, axis):
    if lengths is not None:
        ln = lengths._host().astype(np.int64)
        if ln.size and ln.min() < 0:
            raise RuntimeError("lengths contains negative value!")
    elif offsets is not None:
        off = offsets._host().astype(np.int64)
        ln = np.diff(off, axis=-1)
    else:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    nd = data.ndim
    if not -nd <= axis < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                         f"{nd - 1}], but got {axis})")
    axis = axis + nd if axis < 0 else axis
    if axis != ln.ndim - 1:
        raise RuntimeError(f"segment_reduce(): Expected axis to be the last dimension of "
                           f"lengths but got {axis}.")
    if tuple(ln.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError(f"segment_reduce(): Expected lengths batch shape "
                           f"{list(data.shape[:axis])} but got {list(ln.shape[:-1])}")
    return ln, axis


class SegmentReduceBackward0(Node):
    __slots__ = ("_reduce", "_axis", "_seg", "_counts", "_initial")

    def backward(self, g):
        (x, out) = self.saved_tensors
        seg = self._seg  # flat segment id of every element of the (batch * len) rows
        ax = self._axis
        lead = x.shape[:ax]
        rows = g.reshape((-1,) + tuple(g.shape[ax + 1:]))  # (batch * nseg, rest)
        if self._reduce == "mean":
            rows = rows / self._counts.reshape((-1,) + (1,) * (rows.ndim - 1))
        spread = rows.index_select(0, seg)  # (batch * len, rest)
        xr = x.reshape(spread.shape)
        if self._reduce in ("max", "min"):
            hit = (xr == out.reshape(rows.shape).index_select(0, seg)).to(g.dtype)
            ties = wrap(np.zeros(rows.shape, hit._data.dtype)).index_add(0, seg, hit)
            spread = spread * hit / ties.index_select(0, seg).clamp_min(1)
        elif self._reduce == "prod":
            zero = xr == 0
            others = _prod_nonzero(xr, seg, rows.shape, self._initial)  # product of nonzeros
            nz = wrap(np.zeros(rows.shape, np.int64)).index_add(0, seg, zero.long())
            nzs = nz.index_select(0, seg)
            outs = out.reshape(rows.shape).index_select(0, seg)
            safe = xr.masked_fill(zero, 1)
            # Without zeros: out / x. With one zero: the product of the others for the zero
            # element, 0 elsewhere. With more zeros: 0 everywhere.
            factor = (outs / safe).masked_fill(nzs > 0, 0)
            factor = factor + others.index_select(0, seg).masked_fill(~(zero & (nzs == 1)), 0)
            spread = spread * factor
        return spread.reshape(lead + tuple(x.shape[ax:]))


def _prod_nonzero(xr, seg, shape, initial):
    """Per-segment product of the nonzero elements (on arrays: only used where the segment
    holds exactly one zero, whose gradient is this product)."""
    ones = np.where(xr._data == 0, 1, xr._data)
    res = np.ones(shape, ones.dtype)
    np.multiply.at(res, seg._data, ones)
    if initial is not None:
        res *= initial
    return wrap(res)


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0,
                   unsafe=False, initial=None):
    """Reduce consecutive segments of ``data`` along ``axis``.

    Args:
        data (Tensor): the values.
        reduce (str): ``"sum"``, ``"mean"``, ``"max"``/``"amax"``, ``"min"``/``"amin"`` or
            ``"prod"``.
        lengths (Tensor, optional): segment lengths, shaped ``data.shape[:axis] + (S,)``.
        offsets (Tensor, optional): segment boundaries instead of ``lengths`` (``S + 1``).
        axis (int): the axis to reduce (the last dimension of ``lengths``).
        unsafe (bool): accepted for compatibility; Ember always checks the lengths.
        initial (float, optional): a value folded into every segment (and the result of
            empty segments).

    Example::

        >>> torch.segment_reduce(torch.tensor([1., 2., 3.]), "sum",
        ...                      lengths=torch.tensor([2, 1]))
        tensor([3., 3.])
    """
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, "
                           f"got {reduce}")
    red = _REDUCES[reduce]
    if not data.is_floating_point():
        raise NotImplementedError(f"\"_segment_reduce_cpu\" not implemented for "
                                  f"'{_word(data)}'")
    ln, axis = _lengths(data, lengths, offsets, axis)
    d = data._data
    L = d.shape[axis]
    # With unsafe=True PyTorch leaves mismatched lengths undefined; Ember still refuses them.
    if np.any(ln.sum(-1) != L):
        raise RuntimeError("segment_reduce(): Expected all rows of lengths along axis to sum "
                           "to data.size(lengths.dim()-1) when !unsafe.")
    lead, rest = d.shape[:axis], d.shape[axis + 1:]
    nb = int(np.prod(lead, dtype=np.int64))
    nseg = ln.shape[-1]
    flat = d.reshape((nb * L,) + rest)
    ln2 = ln.reshape(nb, nseg)
    starts = np.cumsum(ln2, axis=1) - ln2 + (np.arange(nb) * L)[:, None]  # flat row starts
    starts, cnt = starts.reshape(-1), ln2.reshape(-1)
    uf = _UFUNC[red]
    out = np.empty((nb * nseg,) + rest, d.dtype)
    full = cnt > 0
    if full.any() and flat.shape[0]:
        out[full] = uf.reduceat(flat, starts[full], axis=0)
    ident = {"sum": 0, "mean": 0, "prod": 1, "max": -np.inf, "min": np.inf}[red]
    out[~full] = ident
    if initial is not None:
        if red in ("sum", "mean"):
            out += initial
        elif red == "prod":
            out *= initial
        else:
            uf(out, initial, out=out)
    if red == "mean":
        c = cnt.astype(d.dtype).reshape((-1,) + (1,) * len(rest))
        with np.errstate(invalid="ignore", divide="ignore"):
            out = out / c
        if initial is not None:
            out[~full] = initial
    res = wrap(out.reshape(lead + (nseg,) + rest))
    if grad_needed(data):
        node = SegmentReduceBackward0()
        node._reduce, node._axis, node._initial = red, axis, initial
        node._seg = wrap(np.repeat(np.arange(nb * nseg), cnt))
        node._counts = wrap(np.maximum(cnt, 1).astype(d.dtype))  # empty: never gathered
        node.save_for_backward(data, wrap(res._data))
        attach(res, node, (data,))
    return res


def _word(t):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t.dtype.name if hasattr(t.dtype, "name") else "", str(t.dtype))


__all__ = ["segment_reduce"]
