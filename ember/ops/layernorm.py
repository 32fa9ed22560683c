"""Normalisation over features: layer_norm, group_norm, rms_norm (fused nodes) and
local_response_norm (composed of Tensor ops).

The three fused ops normalise rows of a 2-D view ``(M, N)`` of the input and keep the
normalised rows for backward, so one backward node gives all gradients with a few array
passes: ``dx = rstd * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))``.
"""
import numpy as np

from ..amp import _policy as _amp
from ..autograd.engine import FAST_BACKWARD
from ..autograd.graph import Node
from ..backends import seq_kernels
from ..tensor import Tensor
from ._fused import building_graph, composite_grads, row_sum
from ._lowp import in_float32, is_half
from ._util import attach, grad_needed, wrap


def _check_float(x, name):
    if x._data.dtype.kind not in "fc" and x.dtype.name != "bfloat16":
        raise RuntimeError(f"\"{name}\" not implemented for '{x.dtype.name.capitalize()}'")


def _normalized_shape(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def _norm_rows(d, eps, center):
    """(x_hat, rstd) for each row of 2-D ``d``; rms-style when ``center`` is False."""
    if center:
        mu = d.mean(axis=1, keepdims=True)
        xc = d - mu
    else:
        xc = d
    var = np.einsum("ij,ij->i", xc, xc)[:, None] * (1.0 / max(d.shape[1], 1)) \
        if type(d) is np.ndarray else (xc * xc).mean(axis=1, keepdims=True)
    rstd = 1.0 / np.sqrt(var.astype(d.dtype, copy=False) + eps) if type(d) is np.ndarray \
        else 1.0 / (var + eps) ** 0.5
    rstd = rstd.astype(d.dtype, copy=False)
    return xc * rstd, rstd


def _dx_rows(gh, xhat, rstd, center):
    """Input gradient for rows normalised to ``xhat`` given ``gh`` = dL/dx_hat."""
    n = gh.shape[1]
    inv = 1.0 / max(n, 1)
    proj = np.einsum("ij,ij->i", gh, xhat)[:, None] * inv if type(gh) is np.ndarray else \
        (gh * xhat).mean(axis=1, keepdims=True)
    if center:
        dx = gh - gh.mean(axis=1, keepdims=True)
        dx -= xhat * proj.astype(gh.dtype, copy=False)
    else:
        dx = gh - xhat * proj.astype(gh.dtype, copy=False)
    dx *= rstd
    return dx


# ---------------------------------------------------------------- layer_norm / rms_norm
class NativeLayerNormBackward0(Node):
    __slots__ = ("_xhat", "_rstd", "_nshape", "_eps", "_center")

    def backward(self, g):
        x, w, b = self.saved_tensors
        if building_graph():
            dims = tuple(range(x.ndim - len(self._nshape), x.ndim))
            fn = _ln_composite if self._center else _rms_composite
            return composite_grads(lambda x_, w_, b_: fn(x_, w_, b_, dims, self._eps),
                                   (x, w, b), (g,))
        return tuple(None if a is None else wrap(a) for a in
                     _ln_backward_arrays(self, g._data, x, w, b))

    def _release_extra(self):
        self._xhat = self._rstd = None


class RmsNormBackward0(NativeLayerNormBackward0):
    __slots__ = ()


def _ln_backward_arrays(node, g, x, w, b):
    """(dx, dw, db) arrays for a layer/rms norm node given the output gradient array."""
    xhat, rstd = node._xhat, node._rstd
    n = xhat.shape[1]
    g2 = g.reshape(-1, n)
    if g2.dtype != xhat.dtype:
        g2 = g2.astype(xhat.dtype)
    nx = node._next
    need_w = w is not None and nx[1] is not None
    need_b = b is not None and nx[2] is not None
    wd = None if w is None else w._data
    kern = seq_kernels.kernels()
    if kern is not None and xhat.dtype == np.float32 and \
            seq_kernels.usable(g2, xhat) and (wd is None or seq_kernels.usable(wd)):
        m = xhat.shape[0]
        dx = np.empty_like(xhat) if nx[0] is not None else xhat[:1]
        chunks = max(1, (m + kern.ROWS - 1) // kern.ROWS)
        pw = np.empty((chunks, n), np.float32)
        pb = np.empty((chunks, n), np.float32)
        kern.layer_norm_bwd(g2.reshape(-1), xhat.reshape(-1), rstd.reshape(-1),
                            wd.reshape(-1) if wd is not None else xhat[:1].reshape(-1),
                            dx.reshape(-1), pw, pb, m, n, node._center, wd is not None,
                            nx[0] is not None)
        gw = pw.sum(0).reshape(w.shape) if need_w else None
        gb = pb.sum(0).reshape(b.shape) if need_b else None
        gx = dx.reshape(x.shape) if nx[0] is not None else None
        return gx, gw, gb
    gw = gb = gx = None
    if need_w:
        gw = row_sum(g2 * xhat).reshape(w.shape)
    if need_b:
        gb = row_sum(g2).reshape(b.shape)
    if nx[0] is not None:
        gh = g2 * wd.reshape(1, n) if wd is not None else g2
        gx = _dx_rows(gh, xhat, rstd, node._center).reshape(x.shape)
    return gx, gw, gb


def _ln_fast(node, g):
    """Array-level backward for the engine (no graph being built)."""
    saved = node._saved
    if type(saved) is not tuple or type(g) is not np.ndarray or node._xhat is None:
        return None
    v = node._versions
    for i, t in enumerate(saved):
        if t is not None and t._vc[0] != v[i]:
            node.saved_tensors  # noqa: B018 - raises the "modified by an inplace" error
    return _ln_backward_arrays(node, g, *saved)


FAST_BACKWARD[NativeLayerNormBackward0] = _ln_fast
FAST_BACKWARD[RmsNormBackward0] = _ln_fast


def _ln_composite(x, w, b, dims, eps):
    mu = x.mean(dims, keepdim=True)
    xc = x - mu
    y = xc * ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    if w is not None:
        y = y * w
    if b is not None:
        y = y + b
    return y


def _rms_composite(x, w, b, dims, eps):
    y = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return y * w if w is not None else y


def _check_shape(x, nshape, star):
    if len(nshape) == 0 or tuple(x.shape[x.ndim - len(nshape):]) != nshape or \
            x.ndim < len(nshape):
        raise RuntimeError(f"Given normalized_shape={list(nshape)}, expected input with shape "
                           f"[*{', ' if star else ''}{', '.join(map(str, nshape))}], but got "
                           f"input of size{list(x.shape)}")


def _check_param(p, nshape, what):
    if p is not None and tuple(p.shape) != nshape:
        raise RuntimeError(f"Expected {what} to be of same shape as normalized_shape, but got "
                           f"{what} of shape {list(p.shape)} and normalized_shape = "
                           f"{list(nshape)}")


def _row_norm(input, nshape, weight, bias, eps, center, node_cls):
    d = input._data
    n = 1
    for s in nshape:
        n *= s
    d2 = d.reshape(-1, n) if d.size else d.reshape(0, n)
    wd = None if weight is None else weight._data
    bd = None if bias is None else bias._data
    kern = seq_kernels.kernels() if d.dtype == np.float32 and d2.size else None
    if kern is not None and seq_kernels.usable(d2) and \
            (wd is None or seq_kernels.usable(wd)) and (bd is None or seq_kernels.usable(bd)):
        m = d2.shape[0]
        y = np.empty_like(d2)
        xhat = np.empty_like(d2)
        rstd = np.empty((m, 1), np.float32)
        dummy = xhat[:1].reshape(-1)
        kern.layer_norm_fwd(d2.reshape(-1), dummy if wd is None else wd.reshape(-1),
                            dummy if bd is None else bd.reshape(-1), y.reshape(-1),
                            xhat.reshape(-1), rstd.reshape(-1), m, n, float(eps), center,
                            wd is not None, bd is not None)
        return _finish_row_norm(input, y.reshape(d.shape), xhat, rstd, nshape, weight, bias,
                                eps, center, node_cls)
    xhat, rstd = _norm_rows(d2, eps, center)
    y = xhat
    if weight is not None:
        y = xhat * weight._data.reshape(1, n).astype(d.dtype, copy=False)
        if bias is not None:
            y += bias._data.reshape(1, n)
    elif bias is not None:
        y = xhat + bias._data.reshape(1, n)
    return _finish_row_norm(input, y.reshape(d.shape), xhat, rstd, nshape, weight, bias, eps,
                            center, node_cls)


def _finish_row_norm(input, y, xhat, rstd, nshape, weight, bias, eps, center, node_cls):
    res = wrap(y)
    if grad_needed(input, weight, bias):
        node = node_cls()
        node._xhat = xhat
        node._rstd = rstd
        node._nshape = nshape
        node._eps = eps
        node._center = center
        node.save_for_backward(input, weight, bias)
        attach(res, node, (input, weight, bias))
    return res


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift.

    Args:
        input: tensor of shape ``(*, *normalized_shape)``.
        normalized_shape: int or sequence, the trailing shape to normalise over.
        weight, bias: optional tensors of ``normalized_shape``.
        eps: added to the variance for stability.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"layer_norm(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if _amp.active:
        input, weight, bias = _amp.fp32(_amp.CUDA, input, weight, bias)
    nshape = _normalized_shape(normalized_shape)
    _check_shape(input, nshape, True)
    _check_param(weight, nshape, "weight")
    _check_param(bias, nshape, "bias")
    _check_float(input, "LayerNormKernelImpl")
    if is_half(input._data):  # statistics in float32, one rounding, as PyTorch's CPU kernel
        return in_float32(_row_norm, input.dtype, input, nshape, weight, bias, eps, True,
                          NativeLayerNormBackward0)
    return _row_norm(input, nshape, weight, bias, eps, True, NativeLayerNormBackward0)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Root-mean-square normalisation: ``x / sqrt(mean(x**2) + eps) * weight``.

    ``eps`` defaults to the machine epsilon of the input's dtype, as in PyTorch.
    """
    nshape = _normalized_shape(normalized_shape)
    _check_shape(input, nshape, False)
    _check_param(weight, nshape, "weight")
    _check_float(input, "rms_norm")
    if eps is None:
        from ..dtypes import finfo
        eps = float(finfo(input.dtype).eps)
    if is_half(input._data):
        return in_float32(_row_norm, input.dtype, input, nshape, weight, None, eps, False,
                          RmsNormBackward0)
    return _row_norm(input, nshape, weight, None, eps, False, RmsNormBackward0)


# ---------------------------------------------------------------- group_norm
class NativeGroupNormBackward0(Node):
    __slots__ = ("_xhat", "_rstd", "_groups", "_eps")

    def backward(self, g):
        x, w, b = self.saved_tensors
        if building_graph():
            return composite_grads(
                lambda x_, w_, b_: _gn_composite(x_, self._groups, w_, b_, self._eps),
                (x, w, b), (g,))
        xhat, rstd = self._xhat, self._rstd  # xhat: (N, C, S)
        nb, c, s = xhat.shape
        g3 = g._data.reshape(nb, c, s)
        if g3.dtype != xhat.dtype:
            g3 = g3.astype(xhat.dtype)
        nx = self._next
        gx = gw = gb = None
        if w is not None and nx[1] is not None:
            gw = wrap(np.einsum("ncs,ncs->c", g3, xhat))
        if b is not None and nx[2] is not None:
            gb = wrap(g3.sum(axis=(0, 2)))
        if nx[0] is not None:
            gh = g3 * w._data.reshape(1, c, 1) if w is not None else g3
            grp = self._groups
            dx = _dx_rows(gh.reshape(nb * grp, -1), xhat.reshape(nb * grp, -1), rstd, True)
            gx = wrap(dx.reshape(x.shape))
        return gx, gw, gb

    def _release_extra(self):
        self._xhat = self._rstd = None


def _gn_composite(x, groups, w, b, eps):
    nb, c = x.shape[0], x.shape[1]
    xg = x.reshape(nb, groups, -1)
    mu = xg.mean(2, keepdim=True)
    xc = xg - mu
    y = (xc * ((xc * xc).mean(2, keepdim=True) + eps).rsqrt()).reshape(x.shape)
    bshape = (1, c) + (1,) * (x.ndim - 2)
    if w is not None:
        y = y * w.reshape(bshape)
    if b is not None:
        y = y + b.reshape(bshape)
    return y


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation: statistics over groups of channels of ``(N, C, *)`` inputs."""
    if _amp.active:
        input, weight, bias = _amp.fp32(_amp.CUDA, input, weight, bias)
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{d.ndim}")
    nb, c = d.shape[0], d.shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(d.shape)} and "
                           f"num_groups={num_groups}")
    for p, what in ((weight, "weight"), (bias, "bias")):
        if p is not None and (p.ndim != 1 or p.shape[0] != c):
            raise RuntimeError(f"Expected {what} to be a vector of size equal to the number of "
                               f"channels in input, but got {what} of shape {list(p.shape)} "
                               f"and input of shape {list(d.shape)}")
    _check_float(input, "GroupNormKernelImpl")
    if is_half(d):  # statistics in float32, one rounding, as PyTorch's CPU kernel
        return in_float32(group_norm, input.dtype, input, num_groups, weight, bias, eps)
    s = d.size // max(nb * c, 1)
    rows = d.reshape(nb * num_groups, -1)
    xhat, rstd = _norm_rows(rows, eps, True)
    xh3 = xhat.reshape(nb, c, s)
    y = xh3
    if weight is not None:
        y = xh3 * weight._data.reshape(1, c, 1)
    if bias is not None:
        y = y + bias._data.reshape(1, c, 1)
    res = wrap(np.ascontiguousarray(y).reshape(d.shape))
    if grad_needed(input, weight, bias):
        node = NativeGroupNormBackward0()
        node._xhat = xh3
        node._rstd = rstd
        node._groups = num_groups
        node._eps = eps
        node.save_for_backward(input, weight, bias)
        attach(res, node, (input, weight, bias))
    return res


# ---------------------------------------------------------------- local_response_norm
def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each channel by the summed squares of its ``size`` neighbours (dim 1).

    ``b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2) ** beta`` over a window of channels
    centred on c, zero-padded at the edges as PyTorch does.
    """
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {input.ndim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    from .creation import zeros
    from .shape import cat
    c = input.shape[1]
    sq = input * input
    front, back = size // 2, (size - 1) // 2
    pads = []
    if front:
        pads.append(zeros((input.shape[0], front) + tuple(input.shape[2:]), dtype=input.dtype))
    pads.append(sq)
    if back:
        pads.append(zeros((input.shape[0], back) + tuple(input.shape[2:]), dtype=input.dtype))
    padded = cat(pads, 1) if len(pads) > 1 else sq
    # The window is small (typically 5): a sum of shifted slices is cheaper than a pooling op.
    acc = padded.narrow(1, 0, c)
    for i in range(1, size):
        acc = acc + padded.narrow(1, i, c)
    div = (acc * (alpha / size) + k) ** beta
    return input / div
