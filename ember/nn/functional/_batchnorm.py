"""Functional forms: batch_norm, instance_norm."""
from ...ops import batchnorm as B
from ...tensor import Tensor

__all__ = ["batch_norm", "instance_norm"]


def _check_len(t, c, name):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-05):
    """Batch normalisation over an (N, C, *) input.

    In training, statistics come from the batch and ``running_mean``/``running_var`` (if
    given) are updated in place: ``r = (1 - momentum) * r + momentum * stat`` (the variance
    unbiased); otherwise the running statistics are used.
    """
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.ndim}D input)")
    size = tuple(input.shape)
    if training:
        prods = size[0]
        for s in size[2:]:
            prods *= s
        if prods == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    c = size[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_len(t, c, name)
    return B.batch_norm(input, running_mean, running_var, weight, bias, training,
                        0.1 if momentum is None else momentum, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-05):
    """Normalise each (sample, channel) plane by its own statistics.

    Running statistics, when given, are updated with the mean over the batch of the per-sample
    statistics (as PyTorch does)."""
    if input.ndim < 2:
        raise ValueError(f"Expected 2D or higher input (got {input.ndim}D input)")
    size = tuple(input.shape)
    if use_input_stats:
        prods = 1
        for s in size[2:]:
            prods *= s
        if prods == 1:
            raise ValueError("Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
    n, c = size[:2]
    x = input.reshape((1, n * c) + size[2:])
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    rm_rep = Tensor._wrap(rm.reshape(1, c).repeat(n, 0).reshape(-1)) if rm is not None else None
    rv_rep = Tensor._wrap(rv.reshape(1, c).repeat(n, 0).reshape(-1)) if rv is not None else None
    if not use_input_stats and (rm is None or rv is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    y = B.batch_norm(x, rm_rep, rv_rep, w, b, use_input_stats,
                     0.1 if momentum is None else momentum, eps)
    if use_input_stats:
        if rm is not None:
            rm[...] = rm_rep._data.reshape(n, c).mean(0)
            running_mean._vc[0] += 1
        if rv is not None:
            rv[...] = rv_rep._data.reshape(n, c).mean(0)
            running_var._vc[0] += 1
    return y.reshape(size)
