"""``LogisticNormal``: a Normal vector pushed onto the simplex by stick breaking."""
from . import constraints
from ._params import alias
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    r"""``X ~ Normal(loc, scale)``, ``Y = StickBreakingTransform()(X) ~ LogisticNormal``:
    a distribution on the simplex with one more coordinate than ``loc``.

    Example::

        >>> m = torch.distributions.LogisticNormal(torch.zeros(3), torch.ones(3))
        >>> m.sample().shape
        torch.Size([4])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogisticNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    loc = alias("base_dist.base_dist.loc")
    scale = alias("base_dist.base_dist.scale")
