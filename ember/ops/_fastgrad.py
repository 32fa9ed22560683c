"""Array-level backward formulas for the common nodes (used when no graph is built).

Every node's ``backward`` is written with Tensor ops, so that ``create_graph=True`` can
differentiate it again. Most backward passes build no graph, and there a Tensor op per term
of a formula (tanh's ``g * (1 - y.square())`` is three ops) costs more than the arithmetic on
small tensors. The engine (``ember/autograd/engine.py``) therefore looks a node's class up in
``FAST_BACKWARD`` first: ``fn(node, g)`` gets the output gradient as an array and returns one
array (or None) per input.

Each function here computes exactly what the node's Tensor backward computes (same NumPy
calls in the same order, so bit-identical results); for anything unusual (mixed dtypes, non-
float gradients, NumPy scalar operands, arrays that are not NumPy's, saved-tensor hooks) it
returns None and the engine runs the Tensor backward instead. tests/autograd/test_fastgrad.py
compares both paths node by node, bit for bit: whoever changes a node's Tensor backward
changes (or removes) its entry here too. Op modules may register their own nodes in
``FAST_BACKWARD`` the same way (ops/dense.py, ops/loss.py do).
"""
import numpy as np

from ..autograd.engine import FAST_BACKWARD
from ..backends import cpu_kernels as _ck
from ..backends.gemm import mm
from . import activation as _act
from . import conversion as _conv
from . import elementwise as _ew
from . import linalg as _la
from . import reduction as _red
from . import shape as _sh
from ._util import arr, scalar_operand

_nd = np.ndarray
_SCALARS = (int, float)


# ---------------------------------------------------------------- saved values
def _saved(node):
    """node.saved_tensors as arrays (version-checked), or None when saved through hooks."""
    s = node._saved
    if type(s) is not tuple:
        if s is None:
            node.saved_tensors  # noqa: B018 - raises "backward through the graph a second time"
        return None  # packed by saved_tensors_hooks: the Tensor path unpacks them
    v = node._versions
    out = []
    i = 0
    for t in s:
        if t is None:
            out.append(None)
        else:
            if t._vc[0] != v[i]:
                node.saved_tensors  # noqa: B018 - raises the "modified by an inplace" error
            out.append(t._data)
        i += 1
    return out


def _saved1(node):
    s = node._saved
    if type(s) is tuple and len(s) == 1:
        t = s[0]
        if t._vc[0] == node._versions[0]:
            return t._data
    r = _saved(node)
    return None if r is None else r[0]


def _saved2(node):
    """_saved for two saved tensors (either may be None), unrolled."""
    s = node._saved
    if type(s) is tuple and len(s) == 2:
        a, b = s
        v = node._versions
        if a is not None:
            if a._vc[0] != v[0]:
                return _saved(node)
            a = a._data
        if b is not None:
            if b._vc[0] != v[1]:
                return _saved(node)
            b = b._data
        return a, b
    return _saved(node)


def _output(node):
    """The array saved by save_output, version-checked."""
    rec = node._out
    if rec is None or rec[1][0] != rec[2]:
        node.saved_output()  # raises the matching error
    return rec[0]


# ---------------------------------------------------------------- shaping (as _util.sum_to)
def _sum_keep(g, axes):
    """reduction.sum(g, dim=axes, keepdim=True) for a float array, on arrays."""
    if g.ndim == 2 and axes == (0,) and g.shape[0] > 1:
        # reduction.sum's BLAS row-sum (same call, so the same rounding)
        res = np.ones(g.shape[0], g.dtype) @ g if type(g) is _nd else g.sum(0)
        return res[None]
    return g.sum(axis=axes, keepdims=True)


def _sum_to(g, shape):
    """_util.sum_to on arrays."""
    gs = g.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    if axes:
        g = _sum_keep(g, axes)
    if lead:
        g = g.reshape(shape)
    return g


def _fit(g, shape, dtype):
    """sum_to + cast_to (what _BinaryBackward._ga / _gb do)."""
    if g.shape != shape:
        g = _sum_to(g, shape)
    return g if g.dtype == dtype else g.astype(dtype)


def _expand(g, shape):
    """Tensor.expand(shape) of a gradient (a read-only broadcast view)."""
    if type(g) is not _nd:
        return None
    gs = g.shape
    if gs == shape:
        return g.view()
    if g.flags.c_contiguous and g.size:
        # np.broadcast_to costs ~2 us of Python; the view built directly, ~0.5 us
        lead = len(shape) - len(gs)
        strides = (0,) * lead + tuple([0 if n == 1 and m != 1 else st for n, m, st in
                                       zip(gs, shape[lead:], g.strides)])
        r = _nd(shape, g.dtype, g, 0, strides)
        r.flags.writeable = False
        return r
    return np.broadcast_to(g, shape)


def _real(g):
    return g.dtype.kind == "f"


# ---------------------------------------------------------------- binary arithmetic
# The gradient of each input is g (or a term of it) summed back to the input's shape and cast
# to its dtype: _BinaryBackward._ga / _gb. The shape/dtype test is inlined (most gradients
# need neither).
def _add_sub(sign):
    """The fast gradient of ``a + alpha * b`` (sign 1) or ``a - alpha * b`` (sign -1)."""
    def grad(node, g):
        if g.dtype.kind != "f":
            return None
        nxt = node._next
        ga = gb = None
        if nxt[0] is not None:
            ga = g if g.shape == node._sa and g.dtype == node._da else \
                _fit(g, node._sa, node._da)
        if node._sb is not None and nxt[1] is not None:
            alpha = node._alpha
            if alpha != 1:
                if type(alpha) not in _SCALARS:
                    return None
                gb = g * (sign * alpha)
            else:
                gb = g if sign == 1 else -g
            if gb.shape != node._sb or gb.dtype != node._db:
                gb = _fit(gb, node._sb, node._db)
        return ga, gb
    return grad


_add = _add_sub(1)
_sub = _add_sub(-1)


def _one(node, ga):
    """The result of a node with one tensor input; older nodes kept a None edge for the
    number operand (``(input, None)``), newer ones record only the tensor's."""
    return (ga,) if len(node._next) == 1 else (ga, None)


def _rsub(node, g):
    if g.dtype.kind != "f":
        return None
    alpha = node._alpha
    if alpha == 1:
        return _one(node, _fit(-g, node._sa, node._da))
    if type(alpha) not in _SCALARS:
        return None
    return _one(node, _fit(g * -alpha, node._sa, node._da))


def _mul(node, g):
    gd = g.dtype
    if gd.kind != "f":
        return None
    s = node._saved  # _saved2 inlined for the common case: Mul is the most frequent node
    if type(s) is tuple and len(s) == 2:
        a, b = s
        v = node._versions
        if a._vc[0] != v[0] or (b is not None and b._vc[0] != v[1]):
            s = _saved(node)
            if s is None:
                return None
            a, b = s
        else:
            a = a._data
            if b is not None:
                b = b._data
    else:
        s = _saved(node)
        if s is None:
            return None
        a, b = s
    nxt = node._next
    ga = gb = None
    if b is None:
        other = node._other
        if type(other) not in _SCALARS and type(other) is not bool:
            return None
        if nxt[0] is not None:
            ga = g * (scalar_operand(other, gd) if type(other) is float and type(g) is _nd
                      else other)
            if ga.shape != node._sa or ga.dtype != node._da:
                ga = _fit(ga, node._sa, node._da)
        return ga, None
    if b.dtype != gd or a.dtype != gd:
        return None
    if nxt[0] is not None:
        ga = g * b
        if ga.shape != node._sa or gd != node._da:
            ga = _fit(ga, node._sa, node._da)
    if nxt[1] is not None:
        gb = g * a
        if gb.shape != node._sb or gd != node._db:
            gb = _fit(gb, node._sb, node._db)
    return ga, gb


def _div(node, g):
    if g.dtype.kind != "f":
        return None
    s = _saved2(node)
    if s is None:
        return None
    a, b = s
    if b is None:
        other = node._other
        if type(other) not in _SCALARS and type(other) is not bool:
            return None
        return _fit(g / other, node._sa, node._da), None
    gd = g.dtype
    if b.dtype != gd or a.dtype != gd:
        return None
    nxt = node._next
    ga = _fit(g / b, node._sa, node._da) if nxt[0] is not None else None
    gb = _fit(-g * a / (b * b), node._sb, node._db) if nxt[1] is not None else None
    return ga, gb


def _pow_scalar(x, y):
    """elementwise.pow(tensor, number) for a float array and a Python int/float."""
    if y == 2:
        return x * x
    if y == 0.5:
        return np.sqrt(x)
    res = arr(np.power(x, y))
    return res if res.dtype == x.dtype else res.astype(x.dtype)


def _pow(node, g):
    """tensor ** number: g * e * a.pow(e - 1) (PyTorch's formula, also for e == 2)."""
    e = node._other
    if g.dtype.kind != "f" or type(e) not in _SCALARS or e == 0 or type(g) is not _nd:
        return None
    s = _saved2(node)
    if s is None:
        return None
    a = s[0]
    if a.dtype != g.dtype:
        return None
    return _one(node, _fit(g * e * _pow_scalar(a, e - 1), node._sa, node._da))


# ---------------------------------------------------------------- unary
def _unary_x(formula):
    """A node that saved its input: formula(g, x) on arrays of one float dtype."""
    def fn(node, g):
        if g.dtype.kind != "f":
            return None
        x = _saved1(node)
        if x is None or x.dtype != g.dtype:
            return None
        return (formula(g, x),)
    return fn


def _unary_y(formula):
    """A node that saved its output (save_output): formula(g, y)."""
    def fn(node, g):
        rec = node._out
        if rec is None or rec[1][0] != rec[2]:
            node.saved_output()  # raises the matching error
        y = rec[0]
        if g.dtype.kind != "f" or y.dtype != g.dtype:
            return None
        return (formula(g, y),)
    return fn


def _neg(node, g):
    return (-g,) if _real(g) else None


def _sign(x):
    """elementwise._sign_np for a float array."""
    r = arr(np.sign(x))
    r[np.isnan(r)] = 0
    return r


def _unary_x_np(formula):
    """_unary_x for formulas that call NumPy functions (CuPy arrays take the Tensor path)."""
    inner = _unary_x(formula)

    def fn(node, g):
        return inner(node, g) if type(g) is _nd else None
    return fn


def _unary_y_np(formula):
    inner = _unary_y(formula)

    def fn(node, g):
        return inner(node, g) if type(g) is _nd else None
    return fn


def _tanh(node, g):
    rec = node._out
    if rec is None or rec[1][0] != rec[2]:
        node.saved_output()  # raises the matching error
    y = rec[0]
    if g.dtype.kind != "f" or y.dtype != g.dtype:
        return None
    out = _ck.activation_grad("tanh_grad", g, y)
    return (out if out is not None else g * (1 - y * y),)


def _sigmoid(node, g):
    rec = node._out
    if rec is None or rec[1][0] != rec[2]:
        node.saved_output()
    y = rec[0]
    if g.dtype.kind != "f" or y.dtype != g.dtype:
        return None
    out = _ck.activation_grad("sigmoid_grad", g, y)
    return (out if out is not None else g * (1 - y) * y,)


def _exp(node, g):
    rec = node._out
    if rec is None or rec[1][0] != rec[2]:
        node.saved_output()
    y = rec[0]
    if g.dtype.kind != "f" or y.dtype != g.dtype:
        return None
    return (g * y,)


def _relu(node, g):
    rec = node._out
    if rec is None or rec[1][0] != rec[2]:
        node.saved_output()
    y = rec[0]
    if g.dtype.kind != "f" or y.dtype != g.dtype:
        return None
    return (_ck.relu_backward(g, y),)


# ---------------------------------------------------------------- reductions
def _sum0(node, g):
    if g.dtype != node._dtype:
        return None
    r = _expand(g, node._shape)
    return None if r is None else (r,)


def _unsqueeze_dims(g, shape, dims, keep):
    if not keep and dims:
        ks = list(shape)
        for d in dims:
            ks[d] = 1
        g = g.reshape(ks)
    return g


def _sum1(node, g):
    if g.dtype != node._dtype:
        return None
    r = _expand(_unsqueeze_dims(g, node._shape, node._dims, node._keep), node._shape)
    return None if r is None else (r,)


def _mean(node, g):
    if not _real(g) or g.dtype != node._dtype or type(node._n) not in _SCALARS:
        return None
    r = _expand(_unsqueeze_dims(g / node._n, node._shape, node._dims, node._keep), node._shape)
    return None if r is None else (r,)


def _softmax(node, g):
    if not _real(g):
        return None
    y = _output(node)
    if y.dtype != g.dtype or not y.ndim:
        return None
    gy = g * y
    return (gy - y * _sum_keep(gy, (node._dim,)),)


def _log_softmax(node, g):
    if not _real(g) or type(g) is not _nd:
        return None
    y = _output(node)
    if y.dtype != g.dtype or not y.ndim:
        return None
    return (g - np.exp(y) * _sum_keep(g, (node._dim,)),)


# ---------------------------------------------------------------- views
def _reshape(node, g):
    return (g.reshape(node._shape),)


def _identity(node, g):
    return (g,)


def _permute(node, g):
    return (g.transpose(node._inv),)


def _transpose(node, g):
    return (g.swapaxes(node._d0, node._d1),)


def _t(node, g):
    return (g.T,)


def _expand_back(node, g):
    if not _real(g):
        return None
    return (_sum_to(g, node._shape),)


def _unsqueeze(node, g):
    return (g.squeeze(node._dim),)


def _slice(node, g):
    if type(g) is not _nd:
        return None
    full = np.zeros(node._shape, dtype=g.dtype)
    full[node._key] = g
    return (full,)


def _to_copy(node, g):
    if type(g) is not _nd or node._device.type != "cpu":
        return None
    d = node._np_dtype
    if g.dtype == d:
        return (g,)
    if g.dtype.kind == "c" and d.kind != "c":  # a real input of a complex result: Re(g)
        g = g.real
    return (g.astype(d),)


# ---------------------------------------------------------------- matrix products
def _mm(node, g):
    s = _saved2(node)
    if s is None:
        return None
    a, b = s
    if a.dtype != g.dtype or b.dtype != g.dtype or type(a) is not type(g) or \
            type(b) is not type(g):
        return None
    nxt = node._next
    return (mm(g, b.T) if nxt[0] is not None else None,
            mm(a.T, g) if nxt[1] is not None else None)


def _matmul(node, g):
    """MatmulBackward for operands of 2 or more dims (1-d ones take the Tensor path)."""
    if type(g) is not _nd or not _real(g):
        return None
    s = _saved2(node)
    if s is None:
        return None
    a, b = s
    if a.ndim < 2 or b.ndim < 2 or a.dtype != g.dtype or b.dtype != g.dtype or \
            type(a) is not _nd or type(b) is not _nd:
        return None
    nxt = node._next
    ga = gb = None
    if nxt[0] is not None:
        ga = _sum_to(_la._matmul_arrays(g, b.swapaxes(-1, -2)), a.shape)
    if nxt[1] is not None:
        if a.ndim >= 3 and b.ndim == 2:
            gb = mm(a.reshape(-1, a.shape[-1]).T, g.reshape(-1, g.shape[-1]))
        else:
            gb = _sum_to(_la._matmul_arrays(a.swapaxes(-1, -2), g), b.shape)
    return ga, gb


def _addmm(node, g):
    if not _real(g):
        return None
    s = _saved(node)
    if s is None:
        return None
    _, a, b = s
    beta = node._beta
    alpha = node._alpha
    if (beta != 1 and type(beta) not in _SCALARS) or (alpha != 1 and type(alpha) not in
                                                      _SCALARS):
        return None
    nxt = node._next
    gbias = ga = gb = None
    if nxt[0] is not None:
        gbias = _fit(g if beta == 1 else g * beta, node._bias_shape, node._bias_dtype)
    gs = g if alpha == 1 else g * alpha
    if nxt[1] is not None or nxt[2] is not None:
        if a.dtype != gs.dtype or b.dtype != gs.dtype or type(a) is not type(gs) or \
                type(b) is not type(gs):
            return None
        if nxt[1] is not None:
            ga = mm(gs, b.T)
        if nxt[2] is not None:
            gb = mm(a.T, gs)
    return gbias, ga, gb


# ---------------------------------------------------------------- activations
def _activation(node, g):
    """_ActBackward: the node's own NumPy formula (np_grad)."""
    if type(g) is not _nd:
        return None
    x = _saved1(node)
    if x is None:
        return None
    return (arr(node.np_grad(g, x)),)


# ---------------------------------------------------------------- the registry
_LN2 = _ew._LN2
_LN10 = _ew._LN10

REGISTERED = {  # the nodes this module covers (ops modules may register their own)
    _ew.AddBackward0: _add,
    _ew.SubBackward0: _sub,
    _ew.RsubBackward1: _rsub,
    _ew.MulBackward0: _mul,
    _ew.DivBackward0: _div,
    _ew.PowBackward0: _pow,
    _ew.NegBackward0: _neg,
    _ew.ExpBackward0: _exp,
    _ew.Exp2Backward0: _unary_y(lambda g, y: g * y * _LN2),
    _ew.Expm1Backward0: _unary_y(lambda g, y: g * (y + 1)),
    _ew.LogBackward0: _unary_x(lambda g, x: g / x),
    _ew.Log2Backward0: _unary_x(lambda g, x: g / (x * _LN2)),
    _ew.Log10Backward0: _unary_x(lambda g, x: g / (x * _LN10)),
    _ew.Log1PBackward0: _unary_x(lambda g, x: g / (x + 1)),
    _ew.SqrtBackward0: _unary_y(lambda g, y: g / (y * 2)),
    _ew.RsqrtBackward0: _unary_y_np(lambda g, y: g * -0.5 * _pow_scalar(y, 3)),
    _ew.SinBackward0: _unary_x_np(lambda g, x: g * np.cos(x)),
    _ew.CosBackward0: _unary_x_np(lambda g, x: g * -np.sin(x)),
    _ew.TanhBackward0: _tanh,
    _ew.SigmoidBackward0: _sigmoid,
    _ew.ReluBackward0: _relu,
    _ew.AbsBackward0: _unary_x_np(lambda g, x: g * _sign(x)),
    _ew.ReciprocalBackward0: _unary_y(lambda g, y: g * -(y * y)),
    _red.SumBackward0: _sum0,
    _red.SumBackward1: _sum1,
    _red.MeanBackward0: _mean,
    _red.MeanBackward1: _mean,
    _red.SoftmaxBackward0: _softmax,
    _red.LogSoftmaxBackward0: _log_softmax,
    _sh.ViewBackward0: _reshape,
    _sh.UnsafeViewBackward0: _reshape,
    _sh.SqueezeBackward0: _reshape,
    _sh.SqueezeBackward1: _reshape,
    _sh.AliasBackward0: _identity,
    _sh.ViewBackward0Identity: _identity,
    _sh.CloneBackward0: _identity,
    _sh.PermuteBackward0: _permute,
    _sh.TransposeBackward0: _transpose,
    _sh.TBackward0: _t,
    _sh.ExpandBackward0: _expand_back,
    _sh.UnsqueezeBackward0: _unsqueeze,
    _sh.SliceBackward0: _slice,
    _sh.SelectBackward0: _slice,
    _sh.NarrowBackward0: _slice,
    _sh.UnbindBackward0: _slice,
    _sh.SplitBackward0: _slice,
    _conv.ToCopyBackward0: _to_copy,
    _la.MmBackward0: _mm,
    _la.MatmulBackward: _matmul,
    _la.BmmBackward0: _matmul,
    _la.UnsafeViewBackward0: _matmul,
    _la.AddmmBackward0: _addmm,
}

# Every activation node that keeps the base class's backward (np_grad on arrays).
for _name in dir(_act):
    _cls = getattr(_act, _name)
    if isinstance(_cls, type) and issubclass(_cls, _act._ActBackward) and \
            _cls is not _act._ActBackward and _cls.backward is _act._ActBackward.backward and \
            "np_grad" in dir(_cls):
        REGISTERED[_cls] = _activation
FAST_BACKWARD.update(REGISTERED)
