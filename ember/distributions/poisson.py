"""``Poisson``: event counts with mean ``rate``."""
import numpy as np

from ..tensor import Size
from . import constraints
from .exp_family import ExponentialFamily
from .utils import _from_numpy, _rng, broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    r"""A Poisson distribution with rate ``rate``: P(k) = rate^k e^{-rate} / k!.

    Example::

        >>> torch.distributions.Poisson(torch.tensor([4.0])).sample().shape
        torch.Size([1])
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def __init__(self, rate, validate_args=None):
        batch_shape = self._broadcast_params(rate=rate)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Poisson, batch_shape, _instance, ("rate",))[0]

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        rate = np.broadcast_to(self.rate.detach()._host().astype(np.float64), shape)
        return _from_numpy(_rng().poisson(rate), self.rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self):
        return (self.rate.log(),)

    def _log_normalizer(self, x):
        return x.exp()
