"""``Geometric``: the number of failures before the first success."""
from .. import dtypes as dt
from ..tensor import Size
from . import constraints
from ._params import ProbsLogits
from .bernoulli import _bce_with_logits
from .distribution import Distribution
from .utils import _uniform, broadcast_all

__all__ = ["Geometric"]


class Geometric(ProbsLogits, Distribution):
    r"""A Geometric distribution: failures before the first success in Bernoulli trials of
    success probability ``probs`` (or ``logits``); support ``{0, 1, ...}``."""

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._init_probs_logits(probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)
        if self._validate_args and probs is not None:
            # PyTorch: probs == 0 is outside the open-at-zero support of a success chance.
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                invalid = value.detach()[~valid]
                raise ValueError("Expected parameter probs "
                                 f"({type(value).__name__} of shape {tuple(value.shape)}) "
                                 f"of distribution {self!r} "
                                 f"to be positive but found invalid values:\n{invalid}")

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_logits(Geometric, batch_shape, _instance)

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        import ember
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        tiny = dt.finfo(self.probs.dtype).tiny
        u = _uniform(shape, self.probs, low=tiny)
        return (u.log() / (-self.probs.detach()).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.masked_fill((probs == 1) & (value == 0), 0)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs) / self.probs
