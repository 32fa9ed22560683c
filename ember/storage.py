"""``torch.UntypedStorage`` / ``torch.TypedStorage``: the memory behind a tensor.

A tensor's storage is the memory-owning array at the root of its ndarray view chain, so every
view of one base reports the same storage (``a[1:].untyped_storage().data_ptr() ==
a.untyped_storage().data_ptr()``), as in PyTorch. An untyped storage is a 1-D uint8 view of
that memory; writes through it reach every tensor sharing it.
"""
import warnings

import numpy as np

from . import dtypes as _dt

__all__ = ["UntypedStorage", "TypedStorage"]


def storage_root(arr):
    """The array that owns ``arr``'s memory (follows ``.base`` through any ndarray views)."""
    root = arr
    b = arr.base
    while b is not None:
        if isinstance(b, type(arr)):
            root = b
        elif not hasattr(b, "__array_interface__") and not hasattr(b, "base"):
            break
        b = getattr(b, "base", None)
    return root


def _bytes_of(root):
    if root.flags.c_contiguous or root.flags.f_contiguous:
        return root.reshape(-1, order="A").view(np.uint8)
    return root.copy().reshape(-1).view(np.uint8)  # memory not one dense block: copy


class UntypedStorage:
    """A flat block of bytes. ``UntypedStorage(n)`` allocates ``n`` (zeroed) bytes;
    ``tensor.untyped_storage()`` returns the storage a tensor views."""

    is_sparse = False
    is_sparse_csr = False

    def __init__(self, *args, device=None):
        from .device import to_device
        if len(args) == 1 and isinstance(args[0], np.ndarray) and args[0].dtype == np.uint8:
            self._bytes = args[0]
        else:
            if len(args) == 1 and isinstance(args[0], (list, tuple)):
                data = np.asarray(args[0], np.uint8)
            elif len(args) == 1 and isinstance(args[0], int):
                data = np.zeros(int(args[0]), np.uint8)
            elif not args:
                data = np.zeros(0, np.uint8)
            else:
                raise TypeError("UntypedStorage(): expected an int size or a sequence of bytes")
            self._bytes = data
            if device is not None and to_device(device).type != "cpu":
                from .backends.dispatch import xp_for_device
                self._bytes = xp_for_device(to_device(device)).asarray(data)

    @classmethod
    def _of(cls, arr):
        s = cls.__new__(cls)
        s._bytes = _bytes_of(storage_root(arr))
        return s

    def data_ptr(self):
        b = self._bytes
        return int(b.__array_interface__["data"][0] if type(b) is np.ndarray else b.data.ptr)

    def nbytes(self):
        return int(self._bytes.size)

    def size(self):
        return int(self._bytes.size)

    def __len__(self):
        return int(self._bytes.size)

    def element_size(self):
        return 1

    @property
    def device(self):
        from .device import CPU
        if type(self._bytes) is np.ndarray:
            return CPU
        from .backends.dispatch import array_device
        return array_device(self._bytes)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def get_device(self):
        return -1 if self.device.type == "cpu" else self.device.index

    def _host(self):
        b = self._bytes
        return b if type(b) is np.ndarray else b.get()

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(self._bytes[idx])
        return int(self._bytes[idx])

    def __setitem__(self, idx, value):
        self._bytes[idx] = value

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        return self._host().tolist()

    def fill_(self, value):
        self._bytes[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        if source.nbytes() != self.nbytes():
            raise RuntimeError(f"size mismatch, got {self.nbytes()}, {source.nbytes()}")
        self._bytes[...] = source._bytes
        return self

    def clone(self):
        return type(self)(self._bytes.copy())

    def cpu(self):
        return self if self.device.type == "cpu" else type(self)(self._host().copy())

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def share_memory_(self):
        return self

    def pin_memory(self, device="cuda"):
        return self

    def resizable(self):
        return False

    def untyped(self):
        return self

    def type(self, dtype=None, non_blocking=False):
        return "torch.storage.UntypedStorage" if dtype is None else dtype

    def _typed(self, dtype):
        return TypedStorage(wrap_storage=self, dtype=dtype, _internal=True)

    def float(self):
        return self._typed(_dt.float32)

    def double(self):
        return self._typed(_dt.float64)

    def half(self):
        return self._typed(_dt.float16)

    def long(self):
        return self._typed(_dt.int64)

    def int(self):
        return self._typed(_dt.int32)

    def byte(self):
        return self._typed(_dt.uint8)

    def bool(self):
        return self._typed(_dt.bool_)

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        head = f"[torch.storage.UntypedStorage(device={self.device}) of size {self.nbytes()}]"
        return body + "\n" + head if body else head

    def __reduce__(self):
        return (UntypedStorage, (self._host().copy(),))


_warned = [False]


def _warn_typed():
    # PyTorch warns about TypedStorage once per process.
    if not _warned[0]:
        _warned[0] = True
        warnings.warn("TypedStorage is deprecated. It will be removed in the future and "
                      "UntypedStorage will be the only storage class. This should only matter "
                      "to you if you are using storages directly.  To access UntypedStorage "
                      "directly, use tensor.untyped_storage() instead of tensor.storage()",
                      UserWarning, stacklevel=3)


class _LegacyStorageMeta(type):
    def __instancecheck__(cls, obj):
        if cls is TypedStorage or not hasattr(cls, "_legacy_dtype"):
            return type.__instancecheck__(cls, obj)
        return isinstance(obj, TypedStorage) and obj.dtype is cls._legacy_dtype


class TypedStorage(metaclass=_LegacyStorageMeta):
    """A storage viewed as elements of one dtype (deprecated in PyTorch; kept for programs
    that call ``tensor.storage()``)."""

    is_sparse = False

    def __init__(self, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        if not _internal:
            _warn_typed()
        legacy = getattr(type(self), "_legacy_dtype", None)
        dtype = legacy if legacy is not None else (
            _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype))
        self.dtype = dtype
        if wrap_storage is not None:
            self._untyped_storage = wrap_storage
            return
        npd = dtype.numpy_dtype
        if len(args) == 1 and isinstance(args[0], int):
            data = np.zeros(args[0], npd)
        elif len(args) == 1:
            data = np.asarray(args[0], npd).reshape(-1)
        elif not args:
            data = np.zeros(0, npd)
        else:
            raise TypeError("TypedStorage(): expected a size or a sequence")
        self._untyped_storage = UntypedStorage(data.view(np.uint8))
        if device is not None:
            from .device import to_device
            if to_device(device).type != "cpu":
                from .backends.dispatch import xp_for_device
                xp = xp_for_device(to_device(device))
                self._untyped_storage = UntypedStorage(xp.asarray(data).view(xp.uint8))

    @property
    def _elements(self):
        return self._untyped_storage._bytes.view(self.dtype.numpy_dtype)

    def untyped(self):
        return self._untyped_storage

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def nbytes(self):
        return self._untyped_storage.nbytes()

    def size(self):
        return self.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def element_size(self):
        return self.dtype.itemsize

    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return self._untyped_storage.is_cuda

    def get_device(self):
        return self._untyped_storage.get_device()

    def __getitem__(self, idx):
        v = self._elements[idx]
        if isinstance(idx, slice):
            return TypedStorage(wrap_storage=UntypedStorage(v.copy().view(np.uint8)),
                                dtype=self.dtype, _internal=True)
        return v.item()

    def __setitem__(self, idx, value):
        self._elements[idx] = value

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        e = self._elements
        return (e if type(e) is np.ndarray else e.get()).tolist()

    def fill_(self, value):
        self._elements[...] = value
        return self

    def copy_(self, source, non_blocking=None):
        self._elements[...] = source._elements
        return self

    def clone(self):
        return TypedStorage(wrap_storage=self._untyped_storage.clone(), dtype=self.dtype,
                            _internal=True)

    def cpu(self):
        return TypedStorage(wrap_storage=self._untyped_storage.cpu(), dtype=self.dtype,
                            _internal=True)

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def share_memory_(self):
        return self

    def pin_memory(self, device="cuda"):
        return self

    def resizable(self):
        return False

    def pickle_storage_type(self):
        return _LEGACY_NAMES[self.dtype.name]

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            return "torch." + _LEGACY_NAMES[self.dtype.name]
        return dtype

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        head = (f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of "
                f"size {self.size()}]")
        return body + "\n" + head if body else head

    def __reduce__(self):
        return (_rebuild_typed, (self._untyped_storage, self.dtype.name))


def _rebuild_typed(untyped, dtype_name):
    return TypedStorage(wrap_storage=untyped, dtype=_dt._BY_NAME[dtype_name], _internal=True)


_LEGACY_NAMES = {"float32": "FloatStorage", "float64": "DoubleStorage",
                 "float16": "HalfStorage", "bfloat16": "BFloat16Storage",
                 "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
                 "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
                 "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage"}

LEGACY = {}
for _name, _cls in _LEGACY_NAMES.items():
    LEGACY[_cls] = _LegacyStorageMeta(_cls, (TypedStorage,), {
        "_legacy_dtype": _dt._BY_NAME[_name], "__module__": "ember",
        "__doc__": f"Legacy ``torch.{_cls}``: a TypedStorage of {_name}."})


def untyped_storage(self):
    """``Tensor.untyped_storage()``: the storage (bytes) this tensor views."""
    return UntypedStorage._of(self._data)


def typed_storage(self):
    """``Tensor.storage()``: the storage as elements of this tensor's dtype (deprecated)."""
    _warn_typed()
    return TypedStorage(wrap_storage=UntypedStorage._of(self._data), dtype=self.dtype,
                        _internal=True)


def storage_type(self):
    """``Tensor.storage_type()``: the legacy storage class of this tensor's dtype."""
    return LEGACY[_LEGACY_NAMES[self.dtype.name]]


def is_storage(obj):
    return isinstance(obj, (UntypedStorage, TypedStorage))
