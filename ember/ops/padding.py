"""Padding of the trailing dimensions: constant, reflect, replicate, circular.

``pad`` follows ``F.pad``'s argument order: (left, right) for the last dim, then the one
before, and so on. The backward of each mode is its adjoint (crop, plus fold the padded
borders back onto the cells they copy); the adjoint's backward is the pad again, so double
backward works.
"""
import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ._util import arr, attach, wrap

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pairs(pad, ndim):
    """[(axis, left, right)] for the trailing axes named by an F.pad tuple."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


def _check(input, pad, mode, value):
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.ndim
    if len(pad) // 2 > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{nd}")
    if mode == "constant":
        return
    if mode not in _NP_MODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    shape = input.shape
    for axis, lo, hi in _pairs(pad, nd):
        size = shape[axis]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError("Argument #4: Padding size should be less than the corresponding "
                               f"input dimension, but got: padding ({lo}, {hi}) at dimension "
                               f"{axis} of input {list(shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode != "constant" and (lo < 0 or hi < 0) and mode != "circular":
            raise RuntimeError(f"negative padding is not supported for mode {mode}")
        if size == 0:
            raise RuntimeError(f"Expected a non-empty input for padding mode {mode}, "
                               f"but got input of shape {list(shape)}")


def _pad_array(d, pairs, mode, value):
    if mode == "constant":
        crop = [slice(None)] * d.ndim
        widths = [(0, 0)] * d.ndim
        for axis, lo, hi in pairs:
            crop[axis] = slice(max(-lo, 0), d.shape[axis] - max(-hi, 0))
            widths[axis] = (max(lo, 0), max(hi, 0))
        src = d[tuple(crop)]
        out_shape = tuple(s + w[0] + w[1] for s, w in zip(src.shape, widths))
        if any(s < 0 for s in out_shape) or any(c.stop is not None and c.stop < c.start
                                                for c in crop if isinstance(c, slice)):
            raise RuntimeError("narrow(): length must be non-negative.")
        out = np.full(out_shape, value, dtype=d.dtype) if value else \
            np.zeros(out_shape, dtype=d.dtype)
        dst = tuple(slice(w[0], w[0] + s) for w, s in zip(widths, src.shape))
        out[dst] = src
        return out
    widths = [(0, 0)] * d.ndim
    crop = [slice(None)] * d.ndim
    for axis, lo, hi in pairs:
        crop[axis] = slice(max(-lo, 0), d.shape[axis] - max(-hi, 0))
        widths[axis] = (max(lo, 0), max(hi, 0))
    if mode == "circular":
        # Negative circular padding crops first; the wrap then copies from the cropped part.
        return np.pad(d[tuple(crop)], widths, mode="wrap")
    return np.pad(d, widths, mode=_NP_MODE[mode])


def _adjoint_array(g, pairs, mode, in_shape):
    """The transpose of ``_pad_array``: gradient w.r.t. the unpadded input."""
    if mode == "constant":
        return _pad_array(g, [(a, -lo, -hi) for a, lo, hi in pairs], "constant", 0)
    out = g
    for axis, lo, hi in pairs:
        size = in_shape[axis]
        out = _adjoint_axis(out, axis, lo, hi, size, mode)
    return np.ascontiguousarray(out)


def _take(a, axis, start, stop, step=1):
    sl = [slice(None)] * a.ndim
    sl[axis] = slice(start, stop, step)
    return a[tuple(sl)]


def _adjoint_axis(g, axis, lo, hi, size, mode):
    if mode == "circular" and (lo < 0 or hi < 0):
        cl, ch = max(-lo, 0), max(-hi, 0)
        folded = _adjoint_axis(g, axis, max(lo, 0), max(hi, 0), size - cl - ch, mode)
        full = list(g.shape)
        full[axis] = size
        z = np.zeros(full, dtype=g.dtype)
        _take(z, axis, cl, size - ch)[...] = folded
        return z
    core = _take(g, axis, lo, lo + size).copy()
    left = _take(g, axis, 0, lo)
    right = _take(g, axis, lo + size, lo + size + hi)
    if mode == "reflect":
        if lo:
            _take(core, axis, 1, lo + 1)[...] += np.flip(left, axis)
        if hi:
            _take(core, axis, size - 1 - hi, size - 1)[...] += np.flip(right, axis)
    elif mode == "replicate":
        if lo:
            _take(core, axis, 0, 1)[...] += left.sum(axis=axis, keepdims=True)
        if hi:
            _take(core, axis, size - 1, size)[...] += right.sum(axis=axis, keepdims=True)
    else:  # circular
        if lo:
            _take(core, axis, size - lo, size)[...] += left
        if hi:
            _take(core, axis, 0, hi)[...] += right
    return core


class _PadNode(Node):
    __slots__ = ("_pairs", "_mode", "_in_shape")


class ConstantPadNdBackward0(_PadNode):
    __slots__ = ()

    def backward(self, g):
        return _adjoint(g, self._pairs, self._mode, self._in_shape)


class ReflectionPadBackward(ConstantPadNdBackward0):
    __slots__ = ()


class ReplicationPadBackward(ConstantPadNdBackward0):
    __slots__ = ()


class CircularPadBackward(ConstantPadNdBackward0):
    __slots__ = ()


class PadAdjointBackward(_PadNode):
    __slots__ = ()

    def backward(self, gg):
        return _pad(gg, self._pairs, self._mode, 0)


_NODES = {"constant": ConstantPadNdBackward0, "reflect": ReflectionPadBackward,
          "replicate": ReplicationPadBackward, "circular": CircularPadBackward}


def _pad(input, pairs, mode, value):
    res = wrap(arr(_pad_array(input._data, pairs, mode, value)))
    if state.enabled and input._requires_grad:
        node = _NODES[mode]()
        node._pairs = pairs
        node._mode = mode
        node._in_shape = input._data.shape
        attach(res, node, (input,))
    return res


def _adjoint(g, pairs, mode, in_shape):
    res = wrap(arr(_adjoint_array(g._data, pairs, mode, in_shape)))
    if state.enabled and g._requires_grad:
        node = PadAdjointBackward()
        node._pairs = pairs
        node._mode = mode
        node._in_shape = g._data.shape
        attach(res, node, (g,))
    return res


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing dimensions of ``input`` (see module docstring for ``pad``'s order).

    Args:
        pad (tuple of int): (left, right[, top, bottom[, front, back]]); negative values crop
            (constant and circular modes).
        mode (str): 'constant', 'reflect', 'replicate' or 'circular'.
        value (float): fill value for 'constant' mode. Default: 0.
    """
    pad = tuple(int(p) for p in pad)
    _check(input, pad, mode, value)
    pairs = _pairs(pad, input.ndim)
    return _pad(input, pairs, mode, value if value is not None else 0)
