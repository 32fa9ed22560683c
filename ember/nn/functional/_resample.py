"""Functional forms: interpolate / upsample, pixel_shuffle, channel_shuffle, grid_sample,
affine_grid."""
import math
import numbers
import warnings

import numpy as np

from ...amp import _policy as _amp
from ...ops import resample as R
from ...tensor import Tensor

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "grid_sample",
           "affine_grid"]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "lanczos", "area",
          "nearest-exact")
_NEEDS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3, "lanczos": 2}
_AXES = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def _is_int(v):
    return isinstance(v, numbers.Integral) or (isinstance(v, Tensor) and v.ndim == 0 and
                                               not v.dtype.is_floating_point)


def _out_sizes(input, size, scale_factor, recompute_scale_factor, nd):
    sp = tuple(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError("Input and output must have the same number of spatial "
                                 f"dimensions, but got input with spatial dimensions of "
                                 f"{list(sp)} and output size of {size}. Please provide input "
                                 "tensor in (N, C, d1, d2, ...,dK) format and output size in "
                                 "(o1, o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, "
                                "int] or Tuple[int, int, int], but got size with types "
                                f"{[type(v) for v in size]}")
            out = tuple(int(s) for s in size)
        else:
            out = (int(size),) * nd
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return out, (None,) * nd
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != nd:
            raise ValueError("Input and scale_factor must have the same number of spatial "
                             f"dimensions, but got input with spatial dimensions of {list(sp)} "
                             f"and scale_factor of shape {scale_factor}. Please provide input "
                             "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                             "(s1, s2, ...,sK) format.")
        scales = tuple(float(s) for s in scale_factor)
    else:
        scales = (float(scale_factor),) * nd
    out = tuple(int(math.floor(s * f)) for s, f in zip(sp, scales))
    if recompute_scale_factor:
        return out, (None,) * nd
    return out, scales


def _check_dtype(input, mode, nd, antialias):
    """PyTorch's kernels: floats everywhere (no half antialias), uint8 for nearest and the
    4-D bilinear/bicubic/lanczos family; other integer/bool inputs raise."""
    from ...dtypes import type_word
    dt = input.dtype
    if mode == "area":
        ok, kname = dt.is_floating_point, "adaptive_avg_pool2d"
    elif antialias:
        ok = dt.name in ("float32", "float64", "uint8")
        kname = "compute_index_ranges_weights"
    else:
        kind = {"nearest-exact": "nearest", "bilinear": "linear", "trilinear": "linear",
                "bicubic": "cubic"}.get(mode, mode)
        ok = dt.is_floating_point or (dt.name == "uint8" and (
            kind == "nearest" or (nd == 2 and kind != "linear") or mode == "bilinear"))
        if nd == 2 and kind in ("nearest", "linear"):
            kname = f"upsample_{'nearest' if kind == 'nearest' else 'bilinear'}2d_channels_last"
        else:
            kname = f"compute_indices_weights_{kind}"
    if not ok:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{type_word(dt)}'")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, *spatial) by ``size`` or ``scale_factor``.

    Args:
        mode: ``'nearest'`` | ``'nearest-exact'`` | ``'linear'`` | ``'bilinear'`` |
            ``'bicubic'`` | ``'trilinear'`` | ``'lanczos'`` (with antialias) | ``'area'``.
        align_corners: for the interpolating modes, align the corner pixels' centres.
        antialias: bilinear/bicubic/lanczos on 4-D input only; when shrinking, average over
            the whole footprint of each output pixel (as PIL does) instead of point sampling.

    Example::

        >>> F.interpolate(torch.ones(1, 1, 2, 2), scale_factor=2, mode='bilinear').shape
        torch.Size([1, 1, 4, 4])
    """
    # Checks in PyTorch's order, so the same bad call raises the same error.
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    out, scales = _out_sizes(input, size, scale_factor, recompute_scale_factor, nd)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if mode not in _MODES or not 1 <= nd <= 3:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})")
    if mode in _NEEDS and _NEEDS[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_NEEDS[mode] + 2}D input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if any(o <= 0 for o in out):
        names = _AXES[nd]
        sep = " and " if nd == 1 else " "
        raise RuntimeError("Input and output sizes should be greater than 0, but got input ("
                           + ", ".join(f"{a}: {v}" for a, v in zip(names, input.shape[2:]))
                           + f"){sep}output ("
                           + ", ".join(f"{a}: {v}" for a, v in zip(names, out)) + ")")
    _check_dtype(input, mode, nd, antialias)
    if mode == "area":
        from ._pooling import _adaptive_avg
        return _adaptive_avg(nd, input, out)
    kind = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
            "bicubic": "cubic"}.get(mode, mode)
    if input.dtype.name == "uint8" and kind not in ("nearest", "nearest-exact"):
        return _interpolate_uint8(input, kind, out, align_corners, scales, antialias)
    y = input
    # Last axis first: the gathers then read along contiguous memory.
    for j in reversed(range(nd)):
        n_in = input.shape[2 + j]
        if antialias:
            y = R.resample_axis(y, 2 + j, R.aa_taps_for(kind, n_in, out[j], align_corners,
                                                         scales[j]))
            continue
        if n_in == out[j] and kind != "cubic" and (scales[j] is None or scales[j] == 1.0):
            continue
        taps = R.taps_for(kind, n_in, out[j], align_corners, scales[j])
        y = R.resample_axis(y, 2 + j, taps)
    if y is input:
        y = input.clone()
    return y


def _interpolate_uint8(input, kind, out, align_corners, scales, antialias):
    """uint8 images (torchvision's resize): fixed-point passes, last axis first; an axis whose
    size does not change is skipped, as in PyTorch's separable byte kernel."""
    y = input._data
    for j in reversed(range(len(out))):
        n_in = input.shape[2 + j]
        if n_in != out[j]:
            if kind == "cubic" and not antialias:  # plain bicubic: the float tap table
                taps = R.taps_for(kind, n_in, out[j], align_corners, scales[j])
            else:
                taps = R.aa_taps_for(kind, n_in, out[j], align_corners, scales[j], antialias)
            y = R.resample_uint8(y, 2 + j, taps)
    return Tensor._wrap(y.copy() if y is input._data else y)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate`."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- shuffles
def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    perm = list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2]
    return x.permute(*perm).reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects {'height' if h % r else 'width'} to be "
                           f"divisible by downscale_factor, but input.size("
                           f"{-2 if h % r else -1})={h if h % r else w} is not divisible by {r}")
    k = len(lead)
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    perm = list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3]
    return x.permute(*perm).reshape(*lead, c * r * r, h // r, w // r)


def channel_shuffle(input, groups):
    """Split channels into ``groups`` and interleave them: (N, g * k, *) -> (N, k * g, *)."""
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{g}")
    if input.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but "
                           f"got input with sizes {list(input.shape)}")
    n, c = input.shape[:2]
    if c % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels "
                           f"and {g} groups.")
    rest = tuple(input.shape[2:])
    return input.reshape(n, g, c // g, *rest).transpose(1, 2).reshape(n, c, *rest)


native_channel_shuffle = channel_shuffle


# ---------------------------------------------------------------- spatial transformers
@_amp.fp32_op(_amp.CPU)
def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` at ``grid`` locations given in [-1, 1].

    ``input`` is (N, C, H_in, W_in) with ``grid`` (N, H_out, W_out, 2), or volumetric
    (N, C, D_in, H_in, W_in) with ``grid`` (N, D_out, H_out, W_out, 3); ``grid[..., 0]`` is x
    (width), ``grid[..., 1]`` y, ``grid[..., 2]`` z.

    Args:
        mode: ``'bilinear'`` (trilinear for 5-D) | ``'nearest'`` | ``'bicubic'`` (4-D only).
        padding_mode: ``'zeros'`` | ``'border'`` | ``'reflection'``.
        align_corners: whether -1 and 1 are the centres (True) or the outer edges (False)
            of the corner pixels.
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.")
        align_corners = False
    isz, gsz = list(input.shape), list(grid.shape)
    if grid.dtype != input.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but "
                           f"input has {input.dtype} and grid has {grid.dtype}")
    if input.ndim and grid.ndim and isz[0] != gsz[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {isz} and grid with sizes {gsz}")
    if not grid.ndim or gsz[-1] != input.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.ndim - 2} in "
                           f"last dimension, but got grid with sizes {gsz}")
    for i in range(2, input.ndim):
        if isz[i] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {isz} with dimension {i} being "
                               f"empty")
    nd = 4 if input.ndim == 4 else 5
    if input.ndim != nd or grid.ndim != nd:
        raise RuntimeError(f"grid_sampler(): expected {nd}D input and grid with same number of "
                           f"dimensions, but got input with sizes {isz} and grid with sizes "
                           f"{gsz}")
    if nd == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    return R.grid_sample(input, grid, mode, padding_mode, align_corners)


def _base_coords(n, align_corners, dtype):
    if n <= 1:
        return np.zeros(max(n, 1), dtype=dtype)
    c = np.linspace(-1.0, 1.0, n)
    if not align_corners:
        c = c * (n - 1) / n
    return c.astype(dtype)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid for ``grid_sample`` from affine matrices theta (N, 2, 3) or (N, 3, 4)."""
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to "
                      "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                      "old behavior is desired. See the documentation of grid_sample for "
                      "details.")
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) == 4:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError("Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError("Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {theta.shape}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise ValueError(f"Expected theta batch size {theta.shape[0]} to match size {size[0]}")
    npd = theta._data.dtype
    axes = [_base_coords(s, align_corners, npd) for s in spatial]
    # Coordinates are (x, y[, z]) = (last dim, ..., first dim), then a homogeneous 1.
    mesh = np.meshgrid(*axes, indexing="ij")
    coords = [m.reshape(-1) for m in reversed(mesh)] + [np.ones(mesh[0].size, dtype=npd)]
    base = Tensor._wrap(np.stack(coords, 1).astype(npd))            # (L, nd + 1)
    grid = base.matmul(theta.transpose(1, 2))                       # (N, L, nd)
    return grid.reshape(size[0], *spatial, len(spatial))
