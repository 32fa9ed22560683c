"""``F.fractional_max_pool2d`` / ``F.fractional_max_pool3d``."""
from ...amp import _policy as _amp
from ...ops.fractional_pool import fractional_max_pool

__all__ = ["fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]


def _tuple(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


def _pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, nd):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an "
                         f"output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    k = _tuple(kernel_size, nd)
    if output_size is None:
        ratio = _tuple(output_ratio, nd)
        output_size = tuple(int(input.shape[-nd + i] * ratio[i]) for i in range(nd))
    out_size = _tuple(output_size, nd)
    batched = input.ndim == nd + 2
    x = input if batched else input.unsqueeze(0)
    if _random_samples is None:
        from ...random import rand
        _random_samples = rand(x.shape[0], x.shape[1], nd, dtype=input.dtype,
                               device=input.device)
    elif _random_samples.ndim == 2:
        _random_samples = _random_samples.unsqueeze(0)
    out, idx = fractional_max_pool(x, k, out_size, _random_samples, nd)
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return (out, idx) if return_indices else out


@_amp.fp32_op(_amp.CPU)
def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling over a ``(N?, C, H, W)`` input.

    Args:
        kernel_size: pooling window size (int or pair).
        output_size: target output size ``(oH, oW)``, or
        output_ratio: output size as a fraction of the input size, in (0, 1).
        return_indices (bool): also return the flat ``h * W + w`` index of each maximum.
    """
    return _pool(input, kernel_size, output_size, output_ratio, return_indices,
                 _random_samples, 2)


@_amp.fp32_op(_amp.CPU)
def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """Fractional max pooling over a ``(N?, C, T, H, W)`` input (see the 2-D form)."""
    return _pool(input, kernel_size, output_size, output_ratio, return_indices,
                 _random_samples, 3)


@_amp.fp32_op(_amp.CPU)
def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


@_amp.fp32_op(_amp.CPU)
def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None,
                                       output_ratio=None, return_indices=False,
                                       _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)
