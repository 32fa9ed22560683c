"""The dense layer's product ``y = x W^T + b`` as one node (``F.linear`` / ``nn.Linear``).

``ops.linalg.linear`` records two nodes (``W.t()`` and ``addmm``); this records one, with the
leading dimensions of ``x`` folded into one GEMM, and registers an array-level backward with
the engine, so a training step's dense layers cost one node each way. Node names follow what
PyTorch reports for ``F.linear``: AddmmBackward0 (2-D input with bias), MmBackward0 (2-D,
no bias), ViewBackward0 / UnsafeViewBackward0 (more dims, with / without bias).
"""
import numpy as np

from ..amp import _policy as _amp
from ..autograd.engine import FAST_BACKWARD
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends.gemm import mm
from . import linalg as _la
from ._fused import row_sum
from ._util import attach, wrap

_nd = np.ndarray
# dtypes the one-node path serves (float16/bfloat16 go to ops.linalg, which accumulates them
# in float32 as PyTorch does)
_DTYPES = frozenset(np.dtype(d) for d in (np.float32, np.float64, np.complex64, np.complex128))


class _LinearBackward(Node):
    """Inputs (input, weight, bias); saves input and weight."""

    __slots__ = ()

    def backward(self, g):
        x, w = self.saved_tensors
        nxt = self._next
        k = x.shape[-1]
        g2 = g.reshape(-1, g.shape[-1])
        gx = g2.mm(w).reshape(x.shape) if nxt[0] is not None else None
        gw = g2.t().mm(x.reshape(-1, k)) if nxt[1] is not None else None
        gb = g2.sum(0) if nxt[2] is not None else None
        return gx, gw, gb


class AddmmBackward0(_LinearBackward):
    __slots__ = ()


class MmBackward0(_LinearBackward):
    __slots__ = ()


class ViewBackward0(_LinearBackward):
    __slots__ = ()


class UnsafeViewBackward0(_LinearBackward):
    __slots__ = ()


_NODES = {(True, True): AddmmBackward0, (True, False): MmBackward0,
          (False, True): ViewBackward0, (False, False): UnsafeViewBackward0}


def _fast(node, g):
    """Array-level backward (no graph being built): three GEMM-shaped products."""
    saved = node._saved
    if type(saved) is not tuple or type(g) is not _nd:
        return None
    x, w = saved
    vx, vw = node._versions
    if x._vc[0] != vx or w._vc[0] != vw:
        node.saved_tensors  # noqa: B018 - raises the "modified by an inplace" error
    xd, wd = x._data, w._data
    if g.dtype != wd.dtype:
        return None
    nxt = node._next
    g2 = g if g.ndim == 2 else g.reshape(-1, g.shape[-1])
    gx = gw = gb = None
    if nxt[0] is not None:
        gx = mm(g2, wd)
        if xd.ndim != 2:
            gx = gx.reshape(xd.shape)
    if nxt[1] is not None:
        x2 = xd if xd.ndim == 2 else xd.reshape(-1, xd.shape[-1])
        gw = mm(g2.T, x2)
    if nxt[2] is not None:  # one output column: a plain contiguous sum beats ones @ g
        gb = np.add.reduce(g2, 0) if g2.shape[1] == 1 else row_sum(g2)
    return gx, gw, gb


for _cls in _NODES.values():
    FAST_BACKWARD[_cls] = _fast


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` as one node (falls back to ops.linalg.linear for 1-D
    weights or inputs, mixed dtypes, float16/bfloat16 and non-NumPy arrays)."""
    if _amp.active:
        input, weight, bias = _amp.lower(_amp.BOTH, input, weight, bias)
    x = input._data
    w = weight._data
    b = None if bias is None else bias._data
    if type(x) is not _nd or type(w) is not _nd or w.ndim != 2 or x.ndim < 2 or \
            x.dtype != w.dtype or x.dtype not in _DTYPES or x.shape[-1] != w.shape[1] or \
            (b is not None and (type(b) is not _nd or b.dtype != x.dtype or
                                b.shape != w.shape[:1])):
        return _la.linear(input, weight, bias)
    two = x.ndim == 2
    x2 = x if two else x.reshape(-1, x.shape[-1])
    y = mm(x2, w.T)
    if b is not None:
        y += b
    if not two:
        y = y.reshape(x.shape[:-1] + (w.shape[0],))
    res = wrap(y)
    if state.enabled and (input._requires_grad or weight._requires_grad or
                          (bias is not None and bias._requires_grad)):
        node = _NODES[(two, b is not None)]()
        node.save_for_backward(input, weight)
        attach(res, node, (input, weight, bias))
    return res
