"""``Bernoulli``: a 0/1 variable with success probability ``probs`` (or ``logits``)."""
from ..tensor import Size
from . import constraints
from ._params import ProbsLogitsParam
from .exp_family import ExponentialFamily
from .utils import _uniform, broadcast_all

__all__ = ["Bernoulli"]


def _bce_with_logits(logits, target):
    # max(x, 0) - x * t + log(1 + exp(-|x|)): stable for large |logits|
    return logits.clamp(min=0) - logits * target + (-logits.abs()).exp().log1p()


class Bernoulli(ProbsLogitsParam, ExponentialFamily):
    r"""A Bernoulli distribution parameterized by ``probs`` or ``logits`` (not both).

    Samples are 0 or 1 (in the parameter's dtype); 1 with probability ``p``.

    Example::

        >>> torch.distributions.Bernoulli(torch.tensor([0.3])).sample().shape
        torch.Size([1])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._init_probs_logits(probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_probs_logits(Bernoulli, batch_shape, _instance)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).to(self.probs.dtype)
        return mode.masked_fill(self.probs == 0.5, float("nan"))

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        probs = self.probs.detach().expand(shape)
        return (_uniform(shape, probs) < probs).to(probs.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_with_logits(logits, value)

    def entropy(self):
        return _bce_with_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        import ember
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        return x.exp().log1p()
