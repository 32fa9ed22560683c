"""``torch.gradient``: central differences in the interior, one-sided first- or second-order
differences at the edges, for uniform spacing or explicit coordinates. Built from slicing
ops, so it is differentiable."""
import numbers

from ..tensor import Tensor
from ._util import wrap_dim


def _edges_uniform(f, d, h, n, edge_order):
    def s(i):
        return f.narrow(d, i if i >= 0 else n + i, 1)
    if edge_order == 1:
        return (s(1) - s(0)) / h, (s(-1) - s(-2)) / h
    return ((s(0) * -1.5 + s(1) * 2.0 - s(2) * 0.5) / h,
            (s(-3) * 0.5 - s(-2) * 2.0 + s(-1) * 1.5) / h)


def _along(v, d, ndim):
    shape = [1] * ndim
    shape[d] = -1
    return v.reshape(shape)


def _one_dim(f, d, spacing, edge_order):
    n = f.shape[d]
    if isinstance(spacing, Tensor):
        x = spacing.to(f.dtype) if f.is_floating_point() else spacing
        dx = x[1:] - x[:-1]
        dx1, dx2 = dx[:-1], dx[1:]
        a = -dx2 / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        nd = f.ndim
        mid = (f.narrow(d, 0, n - 2) * _along(a, d, nd) + f.narrow(d, 1, n - 2) * _along(b, d, nd)
               + f.narrow(d, 2, n - 2) * _along(c, d, nd))

        def s(i):
            return f.narrow(d, i if i >= 0 else n + i, 1)
        if edge_order == 1:
            first = (s(1) - s(0)) / dx[0]
            last = (s(-1) - s(-2)) / dx[-1]
        else:
            p, q = dx[0], dx[1]
            first = (s(0) * (-(2 * p + q) / (p * (p + q))) + s(1) * ((p + q) / (p * q))
                     + s(2) * (-p / (q * (p + q))))
            p, q = dx[-2], dx[-1]
            last = (s(-3) * (q / (p * (p + q))) + s(-2) * (-(q + p) / (p * q))
                    + s(-1) * ((2 * q + p) / (q * (p + q))))
    else:
        h = spacing
        mid = (f.narrow(d, 2, n - 2) - f.narrow(d, 0, n - 2)) / (2.0 * h)
        first, last = _edges_uniform(f, d, h, n, edge_order)
    from .shape import cat
    return cat([first, mid, last], d)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimate the partial derivatives of the function sampled by ``input``; returns one
    tensor per differentiated dimension.

    Args:
        spacing (scalar, list of scalars, or list of 1-D tensors): the sample spacing per
            dimension, or the coordinates of the samples.
        dim (int or list of int): dimensions to differentiate. Default: all.
        edge_order (int): 1 or 2, the accuracy order of the edge differences.

    Example::

        >>> torch.gradient(torch.tensor([1., 4., 9., 16.]))
        (tensor([3., 4., 6., 7.]),)
    """
    nd = input.ndim
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, numbers.Integral):
        dims = [wrap_dim(dim, nd)]
    else:
        dims = [wrap_dim(d, nd) for d in dim]
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    if isinstance(spacing, (numbers.Number, Tensor)) and not (
            isinstance(spacing, Tensor) and spacing.ndim == 1):
        spacings = [float(spacing) if not isinstance(spacing, Tensor) else spacing.item()] \
            * len(dims)
    else:
        spacings = list(spacing)
        if len(spacings) != len(dims):
            raise RuntimeError(
                f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                f"and dim arguments to have the same length, but got a spacing argument of "
                f"length {len(spacings)} and a dim argument of length {len(dims)}.")
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")
    f = input if input.is_floating_point() or input.is_complex() else \
        input.to(_default_float())
    out = []
    for d, sp in zip(dims, spacings):
        if isinstance(sp, Tensor) and sp.ndim == 0:
            sp = sp.item()
        if isinstance(sp, Tensor) and sp.shape[0] != input.shape[d]:
            raise RuntimeError(f"torch.gradient expected each tensor to be on the same device "
                               f"and of size {input.shape[d]} along dim {d}, but got size "
                               f"{sp.shape[0]}")
        out.append(_one_dim(f, d, sp, edge_order))
    return tuple(out)


def _default_float():
    from .. import dtypes
    return dtypes.get_default_dtype()
