"""Shape ops. Views (view, reshape when possible, transpose, permute, expand, squeeze,
unsqueeze, narrow, select, diagonal, split...) share memory with their input; the rest copy."""
import builtins
import numbers

import numpy as np

from .. import dtypes as dt
from ..amp import _policy as _amp
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..tensor import Size, Tensor
from ._util import (arr, attach, cast_to, grad_needed, make_view, promote_tensors, sum_to,
                    wrap, wrap_dim)
from ._util import np_dim_alias


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        shape = shape[0]
    return tuple(int(s) if not isinstance(s, Tensor) else int(s.item()) for s in shape)


def _infer_shape(shape, numel, src_shape):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    total = 1
    for s in shape:
        total *= s
    if total != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ViewBackward0(Node):
    __slots__ = ("_shape",)

    def backward(self, g):
        return g.reshape(self._shape)


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


def _view_node(cls, src, out, shape):
    if state.enabled and src._requires_grad:
        node = cls()
        node._shape = shape
        attach(out, node, (src,))
    return out


def view(input, *shape):
    """A view with a new shape (no copy); errors when the strides do not allow it."""
    if len(shape) == 1 and (isinstance(shape[0], dt.dtype) or shape[0] in (float, int)):
        return _view_dtype(input, dt.to_dtype(shape[0]))
    shape = _infer_shape(_shape_arg(shape), input._data.size, input._data.shape)
    d = input._data
    try:
        v = d.view()
        v.shape = shape  # raises instead of copying when strides do not fit
    except AttributeError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") \
            from None
    out = make_view(input, v, lambda r: r.view(shape))
    return _view_node(ViewBackward0, input, out, d.shape)


def _view_dtype(input, dtype):
    d = input._data
    if dtype.itemsize != d.dtype.itemsize and d.ndim and not d.flags.c_contiguous:
        raise RuntimeError("self.stride(-1) must be 1 to view with a different element size")
    return make_view(input, d.view(dtype.numpy_dtype), lambda r: r.view(dtype))


def reshape(input, *shape):
    """Like view when the strides allow; otherwise a copy."""
    shape = _infer_shape(_shape_arg(shape), input._data.size, input._data.shape)
    d = input._data
    if d.shape == shape:
        return _alias(input)
    v = d.view()
    try:
        v.shape = shape
    except AttributeError:
        if not grad_needed(input):
            return wrap(d.reshape(shape))  # NumPy copies here
        c = clone(input)  # PyTorch: clone (contiguous) then _unsafe_view
        return _view_node(UnsafeViewBackward0, c, wrap(c._data.reshape(shape)), d.shape)
    out = make_view(input, v, lambda r: r.reshape(shape))
    return _view_node(ViewBackward0, input, out, d.shape)


class AliasBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g


def _alias(input):
    out = make_view(input, input._data.view(), lambda r: r)
    if grad_needed(input):
        attach(out, ViewBackward0Identity(), (input,))
    return out


def alias(input):
    """A view of the whole of ``input`` (PyTorch's ``x[...]`` / ``x[:, :]``)."""
    out = make_view(input, input._data.view(), lambda r: r)
    if state.enabled and input._requires_grad:
        attach(out, AliasBackward0(), (input,))
    return out


class ViewBackward0Identity(AliasBackward0):
    __slots__ = ()


ViewBackward0Identity.__name__ = "ViewBackward0"


def view_as(input, other):
    return view(input, other._data.shape)


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, nd)
    e = wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    n = 1
    for x in shp[s:e + 1]:
        n *= x
    return reshape(input, shp[:s] + (n,) + shp[e + 1:])


def unflatten(input, dim, sizes):
    nd = input._data.ndim
    d = wrap_dim(dim, nd)
    sizes = tuple(sizes)
    shp = input._data.shape
    if -1 in sizes:
        sizes = _infer_shape(sizes, shp[d], None)
    else:
        p = 1
        for s in sizes:
            p *= s
        if p != shp[d]:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({shp[d]}) in the input tensor")
    return view(input, shp[:d] + sizes + shp[d + 1:]) if input._data.flags.c_contiguous else \
        reshape(input, shp[:d] + sizes + shp[d + 1:])


class PermuteBackward0(Node):
    __slots__ = ("_inv",)

    def backward(self, g):
        return g.permute(self._inv)


def permute(input, *dims):
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = make_view(input, input._data.transpose(dims), lambda r: r.permute(dims))
    if grad_needed(input):
        node = PermuteBackward0()
        node._inv = tuple(np.argsort(dims).tolist())
        attach(out, node, (input,))
    return out


class TransposeBackward0(Node):
    __slots__ = ("_d0", "_d1")

    def backward(self, g):
        return g.transpose(self._d0, self._d1)


class TBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g.t()


def reverse_dims(input):
    """``x.T``: a view with the dims reversed, recorded as PyTorch does (a permute)."""
    d = input._data
    out = make_view(input, d.transpose(), lambda r: reverse_dims(r))
    if state.enabled and input._requires_grad:
        node = PermuteBackward0()
        node._inv = tuple(range(d.ndim - 1, -1, -1))  # reversing is its own inverse
        attach(out, node, (input,))
    return out


def transpose(input, dim0, dim1):
    d = input._data
    nd = d.ndim
    a = wrap_dim(dim0, nd)
    b = wrap_dim(dim1, nd)
    if nd < 2:
        return _alias(input)
    out = make_view(input, d.swapaxes(a, b), lambda r: r.transpose(a, b))
    if grad_needed(input):
        node = TransposeBackward0()
        node._d0 = a
        node._d1 = b
        attach(out, node, (input,))
    return out


swapaxes = swapdims = transpose


def t(input):
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {d.ndim}D")
    out = make_view(input, d.T, lambda r: r.t())
    if grad_needed(input):
        attach(out, TBackward0(), (input,))
    return out


def _check_matrices(input, what):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.{what} is only supported on matrices or batches of "
                           f"matrices. Got {input._data.ndim}-D tensor.")


def matrix_transpose(input):
    """``input.mT``: the last two dims swapped (a view)."""
    _check_matrices(input, "mT")
    return transpose(input, -2, -1)


def adjoint(input, _what="adjoint()"):
    """The conjugate transpose of the last two dims (a view for real tensors; complex ones
    are conjugated into a copy, PyTorch keeps a lazy conjugate view)."""
    _check_matrices(input, _what)
    t = transpose(input, -2, -1)
    return t.conj() if t._data.dtype.kind == "c" else t


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) "
                           f"should contain the same number of dims as destination ({dst} dims)")
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(s, nd) for s in dst]
    order = [i for i in range(nd) if i not in src]
    perm = [None] * nd
    for s, d_ in zip(src, dst):
        perm[d_] = s
    it = iter(order)
    perm = [p if p is not None else next(it) for p in perm]
    return permute(input, perm)


moveaxis = movedim


class ExpandBackward0(Node):
    __slots__ = ("_shape", "_np_dtype")

    def backward(self, g):
        return sum_to(g, self._shape)


def expand(input, *sizes):
    sizes = _shape_arg(sizes)
    d = input._data
    nd = d.ndim
    if len(sizes) < nd:
        raise RuntimeError(f"expand(torch.{_tname(input)}{{{list(d.shape)}}}, size={list(sizes)}"
                           f"): the number of sizes provided ({len(sizes)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({nd})")
    lead = len(sizes) - nd
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            target.append(s)
            continue
        cur = d.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({cur}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(d.shape)}")
        target.append(s)
    target = tuple(target)
    if target == d.shape:
        out = make_view(input, d.view(), lambda r: r)
        if grad_needed(input):  # PyTorch records ExpandBackward0 even for the same shape
            node = ExpandBackward0()
            node._shape = d.shape
            attach(out, node, (input,))
        return out
    out = make_view(input, np.broadcast_to(d, target) if type(d) is np.ndarray else
                    input.xp.broadcast_to(d, target), lambda r: r.expand(target))
    if grad_needed(input):
        node = ExpandBackward0()
        node._shape = d.shape
        attach(out, node, (input,))
    return out


def _tname(t):
    from ..tensor import _LEGACY_NAMES
    return _LEGACY_NAMES.get(t.dtype.name, "Tensor")


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, *size):
    return expand(input, *size)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s)
                                           for s in shapes]))
    except ValueError:
        raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape. "
                           f"Mismatch is between {[list(s) for s in shapes]}") from None


class SqueezeBackward0(Node):
    __slots__ = ("_shape",)

    def backward(self, g):
        return g.reshape(self._shape)


class SqueezeBackward1(SqueezeBackward0):
    __slots__ = ()


class SqueezeBackward2(SqueezeBackward0):
    __slots__ = ()


class UnsqueezeBackward0(Node):
    __slots__ = ("_dim",)

    def backward(self, g):
        return g.squeeze(self._dim)


def squeeze(input, dim=None, *, axis=None):
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("squeeze", dim, None, axis, None)
    d = input._data
    if dim is None:
        axes = tuple(i for i, s in enumerate(d.shape) if s == 1)
        cls = SqueezeBackward0
    else:
        multi = isinstance(dim, (tuple, list))
        dims = dim if multi else (dim,)
        axes = tuple(sorted({wrap_dim(x, d.ndim) for x in dims})) if d.ndim else ()
        axes = tuple(a for a in axes if d.shape[a] == 1)
        cls = SqueezeBackward2 if multi else SqueezeBackward1
    # PyTorch records a Squeeze node even when no dim has size 1.
    out = make_view(input, d.squeeze(axes) if axes else d.view(),
                    lambda r: r.squeeze(axes) if axes else r)
    if grad_needed(input):
        node = cls()
        node._shape = d.shape
        attach(out, node, (input,))
    return out


def unsqueeze(input, dim):
    d = input._data
    ax = wrap_dim(dim, d.ndim + 1)
    out = make_view(input, np.expand_dims(d, ax) if type(d) is np.ndarray else
                    input.xp.expand_dims(d, ax), lambda r: r.unsqueeze(ax))
    if state.enabled and input._requires_grad:
        node = UnsqueezeBackward0()
        node._dim = ax
        attach(out, node, (input,))
    return out


# ---------------------------------------------------------------- regions: slice, select ...
class SliceBackward0(Node):
    """Gradient of any basic-indexing view: zeros with the region filled by g."""

    __slots__ = ("_shape", "_key")

    def backward(self, g):
        return embed(g, self._shape, self._key)


class SelectBackward0(SliceBackward0):
    __slots__ = ()


class NarrowBackward0(SliceBackward0):
    __slots__ = ()


class _MultiViewBackward(Node):
    """One node for every output of unbind / split (PyTorch records a single node whose
    outputs are numbered 0..n-1): backward receives one gradient (or None) per output."""

    __slots__ = ("_n_out", "_shape", "_key", "_keys", "_dim")
    _multi_view = True  # in-place writes through the outputs are refused (see check_inplace)
    _stacks = False     # unbind: outputs drop the dim (stack); split: they keep it (cat)

    def backward(self, *grads):
        if state.enabled:  # create_graph: stack / cat, so the gradient is differentiable
            for g in grads:
                if g is not None and g._requires_grad:
                    return self._composite(grads)
        first = next(g for g in grads if g is not None)
        full = first.xp.zeros(self._shape, dtype=first._data.dtype)
        for g, key in zip(grads, self._keys):
            if g is not None:
                full[key] = g._data
        return wrap(full)

    def _composite(self, grads):
        ref = next(g for g in grads if g is not None)
        parts = []
        for g, key in zip(grads, self._keys):
            if g is None:  # an output that got no gradient contributes zeros
                shp = np.empty(self._shape, dtype=bool)[key].shape
                g = wrap(ref.xp.zeros(shp, dtype=ref._data.dtype))
            parts.append(g)
        return stack(parts, self._dim) if self._stacks else cat(parts, self._dim)


class UnbindBackward0(_MultiViewBackward):
    __slots__ = ()
    _stacks = True


class SplitBackward0(_MultiViewBackward):
    __slots__ = ()


class SplitWithSizesBackward0(_MultiViewBackward):
    __slots__ = ()


class UnsafeSplitBackward0(_MultiViewBackward):
    __slots__ = ()
    _multi_view = False  # unsafe_split's outputs are not views to autograd


class UnsafeSplitWithSizesBackward0(UnsafeSplitBackward0):
    __slots__ = ()


_MULTI_VIEW_MSG = (
    "Output {nr} of {name} is a view and {what}. This view is the output of a function that "
    "returns multiple views. Such functions do not allow the output views to be modified "
    "inplace. You should replace the inplace operation by an out-of-place one.")


def _multi_views(input, keys, ax, cls, regen_cls):
    """The outputs of unbind / split: views of ``input`` at ``keys`` sharing one ``cls`` node.

    A view whose base is later changed in place cannot regenerate its node (PyTorch raises
    for multi-output views); ``unsafe_*`` outputs share memory but are not views to autograd.
    """
    d = input._data
    record = state.enabled and input._requires_grad
    safe = cls._multi_view
    outs = []
    for i, key in enumerate(keys):
        v = d[key + (Ellipsis,)]  # the Ellipsis keeps a 0-d result an array view, not a scalar
        if safe:
            out = make_view(input, v, _regen(key, regen_cls, i, cls) if record
                            else (lambda r, key=key: region(r, key, regen_cls)))
            if record:
                out._meta = {"multi_view": True}
        else:
            out = wrap(v)
        outs.append(out)
    if record and outs:
        node = cls()
        node._n_out = len(outs)
        node._shape = d.shape
        node._keys = tuple(keys)
        node._key = keys[0]  # a single output takes the array fast path of a slice
        node._dim = ax
        attach(outs[0], node, (input,))
        for i, o in enumerate(outs):
            if i:
                o._requires_grad = True
                o._grad_fn = node
            o._out_nr = i
    return tuple(outs)


def _regen(key, regen_cls, nr, cls):
    name = cls.__name__[:-len("Backward0")]

    def view_fn(r):
        if state.enabled and r._requires_grad:
            raise RuntimeError(_MULTI_VIEW_MSG.format(
                nr=nr, name=name,
                what="its base or another view of its base has been modified inplace"))
        return region(r, key, regen_cls)
    return view_fn


class EmbedBackward0(Node):
    __slots__ = ("_key",)

    def backward(self, g):
        return region(g, self._key)


EmbedBackward0.__name__ = "SliceScatterBackward0"


def embed(g, shape, key):
    """Zeros of ``shape`` with ``g`` at the basic-indexing region ``key`` (differentiable)."""
    xp = g.xp
    full = xp.zeros(shape, dtype=g._data.dtype)
    full[key] = g._data
    out = wrap(full)
    if grad_needed(g):
        node = EmbedBackward0()
        node._key = key
        attach(out, node, (g,))
    return out


def region(input, key, cls=SliceBackward0):
    """The view ``input[key]`` for a basic key (ints, slices, None, Ellipsis)."""
    d = input._data
    v = d[key]
    if isinstance(v, np.generic):
        # An int for every dim: NumPy gives a scalar copy; with ``...`` a 0-d view, so that
        # writes through ``x[0, 1]`` reach x (as in PyTorch).
        v = d[key + (Ellipsis,)]
    out = make_view(input, v, lambda r: region(r, key, cls))
    if state.enabled and input._requires_grad:
        node = cls()
        node._shape = d.shape
        node._key = key
        attach(out, node, (input,))
    return out


def narrow(input, dim, start, length):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if isinstance(start, Tensor):
        start = int(start.item())
    size = d.shape[ax]
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    key = (slice(None),) * ax + (slice(start, start + length),)
    return region(input, key, SliceBackward0)  # PyTorch's narrow records a slice


def select(input, dim, index):
    d = input._data
    if d.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    ax = wrap_dim(dim, d.ndim)
    size = d.shape[ax]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(d.shape)} at dimension {dim}")
    key = (slice(None),) * ax + (index,)
    return region(input, key, SelectBackward0)


def unbind(input, dim=0, *, axis=None):
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("unbind", dim, None, axis, None)
    d = input._data
    if d.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    ax = wrap_dim(dim, d.ndim)
    pre = (slice(None),) * ax
    return _multi_views(input, [pre + (i,) for i in range(d.shape[ax])], ax, UnbindBackward0,
                        SelectBackward0)


def split(tensor, split_size_or_sections, dim=0, *, _cls=None):
    d = tensor._data
    ax = wrap_dim(dim, d.ndim)
    size = d.shape[ax]
    if isinstance(split_size_or_sections, numbers.Integral):
        step = int(split_size_or_sections)
        if step <= 0 and size:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = [step] * (size // step) + ([size % step] if size % step else []) if step else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if builtins_sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {ax}), but got split_sizes="
                               f"{sizes}")
    pre = (slice(None),) * ax
    keys = []
    start = 0
    for s in sizes:
        keys.append(pre + (slice(start, start + s),))
        start += s
    if _cls is SliceBackward0:  # tensor_split: PyTorch records one slice node per output
        return tuple(region(tensor, k, SliceBackward0) for k in keys)
    if _cls is None:
        _cls = SplitBackward0 if isinstance(split_size_or_sections, numbers.Integral) else \
            SplitWithSizesBackward0
    return _multi_views(tensor, keys, ax, _cls, SliceBackward0)


builtins_sum = sum


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def chunk(input, chunks, dim=0, *, _cls=None):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    step = -(-size // chunks) if size else 1
    return split(input, step, dim, _cls=_cls)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    """``split`` whose outputs autograd does not treat as views (in-place writes allowed)."""
    cls = UnsafeSplitBackward0 if isinstance(split_size_or_sections, numbers.Integral) else \
        UnsafeSplitWithSizesBackward0
    return split(tensor, split_size_or_sections, dim, _cls=cls)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim, _cls=UnsafeSplitWithSizesBackward0)


def unsafe_chunk(input, chunks, dim=0):
    return chunk(input, chunks, dim, _cls=UnsafeSplitBackward0)


def tensor_split(input, indices_or_sections, dim=0):
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    if isinstance(indices_or_sections, numbers.Integral):
        n = int(indices_or_sections)
        q, r = divmod(size, n)
        sizes = [q + 1] * r + [q] * (n - r)
    else:
        idx = [min(max(int(i), 0), size) for i in indices_or_sections]
        bounds = [0] + idx + [size]
        sizes = [max(bounds[i + 1] - bounds[i], 0) for i in range(len(bounds) - 1)]
    return split(input, sizes, dim, _cls=SliceBackward0)  # PyTorch slices here


class DiagonalBackward0(Node):
    __slots__ = ("_shape", "_offset", "_d1", "_d2")

    def backward(self, g):
        return diag_embed_into(g, self._shape, self._offset, self._d1, self._d2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    d = input._data
    a = wrap_dim(dim1, d.ndim)
    b = wrap_dim(dim2, d.ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    diag = d.diagonal(offset, a, b)
    out = make_view(input, _writable(diag) if d.flags.writeable else diag,
                    lambda r: r.diagonal(offset, a, b))
    if grad_needed(input):
        node = DiagonalBackward0()
        node._shape = d.shape
        node._offset = offset
        node._d1 = a
        node._d2 = b
        attach(out, node, (input,))
    return out


class DiagEmbedIntoBackward(Node):
    __slots__ = ("_offset", "_d1", "_d2")

    def backward(self, g):
        return diagonal(g, self._offset, self._d1, self._d2)


class DiagEmbedBackward0(DiagEmbedIntoBackward):
    """torch.diag_embed / diag / diagflat of a vector."""

    __slots__ = ()


def diag_embed_into(g, shape, offset, d1, d2, cls=DiagEmbedIntoBackward):
    """Zeros of ``shape`` whose (offset, d1, d2) diagonal is g (differentiable)."""
    full = g.xp.zeros(shape, dtype=g._data.dtype)
    _writable(full.diagonal(offset, d1, d2))[...] = g._data
    out = wrap(full)
    if grad_needed(g):
        node = cls()
        node._offset = offset
        node._d1 = d1
        node._d2 = d2
        attach(out, node, (g,))
    return out


def _writable(view):
    # ndarray.diagonal returns a read-only view; rebuild the same strided view over the
    # (writable) memory owner so that writes through the diagonal reach the base.
    if view.flags.writeable or type(view) is not np.ndarray:
        return view
    owner = view
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.writeable:
        return view
    off = view.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    try:
        return np.ndarray(view.shape, view.dtype, buffer=owner, offset=off,
                          strides=view.strides)
    except (TypeError, ValueError, BufferError):
        return view


# ---------------------------------------------------------------- concatenation & copies
class CatBackward0(Node):
    __slots__ = ("_dim", "_sizes", "_dtypes")

    def backward(self, g):
        out = []
        start = 0
        pre = (slice(None),) * self._dim
        for s, npd in zip(self._sizes, self._dtypes):
            if s is None:  # a skipped 1-d empty input: its gradient is empty too
                out.append(wrap(g.xp.zeros((0,), npd)))
                continue
            piece = region(g, pre + (slice(start, start + s),))
            out.append(cast_to(piece, npd))
            start += s
        return tuple(out)


def cat(tensors, dim=0, *, out=None, axis=None):
    """Concatenate along an existing dim; 1-d empty tensors are skipped as in PyTorch."""
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("cat", dim, None, axis, None)
    tensors = list(tensors)
    if _amp.active and out is None:
        tensors, = _amp.promote(_amp.CPU, tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element "
                            f"{next(j for j, u in enumerate(tensors) if u is t)} in argument 0, "
                            f"but got {type(t).__name__}")
    keep = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    ref = keep[0] if keep else tensors[0]
    nd = ref._data.ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    ax = wrap_dim(dim, nd)
    mixed = len({t._data.dtype for t in tensors}) > 1
    rt = promote_tensors(*tensors) if mixed else ref.dtype
    for i, t in enumerate(keep):
        if t._data.ndim != nd:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and "
                               f"{t._data.ndim}")
        for a in range(nd):
            if a != ax and t._data.shape[a] != ref._data.shape[a]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {ax}. Expected size "
                    f"{ref._data.shape[a]} but got size {t._data.shape[a]} for tensor number "
                    f"{next(j for j, u in enumerate(tensors) if u is t)} in the list.")
    xp = ref.xp
    npd = rt.numpy_dtype
    if not keep:
        res = wrap(xp.zeros((0,), npd))
    else:
        arrays = [t._data for t in keep]
        if mixed:  # cast first: NumPy cannot promote bfloat16 with integers itself
            arrays = [a if a.dtype == npd else a.astype(npd) for a in arrays]
        res = wrap(xp.concatenate(arrays, axis=ax))
    if grad_needed(*tensors):
        node = CatBackward0()
        node._dim = ax
        kept = {id(t) for t in keep}  # identity: `in` would call Tensor.__eq__
        node._sizes = tuple(t._data.shape[ax] if id(t) in kept else None for t in tensors)
        node._dtypes = tuple(t._data.dtype for t in tensors)
        attach(res, node, tensors)
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


concat = concatenate = cat


class StackBackward0(Node):
    __slots__ = ("_dim", "_n", "_dtypes")

    def backward(self, g):
        pre = (slice(None),) * self._dim
        return tuple(cast_to(region(g, pre + (i,)), npd)
                     for i, npd in zip(range(self._n), self._dtypes))


def stack(tensors, dim=0, *, out=None, axis=None):
    if axis is not None:  # NumPy-style alias, as torch accepts
        dim, _ = np_dim_alias("stack", dim, None, axis, None)
    tensors = list(tensors)
    if _amp.active and out is None:
        tensors, = _amp.promote(_amp.CPU, tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    ax = wrap_dim(dim, len(shape) + 1)
    rt = promote_tensors(*tensors) if len({t._data.dtype for t in tensors}) > 1 else \
        tensors[0].dtype
    xp = tensors[0].xp
    res = wrap(xp.stack([t._data for t in tensors], axis=ax).astype(rt.numpy_dtype, copy=False))
    if grad_needed(*tensors):
        node = StackBackward0()
        node._dim = ax
        node._n = len(tensors)
        node._dtypes = tuple(t._data.dtype for t in tensors)
        attach(res, node, tensors)
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    cols = [t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors]
    return cat(cols, 1)


def atleast_1d(*tensors):
    res = tuple(t.reshape(1) if t.ndim == 0 else t for t in _flat_args(tensors))
    return res[0] if len(res) == 1 else res


def atleast_2d(*tensors):
    res = tuple(t.reshape(1, 1) if t.ndim == 0 else t.unsqueeze(0) if t.ndim == 1 else t
                for t in _flat_args(tensors))
    return res[0] if len(res) == 1 else res


def atleast_3d(*tensors):
    def up(t):
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, -1, 1)
        if t.ndim == 2:
            return t.unsqueeze(-1)
        return t
    res = tuple(up(t) for t in _flat_args(tensors))
    return res[0] if len(res) == 1 else res


def _flat_args(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return tensors[0]
    return tensors


class FlipBackward0(Node):
    __slots__ = ("_dims",)

    def backward(self, g):
        return flip(g, self._dims)


def flip(input, *dims):
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    d = input._data
    if len(dims) == 1:  # flip(x, [0, 1]) or x.flip(0) / x.flip(0, 1)
        dims = dims[0]
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(wrap_dim(a, d.ndim) for a in dims)
    res = wrap(arr(np.flip(d, axes).copy() if type(d) is np.ndarray else
                   input.xp.flip(d, axes).copy()))
    if grad_needed(input):
        node = FlipBackward0()
        node._dims = axes
        attach(res, node, (input,))
    return res


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ("_shifts", "_dims")

    def backward(self, g):
        neg = tuple(-s for s in self._shifts) if isinstance(self._shifts, tuple) \
            else -self._shifts
        return roll(g, neg, self._dims)


def roll(input, shifts, dims=None):
    d = input._data
    if isinstance(shifts, (list, tuple)):
        shifts = tuple(shifts)
    if isinstance(dims, list):
        dims = tuple(dims)
    if dims is None:
        res = input.xp.roll(d.reshape(-1), shifts).reshape(d.shape)
    else:
        res = input.xp.roll(d, shifts, dims)
    res = wrap(arr(res))
    if grad_needed(input):
        node = RollBackward0()
        node._shifts = shifts
        node._dims = dims
        attach(res, node, (input,))
    return res


class Rot90Backward0(Node):
    __slots__ = ("_k", "_dims")

    def backward(self, g):
        return rot90(g, -self._k, self._dims)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by ``k`` quarter turns in the plane of ``dims`` (from the first towards the
    second)."""
    d = input._data
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if d.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {d.ndim}")
    a, b = (wrap_dim(x, d.ndim) for x in dims)
    if a == b:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    res = wrap(input.xp.ascontiguousarray(input.xp.rot90(d, k % 4, (a, b))))
    if grad_needed(input):
        node = Rot90Backward0()
        node._k = k
        node._dims = (a, b)
        attach(res, node, (input,))
    return res


class RepeatBackward0(Node):
    __slots__ = ("_sizes", "_shape")

    def backward(self, g):
        # Output dim i holds sizes[i] copies of the (padded) input dim: split each into
        # (copies, size) and sum over the copies.
        padded = (1,) * (len(self._sizes) - len(self._shape)) + self._shape
        inter = []
        for r, s in zip(self._sizes, padded):
            inter += [r, s]
        g = g.reshape(inter).sum(dim=tuple(range(0, len(inter), 2)))
        return g.reshape(self._shape)


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim (``x.repeat(2, 3)``)."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = _shape_arg(sizes)
    d = input._data
    if len(sizes) < d.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    src = d.reshape((1,) * (len(sizes) - d.ndim) + d.shape)
    if builtins.min(sizes) < 0:
        target = [r * n for r, n in zip(sizes, src.shape)]
        bad = next(n for n in target if n < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {target}")
    res = wrap(input.xp.tile(src, sizes))
    if grad_needed(input):
        node = RepeatBackward0()
        node._sizes = sizes
        node._shape = d.shape
        attach(res, node, (input,))
    return res


def tile(input, *dims):
    """``repeat`` with ``dims`` padded by leading ones (accepts ints, a tuple or a list)."""
    if len(dims) == 1 and isinstance(dims[0], numbers.Integral):
        dims = (int(dims[0]),)
    dims = _shape_arg(dims)
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    from .indexing import index_select
    if repeats is None:  # repeat_interleave(repeats_tensor) form
        reps = input._data
        return wrap(np.repeat(np.arange(len(reps), dtype=np.int64), reps))
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    ax = wrap_dim(dim, input.ndim)
    n = input._data.shape[ax]
    if isinstance(repeats, numbers.Integral) and not isinstance(repeats, bool):
        r = int(repeats)
        if r < 0:
            raise RuntimeError("repeats can not be negative")
        shp = input._data.shape
        e = unsqueeze(input, ax + 1)
        e = expand(e, shp[:ax + 1] + (r,) + shp[ax + 1:]).clone()
        return view(e, shp[:ax] + (n * r,) + shp[ax + 1:])
    if isinstance(repeats, Tensor):
        reps = repeats._data.reshape(-1)
        if reps.size == 1:
            reps = np.full(n, int(reps[0]))
    else:
        reps = np.full(n, int(repeats))
    idx = np.repeat(np.arange(n, dtype=np.int64), reps)
    return index_select(input, ax, wrap(idx))


class CloneBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return g


def clone(input, *, memory_format=None):
    res = wrap(input._data.copy())
    if grad_needed(input):
        attach(res, CloneBackward0(), (input,))
    return res


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


class UnfoldBackward0(Node):
    __slots__ = ("_shape", "_dim", "_size", "_step")

    def backward(self, g):
        # Windows may overlap: scatter-add every window element back to its source index.
        from .creation import zeros
        n = g.shape[self._dim]
        idx = (np.arange(n)[:, None] * self._step + np.arange(self._size)).reshape(-1)
        gm = g.movedim(-1, self._dim + 1)  # (..., n, size, ...)
        gm = gm.reshape(g.shape[:self._dim] + (n * self._size,) + g.shape[self._dim + 1:-1])
        base = zeros(self._shape, dtype=g.dtype)
        return base.index_add(self._dim, wrap(idx), gm)


def unfold(input, dimension, size, step):
    """A view of all length-``size`` slices of ``dimension`` taken every ``step`` elements,
    added as a new last dimension."""
    d = input._data
    ax = wrap_dim(dimension, max(d.ndim, 1))
    length = d.shape[ax] if d.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {ax} is {length} but size is "
                           f"{size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if d.ndim == 0:
        return input.reshape(1)
    n = (length - size) // step + 1
    st = d.strides
    shape = d.shape[:ax] + (n,) + d.shape[ax + 1:] + (size,)
    strides = st[:ax] + (st[ax] * step,) + st[ax + 1:] + (st[ax],)
    v = np.lib.stride_tricks.as_strided(d, shape, strides, writeable=d.flags.writeable)
    out = make_view(input, v, lambda r: unfold(r, ax, size, step))
    if state.enabled and input._requires_grad:
        node = UnfoldBackward0()
        node._shape, node._dim, node._size, node._step = d.shape, ax, size, step
        attach(out, node, (input,))
    return out


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with sizes ``size`` and element strides ``stride``."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    d = input._data
    own = input.storage_offset()
    off = own if storage_offset is None else int(storage_offset)
    root = input._storage_root()
    flat = root.reshape(-1) if root.flags.c_contiguous else np.ascontiguousarray(d).reshape(-1)
    if not root.flags.c_contiguous:
        off -= own
    need = off + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if all(size) else 0
    if need > flat.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {off}, and itemsize {d.itemsize} requiring a storage size "
                           f"of {need * d.itemsize} are out of bounds for storage of size "
                           f"{flat.size * d.itemsize}")
    item = d.itemsize
    v = np.lib.stride_tricks.as_strided(flat[off:], size, tuple(st * item for st in stride),
                                        writeable=d.flags.writeable)
    if not (state.enabled and input._requires_grad):
        return make_view(input, v, lambda r: as_strided(r, size, stride, storage_offset))
    # Differentiable form: gather the same elements by flat index from a contiguous input
    # (exact when input is contiguous, the common case).
    idx = np.lib.stride_tricks.as_strided(np.arange(flat.size - off) + off - own, size,
                                          tuple(st * 8 for st in stride))
    return input.contiguous().reshape(-1).take(wrap(np.ascontiguousarray(idx)))
