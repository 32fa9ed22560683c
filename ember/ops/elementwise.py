"""Elementwise ops: binary arithmetic with broadcasting and promotion, unary math, compare.

Forward computes on arrays; backward is written with Tensor ops so it is differentiable.
"""
import math

import numpy as np

from .. import dtypes as dt
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import special
from ..tensor import Tensor
from ._util import (arr, attach, binary_arrays, cast_to, check_inplace, commit_inplace,
                    grad_needed, inplace, snapshot, sum_to, to_tensor, wrap)

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


def _binary_op(a, b, compute, node_cls, float_result=False, save=False, alpha=1, name=None):
    if not isinstance(a, Tensor):
        a = to_tensor(a, b if isinstance(b, Tensor) else None)
    x, y, bt = binary_arrays(a, b, float_result)
    out = wrap(arr(compute(x, y)))
    if state.enabled and (a._requires_grad or (bt is not None and bt._requires_grad)):
        node = node_cls()
        node._setup(a, bt, None if bt is not None else y, alpha)
        if save:
            node.save_for_backward(a, bt)
        attach(out, node, (a, bt))
    return out


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


class RsubBackward1(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        return self._ga(-g if self._alpha == 1 else g * -self._alpha), None


class MulBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        other = b if b is not None else self._other
        ga = self._ga(g * other) if self._next[0] is not None else None
        gb = self._gb(g * a) if b is not None and self._next[1] is not None else None
        return ga, gb


class DivBackward0(_BinaryBackward):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        if b is None:
            return self._ga(g / self._other), None
        ga = self._ga(g / b) if self._next[0] is not None else None
        gb = self._gb(-g * a / (b * b)) if self._next[1] is not None else None
        return ga, gb


class _ZeroGradBackward(_BinaryBackward):
    """Ops that are piecewise constant (floor division, rounding): zero gradients."""

    __slots__ = ()

    def backward(self, g):
        from .creation import zeros_like
        ga = self._ga(zeros_like(g)) if self._next[0] is not None else None
        gb = self._gb(zeros_like(g)) if self._sb is not None and self._next[1] is not None \
            else None
        return ga, gb


class DivBackward1(_ZeroGradBackward):
    __slots__ = ()


def _combine_alpha(y, alpha):
    return y if alpha == 1 else y * alpha


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and PyTorch's type promotion."""
    if alpha == 1:
        res = _binary_op(input, other, np.add, AddBackward0)
    else:
        res = _binary_op(input, other, lambda x, y: x + y * alpha, AddBackward0, alpha=alpha)
    return _out(res, out)


def sub(input, other, *, alpha=1, out=None):
    _check_bool_sub(input, other)
    if alpha == 1:
        res = _binary_op(input, other, np.subtract, SubBackward0)
    else:
        res = _binary_op(input, other, lambda x, y: x - y * alpha, SubBackward0, alpha=alpha)
    return _out(res, out)


def _check_bool_sub(a, b):
    if isinstance(a, Tensor) and a._data.dtype == np.bool_ and \
            (not isinstance(b, Tensor) or b._data.dtype == np.bool_) and \
            (isinstance(b, (bool, Tensor))):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (the reflected ``number - tensor``)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    x, y, _ = binary_arrays(input, other)
    res = wrap(arr(y - (x if alpha == 1 else x * alpha)))
    if grad_needed(input):
        node = RsubBackward1()
        node._setup(input, None, y, alpha)
        attach(res, node, (input, None))
    return res


def mul(input, other, *, out=None):
    return _out(_binary_op(input, other, np.multiply, MulBackward0, save=True), out)


def div(input, other, *, rounding_mode=None, out=None):
    """True division (integers give floats), or 'trunc' / 'floor' rounding division."""
    if rounding_mode is None:
        return _out(_binary_op(input, other, np.true_divide, DivBackward0, float_result=True,
                               save=True), out)
    if rounding_mode == "trunc":
        def compute(x, y):
            if x.dtype.kind in "iu" and not isinstance(y, float):
                q = np.trunc(np.true_divide(x, y))
                return q.astype(x.dtype)
            return np.trunc(np.true_divide(x, y)).astype(x.dtype, copy=False)
    elif rounding_mode == "floor":
        def compute(x, y):
            return np.floor_divide(x, y)
    else:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return _out(_binary_op(input, other, _int_div_guard(compute), DivBackward1), out)


def _int_div_guard(compute):
    def f(x, y):
        if x.dtype.kind in "iu" and np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return compute(x, y)
    return f


true_divide = div


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


class PowBackward0(_BinaryBackward):
    """tensor ** number."""

    __slots__ = ()

    def backward(self, g):
        (a, _b) = self.saved_tensors
        e = self._other
        if e == 0:
            from .creation import zeros_like
            return self._ga(zeros_like(g)), None
        return self._ga(g * e * a.pow(e - 1)), None


class PowBackward1(_BinaryBackward):
    """tensor ** tensor."""

    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        ga = gb = None
        if self._next[0] is not None:
            ga = self._ga(g * b * a.pow(b - 1))
        if self._next[1] is not None:
            out = a.pow(b)
            # d/db a**b = a**b log a; PyTorch defines it as 0 where a == 0 and b >= 0.
            safe = where(logical_and(a == 0, b >= 0), 0.0, out * a.log())
            gb = self._gb(g * safe)
        return ga, gb


class PowBackward2(_BinaryBackward):
    """number ** tensor."""

    __slots__ = ()

    def backward(self, g):
        (b, _x) = self.saved_tensors
        base = self._other
        if base <= 0:
            return self._ga(g * 0.0), None
        return self._ga(g * pow(base, b) * math.log(base)), None


def pow(input, exponent, *, out=None):
    """``input ** exponent``; either may be a number."""
    if not isinstance(input, Tensor):
        x, y, _ = binary_arrays(exponent, input)
        res = wrap(arr(np.power(y, x)))
        if grad_needed(exponent):
            node = PowBackward2()
            node._setup(exponent, None, input)
            node.save_for_backward(exponent, None)
            attach(res, node, (exponent, None))
        return _out(res, out)
    if isinstance(exponent, Tensor):
        return _out(_binary_op(input, exponent, _safe_power, PowBackward1, save=True), out)
    x, y, _ = binary_arrays(input, exponent)
    if x.dtype.kind in "iu" and isinstance(y, int) and y < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if y == 2:
        res = x * x
    elif y == 0.5:
        res = np.sqrt(x)
    else:
        res = np.power(x, y)
    res = wrap(arr(res))
    if grad_needed(input):
        node = PowBackward0()
        node._setup(input, None, y)
        node.save_for_backward(input, None)
        attach(res, node, (input, None))
    return _out(res, out)


def _safe_power(x, y):
    if x.dtype.kind in "iu" and np.any(np.asarray(y) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
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
        ga, gb = type(self).grads(g, a, other, self.needs_input_grad)
        return (self._ga(ga) if ga is not None else None,
                self._gb(gb) if gb is not None and b is not None else None)


def _pair(name, compute, grads, float_result=False):
    cls = type(name, (_PairBackward,), {"__slots__": (), "grads": staticmethod(grads)})

    def op(input, other, *, out=None):
        return _out(_binary_op(input, other, compute, cls, float_result=float_result,
                               save=True), out)
    return op, cls


def _maxmin_grads(pick):
    def grads(g, a, b, need):
        # Ties split the gradient evenly, as PyTorch does.
        sel = pick(a, b)
        tie = a == b
        wa = where(tie, 0.5, where(sel, 1.0, 0.0)).to(g.dtype)
        return g * wa, g * (1 - wa)
    return grads


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
    lambda g, a, b, need: (g * a / hypot(a, b), g * b / hypot(a, b)))
fmod, FmodBackward0 = _pair(
    "FmodBackward0", _int_div_guard(np.fmod),
    lambda g, a, b, need: (g, g * -div(a, b, rounding_mode="trunc")))
remainder, RemainderBackward0 = _pair(
    "RemainderBackward0", _int_div_guard(np.remainder),
    lambda g, a, b, need: (g, g * -div(a, b, rounding_mode="floor")))
copysign, CopysignBackward0 = _pair(
    "CopysignBackward0", np.copysign,
    lambda g, a, b, need: (g * where(a == 0, 0.0, a.sign() * where(
        logical_or(b < 0, logical_and(b == 0, b.signbit())), -1.0, 1.0)), None),
    float_result=True)
logaddexp, LogaddexpBackward0 = _pair(
    "LogaddexpBackward0", np.logaddexp,
    lambda g, a, b, need: (g * (a - logaddexp(a, b)).exp(), g * (b - logaddexp(a, b)).exp()))
logaddexp2, Logaddexp2Backward0 = _pair(
    "Logaddexp2Backward0", np.logaddexp2,
    lambda g, a, b, need: (g * (a - logaddexp2(a, b)).exp2(), g * (b - logaddexp2(a, b)).exp2()))
xlogy, XlogyBackward0 = _pair(
    "XlogyBackward0", lambda x, y: np.where(np.asarray(x) == 0, 0, x * np.log(y)).astype(
        np.result_type(x, y), copy=False),
    lambda g, a, b, need: (g * where(a == 0, 0.0, b.log()), g * a / b), float_result=True)


def _out(res, out):
    if out is None:
        return res
    from .conversion import copy_into_out
    return copy_into_out(out, res)


# ================================================================ unary math
class _UnaryBackward(Node):
    __slots__ = ()
    grad = None  # staticmethod (node, g) -> grad of input

    def backward(self, g):
        return type(self).grad(self, g)


def _input(node):
    return node.saved_tensors[0]


def _unary(name, compute, grad, saves="input", float_only=True, int_ok=False,
           inplace_name=None):
    """Build ``op(input)`` + its backward node from an array function and a grad rule."""
    cls = type(name, (_UnaryBackward,), {"__slots__": (), "grad": staticmethod(grad)})

    def op(input, *, out=None):
        d = input._data
        if float_only and d.dtype.kind in "biu":
            d = d.astype(dt.get_default_dtype().numpy_dtype)
        res = compute(d)
        if type(res) is not _ndarray:
            res = arr(res)
        if res.dtype != d.dtype and res.dtype.kind == d.dtype.kind == "f":
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
tanh, TanhBackward0 = _unary("TanhBackward0", np.tanh,
                             lambda n, g: g * (1 - n.saved_output().square()), "output")
asinh, AsinhBackward0 = _unary("AsinhBackward0", np.arcsinh,
                               lambda n, g: g * (_input(n).square() + 1).rsqrt())
acosh, AcoshBackward0 = _unary("AcoshBackward0", np.arccosh,
                               lambda n, g: g * (_input(n).square() - 1).rsqrt())
atanh, AtanhBackward0 = _unary("AtanhBackward0", np.arctanh,
                               lambda n, g: g / (1 - _input(n).square()))


def _sigmoid_np(x):
    # Stable for large |x|: exp of a non-positive number only.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


sigmoid, SigmoidBackward0 = _unary(
    "SigmoidBackward0", _sigmoid_np,
    lambda n, g: g * n.saved_output() * (1 - n.saved_output()), "output")


def _relu_np(x):
    return np.maximum(x, 0) if x.dtype.kind != "b" else x


def _relu_grad(n, g):
    out = n.saved_output()
    return g * (out > 0)


relu, ReluBackward0 = _unary("ReluBackward0", _relu_np, _relu_grad, "output", float_only=False)
abs, AbsBackward0 = _unary("AbsBackward0", np.abs, lambda n, g: g * _input(n).sign(),
                           float_only=False)
neg, NegBackward0 = _unary("NegBackward0", np.negative, lambda n, g: -g, None,
                           float_only=False)
sign, SignBackward0 = _unary("SignBackward0", lambda x: np.sign(x) if x.dtype.kind != "b"
                             else x.copy(), _zero_grad, None, float_only=False)
sgn = sign
floor, FloorBackward0 = _unary("FloorBackward0", lambda x: np.floor(x) if x.dtype.kind == "f"
                               else x.copy(), _zero_grad, None, float_only=False)
ceil, CeilBackward0 = _unary("CeilBackward0", lambda x: np.ceil(x) if x.dtype.kind == "f"
                             else x.copy(), _zero_grad, None, float_only=False)
trunc, TruncBackward0 = _unary("TruncBackward0", lambda x: np.trunc(x) if x.dtype.kind == "f"
                               else x.copy(), _zero_grad, None, float_only=False)
fix = trunc
frac, FracBackward0 = _unary("FracBackward0", lambda x: x - np.trunc(x), lambda n, g: g, None)
reciprocal, ReciprocalBackward0 = _unary(
    "ReciprocalBackward0", lambda x: 1 / x,
    lambda n, g: g * -n.saved_output().square(), "output")
square_, _SquareNode = _unary("PowBackward0", np.square, lambda n, g: g * 2 * _input(n),
                              float_only=False)
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
    d = input._data
    if d.dtype.kind in "biu":
        d = d.astype(dt.get_default_dtype().numpy_dtype)
    res = wrap(arr(special.polygamma(n, d)).astype(d.dtype, copy=False))
    if grad_needed(input):
        node = PolygammaBackward0()
        node._n = n
        node.save_for_backward(input)
        attach(res, node, (input,))
    return _out(res, out)


def round(input, *, decimals=0, out=None):
    d = input._data
    res = np.round(d, decimals) if d.dtype.kind == "f" else d.copy()
    res = wrap(arr(res))
    if grad_needed(input):
        attach(res, RoundBackward0(), (input,))
    return _out(res, out)


class RoundBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        from .creation import zeros_like
        return zeros_like(g)


def positive(input):
    return input


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
        return g * mask


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
        gx = sum_to(g * keep, x._data.shape)
        if lo is not None and self._next[1] is not None:
            glo = sum_to(g * logical_and(x < lo, True if hi is None else lo <= hi),
                         lo._data.shape)
        if hi is not None and self._next[2] is not None:
            ghi = sum_to(g * (x > hi) if lo is None else g * logical_or(x > hi, lo > hi),
                         hi._data.shape)
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


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


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
    res = wrap(arr(np.where(cd, x, y)))
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


def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)``."""
    return _out(input + weight * (end - input), out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    return _out(input + value * tensor1 * tensor2 if value != 1 else input + tensor1 * tensor2,
                out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    return _out(input + value * (tensor1 / tensor2) if value != 1 else input + tensor1 / tensor2,
                out)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    d = input._data
    if d.dtype.kind not in "fc":
        return _out(input.clone(), out)
    fin = np.finfo(d.dtype) if d.dtype.kind == "f" and d.dtype != dt._np_bfloat16 else None
    big = fin.max if fin is not None else float(dt.finfo(input.dtype).max)
    pos = big if posinf is None else posinf
    negv = -big if neginf is None else neginf
    finite = input.isfinite()
    res = where(input.isnan(), nan, where(input == float("inf"), pos,
                                          where(input == float("-inf"), negv, input)))
    if input._requires_grad and state.enabled:
        res = where(finite, input, res.detach())
    return _out(res, out)


# ================================================================ comparisons & predicates
def _compare(npfn):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            input, other = to_tensor(input, other if isinstance(other, Tensor) else None), other
        x, y, _ = binary_arrays(input, other)
        return _out(wrap(arr(npfn(x, y))), out)
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
        return wrap(arr(npfn(d)))
    return op


isnan = _predicate(np.isnan, False)
isinf = _predicate(np.isinf, False)
isfinite = _predicate(np.isfinite, True)
isposinf = _predicate(np.isposinf, False)
isneginf = _predicate(np.isneginf, False)
isreal = _predicate(np.isreal, True)


def signbit(input):
    d = input._data
    return wrap(arr(np.signbit(d) if d.dtype.kind == "f" else d < 0))


def _logical(npfn):
    def op(input, other=None, *, out=None):
        x = input._data
        if other is None:
            return _out(wrap(arr(npfn(x))), out)
        y = other._data if isinstance(other, Tensor) else other
        return _out(wrap(arr(npfn(x, y))), out)
    return op


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)
logical_not = _logical(np.logical_not)


def _bitwise(npfn, name):
    def op(input, other=None, *, out=None):
        if not isinstance(input, Tensor):
            input = to_tensor(input, other if isinstance(other, Tensor) else None)
        if input._data.dtype.kind not in "biu":
            raise RuntimeError(f"\"{name}_cpu\" not implemented for "
                               f"'{input.dtype.name.capitalize()}'")
        if other is None:
            return _out(wrap(arr(npfn(input._data))), out)
        x, y, _ = binary_arrays(input, other)
        return _out(wrap(arr(npfn(x, y))), out)
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_not = _bitwise(lambda x: np.logical_not(x) if x.dtype == np.bool_ else np.invert(x),
                       "bitwise_not")
bitwise_left_shift = _bitwise(np.left_shift, "lshift")
bitwise_right_shift = _bitwise(np.right_shift, "rshift")


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
        if fast is not None and not (state.enabled and (self._requires_grad or any(
                isinstance(a, Tensor) and a._requires_grad for a in args))):
            d = self._data
            if not kwargs and len(args) == 1:
                other = args[0]
                if isinstance(other, Tensor):
                    od = other._data
                    if od.dtype == d.dtype and type(od) is type(d):
                        if not d.flags.writeable:
                            return commit_inplace(self, fn(self, *args))
                        fast(d, od, out=d)
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


def copysign_(self, other):
    return inplace(self, copysign, other)
