"""``GeneralizedPareto``: the peaks-over-threshold distribution of extreme-value theory."""
import math
from numbers import Real

import ember

from ..tensor import Size
from . import constraints
from .distribution import Distribution
from .utils import _uniform

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    r"""A Generalized Pareto distribution with location ``loc``, scale ``scale`` and shape
    ``concentration``. Its support is ``[loc, inf)`` for ``concentration >= 0`` and
    ``[loc, loc - scale / concentration]`` otherwise.

    Example::

        >>> m = torch.distributions.GeneralizedPareto(torch.tensor([0.1]),
        ...                                           torch.tensor([2.0]), torch.tensor([0.4]))
        >>> m.sample().shape
        torch.Size([1])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive,
                       "concentration": constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        batch_shape = self._broadcast_params(loc=loc, scale=scale, concentration=concentration)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(GeneralizedPareto, batch_shape, _instance,
                                   ("loc", "scale", "concentration"))[0]

    def rsample(self, sample_shape=Size()):
        u = _uniform(self._extended_shape(sample_shape), self.loc)
        return self.icdf(u)

    def _safe_concentration(self):
        """(concentration == 0 mask, concentration with those entries set to 1): the
        exponential limit is taken separately so no division by zero reaches autograd."""
        c = self.concentration
        eq_zero = ember.isclose(c, ember.zeros_like(c))
        return eq_zero, ember.where(eq_zero, ember.ones_like(c), c)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._safe_concentration()
        y = 1 / safe_conc + ember.ones_like(z)
        where_nonzero = ember.where(y == 0, y, y * (safe_conc * z).log1p())
        log_scale = math.log(self.scale) if isinstance(self.scale, Real) else self.scale.log()
        return -log_scale - ember.where(eq_zero, z, where_nonzero)

    def log_survival_function(self, value):
        """log P(X > value)."""
        if self._validate_args:
            self._validate_sample(value)
        z = self._z(value)
        eq_zero, safe_conc = self._safe_concentration()
        where_nonzero = -(safe_conc * z).log1p() / safe_conc
        return ember.where(eq_zero, -z, where_nonzero)

    def log_cdf(self, value):
        """log P(X <= value)."""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value):
        return self.log_cdf(value).exp()

    def icdf(self, value):
        eq_zero, safe_conc = self._safe_concentration()
        logu = (-value).log1p()
        where_nonzero = self.loc + self.scale / safe_conc * (-safe_conc * logu).expm1()
        where_zero = self.loc - self.scale * logu
        return ember.where(eq_zero, where_zero, where_nonzero)

    def _z(self, x):
        return (x - self.loc) / self.scale

    @property
    def mean(self):
        c = self.concentration
        valid = c < 1
        safe_conc = ember.where(valid, c, ember.full_like(c, 0.5))
        return ember.where(valid, self.loc + self.scale / (1 - safe_conc), math.nan)

    @property
    def variance(self):
        c = self.concentration
        valid = c < 0.5
        safe_conc = ember.where(valid, c, ember.full_like(c, 0.25))
        result = self.scale ** 2 / ((1 - safe_conc) ** 2 * (1 - 2 * safe_conc))
        return ember.where(valid, result, math.nan)

    def entropy(self):
        return ember.broadcast_to(self.scale.log() + self.concentration + 1, self._batch_shape)

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = ember.where(self.concentration < 0, lower - self.scale / self.concentration,
                            math.inf)
        return constraints.interval(lower, upper)
