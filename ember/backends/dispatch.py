"""Which array module serves an array or a device. CuPy is imported on first `cuda` use."""
import numpy as np

from ..device import CPU, device

_cupy = [None]
_cupy_error = [None]   # why CuPy cannot be used, once probed


def cupy():
    """The CuPy module; a clear RuntimeError when CUDA cannot be used here."""
    if _cupy[0] is None:
        if _cupy_error[0] is not None:  # probed before: a failed import costs ~90 us a time
            raise RuntimeError(_cupy_error[0])
        try:
            import cupy as cp
            cp.cuda.runtime.getDeviceCount()
        except Exception as exc:  # ImportError, or CUDA driver errors
            _cupy_error[0] = (
                "Torch not compiled with CUDA enabled: ember's cuda device needs CuPy and an "
                f"NVIDIA GPU (pip install 'ember[cuda]'); {type(exc).__name__}: {exc}")
            raise RuntimeError(_cupy_error[0]) from None
        _cupy[0] = cp
    return _cupy[0]


def is_cuda_array(arr):
    return type(arr) is not np.ndarray and _cupy[0] is not None and \
        isinstance(arr, _cupy[0].ndarray)


def xp_of(arr):
    """The array module of ``arr``: numpy for host arrays, cupy for device arrays."""
    if type(arr) is np.ndarray:
        return np
    if _cupy[0] is not None and isinstance(arr, _cupy[0].ndarray):
        return _cupy[0]
    return np


def xp_for_device(dev):
    if dev.type == "cpu":
        return np
    if dev.type == "cuda":
        return cupy()
    raise RuntimeError(f"no array backend for device {dev}")


def array_device(arr):
    if type(arr) is np.ndarray:
        return CPU
    return device("cuda", int(arr.device.id))
