"""``Multinomial``: counts of ``total_count`` categorical draws over K classes."""
import numpy as np

from ..tensor import Size
from . import constraints
from ._params import WrapsCategorical
from .binomial import Binomial
from .distribution import Distribution
from .utils import _from_numpy, _rng, broadcast_all

__all__ = ["Multinomial"]


class Multinomial(WrapsCategorical, Distribution):
    r"""A Multinomial distribution: ``total_count`` draws from a :class:`Categorical` with
    ``probs`` (or ``logits``); samples are count vectors of size K.

    Example::

        >>> m = torch.distributions.Multinomial(100, torch.tensor([1., 1., 1., 1.]))
        >>> m.sample().sum()
        tensor(100.)
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    total_count: int

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        batch_shape, event_shape = self._wrap_categorical(probs, logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(batch_shape, event_shape, validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_categorical(Multinomial, batch_shape, _instance)
        new.total_count = self.total_count
        new._binomial = Binomial(total_count=self.total_count, probs=new._categorical.probs)
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        probs = self.probs.detach()._host().astype(np.float64)
        probs = probs / probs.sum(-1, keepdims=True)
        pv = np.broadcast_to(probs, shape)
        counts = _rng().multinomial(self.total_count, pv)
        return _from_numpy(counts, self.probs)

    def entropy(self):
        import ember
        n = ember.tensor(float(self.total_count), dtype=self.probs.dtype)
        cat_entropy = self._categorical.entropy()
        term1 = n * cat_entropy - (n + 1).lgamma()
        support = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = self._binomial.log_prob(support).exp()
        weights = (support + 1).lgamma()
        term2 = (binomial_probs * weights).sum([0, -1])
        return term1 + term2

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        log_factorial_n = (value.sum(-1) + 1).lgamma()
        log_factorial_xs = (value + 1).lgamma().sum(-1)
        # 0 * (-inf) is 0 here: a class of probability 0 drawn 0 times
        logits = logits.masked_fill((value == 0) & (logits == -float("inf")), 0)
        log_powers = (logits * value).sum(-1)
        return log_factorial_n - log_factorial_xs + log_powers
