"""scaled_dot_product_attention as one fused node.

Forward: ``softmax(q k^T * scale + bias) @ v`` with batched BLAS products; the attention
probabilities (after dropout) are kept for backward, which needs only four more products:
``dv = P^T g``, ``dP = g v^T``, ``dS = P (dP - rowsum(dP P))``, ``dq = dS k``, ``dk = dS^T q``.
Rows whose every position is masked give zeros (as PyTorch's CPU kernel), not NaN.
"""
import math

import numpy as np

from ..amp import _policy as _amp
from ..autograd.graph import Node
from ..backends.dispatch import xp_of
from ..random import _gen
from ..tensor import Tensor
from ._fused import building_graph, composite_grads
from ._lowp import in_float32, is_half
from ._util import attach, grad_needed, wrap


def _causal_bias(lq, lk, dtype, xpm):
    bias = xpm.zeros((lq, lk), dtype)
    bias[xpm.triu_indices(lq, 1, lk)] = -np.inf
    return bias


def _bias_array(attn_mask, is_causal, lq, lk, dtype, xpm):
    """The additive bias (or None) from a bool/float mask and is_causal."""
    if is_causal:
        return _causal_bias(lq, lk, dtype, xpm)
    if attn_mask is None:
        return None
    m = attn_mask._data
    if m.dtype == np.bool_:
        return xpm.where(m, dtype.type(0), dtype.type(-np.inf))
    return m.astype(dtype, copy=False)


def _softmax_rows(s, xpm):
    """In-place softmax over the last axis; all-(-inf) rows become zeros."""
    mx = s.max(axis=-1, keepdims=True)
    dead = ~xpm.isfinite(mx)
    if dead.any():
        mx = xpm.where(dead, 0, mx).astype(s.dtype)
    s -= mx
    xpm.exp(s, out=s)
    tot = s.sum(axis=-1, keepdims=True)
    if dead.any():
        tot = xpm.where(tot == 0, 1, tot).astype(s.dtype)
    s /= tot
    return s


class ScaledDotProductAttentionBackward(Node):
    """Inputs: (query, key, value, float attn_mask)."""

    __slots__ = ("_p", "_keep", "_scale", "_dropout", "_bias")

    def backward(self, g):
        q, k, v, mask = self.saved_tensors
        if building_graph():
            keep = self._keep
            return composite_grads(
                lambda q_, k_, v_, m_: _sdpa_composite(q_, k_, v_, m_, self._bias, keep,
                                                       self._dropout, self._scale),
                (q, k, v, mask), (g,))
        xpm = xp_of(g._data)
        gd = g._data
        p, keep = self._p, self._keep      # pre-dropout probabilities; dropout multiplier
        nx = self._next
        gq = gk = gv = gm = None
        qd, kd, vd = q._data, k._data, v._data
        if nx[2] is not None:
            pd = p if keep is None else p * keep
            gv = wrap(sum_to_arr(xpm.matmul(xpm.swapaxes(pd, -1, -2), gd), vd.shape))
        if nx[0] is not None or nx[1] is not None or nx[3] is not None:
            ds = xpm.matmul(gd, xpm.swapaxes(vd, -1, -2))      # dL/dP (after dropout)
            if keep is not None:
                ds *= keep
            # softmax backward: dS = P * (dP - rowsum(dP * P))
            ds -= (ds * p).sum(axis=-1, keepdims=True)
            ds *= p
            if nx[3] is not None:
                gm = wrap(sum_to_arr(ds, mask.shape))
            if self._scale != 1:
                ds *= self._scale
            if nx[0] is not None:
                gq = wrap(sum_to_arr(xpm.matmul(ds, kd), qd.shape))
            if nx[1] is not None:
                gk = wrap(sum_to_arr(xpm.matmul(xpm.swapaxes(ds, -1, -2), qd), kd.shape))
        return gq, gk, gv, gm

    def _release_extra(self):
        self._p = self._keep = self._bias = None


def sum_to_arr(a, shape):
    """Sum a broadcast gradient array back to ``shape``."""
    if a.shape == tuple(shape):
        return a
    lead = a.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and a.shape[i + lead] != 1)
    if axes:
        a = a.sum(axis=axes, keepdims=True)
    return a.reshape(shape)


def _sdpa_composite(q, k, v, mask, bias, keep, dropout_p, scale):
    s = q.matmul(k.transpose(-2, -1)) * scale
    if bias is not None:
        s = s + wrap(bias)
    if mask is not None:
        s = s + mask
    mx = s.detach().amax(-1, keepdim=True)
    mx = mx.masked_fill(~mx.isfinite(), 0)
    e = (s - mx).exp()
    tot = e.sum(-1, keepdim=True)
    p = e / tot.masked_fill(tot == 0, 1)
    if keep is not None:
        p = p * wrap(keep)
    return p.matmul(v)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """``softmax(Q K^T * scale + mask) V`` with optional dropout on the weights.

    Args:
        query: ``(N, ..., L, E)``; key ``(N, ..., S, E)``; value ``(N, ..., S, Ev)``.
        attn_mask: bool (True = take part) or float (added) mask broadcastable to
            ``(N, ..., L, S)``.
        dropout_p: dropout probability on the attention weights (always applied when > 0).
        is_causal: mask out future positions (upper triangle); excludes attn_mask.
        scale: defaults to ``1 / sqrt(E)``.
        enable_gqa: key/value may have fewer heads (dim -3) than query (grouped queries).
    """
    if _amp.active:
        query, key, value, attn_mask = _amp.lower(_amp.BOTH, query, key, value, attn_mask)
        return _amp.plain(scaled_dot_product_attention, query, key, value, attn_mask,
                          dropout_p, is_causal, scale, enable_gqa)
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be "
                           "set when is_causal=True")
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' must be Tensor, "
                            f"not {type(t).__name__}")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {query.dtype} key.dtype: {key.dtype} and value.dtype: "
                           f"{value.dtype} instead.")
    if enable_gqa and query.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of "
                               "heads in query")
        if hk != hq:
            key = key.repeat_interleave(hq // hk, -3)
        if hv != hq:
            value = value.repeat_interleave(hq // hv, -3)
    qd, kd, vd = query._data, key._data, value._data
    if is_half(qd):  # accumulate in float32 and round once, as PyTorch's CPU kernels
        return in_float32(scaled_dot_product_attention, query.dtype, query, key, value,
                          attn_mask, dropout_p, is_causal, scale)
    if qd.shape[-1] != kd.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{list(kd.shape[:-2][-1:]) + [qd.shape[-1]]} but got: "
                           f"{list(kd.shape[:-2][-1:]) + [kd.shape[-1]]}.")
    if kd.shape[-2] != vd.shape[-2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{list(vd.shape[:-2][-1:]) + [kd.shape[-2]]} but got: "
                           f"{list(vd.shape[:-2][-1:]) + [vd.shape[-2]]}.")
    xpm = xp_of(qd)
    lq, lk = qd.shape[-2], kd.shape[-2]
    sc = 1.0 / math.sqrt(qd.shape[-1]) if scale is None else float(scale)
    float_mask = attn_mask if (attn_mask is not None and attn_mask.dtype.is_floating_point) \
        else None
    bias = _bias_array(attn_mask if float_mask is None else None, is_causal, lq, lk, qd.dtype,
                       xpm)
    s = xpm.matmul(qd, xpm.swapaxes(kd, -1, -2))
    if sc != 1:
        s *= sc
    if bias is not None:
        s = s + bias if s.shape != np.broadcast_shapes(s.shape, bias.shape) else \
            xpm.add(s, bias, out=s)
    if float_mask is not None:
        m = float_mask._data.astype(qd.dtype, copy=False)
        s = s + m if s.shape != np.broadcast_shapes(s.shape, m.shape) else xpm.add(s, m, out=s)
    p = _softmax_rows(s, xpm)
    keep = None
    if dropout_p > 0:
        if dropout_p >= 1:
            keep = xpm.zeros(p.shape, p.dtype)
        else:
            draw = _gen(None).random(p.shape, dtype=np.float32)
            keep = (draw >= dropout_p).astype(p.dtype) * (1.0 / (1.0 - dropout_p))
            if xpm is not np:
                keep = xpm.asarray(keep)
    out = wrap(xpm.matmul(p if keep is None else p * keep, vd))
    if grad_needed(query, key, value, float_mask):
        node = ScaledDotProductAttentionBackward()
        node._p = p
        node._keep = keep
        node._scale = sc
        node._dropout = dropout_p
        node._bias = bias
        node.save_for_backward(query, key, value, float_mask)
        attach(out, node, (query, key, value, float_mask))
    return out
