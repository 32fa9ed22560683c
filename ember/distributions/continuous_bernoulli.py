"""``ContinuousBernoulli``: the normalized Bernoulli-shaped density on [0, 1]
(Loaiza-Ganem and Cunningham, 2019)."""
import math

import ember

from ..tensor import Size
from . import constraints
from ._params import ProbsLogitsParam
from .exp_family import ExponentialFamily
from .utils import _uniform, broadcast_all, clamp_probs, lazy_property, logits_to_probs

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ProbsLogitsParam, ExponentialFamily):
    r"""A continuous Bernoulli distribution on [0, 1], parameterized by ``probs`` in (0, 1)
    or ``logits`` (but not both). ``probs`` is not a probability here: the density is
    ``C(probs) * probs^x * (1 - probs)^(1 - x)`` with normalizer ``C``.

    Near ``probs = 0.5`` the closed forms lose precision, so inside ``lims`` they are
    replaced by Taylor expansions (as PyTorch does).

    Args:
        probs (Number, Tensor): (0, 1) valued parameters.
        logits (Number, Tensor): real valued parameters whose sigmoid matches ``probs``.
        lims (tuple): the unstable region around 0.5. Default: ``(0.499, 0.501)``.

    Example::

        >>> m = torch.distributions.ContinuousBernoulli(torch.tensor([0.3]))
        >>> m.sample().shape
        torch.Size([1])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        self._init_probs_logits(probs, logits)
        if probs is not None:
            # PyTorch checks probs before clamping whenever validate_args is given at all
            if validate_args is not None and \
                    not bool(self.arg_constraints["probs"].check(self.probs).all()):
                raise ValueError("The parameter probs has invalid values")
            self.probs = self._param = clamp_probs(self.probs)
        self._lims = lims
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_probs_logits(ContinuousBernoulli, batch_shape, _instance)
        new._lims = self._lims
        return new

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        # probs moved out of the unstable region, so the closed forms stay finite there
        return ember.where(self._outside_unstable_region(), self.probs,
                           ember.full_like(self.probs, self._lims[0]))

    def _cont_bern_log_norm(self):
        """log C(probs), the log normalizing constant."""
        cut = self._cut_probs()
        below = ember.where(cut <= 0.5, cut, ember.zeros_like(cut))
        above = ember.where(cut >= 0.5, cut, ember.ones_like(cut))
        log_norm = (((-cut).log1p() - cut.log()).abs().log()
                    - ember.where(cut <= 0.5, (-2.0 * below).log1p(), (2.0 * above - 1.0).log()))
        x = (self.probs - 0.5).pow(2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return ember.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        cut = self._cut_probs()
        mus = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x.pow(2)) * x
        return ember.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return self.variance.sqrt()

    @property
    def variance(self):
        cut = self._cut_probs()
        vs = (cut * (cut - 1.0) / (1.0 - 2.0 * cut).pow(2)
              + 1.0 / ((-cut).log1p() - cut.log()).pow(2))
        x = (self.probs - 0.5).pow(2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return ember.where(self._outside_unstable_region(), vs, taylor)

    @lazy_property
    def probs(self):
        # clamped, as the probs given at construction
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=Size()):
        # inverse-CDF sampling: differentiable in probs through icdf
        u = _uniform(self._extended_shape(sample_shape), self.probs)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        # -binary_cross_entropy_with_logits(logits, value) = value * logits - softplus(logits)
        return value * logits - ember.nn.functional.softplus(logits) + self._cont_bern_log_norm()

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut = self._cut_probs()
        cdfs = (cut.pow(value) * (1.0 - cut).pow(1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = ember.where(self._outside_unstable_region(), cdfs, value)
        return ember.where(value <= 0.0, ember.zeros_like(value),
                           ember.where(value >= 1.0, ember.ones_like(value), unbounded))

    def icdf(self, value):
        cut = self._cut_probs()
        inv = (((-cut + value * (2.0 * cut - 1.0)).log1p() - (-cut).log1p())
               / (cut.log() - (-cut).log1p()))
        return ember.where(self._outside_unstable_region(), inv, value)

    def entropy(self):
        log_probs0 = (-self.probs).log1p()
        log_probs1 = self.probs.log()
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log C as a function of the natural parameter (the logits)."""
        outside = (x <= self._lims[0] - 0.5) | (x > self._lims[1] - 0.5)
        cut = ember.where(outside, x, ember.full_like(x, self._lims[0] - 0.5))
        log_norm = cut.expm1().abs().log() - cut.abs().log()
        taylor = 0.5 * x + x.pow(2) / 24.0 - x.pow(4) / 2880.0
        return ember.where(outside, log_norm, taylor)
