"""``VonMises``: the circular analogue of the normal distribution, on [-pi, pi)."""
import math

import numpy as np

from ..tensor import Size
from . import constraints
from ._params import alias
from .distribution import Distribution
from .utils import _from_numpy, _rng, lazy_property

__all__ = ["VonMises"]

# Polynomial approximations of log I0 / log I1 (Abramowitz and Stegun 9.8.1-9.8.4), the
# ones PyTorch uses, so log_prob and variance agree with it to float rounding.
_I0_COEF_SMALL = [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813]
_I0_COEF_LARGE = [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706,
                  0.02635537, -0.01647633, 0.00392377]
_I1_COEF_SMALL = [0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411]
_I1_COEF_LARGE = [0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967,
                  -0.02895312, 0.01787654, -0.00420059]
_COEF_SMALL = [_I0_COEF_SMALL, _I1_COEF_SMALL]
_COEF_LARGE = [_I0_COEF_LARGE, _I1_COEF_LARGE]


def _eval_poly(y, coef):
    """Horner evaluation of sum(coef[i] * y**i)."""
    result = coef[-1]
    for c in reversed(coef[:-1]):
        result = c + y * result
    return result


def _log_modified_bessel_fn(x, order=0):
    """log(I_order(x)) for x > 0 and order 0 or 1, differentiable."""
    import ember
    if order not in (0, 1):
        raise AssertionError(f"order must be 0 or 1, got {order}")
    y = (x / 3.75).pow(2)
    small = _eval_poly(y, _COEF_SMALL[order])
    if order == 1:
        small = x.abs() * small
    small = small.log()
    large = x - 0.5 * x.log() + _eval_poly(3.75 / x, _COEF_LARGE[order]).log()
    return ember.where(x < 3.75, small, large)


def _rejection_sample(loc, kappa, shape, rng):
    """Best and Fisher's (1979) rejection sampler, float64 on the host: every pending
    element draws together each round until all are accepted."""
    loc = np.broadcast_to(loc, shape)
    kappa = np.broadcast_to(kappa, shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = 1 + np.sqrt(1 + 4 * kappa ** 2)
        rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
        r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho ** 2) / (2 * rho))
    x = np.zeros(shape)
    pending = np.ones(shape, dtype=bool)
    while pending.any():
        kp, rp = kappa[pending], r[pending]
        u1, u2, u3 = rng.random((3,) + kp.shape)
        z = np.cos(math.pi * u1)
        f = (1 + rp * z) / (rp + z)
        c = kp * (rp - f)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = (c * (2 - c) - u2 > 0) | (np.log(c / u2) + 1 - c >= 0)
        idx = np.flatnonzero(pending)[accept]
        x.flat[idx] = np.sign(u3[accept] - 0.5) * np.arccos(f[accept])
        pending.flat[idx] = False
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    r"""A circular von Mises distribution with location ``loc`` (an angle in radians) and
    ``concentration``; samples lie in [-pi, pi).

    Example::

        >>> m = torch.distributions.VonMises(torch.tensor([1.0]), torch.tensor([1.0]))
        >>> m.sample().shape
        torch.Size([1])
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        batch_shape = self._broadcast_params(loc=loc, concentration=concentration)
        super().__init__(batch_shape, Size(), validate_args)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * (value - self.loc).cos()
        return (log_prob - math.log(2 * math.pi)
                - _log_modified_bessel_fn(self.concentration, order=0))

    def sample(self, sample_shape=Size()):
        """Samples by rejection in float64 (as PyTorch); no gradient (no ``rsample``)."""
        shape = tuple(self._extended_shape(sample_shape))
        x = _rejection_sample(self.loc.detach()._host().astype(np.float64),
                              self.concentration.detach()._host().astype(np.float64),
                              shape, _rng())
        return _from_numpy(x, self.loc.detach())

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(VonMises, batch_shape, _instance, ("loc", "concentration"))[0]

    mean = alias("loc", doc="The circular mean (the loc).")
    mode = alias("loc")

    @lazy_property
    def variance(self):
        """The circular variance, 1 - I1(kappa) / I0(kappa)."""
        return 1 - (_log_modified_bessel_fn(self.concentration, order=1)
                    - _log_modified_bessel_fn(self.concentration, order=0)).exp()
