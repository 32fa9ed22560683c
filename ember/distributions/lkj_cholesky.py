"""``LKJCholesky``: the LKJ distribution over Cholesky factors of correlation matrices."""
import math

import ember

from .. import dtypes as dt
from ..tensor import Size
from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    r"""LKJ distribution for lower Cholesky factors of ``dim x dim`` correlation matrices,
    with density proportional to ``det(L L^T)^(concentration - 1)`` on the correlation
    matrix. Sampled by the onion method (Lewandowski, Kurowicka and Joe, 2009).

    Args:
        dim (int): the matrix dimension (at least 2).
        concentration (float or Tensor): concentration/shape parameter (positive).

    Example::

        >>> l = torch.distributions.LKJCholesky(3, 0.5)
        >>> l.sample().shape
        torch.Size([3, 3])
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError("Expected dim to be an integer greater than or equal to 2. "
                             f"Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.size()
        event_shape = Size((dim, dim))
        # Row i of L (i >= 1) has squared norm of its off-diagonal part ~ Beta(i / 2,
        # marginal_conc - (i - 1) / 2); row 0 gets a dummy Beta(0.5, marginal_conc).
        marginal_conc = self.concentration + 0.5 * (self.dim - 2)
        offset = ember.arange(self.dim - 1, dtype=self.concentration.dtype,
                              device=self.concentration.device)
        offset = ember.cat([offset.new_zeros((1,)), offset])
        self._beta = Beta(offset + 0.5, marginal_conc.unsqueeze(-1) - 0.5 * offset)
        super().__init__(batch_shape, event_shape, validate_args)

    def expand(self, batch_shape, _instance=None):
        new, batch_shape = self._expand_params(LKJCholesky, batch_shape, _instance,
                                               ("concentration",))
        new.dim = self.dim
        new._beta = self._beta.expand(batch_shape + (self.dim,))
        return new

    def sample(self, sample_shape=Size()):
        with ember.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            u_normal = ember.randn(tuple(self._extended_shape(sample_shape)), dtype=y.dtype,
                                   device=y.device).tril(-1)
            # uniform directions on the hypersphere for rows 1.. (row 0 is e_0)
            norm = u_normal.norm(dim=-1, keepdim=True)
            u_hypersphere = u_normal / norm.masked_fill(norm == 0, 1.0)
            w = y.sqrt() * u_hypersphere
            eps = dt.finfo(w.dtype).tiny
            diag_elems = (1 - (w ** 2).sum(-1)).clamp(min=eps).sqrt()
            return w + ember.diag_embed(diag_elems)

    def log_prob(self, value):
        # Lewandowski et al. (2009), with the normalizer from the onion construction.
        if self._validate_args:
            self._validate_sample(value)
        diag_elems = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ember.arange(2, self.dim + 1, dtype=self.concentration.dtype,
                             device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized_log_pdf = (order * diag_elems.log()).sum(-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = alpha.lgamma() * dm1
        numerator = ember.mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)
        normalize_term = pi_constant + numerator - denominator
        return unnormalized_log_pdf - normalize_term
