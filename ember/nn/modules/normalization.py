"""Normalisation layers over features: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm."""
import numbers

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import no_grad
from ...ops import layernorm as _ln
from ...ops.creation import empty
from .. import functional as F
from ..parameter import Parameter
from .module import Module

__all__ = ["LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm", "CrossMapLRN2d"]


def _shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


class LayerNorm(Module):
    """Layer normalisation over the trailing ``normalized_shape`` dims.

    ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` (biased variance).

    Args:
        normalized_shape: int or sequence: the trailing shape normalised over.
        eps: added to the variance. Default: 1e-5.
        elementwise_affine: learnable ``weight`` (ones) and ``bias`` (zeros). Default: True.
        bias: whether to learn a bias (with elementwise_affine). Default: True.

    Shape:
        - Input: ``(N, *)``; Output: same shape.

    Example::

        >>> ln = nn.LayerNorm(10)
        >>> ln(torch.randn(20, 5, 10)).shape
        torch.Size([20, 5, 10])
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True,
                 device=None, dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _affine_parameters(self, elementwise_affine, bias, self.normalized_shape, device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return _ln.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


def _affine_parameters(module, affine, bias, shape, device, dtype):
    """Register ``weight`` and ``bias`` of ``shape`` (or None), in PyTorch's order."""
    if affine:
        module.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            module.bias = Parameter(empty(shape, device=device, dtype=dtype))
        else:
            module.register_parameter("bias", None)
    else:
        module.register_parameter("weight", None)
        module.register_parameter("bias", None)


def _reset_affine(module):
    """Weight to ones and bias to zeros, as PyTorch's normalisation layers start."""
    with no_grad():
        if module.weight is not None:
            module.weight.fill_(1.0)
        if module.bias is not None:
            module.bias.zero_()


class GroupNorm(Module):
    """Group normalisation: channels split into ``num_groups`` groups, each normalised.

    Args:
        num_groups: number of groups; must divide ``num_channels``.
        num_channels: channels C of the ``(N, C, *)`` input.
        eps: added to the variance. Default: 1e-5.
        affine: learnable per-channel ``weight`` and ``bias``. Default: True.
        bias: whether to learn a bias (with affine). Default: True.

    Example::

        >>> gn = nn.GroupNorm(3, 6)
        >>> gn(torch.randn(20, 6, 10, 10)).shape
        torch.Size([20, 6, 10, 10])
    """

    __constants__ = ["num_groups", "num_channels", "eps", "affine"]

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, bias=True, device=None,
                 dtype=None):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _affine_parameters(self, affine, bias, (num_channels,), device, dtype)
        self.reset_parameters()

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        return _ln.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation: ``x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape: trailing shape to normalise over.
        eps: added inside the root; None means ``torch.finfo(x.dtype).eps``.
        elementwise_affine: learnable ``weight`` (ones). Default: True.
    """

    __constants__ = ["normalized_shape", "eps", "elementwise_affine"]

    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = _shape(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(empty(self.normalized_shape, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        self.reset_parameters()

    def reset_parameters(self):
        if self.weight is not None:
            with no_grad():
                self.weight.fill_(1.0)

    def forward(self, x):
        return _ln.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class LocalResponseNorm(Module):
    """Normalisation across neighbouring channels (AlexNet's LRN).

    Args:
        size: channels in the window.
        alpha: multiplicative factor. Default: 1e-4.
        beta: exponent. Default: 0.75.
        k: additive factor. Default: 1.
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return _ln.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


def _cross_map_scale(x, size, alpha, k):
    """Lua-torch's running channel sum of squares, kept bug for bug: once the window slides
    past channel 0, channel 0's square is never subtracted (as PyTorch's legacy kernel)."""
    sq = x * x
    c = x.shape[1]
    pre = int((size - 1) / 2 + 1)
    csum = sq.cumsum(1)
    ch = np.arange(c)
    hi = np.minimum(ch + pre - 1, c - 1)
    scale = csum[:, hi]
    late = ch > pre
    if late.any():
        sub = csum[:, ch[late] - pre] - csum[:, :1]
        scale = scale.clone() if scale is csum else scale
        scale[:, late] = scale[:, late] - sub
    return scale * (alpha / size) + k


class _CrossMapLRN2dFn(Function):
    @staticmethod
    def forward(ctx, input, size, alpha, beta, k):
        scale = _cross_map_scale(input, size, alpha, k)
        out = input * scale.pow(-beta)
        ctx.save_for_backward(input, out, scale)
        ctx.args = (size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        # PyTorch's hand-written gradient (a symmetric window of ``size`` channels)
        input, out, scale = ctx.saved_tensors
        size, alpha, beta = ctx.args
        c = input.shape[1]
        ipp = int(size - (size - 1) / 2)
        ratio = grad_output * out / scale
        padded = F.pad(ratio, (0, 0, 0, 0, ipp, size - 1 - ipp))     # C + size - 1 channels
        csum = F.pad(padded.cumsum(1), (0, 0, 0, 0, 1, 0))
        accum = csum[:, size:size + c] - csum[:, :c]
        grad = scale.pow(-beta) * grad_output - (2 * alpha * beta / size) * input * accum
        return grad, None, None, None, None


class CrossMapLRN2d(Module):
    """Lua-torch's cross-channel LRN over (N, C, H, W) (see :class:`LocalResponseNorm`)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D "
                             "instead.")
        return _CrossMapLRN2dFn.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
