"""Classical orthogonal polynomials of ``torch.special``: Chebyshev (T, U, V, W and their
shifted forms), Hermite (physicists' H, probabilists' He), Laguerre and Legendre.

Each takes ``(input, n)`` with a tensor or number for either argument; ``n`` is truncated to
an integer degree, negative degrees give 0. As in PyTorch, the results carry no gradient, the
dtype is the promoted one (integers give the default float), and the same branches are taken:
closed forms at the interval ends, trigonometric forms for high degrees inside it, otherwise
the three-term recurrence. The recurrence loops over degrees, never over elements.
"""
import numpy as np

from .. import dtypes as dt
from ..tensor import Tensor
from ._util import result_type, wrap


def _operands(input, n, name):
    """Broadcast float arrays ``x`` and integer degrees ``k`` in the promoted dtype."""
    if not isinstance(input, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"special_{name}() received an invalid combination of arguments: "
                        f"got ({type(input).__name__}, {type(n).__name__})")
    rt = result_type(input, n)
    if rt.category < dt.FLOAT:
        rt = dt.get_default_dtype()
    npd = rt.numpy_dtype
    if npd.kind == "c":
        raise RuntimeError(f"\"{name}\" not implemented for '{rt.name}'")
    device = (input if isinstance(input, Tensor) else n).device
    xa = input._host() if isinstance(input, Tensor) else np.asarray(input)
    na = n._host() if isinstance(n, Tensor) else np.asarray(n)
    x = xa.astype(npd)
    # PyTorch converts n to int64 (truncation toward zero).
    k = np.trunc(na.astype(np.float64)).astype(np.int64) if na.dtype.kind in "fc" else \
        na.astype(np.int64)
    x, k = np.broadcast_arrays(x, k)
    return np.ascontiguousarray(x), np.ascontiguousarray(k), device


def _finish(res, device):
    out = wrap(np.ascontiguousarray(res))
    return out if device.type == "cpu" else out.to(device)


def _recurrence(x, k, p0, p1, step, out):
    """Fill ``out`` where it is NaN (still undecided) with the degree-``k`` term of the
    recurrence ``p_{j+1} = step(j, p_j, p_{j-1})`` started at ``p0``, ``p1``."""
    todo = np.isnan(out) & (k >= 0)
    if not todo.any():
        return out
    xs, ks = x[todo], k[todo]
    res = np.where(ks == 0, p0(xs), p1(xs)).astype(x.dtype)
    kmax = int(ks.max())
    p, q = p0(xs), p1(xs)
    for j in range(1, kmax):  # one array step per degree
        p, q = q, step(j, xs, q, p)
        hit = ks == j + 1
        if hit.any():
            res[hit] = q[hit]
    out[todo] = res
    return out


def _start(x, k):
    """An output array: 0 for negative degrees, NaN (undecided) elsewhere."""
    out = np.full(x.shape, np.nan, x.dtype)
    out[k < 0] = 0
    return out


def _set(out, mask, value):
    m = mask & np.isnan(out)
    if m.any():
        out[m] = np.broadcast_to(value, out.shape)[m]


def _ones(x):
    return np.ones_like(x)


# ---------------------------------------------------------------- Chebyshev T, U, V, W
def _cheb_t(x, k):
    out = _start(x, k)
    ax = np.abs(x)
    odd = (k % 2) == 1
    _set(out, (ax == 1) & ((x > 0) | ~odd), np.ones_like(x))
    _set(out, (ax == 1), -np.ones_like(x))
    with np.errstate(invalid="ignore"):
        _set(out, (k > 6) & (ax < 1), np.cos(k.astype(x.dtype) * np.arccos(x)))
    return _recurrence(x, k, _ones, lambda x: x, lambda j, x, q, p: (x + x) * q - p, out)


def _cheb_u(x, k):
    out = _start(x, k)
    ax = np.abs(x)
    odd = (k % 2) == 1
    kp1 = (k + 1).astype(x.dtype)
    _set(out, (ax == 1) & ((x > 0) | ~odd), kp1)
    _set(out, (ax == 1), -kp1)
    with np.errstate(invalid="ignore", divide="ignore"):
        th = np.arccos(x)
        s = np.sin(th)
        big = (k > 8) & (ax < 1)
        _set(out, big & (s != 0), np.sin(kp1 * th) / s)
        _set(out, big, kp1 * np.cos(kp1 * th) / x)
    return _recurrence(x, k, _ones, lambda x: x + x, lambda j, x, q, p: (x + x) * q - p, out)


def _cheb_v(x, k):
    out = _start(x, k)
    ax = np.abs(x)
    odd = (k % 2) == 1
    two_k1 = (k + k + 1).astype(x.dtype)
    _set(out, (ax == 1) & (x > 0), np.ones_like(x))
    _set(out, (ax == 1) & ~odd, two_k1)
    _set(out, (ax == 1), -two_k1)
    with np.errstate(invalid="ignore", divide="ignore"):
        th = np.arccos(x)
        big = (k > 8) & (ax < 1)
        _set(out, big & (np.sin(th / 2) != 1), np.cos((two_k1 / 2) * th) / np.cos(th / 2))
        _set(out, big & odd, -two_k1)
        _set(out, big, two_k1)
    return _recurrence(x, k, _ones, lambda x: x + x - 1, lambda j, x, q, p: (x + x) * q - p,
                       out)


def _cheb_w(x, k):
    out = _start(x, k)
    ax = np.abs(x)
    odd = (k % 2) == 1
    two_k1 = (k + k + 1).astype(x.dtype)
    _set(out, (ax == 1) & (x > 0), two_k1)
    _set(out, (ax == 1) & ~odd, np.ones_like(x))
    _set(out, (ax == 1), -np.ones_like(x))
    with np.errstate(invalid="ignore", divide="ignore"):
        th = np.arccos(x)
        big = (k > 8) & (ax < 1)
        _set(out, big & (np.cos(th / 2) != 1), np.sin((two_k1 / 2) * th) / np.sin(th / 2))
        _set(out, big & (x > 0), two_k1)
        _set(out, big & ~odd, np.ones_like(x))
        _set(out, big, -np.ones_like(x))
    return _recurrence(x, k, _ones, lambda x: x + x + 1, lambda j, x, q, p: (x + x) * q - p,
                       out)


def _shifted(fn):
    # T*_n(x) = T_n(2x - 1), the same for U, V and W.
    return lambda x, k: fn((x + x - 1).astype(x.dtype), k)


# ---------------------------------------------------------------- Hermite, Laguerre, Legendre
def _hermite_h(x, k):
    return _recurrence(x, k, _ones, lambda x: x + x,
                       lambda j, x, q, p: (x + x) * q - (2 * j) * p, _start(x, k))


def _hermite_he(x, k):
    return _recurrence(x, k, _ones, lambda x: x, lambda j, x, q, p: x * q - j * p,
                       _start(x, k))


def _laguerre(x, k):
    out = _start(x, k)
    _set(out, x == 0, np.ones_like(x))
    return _recurrence(x, k, _ones, lambda x: 1 - x,
                       lambda j, x, q, p: ((2 * j + 1 - x) * q - j * p) / (j + 1), out)


def _legendre(x, k):
    out = _start(x, k)
    ax = np.abs(x)
    odd = (k % 2) == 1
    _set(out, (ax == 1) & ((x > 0) | ~odd), np.ones_like(x))
    _set(out, (ax == 1), -np.ones_like(x))
    return _recurrence(x, k, _ones, lambda x: x,
                       lambda j, x, q, p: ((2 * j + 1) * x * q - j * p) / (j + 1), out)


def _make(name, kernel, doc):
    def f(input, n, *, out=None):
        x, k, device = _operands(input, n, name)
        with np.errstate(over="ignore", invalid="ignore"):
            res = _finish(kernel(x, k), device)
        return res if out is None else out.copy_(res)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"{doc}\n\n    Args:\n        input (Tensor or Number): the points ``x``.\n"
                 f"        n (Tensor or Number): the degree (truncated to an integer).\n\n"
                 f"    Example::\n\n        >>> torch.special.{name}(torch.tensor([0.5]), 3)\n")
    return f


chebyshev_polynomial_t = _make("chebyshev_polynomial_t", _cheb_t,
                               "Chebyshev polynomial of the first kind :math:`T_n(x)`.")
chebyshev_polynomial_u = _make("chebyshev_polynomial_u", _cheb_u,
                               "Chebyshev polynomial of the second kind :math:`U_n(x)`.")
chebyshev_polynomial_v = _make("chebyshev_polynomial_v", _cheb_v,
                               "Chebyshev polynomial of the third kind :math:`V_n(x)`.")
chebyshev_polynomial_w = _make("chebyshev_polynomial_w", _cheb_w,
                               "Chebyshev polynomial of the fourth kind :math:`W_n(x)`.")
shifted_chebyshev_polynomial_t = _make("shifted_chebyshev_polynomial_t", _shifted(_cheb_t),
                                       "Shifted Chebyshev polynomial :math:`T^*_n(x)`.")
shifted_chebyshev_polynomial_u = _make("shifted_chebyshev_polynomial_u", _shifted(_cheb_u),
                                       "Shifted Chebyshev polynomial :math:`U^*_n(x)`.")
shifted_chebyshev_polynomial_v = _make("shifted_chebyshev_polynomial_v", _shifted(_cheb_v),
                                       "Shifted Chebyshev polynomial :math:`V^*_n(x)`.")
shifted_chebyshev_polynomial_w = _make("shifted_chebyshev_polynomial_w", _shifted(_cheb_w),
                                       "Shifted Chebyshev polynomial :math:`W^*_n(x)`.")
hermite_polynomial_h = _make("hermite_polynomial_h", _hermite_h,
                             "Physicists' Hermite polynomial :math:`H_n(x)`.")
hermite_polynomial_he = _make("hermite_polynomial_he", _hermite_he,
                              "Probabilists' Hermite polynomial :math:`He_n(x)`.")
laguerre_polynomial_l = _make("laguerre_polynomial_l", _laguerre,
                              "Laguerre polynomial :math:`L_n(x)`.")
legendre_polynomial_p = _make("legendre_polynomial_p", _legendre,
                              "Legendre polynomial :math:`P_n(x)`.")

__all__ = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p"]
