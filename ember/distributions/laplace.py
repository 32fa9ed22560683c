"""``Laplace``: the double-exponential distribution."""
from .. import dtypes as dt
from ..tensor import Size
from . import constraints
from ._params import alias
from .distribution import Distribution

__all__ = ["Laplace"]


class Laplace(Distribution):
    r"""A Laplace distribution with location ``loc`` and scale ``scale``.

    Example::

        >>> torch.distributions.Laplace(torch.tensor([0.0]), torch.tensor([1.0])).sample().shape
        torch.Size([1])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    mean = mode = alias("loc")

    @property
    def variance(self):
        return 2 * self.scale.pow(2)

    @property
    def stddev(self):
        return (2 ** 0.5) * self.scale

    def __init__(self, loc, scale, validate_args=None):
        batch_shape = self._broadcast_params(loc=loc, scale=scale)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Laplace, batch_shape, _instance, ("loc", "scale"))[0]

    def rsample(self, sample_shape=Size()):
        import ember
        shape = self._extended_shape(sample_shape)
        eps = dt.finfo(self.loc.dtype).eps
        # u in [eps - 1, 1): log1p(-|u|) stays finite
        u = ember.rand(tuple(shape), dtype=self.loc.dtype, device=self.loc.device) \
            * (2 - eps) + (eps - 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * \
            (-(value - self.loc).abs() / self.scale).expm1()

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * term.sign() * (-2 * term.abs()).log1p()

    def entropy(self):
        return 1 + (2 * self.scale).log()


