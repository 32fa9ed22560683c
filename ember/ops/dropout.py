"""Dropout kernels: one fused node (``input * mask``; the mask carries the 1/(1-p) scale)."""
import math

import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..random import _gen
from ._util import arr, attach, inplace as _inplace, wrap

_SELU_ALPHA_SCALE = 1.7580993408473766  # selu's alpha * scale: alpha dropout's saturation value


class NativeDropoutBackward0(Node):
    __slots__ = ("_mask",)

    def backward(self, g):
        return g * wrap(self._mask)

    def _release_extra(self):
        self._mask = None


def _noise_shape(shape, feature):
    # Feature (channel) dropout draws one value per (batch, channel).
    return shape[:2] + (1,) * (len(shape) - 2) if feature else shape


def _keep_mask(d, p, feature, generator):
    shape = _noise_shape(d.shape, feature)
    u = _gen(generator).random(shape, dtype=np.float64 if d.dtype == np.float64
                               else np.float32)
    if type(d) is not np.ndarray:
        import cupy
        u = cupy.asarray(u)
    return u >= p  # keep with probability 1 - p


def _apply(input, p, feature, alpha, generator=None):
    d = input._data
    if p == 1 and not alpha:
        m = np.zeros(_noise_shape(d.shape, feature), dtype=d.dtype)
        add = None
    else:
        keep = _keep_mask(d, p, feature, generator)
        if alpha:
            a = 1.0 / math.sqrt((_SELU_ALPHA_SCALE ** 2 * p + 1) * (1 - p))
            m = keep * np.asarray(a, dtype=d.dtype)
            add = (keep.astype(d.dtype) - 1) * (_SELU_ALPHA_SCALE * a) + \
                (_SELU_ALPHA_SCALE * a * p)
            add = add.astype(d.dtype, copy=False)
        else:
            m = keep * np.asarray(1.0 / (1.0 - p), dtype=d.dtype)
            add = None
    out = d * m
    if add is not None:
        out += add
    res = wrap(arr(out))
    if state.enabled and input._requires_grad:
        node = NativeDropoutBackward0()
        node._mask = m
        attach(res, node, (input,))
    return res


def dropout_impl(input, p, training, inplace, feature=False, alpha=False, generator=None):
    """Shared body of every dropout flavour (p checked by the caller)."""
    if not training or p == 0 or input.numel() == 0:
        return input
    if alpha and p == 1:
        from .creation import zeros_like
        out = input * zeros_like(input)
        return input.mul_(0) if inplace else out
    if inplace:
        return _inplace(input, lambda t: _apply(t, p, feature, alpha, generator),
                        saves_self=False)
    return _apply(input, p, feature, alpha, generator)
