"""class Tensor: an array (NumPy or CuPy) plus autograd metadata and view bookkeeping.

A tensor's ``_data`` is an ndarray; views are ndarray views of the same memory, so writes
through a view reach the base. ``_vc`` is the version counter, one list shared by a base and
all its views. Math lives in ``ember/ops``; ``ember/_tensor_methods.py`` binds it as methods.
"""
import numbers
import weakref

import numpy as np

from . import _formats
from . import dtypes as _dt
from .autograd.grad_mode import INFERENCE_VC as _INFERENCE_VC
from .autograd.grad_mode import ever as _ever
from .autograd.grad_mode import state as _grad_state
from .autograd.api import backward as _autograd_backward
from .autograd.graph import AccumulateGrad, _RemovableHandle
from .backends.dispatch import array_device, is_cuda_array, xp_of
from .device import CPU, device as _device_cls, to_device

_new = object.__new__


class Size(tuple):
    """``torch.Size``: a tuple of ints with PyTorch's repr."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        res = tuple.__getitem__(self, item)
        return Size(res) if isinstance(item, slice) else res

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))


class Tensor:
    """A multi-dimensional array with autograd support, as ``torch.Tensor``."""

    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_grad", "_vc", "_base", "_view_fn",
                 "_out_nr", "_hooks", "_acc", "_meta", "__weakref__", "__dict__")
    __array_priority__ = 1000  # make `ndarray <op> Tensor` defer to Tensor's reflected ops

    # ------------------------------------------------------------ construction
    def __new__(cls, *args, device=None, dtype=None, requires_grad=False):
        # Legacy constructor: Tensor(2, 3) is uninitialised, Tensor([1, 2]) copies data.
        if cls is not Tensor and not args:
            return _new(cls)
        dt = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        if len(args) == 1 and isinstance(args[0], Tensor):
            return args[0].detach()
        if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Size)):
            from .ops.creation import tensor as _tensor
            return _tensor(args[0], dtype=dt, device=device)
        shape = tuple(args[0]) if len(args) == 1 and isinstance(args[0], Size) else args
        if not args:
            shape = (0,)
        data = np.empty(tuple(int(s) for s in shape), dt.numpy_dtype)
        t = Tensor._wrap(data)
        if device is not None and to_device(device).type != "cpu":
            t = t.to(device)
        return t

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _wrap(data):
        """Wrap an ndarray (no copy) as a tensor that does not require grad."""
        t = _new(Tensor)
        t._data = data
        t._requires_grad = False
        t._grad_fn = None
        t._grad = None
        # Tensors made in inference mode share the inference version counter (see
        # autograd/grad_mode.py); one plain flag read until inference_mode is first used.
        t._vc = _INFERENCE_VC if _ever.inference and _grad_state.inference else [0]
        t._base = None
        t._view_fn = None
        t._out_nr = 0
        t._hooks = None
        t._acc = None
        t._meta = None
        return t

    def _init_from(self, data, requires_grad=False):
        """Initialise an instance of a subclass (Parameter) around an array."""
        self._data = data
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._grad = None
        self._vc = _INFERENCE_VC if _ever.inference and _grad_state.inference else [0]
        self._base = None
        self._view_fn = None
        self._out_nr = 0
        self._hooks = None
        self._acc = None
        self._meta = None
        return self

    # ------------------------------------------------------------ metadata
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        if type(self._data) is np.ndarray:
            return CPU
        return array_device(self._data)

    @property
    def is_cuda(self):
        return is_cuda_array(self._data)

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = _formats.strided

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return int(self._data.size)

    nelement = numel

    def element_size(self):
        return self._data.dtype.itemsize

    @property
    def itemsize(self):
        return self._data.dtype.itemsize

    @property
    def nbytes(self):
        return int(self._data.nbytes)

    def stride(self, dim=None):
        item = self._data.dtype.itemsize
        st = tuple(s // item for s in self._data.strides)
        if self._data.size == 0 or any(s == 0 for s in self._data.shape):
            st = _contiguous_strides(self._data.shape)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def _storage_root(self):
        return array_root(self._data)

    def storage_offset(self):
        root = self._storage_root()
        if root is self._data or self._data.size == 0:
            return 0
        return int(_data_ptr(self._data) - _data_ptr(root)) // self._data.dtype.itemsize

    def data_ptr(self):
        return int(_data_ptr(self._data))

    def is_contiguous(self, memory_format=None):
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        return _formats.is_contiguous_as(self, memory_format)

    def is_floating_point(self):
        return self._data.dtype.kind == "f" or self._data.dtype == _dt._np_bfloat16

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1 if type(self._data) is np.ndarray else self.device.index

    @property
    def _version(self):
        if self._vc is _INFERENCE_VC:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._vc[0]

    # ------------------------------------------------------------ autograd attributes
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if self._grad_fn is not None and not value:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if value and self._data.dtype.kind not in "fc" and \
                self._data.dtype != _dt._np_bfloat16:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        if value and self._vc is _INFERENCE_VC and not _grad_state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad=True):
        if requires_grad and self._data.dtype.kind not in "fc" and \
                self._data.dtype != _dt._np_bfloat16:
            # PyTorch words this one differently from the attribute setter's.
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    @property
    def grad_fn(self):
        if self._base is not None:  # a view whose base changed in place gets a fresh node
            from .autograd.graph import refresh_view
            refresh_view(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self.retains_grad and _grad_state.enabled:
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"assigned grad has data of a different type")
            if value.device != self.device:
                raise RuntimeError("assigned grad has data located on a different device")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        m = self._meta
        return bool(m and m.get("retains_grad"))

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self.retains_grad:
            return
        ex = self._grad_fn._extras()
        ex.setdefault("retain", {})[self._out_nr] = weakref.ref(self)
        if self._meta is None:
            self._meta = {}
        self._meta["retains_grad"] = True

    def register_hook(self, hook):
        """Register ``hook(grad) -> grad or None`` run when this tensor's gradient is computed."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            table = self._grad_fn._extras().setdefault("tensor_hooks", {}).setdefault(
                self._out_nr, {})
            return _RemovableHandle(table, hook)
        if self._hooks is None:
            self._hooks = {}
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._meta is None:
            self._meta = {}
        return _RemovableHandle(self._meta.setdefault("post_accumulate", {}), hook)

    def _grad_accumulator(self):
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate gradients of this tensor into the leaves (see ``autograd.backward``)."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor sharing storage (and version counter) with no autograd history."""
        t = Tensor._wrap(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        t = Tensor._wrap(self._data)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    # ------------------------------------------------------------ Python protocols
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self, what):
        if self._data.size != 1:
            if what in ("int", "float", "complex"):
                raise ValueError("only one element tensors can be converted to Python scalars")
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               f"to Scalar")
        return self._data.reshape(()).item() if type(self._data) is np.ndarray else \
            self._data.reshape(()).item()

    def item(self):
        """The value of a one-element tensor as a Python number."""
        return self._scalar("item")

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._scalar("bool"))

    def __int__(self):
        return int(self._scalar("int"))

    def __float__(self):
        return float(self._scalar("float"))

    def __complex__(self):
        return complex(self._scalar("complex"))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._scalar("index"))

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def tolist(self):
        return self._host().tolist()

    def numpy(self, *, force=False):
        """The tensor's data as an ndarray sharing memory (cpu only, no grad unless force)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if type(self._data) is not np.ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return self._host()
        return self._data

    def _host(self):
        d = self._data
        return d if type(d) is np.ndarray else d.get()

    def __array__(self, dtype=None, copy=None):
        arr = self._host()
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    def __dlpack__(self, stream=None, **kwargs):
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**({} if stream is None else {"stream": stream}))

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        new._init_from(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):
            import copy
            for k, v in self.__dict__.items():
                new.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        return (_rebuild, (type(self), self._host(), self._requires_grad,
                           getattr(self, "__dict__", None) or None,
                           None if type(self._data) is np.ndarray else str(self.device)))

    def __setstate__(self, state):
        pass

    # ------------------------------------------------------------ devices and dtypes
    def to(self, *args, **kwargs):
        """``to(dtype)``, ``to(device, dtype=None)``, ``to(other)``, with ``copy=``."""
        dev = None
        dt = None
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        mf = kwargs.pop("memory_format", None)
        if "dtype" in kwargs:
            dt = kwargs.pop("dtype")
        if "device" in kwargs:
            dev = kwargs.pop("device")
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, Tensor):
                dev, dt = a.device, a.dtype
            elif isinstance(a, _dt.dtype) or a in (float, int, bool):
                dt = a
            elif isinstance(a, (str, _device_cls, int)) and not isinstance(a, bool):
                dev = a
            elif isinstance(a, bool):
                continue  # non_blocking / copy passed positionally
            elif a is not None:
                dt = _dt.to_dtype(a)
        from .ops.conversion import to_impl
        res = to_impl(self, None if dev is None else to_device(dev),
                      None if dt is None else _dt.to_dtype(dt), copy)
        return res if mf is None else _formats.apply_to(res, mf)

    def cpu(self, memory_format=None):
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _legacy_type_name(self)
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            dtype = _LEGACY_TYPES[dtype.split(".")[-1]]
        elif isinstance(dtype, type) and hasattr(dtype, "_legacy_dtype"):  # ember.IntTensor
            dtype = dtype._legacy_dtype
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(_dt.float32)

    def double(self, memory_format=None):
        return self.to(_dt.float64)

    def half(self, memory_format=None):
        return self.to(_dt.float16)

    def bfloat16(self, memory_format=None):
        return self.to(_dt.bfloat16)

    def long(self, memory_format=None):
        return self.to(_dt.int64)

    def int(self, memory_format=None):
        return self.to(_dt.int32)

    def short(self, memory_format=None):
        return self.to(_dt.int16)

    def char(self, memory_format=None):
        return self.to(_dt.int8)

    def byte(self, memory_format=None):
        return self.to(_dt.uint8)

    def bool(self, memory_format=None):
        return self.to(_dt.bool_)

    def cfloat(self):
        return self.to(_dt.complex64)

    def cdouble(self):
        return self.to(_dt.complex128)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        """Move the storage to shared memory (a no-op if it is already there); processes
        forked afterwards see the writes of each other (Hogwild)."""
        from ._shared_memory import share_
        return share_(self)

    def is_shared(self):
        from ._shared_memory import is_shared_array
        return is_shared_array(self._data)

    @property
    def xp(self):
        return xp_of(self._data)


def _rebuild(cls, arr, requires_grad, state=None, device=None):
    if cls is Tensor:
        t = Tensor._wrap(arr)
        t._requires_grad = requires_grad
    else:
        t = _new(cls)
        t._init_from(arr, requires_grad)
    if state:
        t.__dict__.update(state)
    if device is not None:
        t = t.to(device)
    return t


def array_root(a):
    """The array that owns ``a``'s memory: the end of its chain of view bases."""
    kind = type(a)
    while a.base is not None:
        base = a.base
        if not isinstance(base, kind):
            # numpy's as_strided keeps its source behind a DummyArray's ``base``
            base = getattr(base, "base", None)
            if not isinstance(base, kind):
                break
        a = base
    return a


def _data_ptr(arr):
    if type(arr) is np.ndarray:
        return arr.__array_interface__["data"][0]
    return arr.data.ptr


def _contiguous_strides(shape):
    st = []
    acc = 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _wrap_dim(dim, ndim):
    if ndim == 0:
        if dim in (0, -1):
            return 0
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-max(ndim, 1)}, {max(ndim, 1) - 1}], but got {dim})")
    return dim + ndim if dim < 0 else dim


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "bfloat16": "BFloat16Tensor", "int64": "LongTensor", "int32": "IntTensor",
                 "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
                 "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
                 "complex128": "ComplexDoubleTensor"}
_LEGACY_TYPES = {v: _dt._BY_NAME[k] for k, v in _LEGACY_NAMES.items()}


def _legacy_type_name(t):
    prefix = "torch.cuda." if t.is_cuda else "torch."
    return prefix + _LEGACY_NAMES.get(t.dtype.name, "Tensor")
