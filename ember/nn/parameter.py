"""Parameter, Buffer, UninitializedParameter / UninitializedBuffer."""
import numpy as np

from ..tensor import Tensor
from .. import dtypes as _dt

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(Tensor):
    """A Tensor that a :class:`Module` registers as a parameter when assigned as an attribute.

    Args:
        data (Tensor): the parameter's value; the Parameter shares its storage.
        requires_grad (bool): whether the parameter requires gradient. Default: ``True``.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = Tensor._wrap(np.empty((0,), _dt.get_default_dtype().numpy_dtype))
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        p = object.__new__(cls)
        p._init_from(data._data, False)
        p._vc = data._vc  # shares storage, hence version counter, with ``data``
        if requires_grad:
            p.requires_grad = True  # validates the dtype as PyTorch does
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        from ..tensor import _rebuild
        return (_rebuild, (type(self), self._host(), self._requires_grad,
                           getattr(self, "__dict__", None) or None,
                           None if type(self._data) is np.ndarray else str(self.device)))


class _BufferMeta(type):
    # ``nn.Buffer(t)`` returns a plain Tensor flagged as a buffer (as PyTorch does);
    # isinstance(x, Buffer) checks that flag.
    def __instancecheck__(cls, obj):
        if cls is Buffer:
            return isinstance(obj, Tensor) and getattr(obj, "_is_buffer", False)
        return type.__instancecheck__(cls, obj)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A Tensor that a :class:`Module` registers as a buffer when assigned as an attribute.

    Args:
        data (Tensor): the buffer's value.
        persistent (bool): whether it is part of the module's ``state_dict``. Default: ``True``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor._wrap(np.empty((0,), _dt.get_default_dtype().numpy_dtype))
        t = data.detach()
        if data.requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedTensorMixin:
    """Placeholder whose shape is only known after the first forward (lazy modules)."""

    _allowed = ("materialize", "is_materialized", "cls_to_become", "requires_grad",
                "__class__", "__repr__", "__reduce_ex__", "__deepcopy__", "share_memory_",
                "_init_from", "data", "device", "dtype")

    def materialize(self, shape, device=None, dtype=None):
        """Give the placeholder storage of ``shape`` and turn it into ``cls_to_become``."""
        if device is None:
            device = self._pending[0]
        if dtype is None:
            dtype = self._pending[1]
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        from ..ops.creation import empty
        data = empty(shape, device=device, dtype=dtype)._data
        self._data = data
        self.__class__ = self.cls_to_become

    def is_materialized(self):
        return False

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. "
                           "This error usually happens in `load_state_dict` when trying to "
                           "load an uninitialized parameter into an initialized one. Call "
                           "`forward` to initialize the parameters before accessing their "
                           "attributes.")

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A :class:`Parameter` of not yet known shape (see ``LazyLinear``)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        p = object.__new__(cls)
        p._init_from(np.empty((0,), d.numpy_dtype), requires_grad)
        p._pending = (device, d)
        return p

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        return type(self)(self._requires_grad, self._pending[0], self._pending[1])


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer of not yet known shape."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        d = _dt.to_dtype(dtype) if dtype is not None else _dt.get_default_dtype()
        t = object.__new__(cls)
        t._init_from(np.empty((0,), d.numpy_dtype), requires_grad)
        t._pending = (device, d)
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass


def is_lazy(param):
    return isinstance(param, UninitializedTensorMixin)
