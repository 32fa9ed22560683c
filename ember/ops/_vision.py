"""Argument helpers shared by the vision ops (conv, pooling, resampling)."""
import numbers

import numpy as np


def ntuple(v, n, name="argument"):
    """An int or a sequence -> a tuple of n ints (a 1-sequence is repeated, as PyTorch)."""
    if isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, bool):
        return (int(v),) * n
    if isinstance(v, (tuple, list)):
        vals = tuple(int(x) for x in v)
        if len(vals) == 1:
            return vals * n
        if len(vals) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} "
                               f"values to match the convolution dimensions, but got "
                               f"{name}={list(vals)}")
        return vals
    if hasattr(v, "tolist"):
        return ntuple(v.tolist(), n, name)
    raise TypeError(f"{name} must be an int or a tuple of ints, not {type(v).__name__}")


def batchify(x, nd):
    """Add a batch dim to an unbatched (C, *spatial) input; returns (x, was_unbatched)."""
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


def check_float_like(x):
    if x.dtype.name == "bool":
        raise RuntimeError(f"\"conv\" not implemented for 'Bool'")
