"""Vector p-norms with PyTorch's subgradient at zero (used by distances and normalize)."""
import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ._util import arr, attach, wrap


class NormBackward1(Node):
    __slots__ = ("_p", "_dim", "_keepdim")

    def backward(self, g):
        (x,) = self.saved_tensors
        n = self.saved_output()
        p, dim = self._p, self._dim
        if not self._keepdim and dim is not None:
            g = g.unsqueeze(dim)
            n = n.unsqueeze(dim)
        elif dim is None and not self._keepdim:
            g = g.reshape((1,) * x.ndim)
            n = n.reshape((1,) * x.ndim)
        if p == 2:
            # x / ||x||, defined as 0 where the norm is 0 (PyTorch's choice).
            return g * x / n.masked_fill(n == 0, float("inf"))
        if p == 1:
            return g * x.sign()
        if p == float("inf") or p == float("-inf"):
            hit = (x.abs() == n).to(g.dtype)
            return g * x.sign() * hit / hit.sum(dim if dim is not None else
                                                tuple(range(x.ndim)), keepdim=True)
        if p == 0:
            return g * 0 * x
        safe = n.masked_fill(n == 0, float("inf"))
        return g * x.sign() * x.abs().pow(p - 1) / safe.pow(p - 1)


def vector_norm(input, p=2.0, dim=-1, keepdim=False):
    """``||x||_p`` along ``dim`` (one int, or None for all elements)."""
    d = input._data
    ax = dim
    if p == 2:
        res = np.sqrt(np.einsum("...i,...i->...", d, d)) if ax in (-1, d.ndim - 1) and \
            d.ndim and d.dtype.kind == "f" else np.sqrt((d * d).sum(axis=ax))
        if keepdim:
            res = np.expand_dims(res, ax if ax is not None else tuple(range(d.ndim)))
    elif p == float("inf"):
        res = np.abs(d).max(axis=ax, keepdims=keepdim)
    elif p == float("-inf"):
        res = np.abs(d).min(axis=ax, keepdims=keepdim)
    elif p == 0:
        res = (d != 0).sum(axis=ax, keepdims=keepdim).astype(d.dtype)
    elif p == 1:
        res = np.abs(d).sum(axis=ax, keepdims=keepdim)
    else:
        res = (np.abs(d) ** p).sum(axis=ax, keepdims=keepdim) ** (1.0 / p)
    res = wrap(arr(np.asarray(res).astype(d.dtype, copy=False)))
    if state.enabled and input._requires_grad:
        node = NormBackward1()
        node._p = p
        node._dim = dim
        node._keepdim = keepdim
        node.save_for_backward(input)
        attach(res, node, (input,))
        node.save_output(res)
    return res
