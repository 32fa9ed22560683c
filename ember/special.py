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
    return input * log1p(other)


def entr(input):
    return -xlogy(input, input)


def multigammaln(input, p):
    import math
    res = gammaln(input) * 0 + (p * (p - 1) / 4) * math.log(math.pi)
    for j in range(p):
        res = res + gammaln(input - j / 2)
    return res


__all__ = ["digamma", "psi", "erf", "erfc", "erfcx", "erfinv", "exp2", "expm1", "expit",
           "gammaln", "i0", "log1p", "log_softmax", "logit", "logsumexp", "ndtr", "ndtri",
           "log_ndtr", "polygamma", "sinc", "softmax", "xlogy", "xlog1py", "entr",
           "multigammaln"]
