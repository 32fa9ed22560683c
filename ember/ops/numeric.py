"""Numerical helpers built from differentiable ops: diff, quantile, cov/corrcoef, trapezoid,
isin, histogram, block_diag, cartesian_prod, combinations, vander, renorm, the *_scatter
family and small integer/float utilities (gcd, lcm, frexp, ldexp, heaviside, nextafter).

Most are compositions of other Ember ops, so their gradients (and double gradients) come for
free; the integer-only ones work on arrays directly.
"""
import itertools
import math
import numbers

import numpy as np

from .. import dtypes as dt
from ..amp import _policy as _amp
from ..return_types import named
from ..tensor import Tensor
from ._util import wrap, wrap_dim
from ._util import np_dim_alias


def _as_tensor(x, like=None):
    if isinstance(x, Tensor):
        return x
    from .creation import tensor
    if like is not None and isinstance(x, numbers.Number) and not isinstance(x, bool):
        return tensor(x, dtype=like.dtype if like.is_floating_point() or
                      isinstance(x, numbers.Integral) else None)
    return tensor(x)


def _float(t):
    return t if t.is_floating_point() or t.is_complex() else t.to(dt.get_default_dtype())


# ---------------------------------------------------------------- differences and sums
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along ``dim`` (with optional prepend/append)."""
    from .shape import cat
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    ax = wrap_dim(dim, input.ndim)
    if prepend is not None or append is not None:
        parts = [p if p.ndim else p.expand(*input.shape[:ax], 1, *input.shape[ax + 1:])
                 for p in (prepend, input, append) if p is not None]
        input = cat(parts, ax)
    for _ in range(n):
        size = input.shape[ax]
        if size == 0:
            break
        hi, lo = input.narrow(ax, 1, size - 1), input.narrow(ax, 0, size - 1)
        input = hi.logical_xor(lo) if input.dtype is dt.bool_ else hi - lo
    return input


def _trapezoid_terms(y, x, dx, dim):
    ax = wrap_dim(dim, y.ndim)
    n = y.shape[ax]
    if n == 0:
        return None, ax
    avg = (y.narrow(ax, 1, n - 1) + y.narrow(ax, 0, n - 1)) / 2
    if x is None:
        return avg * (1 if dx is None else dx), ax
    if x.ndim == 1:
        if x.shape[0] != n:
            raise RuntimeError(f"trapezoid: There must be one `x` value for each sample point")
        d = diff(x).reshape((-1,) + (1,) * (y.ndim - ax - 1))
    else:
        d = diff(x, dim=dim)
    return avg * d, ax


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` along ``dim`` by the trapezoidal rule."""
    if isinstance(x, numbers.Number):
        x, dx = None, x
    terms, ax = _trapezoid_terms(y, x, dx, dim)
    if terms is None:
        return _float(y).sum(ax)
    return terms.sum(ax)


def trapz(y, x=None, *, dx=None, dim=-1):
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of ``y`` along ``dim`` (one element shorter)."""
    if isinstance(x, numbers.Number):
        x, dx = None, x
    terms, ax = _trapezoid_terms(y, x, dx, dim)
    if terms is None:
        return _float(y)
    return terms.cumsum(ax)


# ---------------------------------------------------------------- statistics
def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    from .creation import tensor
    if not input.is_floating_point():
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    scalar_q = not isinstance(q, Tensor)
    qt = tensor(q, dtype=input.dtype) if scalar_q else q.to(input.dtype)
    if qt.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    qd = qt._data
    if qd.size and (qd.min() < 0 or qd.max() > 1):
        if scalar_q:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, ax = input.reshape(-1), None
    else:
        ax = wrap_dim(dim, max(input.ndim, 1))
        x = (input.reshape(1) if input.ndim == 0 else input).movedim(ax, -1)
    s = x.sort(-1).values  # NaN sorts last
    n = s.shape[-1]
    isnan = np.isnan(s._data)
    if ignore_nan:
        nvalid = (~isnan).sum(-1, keepdims=True).astype(qd.dtype)
    else:
        nvalid = np.full(s.shape[:-1] + (1,), n, dtype=qd.dtype)
    rank = np.maximum(qd.reshape(-1) * (nvalid - 1), 0)
    lo_i = np.floor(rank)
    hi_i = np.ceil(rank)
    pick = {"lower": lo_i, "higher": hi_i, "nearest": np.round(rank)}.get(interpolation)
    if pick is not None:
        out = s.gather(-1, wrap(pick.astype(np.int64)))
    else:
        lo = s.gather(-1, wrap(lo_i.astype(np.int64)))
        hi = s.gather(-1, wrap(hi_i.astype(np.int64)))
        w = 0.5 if interpolation == "midpoint" else wrap((rank - lo_i).astype(qd.dtype))
        out = lo + (hi - lo) * w
    if not ignore_nan and isnan.any():
        out = out.masked_fill(wrap(np.broadcast_to(isnan[..., -1:], out.shape)), float("nan"))
    out = out.movedim(-1, 0)  # (Q, *rest)
    if keepdim:
        if ax is None:
            out = out.reshape((out.shape[0],) + (1,) * input.ndim)
        else:
            out = out.unsqueeze(ax + 1)
    if scalar_q or qt.ndim == 0:
        out = out.squeeze(0)
    return out


@_amp.fp32_op(_amp.CPU)
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None,
             axis=None, keepdims=None):
    """The q-th quantiles of ``input`` (all elements, or along ``dim``)."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("quantile", dim, keepdim, axis, keepdims)
    res = _quantile(input, q, dim, keepdim, interpolation, False, "quantile")
    return res if out is None else out.copy_(res)


@_amp.fp32_op(_amp.CPU)
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None,
                axis=None, keepdims=None):
    """:func:`quantile` ignoring NaN values."""
    if axis is not None or keepdims is not None:  # NumPy-style aliases, as torch accepts
        dim, keepdim = np_dim_alias("nanquantile", dim, keepdim, axis, keepdims)
    res = _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")
    return res if out is None else out.copy_(res)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance of the variables in the rows of ``input`` (observations in columns)."""
    if input.ndim > 2:
        raise ValueError(f"cov(): expected input to have two or fewer dimensions but got an "
                         f"input with {input.ndim} dimensions")
    x = _float(input.reshape(1, -1) if input.ndim < 2 else input)
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1, keepdim=True)
        norm = n_obs - correction
    else:
        w = w.to(x.dtype)
        wsum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / wsum
        if aweights is None:
            norm = wsum - correction
        else:
            norm = wsum - correction * (w * aweights).sum() / wsum
    if isinstance(norm, Tensor):
        norm = norm.clamp(min=0)
    else:
        norm = max(norm, 0)
    xm = x - avg
    xw = xm if w is None else xm * w
    c = xw.matmul(xm.t().conj() if xm.is_complex() else xm.t()) / norm
    return c.squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input``."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    return c.clamp(-1, 1)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """Histogram of ``input``: ``(hist, bin_edges)``."""
    if not input.is_floating_point():
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype.name.capitalize()} and bins "
                           f"{input.dtype.name.capitalize()}")
    d = input._data.reshape(-1)
    b = bins._data if isinstance(bins, Tensor) else int(bins)
    rng = tuple(range) if range is not None else None
    if rng is None and not isinstance(bins, Tensor) and d.size:
        rng = (float(d.min()), float(d.max()))
    wd = weight._data.reshape(-1) if weight is not None else None
    hist, edges = np.histogram(d, bins=b, range=rng, weights=wd, density=density)
    res = named("histogram", ("hist", "bin_edges"))(wrap(hist.astype(d.dtype)),
                                                   wrap(edges.astype(d.dtype)))
    return res


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size`` (which ``input`` must broadcast from)."""
    from ._util import sum_to
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    try:
        ok = np.broadcast_shapes(size, tuple(input.shape)) == tuple(input.shape)
    except ValueError:
        ok = False
    if not ok:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size "
                           f"{{{list(input.shape)}}}.")
    return sum_to(input, size)


def dist(input, other, p=2):
    """The p-norm of ``input - other``."""
    from .linalg import vector_norm
    return vector_norm(input - other, p)


def renorm(input, p, dim, maxnorm):
    """Rescale each slice along ``dim`` whose p-norm exceeds ``maxnorm`` to norm ``maxnorm``."""
    from .linalg import vector_norm
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           f"dimensions")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    ax = wrap_dim(dim, input.ndim)
    others = tuple(i for i in builtins_range(input.ndim) if i != ax)
    norms = vector_norm(input, p, others, keepdim=True)
    factor = (maxnorm / (norms + 1e-7)).masked_fill((norms <= maxnorm).detach(), 1.0)
    return input * factor


builtins_range = range


# ---------------------------------------------------------------- set-like and combinatorics
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """A boolean tensor: whether each element of ``elements`` is in ``test_elements``."""
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    res = np.isin(e, t, assume_unique=assume_unique, invert=invert)
    return wrap(np.asarray(res))


def block_diag(*tensors):
    """A block-diagonal matrix made of ``tensors`` (0-, 1- or 2-dimensional)."""
    from .creation import zeros
    from .shape import cat
    if not tensors:
        return zeros(1, 0)
    mats = []
    for t in tensors:
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {len(mats)} has {t.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t.ndim < 2 else t)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = dt.promote_types(dtype, m.dtype)
    mats = [m.to(dtype) for m in mats]
    total = sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m.shape
        parts = [zeros(r, left, dtype=dtype), m, zeros(r, total - left - c, dtype=dtype)]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """All combinations of the elements of 1-D ``tensors``, one per row."""
    from .creation import meshgrid
    from .shape import stack
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Length-``r`` combinations of the elements of 1-D ``input``, one per row."""
    from .creation import tensor
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_empty(0)
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = np.array(list(gen(builtins_range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    if idx.shape[0] == 0:
        return input.new_empty(0, r) if r > 1 else input.new_empty(0)
    res = input.index_select(0, wrap(idx.reshape(-1))).reshape(-1, r)
    return res.reshape(-1) if r == 1 else res


def unravel_index(indices, shape):
    """The coordinates in a tensor of ``shape`` of flat ``indices`` (a tuple of tensors)."""
    if isinstance(shape, numbers.Integral):
        shape = (int(shape),)
    ind = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if ind.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{dt.from_numpy_dtype(ind.dtype)}")
    n = math.prod(shape)
    if ind.size and (ind.min() < -n or ind.max() >= n):
        raise RuntimeError("'indices' must be in range [-prod(shape), prod(shape) - 1]")
    ind = np.where(ind < 0, ind + n, ind)
    coords = np.unravel_index(ind.astype(np.int64), tuple(shape)) if shape else ()
    return tuple(wrap(np.asarray(c, dtype=np.int64)) for c in coords)


def vander(x, N=None, increasing=False):
    """Vandermonde matrix of 1-D ``x``: columns ``x**(N-1) ... x**0`` (or increasing)."""
    from .creation import arange
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    xd = x if x.is_floating_point() or x.is_complex() else x.long()
    res = xd.unsqueeze(-1) ** arange(n, dtype=xd.dtype)
    return res if increasing else res.flip(-1)


def linalg_vander(x, *, N=None):
    """Vandermonde matrix with increasing powers along the last dim, batched."""
    from .creation import arange
    if x.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError(f"N must be greater than 1.")
    xd = x if x.is_floating_point() or x.is_complex() else x.long()
    return xd.unsqueeze(-1) ** arange(n, dtype=xd.dtype)


# ---------------------------------------------------------------- scatter into views
def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written into ``input.select(dim, index)``."""
    out = input.clone()
    out.select(dim, index).copy_(src)
    return out


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written into the slice ``start:end:step`` of ``dim``."""
    out = input.clone()
    ax = wrap_dim(dim, input.ndim)
    key = (slice(None),) * ax + (slice(start, end, step),)
    out[key] = src
    return out


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written into its diagonal."""
    out = input.clone()
    out.diagonal(offset, dim1, dim2).copy_(src)
    return out


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce rows of ``source`` into ``input`` at ``index`` along ``dim``
    (``reduce``: 'prod', 'mean', 'amax' or 'amin')."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    ax = wrap_dim(dim, max(input.ndim, 1))
    shape = [1] * source.ndim
    if source.ndim:
        shape[ax] = -1
    idx = index.reshape(shape).expand_as(source) if source.ndim else index.reshape(())
    return input.scatter_reduce(ax, idx, source, reduce, include_self=include_self)


# ---------------------------------------------------------------- integer and float bits
def _int_binary(a, b, fn, name):
    a = _as_tensor(a)
    b = _as_tensor(b, a)
    if a._data.dtype.kind not in "iub" or b._data.dtype.kind not in "iub":
        raise RuntimeError(f'"{name}_cpu" not implemented for '
                           f"'{dt.type_word(a.dtype if a._data.dtype.kind not in 'iub' else b.dtype)}'")
    rt = dt.promote_types(a.dtype, b.dtype)
    return wrap(np.asarray(fn(a._data, b._data)).astype(rt.numpy_dtype, copy=False))


def gcd(input, other):
    """Elementwise greatest common divisor of integer tensors."""
    return _int_binary(input, other, np.gcd, "gcd")


def lcm(input, other):
    """Elementwise least common multiple of integer tensors."""
    return _int_binary(input, other, np.lcm, "lcm")


def heaviside(input, values):
    """0 where input < 0, 1 where input > 0, ``values`` where input == 0."""
    values = _as_tensor(values, input)
    if input.dtype is not values.dtype:
        raise RuntimeError(f"heaviside is not yet implemented for tensors with different dtypes")
    d = np.heaviside(input._data, values._data)
    return wrap(np.asarray(d).astype(input._data.dtype, copy=False))


def frexp(input):
    """Decompose into mantissa in [0.5, 1) and an int32 exponent."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = np.frexp(input._data)
    return named("frexp", ("mantissa", "exponent"))(wrap(np.asarray(m)),
                                                  wrap(np.asarray(e, dtype=np.int32)))


def ldexp(input, other):
    """``input * 2 ** other``."""
    from .elementwise import exp2
    other = _as_tensor(other)
    scale = exp2(_float(other) if not input.is_floating_point()
                 else other.to(input.dtype))
    return input * scale


def nextafter(input, other):
    """The next representable float after ``input`` towards ``other``."""
    other = _as_tensor(other, input)
    return wrap(np.asarray(np.nextafter(input._data, other._data.astype(input._data.dtype))))


# ---------------------------------------------------------------- splits, views, predicates
def _nsplit(input, sections, dim, name, min_dim):
    from .shape import tensor_split
    if input.ndim < min_dim:
        raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dim} dimension, "
                           f"but got a tensor with {input.ndim} dimensions!")
    if isinstance(sections, numbers.Integral) and not isinstance(sections, bool):
        size = input.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input, indices_or_sections):
    """Split horizontally (dim 1, or dim 0 of a 1-D tensor)."""
    return _nsplit(input, indices_or_sections, 1 if input.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    """Split vertically (dim 0)."""
    return _nsplit(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    """Split depthwise (dim 2)."""
    return _nsplit(input, indices_or_sections, 2, "dsplit", 3)


def ravel(input):
    """A contiguous flattened tensor (a view when possible)."""
    return input.reshape(-1)


def can_cast(from_, to):
    """Whether PyTorch's casting rules allow ``from_`` -> ``to`` in type promotion."""
    return from_.category <= to.category


def is_same_size(input, other):
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input):
    return input.is_signed()


def mvlgamma(input, p):
    """Multivariate log-gamma of dimension ``p``."""
    from ..special import multigammaln
    if (input._data <= (p - 1) / 2).any():
        raise RuntimeError(f"All elements must be greater than (p-1)/2")
    return multigammaln(input, p)
