"""``autograd.backward`` and ``autograd.grad``."""
import numpy as np

from ..backends.dispatch import xp_of
from .engine import execute
from .graph import edge_of

_late = {}  # Tensor, imported on first use (the core imports this module)


def _load():
    from ..tensor import Tensor
    _late["Tensor"] = Tensor
    return _late


def _ones(like):
    """The implicit gradient of a one-element output: ones in its shape, dtype and device."""
    if type(like) is np.ndarray and like.ndim == 0:
        return np.array(1, like.dtype)  # a loss: the common case, a fifth of np.ones' cost
    return xp_of(like).ones(like.shape, like.dtype)


def _as_list(x):
    if x is None:
        return None
    if isinstance(x, (_late or _load())["Tensor"]):
        return [x]
    return list(x)


def _root_grads(tensors, grad_tensors, create_graph):
    Tensor = (_late or _load())["Tensor"]
    grads = _as_list(grad_tensors) or [None] * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs")
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grads)):
        edge = edge_of(t)
        if edge is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        if g is None:
            if t.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.is_floating_point() and not t.is_complex():
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs "
                                   f"but got {t.dtype}")
            g = Tensor._wrap(_ones(t._data))
        elif not isinstance(g, Tensor):
            from ..ops.creation import tensor
            g = tensor(g, dtype=t.dtype)
        elif g.shape != t.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{g.shape} and output[{i}] has a shape of {t.shape}.")
        elif not create_graph:
            g = g.detach()
        roots.append((edge, g))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    tensors = _as_list(tensors)
    if grad_variables is not None:
        grad_tensors = grad_variables
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(tensors, grad_tensors, create_graph)
    capture = None
    inputs = _as_list(inputs)
    if inputs is not None:
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        capture = {}
        for i, t in enumerate(inputs):
            e = edge_of(t)
            if e is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            capture[e] = i
    got = execute(roots, retain_graph, create_graph, capture, accumulate=True)
    if inputs is not None:
        # Non-leaf inputs accumulate their captured gradient into .grad, as PyTorch does.
        for t, g in zip(inputs, got):
            if t._grad_fn is not None and g is not None:
                g = g if create_graph else g.detach()
                t._grad = g if t._grad is None else t._grad + g


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned (not accumulated)."""
    Tensor = (_late or _load())["Tensor"]
    outputs = _as_list(outputs)
    single = isinstance(inputs, Tensor)
    inputs = _as_list(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outputs, grad_outputs, create_graph)
    capture = {}
    for i, t in enumerate(inputs):
        e = edge_of(t)
        if e is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        capture.setdefault(e, i)
    got = execute(roots, retain_graph, create_graph, capture, accumulate=False)
    result = []
    for i, t in enumerate(inputs):
        e = edge_of(t)
        g = got[capture[e]]
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from ..tensor import Tensor
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """Deprecated alias of Tensor: ``Variable(t, requires_grad=True)`` returns a new tensor
    sharing ``t``'s data (detached from its graph); every tensor is an instance of Variable."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from ..tensor import Tensor
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
