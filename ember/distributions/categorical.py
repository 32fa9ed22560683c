"""``Categorical``: one of K classes with probabilities ``probs`` (or ``logits``)."""
import numpy as np

from .. import dtypes as dt
from ..tensor import Size
from . import constraints
from ._params import ProbsLogitsParam, probs_or_logits
from .distribution import Distribution
from .utils import _rng

__all__ = ["Categorical"]


class Categorical(ProbsLogitsParam, Distribution):
    r"""A categorical distribution over ``{0, ..., K-1}``, parameterized by ``probs`` (rows
    are normalized to sum to 1) or ``logits`` (unnormalized log-probabilities) on the last
    dimension.

    Example::

        >>> m = torch.distributions.Categorical(torch.tensor([0.25, 0.25, 0.25, 0.25]))
        >>> m.sample().shape
        torch.Size([])
    """

    arg_constraints = {"probs": constraints.simplex,
                       "logits": constraints.independent(constraints.real, 1)}
    has_enumerate_support = True
    _binary = False

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, param = probs_or_logits(probs, logits)
        if param.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            param = param / param.sum(-1, keepdim=True)
        else:
            param = param - param.logsumexp(dim=-1, keepdim=True)
        setattr(self, name, param)
        self._param = param
        self._num_events = self._param.size()[-1]
        batch_shape = self._param.size()[:-1] if self._param.ndim > 1 else Size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_probs_logits(Categorical, batch_shape, _instance,
                                        event_shape=(self._num_events,))
        new._num_events = self._num_events
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @property
    def mean(self):
        import ember
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype,
                          device=self.probs.device)

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=Size()):
        if not isinstance(sample_shape, Size):
            sample_shape = Size(tuple(sample_shape))
        import ember
        probs = self.probs.detach()._host().astype(np.float64)
        probs = probs.reshape(-1, self._num_events)
        cdf = np.cumsum(probs, -1)
        cdf /= cdf[:, -1:]
        n = int(np.prod(sample_shape, dtype=np.int64))
        # Inverse-CDF sampling: count the bins whose cumulative mass lies below u.
        u = _rng().random((n, cdf.shape[0], 1))
        idx = (cdf[None, :, :-1] <= u).sum(-1)
        out = ember.tensor(idx.reshape(self._extended_shape(sample_shape)), dtype=ember.int64)
        return out.to(self.probs.device) if self.probs.device.type != "cpu" else out

    def log_prob(self, value):
        import ember
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        min_real = dt.finfo(self.logits.dtype).min
        logits = self.logits.clamp(min=min_real)
        p_log_p = logits * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand=True):
        import ember
        values = ember.arange(self._num_events, dtype=ember.int64, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values


