"""Regularized incomplete gamma functions: ``torch.igamma`` (lower, P) and ``torch.igammac``
(upper, Q), differentiable in ``other`` (x) as in PyTorch (not in ``input``, the shape a)."""
import numpy as np

from ..autograd.graph import Node
from ._util import attach, grad_needed, promote_tensors, wrap

try:  # SciPy is optional: the distributions module carries a NumPy fallback
    from scipy.special import gammaincc as _sp_q
except ImportError:  # pragma: no cover
    _sp_q = None


class _IgammaNode(Node):
    __slots__ = ("_sign",)
    _label = "igamma"

    def backward(self, g):
        a, x = self.saved_tensors
        if self._next[0] is not None:
            raise NotImplementedError(f"the derivative for '{self._label}: input' is not "
                                      f"implemented.")
        # dP/dx = x^(a-1) e^(-x) / Gamma(a); Q = 1 - P.
        pdf = ((a - 1) * x.log() - x - a.lgamma()).exp()
        return None, g * pdf * self._sign


class IgammaBackward0(_IgammaNode):
    __slots__ = ()


class IgammacBackward0(_IgammaNode):
    __slots__ = ()
    _label = "igammac"


def _compute(input, other, upper):
    from ..distributions._gamma import gammainc64
    from .. import dtypes as dt
    rt = promote_tensors(input, other)
    if not rt.is_floating_point:
        rt = dt.get_default_dtype()
    a, x = input.to(rt), other.to(rt)
    a64 = np.asarray(a._host(), np.float64)
    x64 = np.asarray(x._host(), np.float64)
    if upper:
        vals = _sp_q(a64, x64) if _sp_q is not None else 1.0 - gammainc64(a64, x64)
    else:
        vals = gammainc64(a64, x64)
    res = wrap(np.asarray(vals).astype(a._data.dtype))
    if not a.is_cpu:
        res = res.to(a.device)
    if grad_needed(a, x):
        node = IgammacBackward0() if upper else IgammaBackward0()
        node._sign = -1.0 if upper else 1.0
        node.save_for_backward(*_broadcast(a, x))
        attach(res, node, (a, x))
    return res


def _broadcast(a, x):
    from .shape import broadcast_tensors
    return broadcast_tensors(a, x)


def igamma(input, other, *, out=None):
    """Regularized lower incomplete gamma ``P(input, other)``."""
    return _out(_compute(input, other, False), out)


def igammac(input, other, *, out=None):
    """Regularized upper incomplete gamma ``Q(input, other) = 1 - P(input, other)``."""
    return _out(_compute(input, other, True), out)


def _out(res, out):
    if out is None:
        return res
    from .conversion import copy_into_out
    return copy_into_out(out, res)
