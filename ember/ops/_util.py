"""Shared machinery of every op: wrapping, promotion, graph recording, views, in-place."""
import numbers

import numpy as np

from .. import dtypes as dt
from ..autograd.engine import record_trace
from ..autograd.grad_mode import check_inference_inplace, ever, state
from ..autograd.graph import Node, edge_of, refresh_view
from ..tensor import Tensor

wrap = Tensor._wrap
_from_np = dt.from_numpy_dtype
_generic = np.generic
_ndarray = np.ndarray


def arr(x):
    """Fix NumPy's habit of returning scalars from 0-d operations."""
    if type(x) is _ndarray:
        return x
    if isinstance(x, _generic):
        return np.asarray(x)
    return x


# Python float -> read-only 0-d array, per float dtype. NumPy's weak-scalar path (``x * 0.1``)
# costs twice a 0-d operand's; the array holds the value rounded to the dtype, as NumPy's
# weak promotion and PyTorch's float32 / float64 kernels use it.
_SCALAR_ARRAYS = {np.dtype(np.float32): {}, np.dtype(np.float64): {}}
_F32_MAX = float(np.finfo(np.float32).max)


def scalar_operand(value, dtype):
    """``value`` (a Python float) as a cheap operand for arrays of ``dtype``: a cached 0-d
    array for float32 / float64, ``value`` itself otherwise or when it is zero (keeps the
    sign of -0.0 out of the cache), NaN, or out of float32's range."""
    cache = _SCALAR_ARRAYS.get(dtype)
    if cache is None:
        return value
    a = cache.get(value)
    if a is not None:
        return a
    if value == 0.0 or not -_F32_MAX <= value <= _F32_MAX:
        return value
    if len(cache) >= 512:  # a loop over many distinct scalars: start over, stay bounded
        cache.clear()
    a = np.array(value, dtype)
    a.flags.writeable = False
    cache[value] = a
    return a


def wrap_arr(x):
    return wrap(arr(x))


def grad_needed(*tensors):
    if not state.enabled:
        return False
    for t in tensors:
        if t is not None and t._requires_grad:
            return True
    return False


def attach(out, node, inputs):
    """Record ``node`` as the producer of ``out``, with one edge per entry of ``inputs``."""
    # edge_of inlined and unrolled for one and two inputs: this runs once per recorded op.
    if len(inputs) == 2:
        a, b = inputs
        if a is None:
            ea = None
        else:
            if a._base is not None:
                refresh_view(a)
            fn = a._grad_fn
            if fn is not None:
                ea = (fn, a._out_nr)
            elif a._requires_grad:  # a leaf: its AccumulateGrad node (kept by weak reference)
                acc = a._acc
                acc = acc() if acc is not None else None
                ea = (acc if acc is not None else a._grad_accumulator(), 0)
            else:
                ea = None
        if b is None:
            eb = None
        else:
            if b._base is not None:
                refresh_view(b)
            fn = b._grad_fn
            if fn is not None:
                eb = (fn, b._out_nr)
            elif b._requires_grad:
                acc = b._acc
                acc = acc() if acc is not None else None
                eb = (acc if acc is not None else b._grad_accumulator(), 0)
            else:
                eb = None
        node._next = (ea, eb)
    elif len(inputs) == 1:
        a = inputs[0]
        if a is None:
            node._next = (None,)
        else:
            if a._base is not None:
                refresh_view(a)
            fn = a._grad_fn
            if fn is not None:
                node._next = ((fn, a._out_nr),)
            elif a._requires_grad:
                acc = a._acc
                acc = acc() if acc is not None else None
                node._next = ((acc if acc is not None else a._grad_accumulator(), 0),)
            else:
                node._next = (None,)
    else:
        nxt = []
        for t in inputs:
            if t is None:
                nxt.append(None)
                continue
            if t._base is not None:
                refresh_view(t)
            fn = t._grad_fn
            if fn is not None:
                nxt.append((fn, t._out_nr))
            elif t._requires_grad:
                nxt.append((t._grad_accumulator(), 0))
            else:
                nxt.append(None)
        node._next = tuple(nxt)
    out._requires_grad = True
    out._grad_fn = node
    if ever.anomaly and state.anomaly:
        record_trace(node)
    return out


# ---------------------------------------------------------------- promotion
def tier(t):
    return 0 if t._data.ndim else 1


def promote_tensors(*tensors):
    """PyTorch's result dtype for several tensors (0-d ones count as scalars)."""
    return dt.result_type_of(tuple((_from_np(t._data.dtype), tier(t)) for t in tensors))


def result_type(a, b):
    """torch.result_type for a Tensor or number pair."""
    ents = []
    for x in (a, b):
        if isinstance(x, Tensor):
            ents.append((_from_np(x._data.dtype), tier(x)))
        else:
            ents.append((dt.scalar_dtype(x), 2))
    return dt.result_type_of(tuple(ents))


def as_scalar(value):
    """Python number for a NumPy scalar (PyTorch treats both as wrapped numbers)."""
    if isinstance(value, _generic):
        return value.item()
    return value


def binary_arrays(a, b, float_result=False):
    """Arrays (or a Python scalar) for ``a op b`` after PyTorch's promotion.

    Returns (x, y, b_tensor) where b_tensor is b if b is a Tensor else None.
    ``float_result``: integer inputs are promoted to the default float dtype (true division).
    """
    ad = a._data
    if isinstance(b, Tensor):
        bd = b._data
        if ad.dtype != bd.dtype:
            rt = promote_tensors(a, b)
            if float_result and rt.category < dt.FLOAT:
                rt = dt.get_default_dtype()
            npd = rt.numpy_dtype
            ad = ad.astype(npd, copy=False)
            bd = bd.astype(npd, copy=False)
        elif float_result and ad.dtype.kind in "biu":
            npd = dt.get_default_dtype().numpy_dtype
            ad = ad.astype(npd)
            bd = bd.astype(npd)
        if type(ad) is not type(bd):
            _device_mismatch(a, b)
        return ad, bd, b
    if type(b) is float:
        if ad.dtype.kind in "biu":
            ad = ad.astype(dt.get_default_dtype().numpy_dtype)
        return ad, b, None
    if type(b) is int:
        kind = ad.dtype.kind
        if kind == "b":  # bool tensor with an int: int64, or the default float for true division
            ad = ad.astype(dt.get_default_dtype().numpy_dtype if float_result else np.int64)
        elif float_result and kind in "iu":
            ad = ad.astype(dt.get_default_dtype().numpy_dtype)
        elif kind in "iu":
            info = np.iinfo(ad.dtype)
            if not info.min <= b <= info.max:  # PyTorch wraps out-of-range scalars
                b = np.array(b).astype(ad.dtype)[()]
        return ad, b, None
    if isinstance(b, bool):
        if float_result and ad.dtype.kind in "biu":
            ad = ad.astype(dt.get_default_dtype().numpy_dtype)
        return ad, b, None
    if isinstance(b, _generic):
        return binary_arrays(a, b.item(), float_result)
    if isinstance(b, complex):
        if ad.dtype.kind != "c":
            ad = ad.astype(dt.get_default_dtype().to_complex().numpy_dtype)
        return ad, b, None
    if isinstance(b, numbers.Number):
        return binary_arrays(a, float(b) if isinstance(b, numbers.Real) else complex(b),
                             float_result)
    if isinstance(b, (list, tuple, np.ndarray)):
        from .creation import tensor
        return binary_arrays(a, tensor(b) if not isinstance(b, np.ndarray)
                             else Tensor._wrap(b), float_result)
    raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(b).__name__}'")


def _device_mismatch(a, b):
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{a.device} and {b.device}!")


def check_same_device(*tensors):
    first = None
    for t in tensors:
        if t is None:
            continue
        if first is None:
            first = t
        elif type(t._data) is not type(first._data):
            _device_mismatch(first, t)


_creation_tensor = None  # creation.tensor (creation imports this module: bound on first use)


def _load_creation_tensor():
    global _creation_tensor
    from .creation import tensor
    _creation_tensor = tensor
    return tensor


def to_tensor(x, like=None):
    """A Tensor for a number/sequence argument (dtype follows PyTorch's scalar rules)."""
    if isinstance(x, Tensor):
        return x
    tensor = _creation_tensor or _load_creation_tensor()
    if like is not None and isinstance(x, (numbers.Number, np.generic)):
        rd = result_type(like, x)
        return tensor(x, dtype=rd, device=like.device)
    return tensor(x)


# ---------------------------------------------------------------- gradient shaping
def sum_to(g, shape):
    """Sum a broadcast gradient back to ``shape`` (differentiable)."""
    gs = g._data.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


def cast_to(g, npdtype):
    if g._data.dtype == npdtype:
        return g
    return g.to(_from_np(npdtype))


# ---------------------------------------------------------------- views
def make_view(src, data, fn):
    """Wrap ``data`` (an ndarray view of src's memory) as a view tensor of ``src``.

    ``fn`` maps a tensor shaped like src to this view with differentiable ops; composed with
    src's own, it lets an in-place write through the view rewrite the base's graph.
    """
    out = wrap(data)
    out._vc = src._vc
    try:
        out._view_ver = src._vc[0]  # see refresh_view: the base's version this graph belongs to
    except RuntimeError:  # an inference tensor's view (it tracks no version, as in PyTorch)
        out._view_ver = 0
    if src._meta is not None and src._meta.get("multi_view"):
        out._meta = {"multi_view": True}  # a view of an unbind/split output: no in-place either
    root = src._base
    if root is None:
        out._base = src
        out._view_fn = fn
    else:
        out._base = root
        parent = src._view_fn
        out._view_fn = lambda r: fn(parent(r))
    return out


class CopySlicesBackward(Node):
    """The base's node after an in-place write through one of its views."""

    __slots__ = ("_view_fn", "_shape", "_np_dtype")

    def backward(self, g):
        mask = np.ones(self._shape, dtype=bool) if type(g._data) is np.ndarray else \
            g.xp.ones(self._shape, dtype=bool)
        region = self._view_fn(wrap(mask))._data
        region[...] = False
        base_grad = g * wrap(mask) if self._next[0] is not None else None
        view_grad = self._view_fn(g) if self._next[1] is not None else None
        return base_grad, view_grad


CopySlicesBackward.__name__ = "CopySlices"
CopySlicesBackward._cpp_name = "torch::autograd::CopySlices"


# ---------------------------------------------------------------- in-place
def check_inplace(t):
    if ever.inference:  # inference tensors are read-only outside inference mode (PyTorch)
        check_inference_inplace(t)
    if state.enabled:
        if t._requires_grad and t._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        base = t._base
        if base is not None and t._requires_grad and t._meta is not None and \
                t._meta.get("multi_view"):
            from ..autograd.graph import _short_name
            from .shape import _MULTI_VIEW_MSG
            raise RuntimeError(_MULTI_VIEW_MSG.format(
                nr=t._out_nr, name=_short_name(t._grad_fn), what="is being modified inplace"))
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")


def commit_inplace(t, result):
    """Write ``result`` into ``t`` and give t the result's autograd history."""
    rd = result._data
    td = t._data
    if rd.dtype != td.dtype:
        if not np.can_cast(rd.dtype, td.dtype, "same_kind") or \
                (rd.dtype.kind == "f" and td.dtype.kind in "biu"):
            raise RuntimeError(f"result type {_type_word(rd.dtype)} can't be cast to the desired "
                               f"output type {_type_word(td.dtype)}")
    if rd.shape != td.shape:
        if np.broadcast_shapes(rd.shape, td.shape) != td.shape:
            raise RuntimeError(f"output with shape {list(td.shape)} doesn't match the broadcast "
                               f"shape {list(np.broadcast_shapes(rd.shape, td.shape))}")
    if not td.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the "
                           "tensor before performing the operation.")
    if rd is not td:
        td[...] = rd
    t._vc[0] += 1
    node = result._grad_fn
    if node is not None:
        out = node._out
        if out is not None and out[0] is rd:
            # The node saved its output: that output now lives in t, so later in-place
            # writes to t must be caught at backward (as PyTorch does).
            node._out = (td, t._vc, t._vc[0], True, result._out_nr)
        base = t._base
        if base is not None:
            _rebase_view(t, base, result)
        else:
            t._grad_fn = node
            t._out_nr = result._out_nr
            t._requires_grad = True
    return t


def _rebase_view(view, base, result):
    cs = CopySlicesBackward()
    cs._view_fn = view._view_fn
    cs._shape = base._data.shape
    cs._np_dtype = base._data.dtype
    cs._next = (edge_of(base), (result._grad_fn, result._out_nr))
    if state.anomaly:
        record_trace(cs)
    base._grad_fn = cs
    base._out_nr = 0
    base._requires_grad = True
    fresh = view._view_fn(base)
    view._grad_fn = fresh._grad_fn
    view._out_nr = fresh._out_nr
    view._requires_grad = True
    view._view_ver = view._vc[0]


def snapshot(t):
    """A stand-in for t's current value in the graph, safe from t's coming in-place write."""
    if t._base is not None:
        refresh_view(t)
    s = wrap(t._data.copy())
    s._requires_grad = t._requires_grad
    s._grad_fn = t._grad_fn
    s._out_nr = t._out_nr
    return s


def inplace(t, compute, *args, saves_self=True):
    """Run out-of-place ``compute(t, *args)`` and write it into t (autograd-aware path)."""
    check_inplace(t)
    src = snapshot(t) if (saves_self and grad_needed(t, *[a for a in args
                                                          if isinstance(a, Tensor)])) else t
    return commit_inplace(t, compute(src, *args))


def _type_word(npd):
    return {"f": {2: "Half", 4: "Float", 8: "Double"}.get(npd.itemsize, "Float"),
            "i": {1: "Char", 2: "Short", 4: "Int", 8: "Long"}.get(npd.itemsize, "Long"),
            "u": "Byte", "b": "Bool", "c": "ComplexFloat"}.get(npd.kind, str(npd))


def wrap_dim(dim, ndim):
    nd = max(ndim, 1)
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], "
                         f"but got {dim})")
    return dim + nd if dim < 0 else dim


def wrap_dims(dim, ndim):
    """Normalise an int / tuple / None reduction-dims argument to a sorted tuple of ints."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return tuple(sorted(dims))
    return (wrap_dim(dim, ndim),) if ndim else ()


def np_dim_alias(name, dim, keepdim, axis, keepdims, required=False):
    """``(dim, keepdim)`` with NumPy's ``axis=`` / ``keepdims=`` spellings folded in: PyTorch
    accepts them as aliases (``x.sum(axis=1, keepdims=True)``, ``torch.cat(ts, axis=1)``).
    ``required``: ``name`` has no default dim, so one of the two spellings must be given."""
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    if required and dim is None:
        raise TypeError(f"{name}() missing 1 required positional argument: 'dim'")
    return dim, keepdim
