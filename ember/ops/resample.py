"""Resampling: separable interpolation along one axis at a time, and grid_sample.

Every interpolation mode of ``F.interpolate`` is separable: along each spatial axis an output
sample is a weighted sum of T input samples (T = 1 nearest, 2 linear, 4 cubic) at indices that
never decrease along the axis. ``resample_axis`` gathers them with ``take``; its adjoint
scatters with ``add.reduceat`` over the runs of equal indices (no Python loop over samples,
no ``add.at``). The two are each other's backward, so gradients are differentiable too.
"""
import itertools

import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import cpu_kernels as K
from ._util import attach, wrap


class Taps:
    """Indices (O, T) into an axis of length ``n`` and weights (O, T) (None: nearest)."""

    __slots__ = ("idx", "w", "n", "runs")

    def __init__(self, idx, w, n):
        self.idx, self.w, self.n = idx, w, n
        self.runs = []
        for t in range(idx.shape[1]):
            col = idx[:, t]
            starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
            self.runs.append((starts, col[starts]))


def _bshape(v, axis, ndim):
    shape = [1] * ndim
    shape[axis] = -1
    return v.reshape(shape)


def _forward_array(x, axis, taps):
    xp = K.xp_of(x)
    out = None
    for t in range(taps.idx.shape[1]):
        term = xp.take(x, xp.asarray(taps.idx[:, t]), axis=axis)
        if taps.w is not None:
            term *= _bshape(xp.asarray(taps.w[:, t].astype(x.dtype)), axis, x.ndim)
        out = term if out is None else out.__iadd__(term)
    return out


def _adjoint_array(g, axis, taps):
    xp = K.xp_of(g)
    shape = list(g.shape)
    shape[axis] = taps.n
    res = xp.zeros(shape, dtype=g.dtype)
    for t, (starts, where) in enumerate(taps.runs):
        gw = g if taps.w is None else g * _bshape(xp.asarray(taps.w[:, t].astype(g.dtype)),
                                                  axis, g.ndim)
        sums = xp.add.reduceat(gw, xp.asarray(starts), axis=axis)
        sl = [slice(None)] * g.ndim
        sl[axis] = xp.asarray(where)
        res[tuple(sl)] += sums  # ``where`` has no repeats: a plain fancy-index add is exact
    return res


class ResampleBackward(Node):
    __slots__ = ("_axis", "_taps")

    def backward(self, g):
        return resample_adjoint(g, self._axis, self._taps)


class ResampleAdjointBackward(Node):
    __slots__ = ("_axis", "_taps")

    def backward(self, h):
        return resample_axis(h, self._axis, self._taps)


def resample_axis(x, axis, taps):
    out = wrap(_forward_array(x._data, axis, taps))
    if state.enabled and x._requires_grad:
        node = ResampleBackward()
        node._axis, node._taps = axis, taps
        attach(out, node, (x,))
    return out


def resample_adjoint(g, axis, taps):
    out = wrap(_adjoint_array(g._data, axis, taps))
    if state.enabled and g._requires_grad:
        node = ResampleAdjointBackward()
        node._axis, node._taps = axis, taps
        attach(out, node, (g,))
    return out


# ---------------------------------------------------------------- tap tables (PyTorch's rules)
def _scale(n, o, align_corners, scale):
    if align_corners:
        return (n - 1) / (o - 1) if o > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n / o


def taps_for(mode, n, o, align_corners, scale):
    """The tap table of one axis: input length n, output length o."""
    i = np.arange(o, dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        s = 1.0 / scale if scale is not None and scale > 0 else n / o
        src = np.floor((i + 0.5) * s if mode == "nearest-exact" else i * s)
        idx = np.minimum(src.astype(np.int64), n - 1)
        return Taps(idx[:, None], None, n)
    s = _scale(n, o, align_corners, scale)
    if mode == "linear":
        src = i * s if align_corners else np.maximum((i + 0.5) * s - 0.5, 0.0)
        i0 = np.minimum(np.floor(src).astype(np.int64), n - 1)
        i1 = np.minimum(i0 + 1, n - 1)
        l1 = src - i0
        return Taps(np.stack([i0, i1], 1), np.stack([1 - l1, l1], 1), n)
    if mode == "cubic":
        src = i * s if align_corners else (i + 0.5) * s - 0.5
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        a = -0.75
        def near(x):
            return ((a + 2) * x - (a + 3)) * x * x + 1
        def far(x):
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        w = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], 1)
        idx = np.clip(i0[:, None] + np.arange(-1, 3)[None, :], 0, n - 1)
        return Taps(idx, w, n)
    raise ValueError(f"unknown interpolation mode {mode}")


def _aa_filter(mode, a=-0.5):
    """(interp_size, filter) of an antialiased mode, PIL's kernels."""
    if mode == "linear":
        return 2, lambda x: np.maximum(1.0 - np.abs(x), 0.0)
    if mode == "lanczos":  # Lanczos-3: sinc(x) * sinc(x / 3) on |x| < 3
        return 6, lambda x: np.where(np.abs(x) < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)
    # a = -0.5: PIL's Keys kernel (antialias=False uses OpenCV's -0.75, as taps_for does)

    def cubic(x):
        x = np.abs(x)
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))
    return 4, cubic


def aa_taps_for(mode, n, o, align_corners, scale, antialias=True):
    """Antialiased tap table (PyTorch's ``_upsample_*_aa``): when shrinking, the filter is
    stretched by the scale so every input sample contributes; weights are normalised.
    ``antialias=False``: the same normalised-window form that PyTorch's uint8 kernels use for
    plain bilinear/bicubic."""
    interp_size, filt = _aa_filter(mode, -0.5 if antialias else -0.75)
    s = _scale(n, o, align_corners, scale)
    if antialias:
        support = interp_size * 0.5 * s if s >= 1.0 else interp_size * 0.5
        width = int(np.ceil(support)) * 2 + 1
    else:
        support, width = interp_size * 0.5, interp_size
    invscale = 1.0 / s if s >= 1.0 and antialias else 1.0
    delta = 0.5 if align_corners and not antialias else 0.0
    center = s * (np.arange(o, dtype=np.float64) + 0.5 - delta)
    # C casts truncate toward zero
    xmin = np.maximum(np.trunc(center - support + 0.5 + delta).astype(np.int64), 0)
    xsize = np.minimum(np.trunc(center + support + 0.5 + delta).astype(np.int64), n) - xmin
    j = np.arange(width)[None, :]
    w = filt((j + xmin[:, None] - center[:, None] + 0.5 - delta) * invscale)
    w = np.where(j < xsize[:, None], w, 0.0)
    total = w.sum(1, keepdims=True)
    w = np.divide(w, total, out=np.zeros_like(w), where=total != 0)
    # padding taps (weight 0) keep a valid, non-decreasing index along each column
    idx = np.minimum(xmin[:, None] + j, n - 1)
    return Taps(idx, w, n)


def resample_uint8(x, axis, taps):
    """One separable pass on uint8 data as PyTorch's byte kernels do it: weights rounded to
    int16 fixed point, integer accumulation, round and saturate to 0..255 after the pass."""
    w = taps.w.copy()
    # clamped border taps repeat an index: merge their weights before rounding (PyTorch folds
    # the out-of-range cubic weights onto the edge sample)
    for t in range(1, w.shape[1]):
        dup = taps.idx[:, t] == taps.idx[:, t - 1]
        w[dup, t] += w[dup, t - 1]
        w[dup, t - 1] = 0.0
    wmax = float(w.max()) if w.size else 0.0
    prec = 0
    while prec < 22 and int(0.5 + wmax * (1 << (prec + 1))) < (1 << 15):
        prec += 1
    v = w * (1 << prec)
    wi = np.where(v < 0, v - 0.5, v + 0.5).astype(np.int64).astype(np.int32)
    acc = None
    for t in range(taps.idx.shape[1]):
        term = np.take(x, taps.idx[:, t], axis=axis).astype(np.int32)
        term *= _bshape(wi[:, t], axis, x.ndim)
        acc = term if acc is None else acc.__iadd__(term)
    acc += (1 << (prec - 1)) if prec else 0
    acc >>= prec
    return np.clip(acc, 0, 255).astype(np.uint8)


# ---------------------------------------------------------------- grid_sample (2-D / 3-D)
# Each output location reads a few input "corners": per spatial axis a list of taps
# (index, weight, d weight / d coordinate), combined by a product over the axes (2 taps per
# axis for (tri)linear, 1 for nearest, 4 for bicubic). Every corner is one gather of a
# (rows, C) array, so the work is vectorised over all output locations.
_CUBIC_A = -0.75  # PyTorch's bicubic convolution constant


def _unnormalize(c, size, align_corners):
    if align_corners:
        return (c + 1) / 2 * (size - 1), (size - 1) / 2
    return ((c + 1) * size - 1) / 2, size / 2


def _reflect(c, lo2, hi2):
    """Reflect coordinates into [lo2/2, hi2/2]; returns (coords, d coords / d input)."""
    xp = K.xp_of(c)
    if lo2 == hi2:
        return xp.zeros_like(c), xp.zeros_like(c)
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    d = c - mn
    sign = xp.where(d < 0, -1.0, 1.0).astype(c.dtype)
    d = xp.abs(d)
    extra = xp.fmod(d, span)
    flips = xp.floor(d / span)
    even = (flips % 2) == 0
    out = xp.where(even, extra + mn, span - extra + mn)
    grad = sign * xp.where(even, 1.0, -1.0).astype(c.dtype)
    return out, grad


def _pad(ix, size, padding_mode, align_corners):
    """Apply border / reflection padding to source coordinates; (coords, d out / d in)."""
    if padding_mode == "border":
        inside = (ix > 0) & (ix < size - 1)
        return K.xp_of(ix).clip(ix, 0, size - 1), inside
    if padding_mode == "reflection":
        if align_corners:
            ix, gr = _reflect(ix, 0, 2 * (size - 1))
        else:
            ix, gr = _reflect(ix, -1, 2 * size - 1)
        inside = (ix > 0) & (ix < size - 1)
        return K.xp_of(ix).clip(ix, 0, size - 1), gr * inside
    return ix, None


def _source(c, size, padding_mode, align_corners):
    """Grid coordinate -> source pixel coordinate, and its derivative."""
    xp = K.xp_of(c)
    ix, mult = _unnormalize(c, size, align_corners)
    ix, dpad = _pad(ix, size, padding_mode, align_corners)
    dmul = xp.full(c.shape, mult, dtype=c.dtype)
    if dpad is not None:
        dmul = dmul * dpad
    return ix, dmul


def _cubic(x):
    """Cubic convolution kernel pieces: (|x| <= 1 polynomial, 1 < |x| < 2 polynomial)."""
    a = _CUBIC_A
    return ((a + 2) * x - (a + 3)) * x * x + 1, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _dcubic(x):
    a = _CUBIC_A
    return (3 * (a + 2) * x - 2 * (a + 3)) * x, (3 * a * x - 10 * a) * x + 8 * a


def _axis_taps(c, size, mode, padding_mode, align_corners):
    """Taps along one axis: [(index array, valid mask, weight, d weight)], and d source / d c."""
    xp = K.xp_of(c)
    if mode == "bicubic":  # padding applies to each tap's integer index, not to the coordinate
        ix, mult = _unnormalize(c, size, align_corners)
        x0 = xp.floor(ix)
        t = ix - x0
        near1, far1 = _cubic(t + 1)
        near0, _ = _cubic(t)
        near2, _ = _cubic(1 - t)
        _, far3 = _cubic(2 - t)
        dn0, _ = _dcubic(t)
        dn2, _ = _dcubic(1 - t)
        _, df1 = _dcubic(t + 1)
        _, df3 = _dcubic(2 - t)
        weights = [(far1, df1), (near0, dn0), (near2, -dn2), (far3, -df3)]
        taps = []
        for k, (w, dw) in enumerate(weights):
            idx = x0 + (k - 1)
            if padding_mode != "zeros":
                idx, _ = _pad(idx, size, padding_mode, align_corners)
            taps.append((idx, w, dw))
        return taps, xp.full(c.shape, mult, dtype=c.dtype)
    ix, dsrc = _source(c, size, padding_mode, align_corners)
    if mode == "nearest":
        return [(xp.rint(ix), None, None)], dsrc
    x0 = xp.floor(ix)
    f = ix - x0
    return [(x0, 1 - f, -1.0), (x0 + 1, f, 1.0)], dsrc


def grid_sample_arrays(inp, grid, mode, padding_mode, align_corners, need_grid_grad):
    """Forward values and what backward needs: corners (rows, weight, d weights, values)."""
    xp = K.xp_of(inp)
    n, c = inp.shape[:2]
    spatial = inp.shape[2:]
    k = len(spatial)
    osp = grid.shape[1:-1]
    flat = xp.ascontiguousarray(xp.moveaxis(inp, 1, -1)).reshape(-1, c)
    axes = []  # per spatial axis (outermost first): taps and d source / d grid
    for j, size in enumerate(spatial):
        # grid[..., 0] is x (the last axis), grid[..., 1] y, grid[..., 2] z
        axes.append(_axis_taps(grid[..., k - 1 - j], size, mode, padding_mode, align_corners))
    strides = [int(np.prod(spatial[j + 1:])) for j in range(k)]
    base = (xp.arange(n) * int(np.prod(spatial))).reshape((n,) + (1,) * len(osp))
    out = xp.zeros((n,) + osp + (c,), dtype=inp.dtype)
    corners = []
    smooth = mode != "nearest"
    for combo in itertools.product(*[a[0] for a in axes]):
        valid = None
        rows = base
        for j, (idx, _, _) in enumerate(combo):
            ok = (idx >= 0) & (idx <= spatial[j] - 1)
            valid = ok if valid is None else valid & ok
            rows = rows + xp.clip(idx, 0, spatial[j] - 1).astype(np.int64) * strides[j]
        vals = flat[rows.reshape(-1)].reshape(out.shape)
        if smooth:
            wt = valid.astype(inp.dtype)
            for _, w, _ in combo:
                wt = wt * w
        else:
            wt = valid.astype(inp.dtype)
        out += vals * wt[..., None]
        dws = None
        if smooth and need_grid_grad:  # d weight / d coordinate of each axis
            dws = []
            for j in range(k):
                d = valid.astype(inp.dtype) * combo[j][2]
                for i, (_, w, _) in enumerate(combo):
                    if i != j:
                        d = d * w
                dws.append(d.astype(inp.dtype, copy=False))
        corners.append((rows, wt, dws, vals if need_grid_grad else None))
    dsrc = [a[1] for a in axes]
    return xp.moveaxis(out, -1, 1), corners, dsrc


class GridSampler2DBackward0(Node):
    __slots__ = ("_corners", "_dg", "_ishape", "_mode")

    def _release_extra(self):
        self._corners = None

    def backward(self, g):
        xp = K.xp_of(g._data)
        shape = self._ishape
        c = shape[1]
        go = xp.ascontiguousarray(xp.moveaxis(g._data, 1, -1))  # (N, *out, C)
        gi = gg = None
        if self._next[0] is not None:
            flat = xp.zeros((int(np.prod(shape)) // c, c), dtype=go.dtype)
            for rows, wt, _, _ in self._corners:
                np.add.at(flat, rows.reshape(-1), (go * wt[..., None]).reshape(-1, c))
            gi = wrap(xp.moveaxis(flat.reshape(shape[:1] + shape[2:] + (c,)), -1, 1))
        if self._next[1] is not None:
            k = len(shape) - 2
            d = [xp.zeros(go.shape[:-1], dtype=go.dtype) for _ in range(k)]
            if self._mode != "nearest":
                for _, _, dws, vals in self._corners:
                    s = (vals * go).sum(-1)
                    for j in range(k):
                        d[j] += s * dws[j]
            # grid components are ordered x, y(, z): the reverse of the spatial axes
            comps = [d[j] * self._dg[j] for j in reversed(range(k))]
            gg = wrap(xp.stack(comps, -1).astype(go.dtype, copy=False))
        return gi, gg


class GridSampler3DBackward0(GridSampler2DBackward0):
    __slots__ = ()


def grid_sample(input, grid, mode, padding_mode, align_corners):
    need = state.enabled and (input._requires_grad or grid._requires_grad)
    y, corners, dg = grid_sample_arrays(input._data, grid._data, mode, padding_mode,
                                        align_corners, need and grid._requires_grad)
    out = wrap(y)
    if need:
        node = GridSampler2DBackward0() if input._data.ndim == 4 else GridSampler3DBackward0()
        node._corners, node._dg = corners, dg
        node._ishape = input._data.shape
        node._mode = mode
        attach(out, node, (input, grid))
    return out
