"""Event recording for the profiler: ``record_function`` regions and, while a profiler is
active, one event per Ember op call.

Per-op events cost nothing when no profiler runs: the op functions (``Tensor`` methods,
``torch.*`` and ``torch.nn.functional.*``) are swapped for recording wrappers when the first
profiler session opens and swapped back when the last one closes.
"""
import contextlib
import os
import threading
import time
import traceback
import types

_sessions = []          # open recording sessions; each event goes to all of them
_lock = threading.Lock()
_patched = {}           # (owner, name) -> original function
_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Event record layout (lists: cheap to create and to close).
NAME, CAT, START, END, TID, SHAPES, STACK = range(7)


class Session:
    """One profiling window: the events opened while it is active."""

    def __init__(self, record_ops=True, record_shapes=False, with_stack=False):
        self.events = []
        self.record_ops = record_ops
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.start_ns = time.perf_counter_ns()
        self.wall_ns = time.time_ns()
        self.end_ns = None


def _shapes(args):
    out = []
    for a in args:
        shape = getattr(a, "shape", None)
        out.append(list(shape) if shape is not None and hasattr(a, "_data") else [])
    return out


def _stack():
    frames = traceback.extract_stack()[:-3]
    return [f"{f.filename}({f.lineno}): {f.name}" for f in reversed(frames)
            if not f.filename.startswith(_EMBER_DIR)]


def open_event(name, cat, args=None):
    """Start an event in every active session; returns the record to close (or None)."""
    sessions = _sessions
    if not sessions:
        return None
    shapes = _shapes(args) if args is not None and any(s.record_shapes for s in sessions) \
        else []
    stack = _stack() if any(s.with_stack for s in sessions) else None
    ev = [name, cat, time.perf_counter_ns(), None, threading.get_ident(), shapes, stack]
    for s in sessions:
        if cat != "cpu_op" or s.record_ops:
            s.events.append(ev)
    return ev


def close_event(ev):
    if ev is not None and ev[END] is None:
        ev[END] = time.perf_counter_ns()


class record_function(contextlib.ContextDecorator):
    """Label a block of code (or every call of a function, as a decorator) in the profiler's
    results; costs one check when no profiler is active.

    Example::

        >>> with torch.profiler.record_function("forward"):
        ...     y = model(x)
    """

    def __init__(self, name, args=None):
        self.name = name
        self.args = args
        self._ev = None

    def __enter__(self):
        self._ev = open_event(self.name, "user_annotation")
        return self

    def __exit__(self, *exc):
        close_event(self._ev)
        self._ev = None
        return False


# ---------------------------------------------------------------- per-op instrumentation
_NOT_OPS = frozenset(
    "size dim ndimension numel nelement element_size stride storage_offset data_ptr "
    "is_contiguous is_floating_point is_complex is_signed get_device requires_grad_ "
    "retain_grad register_hook register_post_accumulate_grad_hook backward numpy tolist "
    "type is_inference is_neg is_conj is_nonzero is_pinned is_shared untyped_storage storage "
    "storage_type dim_order const_data_ptr is_same_size is_set_to apply_ map_ map2_ "
    "record_stream as_subclass output_nr".split())
_DUNDERS = {"__add__": "add", "__radd__": "add", "__iadd__": "add_", "__sub__": "sub",
            "__rsub__": "rsub", "__isub__": "sub_", "__mul__": "mul", "__rmul__": "mul",
            "__imul__": "mul_", "__truediv__": "div", "__rtruediv__": "div",
            "__itruediv__": "div_", "__matmul__": "matmul", "__rmatmul__": "matmul",
            "__pow__": "pow", "__rpow__": "pow", "__neg__": "neg", "__getitem__": "index",
            "__setitem__": "index_put_", "__eq__": "eq", "__ne__": "ne", "__lt__": "lt",
            "__le__": "le", "__gt__": "gt", "__ge__": "ge", "__floordiv__": "floor_divide",
            "__mod__": "remainder", "__abs__": "abs", "__and__": "bitwise_and",
            "__or__": "bitwise_or", "__invert__": "bitwise_not"}


def _wrap(fn, event_name):
    def op(*args, **kwargs):
        if not _sessions:
            return fn(*args, **kwargs)
        ev = open_event(event_name, "cpu_op", args)
        try:
            return fn(*args, **kwargs)
        finally:
            ev[END] = time.perf_counter_ns() if ev is not None else None
    op.__name__ = getattr(fn, "__name__", event_name)
    op.__qualname__ = getattr(fn, "__qualname__", event_name)
    op.__doc__ = getattr(fn, "__doc__", None)
    op.__wrapped__ = fn
    return op


_NOT_TOP = ("is_", "get_", "set_", "use_", "are_", "manual_seed", "seed", "initial_seed",
            "compile", "typename", "load", "save", "vmap", "autocast_", "clear_",
            "from_dlpack", "init_num_threads")


def _wrap_module_call(call):
    def module_call(self, *args, **kwargs):
        if not _sessions:
            return call(self, *args, **kwargs)
        ev = open_event(f"nn.Module: {type(self).__name__}", "python_function")
        try:
            return call(self, *args, **kwargs)
        finally:
            close_event(ev)
    module_call.__wrapped__ = call
    return module_call


def _targets():
    import ember
    from ember.nn import functional as F
    from ember.tensor import Tensor
    for name, fn in list(vars(Tensor).items()):
        if isinstance(fn, types.FunctionType):
            if name in _DUNDERS:
                yield Tensor, name, _DUNDERS[name]
            elif not name.startswith("_") and name not in _NOT_OPS:
                yield Tensor, name, name
    for name, fn in list(vars(ember).items()):
        if isinstance(fn, types.FunctionType) and not name.startswith("_") and \
                not name.startswith(_NOT_TOP):
            yield ember, name, name
    for name, fn in list(vars(F).items()):
        if isinstance(fn, types.FunctionType) and not name.startswith("_"):
            yield F, name, name


def _instrument():
    from ember.nn.modules.module import Module
    for owner, name, ev_name in _targets():
        fn = owner.__dict__[name] if isinstance(owner, type) else getattr(owner, name)
        _patched[(owner, name)] = fn
        setattr(owner, name, _wrap(fn, "aten::" + ev_name))
    # Module calls become "nn.Module: <Class>" regions around their ops.
    call = Module.__dict__["__call__"]
    _patched[(Module, "__call__")] = call
    Module.__call__ = _wrap_module_call(call)


def _restore():
    for (owner, name), fn in _patched.items():
        setattr(owner, name, fn)
    _patched.clear()


def begin(session):
    with _lock:
        if session.record_ops and not any(s.record_ops for s in _sessions):
            _instrument()
        _sessions.append(session)


def end(session):
    with _lock:
        if session in _sessions:
            _sessions.remove(session)
        if _patched and not any(s.record_ops for s in _sessions):
            _restore()
    session.end_ns = time.perf_counter_ns()
    for ev in session.events:  # regions still open at the end stop there
        if ev[END] is None:
            ev[END] = session.end_ns
