"""Fractional max pooling (Graham, 2014): pooling windows start at pseudo-random positions
drawn from one sample in [0, 1) per plane and spatial dimension, as PyTorch's kernel does,
so the same ``_random_samples`` give PyTorch's exact windows."""
import numpy as np

from ..autograd.graph import Node
from ._util import attach, grad_needed, wrap


def _starts(samples, in_size, out_size, pool):
    """Window starts per plane: (P,) samples -> (P, out_size) ints (PyTorch's intervals,
    computed in the samples' precision)."""
    p = samples.shape[0]
    starts = np.empty((p, out_size), np.int64)
    if out_size > 1:
        ft = samples.dtype.type
        alpha = ft(in_size - pool) / ft(out_size - 1)
        i = np.arange(out_size - 1).astype(samples.dtype)
        a = ((i[None, :] + samples[:, None]) * alpha).astype(np.int64)
        b = (samples * alpha).astype(np.int64)
        starts[:, :-1] = a - b[:, None]
    if out_size > 0:
        starts[:, -1] = in_size - pool
    return starts


class FractionalMaxPoolBackward(Node):
    __slots__ = ("_shape", "_idx")

    def backward(self, g):
        from .creation import zeros
        n, c = self._shape[:2]
        flat = zeros((n, c, int(np.prod(self._shape[2:]))), dtype=g.dtype, device=g.device)
        flat = flat.scatter_add(2, self._idx.reshape(n, c, -1), g.reshape(n, c, -1))
        return flat.reshape(self._shape)


class FractionalMaxPool2DBackward0(FractionalMaxPoolBackward):
    __slots__ = ()


class FractionalMaxPool3DBackward0(FractionalMaxPoolBackward):
    __slots__ = ()


def fractional_max_pool(input, kernel_size, output_size, samples, nd):
    """``(output, indices)`` of fractional max pooling over the last ``nd`` dims of a batched
    ``(N, C, *spatial)`` input; ``samples`` is ``(N, C, nd)``."""
    x = input._host()  # windows are gathered on the host; results go back to the device
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    name = f"fractional_max_pool{nd}d"
    if samples.shape != (n, c, nd):
        raise RuntimeError(f"{name}(): expected _random_samples of shape {[n, c, nd]}, got "
                           f"{list(samples.shape)}")
    for size, k, o, word in zip(spatial, kernel_size, output_size,
                                ("time", "height", "width")[3 - nd:]):
        if o + k - 1 > size:
            raise RuntimeError(f"{name}_out(): pool {word} {k} too large relative to input "
                               f"{word} {size}")
    smp = samples._host().reshape(n * c, nd)
    if smp.dtype.kind != "f":
        smp = smp.astype(np.float32)
    # PyTorch's kernel takes sample 0 for the last (width) dim in 2-D, and in spatial order
    # (time, height, width) in 3-D.
    order = (1, 0) if nd == 2 else (0, 1, 2)
    grids = []
    for ax in range(nd):
        st = _starts(smp[:, order[ax]], spatial[ax], output_size[ax], kernel_size[ax])
        win = st[:, :, None] + np.arange(kernel_size[ax])            # (P, out, k)
        grids.append(win)
    planes = x.reshape((n * c,) + spatial)
    p_idx = np.arange(n * c).reshape((-1,) + (1,) * (2 * nd))
    # Broadcast each axis' (P, out, k) windows to (P, out_0.., out_nd, k_0.., k_nd).
    keys = []
    for ax, win in enumerate(grids):
        shape = [win.shape[0]] + [1] * (2 * nd)
        shape[1 + ax] = win.shape[1]
        shape[1 + nd + ax] = win.shape[2]
        keys.append(win.reshape(shape))
    vals = planes[(p_idx,) + tuple(keys)]                            # (P, outs..., ks...)
    outs = tuple(output_size)
    vals = vals.reshape((n * c,) + outs + (-1,))
    arg = np.argmax(vals, axis=-1)
    out = np.take_along_axis(vals, arg[..., None], -1)[..., 0]
    # Flat index within the plane of each chosen element.
    kidx = np.unravel_index(arg, tuple(kernel_size))
    flat = np.zeros(arg.shape, np.int64)
    for ax in range(nd):
        starts = grids[ax][:, :, 0]
        shape = [n * c] + [1] * nd
        shape[1 + ax] = outs[ax]
        pos = starts.reshape(shape) + kidx[ax]
        flat = flat * spatial[ax] + pos
    res = wrap(out.reshape((n, c) + outs))
    idx = wrap(flat.reshape((n, c) + outs))
    if not input.is_cpu:
        res, idx = res.to(input.device), idx.to(input.device)
    if grad_needed(input):
        node = FractionalMaxPool2DBackward0() if nd == 2 else FractionalMaxPool3DBackward0()
        node._shape = x.shape
        node._idx = idx
        attach(res, node, (input,))
    return res, idx
