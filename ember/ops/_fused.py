"""Support for fused ops whose backward is written in array code (layer_norm, LSTM, ...).

A fused node computes its gradients with NumPy in one pass, which is what makes it fast. When
a higher-order graph is wanted (``create_graph=True``: the engine runs backward with grad mode
on), the node instead recomputes its forward with differentiable Tensor ops and differentiates
that, so double backward still works.
"""
import numpy as np

from ..autograd.grad_mode import state


def building_graph():
    """True while a backward runs with ``create_graph=True``."""
    return state.enabled


def composite_grads(fn, inputs, grads):
    """Differentiable gradients of ``fn(*inputs)`` (Tensor ops) against ``grads``.

    Returns one entry per input (None where an input needs no gradient).
    """
    from ..autograd.api import grad as agrad
    outs = fn(*inputs)
    if not isinstance(outs, (tuple, list)):
        outs = (outs,)
    pairs = [(o, g) for o, g in zip(outs, grads)
             if g is not None and o is not None and o.requires_grad]
    want = [i for i, t in enumerate(inputs) if t is not None and t.requires_grad]
    res = [None] * len(inputs)
    if not pairs or not want:
        return tuple(res)
    got = agrad([o for o, _ in pairs], [inputs[i] for i in want], [g for _, g in pairs],
                create_graph=True, allow_unused=True)
    for i, r in zip(want, got):
        res[i] = r
    return tuple(res)


def row_sum(a):
    """Sum of a 2-D array over its rows; a BLAS product beats NumPy's strided reduction."""
    if type(a) is np.ndarray and a.shape[0] > 1:
        return np.ones(a.shape[0], a.dtype) @ a
    return a.sum(0)


def attach_multi(outs, node, inputs):
    """Record ``node`` as the producer of several outputs (output_nr = position)."""
    from ._util import attach
    node._n_out = len(outs)
    first = None
    for i, o in enumerate(outs):
        if o is None:
            continue
        if first is None:
            attach(o, node, inputs)
            first = o
        else:
            o._requires_grad = True
            o._grad_fn = node
        o._out_nr = i
    return outs
