"""Graph nodes: the backward half of every op, and AccumulateGrad for leaves.

A node is also the ``ctx`` of its op: it holds what backward needs (saved tensors, shapes).
Edges point from an op's node to the nodes that produced its inputs, as ``(node, output_nr)``
pairs, exactly like PyTorch's ``next_functions``. Nodes never point at their own outputs (a
saved output is kept as its array, not as the Tensor), so the graph has no reference cycles
and is freed by reference counting alone.
"""
import re
import weakref

from .grad_mode import ever, state

_EMPTY = ()
_wrap = None  # Tensor._wrap, set on first use: a function-level import costs microseconds


def _load_wrap():
    global _wrap
    from ..tensor import Tensor
    _wrap = Tensor._wrap
    return _wrap


_FREED = "freed"
_PACKED = "packed"
_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


class Node:
    """Base of every backward node. Subclasses implement ``backward(self, *grads)``."""

    __slots__ = ("_next", "_saved", "_versions", "_out", "_extra", "__weakref__")
    # _next: one edge (node, output_nr) or None per input; None means "no gradient needed".
    # _saved / _versions: saved tensors and their versions at save time (_versions is
    #   "freed" once the engine released them).
    # _out: None, or an output saved by save_output (as its array: no cycle).
    # _extra: None, or a dict for the rarely used parts (hooks, metadata, anomaly trace); the
    #   engine takes its fast path for nodes whose _extra is None.
    _n_out = 1  # number of outputs (a slot in multi-output nodes such as custom Functions)

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
        self._out = None
        self._extra = None

    # ------------------------------------------------------------ public API (as PyTorch)
    _cpp_name = None  # PyTorch's name() for nodes implemented in its C++ core

    def name(self):
        return self._cpp_name or type(self).__name__

    @property
    def next_functions(self):
        return tuple(e if e is not None else (None, 0) for e in self._next)

    @property
    def metadata(self):
        return self._extras().setdefault("metadata", {})

    def register_hook(self, fn):
        """Register ``fn(grad_inputs, grad_outputs) -> tuple or None``, run after backward."""
        return _RemovableHandle(self._extras().setdefault("hooks", {}), fn)

    def register_prehook(self, fn):
        """Register ``fn(grad_outputs) -> tuple or None``, run before backward."""
        return _RemovableHandle(self._extras().setdefault("pre_hooks", {}), fn)

    def __call__(self, *grads):
        return self.backward(*grads)

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # ------------------------------------------------------------ saved tensors
    def save_for_backward(self, *tensors):
        if ever.saved_hooks:
            hooks = state.saved_hooks
            if hooks and hooks[-1] is not None:
                return self._pack(tensors, hooks[-1])
        self._saved = tensors
        n = len(tensors)  # unrolled for the common arities: this runs once per recorded op
        if n == 2:
            a, b = tensors
            self._versions = (a._vc[0] if a is not None else 0, b._vc[0] if b is not None else 0)
        elif n == 1:
            a = tensors[0]
            self._versions = (a._vc[0] if a is not None else 0,)
        else:
            self._versions = tuple([t._vc[0] if t is not None else 0 for t in tensors])

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            if self._versions is _FREED:
                raise RuntimeError(self._freed_msg)
            return ()
        if saved is _PACKED:
            return tuple(None if p is None else unpack(p)
                         for p, unpack in self._extra["packed"])
        versions = self._versions
        i = 0
        for t in saved:
            if t is not None and t._vc[0] != versions[i]:
                raise RuntimeError(_modified_message(t, versions[i]))
            i += 1
        return saved

    def _pack(self, tensors, hooks):
        """saved_tensors_hooks: keep pack(t) instead of t; unpack at backward."""
        pack, unpack = hooks
        outer = state.saved_hooks
        state.saved_hooks = ()  # what pack itself computes is saved plainly
        try:
            packed = [(None if t is None else pack(t), unpack) for t in tensors]
        finally:
            state.saved_hooks = outer
        self._extras()["packed"] = packed
        self._saved = _PACKED
        self._versions = ()

    def save_output(self, out):
        """Save an output of this node without a reference cycle (see saved_output)."""
        self._out = (out._data, out._vc, out._vc[0], out._requires_grad, out._out_nr)

    def saved_output(self):
        """The output saved by ``save_output``, version-checked, attached to this node."""
        rec = self._out
        if rec is None:
            raise RuntimeError(self._freed_msg)
        data, vc, version, req, nr = rec
        wrap = _wrap or _load_wrap()
        if vc[0] != version:
            raise RuntimeError(_modified_message(wrap(data), version, _short_name(self),
                                                 vc[0], nr))
        t = wrap(data)
        t._vc = vc
        if req and state.enabled:
            # Under create_graph the output is differentiable again, through this node.
            t._requires_grad = True
            t._grad_fn = self
            t._out_nr = nr
        return t

    def _release(self):
        if self._versions is not None:  # something was saved (or already freed)
            if self._saved is _PACKED:
                del self._extra["packed"]
            self._saved = None
            self._versions = _FREED
        self._out = None
        if self._has_release_extra:
            self._release_extra()

    def _release_extra(self):
        """Subclasses that keep other arrays for backward drop them here."""

    _has_release_extra = False  # set per subclass: skips a no-op call per node in backward

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._has_release_extra = cls._release_extra is not Node._release_extra

    def _extras(self):
        ex = self._extra
        if ex is None:
            ex = self._extra = {}
        return ex

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._next)

    def backward(self, *grads):  # pragma: no cover - every subclass overrides
        raise NotImplementedError(f"{type(self).__name__} has no backward")


_KIND = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
         "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
         "int8": "CharTensor", "bool": "BoolTensor", "bfloat16": "BFloat16Tensor",
         "uint8": "ByteTensor", "complex64": "ComplexFloatTensor",
         "complex128": "ComplexDoubleTensor"}


def _short_name(node):
    """``MulBackward0`` -> ``Mul``: how PyTorch names a producer in error messages."""
    name = node.name()
    return _BACKWARD_SUFFIX.sub("", name)


def _modified_message(t, version, producer=None, current=None, out_nr=None):
    """PyTorch's message for a saved tensor changed in place before backward."""
    kind = _KIND.get(t.dtype.name, "Tensor")
    shape = list(t.shape)
    if producer is None and t._grad_fn is not None:
        producer = _short_name(t._grad_fn)
        out_nr = t._out_nr
    where = f", which is output {out_nr or 0} of {producer}," if producer is not None else ""
    now = t._vc[0] if current is None else current
    return ("one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.{kind} {shape}]{where} is at version {now}; "
            f"expected version {version} instead. Hint: enable anomaly detection to find the "
            "operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class _RemovableHandle:
    """Returned by register_*hook: ``remove()`` unregisters (also as a context manager)."""

    __slots__ = ("_table", "id")
    _next_id = [0]

    def __init__(self, table, fn):
        self._table = weakref.ref(table) if not isinstance(table, dict) else table
        self.id = _RemovableHandle._next_id[0]
        _RemovableHandle._next_id[0] += 1
        table[self.id] = fn

    def remove(self):
        table = self._table
        if isinstance(table, weakref.ref):
            table = table()
        if table is not None:
            table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


RemovableHandle = _RemovableHandle


class AccumulateGrad(Node):
    """The sink node of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    _cpp_name = "torch::autograd::AccumulateGrad"

    def __init__(self, variable):
        self._next = _EMPTY
        self._saved = None
        self._versions = None
        self._out = None
        self._extra = None
        self.variable = variable

    def backward(self, grad):  # the engine accumulates; see engine._accumulate
        return ()


class GraphRoot(Node):
    __slots__ = ()
    _cpp_name = "torch::autograd::GraphRoot"


def refresh_view(t):
    """Give a view a fresh grad_fn when its base was changed in place after the view's graph
    was recorded (PyTorch regenerates a view's grad_fn the same way), so that gradients
    flow through the base's new history."""
    if not t._requires_grad or t._view_fn is None:
        return
    vc = t._vc[0]
    if t.__dict__.get("_view_ver") == vc or not t._base._requires_grad:
        return
    prev = state.enabled
    state.enabled = True
    try:
        fresh = t._view_fn(t._base)
    finally:
        state.enabled = prev
    t._grad_fn = fresh._grad_fn
    t._out_nr = fresh._out_nr
    t._view_ver = vc


def edge_of(t):
    """The edge that a consumer of tensor ``t`` records: (node, output_nr) or None."""
    if t._base is not None:
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return None


# ---------------------------------------------------------------- saved-tensor hooks
class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it are stored as ``pack_hook(t)``
    and given back to backward as ``unpack_hook(packed)``.

    Example::

        >>> with torch.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
        ...     y = x * x
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if state.saved_hooks and state.saved_hooks[-1] is None:
            raise RuntimeError(_disabled_msg[0])
        ever.saved_hooks = True
        state.saved_hooks = state.saved_hooks + ((self.pack_hook, self.unpack_hook),)
        return self

    def __exit__(self, *exc):
        state.saved_hooks = state.saved_hooks[:-1]
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors live in host memory until backward moves them back to their device."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            return (t.device, t.cpu())

        def unpack(packed):
            dev, t = packed
            return t.to(dev)

        super().__init__(pack, unpack)


_disabled_msg = ["Saved tensors default hooks are disabled."]


class disable_saved_tensors_hooks:
    """Context manager under which registering saved_tensors_hooks raises ``error_message``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._prev_msg = _disabled_msg[0]
        _disabled_msg[0] = self.error_message
        ever.saved_hooks = True
        state.saved_hooks = state.saved_hooks + (None,)
        return self

    def __exit__(self, *exc):
        state.saved_hooks = state.saved_hooks[:-1]
        _disabled_msg[0] = self._prev_msg
        return False


def increment_version(tensor):
    """Bump the version counter of ``tensor`` (as an in-place change would)."""
    tensor._vc[0] += 1


def get_gradient_edge(tensor):
    """The (node, output_nr) edge through which gradients reach ``tensor``."""
    edge = edge_of(tensor)
    if edge is None:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    return edge
