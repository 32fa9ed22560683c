"""``torch.histogramdd``: a D-dimensional histogram of the rows of a ``(..., D)`` tensor."""
import numpy as np

from ..return_types import named
from ..tensor import Tensor
from ._util import wrap

_result = named("histogramdd", ("hist", "bin_edges"))


def histogramdd(input, bins, *, range=None, weight=None, density=False, out=None):
    """Histogram of the points ``input[..., :]`` (the last dimension holds the D coordinates).

    Args:
        input (Tensor): ``(..., D)`` floating-point points.
        bins (int, sequence of int, or sequence of Tensor): bin counts per dimension (one int
            for all), or the bin edges of each dimension.
        range (sequence of float, optional): ``[lo_0, hi_0, lo_1, hi_1, ...]``; by default
            each dimension spans its data (widened by 0.5 on both sides when it is one point).
        weight (Tensor, optional): a weight per point (``input.shape[:-1]``).
        density (bool): normalise to a probability density over the bins' volume.

    Returns:
        ``(hist, bin_edges)``: the D-dimensional counts and a tuple of D edge tensors.

    Example::

        >>> torch.histogramdd(torch.tensor([[0., 1.], [1., 0.]]), bins=[2, 2])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"histogramdd(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")
    if not input.is_floating_point():
        word = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool"}.get(input._data.dtype.name,
                                                      str(input._data.dtype))
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{word}'")
    if input.ndim < 1:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 1 dimension, "
                           "but got 0")
    d = input._host()
    npd = d.dtype
    D = d.shape[-1]
    pts = d.reshape(-1, D)
    if isinstance(bins, int):
        bins = [bins] * D
    bins = list(bins)
    if len(bins) != D:
        raise RuntimeError(f"torch.histogramdd: expected {D} sequences of bin edges for each "
                           f"dimension of the input tensor, but got {len(bins)}")
    if range is not None:
        r = [float(v) for v in range]
        if len(r) != 2 * D:
            raise RuntimeError(f"torch.histogramdd: for a {D}-dimensional histogram range "
                               f"should have {2 * D} elements, but got {len(r)}")
    edges = []
    for k, b in enumerate(bins):
        if isinstance(b, Tensor):
            e = b._host().astype(npd)
        else:
            if int(b) <= 0:
                raise RuntimeError(f"torch.histogramdd(): bins must be > 0, but got {b} for "
                                   f"dimension {k}")
            if range is not None:
                lo, hi = r[2 * k], r[2 * k + 1]
            elif pts.shape[0]:
                lo, hi = float(pts[:, k].min()), float(pts[:, k].max())
            else:
                lo, hi = 0.0, 0.0
            if lo > hi:
                raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                                   f"{lo} max {hi}")
            if lo == hi:  # a single value: PyTorch (and NumPy) widen the range by 0.5 each side
                lo, hi = lo - 0.5, hi + 0.5
            # PyTorch's linspace in the input dtype
            e = np.linspace(lo, hi, int(b) + 1).astype(npd)
        edges.append(e)
    wd = None
    if weight is not None:
        if tuple(weight.shape) != tuple(d.shape[:-1]):
            raise RuntimeError(f"torch.histogramdd: if weight tensor is provided it should have "
                               f"the same shape as the input tensor excluding its innermost "
                               f"dimension, but got input with shape {list(d.shape)} and "
                               f"weight with shape {list(weight.shape)}")
        wd = weight._host().reshape(-1)
    hist, _ = np.histogramdd(pts, bins=[e.astype(np.float64) for e in edges], weights=wd,
                             density=density)
    hist = wrap(np.ascontiguousarray(hist.astype(npd)))
    edge_ts = tuple(wrap(e) for e in edges)
    if not input.is_cpu:
        hist = hist.to(input.device)
        edge_ts = tuple(e.to(input.device) for e in edge_ts)
    if out is not None:
        out[0].copy_(hist)
    return _result(hist, edge_ts)


__all__ = ["histogramdd"]
