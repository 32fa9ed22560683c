"""``torch.memory_format`` and ``torch.layout``: the objects, and memory-format conversions.

A tensor's memory format is a property of its strides. Ember's tensors are ndarrays, so a
channels-last tensor is an NCHW-shaped ndarray whose memory is laid out NHWC (strides
``(HWC, 1, WC, C)``), exactly the strides PyTorch reports.
"""


class memory_format:
    """``torch.memory_format``: how a dense tensor's elements are ordered in memory."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name  # pickled by name: ember.<name>


class layout:
    """``torch.layout``: how a tensor's data is stored; every Ember tensor is ``strided``."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name

    __str__ = __repr__

    def __reduce__(self):
        return self._name


memory_format.__module__ = layout.__module__ = "ember"

contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")

strided = layout("strided")
# Layouts Ember has no tensors for; programs compare against them (``t.layout == sparse_coo``).
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")
_mkldnn = layout("_mkldnn")
jagged = layout("jagged")

_mods = {}


def _shape_ops():
    """ember.ops.shape, imported on first use (this module loads before the ops)."""
    m = _mods.get("shape")
    if m is None:
        from .ops import shape as m
        _mods["shape"] = m
    return m


# Dimension orders, innermost first, that PyTorch checks for each channels-last format.
_ORDERS = {4: (1, 3, 2, 0), 5: (1, 4, 3, 2, 0)}
_PERMS = {4: ((0, 2, 3, 1), (0, 3, 1, 2)), 5: ((0, 2, 3, 4, 1), (0, 4, 1, 2, 3))}


def _rank_for(fmt):
    return 4 if fmt is channels_last else 5


def check_format(fmt):
    if not isinstance(fmt, memory_format):
        raise TypeError(f"memory_format must be torch.memory_format, not "
                        f"{type(fmt).__name__}")


def is_contiguous_as(t, fmt):
    """``t.is_contiguous(memory_format=fmt)`` computed from the strides as PyTorch does."""
    d = t._data
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return bool(d.flags.c_contiguous)
    check_format(fmt)
    if d.ndim != _rank_for(fmt) or d.size == 0:
        return False
    item = d.dtype.itemsize
    expected = 1
    for ax in _ORDERS[d.ndim]:
        size = d.shape[ax]
        if size != 1:  # a size-1 dimension's stride does not matter
            if d.strides[ax] != expected * item:
                return False
            expected *= size
    return True


def _require_rank(t, fmt):
    rank = _rank_for(fmt)
    if t._data.ndim != rank:
        name = "channels_last" if rank == 4 else "channels_last_3d"
        raise RuntimeError(f"required rank {rank} tensor to use {name} format")


def _relayout(t, fmt):
    """A copy of ``t`` in ``fmt`` (channels_last / channels_last_3d), recorded as a clone."""
    from .ops._util import attach, grad_needed, wrap
    CloneBackward0 = _shape_ops().CloneBackward0
    d = t._data
    fwd, back = _PERMS[d.ndim]
    # A fresh C-ordered copy (ascontiguousarray could keep a view whose size-1 dimensions
    # carry other strides than PyTorch's).
    res = wrap(t.xp.array(d.transpose(fwd), order="C", copy=True).transpose(back))
    if grad_needed(t):
        attach(res, CloneBackward0(), (t,))
    return res


def contiguous(t, memory_format=contiguous_format):
    """``Tensor.contiguous(memory_format=torch.contiguous_format)``."""
    if memory_format is None or memory_format is contiguous_format:
        return _shape_ops().contiguous(t)
    check_format(memory_format)
    if memory_format is preserve_format:
        if t._data.flags.c_contiguous:
            return t
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    _require_rank(t, memory_format)
    return t if is_contiguous_as(t, memory_format) else _relayout(t, memory_format)


def clone(t, *, memory_format=preserve_format):
    """``torch.clone(input, *, memory_format=torch.preserve_format)``."""
    _clone = _shape_ops().clone
    if memory_format is None or memory_format is preserve_format:
        if t._data.flags.c_contiguous:
            return _clone(t)
        # PyTorch keeps the strides of a dense tensor; Ember keeps channels-last ones.
        fmt = suggest_format(t)
        return _clone(t) if fmt is contiguous_format else _relayout(t, fmt)
    check_format(memory_format)
    if memory_format is contiguous_format:
        return _clone(t)
    _require_rank(t, memory_format)
    return _relayout(t, memory_format)


def apply_to(t, fmt):
    """The memory-format part of ``Tensor.to(memory_format=fmt)``: ``t`` itself when it is
    already laid out so, a relaid copy otherwise."""
    if fmt is None or fmt is preserve_format:
        return t
    check_format(fmt)
    if fmt is contiguous_format:
        return _shape_ops().contiguous(t)
    _require_rank(t, fmt)
    # PyTorch aliases only when the suggested format already matches (so an ambiguous
    # N x C x 1 x 1 contiguous tensor is still relaid).
    return t if suggest_format(t) is fmt else _relayout(t, fmt)


def suggest_format(t):
    """PyTorch's ``suggest_memory_format``: channels-last when the strides look so (with its
    tie-break towards contiguous for ambiguous size-1 layouts), else contiguous."""
    d = t._data
    order = _ORDERS.get(d.ndim)
    if order is None or d.strides[1] == 0:
        return contiguous_format
    st = d.strides
    low = 0
    for ax in order:
        size = d.shape[ax]
        if size == 0 or st[ax] < low or (ax == 0 and low == st[1]):
            return contiguous_format
        low = st[ax] * size if size > 1 else st[ax]
    return channels_last if d.ndim == 4 else channels_last_3d
