"""``torch.special``: special functions, as aliases of Ember's elementwise ops."""
from .ops.elementwise import (digamma, erf, erfc, erfinv, exp2, expm1, i0, log1p, polygamma,
                              sigmoid, sinc, xlogy)
from .ops.elementwise import lgamma as gammaln
from .ops.reduction import log_softmax, logsumexp, softmax

psi = digamma
expit = sigmoid


def logit(input, eps=None):
    """``log(p / (1 - p))``, with ``p`` clamped to [eps, 1 - eps] when eps is given."""
    x = input if eps is None else input.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


def erfcx(input):
    return erfc(input) * (input * input).exp()


def ndtr(input):
    return (1 + erf(input * 0.7071067811865476)) * 0.5


def ndtri(p):
    return erfinv(2 * p - 1) * 1.4142135623730951


def log_ndtr(input):
    return ndtr(input).log()


def xlog1py(input, other):
    """``input * log1p(other)``, 0 where input is 0 (either argument may be a number)."""
    from .ops._util import to_tensor
    from .ops.elementwise import where
    x = to_tensor(input, other if not isinstance(input, (int, float)) else None)
    y = to_tensor(other, x)
    return where(x == 0, 0.0, x * log1p(y))


def entr(input):
    return -xlogy(input, input)


def multigammaln(input, p):
    import math
    res = gammaln(input) * 0 + (p * (p - 1) / 4) * math.log(math.pi)
    for j in range(p):
        res = res + gammaln(input - j / 2)
    return res


from .ops.elementwise import round  # noqa: E402,A004
from .ops.polynomials import *  # noqa: E402,F401,F403  (Chebyshev, Hermite, Laguerre, Legendre)
from .ops.polynomials import __all__ as _poly_all  # noqa: E402


def _scipy_fn(name, torch_name=None):
    """A forward-only special function computed by SciPy (the ``special`` extra)."""
    torch_name = torch_name or name

    def f(*args, out=None):
        from .ops._util import wrap
        from .tensor import Tensor
        import numpy as np
        try:
            import scipy.special as sp
        except ImportError:
            raise RuntimeError(f"torch.special.{torch_name} needs SciPy in Ember: pip install "
                               f"'ember[special]'") from None
        ts = [a for a in args if isinstance(a, Tensor)]
        arrays = [a._data if isinstance(a, Tensor) else a for a in args]
        dtype = np.result_type(*[a for a in arrays if isinstance(a, np.ndarray)])
        if dtype.kind not in "f":
            from .dtypes import get_default_dtype
            dtype = get_default_dtype().numpy_dtype
        res = np.asarray(getattr(sp, name)(*arrays)).astype(dtype, copy=False)
        res = wrap(res)
        if ts and any(t.requires_grad for t in ts):
            res = res.detach()
        return res if out is None else out.copy_(res)
    f.__name__ = torch_name
    f.__doc__ = f"``torch.special.{torch_name}`` (forward only; computed by SciPy)."
    return f


def i0e(input):
    """Exponentially scaled modified Bessel function of order 0: ``i0(x) * exp(-|x|)``."""
    return i0(input) * (-input.abs()).exp()


i1 = _scipy_fn("i1")
i1e = _scipy_fn("i1e")
zeta = _scipy_fn("zeta")
gammainc = _scipy_fn("gammainc")
gammaincc = _scipy_fn("gammaincc")
bessel_j0 = _scipy_fn("j0", "bessel_j0")
bessel_j1 = _scipy_fn("j1", "bessel_j1")
bessel_y0 = _scipy_fn("y0", "bessel_y0")
bessel_y1 = _scipy_fn("y1", "bessel_y1")
modified_bessel_i0 = _scipy_fn("i0", "modified_bessel_i0")
modified_bessel_i1 = _scipy_fn("i1", "modified_bessel_i1")
modified_bessel_k0 = _scipy_fn("k0", "modified_bessel_k0")
modified_bessel_k1 = _scipy_fn("k1", "modified_bessel_k1")
scaled_modified_bessel_k0 = _scipy_fn("k0e", "scaled_modified_bessel_k0")
scaled_modified_bessel_k1 = _scipy_fn("k1e", "scaled_modified_bessel_k1")


def _airy_ai(x):
    import scipy.special as sp
    return sp.airy(x)[0]


def airy_ai(input, *, out=None):
    """The Airy function Ai (forward only; computed by SciPy)."""
    try:
        import scipy.special  # noqa: F401
    except ImportError:
        raise RuntimeError("torch.special.airy_ai needs SciPy in Ember: pip install "
                           "'ember[special]'") from None
    from .ops._util import wrap
    res = wrap(_airy_ai(input._data).astype(input._data.dtype))
    return res if out is None else out.copy_(res)


def spherical_bessel_j0(input, *, out=None):
    """``sin(x) / x`` (1 at 0)."""
    res = sinc(input / 3.141592653589793)
    return res if out is None else out.copy_(res)


__all__ = ["i0e", "i1", "i1e", "zeta", "gammainc", "gammaincc", "bessel_j0", "bessel_j1",
           "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1",
           "modified_bessel_k0", "modified_bessel_k1", "scaled_modified_bessel_k0",
           "scaled_modified_bessel_k1", "airy_ai", "spherical_bessel_j0", "round",
           "digamma", "psi", "erf", "erfc", "erfcx", "erfinv", "exp2", "expm1", "expit",
           "gammaln", "i0", "log1p", "log_softmax", "logit", "logsumexp", "ndtr", "ndtri",
           "log_ndtr", "polygamma", "sinc", "softmax", "xlogy", "xlog1py", "entr",
           "multigammaln"]
__all__ += _poly_all
