"""Functional activations (``F.relu``, ``F.gelu``, ``F.softmax`` ...)."""
import warnings

from ...ops import activation as _act
from ...ops import elementwise as _ew
from ...ops import reduction as _rd
from ...ops._util import inplace as _inplace

__all__ = ["relu", "relu_", "relu6", "elu", "elu_", "selu", "selu_", "celu", "celu_",
           "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu", "gelu", "logsigmoid",
           "hardshrink", "tanhshrink", "softsign", "softplus", "softmin", "softmax",
           "softshrink", "gumbel_softmax", "log_softmax", "tanh", "sigmoid", "hardsigmoid",
           "silu", "mish", "hardswish", "hardtanh", "hardtanh_", "threshold", "threshold_"]

leaky_relu = _act.leaky_relu
hardtanh = _act.hardtanh
relu6 = _act.relu6
elu = _act.elu
selu = _act.selu
celu = _act.celu
gelu = _act.gelu
silu = _act.silu
mish = _act.mish
softplus = _act.softplus
logsigmoid = _act.logsigmoid
hardsigmoid = _act.hardsigmoid
hardswish = _act.hardswish
hardshrink = _act.hardshrink
softshrink = _act.softshrink
tanhshrink = _act.tanhshrink
softsign = _act.softsign
prelu = _act.prelu
glu = _act.glu


def relu(input, inplace=False):
    """``max(0, x)``."""
    if inplace:
        return _inplace(input, _ew.relu)
    return _ew.relu(input)


def relu_(input):
    return relu(input, inplace=True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def selu_(input):
    return selu(input, True)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)


def threshold(input, threshold, value, inplace=False):
    """``x if x > threshold else value``."""
    return _act.threshold(input, threshold, value, inplace)


def threshold_(input, threshold, value):
    return _act.threshold(input, threshold, value, True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU (random slopes in training, their mean in eval)."""
    return _act.rrelu(input, lower, upper, training, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return _act.rrelu(input, lower, upper, training, True)


def tanh(input):
    return _ew.tanh(input)


def sigmoid(input):
    return _ew.sigmoid(input)


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x_i) / sum_j exp(x_j)`` along ``dim``."""
    if dim is None:
        dim = _implicit_dim("softmax", input.ndim, _stacklevel)
    return _rd.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)`` along ``dim``."""
    if dim is None:
        dim = _implicit_dim("softmin", input.ndim, _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _rd.softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.ndim, _stacklevel)
    return _rd.log_softmax(input, dim, dtype)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution (straight-through one-hot if ``hard``)."""
    from ... import random as _random
    from ...ops.creation import empty_like, zeros_like
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -_random.exponential_(empty_like(logits).detach()).log()
    y_soft = _rd.softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0) if hasattr(logits, "scatter_") \
        else _one_hot_like(y_soft, index, dim)
    return y_hard - y_soft.detach() + y_soft


def _one_hot_like(y, index, dim):
    import numpy as np
    from ...ops._util import wrap
    out = np.zeros(y._data.shape, dtype=y._data.dtype)
    np.put_along_axis(out, index._data, 1, axis=dim)
    return wrap(out)
