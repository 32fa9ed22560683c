"""``torch.utils.dlpack``: zero-copy exchange with other array libraries through DLPack."""
import enum

import numpy as np

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """DLPack's device codes."""
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


class _Capsule:
    """Presents a bare DLPack capsule through the ``__dlpack__`` protocol."""

    def __init__(self, capsule, device):
        self._capsule = capsule
        self._device = device

    def __dlpack__(self, **kwargs):
        return self._capsule

    def __dlpack_device__(self):
        return self._device


def to_dlpack(tensor):
    """A DLPack capsule sharing ``tensor``'s memory (consumable once)."""
    return tensor.__dlpack__()


def from_dlpack(ext_tensor):
    """A tensor sharing memory with ``ext_tensor``: any object with ``__dlpack__`` (NumPy and
    CuPy arrays, PyTorch tensors ...) or a DLPack capsule.

    Example::

        >>> t = torch.from_dlpack(np.arange(3.0))
    """
    from ..tensor import Tensor
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if hasattr(ext_tensor, "__dlpack__"):
        dev_type = int(ext_tensor.__dlpack_device__()[0])
        if dev_type in (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged):
            from ..backends.dispatch import cupy
            return Tensor._wrap(cupy().from_dlpack(ext_tensor))
        arr = np.from_dlpack(ext_tensor)
    else:
        if type(ext_tensor).__name__ != "PyCapsule":
            raise TypeError(f"from_dlpack(): expected an object with __dlpack__ or a DLPack "
                            f"capsule, got {type(ext_tensor).__name__}")
        try:
            arr = np.from_dlpack(_Capsule(ext_tensor, (int(DLDeviceType.kDLCPU), 0)))
        except (BufferError, RuntimeError, ValueError):
            from ..backends.dispatch import cupy
            return Tensor._wrap(cupy().from_dlpack(
                _Capsule(ext_tensor, (int(DLDeviceType.kDLCUDA), 0))))
    if not arr.flags.writeable:
        # NumPy marks arrays from unversioned capsules read-only; PyTorch shares them
        # writable, so view the same memory writable (the holder keeps the import alive).
        arr = np.asarray(_Writable(arr))
    return Tensor._wrap(arr)


class _Writable:
    def __init__(self, arr):
        self._keep = arr
        iface = dict(arr.__array_interface__)
        iface["data"] = (iface["data"][0], False)
        self.__array_interface__ = iface
