"""``Dirichlet``: distributions on the probability simplex."""
from ..tensor import Size
from . import constraints
from ._gamma import standard_gamma
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    r"""A Dirichlet distribution with concentration vector ``concentration`` (last dim).

    ``rsample`` normalizes Gamma samples, each with an implicit reparameterization gradient.

    Example::

        >>> torch.distributions.Dirichlet(torch.tensor([0.5, 0.5])).sample().shape
        torch.Size([2])
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Dirichlet, batch_shape, _instance,
                                   {"concentration": self.event_shape})[0]

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        gammas = standard_gamma(self.concentration.expand(shape))
        return gammas / gammas.sum(-1, keepdim=True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return ((c - 1).xlogy(value).sum(-1) + c.sum(-1).lgamma() - c.lgamma().sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        import ember
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        total = concentrationm1.sum(-1, True)
        # rows with every concentration below 1 are replaced below; keep them finite so that
        # no 0/0 reaches the gradient
        mode = concentrationm1 / ember.where(total > 0, total, ember.ones_like(total))
        mask = (self.concentration < 1).all(dim=-1, keepdim=True)
        if bool(mask.any()):
            # all concentrations below 1: the mass piles up at the largest one's vertex
            k = concentrationm1.shape[-1]
            vertex = ember.nn.functional.one_hot(mode.argmax(-1), k).to(mode.dtype)
            mode = ember.where(mask, vertex, mode)
        return mode

    @property
    def variance(self):
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (c.lgamma().sum(-1) - a0.lgamma() - (k - a0) * a0.digamma()
                - ((c - 1.0) * c.digamma()).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - x.sum(-1).lgamma()
