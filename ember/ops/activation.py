"""Activation functions: one fused node each (forward and backward side by side).

Every backward has two forms: a single NumPy expression when no higher-order graph is needed
(the engine runs backward under no_grad), and Tensor ops when ``create_graph=True`` so the
gradient is itself differentiable. Masks multiply (``g * (x > 0)``) instead of ``np.where``:
it is several times faster on large arrays.
"""
import math

import numpy as np

from ..amp import _policy as _amp
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import seq_kernels, special
from ..tensor import Tensor
from ._util import arr, attach, inplace, wrap

_SQRT2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

_KERNEL_TYPES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool"}


def _float_data(input, kernel):
    d = input._data
    if d.dtype.kind not in "fc" and d.dtype.name != "bfloat16":
        raise RuntimeError(f'"{kernel}" not implemented for '
                           f"'{_KERNEL_TYPES.get(d.dtype.name, d.dtype.name)}'")
    return d


class _ActBackward(Node):
    """x-saving activation node; subclasses give ``np_grad`` (arrays) and either ``t_grad``
    (Tensor ops) or, like PyTorch's ``<Op>BackwardBackward0``, ``t_grad2``: the second
    derivative, used by the node that records the first gradient under create_graph."""

    __slots__ = ("_a", "_b")
    _bb = None  # class of the first gradient's node (made by _gradgrad_node below)

    def backward(self, g):
        (x,) = self.saved_tensors
        if not state.enabled:
            return wrap(arr(self.np_grad(g._data, x._data)))
        if self._bb is None:
            return self.t_grad(g, x)
        return self.graph_grad(g, x)

    def graph_grad(self, g, x):
        """``g * f'(x)`` as one recorded node with edges to g and x. It requires grad whenever
        x does, even where ``f''`` is zero (piecewise-linear activations), as in PyTorch."""
        res = wrap(arr(self.np_grad(g._data, x._data)))
        if state.enabled and (g._requires_grad or x._requires_grad):
            node = self._bb()
            f = type(self)()  # the constants only: the forward node's graph can be freed
            f._a = self._a
            f._b = self._b
            node._f = f
            node.save_for_backward(g, x)
            attach(res, node, (g, x))
        return res

    def t_grad2(self, h, x):
        """``h * f''(x)``; zero for piecewise-linear activations."""
        return _zeros(x)


class _ActBackwardBackward(Node):
    """The first gradient ``g * f'(x)`` of an activation (edges: g, x)."""

    __slots__ = ("_f",)

    def backward(self, gg):
        g, x = self.saved_tensors
        f = self._f
        gg_g = gg_x = None
        if self._next[0] is not None:  # linear in g: the same first-derivative rule
            gg_g = f.graph_grad(gg, x) if state.enabled else \
                wrap(arr(f.np_grad(gg._data, x._data)))
        if self._next[1] is not None:
            gg_x = f.t_grad2(gg * g, x)
        return gg_g, gg_x


def _gradgrad_node(cls, name=None):
    """Give activation node ``cls`` its first-gradient node class, named as PyTorch's."""
    name = name or cls.__name__.replace("Backward0", "BackwardBackward0")
    cls._bb = type(name, (_ActBackwardBackward,), {"__slots__": ()})
    return cls


def _zeros(x):
    return wrap(x.xp.zeros_like(x._data))


def _run(input, kernel, fwd, node_cls, a=None, b=None):
    d = _float_data(input, kernel)
    res = wrap(arr(fwd(d)))
    if state.enabled and input._requires_grad:
        node = node_cls()
        node._a = a
        node._b = b
        node.save_for_backward(input)
        attach(res, node, (input,))
    return res


def _maybe_inplace(op, input, inplace_flag, *args):
    if inplace_flag:
        return inplace(input, lambda t, *a: op(t, *a), *args)
    return op(input, *args)


# ---------------------------------------------------------------- leaky relu family
class LeakyReluBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        s = self._a
        return g * ((x > 0) * (1 - s) + s).astype(g.dtype, copy=False)


class _RreluEvalBackward(LeakyReluBackward0):
    """rrelu in eval mode: leaky_relu with the mean slope, under PyTorch's node name."""

    __slots__ = ()


_RreluEvalBackward.__name__ = "RreluWithNoiseBackward0"


def leaky_relu(input, negative_slope=0.01, inplace=False, _cls=LeakyReluBackward0):
    """``max(0, x) + negative_slope * min(0, x)``."""
    s = negative_slope

    def op(t):
        def fwd(d):
            if 0 <= s <= 1:
                return np.maximum(d, d * s)
            return d * ((d > 0) * (1 - s) + s).astype(d.dtype, copy=False)
        return _run(t, "leaky_relu_cpu", fwd, _cls, s)
    return _maybe_inplace(op, input, inplace)


class HardtanhBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        return g * ((x > self._a) & (x < self._b))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val] (gradient zero at and beyond the bounds)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")

    def op(t):
        d = t._data
        if d.dtype.kind in "iu":
            return wrap(np.clip(d, min_val, max_val).astype(d.dtype))
        return _run(t, "hardtanh", lambda d: np.clip(d, min_val, max_val), HardtanhBackward0,
                    min_val, max_val)
    return _maybe_inplace(op, input, inplace)


def relu6(input, inplace=False):
    """``min(max(0, x), 6)``."""
    return hardtanh(input, 0.0, 6.0, inplace)


class ThresholdBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        return g * (x > self._a)


def threshold(input, threshold, value, inplace=False):
    """``x if x > threshold else value``."""
    def op(t):
        def fwd(d):
            return np.where(d > threshold, d, np.asarray(value, dtype=d.dtype))
        d = t._data
        if d.dtype.kind in "iub":
            return wrap(np.where(d > threshold, d, value).astype(d.dtype))
        return _run(t, "threshold", fwd, ThresholdBackward0, threshold)
    return _maybe_inplace(op, input, inplace)


# ---------------------------------------------------------------- exponential units
class EluBackward0(_ActBackward):
    """elu / selu / celu: scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    __slots__ = ()

    def np_grad(self, g, x):
        alpha, scale, iscale = self._a
        pos = x > 0
        d = np.exp(np.minimum(x, 0) * iscale) * (scale * alpha * iscale)
        d[pos] = scale
        return g * d

    def t_grad2(self, h, x):
        # PyTorch's elu_double_backward: the exponential branch only where x < 0 (strictly)
        alpha, scale, iscale = self._a
        return h * ((x < 0) * (x.clamp(max=0) * iscale).exp() * (scale * alpha * iscale * iscale))


def _elu(input, alpha, scale, iscale, kernel):
    def fwd(d):
        neg = np.expm1(np.minimum(d, 0) * iscale) * (alpha * scale)
        return np.maximum(d, 0) * scale + neg if scale != 1 else np.maximum(d, 0) + neg
    return _run(input, kernel, fwd, EluBackward0, (alpha, scale, iscale))


def elu(input, alpha=1.0, inplace=False):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""
    return _maybe_inplace(lambda t: _elu(t, alpha, 1.0, 1.0, "elu"), input, inplace)


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _maybe_inplace(lambda t: _elu(t, _SELU_ALPHA, _SELU_SCALE, 1.0, "elu"), input,
                          inplace)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(lambda t: _elu(t, alpha, 1.0, 1.0 / alpha, "elu"), input, inplace)


# ---------------------------------------------------------------- smooth gates
class GeluBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        if self._a == "tanh":
            x2 = x * x
            t = np.tanh((x + 0.044715 * x2 * x) * _SQRT_2_OVER_PI)
            d = 0.5 * (1 + t) + (0.5 * x) * (1 - t * t) * (_SQRT_2_OVER_PI *
                                                          (1 + 3 * 0.044715 * x2))
            return g * d
        if _chunkable(x) and g.dtype == x.dtype:
            return _gelu_chunked(x, g)
        cdf = 0.5 * (1 + special.erf(x * (1 / _SQRT2)))
        pdf = np.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return g * (cdf + x * pdf).astype(g.dtype, copy=False)

    def t_grad2(self, h, x):
        x2 = x * x
        if self._a == "tanh":  # u = k (x + c x^3): f'' = (1 - t^2) (u' + x (u'' - 2 t u'^2) / 2)
            t = ((x + 0.044715 * x2 * x) * _SQRT_2_OVER_PI).tanh()
            du = (1 + 3 * 0.044715 * x2) * _SQRT_2_OVER_PI
            d2u = x * (6 * 0.044715 * _SQRT_2_OVER_PI)
            return h * ((1 - t * t) * (du + (0.5 * x) * (d2u - 2 * t * du * du)))
        pdf = (-0.5 * x2).exp() * _INV_SQRT_2PI  # f'' = pdf(x) (2 - x^2)
        return h * (pdf * (2 - x2))


def gelu(input, approximate="none"):
    """``x * Phi(x)``; ``approximate='tanh'`` uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")

    def fwd(d):
        if approximate == "tanh":
            t = np.tanh((d + 0.044715 * d * d * d) * _SQRT_2_OVER_PI)
            return (0.5 * d) * (1 + t)
        if _chunkable(d):
            return _gelu_chunked(d)
        return ((0.5 * d) * (1 + special.erf(d * (1 / _SQRT2)))).astype(d.dtype, copy=False)
    return _run(input, "GeluKernelImpl", fwd, GeluBackward0, approximate)


def _chunkable(d):
    return type(d) is np.ndarray and d.dtype.name in special._LOW_PRECISION and d.size > 0


def _gelu_chunked(x, g=None):
    """Exact GELU (``g`` None) or its gradient times ``g``, fused over cache-sized chunks.

    float32 arithmetic with the fast erf (float16 / bfloat16 are computed in float32 and
    rounded once, as PyTorch does). Every temporary is a chunk-sized buffer reused in place,
    so each element makes one trip through memory instead of one per operation.
    """
    dt = x.dtype
    xs = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    gs = None if g is None else np.ascontiguousarray(g, dtype=np.float32).reshape(-1)
    res = np.empty(x.shape, np.float32)
    rf = res.reshape(-1)
    kern = seq_kernels.kernels()
    if kern is not None:                # one compiled pass (native) per direction
        if gs is None:
            kern.gelu_fwd(xs, rf)
        else:                           # exp from NumPy (SIMD); the rest in one pass
            np.multiply(xs, xs, out=rf)
            rf *= -0.5
            np.exp(rf, out=rf)
            kern.gelu_bwd(xs, gs, rf)
        return res if dt == np.float32 else res.astype(dt)
    n = xs.size
    m = min(n, special._CHUNK)
    x2, q, p = (np.empty(m, np.float32) for _ in range(3))
    with np.errstate(invalid="ignore", over="ignore"):  # +-inf inputs: as the formula gives
        _gelu_numpy_chunks(xs, gs, rf, n, x2, q, p)
    return res if dt == np.float32 else res.astype(dt)


def _gelu_numpy_chunks(xs, gs, rf, n, x2, q, p):
    for s in range(0, n, special._CHUNK):
        e = min(n, s + special._CHUNK)
        k = e - s
        xc, o = xs[s:e], rf[s:e]
        if gs is not None:              # x * pdf(x), before the scratch is reused by erf
            pk = p[:k]
            np.multiply(xc, xc, out=pk)
            pk *= -0.5
            np.exp(pk, out=pk)
            pk *= xc
            pk *= _INV_SQRT_2PI
        np.multiply(xc, 1 / _SQRT2, out=o)
        special.erf_chunk(o, o, x2[:k], q[:k])
        o += 1.0
        if gs is None:                  # 0.5 * x * (1 + erf(x / sqrt 2))
            o *= xc
            o *= 0.5
        else:                           # g * (cdf + x * pdf)
            o *= 0.5
            o += pk
            o *= gs[s:e]


def _sigmoid_arr(d):
    if d.ndim == 0:
        return np.asarray(1 / (1 + np.exp(-d)) if d >= 0 else np.exp(d) / (1 + np.exp(d)),
                          dtype=d.dtype)
    e = np.exp(-np.abs(d))
    r = 1 / (1 + e)
    return r + (d < 0) * (e * r - r)


class SiluBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        s = _sigmoid_arr(x)
        return g * (s * (1 + x * (1 - s)))

    def t_grad(self, g, x):
        s = x.sigmoid()
        return g * (s * (1 + x * (1 - s)))


def silu(input, inplace=False):
    """``x * sigmoid(x)``."""
    return _maybe_inplace(lambda t: _run(t, "silu", lambda d: d * _sigmoid_arr(d),
                                         SiluBackward0), input, inplace)


def _softplus_arr(d):
    return np.maximum(d, 0) + np.log1p(np.exp(-np.abs(d)))


class MishBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        t = np.tanh(_softplus_arr(x))
        return g * (t + x * _sigmoid_arr(x) * (1 - t * t))

    def t_grad(self, g, x):
        t = softplus(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(lambda t: _run(t, "mish", lambda d: d * np.tanh(_softplus_arr(d)),
                                         MishBackward0), input, inplace)


class SoftplusBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        bx = x * self._a
        return g * (_sigmoid_arr(bx) + (bx > self._b) * (1 - _sigmoid_arr(bx)))

    def t_grad2(self, h, x):
        bx = x * self._a
        s = bx.sigmoid()
        return h * ((bx <= self._b) * (s * (1 - s) * self._a))


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``."""
    def fwd(d):
        bx = d * beta if beta != 1 else d
        sp = _softplus_arr(bx)
        if beta != 1:
            sp = sp / beta
        return np.where(bx > threshold, d, sp)
    return _run(input, "softplus", fwd, SoftplusBackward0, beta, threshold)


class LogSigmoidBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        return g * _sigmoid_arr(-x)

    def t_grad2(self, h, x):
        s = x.sigmoid()
        return h * (s * (s - 1))


def logsigmoid(input):
    """``log(sigmoid(x))``, computed stably."""
    return _run(input, "log_sigmoid_forward", lambda d: np.minimum(d, 0) -
                np.log1p(np.exp(-np.abs(d))), LogSigmoidBackward0)


# ---------------------------------------------------------------- hard gates and shrinks
class HardsigmoidBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        return g * ((x > -3) & (x < 3)) * (1 / 6)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``."""
    return _maybe_inplace(lambda t: _run(t, "hardsigmoid", lambda d: np.clip(d + 3, 0, 6) / 6,
                                         HardsigmoidBackward0), input, inplace)


class HardswishBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        mid = (x >= -3) & (x <= 3)
        return g * (mid * (x * (1 / 3) + 0.5) + (x > 3))

    def t_grad2(self, h, x):
        return h * ((x > -3).logical_and(x < 3) * (1 / 3))


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``."""
    return _maybe_inplace(lambda t: _run(t, "hardswish", lambda d: d * np.clip(d + 3, 0, 6) / 6,
                                         HardswishBackward0), input, inplace)


class HardshrinkBackward0(_ActBackward):
    __slots__ = ()

    def np_grad(self, g, x):
        return g * ((x < -self._a) | (x > self._a))


def hardshrink(input, lambd=0.5):
    """``x if |x| > lambd else 0``."""
    return _run(input, "hardshrink_cpu", lambda d: d * ((d < -lambd) | (d > lambd)),
                HardshrinkBackward0, lambd)


class SoftshrinkBackward0(HardshrinkBackward0):
    __slots__ = ()


def softshrink(input, lambd=0.5):
    """``x - lambd`` above lambd, ``x + lambd`` below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _run(input, "softshrink_cpu",
                lambda d: np.maximum(d - lambd, 0) + np.minimum(d + lambd, 0),
                SoftshrinkBackward0, lambd)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


# ---------------------------------------------------------------- learned / random slopes
class PreluKernelBackward0(Node):
    __slots__ = ("_wshape",)

    def backward(self, g):
        x, w = self.saved_tensors
        wb = w.reshape(self._wshape)
        pos = x > 0
        gx = gw = None
        if self._next[0] is not None:
            gx = g * (pos + pos.logical_not() * wb)
        if self._next[1] is not None:
            prod = g * x * pos.logical_not()
            gw = _sum_to_channel(prod, self._wshape, w.shape)
        return gx, gw


def _sum_to_channel(t, wshape, out_shape):
    if len(wshape) == 0:
        return t.sum().reshape(out_shape)
    axes = tuple(i for i in range(t.ndim) if i != 1)
    return t.sum(dim=axes).reshape(out_shape)


def prelu(input, weight):
    """``max(0, x) + weight * min(0, x)``; ``weight`` holds 1 or C (channel dim 1) slopes."""
    if _amp.active:
        input, weight = _amp.lower(_amp.BOTH, input, weight)
    d = _float_data(input, "prelu_cpu")
    n = weight.numel()
    if input.ndim == 0 and n != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    c = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != c:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {c}.")
    if n == 1 or input.ndim < 2:
        wshape = ()
    else:
        wshape = (1, n) + (1,) * (input.ndim - 2)
    wd = weight._data.reshape(wshape)
    pos = d > 0
    res = wrap(arr(d * (pos + ~pos * wd).astype(d.dtype, copy=False)))
    if state.enabled and (input._requires_grad or weight._requires_grad):
        node = PreluKernelBackward0()
        node._wshape = wshape
        node.save_for_backward(input, weight)
        attach(res, node, (input, weight))
    return res


class RreluWithNoiseBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        noise, x = self.saved_tensors
        res = g * noise
        if state.enabled and x._requires_grad:  # create_graph: keep x in the graph (PyTorch)
            node = RreluWithNoiseBackwardBackward0()
            node.save_for_backward(noise)
            attach(res, node, (g, x))
        return res


class RreluWithNoiseBackwardBackward0(Node):
    __slots__ = ()

    def backward(self, gg):
        (noise,) = self.saved_tensors
        return (gg * noise if self._next[0] is not None else None,
                _zeros(gg) if self._next[1] is not None else None)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False, generator=None):
    """Randomised leaky ReLU: slopes ~ U(lower, upper) in training, their mean in eval."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace, _cls=_RreluEvalBackward)

    def op(t):
        from ..random import _gen
        d = _float_data(t, "rrelu_with_noise_cpu")
        u = _gen(generator).random(d.shape, dtype=np.float32 if d.dtype != np.float64
                                   else np.float64)
        slope = (u * (upper - lower) + lower).astype(d.dtype, copy=False)
        pos = d >= 0
        noise = pos + ~pos * slope
        res = wrap(arr(d * noise))
        if state.enabled and t._requires_grad:
            node = RreluWithNoiseBackward0()
            node.save_for_backward(wrap(noise), t)
            attach(res, node, (t,))
        return res
    return _maybe_inplace(op, input, inplace)


def glu(input, dim=-1):
    """``a * sigmoid(b)`` where a, b are the halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.shape[dim]
    if n % 2:
        d = dim if dim >= 0 else dim + input.ndim
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()



# ---------------------------------------------------------------- first-gradient nodes
class _NotImplementedBackward(_ActBackwardBackward):
    """PyTorch has no derivative of hardsigmoid_backward: its first gradient records a node
    that raises when differentiated."""

    __slots__ = ()
    _cpp_name = "torch::autograd::NotImplemented"

    def backward(self, gg):
        raise RuntimeError("derivative for aten::hardsigmoid_backward is not implemented")


for _cls in (LeakyReluBackward0, HardtanhBackward0, ThresholdBackward0, EluBackward0,
             GeluBackward0, SoftplusBackward0, LogSigmoidBackward0, HardswishBackward0,
             HardshrinkBackward0, SoftshrinkBackward0):
    _gradgrad_node(_cls)
_gradgrad_node(_RreluEvalBackward, "RreluWithNoiseBackwardBackward0")
HardsigmoidBackward0._bb = _NotImplementedBackward
del _cls


def relu_grad_graph(g, out):
    """relu's first gradient under create_graph: PyTorch's ``threshold_backward(g, out, 0)``
    (ThresholdBackwardBackward0, an edge to relu's output)."""
    f = ThresholdBackward0()
    f._a = 0
    f._b = None
    return f.graph_grad(g, out)
