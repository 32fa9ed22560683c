"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, lazy
properties, standard samples drawn from Ember's generators."""
import numbers
from functools import update_wrapper

import numpy as np

from .. import dtypes as dt
from ..ops._util import wrap
from ..tensor import Size, Tensor

__all__ = ["broadcast_all", "logits_to_probs", "probs_to_logits", "clamp_probs", "lazy_property",
           "tril_matrix_to_vec", "vec_to_tril_matrix", "euler_constant"]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant


def broadcast_all(*values):
    """Broadcast numbers and tensors to one shape; numbers become tensors of the default
    dtype (or of the first tensor's dtype), as ``torch.distributions.utils.broadcast_all``."""
    import ember
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        like = next((v for v in values if isinstance(v, Tensor)), None)
        kw = {"dtype": like.dtype, "device": like.device} if like is not None else \
            {"dtype": dt.get_default_dtype()}
        values = [v if isinstance(v, Tensor) else ember.tensor(v, **kw) for v in values]
    return ember.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    import ember
    return ember.randn(tuple(shape), dtype=dtype, device=device)


def _uniform(shape, like, low=None):
    """U[0,1) samples shaped ``shape`` with ``like``'s dtype and device; ``low`` clamps from
    below (PyTorch uses finfo.tiny so that log(u) stays finite)."""
    import ember
    u = ember.rand(tuple(shape), dtype=like.dtype, device=like.device)
    if low is not None:
        u = u.clamp(min=low)
    return u


def _rng():
    """The NumPy generator behind Ember's default generator (manual_seed reaches it)."""
    from ..random import _gen
    return _gen(None)


def _from_numpy(a, like):
    """A tensor from a host array, in ``like``'s dtype and device, no grad."""
    # np.asarray(order="C") keeps 0-d arrays 0-d (np.ascontiguousarray makes them 1-d)
    t = wrap(np.asarray(a, order="C").astype(like._data.dtype, copy=False))
    if like.device.type != "cpu":
        t = t.to(like.device)
    return t


def _sum_rightmost(value, dim):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:value.ndim - dim] + (-1,)).sum(-1)


def clamp_probs(probs):
    """Clamp probabilities into the open interval (0, 1) by the dtype's eps."""
    eps = dt.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid for binary, softmax over the last dim otherwise."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (clamped away from 0 and 1)."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


class lazy_property:
    """A property computed once on first access and then stored on the instance.

    Accessed on the class it returns itself, which lets Distribution skip validating lazily
    computed parameters (PyTorch does the same)."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with _grad_enabled_like():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _grad_enabled_like():
    from ..autograd.grad_mode import enable_grad
    return enable_grad()


def tril_matrix_to_vec(mat, diag=0):
    """The lower-triangular entries (from diagonal ``diag``) of the last two dims, row major."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = np.tril_indices(n, diag)
    return mat[..., rows.tolist(), cols.tolist()]


def vec_to_tril_matrix(vec, diag=0):
    """Inverse of :func:`tril_matrix_to_vec`."""
    import ember
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag)
                            * (diag + 1)) ** 0.5) / 2
    eps = np.finfo(np.float32).eps
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = int(round(n))
    rows, cols = np.tril_indices(n, diag)
    flat = ember.zeros(vec.shape[:-1] + (n * n,), dtype=vec.dtype, device=vec.device)
    idx = ember.tensor((rows * n + cols).tolist(), dtype=ember.int64, device=vec.device)
    flat = flat.index_add(-1, idx, vec)
    return flat.reshape(vec.shape[:-1] + (n, n))


def _batch_mv(bmat, bvec):
    return (bmat @ bvec.unsqueeze(-1)).squeeze(-1)


def _size(shape):
    return Size(tuple(shape))

