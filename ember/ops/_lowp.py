"""float16 / bfloat16 inputs of the GEMM-shaped and normalising ops.

PyTorch's CPU kernels for these dtypes accumulate in float32 and round the result once.
NumPy has no such kernels (its bfloat16 matmul even returns float32, slowly), so these ops
compute in float32 and round back: the values are PyTorch's up to the last bit.
"""
import numpy as np

from .. import dtypes as _dt

F32 = np.dtype(np.float32)
HALF = frozenset((np.dtype(np.float16),) + (() if _dt._np_bfloat16 is None else
                                            (_dt._np_bfloat16,)))


def is_half(a):
    """Whether array ``a`` holds float16 or bfloat16."""
    return a.dtype.itemsize == 2 and a.dtype in HALF


def in_float32(fn, dtype, *args, **kwargs):
    """``fn`` on args whose half tensors are upcast to float32, results cast to ``dtype``.

    The casts are graph ops, so gradients come back in each input's own dtype.
    """
    from ..tensor import Tensor
    args = [a.float() if isinstance(a, Tensor) and is_half(a._data) else a for a in args]
    out = fn(*args, **kwargs)
    if isinstance(out, Tensor):
        return out.to(dtype)
    return type(out)(o.to(dtype) if isinstance(o, Tensor) and o.is_floating_point() else o
                     for o in out)
