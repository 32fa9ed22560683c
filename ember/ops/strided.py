"""Storage-level tensor operations: ``as_strided_scatter``, ``empty_permuted``,
``Tensor.new_empty_strided``, ``Tensor.set_`` / ``is_set_to``.

A tensor's memory is its ndarray's root buffer (see ``ember/storage.py``); these functions
re-point or re-read that buffer with explicit sizes and element strides.
"""
import numpy as np

from ..autograd.grad_mode import state
from ..tensor import Tensor
from ._util import check_inplace, wrap


def _dense_order(t):
    """Dimension order, outermost first, of a tensor laid out like ``t`` (PyTorch's
    ``empty_like(preserve_format)``: strides sorted, ties in dimension order)."""
    st = t.stride()
    return sorted(range(t.ndim), key=lambda i: (-st[i], i))


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` whose elements at ``input.as_strided(size, stride,
    storage_offset)`` are replaced by ``src`` (positions read in the layout of the copy, which
    keeps ``input``'s dimension order). Differentiable in both tensors.

    Example::

        >>> torch.as_strided_scatter(torch.zeros(4), torch.ones(2), (2,), (2,))
        tensor([1., 0., 1., 0.])
    """
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if tuple(src.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size "
                           f"= {list(src.shape)}, slice size = {list(size)}")
    off = 0 if storage_offset is None else int(storage_offset)
    n = input.numel()
    need = off + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if all(size) else 0
    if need > n:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {off}, and itemsize {input.element_size()} requiring a "
                           f"storage size of {need * input.element_size()} are out of bounds "
                           f"for storage of size {n * input.element_size()}")
    # storage position -> logical (row-major) position of the copy's elements
    order = _dense_order(input)
    shape = tuple(input.shape)
    pos = np.arange(n, dtype=np.int64).reshape(tuple(shape[i] for i in order))
    logical_of_storage = np.empty(n, np.int64)
    logical_of_storage[pos.transpose(np.argsort(order)).reshape(-1)] = np.arange(n)
    region = np.full(size, off, np.int64)
    for k, (s, st) in enumerate(zip(size, stride)):  # per dimension: off + sum(i_k * st_k)
        region += (np.arange(s, dtype=np.int64) * st).reshape((s,) + (1,) * (len(size) - k - 1))
    idx = wrap(np.ascontiguousarray(logical_of_storage[region.reshape(-1)]))
    flat = input.reshape(-1)
    res = flat.index_put((idx,), src.reshape(-1).to(input.dtype))
    return res.view(shape)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of logical ``size`` whose memory is laid out in the dimension
    order ``physical_layout`` (outermost first)."""
    from .creation import empty
    size = tuple(int(s) for s in size)
    perm = tuple(int(p) for p in physical_layout)
    if sorted(perm) != list(range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; or physical_layout is not a permutation: "
                           f"size {list(size)}, physical_layout {list(perm)}")
    phys = empty(tuple(size[p] for p in perm), dtype=dtype, device=device)
    out = phys.permute(tuple(int(i) for i in np.argsort(perm)))
    out = out.detach()
    out._base = None  # a fresh tensor, not a view
    if requires_grad:
        out.requires_grad_()
    return out


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False):
    """An uninitialised tensor with the given sizes and strides, with ``self``'s dtype and
    device unless given."""
    from .._namespace_extra import empty_strided
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def _type_name(t):
    return {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "bfloat16": "c10::BFloat16"}.get(t.dtype.name if hasattr(
                t.dtype, "name") else str(t.dtype), str(t.dtype))


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make ``self`` view other memory: ``set_(tensor)`` shares ``tensor``'s storage, sizes
    and strides; ``set_(storage, offset, size, stride)`` views a storage; ``set_()`` leaves an
    empty tensor. The autograd history is dropped."""
    from ..storage import TypedStorage, UntypedStorage
    check_inplace(self)
    if source is None:
        xp = np if type(self._data) is np.ndarray else self.xp
        data = xp.empty(0, self._data.dtype)
    elif isinstance(source, Tensor):
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(f"Could not set tensor of type {_type_name(source)} to a tensor "
                               f"of type {_type_name(self)}")
        data = source._data
        _adopt(self, data, source)
        return self
    elif isinstance(source, (UntypedStorage, TypedStorage)):
        raw = source._untyped_storage._bytes if isinstance(source, TypedStorage) else \
            source._bytes
        if isinstance(source, TypedStorage) and source.dtype != self.dtype:
            raise RuntimeError(f"Expected a Storage of type {self.dtype} or an UntypedStorage, "
                               f"but got type {source.dtype} for argument 1 'storage'")
        item = self._data.dtype.itemsize
        flat = raw[:raw.size // item * item].view(self._data.dtype)
        off = int(storage_offset)
        if size is None:
            size, stride = (flat.size - off,), (1,)
        size = tuple(int(s) for s in size)
        if stride is None:
            stride = tuple(int(np.prod(size[i + 1:], dtype=np.int64)) for i in range(len(size)))
        stride = tuple(int(s) for s in stride)
        need = off + sum((s - 1) * st for s, st in zip(size, stride)) + 1 if all(size) else 0
        if need > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, "
                               f"storage offset {off}, and itemsize {item} requiring a storage "
                               f"size of {need * item} are out of bounds for storage of size "
                               f"{flat.size * item}")
        byte_strides = tuple(s * item for s in stride)
        if type(flat) is np.ndarray:
            # An ndarray over the storage itself (not a stride_tricks wrapper), so that
            # storage_offset() and untyped_storage() see the storage as this tensor's root.
            data = np.ndarray(size, flat.dtype, buffer=flat, offset=off * item,
                              strides=byte_strides) if need else np.empty(size, flat.dtype)
        else:
            data = self.xp.lib.stride_tricks.as_strided(flat[off:], size, byte_strides)
    else:
        raise TypeError(f"set_() received an invalid combination of arguments - got "
                        f"({type(source).__name__}, ...)")
    _adopt(self, data, None)
    return self


def _adopt(self, data, source):
    self._data = data
    self._vc[0] += 1
    self._base = None
    self._view_fn = None
    if source is not None and state.enabled and source._requires_grad:
        # PyTorch keeps a (non-differentiable) history here; Ember follows the source's.
        self._grad_fn = source._grad_fn
        self._out_nr = source._out_nr
        self._requires_grad = True
    elif self._grad_fn is not None:
        self._grad_fn = None
        self._requires_grad = False


def is_set_to(self, tensor):
    """True when both tensors view the same memory with the same sizes and strides."""
    a, b = self._data, tensor._data
    return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape and
            a.strides == b.strides and self.data_ptr() == tensor.data_ptr() and
            self.untyped_storage().data_ptr() == tensor.untyped_storage().data_ptr())


__all__ = ["as_strided_scatter", "empty_permuted"]
