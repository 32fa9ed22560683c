"""``save`` / ``load`` in PyTorch's zip checkpoint format, safe by default.

The file is a zip archive (stored, not compressed) holding ``<name>/data.pkl`` (a protocol-2
pickle whose tensors point at storages by persistent id), one ``<name>/data/<key>`` record of
raw little-endian bytes per storage, and small version records. Files written here load with
``torch.load(..., weights_only=True)`` and files from ``torch.save`` load here, without torch.

Loading uses a restricted unpickler unless ``weights_only=False``: it builds only tensors,
containers and primitive values, and names any other global it meets instead of running it.
Saving to a path writes a temporary file beside it and renames it, so an interrupted save
leaves the previous checkpoint intact.
"""
import collections
import contextlib
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import dtypes as _dt
from .device import device as _device
from .tensor import Size, Tensor, array_root

__all__ = ["save", "load", "add_safe_globals", "safe_globals", "get_safe_globals",
           "clear_safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
_ALIGN = 64  # storage records start at 64-byte offsets, as torch writes them (mmap-friendly)

_STORAGE_NAMES = {
    "float32": "FloatStorage", "float64": "DoubleStorage", "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage", "int64": "LongStorage", "int32": "IntStorage",
    "int16": "ShortStorage", "int8": "CharStorage", "uint8": "ByteStorage",
    "bool": "BoolStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage", "uint16": "UInt16Storage",
    "uint32": "UInt32Storage", "uint64": "UInt64Storage",
}
_STORAGE_DTYPES = {v: k for k, v in _STORAGE_NAMES.items()}


# ======================================================================= writing
class _Global:
    """A reference to a global by name, pickled as GLOBAL without importing its module."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle requires reduce functions to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into checkpoints only")


_REBUILD_TENSOR = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")
_REBUILD_PARAMETER_STATE = _Global("torch._utils", "_rebuild_parameter_with_state")
_TORCH_SIZE = _Global("torch", "Size")
_TORCH_DEVICE = _Global("torch", "device")


class _StorageRef:
    """One storage to write: the memory-owning array behind one or more tensors."""

    __slots__ = ("key", "root", "dtype", "location")

    def __init__(self, key, root, dtype, location):
        self.key = key
        self.root = root
        self.dtype = dtype
        self.location = location


def _host_array(a):
    return a if type(a) is np.ndarray else a.get()


class _TorchPickler(pickle._Pickler):
    """Pickles ember objects as torch.save does (tensors by persistent storage id)."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # (id(root), dtype name) -> _StorageRef
        self._keep = []     # keep host copies alive so their ids stay unique

    dispatch = dict(pickle._Pickler.dispatch)

    def _save_global_ref(self, obj):
        self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
        self.memoize(obj)

    dispatch[_Global] = _save_global_ref

    def _save_dtype(self, obj):
        self._save_global_ref(_Global("torch", obj.name))

    dispatch[_dt.dtype] = _save_dtype

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            numel = obj.root.nbytes // max(obj.dtype.itemsize, 1)
            return ("storage", _Global("torch", _STORAGE_NAMES[obj.dtype.name]), obj.key,
                    obj.location, numel)
        return None

    def _storage_for(self, t):
        data = t._data
        location = "cpu" if type(data) is np.ndarray else f"cuda:{data.device.id}"
        host = _host_array(data)
        if host is not data:
            self._keep.append(host)
        root = array_root(host)
        if not (root.flags.c_contiguous and root.dtype.itemsize == host.dtype.itemsize
                and root.dtype == host.dtype):
            root = np.ascontiguousarray(host)  # an unusual base: save this tensor's own copy
            self._keep.append(root)
        k = (id(root), host.dtype.str)
        ref = self.storages.get(k)
        if ref is None:
            ref = _StorageRef(str(len(self.storages)), root, t.dtype, location)
            self.storages[k] = ref
        item = host.dtype.itemsize
        if host.size == 0:
            offset, stride = 0, _contiguous(host.shape)
        else:
            offset = (host.__array_interface__["data"][0] -
                      root.__array_interface__["data"][0]) // item
            stride = tuple(s // item for s in host.strides)
        return ref, offset, stride

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            from .nn.parameter import Parameter
            if isinstance(obj, Parameter):
                plain = Tensor._wrap(obj._data)
                state = getattr(obj, "__dict__", None)
                if state:
                    return (_REBUILD_PARAMETER_STATE,
                            (plain, obj.requires_grad, collections.OrderedDict(), dict(state)))
                return (_REBUILD_PARAMETER, (plain, obj.requires_grad, collections.OrderedDict()))
            ref, offset, stride = self._storage_for(obj)
            return (_REBUILD_TENSOR, (ref, offset, tuple(obj._data.shape), stride,
                                      obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Size):
            return (_TORCH_SIZE, (tuple(obj),))
        if isinstance(obj, _device):
            return (_TORCH_DEVICE, (str(obj),))
        return NotImplemented


def _contiguous(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _record_name(f):
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"


def _write_record(zf, name, payload):
    """Write one stored record whose data starts at a 64-byte boundary."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 0
    base = zf.start_dir + 30 + len(name.encode())
    pad = (-(base + 4)) % _ALIGN
    info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad  # "FB" padding field, as torch
    size = payload.nbytes if isinstance(payload, memoryview) else len(payload)
    with zf.open(info, "w", force_zip64=size > 0x7FFFFFFF) as out:
        out.write(payload)


def _write_zip(fileobj, obj, name, protocol):
    buf = io.BytesIO()
    pickler = _TorchPickler(buf, protocol)
    pickler.dump(obj)
    with zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _write_record(zf, f"{name}/data.pkl", buf.getvalue())
        _write_record(zf, f"{name}/.format_version", b"1")
        _write_record(zf, f"{name}/.storage_alignment", str(_ALIGN).encode())
        _write_record(zf, f"{name}/byteorder", b"little")
        for ref in pickler.storages.values():
            root = ref.root
            if root.dtype.byteorder == ">":
                root = root.astype(root.dtype.newbyteorder("<"))
            _write_record(zf, f"{name}/data/{ref.key}", memoryview(root.reshape(-1).view(np.uint8)))
        _write_record(zf, f"{name}/version", b"3\n")
        _write_record(zf, f"{name}/.data/serialization_id",
                      os.urandom(20).hex().encode())


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, containers, numbers, strings ...) to ``f``.

    ``f`` is a path, an ``os.PathLike`` or a writable binary file object. A path is written
    atomically: a temporary file in the same folder, then a rename.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("ember writes only the zip-based format "
                                  "(_use_new_zipfile_serialization=True)")
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise RuntimeError(f"Parent directory {folder} does not exist.")
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                                   dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                _write_zip(out, obj, _record_name(path), pickle_protocol)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return
    if not hasattr(f, "write"):
        raise AttributeError(f"expected 'f' to be string, path, or a file-like object with a "
                             f"'write' attribute, got {type(f).__name__}")
    _write_zip(f, obj, "archive", pickle_protocol)


# ======================================================================= safe globals
_user_safe = {}


def _qualified(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Allow these classes/functions (or (obj, "module.name") pairs) in weights-only loads."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
            _user_safe[name] = obj
        else:
            _user_safe[_qualified(g)] = g


def get_safe_globals():
    return list(_user_safe.values())


def clear_safe_globals():
    _user_safe.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """Context manager form of ``add_safe_globals``."""
    saved = dict(_user_safe)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe.clear()
        _user_safe.update(saved)


# ======================================================================= reading
def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    arr, dev = storage
    item = arr.dtype.itemsize
    size = tuple(size)
    stride = tuple(stride)
    n = 1
    for s in size:
        n *= s
    if n == 0:
        data = np.empty(size, arr.dtype)
    else:
        end = storage_offset + 1 + sum((s - 1) * st for s, st in zip(size, stride))
        if storage_offset < 0 or end > arr.size or any(st < 0 for st in stride):
            raise RuntimeError(f"corrupt checkpoint: a tensor of size {list(size)} and stride "
                               f"{list(stride)} at offset {storage_offset} does not fit its "
                               f"storage of {arr.size} elements")
        # ndarray(buffer=...) keeps `arr` as the base, so views stay recognisable as views.
        data = np.ndarray(size, arr.dtype, buffer=arr, offset=storage_offset * item,
                          strides=tuple(s * item for s in stride))
    t = Tensor._wrap(data)
    if dev is not None and dev.type != "cpu":
        t = t.to(dev)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                              backward_hooks, metadata)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if state:
        for k, v in (state.items() if isinstance(state, dict) else ()):
            setattr(ret, k, v)
    return ret


class _StorageType:
    """Stand-in for torch.FloatStorage etc.: carries the dtype of a storage record."""

    def __init__(self, name):
        self.name = name
        self.dtype = _dt._BY_NAME[_STORAGE_DTYPES[name]]


def _torch_global(module, name):
    """ember's counterpart of an allowed torch global, or None."""
    if module == "torch._utils":
        return {"_rebuild_tensor_v2": _rebuild_tensor_v2,
                "_rebuild_tensor_v3": _rebuild_tensor_v3,
                "_rebuild_parameter": _rebuild_parameter,
                "_rebuild_parameter_with_state": _rebuild_parameter_with_state}.get(name)
    if module == "torch._tensor" and name == "_rebuild_from_type_v2":
        return _rebuild_from_type_v2
    if module == "torch":
        if name in _STORAGE_DTYPES:
            return _StorageType(name)
        if name in _dt._BY_NAME:
            return _dt._BY_NAME[name]
        if name == "Size":
            return Size
        if name == "device":
            return _device
        if name == "Tensor":
            return Tensor
    if module == "torch.nn.parameter" and name == "Parameter":
        from .nn.parameter import Parameter
        return Parameter
    if module == "torch.serialization" and name == "_get_layout":
        return lambda name: name
    return None


_SAFE_BUILTINS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "Counter"): collections.Counter,
    ("collections", "defaultdict"): collections.defaultdict,
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("builtins", "dict"): dict, ("builtins", "list"): list, ("builtins", "tuple"): tuple,
    ("builtins", "int"): int, ("builtins", "float"): float, ("builtins", "bool"): bool,
    ("builtins", "str"): str, ("builtins", "bytes"): bytes, ("builtins", "bytearray"): bytearray,
    ("builtins", "complex"): complex, ("builtins", "slice"): slice,
    ("builtins", "range"): range, ("__builtin__", "set"): set,
}


def _ember_module_for(module):
    if module == "torch" or module.startswith("torch."):
        return "ember" + module[5:]
    return module


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, reader, weights_only, location_fn):
        super().__init__(file, encoding="utf-8")
        self._reader = reader
        self._weights_only = weights_only
        self._location_fn = location_fn
        self._storages = {}

    def find_class(self, module, name):
        g = _torch_global(module, name)
        if g is not None:
            return g
        safe = _SAFE_BUILTINS.get((module, name))
        if safe is not None:
            return safe
        user = _user_safe.get(f"{module}.{name}")
        if user is not None:
            return user
        if self._weights_only:
            raise pickle.UnpicklingError(
                "Weights only load failed. In ember, `weights_only=True` (the default) builds "
                "only tensors, containers and primitive types. Unsupported global: GLOBAL "
                f"{module}.{name} was not an allowed global by default. Please use "
                f"`ember.serialization.add_safe_globals([{name}])` or the "
                f"`ember.serialization.safe_globals([{name}])` context manager to allowlist "
                "this global if you trust this class/function, or load with "
                "weights_only=False if you trust the whole file.")
        mapped = _ember_module_for(module)
        if mapped != module:
            try:
                return super().find_class(mapped, name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(
                    f"the file refers to {module}.{name}, which ember does not provide "
                    "(see docs/differences.md)") from None
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) >= 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        _, stype, key, location, numel = pid[:5]
        hit = self._storages.get(key)
        if hit is not None:
            return hit
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"unsupported storage type {stype!r}")
        npd = stype.dtype.numpy_dtype
        arr = self._reader.storage(key, npd, numel)
        dev = self._location_fn(location)
        self._storages[key] = (arr, dev)
        return self._storages[key]


class _ZipReader:
    """Reads records of a torch zip checkpoint, optionally memory-mapping storages."""

    def __init__(self, f, mmap_path=None):
        try:
            self.zf = zipfile.ZipFile(f)
        except zipfile.BadZipFile:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding "
                               "central directory (the file is not a torch zip checkpoint, or "
                               "it is truncated or corrupt)") from None
        names = self.zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not "
                               "found")
        self.prefix = pkl[0][:-len("data.pkl")]
        self.mmap_path = mmap_path

    def read(self, name):
        try:
            return self.zf.read(self.prefix + name)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not "
                               "found") from None
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: the checkpoint "
                               f"is truncated or corrupt ({exc})") from None

    def storage(self, key, npd, numel):
        name = f"data/{key}"
        itemsize = np.dtype(npd).itemsize
        if self.mmap_path is not None:
            info = self.zf.getinfo(self.prefix + name)
            if info.compress_type == zipfile.ZIP_STORED:
                with open(self.mmap_path, "rb") as fh:
                    fh.seek(info.header_offset)
                    head = fh.read(30)
                    nlen, xlen = struct.unpack("<HH", head[26:30])
                offset = info.header_offset + 30 + nlen + xlen
                if numel == 0:
                    return np.empty(0, npd)
                return np.memmap(self.mmap_path, dtype=npd, mode="c", offset=offset,
                                 shape=(numel,))
        raw = self.read(name)
        if len(raw) != numel * itemsize:
            raise RuntimeError(f"corrupt checkpoint: storage {key} holds {len(raw)} bytes, "
                               f"expected {numel * itemsize}")
        return np.frombuffer(bytearray(raw), dtype=npd)


def _location_resolver(map_location):
    from . import cuda

    def default(loc):
        d = _device(loc)
        if d.type == "cuda" and not cuda.is_available():
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the "
                               "CPU.")
        return d

    if map_location is None:
        return default
    if isinstance(map_location, (str, _device)):
        target = _device(map_location)
        return lambda loc: target
    if isinstance(map_location, dict):
        return lambda loc: default(map_location.get(loc, loc))
    if callable(map_location):
        def call(loc):
            res = map_location(_LocationProbe(loc), loc)
            if res is None:
                return default(loc)
            if isinstance(res, _LocationProbe):
                return _device(res.location)
            if isinstance(res, (str, _device)):
                return _device(res)
            return default(loc)
        return call
    raise ValueError(f"map_location should be a string, a device, a dict or a callable, got "
                     f"{type(map_location).__name__}")


class _LocationProbe:
    """What a map_location callable receives as the storage: it can be moved, not read."""

    def __init__(self, location):
        self.location = location

    def cpu(self):
        return _LocationProbe("cpu")

    def cuda(self, device=None):
        return _LocationProbe(f"cuda:{device or 0}" if not isinstance(device, str) else device)

    def to(self, device):
        return _LocationProbe(str(_device(device)))

    @property
    def device(self):
        return _device(self.location)


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip format).

    ``weights_only=True`` (default) never runs code from the file: only tensors, containers
    and primitive values are built. ``map_location`` moves tensors ('cpu', a device, a dict
    of location strings, or a callable ``(storage, location)``). ``mmap=True`` maps storages
    from the file instead of reading them (``f`` must be a path).
    """
    if weights_only is None:
        weights_only = True
    location_fn = _location_resolver(map_location)
    opened = None
    mmap_path = None
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{path}'")
        opened = open(path, "rb")
        fileobj = opened
        if mmap:
            mmap_path = path
    else:
        if mmap:
            raise ValueError("f must be a file path in order to use the mmap argument")
        fileobj = f
    try:
        start = fileobj.read(4)
        fileobj.seek(-len(start), io.SEEK_CUR)
        if start[:2] != b"PK":
            if not start:
                raise EOFError("Ran out of input")
            raise RuntimeError("Invalid checkpoint: ember.load reads the zip-based format that "
                               "torch.save writes by default since PyTorch 1.6; this file is in "
                               "another format (legacy torch format, or not a checkpoint).")
        reader = _ZipReader(fileobj, mmap_path)
        data = reader.read("data.pkl")
        up = _Unpickler(io.BytesIO(data), reader, weights_only, location_fn)
        try:
            return up.load()
        except pickle.UnpicklingError:
            raise
        except (EOFError, struct.error, ValueError, IndexError) as exc:
            raise RuntimeError(f"corrupt checkpoint: data.pkl could not be read ({exc})") \
                from None
    finally:
        if opened is not None:
            opened.close()
