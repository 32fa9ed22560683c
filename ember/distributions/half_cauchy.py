"""``HalfCauchy``: |X| for a zero-centred Cauchy X."""
import math

import ember

from ._params import alias
from .cauchy import Cauchy
from .half_normal import _Half

__all__ = ["HalfCauchy"]


class HalfCauchy(_Half):
    r"""``X ~ Cauchy(0, scale)``, ``Y = |X| ~ HalfCauchy(scale)``."""

    _base = Cauchy

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype,
                          device=self.scale.device)

    variance = alias("base_dist.variance")
