"""Graph nodes: the backward half of every op, and AccumulateGrad for leaves.

A node is also the ``ctx`` of its op: it holds what backward needs (saved tensors, shapes).
Edges point from an op's node to the nodes that produced its inputs, as ``(node, output_nr)``
pairs, exactly like PyTorch's ``next_functions``. Nodes never point at their own outputs, so
the graph has no reference cycles.
"""
import weakref

from .grad_mode import state

_EMPTY = ()


class Node:
    """Base of every backward node. Subclasses implement ``backward(self, *grads)``."""

    __slots__ = ("_next", "_saved", "_versions", "_extra", "__weakref__")
    # _extra: None, or a dict for the rarely used parts (hooks, saved outputs, anomaly trace)

    _freed_msg = (
        "Trying to backward through the graph a second time (or directly access saved tensors "
        "after they have already been freed). Saved intermediate values of the graph are freed "
        "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
        "backward through the graph a second time or if you need to access saved tensors after "
        "calling backward.")

    def __init__(self):
        self._next = _EMPTY
        self._saved = None
        self._versions = None
        self._extra = None

    # ------------------------------------------------------------ public API (as PyTorch)
    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple(e if e is not None else (None, 0) for e in self._next)

    @property
    def metadata(self):
        return self._extras().setdefault("metadata", {})

    def register_hook(self, fn):
        """Hook called as ``fn(grad_inputs, grad_outputs)`` after this node's backward."""
        hooks = self._extras().setdefault("hooks", {})
        return _RemovableHandle(hooks, fn)

    def register_prehook(self, fn):
        """Hook called as ``fn(grad_outputs)`` before this node's backward."""
        hooks = self._extras().setdefault("pre_hooks", {})
        return _RemovableHandle(hooks, fn)

    def __call__(self, *grads):
        return self.backward(*grads)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # ------------------------------------------------------------ saved tensors
    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = tuple(t._vc[0] if t is not None else 0 for t in tensors)

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            if self._versions == "freed":
                raise RuntimeError(self._freed_msg)
            return ()
        for t, v in zip(saved, self._versions):
            if t is not None and t._vc[0] != v:
                raise RuntimeError(_modified_message(t, v))
        return saved

    def save_output(self, out):
        """Save an output of this node without a reference cycle (see saved_output)."""
        self._extras()["out"] = (out._data, out._vc, out._vc[0], out._requires_grad)

    def saved_output(self):
        ex = self._extra
        if ex is None or "out" not in ex:
            raise RuntimeError(self._freed_msg)
        data, vc, version, req = ex["out"]
        if vc[0] != version:
            from ..tensor import Tensor
            raise RuntimeError(_modified_message(Tensor._wrap(data), version, type(self).__name__))
        from ..tensor import Tensor
        t = Tensor._wrap(data)
        t._vc = vc
        if state.enabled and req:
            t._requires_grad = True
            t._grad_fn = self
        return t

    def _release(self):
        if self._saved is not None or self._versions is not None:
            self._saved = None
            self._versions = "freed"
        ex = self._extra
        if ex is not None and "out" in ex:
            del ex["out"]
        self._release_extra()

    def _release_extra(self):
        """Subclasses that keep other arrays for backward drop them here."""

    def _extras(self):
        if self._extra is None:
            self._extra = {}
        return self._extra

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._next)

    def backward(self, *grads):  # pragma: no cover - every subclass overrides
        raise NotImplementedError


def _modified_message(t, version, producer=None):
    kind = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
            "int64": "LongTensor", "int32": "IntTensor", "bool": "BoolTensor",
            "bfloat16": "BFloat16Tensor", "uint8": "ByteTensor"}.get(t.dtype.name, "Tensor")
    where = ""
    fn = producer or (type(t._grad_fn).__name__ if t._grad_fn is not None else None)
    if fn is not None:
        where = f", which is output 0 of {fn},"
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.{kind} {list(t.shape)}]{where} is at version "
            f"{t._vc[0]}; expected version {version} instead. Hint: enable anomaly detection to "
            "find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True).")


class _RemovableHandle:
    _next_id = [0]

    def __init__(self, table, fn):
        self._table = weakref.ref(table) if not isinstance(table, dict) else table
        self.id = _RemovableHandle._next_id[0]
        _RemovableHandle._next_id[0] += 1
        table[self.id] = fn

    def remove(self):
        table = self._table
        table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


RemovableHandle = _RemovableHandle


class AccumulateGrad(Node):
    """The sink node of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self._next = _EMPTY
        self._saved = None
        self._versions = None
        self._extra = None
        self.variable = variable

    def backward(self, grad):  # the engine accumulates; see engine._accumulate
        return ()


class GraphRoot(Node):
    __slots__ = ()


def edge_of(t):
    """The edge that a consumer of tensor ``t`` records: (node, output_nr) or None."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return None
