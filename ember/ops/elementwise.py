"""Elementwise ops: binary arithmetic with broadcasting and promotion, unary math, compare.

Forward computes on arrays; backward is written with Tensor ops so it is differentiable.
"""
import builtins
import math

import numpy as np

from .. import dtypes as dt
from ..autograd.grad_mode import check_inference_inplace, state
from ..autograd.grad_mode import ever as _ever
from ..autograd.graph import Node
from ..backends import special
from ..backends import cpu_kernels as _ck
from ..backends.cpu_kernels import relu_backward
from ..tensor import Tensor
from ._util import (arr, attach, binary_arrays, cast_to, check_inplace, commit_inplace,
                    grad_needed, inplace, promote_tensors, scalar_operand, snapshot, sum_to,
                    to_tensor, wrap)

_ndarray = np.ndarray


# ================================================================ binary arithmetic
class _BinaryBackward(Node):
    """Base of binary nodes: remembers input shapes/dtypes to undo broadcasting/promotion."""

    __slots__ = ("_sa", "_sb", "_da", "_db", "_other", "_alpha")

    def _setup(self, a, b, other, alpha=1):
        self._sa = a._data.shape
        self._da = a._data.dtype
        if b is not None:
            self._sb = b._data.shape
            self._db = b._data.dtype
        else:
            self._sb = None
            self._db = None
        self._other = other
        self._alpha = alpha

    def _ga(self, g):
        g = sum_to(g, self._sa)
        return g if g._data.dtype == self._da else cast_to(g, self._da)

    def _gb(self, g):
        g = sum_to(g, self._sb)
        return g if g._data.dtype == self._db else cast_to(g, self._db)


def _binary_op(a, b, compute, node_cls, float_result=False, save=False, alpha=1, kinds=None,
               kname=None, scalar_edge=True, save_lhs_alone=True):
    """``scalar_edge``: whether a Python-number operand gets a (None) edge, as it does in
    PyTorch for ops whose number overload wraps it into a tensor (add, mul, ...); ops with a
    Scalar overload (fmod, xlogy ...) record edges for their tensor operands only.
    ``save_lhs_alone=False``: with a Python-number rhs the gradient needs only the number
    (``x * 2``, ``x / 2``), so ``a`` is not saved and may be modified in place afterwards."""
    lhs_number = not isinstance(a, Tensor)
    if lhs_number:
        a = to_tensor(a, b if isinstance(b, Tensor) else None)
    x, y, bt = binary_arrays(a, b, float_result)
    if kinds is not None and x.dtype.kind not in kinds:
        raise _not_implemented(kname, x.dtype)
    try:
        if type(y) is float and type(x) is _ndarray and compute in _SCALAR_UFUNCS:
            res = compute(x, scalar_operand(y, x.dtype))
        else:
            res = compute(x, y)
    except ValueError:
        raise _broadcast_error(x, y) from None
    if type(res) is not _ndarray:
        res = arr(res)
    if res.dtype != x.dtype:  # bfloat16 with a Python scalar, bool ** number: keep the dtype
        res = res.astype(x.dtype)
    out = wrap(res)
    if state.enabled and (a._requires_grad or (bt is not None and bt._requires_grad)):
        node = node_cls()
        # _setup inlined: this runs once per recorded binary op
        ad = a._data
        node._sa = ad.shape
        node._da = ad.dtype
        if bt is not None:
            bd = bt._data
            node._sb = bd.shape
            node._db = bd.dtype
            node._other = None
        else:
            node._sb = node._db = None
            node._other = y
        node._alpha = alpha
        if save:
            node.save_for_backward(a if bt is not None or save_lhs_alone else _UNSAVED, bt)
        if scalar_edge:
            attach(out, node, (a, bt))
        elif lhs_number:
            attach(out, node, (bt,))  # the node's backward returns (grad of b,)
        else:
            attach(out, node, (a,) if bt is None else (a, bt))
    return out


# ufuncs whose Python-float operand may go in as scalar_operand's 0-d array
_SCALAR_UFUNCS = frozenset((np.add, np.subtract, np.multiply, np.true_divide))

# Stands in for an operand the backward does not read (a version counter nothing bumps).
_UNSAVED = wrap(np.zeros((), np.float32))


def _not_implemented(kname, npdtype):
    return NotImplementedError(f'"{kname}" not implemented for \'{dt.type_word(npdtype)}\'')


def _broadcast_error(x, y):
    """PyTorch's message for shapes that do not broadcast (NumPy raises ValueError)."""
    sa = np.shape(x)
    sb = np.shape(y)
    n = builtins.max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                                f"({pb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


def _broadcast_error_many(*arrays):
    """The error for the first operand that does not broadcast with those before it."""
    shape = np.shape(arrays[0])
    for a in arrays[1:]:
        try:
            shape = np.broadcast_shapes(shape, np.shape(a))
        except ValueError:
            return _broadcast_error(np.empty(shape, np.bool_), a)
    return RuntimeError("shapes cannot be broadcast together")


class _NotImplementedBackward(_BinaryBackward):
    """PyTorch has no derivative for these ops (floor_divide, number % tensor)."""

    __slots__ = ()
    _what = ""

    def backward(self, g):
        raise RuntimeError(f"derivative for aten::{self._what} is not implemented")


def _no_derivative(what):
    cls = type("NotImplemented", (_NotImplementedBackward,), {"__slots__": (), "_what": what})
    return cls


_FloorDivideNoGrad = _no_derivative("floor_divide")
_RemainderNoGrad = _no_derivative("remainder")


class AddBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        ga = self._ga(g) if self._next[0] is not None else None
        gb = None
        if self._sb is not None and self._next[1] is not None:
            gb = self._gb(g if self._alpha == 1 else g * self._alpha)
        return ga, gb


class SubBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        ga = self._ga(g) if self._next[0] is not None else None
        gb = None
        if self._sb is not None and self._next[1] is not None:
            gb = self._gb(-g if self._alpha == 1 else g * -self._alpha)
        return ga, gb


class RsubBackward0(_BinaryBackward):
    """torch.rsub(input, other) with a tensor other: ``other - alpha * input``."""

    __slots__ = ()

    def backward(self, g):
        ga = self._ga(-g if self._alpha == 1 else g * -self._alpha) \
            if self._next[0] is not None else None
        gb = self._gb(g) if self._next[1] is not None else None
        return ga, gb


class RsubBackward1(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        return self._ga(-g if self._alpha == 1 else g * -self._alpha), None


class MulBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        other = b if b is not None else self._other
        if g._data.dtype.kind == "c":  # complex: grad * conj(other), grad * conj(a)
            other = _conj(other)
            a = _conj(a)
        ga = self._ga(g * other) if self._next[0] is not None else None
        gb = self._gb(g * a) if b is not None and self._next[1] is not None else None
        return ga, gb


class DivBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        if b is None:
            return self._ga(g / _conj(self._other)), None
        if g._data.dtype.kind == "c":  # complex: grad / conj(b), -grad * conj(a / b**2)
            a = _conj(a)
            b = _conj(b)
        ga = self._ga(g / b) if self._next[0] is not None else None
        gb = self._gb(-g * a / (b * b)) if self._next[1] is not None else None
        return ga, gb


def _conj(v):
    """Complex conjugate of a Tensor or number (identity for real ones)."""
    if isinstance(v, Tensor):
        return v.conj() if v._data.dtype.kind == "c" else v
    return v.conjugate() if isinstance(v, complex) else v


def _holomorphic(rule):
    """Wrap a backward rule written as ``g * f'(x)`` for complex gradients: PyTorch's
    convention is ``g * conj(f'(x))`` = ``conj(conj(g) * f'(x))``."""
    def backward(self, g):
        if g._data.dtype.kind == "c":
            return _conj_all(rule(self, g.conj()))
        return rule(self, g)
    return backward


def _conj_all(grads):
    if isinstance(grads, tuple):
        return tuple(None if t is None else _conj(t) for t in grads)
    return None if grads is None else _conj(grads)


class _ZeroGradBackward(_BinaryBackward):
    """Ops that are piecewise constant (floor division, rounding): zero gradients."""

    __slots__ = ()

    def backward(self, g):
        from .creation import zeros_like
        ga = self._ga(zeros_like(g)) if self._next[0] is not None else None
        gb = self._gb(zeros_like(g)) if self._sb is not None and self._next[1] is not None \
            else None
        return ga, gb


class DivBackward2(_ZeroGradBackward):
    """div with rounding_mode: piecewise constant."""

    __slots__ = ()


DivBackward1 = DivBackward2  # older name, kept for importers


def _combine_alpha(y, alpha):
    return y if alpha == 1 else y * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion."""
    if alpha == 1:
        res = _binary_op(input, other, np.add, AddBackward0)
    else:
        res = _binary_op(input, other, lambda x, y: x + y * alpha, AddBackward0, alpha=alpha)
    return res if out is None else _out(res, out)


def sub(input, other, *, alpha=1, out=None):
    if type(other) is not float or not isinstance(input, Tensor) or \
            input._data.dtype.kind == "b":  # t - 0.5 cannot involve a bool operand
        _check_bool_sub(input, other)
    if alpha == 1:
        res = _binary_op(input, other, np.subtract, SubBackward0)
    else:
        res = _binary_op(input, other, lambda x, y: x - y * alpha, SubBackward0, alpha=alpha)
    return res if out is None else _out(res, out)


def _check_bool_sub(a, b):
    a_bool = isinstance(a, Tensor) and a._data.dtype.kind == "b"
    b_bool = isinstance(b, bool) or (isinstance(b, Tensor) and b._data.dtype.kind == "b")
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (the reflected ``number - tensor``)."""
    if isinstance(other, Tensor):
        _check_bool_sub(other, input)
        if alpha == 1:
            return _binary_op(input, other, lambda x, y: y - x, RsubBackward0)
        return _binary_op(input, other, lambda x, y: y - x * alpha, RsubBackward0, alpha=alpha)
    _check_bool_sub(input, other)
    x, y, _ = binary_arrays(input, other)
    res = arr(y - (x if alpha == 1 else x * alpha))
    if res.dtype != x.dtype:
        res = res.astype(x.dtype)
    res = wrap(res)
    if grad_needed(input):
        node = RsubBackward1()
        node._setup(input, None, y, alpha)
        attach(res, node, (input,))
    return res


def mul(input, other, *, out=None):
    res = _binary_op(input, other, np.multiply, MulBackward0, save=True, save_lhs_alone=False)
    return res if out is None else _out(res, out)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give floats), or 'trunc' / 'floor' rounding division."""
    if rounding_mode is None:
        return _out(_binary_op(input, other, np.true_divide, DivBackward0, float_result=True,
                               save=True, save_lhs_alone=False), out)
    if rounding_mode == "trunc":
        compute = _div_trunc
        kname = "div_trunc_cpu"
    elif rounding_mode == "floor":
        compute = np.floor_divide
        kname = "div_floor_cpu"
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(_binary_op(input, other, _int_div_guard(compute), DivBackward2, kinds=_NUM,
                           kname=kname), out)


_NUM = "iufcV"   # numeric kinds (V: bfloat16); bool kernels are missing in PyTorch
_FLOAT = "fcV"


def _div_trunc(x, y):
    if x.dtype.kind in "iu":
        # C-style integer division: the quotient rounds toward zero.
        q = np.floor_divide(x, y)
        fix = (np.remainder(x, y) != 0) & ((x < 0) != (np.asarray(y) < 0))
        return q + fix.astype(q.dtype)
    return np.trunc(np.true_divide(x, y))


def _int_div_guard(compute):
    def f(x, y):
        if x.dtype.kind in "iu" and np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return compute(x, y)
    return f


true_divide = div


def floor_divide(input, other, *, out=None):
    """``floor(input / other)``; PyTorch defines no derivative for it."""
    return _out(_binary_op(input, other, _int_div_guard(np.floor_divide), _FloorDivideNoGrad,
                           kinds=_NUM, kname="div_floor_cpu"), out)


class PowBackward0(_BinaryBackward):
    """tensor ** number."""

    __slots__ = ()

    def _grad(self, g):
        (a, _b) = self.saved_tensors
        e = self._other
        if e == 0:
            from .creation import zeros_like
            return self._ga(zeros_like(g)), None
        # a.pow(e - 1) even for e == 2 (PyTorch's formula): under create_graph the second
        # derivative then still depends on a, so a third one exists (zeros).
        return self._ga(g * e * a.pow(e - 1)), None


class PowBackward1(_BinaryBackward):
    """tensor ** tensor."""

    __slots__ = ()

    def _grad(self, g):
        a, b = self.saved_tensors
        ga = gb = None
        if self._next[0] is not None:
            # b * a**(b-1) is 0 * inf at a == 0, b == 0; PyTorch defines the gradient as 0.
            ga = self._ga(where(b == 0, 0.0, g * b * a.pow(b - 1)))
        if self._next[1] is not None:
            out = a.pow(b)
            # d/db a**b = a**b log a; PyTorch defines it as 0 where a == 0 and b >= 0.
            safe = where(logical_and(a == 0, b >= 0), 0.0, out * a.log())
            gb = self._gb(g * safe)
        return ga, gb


class PowBackward2(_BinaryBackward):
    """number ** tensor."""

    __slots__ = ()

    def _grad(self, g):
        (b, _x) = self.saved_tensors
        base = self._other
        if base == 0:
            return self._ga(where(b >= 0, 0.0, g * float("-inf"))), None
        if base < 0:
            return self._ga(g * float("nan")), None
        return self._ga(g * pow(base, b) * math.log(base)), None


for _cls in (PowBackward0, PowBackward1, PowBackward2):
    _cls.backward = _holomorphic(_cls._grad)


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a number."""
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError(f"pow() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(exponent).__name__})")
        x, y, _ = binary_arrays(exponent, input)
        if x.dtype.kind == "b":
            raise _not_implemented("pow", x.dtype)
        res = arr(_int_power(y, x) if x.dtype.kind in "iu" else np.power(y, x))
        if res.dtype != x.dtype:
            res = res.astype(x.dtype)
        res = wrap(res)
        if grad_needed(exponent):
            node = PowBackward2()
            node._setup(exponent, None, y)
            node.save_for_backward(exponent, None)
            attach(res, node, (exponent,))
        return _out(res, out)
    if isinstance(exponent, Tensor):
        return _out(_binary_op(input, exponent, _int_power, PowBackward1, save=True,
                               kinds=_NUM, kname="pow"), out)
    if input._data.dtype.kind in "biu" and isinstance(exponent, (int, np.integer)) and \
            not isinstance(exponent, bool) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    x, y, _ = binary_arrays(input, exponent)
    if x.dtype == dt._np_bfloat16:
        res = np.power(x.astype(np.float32), y).astype(x.dtype)
    elif y == 2:
        res = x * x
    elif y == 0.5 and x.dtype.kind == "f":
        res = np.sqrt(x)
    else:
        res = np.power(x, y)
    res = arr(res)
    if res.dtype != x.dtype:
        res = res.astype(x.dtype)
    res = wrap(res)
    if grad_needed(input):
        node = PowBackward0()
        node._setup(input, None, y)
        node.save_for_backward(input, None)
        attach(res, node, (input,))
    return _out(res, out)


def _int_power(x, y):
    xd = np.asarray(x)
    yd = np.asarray(y)
    if xd.dtype.kind in "iu" and yd.dtype.kind in "iu" and np.any(yd < 0):
        # PyTorch: an integer to a negative power is 1 / x**|y| rounded toward zero.
        return np.trunc(np.power(xd.astype(np.float64), yd)).astype(
            np.result_type(xd, yd))
    return np.power(x, y)


def float_power(input, exponent):
    """``pow`` computed in float64, as ``torch.float_power``."""
    a = input.double() if isinstance(input, Tensor) else float(input)
    b = exponent.double() if isinstance(exponent, Tensor) else exponent
    return pow(a, b)


class _PairBackward(_BinaryBackward):
    """Binary ops whose gradients are given by a function of (g, a, b)."""

    __slots__ = ()
    grads = None  # staticmethod (g, a, b) -> (ga, gb)

    def backward(self, g):
        a, b = self.saved_tensors
        other = b if b is not None else to_tensor(self._other, a)
        if len(self._next) == 1 and b is not None:  # number op tensor: one edge, for b
            _ga, gb = type(self).grads(g, a, other, (False, True))
            return self._gb(gb) if gb is not None else None,
        ga, gb = type(self).grads(g, a, other, self.needs_input_grad)
        return (self._ga(ga) if ga is not None else None,
                self._gb(gb) if gb is not None and b is not None else None)


def _pair(name, compute, grads, float_result=False, scalar_ok=False, kinds=None, kname=None,
          names=None):
    """A binary op with a ``_PairBackward`` node; ``names``: PyTorch's grad_fn names for
    (tensor, tensor), (tensor, number), (number, tensor) when they differ."""
    cls = type(name, (_PairBackward,), {"__slots__": (), "grads": staticmethod(grads)})
    opname = name[:-len("Backward0")].lower()
    tt = ts = st = cls
    if names is not None:
        tt, ts, st = (type(n, (cls,), {"__slots__": ()}) if n not in (name, None) else cls
                      for n in names)

    def op(input, other, *, out=None):
        if not scalar_ok:
            _require_tensor(opname, input, other)
        node_cls = (tt if isinstance(input, Tensor) else st) if isinstance(other, Tensor) else ts
        return _out(_binary_op(input, other, compute, node_cls, float_result=float_result,
                               save=True, kinds=kinds, kname=kname, scalar_edge=not scalar_ok),
                    out)
    op.__name__ = opname
    return op, cls


def _require_tensor(opname, input, other):
    if not isinstance(other, Tensor):
        raise TypeError(f"{opname}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if not isinstance(input, Tensor):
        raise TypeError(f"{opname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def _xlogy_np(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        r = x * np.log(y)
    # 0 * log(y) is 0 (even for y == 0), but a NaN y stays NaN, as in PyTorch.
    return np.where((np.asarray(x) == 0) & ~np.isnan(y), 0, r)


def _maxmin_grads(pick):
    def grads(g, a, b, need):
        # Ties split the gradient evenly, as PyTorch does.
        sel = pick(a, b)
        tie = a == b
        wa = where(tie, 0.5, where(sel, 1.0, 0.0)).to(g.dtype)
        return g * wa, g * (1 - wa)
    return grads


def _zeros(g):
    from .creation import zeros_like
    return zeros_like(g)


maximum, MaximumBackward0 = _pair("MaximumBackward0", np.maximum,
                                  _maxmin_grads(lambda a, b: a > b))
minimum, MinimumBackward0 = _pair("MinimumBackward0", np.minimum,
                                  _maxmin_grads(lambda a, b: a < b))
fmax, FmaxBackward0 = _pair("FmaxBackward0", np.fmax,
                            _maxmin_grads(lambda a, b: logical_or(a > b, b.isnan())))
fmin, FminBackward0 = _pair("FminBackward0", np.fmin,
                            _maxmin_grads(lambda a, b: logical_or(a < b, b.isnan())))
atan2, Atan2Backward0 = _pair(
    "Atan2Backward0", np.arctan2,
    lambda g, a, b, need: (g * b / (a * a + b * b), g * -a / (a * a + b * b)),
    float_result=True)
hypot, HypotBackward0 = _pair(
    "HypotBackward0", np.hypot,
    lambda g, a, b, need: (g * a / hypot(a, b), g * b / hypot(a, b)), kinds=_FLOAT,
    kname="hypot_cpu")
fmod, FmodBackward0 = _pair(
    "FmodBackward0", _int_div_guard(np.fmod),
    lambda g, a, b, need: (g, g * -div(a, b, rounding_mode="trunc")), scalar_ok=True,
    kinds=_NUM, kname="fmod_cpu", names=("FmodBackward1", "FmodBackward0", None))
_remainder, RemainderBackward0 = _pair(
    "RemainderBackward0", _int_div_guard(np.remainder),
    lambda g, a, b, need: (g, g * -div(a, b, rounding_mode="floor")), scalar_ok=True,
    kinds=_NUM, kname="remainder_cpu",
    names=("RemainderBackward1", "RemainderBackward0", "RemainderBackward0"))


def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of ``other``."""
    if not isinstance(input, Tensor):
        # number % tensor: PyTorch has no derivative for this overload.
        return _out(_binary_op(input, other, _int_div_guard(np.remainder), _RemainderNoGrad,
                               kinds=_NUM, kname="remainder_cpu", scalar_edge=False), out)
    return _remainder(input, other, out=out)


copysign, CopysignBackward0 = _pair(
    "CopysignBackward0", np.copysign,
    lambda g, a, b, need: (g * where(a == 0, 0.0, a.sign() * where(
        logical_or(b < 0, logical_and(b == 0, b.signbit())), -1.0, 1.0)), _zeros(g)),
    float_result=True, scalar_ok=True,
    names=("CopysignBackward0", "CopysignBackward1", "CopysignBackward0"))
logaddexp, LogaddexpBackward0 = _pair(
    "LogaddexpBackward0", np.logaddexp,
    lambda g, a, b, need: (g * (a - logaddexp(a, b)).exp(), g * (b - logaddexp(a, b)).exp()),
    kinds=_FLOAT, kname="logaddexp_cpu")
logaddexp2, Logaddexp2Backward0 = _pair(
    "Logaddexp2Backward0", np.logaddexp2,
    lambda g, a, b, need: (g * (a - logaddexp2(a, b)).exp2(), g * (b - logaddexp2(a, b)).exp2()),
    kinds=_FLOAT, kname="logaddexp2_cpu")
xlogy, XlogyBackward0 = _pair(
    "XlogyBackward0", lambda x, y: _xlogy_np(x, y),
    lambda g, a, b, need: (where(logical_and(a == 0, b <= 0), 0.0, xlogy(g, b)), g * a / b),
    float_result=True,
    scalar_ok=True, names=("XlogyBackward0", "XlogyBackward2", "XlogyBackward1"))


def _out(res, out):
    if out is None:
        return res
    from .conversion import copy_into_out
    return copy_into_out(out, res)


# ================================================================ unary math
class _UnaryBackward(Node):
    __slots__ = ()
    grad = None  # staticmethod (node, g) -> grad of input, written as g * f'(x)

    def backward(self, g):
        if g._data.dtype.kind == "c":  # PyTorch's convention: g * conj(f'(x))
            return type(self).grad(self, g.conj()).conj()
        return type(self).grad(self, g)


def _input(node):
    return node.saved_tensors[0]


_BF16 = dt._np_bfloat16
_F32 = np.dtype(np.float32)


def _unary(name, compute, grad, saves="input", float_only=True, bool_error=None,
           int_error=None):
    """Build ``op(input)`` + its backward node from an array function and a grad rule.

    float_only: integer/bool inputs compute in the default float dtype (``sin(int)`` is
    float). bool_error / int_error: (exception class, message) PyTorch raises for those
    inputs; ``{}`` in the message becomes the dtype's C++ name.
    """
    cls = type(name, (_UnaryBackward,), {"__slots__": (), "grad": staticmethod(grad)})

    def op(input, *, out=None):
        d = input._data
        kind = d.dtype.kind
        if kind == "f":
            res = compute(d)
        elif d.dtype == _BF16:  # NumPy lacks most bfloat16 kernels: compute in float32
            res = compute(d.astype(_F32)).astype(_BF16)
        else:
            if kind in "biu":
                err = bool_error if kind == "b" and bool_error is not None else int_error
                if err is not None:
                    raise err[0](err[1].format(dt.type_word(d.dtype)))
                if float_only:
                    d = d.astype(dt.get_default_dtype().numpy_dtype)
            res = compute(d)
        if type(res) is not _ndarray:
            res = arr(res)
        # keep float16 / float32 (SciPy kernels may widen); abs of complex stays real
        if res.dtype != d.dtype and not (kind == "c" and res.dtype.kind == "f"):
            res = res.astype(d.dtype)
        t = wrap(res)
        if grad is not None and state.enabled and input._requires_grad:
            node = cls()
            if saves == "input":
                node.save_for_backward(input)
            elif saves == "output":
                attach(t, node, (input,))
                node.save_output(t)
                return _out(t, out)
            attach(t, node, (input,))
        return _out(t, out)
    op.__name__ = name
    return op, cls


def _kernel_missing(kernel, bool_only=False):
    return (NotImplementedError, f'"{kernel}" not implemented for \'{{}}\'')


def _zero_grad(node, g):
    from .creation import zeros_like
    return zeros_like(g)


_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRTPI = 2.0 / math.sqrt(math.pi)

exp, ExpBackward0 = _unary("ExpBackward0", np.exp, lambda n, g: g * n.saved_output(), "output")
exp2, Exp2Backward0 = _unary("Exp2Backward0", np.exp2,
                             lambda n, g: g * n.saved_output() * _LN2, "output")
expm1, Expm1Backward0 = _unary("Expm1Backward0", np.expm1,
                               lambda n, g: g * (n.saved_output() + 1), "output")
log, LogBackward0 = _unary("LogBackward0", np.log, lambda n, g: g / _input(n))
log2, Log2Backward0 = _unary("Log2Backward0", np.log2, lambda n, g: g / (_input(n) * _LN2))
log10, Log10Backward0 = _unary("Log10Backward0", np.log10,
                               lambda n, g: g / (_input(n) * _LN10))
log1p, Log1PBackward0 = _unary("Log1PBackward0", np.log1p, lambda n, g: g / (_input(n) + 1))
sqrt, SqrtBackward0 = _unary("SqrtBackward0", np.sqrt,
                             lambda n, g: g / (2 * n.saved_output()), "output")
rsqrt, RsqrtBackward0 = _unary("RsqrtBackward0", lambda x: 1 / np.sqrt(x),
                               lambda n, g: g * -0.5 * n.saved_output().pow(3), "output")
sin, SinBackward0 = _unary("SinBackward0", np.sin, lambda n, g: g * _input(n).cos())
cos, CosBackward0 = _unary("CosBackward0", np.cos, lambda n, g: g * -_input(n).sin())
tan, TanBackward0 = _unary("TanBackward0", np.tan,
                           lambda n, g: g * (1 + n.saved_output().square()), "output")
asin, AsinBackward0 = _unary("AsinBackward0", np.arcsin,
                             lambda n, g: g * (1 - _input(n).square()).rsqrt())
acos, AcosBackward0 = _unary("AcosBackward0", np.arccos,
                             lambda n, g: g * -(1 - _input(n).square()).rsqrt())
atan, AtanBackward0 = _unary("AtanBackward0", np.arctan,
                             lambda n, g: g / (1 + _input(n).square()))
sinh, SinhBackward0 = _unary("SinhBackward0", np.sinh, lambda n, g: g * _input(n).cosh())
cosh, CoshBackward0 = _unary("CoshBackward0", np.cosh, lambda n, g: g * _input(n).sinh())
def _output_grad(kernel, formula):
    """A saved-output gradient: the native float32 kernel (shared with the engine's array
    path, so both give the same bits) when no graph is being built, else ``formula``."""
    def grad(n, g):
        y = n.saved_output()
        if not state.enabled:
            out = _ck.activation_grad(kernel, g._data, y._data)
            if out is not None:
                return wrap(out)
        return formula(g, y)
    return grad


tanh, TanhBackward0 = _unary("TanhBackward0", np.tanh,
                             _output_grad("tanh_grad", lambda g, y: g * (1 - y.square())),
                             "output")
asinh, AsinhBackward0 = _unary("AsinhBackward0", np.arcsinh,
                               lambda n, g: g * (_input(n).square() + 1).rsqrt())
acosh, AcoshBackward0 = _unary("AcoshBackward0", np.arccosh,
                               lambda n, g: g * (_input(n).square() - 1).rsqrt())
atanh, AtanhBackward0 = _unary("AtanhBackward0", np.arctanh,
                               lambda n, g: g / (1 - _input(n).square()))


def _sigmoid_np(x):
    if x.dtype.kind == "c":
        return 1 / (1 + np.exp(-x))
    # Stable for large |x|: exp of a non-positive number only.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


sigmoid, SigmoidBackward0 = _unary(
    "SigmoidBackward0", _sigmoid_np,
    _output_grad("sigmoid_grad", lambda g, y: g * (1 - y) * y), "output")


def _relu_np(x):
    return np.maximum(x, 0)


def _relu_grad(n, g):
    out = n.saved_output()
    if state.enabled:  # create_graph: PyTorch's ThresholdBackwardBackward0 (see activation.py)
        from .activation import relu_grad_graph
        return relu_grad_graph(g, out)
    return Tensor._wrap(relu_backward(g._data, out._data))


def _sign_np(x):
    if x.dtype.kind == "b":
        return x.copy()
    r = np.sign(x)
    if x.dtype.kind == "f":  # PyTorch: sign(nan) == 0
        r = arr(r)
        r[np.isnan(r)] = 0
    return r


def _round_like(npfn):
    return lambda x: npfn(x) if x.dtype.kind == "f" else x.copy()


relu, ReluBackward0 = _unary("ReluBackward0", _relu_np, _relu_grad, "output", float_only=False,
                             bool_error=(RuntimeError, "Boolean inputs not supported for relu"))
abs, AbsBackward0 = _unary("AbsBackward0", np.abs, lambda n, g: g * _input(n).sign(),
                           float_only=False, bool_error=_kernel_missing("abs_cpu"))


def _abs_backward(self, g):
    x = _input(self)
    if x._data.dtype.kind == "c":
        return g * x.sgn()  # d|z|: the real gradient times z / |z| (0 at 0)
    return g * x.sign()


AbsBackward0.backward = _abs_backward
neg, NegBackward0 = _unary(
    "NegBackward0", np.negative, lambda n, g: -g, None, float_only=False,
    bool_error=(RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported. "
                "If you are trying to invert a mask, use the `~` or `logical_not()` operator "
                "instead."))
sign, SignBackward0 = _unary("SignBackward0", _sign_np, _zero_grad, None, float_only=False)
sgn, SgnBackward0 = _unary("SgnBackward0", _sign_np, _zero_grad, None, float_only=False)
floor, FloorBackward0 = _unary("FloorBackward0", _round_like(np.floor), _zero_grad, None,
                               float_only=False, bool_error=_kernel_missing("floor_vml_cpu"))
ceil, CeilBackward0 = _unary("CeilBackward0", _round_like(np.ceil), _zero_grad, None,
                             float_only=False, bool_error=_kernel_missing("ceil_vml_cpu"))
trunc, TruncBackward0 = _unary("TruncBackward0", _round_like(np.trunc), _zero_grad, None,
                               float_only=False, bool_error=_kernel_missing("trunc_vml_cpu"))
fix = trunc
frac, FracBackward0 = _unary("FracBackward0", lambda x: x - np.trunc(x), lambda n, g: g, None,
                             int_error=_kernel_missing("frac_cpu"))
reciprocal, ReciprocalBackward0 = _unary(
    "ReciprocalBackward0", lambda x: 1 / x,
    lambda n, g: g * -n.saved_output().square(), "output")
erf, ErfBackward0 = _unary("ErfBackward0", special.erf,
                           lambda n, g: g * _TWO_OVER_SQRTPI * (-_input(n).square()).exp())
erfc, ErfcBackward0 = _unary("ErfcBackward0", special.erfc,
                             lambda n, g: g * -_TWO_OVER_SQRTPI * (-_input(n).square()).exp())
erfinv, ErfinvBackward0 = _unary(
    "ErfinvBackward0", special.erfinv,
    lambda n, g: g * (math.sqrt(math.pi) / 2) * n.saved_output().square().exp(), "output")
lgamma, LgammaBackward0 = _unary("LgammaBackward0", special.lgamma,
                                 lambda n, g: g * _input(n).digamma())
digamma, DigammaBackward0 = _unary("DigammaBackward0", special.digamma,
                                   lambda n, g: g * polygamma(1, _input(n)))
i0, I0Backward0 = _unary("I0Backward0", special.i0, None, None)
sinc, SincBackward0 = _unary(
    "SincBackward0", np.sinc,
    lambda n, g: g * where(_input(n) == 0, 0.0, ((_input(n) * math.pi).cos() * math.pi *
                                                  _input(n) - (_input(n) * math.pi).sin()) /
                           (math.pi * _input(n).square())))
deg2rad, Deg2RadBackward0 = _unary("Deg2RadBackward0", np.deg2rad,
                                   lambda n, g: g * (math.pi / 180))
rad2deg, Rad2DegBackward0 = _unary("Rad2DegBackward0", np.rad2deg,
                                   lambda n, g: g * (180 / math.pi))


def square(input, *, out=None):
    if input._data.dtype == np.bool_:
        return _out(input.to(dt.int64) * input.to(dt.int64), out)
    return pow(input, 2, out=out)


class PolygammaBackward0(Node):
    __slots__ = ("_n",)

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * polygamma(self._n + 1, x)


def polygamma(n, input, *, out=None):
    """The n-th derivative of the digamma function."""
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    src = d.astype(_F32) if d.dtype == _BF16 else d
    res = wrap(arr(special.polygamma(n, src)).astype(d.dtype, copy=False))
    if grad_needed(input):
        node = PolygammaBackward0()
        node._n = n
        node.save_for_backward(input)
        attach(res, node, (input,))
    return _out(res, out)


class RoundBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        from .creation import zeros_like
        return zeros_like(g)


class RoundBackward1(RoundBackward0):
    __slots__ = ()


def round(input, *, decimals=0, out=None):
    """Round half to even (as PyTorch); ``decimals`` rounds to that many decimal places."""
    d = input._data
    kind = d.dtype.kind
    if kind == "b":
        raise NotImplementedError("\"round_vml_cpu\" not implemented for 'Bool'")
    if kind == "f":
        res = np.round(d, decimals)
    elif d.dtype == _BF16:
        res = np.round(d.astype(_F32), decimals).astype(_BF16)
    else:
        if decimals != 0:
            raise NotImplementedError(f"\"round_cpu\" not implemented for "
                                      f"'{dt.type_word(d.dtype)}'")
        res = d.copy()
    res = wrap(arr(res))
    if grad_needed(input):
        attach(res, RoundBackward0() if decimals == 0 else RoundBackward1(), (input,))
    return _out(res, out)


def positive(input):
    """Returns ``input`` itself (the ``+t`` operator)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class LogitBackward0(Node):
    __slots__ = ("_eps",)

    def backward(self, g):
        (x,) = self.saved_tensors
        grad = g / (x * (1 - x))
        eps = self._eps
        if eps is None:
            return grad
        # Inside the clamp region the output is constant: zero gradient, as PyTorch.
        return where(logical_or(x < eps, x > 1 - eps), 0.0, grad)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps`` the input is first clamped to [eps, 1 - eps]."""
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    src = d.astype(_F32) if d.dtype == _BF16 else d
    if eps is not None:
        src = np.clip(src, eps, 1 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = arr(np.log(src / (1 - src)))
    res = wrap(res.astype(d.dtype, copy=False))
    if grad_needed(input):
        node = LogitBackward0()
        node._eps = eps
        node.save_for_backward(input)
        attach(res, node, (input,))
    return _out(res, out)


# ================================================================ clamp / where / lerp / misc
class ClampBackward1(Node):
    __slots__ = ("_lo", "_hi")

    def backward(self, g):
        (x,) = self.saved_tensors
        mask = None
        if self._lo is not None:
            mask = x >= self._lo
        if self._hi is not None:
            m2 = x <= self._hi
            mask = m2 if mask is None else logical_and(mask, m2)
        # where, not g * mask: PyTorch gives 0 in clamped positions even for a NaN gradient
        return where(mask, g, 0.0)


class ClampBackward0(Node):
    """clamp with tensor bounds."""

    __slots__ = ()

    def backward(self, g):
        x, lo, hi = self.saved_tensors
        gx = glo = ghi = None
        keep = None
        if lo is not None:
            keep = x >= lo
        if hi is not None:
            m = x <= hi
            keep = m if keep is None else logical_and(keep, m)
        gx = sum_to(where(keep, g, 0.0), x._data.shape) if self._next[0] is not None else None
        if lo is not None and self._next[1] is not None:
            m = x < lo if hi is None else logical_and(x < lo, lo <= hi)
            glo = cast_to(sum_to(where(m, g, 0.0), lo._data.shape), lo._data.dtype)
        if hi is not None and self._next[2] is not None:
            m = x > hi if lo is None else logical_or(x > hi, lo > hi)
            ghi = cast_to(sum_to(where(m, g, 0.0), hi._data.shape), hi._data.dtype)
        return gx, glo, ghi


def clamp(input, min=None, max=None, *, out=None):
    """Clip to [min, max]; bounds may be numbers or tensors (broadcast)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = to_tensor(min, input) if min is not None else None
        hi = to_tensor(max, input) if max is not None else None
        d = input._data
        rt = input.dtype
        for b in (lo, hi):
            if b is not None:
                rt = dt.promote_types(rt, b.dtype)
        d = d.astype(rt.numpy_dtype, copy=False)
        res = d
        if lo is not None:
            res = np.maximum(res, lo._data.astype(rt.numpy_dtype, copy=False))
        if hi is not None:
            res = np.minimum(res, hi._data.astype(rt.numpy_dtype, copy=False))
        res = wrap(arr(np.broadcast_to(res, np.broadcast_shapes(
            *(t._data.shape for t in (input, lo, hi) if t is not None))).copy()))
        if grad_needed(input, lo, hi):
            node = ClampBackward0()
            node.save_for_backward(input, lo, hi)
            attach(res, node, (input, lo, hi))
        return _out(res, out)
    d = input._data
    lo = min.item() if isinstance(min, np.generic) else min
    hi = max.item() if isinstance(max, np.generic) else max
    if d.dtype.kind in "biu" and (isinstance(lo, float) or isinstance(hi, float)):
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    if lo is not None and hi is not None:
        res = np.minimum(np.maximum(d, lo), hi) if lo <= hi else np.full_like(d, hi)
    elif lo is not None:
        res = np.maximum(d, lo)
    else:
        res = np.minimum(d, hi)
    res = wrap(arr(res).astype(d.dtype, copy=False))
    if grad_needed(input):
        node = ClampBackward1()
        node._lo = lo
        node._hi = hi
        node.save_for_backward(input)
        attach(res, node, (input,))
    return _out(res, out)


clip = clamp


class ClampMinBackward0(ClampBackward1):
    __slots__ = ()


class ClampMaxBackward0(ClampBackward1):
    __slots__ = ()


def clamp_min(input, min):
    res = clamp(input, min=min)
    if type(res._grad_fn) is ClampBackward1:
        res._grad_fn.__class__ = ClampMinBackward0  # PyTorch names the one-sided op apart
    return res


def clamp_max(input, max):
    res = clamp(input, max=max)
    if type(res._grad_fn) is ClampBackward1:
        res._grad_fn.__class__ = ClampMaxBackward0
    return res


class WhereBackward0(Node):
    __slots__ = ("_sa", "_sb", "_da", "_db")

    def backward(self, g):
        (cond,) = self.saved_tensors
        from .creation import zeros_like
        z = zeros_like(g)
        ga = gb = None
        if self._next[0] is not None:
            ga = cast_to(sum_to(where(cond, g, z), self._sa), self._da)
        if self._next[1] is not None:
            gb = cast_to(sum_to(where(cond, z, g), self._sb), self._db)
        return ga, gb


def where(condition, input=None, other=None, *, out=None):
    """Pick from input where condition holds, else from other (numbers allowed)."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = to_tensor(condition)
    cd = condition._data
    if cd.dtype != np.bool_:
        if cd.dtype == np.uint8:
            cd = cd.astype(bool)
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {condition.dtype.name.capitalize()}")
    a_t = isinstance(input, Tensor)
    b_t = isinstance(other, Tensor)
    if a_t and b_t:
        x, y, _ = binary_arrays(input, other)
    elif a_t:
        x, y, _ = binary_arrays(input, other)
    elif b_t:
        y, x, _ = binary_arrays(other, input)
    else:
        from .creation import tensor
        rt = dt.result_type_of(((dt.scalar_dtype(input), 2), (dt.scalar_dtype(other), 2)))
        x = np.asarray(input, dtype=rt.numpy_dtype)
        y = np.asarray(other, dtype=rt.numpy_dtype)
    try:
        res = arr(np.where(cd, x, y))
    except ValueError:
        raise _broadcast_error_many(cd, x, y) from None
    want = x.dtype if isinstance(x, _ndarray) else (y.dtype if isinstance(y, _ndarray) else None)
    if want is not None and res.dtype != want:  # bfloat16 with a Python scalar
        res = res.astype(want)
    res = wrap(res)
    ta = input if a_t else None
    tb = other if b_t else None
    if grad_needed(ta, tb):
        node = WhereBackward0()
        node.save_for_backward(condition)
        node._sa = input._data.shape if a_t else None
        node._sb = other._data.shape if b_t else None
        node._da = input._data.dtype if a_t else None
        node._db = other._data.dtype if b_t else None
        attach(res, node, (ta, tb))
    return _out(res, out)


class _TernaryBackward(Node):
    """lerp / addcmul / addcdiv: three broadcast inputs, gradients summed back to each."""

    __slots__ = ("_shapes", "_dtypes", "_value")

    def _fit(self, i, g):
        if g is None or self._next[i] is None:
            return None
        return cast_to(sum_to(g, self._shapes[i]), self._dtypes[i])


class LerpBackward0(_TernaryBackward):
    """lerp with a number weight."""

    __slots__ = ()

    def backward(self, g):
        w = self._value
        return self._fit(0, g * (1 - w)), self._fit(1, g * w), None


class LerpBackward1(_TernaryBackward):
    __slots__ = ()

    def backward(self, g):
        a, b, w = self.saved_tensors
        if g._data.dtype.kind == "c":
            a, b, w = _conj(a), _conj(b), _conj(w)
        return (self._fit(0, g * (1 - w)), self._fit(1, g * w),
                self._fit(2, g * (b - a)) if self._next[2] is not None else None)


class AddcmulBackward0(_TernaryBackward):
    __slots__ = ()

    def backward(self, g):
        _, t1, t2 = self.saved_tensors
        if g._data.dtype.kind == "c":
            t1 = _conj(t1)
            t2 = _conj(t2)
        v = self._value
        gv = g if v == 1 else g * v
        return (self._fit(0, g), self._fit(1, gv * t2) if self._next[1] is not None else None,
                self._fit(2, gv * t1) if self._next[2] is not None else None)


class AddcdivBackward0(_TernaryBackward):
    __slots__ = ()

    def backward(self, g):
        _, t1, t2 = self.saved_tensors
        if g._data.dtype.kind == "c":
            t1 = _conj(t1)
            t2 = _conj(t2)
        v = self._value
        gv = g if v == 1 else g * v
        return (self._fit(0, g), self._fit(1, gv / t2) if self._next[1] is not None else None,
                self._fit(2, -gv * t1 / (t2 * t2)) if self._next[2] is not None else None)


def _ternary_arrays(tensors):
    rt = promote_tensors(*tensors).numpy_dtype
    arrays = [t._data.astype(rt, copy=False) for t in tensors]
    try:
        np.broadcast_shapes(*(x.shape for x in arrays))
    except ValueError:
        raise _broadcast_error_many(*arrays) from None
    return arrays, rt


def _ternary_result(res, rt, node_cls, tensors, value, save):
    res = arr(res)
    if res.dtype != rt:
        res = res.astype(rt)
    out = wrap(res)
    if grad_needed(*tensors):
        node = node_cls()
        node._shapes = tuple(t._data.shape if t is not None else None for t in tensors)
        node._dtypes = tuple(t._data.dtype if t is not None else None for t in tensors)
        node._value = value
        if save:
            node.save_for_backward(*tensors)
        attach(out, node, tensors)
    return out


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``; weight is a number or a tensor (broadcast)."""
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {_short(input)} for `end` but got dtype "
                           f"{_short(end)}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"lerp_kernel_scalar\" not implemented for "
                                  f"'{dt.type_word(input._data.dtype)}'")
    if isinstance(weight, Tensor):
        if weight._data.dtype != input._data.dtype:
            raise RuntimeError(f"expected dtype {_short(input)} for `weight` but got dtype "
                               f"{_short(weight)}")
        (a, b, w), rt = _ternary_arrays((input, end, weight))
        return _out(_ternary_result(a + w * (b - a), rt, LerpBackward1, (input, end, weight),
                                    None, True), out)
    (a, b), rt = _ternary_arrays((input, end))
    w = float(weight)
    return _out(_ternary_result(a + w * (b - a), rt, LerpBackward0, (input, end), w, False),
                out)


def _short(t):
    return {"float32": "float", "float64": "double", "float16": "half", "int64": "long",
            "int32": "int"}.get(t.dtype.name, t.dtype.name)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2`` with broadcasting."""
    tensors = tuple(to_tensor(t) for t in (input, tensor1, tensor2))
    (a, b, c), rt = _ternary_arrays(tensors)
    prod = b * c
    res = a + (prod if value == 1 else prod * value)
    return _out(_ternary_result(res, rt, AddcmulBackward0, tensors, value, True), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` with broadcasting."""
    tensors = tuple(to_tensor(t) for t in (input, tensor1, tensor2))
    if tensors[1]._data.dtype.kind in "biu" and tensors[2]._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) "
            "for float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    (a, b, c), rt = _ternary_arrays(tensors)
    q = b / c
    res = a + (q if value == 1 else q * value)
    return _out(_ternary_result(res, rt, AddcdivBackward0, tensors, value, True), out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    d = input._data
    if d.dtype.kind not in "fc":
        return _out(input.clone(), out)
    fin = np.finfo(d.dtype) if d.dtype.kind == "f" and d.dtype != dt._np_bfloat16 else None
    big = fin.max if fin is not None else float(dt.finfo(input.dtype).max)
    pos = big if posinf is None else posinf
    negv = -big if neginf is None else neginf
    src = d.astype(_F32) if d.dtype == _BF16 else d
    res = wrap(arr(np.nan_to_num(src, nan=nan, posinf=pos, neginf=negv)).astype(d.dtype,
                                                                                copy=False))
    if grad_needed(input):
        node = NanToNumBackward0()
        node.save_for_backward(input)
        attach(res, node, (input,))
    return _out(res, out)


class NanToNumBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (x,) = self.saved_tensors
        return g * x.isfinite()


# ================================================================ comparisons & predicates
def _compare(npfn):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input, other = to_tensor(input, other if isinstance(other, Tensor) else None), other
        x, y, _ = binary_arrays(input, other)
        try:
            res = npfn(x, y)
        except ValueError:
            raise _broadcast_error(x, y) from None
        return _out(wrap(arr(res)), out)
    op.__name__ = npfn.__name__
    return op


eq = _compare(np.equal)
ne = _compare(np.not_equal)
lt = _compare(np.less)
le = _compare(np.less_equal)
gt = _compare(np.greater)
ge = _compare(np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _predicate(npfn, int_default):
    def op(input):
        d = input._data
        if d.dtype.kind in "biu":
            return wrap(np.full(d.shape, int_default, dtype=bool))
        if d.dtype == _BF16:
            d = d.astype(_F32)
        return wrap(arr(npfn(d)))
    op.__name__ = npfn.__name__
    return op


isnan = _predicate(np.isnan, False)
isinf = _predicate(np.isinf, False)
isfinite = _predicate(np.isfinite, True)
isposinf = _predicate(np.isposinf, False)
isneginf = _predicate(np.isneginf, False)
isreal = _predicate(np.isreal, True)


def signbit(input):
    d = input._data
    if d.dtype == _BF16:
        d = d.astype(_F32)
    return wrap(arr(np.signbit(d) if d.dtype.kind == "f" else d < 0))


def _logical(npfn, name):
    def op(input, other=None, *, out=None):
        x = input._data
        if x.dtype == _BF16:
            x = x.astype(_F32)
        if other is None:
            return _out(wrap(arr(npfn(x))), out)
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(other).__name__}")
        y = other._data
        if y.dtype == _BF16:
            y = y.astype(_F32)
        try:
            res = npfn(x, y)
        except ValueError:
            raise _broadcast_error(x, y) from None
        return _out(wrap(arr(res)), out)
    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")
logical_not = _logical(np.logical_not, "logical_not")


def _bitwise(npfn, name, kernel, bool_ok=True):
    def op(input, other=None, *, out=None):
        if not isinstance(input, Tensor):
            input = to_tensor(input, other if isinstance(other, Tensor) else None)
        if other is None:
            x = input._data
        else:
            x, other, _ = binary_arrays(input, other)
        kind = x.dtype.kind
        if kind not in "biu" or (kind == "b" and not bool_ok):
            raise _not_implemented(kernel, x.dtype)
        if other is None:
            return _out(wrap(arr(npfn(x))), out)
        try:
            res = npfn(x, other)
        except ValueError:
            raise _broadcast_error(x, other) from None
        return _out(wrap(arr(res)), out)
    op.__name__ = name
    return op


def _shift(npfn):
    def f(x, y):
        # PyTorch: shifting by the bit width or more gives 0 (NumPy's result is undefined).
        bits = x.dtype.itemsize * 8
        yd = np.asarray(y)
        res = npfn(x, yd.astype(x.dtype, copy=False) if yd.dtype != x.dtype else yd)
        big = yd >= bits
        if np.any(big):
            res = np.where(big, (x < 0) * -1 if npfn is np.right_shift else 0, res)
        return res.astype(x.dtype, copy=False)
    return f


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and", "bitwise_and_cpu")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or", "bitwise_or_cpu")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor", "bitwise_xor_cpu")
bitwise_not = _bitwise(lambda x: np.logical_not(x) if x.dtype == np.bool_ else np.invert(x),
                       "bitwise_not", "bitwise_not_cpu")
bitwise_left_shift = _bitwise(_shift(np.left_shift), "bitwise_left_shift", "lshift_cpu",
                              bool_ok=False)
bitwise_right_shift = _bitwise(_shift(np.right_shift), "bitwise_right_shift", "rshift_cpu",
                               bool_ok=False)


def invert(input):
    """The ``~`` operator: bitwise not of an integer or bool tensor."""
    if input._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(input)


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(np.array_equal(
        input._host(), other._host()))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    o = other._data if isinstance(other, Tensor) else other
    return wrap(arr(np.isclose(input._data, o, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


# ================================================================ in-place variants
def _make_inplace(fn, saves_self=True, fast=None):
    """``t.op_(...)``: in place; a no-grad fast path writes with NumPy's ``out=``."""
    def op_(self, *args, **kwargs):
        if _ever.inference:  # before the fast path writes: inference tensors (see grad_mode)
            check_inference_inplace(self)
        if fast is not None and not (state.enabled and (self._requires_grad or any(
                isinstance(a, Tensor) and a._requires_grad for a in args))):
            d = self._data
            if not kwargs and len(args) == 1:
                other = args[0]
                if isinstance(other, Tensor):
                    od = other._data
                    if od.dtype == d.dtype and type(od) is type(d) and d.dtype.kind != "b":
                        if not d.flags.writeable:
                            return commit_inplace(self, fn(self, *args))
                        try:
                            fast(d, od, out=d)
                        except ValueError:
                            raise _inplace_shape_error(d, od) from None
                        self._vc[0] += 1
                        return self
                elif type(other) in (int, float) and d.dtype.kind == "f":
                    if not d.flags.writeable:
                        return commit_inplace(self, fn(self, *args))
                    fast(d, other, out=d)
                    self._vc[0] += 1
                    return self
        return inplace(self, lambda s, *a: fn(s, *a, **kwargs), *args, saves_self=saves_self)
    op_.__name__ = fn.__name__ + "_" if hasattr(fn, "__name__") else "inplace_op"
    return op_


def _inplace_shape_error(d, od):
    try:
        full = np.broadcast_shapes(d.shape, od.shape)
    except ValueError:
        return _broadcast_error(d, od)
    return RuntimeError(f"output with shape {list(d.shape)} doesn't match the broadcast shape "
                        f"{list(full)}")


def copysign_(self, other):
    return inplace(self, copysign, other)
