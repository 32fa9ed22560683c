"""Functional forms: conv*, conv_transpose*, unfold, fold."""
from ...amp import _policy as _amp
from ...ops import conv as C
from ...ops._lowp import in_float32, is_half
from ...ops._vision import check_float_like, ntuple, batchify

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "unfold", "fold"]


def _check_input(input, weight, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    if weight.ndim != nd + 2:
        raise RuntimeError(f"weight should have at least three dimensions" if nd + 2 < 3 else
                           f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
                           f"{list(input.shape)}, but got {weight.ndim}-dimensional weight of "
                           f"size {list(weight.shape)} instead")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_cap(input.dtype)} but found "
                           f"{_cap(weight.dtype)}")
    check_float_like(input)


def _cap(d):
    return {"float32": "Float", "float64": "Double", "float16": "Half",
            "bfloat16": "BFloat16", "int64": "Long"}.get(d.name, d.name)


def _check_bias(bias, n, weight, dtype):
    if bias is None:
        return
    if bias.ndim != 1 or bias.shape[0] != n:
        raise RuntimeError(f"Given weight of size {list(weight.shape)}, expected bias to be "
                           f"1-dimensional with {n} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    if bias.dtype != dtype:
        raise RuntimeError(f"Input type ({dtype.name}) and bias type ({bias.dtype.name}) "
                           "should be the same")


def _spatial_args(stride, dilation, nd):
    stride = ntuple(stride, nd, "stride")
    dilation = ntuple(dilation, nd, "dilation")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    return stride, dilation


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd, name):
    if _amp.active:
        input, weight, bias = _amp.lower(_amp.BOTH, input, weight, bias)
    _check_input(input, weight, nd, name)
    x, unbatched = batchify(input, nd)
    stride, dilation = _spatial_args(stride, dilation, nd)
    kernel = tuple(weight.shape[2:])
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    o, cg = weight.shape[0], weight.shape[1]
    if o % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(weight.shape)}] "
                           "instead")
    if x.shape[1] != cg * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{list(x.shape)} to have {cg * groups} channels, but "
                           f"got {x.shape[1]} channels instead")
    _check_bias(bias, o, weight, input.dtype)
    sp = tuple(x.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            # Extra padding for even kernels goes on the right, as PyTorch does.
            tot = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pads = tuple((t // 2, t - t // 2) for t in tot)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        p = ntuple(padding, nd, "padding")
        if any(v < 0 for v in p):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((v, v) for v in p)
    padded = [s + lo + hi for s, (lo, hi) in zip(sp, pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           "actual input size")
    out = tuple((p - e) // s + 1 for p, e, s in zip(padded, eff, stride))
    geo = C.Geometry(kernel, stride, pads, dilation, groups, sp, out)
    if is_half(x._data):  # accumulate in float32 and round once, as PyTorch's CPU kernels
        y = in_float32(C.conv_forward, x.dtype, x, weight, geo, bias)
    else:
        y = C.conv_forward(x, weight, geo, bias)
    return y.squeeze(0) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an input (N, C_in, L) or (C_in, L).

    Args:
        weight: (C_out, C_in / groups, kW); bias: (C_out,) or None.
        padding: int, tuple, ``'valid'`` or ``'same'``.
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over an input (N, C_in, H, W) or (C_in, H, W).

    Example::

        >>> F.conv2d(torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3), padding=1).shape
        torch.Size([1, 4, 8, 8])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over an input (N, C_in, D, H, W) or (C_in, D, H, W)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      nd, name, output_size=None):
    if _amp.active:
        input, weight, bias = _amp.lower(_amp.BOTH, input, weight, bias)
    _check_input(input, weight, nd, name)
    x, unbatched = batchify(input, nd)
    stride, dilation = _spatial_args(stride, dilation, nd)
    p = ntuple(padding, nd, "padding")
    op = list(ntuple(output_padding, nd, "output_padding"))
    if any(v < 0 for v in p):
        raise RuntimeError("negative padding is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    cin = weight.shape[0]
    if x.shape[1] != cin:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected "
                           f"input{list(x.shape)} to have {cin} channels, but got {x.shape[1]} "
                           "channels instead")
    if cin % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(weight.shape)}] "
                           "instead")
    cout = weight.shape[1] * groups
    _check_bias(bias, cout, weight, input.dtype)
    kernel = tuple(weight.shape[2:])
    sp = tuple(x.shape[2:])
    base = [(i - 1) * s - 2 * pp + d * (k - 1) + 1
            for i, s, pp, d, k in zip(sp, stride, p, dilation, kernel)]
    if output_size is not None:
        want = list(output_size)[-nd:]
        op = [w - b for w, b in zip(want, base)]
        for i in range(nd):
            if not 0 <= op[i] < max(stride[i], dilation[i]):
                raise ValueError(f"requested an output size of {want}, but valid sizes range "
                                 f"from {base} to "
                                 f"{[b + max(s, d) - 1 for b, s, d in zip(base, stride, dilation)]}"
                                 f" (for an input of {list(sp)})")
    if any(o >= s and o >= d for o, s, d in zip(op, stride, dilation)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           f"got output_padding={tuple(op)}, stride={stride}, "
                           f"dilation={dilation}")
    out_sp = tuple(b + o for b, o in zip(base, op))
    if any(v <= 0 for v in out_sp):
        raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, sp))}). "
                           f"Calculated output size per channel: "
                           f"({' x '.join(map(str, out_sp))}). Output size is too small")
    # The conv that maps out_sp (padded by p, plus output_padding never reached) back to sp.
    geo = C.Geometry(kernel, stride, tuple((v, v) for v in p), dilation, groups, out_sp, sp)
    if is_half(x._data):  # accumulate in float32 and round once, as PyTorch's CPU kernels
        y = in_float32(C.conv_input, x.dtype, x, weight, (x.shape[0], cout) + out_sp, geo,
                       bias, transposed=True)
    else:
        y = C.conv_input(x, weight, (x.shape[0], cout) + out_sp, geo, bias, transposed=True)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution; weight (C_in, C_out / groups, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution"); weight (C_in, C_out / groups, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-D transposed convolution; weight (C_in, C_out / groups, kD, kH, kW)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups,
                             dilation, 3, "conv_transpose3d")


def _block_geo(sp, kernel_size, dilation, padding, stride):
    k = ntuple(kernel_size, 2, "kernel_size")
    d = ntuple(dilation, 2, "dilation")
    p = ntuple(padding, 2, "padding")
    s = ntuple(stride, 2, "stride")
    out = tuple((i + 2 * pp - dd * (kk - 1) - 1) // ss + 1
                for i, pp, dd, kk, ss in zip(sp, p, d, k, s))
    return C.Geometry(k, s, tuple((v, v) for v in p), d, 1, sp, out)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding blocks: (N, C, H, W) -> (N, C * kH * kW, L)."""
    if input.ndim not in (3, 4):
        raise NotImplementedError("Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    x, unbatched = batchify(input, 2)
    geo = _block_geo(tuple(x.shape[2:]), kernel_size, dilation, padding, stride)
    if any(o <= 0 for o in geo.out):
        raise RuntimeError(f"Given input with spatial size {list(x.shape[2:])}, kernel_size="
                           f"{list(geo.kernel)}, dilation={list(geo.dilation)}, padding="
                           f"{[p[0] for p in geo.pads]}, calculated shape of the array of "
                           f"sliding blocks as {list(geo.out)}, but its components must be at "
                           "least one.")
    y = C.unfold_op(x, geo)
    return y.squeeze(0) if unbatched else y


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Combine sliding blocks into a tensor: (N, C * kH * kW, L) -> (N, C, *output_size)."""
    if input.ndim not in (2, 3):
        raise NotImplementedError("Input Error: Only unbatched (2D) or batched (3D) input "
                                  f"Tensors are supported (got {input.ndim}D)")
    x = input.unsqueeze(0) if input.ndim == 2 else input
    sp = ntuple(output_size, 2, "output_size")
    geo = _block_geo(sp, kernel_size, dilation, padding, stride)
    kk = geo.kernel[0] * geo.kernel[1]
    if x.shape[1] % kk:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={geo.kernel}")
    if geo.out[0] * geo.out[1] != x.shape[2]:
        raise RuntimeError(f"Given output_size={sp}, kernel_size={geo.kernel}, dilation="
                           f"{geo.dilation}, padding={tuple(p[0] for p in geo.pads)}, stride="
                           f"{geo.stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {geo.out[0]} * {geo.out[1]} = "
                           f"{geo.out[0] * geo.out[1]}, but got input.size(2)={x.shape[2]}.")
    y = C.fold_op(x, geo, x.shape[1] // kk)
    return y.squeeze(0) if input.ndim == 2 else y
