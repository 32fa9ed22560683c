r"""``torch.distributions``: parameterizable probability distributions and sampling.

Distributions follow PyTorch's API: ``batch_shape`` / ``event_shape``, ``sample`` and
differentiable ``rsample`` (reparameterization), ``log_prob``, ``entropy``, ``cdf``/``icdf``,
moments, ``expand``, argument and sample validation (``validate_args``), transforms, and
``kl_divergence`` with a ``register_kl`` registry. Samples come from Ember's generators, so
``torch.manual_seed`` makes them reproducible (the streams differ from PyTorch's).

Example::

    >>> m = torch.distributions.Normal(torch.tensor([0.0]), torch.tensor([1.0]))
    >>> x = m.rsample()
    >>> m.log_prob(x)
"""
from . import constraints, transforms
from .bernoulli import Bernoulli
from .beta import Beta
from .binomial import Binomial
from .categorical import Categorical
from .cauchy import Cauchy
from .chi2 import Chi2
from .constraint_registry import biject_to, transform_to
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .gamma import Gamma
from .geometric import Geometric
from .gumbel import Gumbel
from .half_normal import HalfCauchy, HalfNormal
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .lowrank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multinomial import Multinomial
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .relaxed import (ExpRelaxedCategorical, LogitRelaxedBernoulli, RelaxedBernoulli,
                      RelaxedOneHotCategorical)
from .student_t import StudentT
from .transformed_distribution import TransformedDistribution
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms_all
from .uniform import Uniform

__all__ = ["Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2", "Dirichlet",
           "Distribution", "ExponentialFamily", "Exponential", "Gamma", "Geometric", "Gumbel",
           "HalfCauchy", "HalfNormal", "Independent", "Laplace", "LogNormal",
           "LowRankMultivariateNormal", "MixtureSameFamily", "Multinomial",
           "MultivariateNormal", "Normal", "OneHotCategorical",
           "OneHotCategoricalStraightThrough", "Poisson", "RelaxedBernoulli",
           "RelaxedOneHotCategorical", "StudentT", "TransformedDistribution", "Uniform",
           "biject_to", "constraints", "kl_divergence", "register_kl", "transform_to",
           "transforms"] + list(_transforms_all)
