"""Array kernels of the vision ops: padding buffers, im2col/col2im as strided views.

Two layouts of a column buffer (the "cols" of im2col):
- per sample, ``(N, C, *kernel, *out)`` = ``(N, C*K, L)`` (``im2col_ps`` / ``col2im_ps``), used
  by ungrouped convolutions and unfold/fold: ``W(O, C*K) @ cols`` is a stacked GEMM whose
  result is already NCHW, ``W.T @ g`` reads the NCHW gradient as it is, so no layout copies;
- grouped, ``(C, *kernel, N, *out)``: rows ``C * prod(kernel)``, columns ``N * prod(out)``, so
  a grouped forward is ONE 2-D GEMM per group (N * G tiny GEMMs otherwise).
im2col is a strided view copied once, col2im a loop over kernel offsets (never over pixels)
adding strided views. Where the native kernels are built, 1-d/2-d float32 im2col_ps / col2im_ps
run as compiled kernels with implicit padding (native.py).
"""
import itertools

import numpy as np

from . import host_tuning
from . import native as NK

as_strided = np.lib.stride_tricks.as_strided
_nd = np.ndarray
_F32 = np.dtype(np.float32)


# Process-wide malloc / BLAS-kernel tuning (each with an opt-out variable): host_tuning.py.
host_tuning.apply()


def xp_of(a):
    if type(a) is np.ndarray:
        return np
    import cupy  # only reached for device arrays
    return cupy


def _as_strided(xp, a, shape, strides):
    if xp is np:
        return as_strided(a, shape, strides)
    return xp.lib.stride_tricks.as_strided(a, shape, strides)


def pad_zeros(x, pads):
    """``x`` (N, C, *S) with zero padding ``pads`` = ((lo, hi), ...) on the spatial dims.

    Negative entries crop. Returns x itself when there is nothing to do."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = xp_of(x)
    nd = len(pads)
    sp = x.shape[2:]
    full = x.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
    out = xp.zeros(full, dtype=x.dtype)
    dst = (slice(None), slice(None)) + tuple(
        slice(max(lo, 0), max(lo, 0) + s + min(lo, 0) + min(hi, 0)) for s, (lo, hi) in
        zip(sp, pads))
    src = (slice(None), slice(None)) + tuple(
        slice(max(-lo, 0), s - max(-hi, 0)) for s, (lo, hi) in zip(sp, pads))
    if nd:
        out[dst] = x[src]
    return out


def crop(xp_arr, pads, shape):
    """Undo ``pad_zeros``: the region of a padded array that holds the original ``shape``."""
    if not any(lo or hi for lo, hi in pads):
        return xp_arr
    sl = (slice(None), slice(None)) + tuple(
        slice(lo, lo + s) for (lo, _), s in zip(pads, shape[2:]))
    return xp_arr[sl]


def window_view(xp_arr, kernel, stride, dilation, out, lead=("C", "K", "N", "O")):
    """Strided view (C, *k, N, *out) of padded input (N, C, *Sp): no copy."""
    xp = xp_of(xp_arr)
    s = xp_arr.strides
    n, c = xp_arr.shape[:2]
    nd = len(kernel)
    shape = (c,) + tuple(kernel) + (n,) + tuple(out)
    strides = (s[1],) + tuple(s[2 + i] * dilation[i] for i in range(nd)) + (s[0],) + \
        tuple(s[2 + i] * stride[i] for i in range(nd))
    return _as_strided(xp, xp_arr, shape, strides)


def im2col(xp_arr, kernel, stride, dilation, out):
    """Contiguous columns (C * prod(k), N * prod(out)) of a padded input."""
    v = window_view(xp_arr, kernel, stride, dilation, out)
    xp = xp_of(xp_arr)
    cols = xp.empty(v.shape, dtype=xp_arr.dtype)
    cols[...] = v
    c = xp_arr.shape[1]
    return cols.reshape(c * int(np.prod(kernel)), -1)


def col2im(cols, full_shape, kernel, stride, dilation, out):
    """Adjoint of im2col: sum columns (C, *k, N, *out) back into a padded (N, C, *Sp) array.

    One strided add per kernel offset into a (C, N, *Sp) accumulator: it shares the columns'
    (C, N) order, so every add streams both operands (adding into the (N, C) layout directly
    was 2-3x slower); one transposing copy at the end gives NCHW. Each offset's target view
    has no overlapping elements, so ``+=`` is exact."""
    xp = xp_of(cols)
    n, c = full_shape[:2]
    nd = len(kernel)
    cols = cols.reshape((c,) + tuple(kernel) + (n,) + tuple(out))
    acc = xp.zeros((c, n) + tuple(full_shape[2:]), dtype=cols.dtype)
    for off in itertools.product(*[range(k) for k in kernel]):
        sl = (slice(None), slice(None)) + tuple(
            slice(o * d, o * d + st * (m - 1) + 1, st)
            for o, d, st, m in zip(off, dilation, stride, out))
        acc[sl] += cols[(slice(None),) + off]
    res = xp.empty(full_shape, dtype=cols.dtype)
    res[...] = acc.transpose((1, 0) + tuple(range(2, 2 + nd)))
    return res


def to_groups_rows(a, groups):
    """(N, C, *S) -> contiguous (G, C/G, N * prod(S)): channels as rows, batch+space as columns."""
    xp = xp_of(a)
    n, c = a.shape[:2]
    rest = int(np.prod(a.shape[2:]))
    v = a.reshape(n, groups, c // groups, rest) if a.flags.c_contiguous else \
        xp.ascontiguousarray(a).reshape(n, groups, c // groups, rest)
    out = xp.empty((groups, c // groups, n, rest), dtype=a.dtype)
    out[...] = v.transpose(1, 2, 0, 3)
    return out.reshape(groups, c // groups, n * rest)


def from_groups_rows(y, n, spatial):
    """(G, Cg, N * prod(S)) -> contiguous (N, G * Cg, *S)."""
    xp = xp_of(y)
    g, cg = y.shape[:2]
    rest = int(np.prod(spatial))
    out = xp.empty((n, g, cg, rest), dtype=y.dtype)
    out[...] = y.reshape(g, cg, n, rest).transpose(2, 0, 1, 3)
    return out.reshape((n, g * cg) + tuple(spatial))


def sum_rows(a2):
    """Column sums of a 2-D array through BLAS (``ones @ a``), much faster than sum(axis=0)."""
    xp = xp_of(a2)
    return xp.ones((1, a2.shape[0]), dtype=a2.dtype) @ a2


# ---------------------------------------------------------------- per-sample columns
def _as2d(geo, x=None):
    """Geometry (and input) of a 1-d or 2-d convolution as 2-d: (kh, kw, sh, sw, ph, pw, dh,
    dw, oh, ow); 1-d gets a unit height."""
    if len(geo.kernel) == 2:
        (kh, kw), (sh, sw), (dh, dw), (oh, ow) = geo.kernel, geo.stride, geo.dilation, geo.out
        ph, pw = geo.pads[0][0], geo.pads[1][0]
    else:
        kh = sh = dh = oh = 1
        ph = 0
        kw, sw, dw, ow, pw = geo.kernel[0], geo.stride[0], geo.dilation[0], geo.out[0], \
            geo.pads[0][0]
    return kh, kw, sh, sw, ph, pw, dh, dw, oh, ow


def _fast(nd, *arrays):
    if nd > 2:
        return None
    nk = NK.kernels()
    return nk if nk is not None and NK.usable(*arrays) else None


def im2col_ps(x, geo):
    """Columns (N, C*K, L) of x (N, C, *S) for convolution geometry ``geo``."""
    n, c = x.shape[:2]
    nd = len(geo.kernel)
    kk = int(np.prod(geo.kernel))
    ll = int(np.prod(geo.out))
    nk = _fast(nd, x)
    if nk is not None:
        kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = _as2d(geo)
        out = np.empty(n * c * kk * ll, dtype=x.dtype)
        h, w = (x.shape[2], x.shape[3]) if nd == 2 else (1, x.shape[2])
        nk.im2col2d(x.reshape(-1), out, n * c, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw)
        return out.reshape(n, c * kk, ll)
    xp = xp_of(x)
    xpad = pad_zeros(x, geo.pads)
    s = xpad.strides
    shape = (n, c) + tuple(geo.kernel) + tuple(geo.out)
    strides = (s[0], s[1]) + tuple(s[2 + i] * geo.dilation[i] for i in range(nd)) + \
        tuple(s[2 + i] * geo.stride[i] for i in range(nd))
    cols = xp.empty(shape, dtype=x.dtype)
    cols[...] = _as_strided(xp, xpad, shape, strides)
    return cols.reshape(n, c * kk, ll)


def col2im_ps(cols, geo, n, c):
    """Adjoint of ``im2col_ps``: columns (N, C*K, L) summed into (N, C, *geo.inp)."""
    nd = len(geo.kernel)
    nk = _fast(nd, cols)
    if nk is not None:
        kh, kw, sh, sw, ph, pw, dh, dw, oh, ow = _as2d(geo)
        out = np.empty((n, c) + tuple(geo.inp), dtype=cols.dtype)
        h, w = (geo.inp[0], geo.inp[1]) if nd == 2 else (1, geo.inp[0])
        nk.col2im2d(cols.reshape(-1), out.reshape(-1), n * c, h, w, kh, kw, oh, ow, sh, sw, ph,
                    pw, dh, dw)
        return out
    xp = xp_of(cols)
    c6 = cols.reshape((n, c) + tuple(geo.kernel) + tuple(geo.out))
    acc = xp.zeros(geo.full(n, c), dtype=cols.dtype)
    # Each offset's target view has no overlapping elements, so ``+=`` is exact.
    for off in itertools.product(*[range(k) for k in geo.kernel]):
        sl = (slice(None), slice(None)) + tuple(
            slice(o * d, o * d + st * (m - 1) + 1, st)
            for o, d, st, m in zip(off, geo.dilation, geo.stride, geo.out))
        acc[sl] += c6[(slice(None), slice(None)) + off]
    return crop(acc, geo.pads, (n, c) + tuple(geo.inp))


# ---------------------------------------------------------------- compiled max pooling
def _is2x2(plan):
    # The compiled kernel covers the common 2x2 / stride 2 / unpadded window (branch-free,
    # 4x faster than the NumPy passes); other windows use the NumPy code.
    return (len(plan.kernel) == 2 and plan.kernel == (2, 2) and plan.stride == (2, 2)
            and plan.dilation == (1, 1)
            and all(lo == 0 and hi <= 0 for lo, hi in plan.pads))


def maxpool_fast(d, plan):
    """(y, arg) of max pooling ``d`` (..., H, W) through the compiled kernel, or None.

    ``arg`` is the winning kernel offset per output (uint8), as pooling.max_pool records."""
    if not _is2x2(plan):
        return None
    if type(d) is np.ndarray and d.dtype == np.float32 and not d.flags.c_contiguous:
        d = np.ascontiguousarray(d)
    nk = _fast(2, d)
    if nk is None:
        return None
    (h, w), (oh, ow) = plan.inp, plan.out
    out = d.shape[:-2] + (oh, ow)
    y = np.empty(out, dtype=d.dtype)
    arg = np.empty(out, dtype=np.uint8)
    nk.maxpool2x2(d.reshape(-1), y.reshape(-1), arg.reshape(-1), d.size // (h * w), h, w, oh,
                  ow)
    return y, arg


def maxpool_grad_fast(g, plan):
    """Max pooling's input gradient from ``g`` (..., oh, ow) and ``plan.arg``, or None."""
    if not _is2x2(plan) or plan.arg is None or plan.arg.dtype != np.uint8:
        return None
    if type(g) is np.ndarray and g.dtype == np.float32 and not g.flags.c_contiguous:
        g = np.ascontiguousarray(g)
    nk = _fast(2, g)
    if nk is None:
        return None
    (h, w), (oh, ow) = plan.inp, plan.out
    out = np.empty(g.shape[:-2] + (h, w), dtype=g.dtype)
    nk.maxpool2x2_grad(g.reshape(-1), plan.arg.reshape(-1), out.reshape(-1),
                       g.size // max(oh * ow, 1), h, w, oh, ow)
    return out


def activation_grad(name, g, y):
    """The native one-pass activation gradient ``name`` ("relu_grad", "tanh_grad",
    "sigmoid_grad") from the output ``y``, or None (not float32 NumPy arrays of one shape,
    or no native kernels). tanh's runs ``g * (1 - y * y)`` with a fused multiply-add and
    sigmoid's ``g * (1 - y) * y``: torch's own float32 kernels, bit for bit."""
    if type(g) is _nd and type(y) is _nd and g.dtype == _F32 and y.dtype == _F32 and \
            g.shape == y.shape and g.flags.c_contiguous and y.flags.c_contiguous:
        kern = NK.kernels()
        if kern is not None:
            out = np.empty_like(g)
            getattr(kern, name)(g, y, out)
            return out
    return None


def relu_backward(g, y):
    """ReLU's input gradient from its output y: g where y > 0, else 0 (as torch's
    threshold_backward, also for NaN / inf gradients). One compiled pass for float32."""
    out = activation_grad("relu_grad", g, y)
    if out is not None:
        return out
    return np.where(y > 0, g, 0).astype(g.dtype, copy=False)
