"""Batch normalisation (and instance normalisation, which is batch norm per sample).

Forward and backward are a handful of whole-array passes over an (N, C, L) view; every
per-channel sum is a BLAS product with a ones vector (``(N*C, L) @ 1`` then ``1 @ (N, C)``),
far faster than NumPy's strided ``sum(axis=(0, 2))``. Double backward recomputes the forward
with differentiable Tensor ops and differentiates that.
"""
import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import cpu_kernels as K
from ..backends import native as NK
from ._lowp import in_float32, is_half
from ._util import attach, wrap


def _three(d):
    """(N, C, *S) -> contiguous (N, C, L)."""
    n, c = d.shape[:2]
    xp = K.xp_of(d)
    if not d.flags.c_contiguous:
        d = xp.ascontiguousarray(d)
    return d.reshape(n, c, -1)


def chan_sum(a3):
    """Per-channel sums of (N, C, L) through two BLAS products."""
    xp = K.xp_of(a3)
    n, c, l = a3.shape
    if l == 1:
        return xp.ones(n, dtype=a3.dtype) @ a3.reshape(n, c)
    r = a3.reshape(n * c, l) @ xp.ones(l, dtype=a3.dtype)
    if n == 1:
        return r
    return xp.ones(n, dtype=a3.dtype) @ r.reshape(n, c)


class NativeBatchNormBackward0(Node):
    __slots__ = ("_xc", "_invstd", "_training", "_eps", "_shape", "_running", "_x3", "_mean")

    def _release_extra(self):
        self._xc = None
        self._invstd = None
        self._x3 = None
        self._mean = None

    def backward(self, g):
        x, w, b = self.saved_tensors
        if state.enabled:
            return self._double(g, x, w, b)
        if self._x3 is not None:
            return self._fast_backward(g, w)
        nx, nw, nb = self._next
        xc, invstd = self._xc, self._invstd
        g3 = _three(g._data)
        col = (slice(None), None)
        gb_a = chan_sum(g3) if (nb is not None or (nx is not None and self._training)) else None
        gxc = chan_sum(g3 * xc) if (nw is not None or (nx is not None and self._training)) \
            else None
        gx = gw = gb = None
        if nx is not None:
            k1 = invstd if w is None else w._data * invstd
            if self._training:
                m = xc.shape[0] * xc.shape[2]
                k2 = k1 * invstd * invstd * gxc / m
                k3 = k1 * gb_a / m
                t = xc * k2[col]
                t += k3[col]
                gx3 = g3 * k1[col]
                gx3 -= t
            else:
                gx3 = g3 * k1[col]
            gx = wrap(gx3.reshape(self._shape))
        if nw is not None:
            gw = wrap(gxc * invstd)
        if nb is not None:
            gb = wrap(gb_a)
        return gx, gw, gb

    def _fast_backward(self, g, w):
        # Compiled path (native, float32): two passes over g and x, nothing (N, C, L) saved
        # but the input itself.
        nx, nw, nb = self._next
        x3, mean, invstd = self._x3, self._mean, self._invstd
        n, c, l = x3.shape
        g3 = np.ascontiguousarray(g._data).reshape(n, c, l)
        nk = NK.kernels()
        sum_g = np.empty(c, np.float64)
        sum_gx = np.empty(c, np.float64)
        nk.bn_grad_sums(g3.reshape(-1), x3.reshape(-1), n, c, l, mean, sum_g, sum_gx)
        gx = gw = gb = None
        if nx is not None:
            k1 = invstd if w is None else w._data * invstd
            if self._training:
                m = n * l
                k2 = (k1 * invstd * invstd * (sum_gx / m)).astype(np.float32)
                k3 = (k1 * (sum_g / m)).astype(np.float32)
            else:
                k2 = k3 = np.zeros(c, np.float32)
            out = np.empty_like(g3)
            nk.bn_grad_input(g3.reshape(-1), x3.reshape(-1), n, c, l, mean,
                             k1.astype(np.float32), k2, k3, out.reshape(-1))
            gx = wrap(out.reshape(self._shape))
        if nw is not None:
            gw = wrap((sum_gx * invstd).astype(np.float32))
        if nb is not None:
            gb = wrap(sum_g.astype(np.float32))
        return gx, gw, gb

    def _double(self, g, x, w, b):
        # create_graph: differentiate a Tensor-op recomputation of the forward.
        from ..autograd import grad as _grad
        dims = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if self._training:
            mean = x.mean(dim=dims, keepdim=True)
            xc = x - mean
            var = (xc * xc).mean(dim=dims, keepdim=True)
            y = xc * (var + self._eps).rsqrt()
        else:
            rm, rv = self._running
            y = (x - wrap(rm).reshape(shape)) * wrap(
                (1.0 / np.sqrt(rv + self._eps)).astype(rv.dtype)).reshape(shape)
        if w is not None:
            y = y * w.reshape(shape)
        if b is not None:
            y = y + b.reshape(shape)
        ins = [t for t, e in zip((x, w, b), self._next) if t is not None and e is not None]
        grads = iter(_grad(y, ins, g, create_graph=True, allow_unused=True))
        return tuple(next(grads) if t is not None and e is not None else None
                     for t, e in zip((x, w, b), self._next))


def _update_running(running_mean, running_var, mean, var, m, momentum):
    if running_mean is not None:
        rm = running_mean._data
        rm *= 1 - momentum
        rm += momentum * mean.astype(rm.dtype, copy=False)
        running_mean._vc[0] += 1
    if running_var is not None:
        rv = running_var._data
        unbiased = var * (m / max(m - 1, 1))
        rv *= 1 - momentum
        rv += momentum * unbiased.astype(rv.dtype, copy=False)
        running_var._vc[0] += 1


def _fast_batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """The compiled path (native, float32 CPU arrays), or None when it does not apply."""
    d = input._data
    if d.ndim < 2 or not NK.usable(d) or not all(
            t is None or NK.usable(t._data) for t in (weight, bias)):
        return None
    if not training and (running_mean is None or running_var is None or
                         not NK.usable(running_mean._data, running_var._data)):
        return None
    nk = NK.kernels()
    if nk is None:
        return None
    x3 = d.reshape(d.shape[0], d.shape[1], -1)
    n, c, l = x3.shape
    f32 = np.float32
    if training:
        mean64 = np.empty(c, np.float64)
        var64 = np.empty(c, np.float64)
        nk.bn_stats(x3.reshape(-1), n, c, l, mean64, var64)
        mean = mean64.astype(f32)
        invstd = (1.0 / np.sqrt(var64 + eps)).astype(f32)
        _update_running(running_mean, running_var, mean64, var64, n * l, momentum)
    else:
        mean = running_mean._data
        invstd = (1.0 / np.sqrt(running_var._data + eps)).astype(f32)
    scale = invstd if weight is None else weight._data * invstd
    shift = np.zeros(c, f32) if bias is None else bias._data
    y = np.empty_like(x3)
    nk.bn_apply(x3.reshape(-1), n, c, l, mean, scale, shift, y.reshape(-1))
    out = wrap(y.reshape(d.shape))
    if state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                          or (bias is not None and bias._requires_grad)):
        node = NativeBatchNormBackward0()
        node._xc = None
        node._x3 = x3
        node._mean = mean
        node._invstd = invstd
        node._training = training
        node._eps = eps
        node._shape = d.shape
        node._running = None if training else (running_mean._data.copy(),
                                               running_var._data.copy())
        node.save_for_backward(input, weight, bias)
        attach(out, node, (input, weight, bias))
    return out


def batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """Normalise over every dim but the channel dim (1); updates running stats in training."""
    fast = _fast_batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                            eps)
    if fast is not None:
        return fast
    d = input._data
    if is_half(d):  # statistics in float32, one rounding, as PyTorch's CPU kernel
        return in_float32(batch_norm, input.dtype, input, running_mean, running_var, weight,
                          bias, training, momentum, eps)
    xp = K.xp_of(d)
    x3 = _three(d)
    n, c, l = x3.shape
    col = (slice(None), None)
    if training:
        m = n * l
        mean = chan_sum(x3) * (1.0 / m)
        xc = x3 - mean[col]
        var = chan_sum(xc * xc) * (1.0 / m)
        invstd = 1.0 / xp.sqrt(var + eps)
        _update_running(running_mean, running_var, mean, var, m, momentum)
    else:
        rm, rv = running_mean._data, running_var._data
        invstd = (1.0 / xp.sqrt(rv + eps)).astype(d.dtype, copy=False)
        xc = x3 - rm.astype(d.dtype, copy=False)[col]
    scale = invstd if weight is None else weight._data * invstd
    y = xc * scale[col]
    if bias is not None:
        y += bias._data[col]
    out = wrap(y.reshape(d.shape))
    if state.enabled and (input._requires_grad or (weight is not None and weight._requires_grad)
                          or (bias is not None and bias._requires_grad)):
        node = NativeBatchNormBackward0()
        node._xc = xc
        node._x3 = node._mean = None
        node._invstd = invstd
        node._training = training
        node._eps = eps
        node._shape = d.shape
        node._running = None if training else (running_mean._data.copy(),
                                               running_var._data.copy())
        node.save_for_backward(input, weight, bias)
        attach(out, node, (input, weight, bias))
    return out
