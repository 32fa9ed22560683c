"""Parameter plumbing shared by the distribution families: the probs/logits pair, the
one-of-three matrix parameter of the Gaussian families, and read-only aliases."""
from operator import attrgetter

from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = ["ProbsLogits", "ProbsLogitsParam", "RelaxedParams", "WrapsCategorical", "alias",
           "matrix_params", "one_matrix", "probs_or_logits", "scale_tril_from"]


def alias(path, doc=None):
    """A read-only property returning the attribute at the dotted ``path`` of the instance
    (``"loc"``, ``"base_dist.probs"``): a parameter stored elsewhere, or a statistic equal
    to a parameter."""
    return property(attrgetter(path), doc=doc)


def probs_or_logits(probs, logits):
    """``("probs", probs)`` or ``("logits", logits)``: exactly one of them must be given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    return ("probs", probs) if probs is not None else ("logits", logits)


class ProbsLogits:
    """Mixin for families given by ``probs`` or ``logits``: the one given is stored (and
    kept as ``_param``), the other is computed on first use. ``_binary`` picks
    sigmoid/logit (a success chance) or softmax/log (a distribution over the last dim)."""

    _binary = True

    def _init_probs_logits(self, probs, logits, *others):
        """Store the given one of ``probs``/``logits`` broadcast with ``others`` (as
        ``broadcast_all``, in that order) and return the broadcast ``others``."""
        name, value = probs_or_logits(probs, logits)
        *others, value = broadcast_all(*others, value)
        setattr(self, name, value)
        self._param = value
        return others

    def _expand_probs_logits(self, cls, batch_shape, _instance, *others, event_shape=()):
        """``expand`` for these families: ``others`` name further per-batch parameters."""
        params = dict.fromkeys(others, ())
        params.update(probs=event_shape, logits=event_shape)
        new, _ = self._expand_params(cls, batch_shape, _instance, params)
        new._param = new.probs if "probs" in self.__dict__ else new.logits
        return new

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=self._binary)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=self._binary)


class ProbsLogitsParam(ProbsLogits):
    """:class:`ProbsLogits` that also shows its parameter's shape as ``param_shape`` and
    makes new tensors like it with ``_new`` (the families where PyTorch has both)."""

    @property
    def param_shape(self):
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)


class WrapsCategorical:
    """Mixin for families built on a :class:`Categorical` kept as ``_categorical``: its
    parameters are theirs, and its batch shape and number of classes set their shapes."""

    probs = alias("_categorical.probs")
    logits = alias("_categorical.logits")
    param_shape = alias("_categorical.param_shape")

    def _wrap_categorical(self, probs, logits):
        """Build ``_categorical``; returns ``(batch_shape, event_shape)`` for a one-hot
        or count vector event."""
        from .categorical import Categorical
        self._categorical = Categorical(probs=probs, logits=logits)
        return self._categorical.batch_shape, self._categorical.param_shape[-1:]

    def _expand_categorical(self, cls, batch_shape, _instance):
        new, batch_shape = self._expand_params(cls, batch_shape, _instance, ())
        new._categorical = self._categorical.expand(batch_shape)
        return new

    def _new(self, *args, **kwargs):
        return self._categorical._new(*args, **kwargs)


class RelaxedParams:
    """Mixin for the relaxed (Concrete) families: ``temperature``, ``probs`` and
    ``logits`` are those of ``base_dist``, the distribution of the logits."""

    temperature = alias("base_dist.temperature")
    logits = alias("base_dist.logits")
    probs = alias("base_dist.probs")


_MATRIX_NAMES = ("covariance_matrix", "precision_matrix", "scale_tril")


def one_matrix(covariance_matrix, precision_matrix, scale_tril, error=ValueError):
    """``(name, matrix)`` of the one matrix parameter given; ``error`` (PyTorch raises
    ValueError in MultivariateNormal, AssertionError in Wishart) unless exactly one is."""
    given = [(name, m) for name, m in zip(_MATRIX_NAMES,
                                          (covariance_matrix, precision_matrix, scale_tril))
             if m is not None]
    if len(given) != 1:
        raise error("Exactly one of covariance_matrix or precision_matrix or "
                    "scale_tril may be specified.")
    return given[0]


def matrix_params(matrix_shape):
    """The ``_expand_params`` entries of the three matrix parameters."""
    return dict.fromkeys(_MATRIX_NAMES, tuple(matrix_shape))


def scale_tril_from(name, matrix):
    """The lower Cholesky factor of the covariance, from the matrix parameter ``name``."""
    import ember
    if name == "scale_tril":
        return matrix
    if name == "precision_matrix":
        matrix = ember.linalg.inv(matrix)
    return ember.linalg.cholesky(matrix)
