"""``Binomial``: the number of successes in ``total_count`` Bernoulli trials."""
import numpy as np

from ..tensor import Size
from . import constraints
from ._params import ProbsLogitsParam
from .distribution import Distribution
from .utils import _from_numpy, _rng

__all__ = ["Binomial"]


def _clamp_by_zero(x):
    # clamp(min=0) whose gradient at 0 is 1/2, as PyTorch's helper
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(ProbsLogitsParam, Distribution):
    r"""A Binomial distribution with ``total_count`` trials and success ``probs`` (or
    ``logits``); ``total_count`` broadcasts with the probabilities.

    Example::

        >>> m = torch.distributions.Binomial(100, torch.tensor([0, .2, .8, 1]))
        >>> m.sample().shape
        torch.Size([4])
    """

    arg_constraints = {"total_count": constraints.nonnegative_integer,
                       "probs": constraints.unit_interval, "logits": constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        (total_count,) = self._init_probs_logits(probs, logits, total_count)
        self.total_count = total_count.type_as(self._param)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_logits(Binomial, batch_shape, _instance, "total_count")

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        n = np.broadcast_to(self.total_count.detach()._host(), shape).astype(np.int64)
        p = np.broadcast_to(self.probs.detach()._host().astype(np.float64), shape)
        return _from_numpy(_rng().binomial(n, np.clip(p, 0.0, 1.0)), self._param)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = (self.total_count + 1).lgamma()
        log_factorial_k = (value + 1).lgamma()
        log_factorial_nmk = (self.total_count - value + 1).lgamma()
        # k * logit - n * log1p(e^logit), written to stay finite for large |logits|
        normalize_term = (self.total_count * _clamp_by_zero(self.logits)
                          + self.total_count * (-self.logits.abs()).exp().log1p()
                          - log_factorial_n)
        return value * self.logits - normalize_term - log_factorial_k - log_factorial_nmk

    def entropy(self):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(log_prob.exp() * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        import ember
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`.")
        values = ember.arange(1 + total_count, dtype=self._param.dtype,
                              device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
