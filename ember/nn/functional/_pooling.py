"""Functional forms: max/avg/lp/adaptive pooling and max-unpooling (1d/2d/3d)."""
import numpy as np

from ...amp import _policy as _amp
from ...ops import pooling as P
from ...ops._vision import ntuple
from ...tensor import Tensor

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]


def _check_dims(x, nd, name):
    if x.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in x.shape[1:]):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: "
                           f"{list(x.shape)}" if nd != 2 else
                           "non-empty 3D or 4D (batch mode) tensor expected for input")


def _plan(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = ntuple(stride if stride is not None and stride != [] and stride != () else k, nd,
               "stride")
    p = ntuple(padding, nd, "padding")
    d = ntuple(dilation, nd, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{name}() kernel_size must be greater than zero, but got "
                           f"{k[0] if nd == 1 else k}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{name}() stride must be greater than zero, but got "
                           f"{s[0] if nd == 1 else s}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{name}() dilation must be greater than zero, but got "
                           f"{d[0] if nd == 1 else d}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > (dd * (kk - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pp}, kernel_size={kk} and dilation={dd}")
    sp = tuple(x.shape[x.ndim - nd:])
    out, pads = [], []
    for n, kk, ss, pp, dd in zip(sp, k, s, p, d):
        num = n + 2 * pp - dd * (kk - 1) - 1
        o = (num + (ss - 1 if ceil_mode else 0)) // ss + 1
        if ceil_mode and (o - 1) * ss >= n + pp:
            o -= 1  # the last window must start inside the input or left padding
        out.append(o)
        pads.append((pp, (o - 1) * ss + dd * (kk - 1) + 1 - n - pp))
    if any(o <= 0 for o in out):
        c = x.shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + sp))}). Calculated "
                           f"output size: ({'x'.join(map(str, (c,) + tuple(out)))}). Output "
                           "size is too small")
    return P.WindowPlan(k, s, d, tuple(pads), sp, tuple(out))


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    name = f"max_pool{nd}d"
    _check_dims(input, nd, name)
    plan = _plan(input, nd, kernel_size, stride, padding, dilation, ceil_mode, name)
    return P.max_pool(input, plan, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-D max pooling over (N, C, L) or (C, L)."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-D max pooling over (N, C, H, W) or (C, H, W); ``stride`` defaults to kernel_size.

    Example::

        >>> F.max_pool2d(torch.randn(1, 1, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


@_amp.fp32_op(_amp.CPU)
def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-D max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@_amp.fp32_op(_amp.CPU)
def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    name = f"avg_pool{nd}d"
    _check_dims(input, nd, name)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    plan = _plan(input, nd, kernel_size, stride, padding, 1, ceil_mode, name)
    x = input
    integer = x.dtype.is_floating_point is False
    if integer:
        x = x.double()
    y = P.avg_pool(x, plan, count_include_pad, divisor_override)
    return y.to(input.dtype) if integer else y


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-D average pooling over (N, C, L) or (C, L)."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-D average pooling; ``count_include_pad`` counts zero padding in the divisor."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


@_amp.fp32_op(_amp.CPU)
def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-D average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ---------------------------------------------------------------- adaptive
def _adaptive_size(input, output_size, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    sp = tuple(input.shape[input.ndim - nd:])
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise RuntimeError(f"{name}: internal error: output_size.size() must be {nd}")
        out = tuple(s if o is None else int(o) for o, s in zip(output_size, sp))
    else:
        out = (int(output_size),) * nd
    if any(o < 0 for o in out):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to "
                           "0")
    for s in input.shape[1:]:
        if s == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               "dimension 1 being empty")
    return sp, out


def _pool_matrix(n, o, dtype):
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    cols = np.arange(n)
    m = (cols[None, :] >= start[:, None]) & (cols[None, :] < end[:, None])
    return (m / (end - start)[:, None]).astype(dtype)


def _adaptive_avg(nd, input, output_size):
    name = f"adaptive_avg_pool{nd}d"
    sp, out = _adaptive_size(input, output_size, nd, name)
    dims = tuple(range(input.ndim - nd, input.ndim))
    if all(o == 1 for o in out):
        return input.mean(dim=dims, keepdim=True)
    if all(s % o == 0 for s, o in zip(sp, out)):
        k = tuple(s // o for s, o in zip(sp, out))
        plan = P.WindowPlan(k, k, (1,) * nd, ((0, 0),) * nd, sp, out)
        return P.avg_pool(input, plan)
    # Uneven windows: average pooling along each dim is a (out x in) matrix (separable).
    y = input
    for j, (s, o) in enumerate(zip(sp, out)):
        dim = input.ndim - nd + j
        m = Tensor._wrap(_pool_matrix(s, o, input._data.dtype))
        y = y.transpose(dim, -1).matmul(m.t()).transpose(dim, -1)
    return y.contiguous()


def adaptive_avg_pool1d(input, output_size):
    """Average pooling to a fixed output length."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (int or (H, W), None keeps that dim)."""
    return _adaptive_avg(2, input, output_size)


@_amp.fp32_op(_amp.CPU)
def adaptive_avg_pool3d(input, output_size):
    """Average pooling to a fixed (D, H, W) output."""
    return _adaptive_avg(3, input, output_size)


def _adaptive_max(nd, input, output_size, return_indices):
    name = f"adaptive_max_pool{nd}d"
    sp, out = _adaptive_size(input, output_size, nd, name)
    y, idx = P.adaptive_max_pool(input, out)
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size."""
    return _adaptive_max(2, input, output_size, return_indices)


@_amp.fp32_op(_amp.CPU)
def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed (D, H, W) output."""
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(2, input, output_size, True)


@_amp.fp32_op(_amp.CPU)
def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    return _adaptive_max(3, input, output_size, True)


# ---------------------------------------------------------------- power-average
def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    k = ntuple(kernel_size, nd, "kernel_size")
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    # As PyTorch: sign(out) * relu(|out|) keeps the gradient finite where the sum is zero.
    return (out.sign() * out.abs().relu()).mul(int(np.prod(k))).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: ``(sum x^p)^(1/p)`` over each window."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: ``(sum x^p)^(1/p)`` over each window."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------- unpooling
def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    k = ntuple(kernel_size, nd, "kernel_size")
    s = ntuple(stride if stride is not None else k, nd, "stride")
    p = ntuple(padding, nd, "padding")
    sp = tuple(input.shape[input.ndim - nd:])
    default = tuple((i - 1) * ss - 2 * pp + kk for i, ss, pp, kk in zip(sp, s, p, k))
    if output_size is not None:
        want = tuple(int(v) for v in output_size)
        if len(want) == nd + 2 or len(want) == nd + 1:
            want = want[len(want) - nd:]
        if len(want) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                             f"elements, but it has a length of '{len(output_size)}'")
        for w, d, ss in zip(want, default, s):
            if not d - ss < w < d + ss:
                raise ValueError(f"invalid output_size \"{list(want)}\" (dim 0 must be between "
                                 f"{d - ss} and {d + ss})")
        plane = want
    else:
        plane = default
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    return P.max_unpool(input, indices, plane)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: maxima back at their indices, zeros elsewhere."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


@_amp.fp32_op(_amp.CPU)
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d: maxima back at their indices, zeros elsewhere."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


@_amp.fp32_op(_amp.CPU)
def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)
