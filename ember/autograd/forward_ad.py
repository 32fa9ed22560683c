"""``torch.autograd.forward_ad``: dual tensors and forward-mode JVPs.

Ember has no per-op tangent propagation. A dual tensor is a graph leaf that remembers its
tangent; ``unpack_dual(y)`` computes the tangent of ``y`` with the double-backward trick
(``J t = d/du <J^T u, t>``) over every dual tensor of the current level. Values equal
PyTorch's; the differences (documented in docs/differences.md): dual tensors and their results
report ``requires_grad=True`` and print without ``tangent=``, and a tangent costs two
backward passes at each ``unpack_dual``.
"""
from collections import namedtuple

from .grad_mode import enable_grad

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_levels = []  # one list of (dual tensor, tangent, input required grad) per open level


def enter_dual_level():
    """Open a new dual level and return its index."""
    if _levels:
        raise RuntimeError("Entering a new forward AD level but the current level is not "
                           "valid. Make sure you did not modified it directly.")
    _levels.append([])
    return len(_levels) - 1


def exit_dual_level(*, level=None):
    """Close the current dual level: its dual tensors lose their tangents."""
    if not _levels:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    _levels.pop()


class dual_level:
    """Context manager for a forward-AD level (``with fwAD.dual_level(): ...``)."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, exc_type, exc_value, traceback):
        exit_dual_level()

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with dual_level():
                return fn(*args, **kwargs)
        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        return wrapper


def _current(level):
    if not _levels:
        return None
    return _levels[-1 if level is None else level]


def make_dual(tensor, tangent, *, level=None):
    """A tensor with value ``tensor`` whose forward gradient is ``tangent``."""
    duals = _current(level)
    if duals is None:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than "
                           f"that of the original Tensor, this is not supported. Tensor is of "
                           f"size {list(tensor.shape)} while the given forward gradient is of "
                           f"size {list(tangent.shape)}.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    with enable_grad():
        # A differentiable alias when the input is part of a backward graph, else a new leaf.
        dual = tensor.view_as(tensor) if tensor.requires_grad else \
            tensor.detach().requires_grad_()
    duals.append((dual, tangent, tensor.requires_grad))
    return dual


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of ``tensor`` at the level; tangent is None for plain tensors."""
    from .. import autograd
    from ..ops.creation import zeros_like
    duals = _current(level)
    if not duals or not tensor.requires_grad:
        return UnpackedDualTensor(tensor, None)
    for d, t, req in duals:
        if d is tensor:
            return UnpackedDualTensor(tensor if req else tensor.detach(), t)
    inputs = [d for d, _, _ in duals]
    with enable_grad():
        u = zeros_like(tensor).requires_grad_()
        gs = autograd.grad(tensor, inputs, u, create_graph=True, retain_graph=True,
                           allow_unused=True)
        used = [(g, t) for g, (_, t, _) in zip(gs, duals) if g is not None]
        # The primal keeps its backward graph only if an input of it outside forward AD
        # requires grad (a dual made from a requires-grad tensor counts as one).
        primal = tensor if any(req for g, (_, _, req) in zip(gs, duals) if g is not None) \
            else tensor.detach()
        if not used:
            return UnpackedDualTensor(primal, None)
        live = [(g, t) for g, t in used if g.requires_grad]
        if not live:  # J^T u does not depend on u: J is zero along every used input
            return UnpackedDualTensor(primal, zeros_like(tensor))
        jv, = autograd.grad([g for g, _ in live], u, [t for _, t in live], retain_graph=True,
                            allow_unused=True)
    return UnpackedDualTensor(primal, jv if jv is not None else zeros_like(tensor))


__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]
