"""``torch.*`` names that PyTorch exposes besides the op functions: the in-place functional
forms (``torch.relu_(x)``), the ``nn.functional`` kernels PyTorch also publishes at top level
(``torch.conv2d``, ``torch.dropout``, ``torch.batch_norm`` ...), strided construction and
``torch.vmap``. Thin forwards only; the ops live in ``ember.ops`` and ``ember.nn``.
"""
import numpy as np

from .tensor import Tensor

_INPLACE_NAMES = (
    "abs_ acos_ acosh_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ atan_ "
    "atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ exp_ "
    "expm1_ fix_ floor_ frac_ i0_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_ negative_ "
    "rad2deg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ "
    "tanh_ trunc_ xlogy_ zero_ fill_ index_put_ detach_ gcd_ lcm_ ldexp_").split()


def _forward(name):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"``torch.{name}(input, ...)``: same as ``input.{name}(...)``."
    return f


for _n in _INPLACE_NAMES:
    if hasattr(Tensor, _n):
        globals()[_n] = _forward(_n)
detach = _forward("detach")


def fill(input, value):
    """A new tensor shaped like ``input`` filled with ``value``."""
    return input.clone().fill_(value)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes and (element) strides."""
    return input.as_strided(size, stride, storage_offset)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, **_):
    """An uninitialised tensor with the given sizes and strides."""
    from .ops.creation import empty
    size, stride = tuple(size), tuple(stride)
    need = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    base = empty(need, dtype=dtype, device=device)
    out = base.as_strided(size, stride, 0)
    if requires_grad:
        out = out.detach().requires_grad_()
    return out


# ---------------------------------------------------------------- nn.functional at top level
def _F():
    from .nn import functional
    return functional


def _fwd_functional(name):
    def f(*args, **kwargs):
        return getattr(_F(), name)(*args, **kwargs)
    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = f"``torch.{name}``: same as ``torch.nn.functional.{name}``."
    return f


_FUNCTIONAL = ("conv1d conv2d conv3d conv_transpose1d conv_transpose2d conv_transpose3d "
               "avg_pool1d max_pool1d max_pool2d max_pool3d max_pool1d_with_indices "
               "adaptive_avg_pool1d adaptive_max_pool1d selu celu threshold hardshrink prelu "
               "pixel_shuffle pixel_unshuffle channel_shuffle cosine_similarity "
               "pairwise_distance pdist bilinear").split()
for _n in _FUNCTIONAL:
    globals()[_n] = _fwd_functional(_n)


def dropout(input, p, train):
    return _F().dropout(input, p, train)


def dropout_(input, p, train):
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout(input, p, train):
    return _F().alpha_dropout(input, p, train)


def feature_alpha_dropout(input, p, train):
    return _F().feature_alpha_dropout(input, p, train)


def feature_dropout(input, p, train):
    return _F().dropout2d(input, p, train) if input.ndim == 4 else \
        _F().dropout1d(input, p, train) if input.ndim in (2, 3) else \
        _F().dropout3d(input, p, train)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training)


def selu_(input):
    return _F().selu(input, inplace=True)


def celu_(input, alpha=1.0):
    return _F().celu(input, alpha, inplace=True)


def threshold_(input, threshold, value):
    return _F().threshold(input, threshold, value, inplace=True)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled=True):
    """ATen's argument order: weight and bias come before the running statistics."""
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                           eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled=True):
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                              momentum, eps)


_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
                                     reduction=1):
    """ATen form: ``reduction`` is an int (0 none, 1 mean, 2 sum)."""
    return _F().binary_cross_entropy_with_logits(
        input, target, weight, pos_weight=pos_weight,
        reduction=_REDUCTIONS.get(reduction, reduction))


def kl_div(input, target, reduction=1, *, log_target=False):
    return _F().kl_div(input, target, reduction=_REDUCTIONS.get(reduction, reduction),
                       log_target=log_target)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """``torch.vmap``: see :func:`ember.func.vmap`."""
    from .func import vmap as _vmap
    return _vmap(func, in_dims, out_dims, randomness, chunk_size=chunk_size)


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("np", "Tensor")]
