"""``NegativeBinomial``: the number of successes before ``total_count`` failures."""
import ember

from ..tensor import Size
from . import constraints
from ._params import ProbsLogitsParam
from .distribution import Distribution
from .gamma import Gamma
from .utils import lazy_property

__all__ = ["NegativeBinomial"]


class NegativeBinomial(ProbsLogitsParam, Distribution):
    r"""A Negative Binomial distribution: the number of successful independent, identical
    Bernoulli trials (success probability ``probs``) before ``total_count`` failures.

    Args:
        total_count (float or Tensor): non-negative number of failures to stop at.
        probs (Tensor): success probabilities in [0, 1).
        logits (Tensor): log-odds of success.

    Example::

        >>> m = torch.distributions.NegativeBinomial(5, torch.tensor([0.3]))
        >>> m.sample().shape
        torch.Size([1])
    """

    arg_constraints = {"total_count": constraints.greater_than_eq(0),
                       "probs": constraints.half_open_interval(0.0, 1.0),
                       "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        (total_count,) = self._init_probs_logits(probs, logits, total_count)
        self.total_count = total_count.type_as(self._param)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_logits(NegativeBinomial, batch_shape, _instance,
                                         "total_count")

    @property
    def mean(self):
        return self.total_count * self.logits.exp()

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / (-self.logits).sigmoid()

    @lazy_property
    def _gamma(self):
        # NegativeBinomial(r, p) is a Gamma(r, (1 - p) / p)-mixture of Poissons
        return Gamma(concentration=self.total_count, rate=(-self.logits).exp(),
                     validate_args=False)

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        F = ember.nn.functional
        log_unnormalized_prob = (self.total_count * F.logsigmoid(-self.logits)
                                 + value * F.logsigmoid(self.logits))
        log_normalization = (-(self.total_count + value).lgamma() + (1.0 + value).lgamma()
                             + self.total_count.lgamma())
        # total_count + value == 0 happens only for value 0 and total_count 0: probability 1
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
