"""``autograd.Function``: user-defined ops with their own forward and backward."""
from .grad_mode import state
from .graph import Node, edge_of


class FunctionCtx(Node):
    """The ``ctx`` of a custom Function; it is also the op's backward node."""

    __slots__ = ("_n_out", "_materialize", "_dirty", "_non_diff", "_fn_cls", "__dict__")

    @property
    def needs_input_grad(self):
        """Per forward argument: whether it is a tensor that requires grad."""
        return self.__dict__["needs_input_grad"]

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def backward(self, *grads):
        if self._materialize:
            from ..ops.creation import zeros_like
            outs = self.__dict__.get("_out_meta", ())
            grads = tuple(g if g is not None else _zeros_for(m) for g, m in
                          zip(grads, outs)) if outs else grads
        res = self._fn_cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n_in = len(self._next)
        if len(res) < n_in:
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of "
                               f"gradients (expected {n_in}, got {len(res)})")
        res = res[:n_in] if all(r is None for r in res[n_in:]) else res
        if len(res) != n_in:
            raise RuntimeError(f"function {type(self).__name__} returned an incorrect number of "
                               f"gradients (expected {n_in}, got {len(res)})")
        shapes = self.__dict__.get("_in_shapes", ())
        dtypes = self.__dict__.get("_in_dtypes", ())
        out = []
        for i, (g, shp) in enumerate(zip(res, shapes)):
            # as PyTorch's engine: a gradient comes back in its input's dtype (custom_fwd's
            # cast_inputs runs forward on float32 copies of lower-precision inputs)
            if g is not None and i < len(dtypes) and dtypes[i] is not None and \
                    g.is_floating_point() and g.dtype is not dtypes[i]:
                g = g.to(dtypes[i])
            if g is not None and shp is not None and tuple(g.shape) != shp:
                try:
                    from ..ops._util import sum_to
                    import numpy as np
                    if np.broadcast_shapes(shp, tuple(g.shape)) != tuple(g.shape):
                        raise ValueError
                    g = sum_to(g, shp)
                except ValueError:
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at index "
                        f"{i} - got {list(g.shape)} but expected shape compatible with "
                        f"{list(shp)}") from None
            out.append(g)
        return tuple(out)


def _zeros_for(meta):
    from ..ops.creation import zeros
    shape, dtype, device = meta
    return zeros(shape, dtype=dtype, device=device)


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        # Each Function gets its own node class, named as PyTorch names it: <Name>Backward.
        cls._backward_cls = type(name + "Backward", (FunctionCtx,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call
    ``.apply(*args)``. A ``setup_context(ctx, inputs, output)`` form is supported too."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward "
                                  "mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from ..tensor import Tensor
        ctx = cls._backward_cls()
        ctx._n_out = 1
        ctx._materialize = True
        ctx._dirty = ()
        ctx._non_diff = ()
        ctx._fn_cls = cls
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        needs = state.enabled and any(t is not None and t._requires_grad for t in tensor_args)
        ctx.__dict__["needs_input_grad"] = tuple(
            t is not None and t._requires_grad for t in tensor_args)
        custom_setup = cls.setup_context is not Function.setup_context
        prev = state.enabled
        state.enabled = False
        try:
            if custom_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        finally:
            state.enabled = prev
        is_tuple = isinstance(output, tuple)
        outs = output if is_tuple else (output,)
        if not needs:
            # An input handed back unchanged still comes back as a new (alias) tensor.
            input_ids = {id(t) for t in tensor_args if t is not None}
            if any(id(o) in input_ids for o in outs):
                dirty_ids = {id(t) for t in ctx._dirty}
                outs = tuple(_alias(o) if id(o) in input_ids and id(o) not in dirty_ids else o
                             for o in outs)
                return outs if is_tuple else outs[0]
            return output
        ctx._next = tuple(edge_of(t) if t is not None else None for t in tensor_args)
        if state.anomaly:
            from .engine import record_trace
            record_trace(ctx)
        ctx.__dict__["_in_shapes"] = tuple(tuple(t.shape) if t is not None else None
                                           for t in tensor_args)
        ctx.__dict__["_in_dtypes"] = tuple(t.dtype if t is not None and t.is_floating_point()
                                           else None for t in tensor_args)
        tensor_outs = [o for o in outs if isinstance(o, Tensor)]
        ctx._n_out = len(tensor_outs)
        ctx.__dict__["_out_meta"] = tuple((tuple(o.shape), o.dtype, o.device)
                                          for o in tensor_outs)
        dirty_ids = {id(t) for t in ctx._dirty}
        non_diff_ids = {id(t) for t in ctx._non_diff}
        input_ids = {id(t) for t in tensor_args if t is not None}
        new_outs = []
        nr = 0
        for o in outs:
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            if id(o) in input_ids and id(o) not in dirty_ids:
                o = o.view_as(o) if o._requires_grad else o.detach()
                o = _alias(o)
            if id(o) in non_diff_ids:
                o._requires_grad = False
            elif o._data.dtype.kind in "fc" or o.is_floating_point():  # bfloat16: kind V
                if id(o) in dirty_ids and o._grad_fn is None and o._requires_grad and \
                        state.enabled:
                    raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                       "in-place operation.")
                o._grad_fn = ctx
                o._out_nr = nr
                o._requires_grad = True
                if id(o) in dirty_ids:
                    o._vc[0] += 1
            nr += 1
            new_outs.append(o)
        return tuple(new_outs) if is_tuple else new_outs[0]


def _alias(t):
    from ..tensor import Tensor
    a = Tensor._wrap(t._data)
    a._vc = t._vc
    return a


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = state.enabled
        state.enabled = False
        try:
            return fn(ctx, *args)
        finally:
            state.enabled = prev
    return wrapper
