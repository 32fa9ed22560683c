"""Pooling: max / average over sliding windows, adaptive max, max-unpool (N-d).

Window ops never loop over output positions: they loop over the kernel's offsets (4 for a
2x2 pool), each a strided view of the padded input. Backward scatters through the same views.
Two linear ops, ``window_gather`` and ``window_scatter``, are each other's adjoint, so gradients
of pooling are themselves differentiable. Adaptive max pooling and unpooling use flat indices
into each (N, C) plane with a matching ``plane_gather`` / ``plane_scatter`` pair.
"""
import itertools

import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import cpu_kernels as K
from ._util import attach, wrap


class WindowPlan:
    """Sliding windows over a padded input, and how each kernel offset is weighted.

    ``weight(i)``: the weight of offset i at every output position (an array broadcastable to
    the output, or a scalar); ``pads`` may extend past the input on the high side (ceil mode).
    """

    __slots__ = ("kernel", "stride", "dilation", "pads", "inp", "out", "arg", "scale",
                 "offsets")

    def __init__(self, kernel, stride, dilation, pads, inp, out):
        self.kernel, self.stride, self.dilation = kernel, stride, dilation
        self.pads, self.inp, self.out = pads, inp, out
        self.arg = None      # max pooling: index of the winning offset at each output
        self.scale = None    # average pooling: 1 / divisor at each output
        self.offsets = list(itertools.product(*[range(k) for k in kernel]))

    def full(self, lead):
        return lead + tuple(s + lo + max(hi, 0) for s, (lo, hi) in zip(self.inp, self.pads))

    def view_slices(self, off):
        return (Ellipsis,) + tuple(slice(o * d, o * d + st * (m - 1) + 1, st) for o, d, st, m in
                                   zip(off, self.dilation, self.stride, self.out))

    def weight(self, i, dtype):
        if self.arg is not None:
            return (self.arg == i).astype(dtype, copy=False)
        return self.scale


def pad_fill(x, pads, value):
    """Pad spatial (trailing) dims by ((lo, hi), ...), filling ``value``; negative hi crops."""
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = K.xp_of(x)
    nd = len(pads)
    lead = x.shape[:x.ndim - nd]
    sp = x.shape[x.ndim - nd:]
    full = lead + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
    out = xp.full(full, value, dtype=x.dtype)
    dst = (Ellipsis,) + tuple(slice(lo, lo + s + min(hi, 0)) for s, (lo, hi) in zip(sp, pads))
    src = (Ellipsis,) + tuple(slice(0, s + min(hi, 0)) for s, (lo, hi) in zip(sp, pads))
    out[dst] = x[src]
    return out


def _scatter_array(g, plan):
    """Adjoint of the window gather: (..., *out) -> (..., *inp)."""
    xp = K.xp_of(g)
    nd = len(plan.kernel)
    lead = g.shape[:g.ndim - nd]
    res = xp.zeros(plan.full(lead), dtype=g.dtype)
    # Offsets of one kernel never share an input element when the windows do not overlap;
    # then each view can be written with ``out=`` instead of read-modify-write.
    disjoint = all(d * (k - 1) < s or k == 1 for k, s, d in
                   zip(plan.kernel, plan.stride, plan.dilation))
    for i, off in enumerate(plan.offsets):
        view = res[plan.view_slices(off)]
        w = plan.weight(i, g.dtype)
        if disjoint:
            xp.multiply(g, w, out=view)
        else:
            view += g * w
    sl = (Ellipsis,) + tuple(slice(lo, lo + s) for (lo, _), s in zip(plan.pads, plan.inp))
    return res[sl]


def _gather_array(h, plan):
    """(..., *inp) -> (..., *out): the weighted sum of each window's elements."""
    hp = pad_fill(h, plan.pads, 0)
    out = None
    for i, off in enumerate(plan.offsets):
        term = hp[plan.view_slices(off)] * plan.weight(i, h.dtype)
        out = term if out is None else out.__iadd__(term)
    return out


class WindowScatterBackward(Node):
    __slots__ = ("_plan",)

    def backward(self, h):
        return window_gather(h, self._plan)


class WindowGatherBackward(Node):
    __slots__ = ("_plan",)

    def backward(self, g):
        return window_scatter(g, self._plan)


def window_scatter(g, plan):
    out = wrap(_scatter_array(g._data, plan))
    if state.enabled and g._requires_grad:
        node = WindowScatterBackward()
        node._plan = plan
        attach(out, node, (g,))
    return out


def window_gather(h, plan, node_cls=WindowGatherBackward):
    out = wrap(_gather_array(h._data, plan))
    if state.enabled and h._requires_grad:
        node = node_cls()
        node._plan = plan
        attach(out, node, (h,))
    return out


# ---------------------------------------------------------------- max pooling
class MaxPoolBackward(Node):
    __slots__ = ("_plan",)

    def backward(self, g):
        if not state.enabled:  # plain backward: the compiled scatter when it applies
            gx = K.maxpool_grad_fast(g._data, self._plan)
            if gx is not None:
                return wrap(gx)
        return window_scatter(g, self._plan)


def max_pool(x, plan, return_indices=False):
    """Max over windows; x (..., *inp). Records the winning kernel offset for backward."""
    d = x._data
    need = state.enabled and x._requires_grad
    fast = K.maxpool_fast(d, plan)
    if fast is not None:
        y, arg = fast
        return _max_result(x, y, arg, plan, need, return_indices)
    xp = K.xp_of(d)
    lo_val = -np.inf if d.dtype.kind in "fV" else np.iinfo(d.dtype).min  # V: bfloat16
    dp = pad_fill(d, plan.pads, lo_val)
    views = [dp[plan.view_slices(off)] for off in plan.offsets]
    y = views[0].copy()
    track = need or return_indices
    arg = xp.zeros(y.shape, dtype=np.uint8 if len(views) < 256 else np.int32) if track else None
    for i in range(1, len(views)):
        v = views[i]
        if track:
            # Strictly greater: ties go to the first offset in scan order, as PyTorch's.
            # Offsets come in increasing order, so "arg = i where v > y" is max(arg, m * i):
            # two fast passes instead of a masked copy (copyto/where are ~50x slower here).
            m = v > y
            mi = m.view(np.uint8) if arg.dtype == np.uint8 else m.astype(arg.dtype)
            mi *= i
            xp.maximum(arg, mi, out=arg)
        xp.maximum(y, v, out=y)
    return _max_result(x, y, arg, plan, need, return_indices)


def _max_result(x, y, arg, plan, need, return_indices):
    out = wrap(y)
    if need:
        plan.arg = arg
        node = MaxPoolBackward()
        node._plan = plan
        attach(out, node, (x,))
    if not return_indices:
        return out
    return out, wrap(_flat_indices(arg, plan))


def _flat_indices(arg, plan):
    """Flat index of each winner within its (spatial) input plane, as return_indices gives."""
    xp = K.xp_of(arg)
    nd = len(plan.kernel)
    mult = [int(np.prod(plan.inp[j + 1:])) for j in range(nd)]
    base = 0
    for j in range(nd):
        pos = xp.arange(plan.out[j], dtype=np.int64) * plan.stride[j] - plan.pads[j][0]
        base = base + (pos * mult[j]).reshape((-1,) + (1,) * (nd - 1 - j))
    table = xp.asarray([sum(o * plan.dilation[j] * mult[j] for j, o in enumerate(off))
                        for off in plan.offsets], dtype=np.int64)
    return base + table[arg]


# ---------------------------------------------------------------- average pooling
class AvgPoolBackward(WindowGatherBackward):
    __slots__ = ()


def avg_scale(plan, count_include_pad, divisor_override, dtype, xp=np):
    """1 / divisor per output position (separable: an outer product of per-dim counts)."""
    if divisor_override:
        return dtype.type(1.0 / divisor_override)
    nd = len(plan.kernel)
    count = None
    for j in range(nd):
        k, s, (p, _), n = plan.kernel[j], plan.stride[j], plan.pads[j], plan.inp[j]
        start = xp.arange(plan.out[j]) * s - p
        end = xp.minimum(start + k, n + p)
        if count_include_pad:
            c = end - start
        else:
            c = xp.minimum(end, n) - xp.maximum(start, 0)
        c = c.reshape((-1,) + (1,) * (nd - 1 - j))
        count = c if count is None else count * c
    return (1.0 / count).astype(dtype)


def avg_pool(x, plan, count_include_pad=True, divisor_override=None):
    plan.scale = avg_scale(plan, count_include_pad, divisor_override, x._data.dtype,
                           K.xp_of(x._data))
    return window_gather(x, plan, AvgPoolBackward)


# ---------------------------------------------------------------- flat-index gather / scatter
class PlaneScatterBackward(Node):
    __slots__ = ("_idx", "_nd")

    def backward(self, h):
        return plane_gather(h, self._idx, self._nd)


class PlaneGatherBackward(Node):
    __slots__ = ("_idx", "_plane")

    def backward(self, g):
        return plane_scatter(g, self._idx, self._plane)


def _rows(idx, nd, size):
    """Flat positions in the whole (rows * size) buffer of per-plane indices."""
    xp = K.xp_of(idx)
    lead = idx.shape[:idx.ndim - nd]
    rows = int(np.prod(lead))
    return (idx.reshape(rows, -1) + (xp.arange(rows, dtype=np.int64) * size)[:, None]), lead, rows


def _plane_scatter_array(g, idx, plane):
    """out[r, idx[r, j]] += g[r, j] per plane r (one (N, C) pair); out is (..., *plane)."""
    xp = K.xp_of(g)
    size = int(np.prod(plane))
    flat, lead, rows = _rows(idx, len(plane), size)
    res = xp.bincount(flat.ravel(), weights=g.reshape(-1), minlength=rows * size)
    return res.astype(g.dtype, copy=False).reshape(lead + tuple(plane))


def _plane_gather_array(h, idx, nd):
    lead = h.shape[:h.ndim - nd]
    rows = int(np.prod(lead))
    h2 = h.reshape(rows, -1)
    i2 = idx.reshape(rows, -1)
    return K.xp_of(h).take_along_axis(h2, i2, axis=1).reshape(idx.shape)


def plane_scatter(g, idx, plane):
    out = wrap(_plane_scatter_array(g._data, idx, plane))
    if state.enabled and g._requires_grad:
        node = PlaneScatterBackward()
        node._idx = idx
        node._nd = len(plane)
        attach(out, node, (g,))
    return out


def plane_gather(h, idx, nd):
    out = wrap(_plane_gather_array(h._data, idx, nd))
    if state.enabled and h._requires_grad:
        node = PlaneGatherBackward()
        node._idx = idx
        node._plane = tuple(h.shape[h.ndim - nd:])
        attach(out, node, (h,))
    return out


class MaxIndexBackward(Node):
    """Backward of max pooling by flat indices (adaptive max pooling)."""
    __slots__ = ("_idx", "_plane")

    def backward(self, g):
        return plane_scatter(g, self._idx, self._plane)


def adaptive_max_pool(x, out_size):
    """Adaptive max over the trailing len(out_size) dims; returns (values, flat indices)."""
    d = x._data
    xp = K.xp_of(d)
    nd = len(out_size)
    sp = d.shape[d.ndim - nd:]
    tables = []
    for n, o in zip(sp, out_size):
        i = np.arange(o)
        start = (i * n) // o
        end = -((-(i + 1) * n) // o)
        kmax = int((end - start).max())
        t = np.minimum(start[:, None] + np.arange(kmax)[None, :], end[:, None] - 1)
        tables.append(xp.asarray(t))
    mult = [int(np.prod(sp[j + 1:])) for j in range(nd)]
    y = idx = None
    for combo in itertools.product(*[range(t.shape[1]) for t in tables]):
        sel = []
        flat = 0
        for j, (t, c) in enumerate(zip(tables, combo)):
            col = t[:, c].reshape((-1,) + (1,) * (nd - 1 - j))
            sel.append(col)
            flat = flat + col * mult[j]
        v = d[(Ellipsis,) + tuple(sel)]
        if y is None:
            y = v.copy()
            idx = xp.broadcast_to(flat, y.shape).astype(np.int64)
        else:
            m = (v > y) | (v != v)
            y = xp.where(m, v, y)
            idx = xp.where(m, flat, idx)
    out = wrap(y)
    if state.enabled and x._requires_grad:
        node = MaxIndexBackward()
        node._idx = idx
        node._plane = tuple(sp)
        attach(out, node, (x,))
    return out, wrap(idx)


class MaxUnpoolBackward(Node):
    __slots__ = ("_idx", "_nd")

    def backward(self, g):
        return plane_gather(g, self._idx, self._nd)


def max_unpool(x, idx, plane):
    """Place x's values at flat indices ``idx`` of zero planes of size ``plane``."""
    i = idx._data.astype(np.int64, copy=False)
    size = int(np.prod(plane))
    if i.size and (int(i.min()) < 0 or int(i.max()) >= size):
        bad = int(i.max()) if int(i.max()) >= size else int(i.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, plane))})")
    d = x._data
    xp = K.xp_of(d)
    flat, lead, rows = _rows(i, len(plane), size)
    res = xp.zeros(rows * size, dtype=d.dtype)
    res[flat.ravel()] = d.reshape(-1)  # an assignment, as PyTorch's (repeated index: one wins)
    out = wrap(res.reshape(lead + tuple(plane)))
    if state.enabled and x._requires_grad:
        node = MaxUnpoolBackward()
        node._idx = i
        node._nd = len(plane)
        attach(out, node, (x,))
    return out
