"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_."""
import math
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _params(parameters):
    # materialise once: callers pass generators such as ``model.parameters()``
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _grads(parameters):
    return [p.grad for p in _params(parameters) if p.grad is not None]


def _norm_arr(d, norm_type):
    if norm_type == 2.0:
        flat = d.reshape(-1)
        return np.sqrt(np.dot(flat, flat)) if d.dtype.kind == "f" else np.linalg.norm(flat)
    if math.isinf(norm_type):
        return np.abs(d).max() if norm_type > 0 else np.abs(d).min()
    if norm_type == 1.0:
        return np.abs(d).sum()
    if norm_type == 0:
        return np.asarray((d != 0).sum(), dtype=d.dtype)
    return (np.abs(d) ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors`` (as if all were concatenated)."""
    from ...ops.creation import tensor as _tensor
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = [t for t in tensors if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return _tensor(0.0)
    norms = np.array([_norm_arr(t._data, norm_type) for t in tensors], dtype=np.float64)
    total = _norm_arr(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return _tensor(float(total), dtype=tensors[0].dtype, device=tensors[0].device)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale gradients by ``max_norm / (total_norm + 1e-6)`` clamped to at most 1."""
    grads = _grads(parameters)
    if not grads:
        return
    coef = min(float(max_norm) / (float(total_norm) + 1e-6), 1.0)
    with no_grad():
        for g in grads:
            g._data *= g._data.dtype.type(coef) if g._data.dtype.kind == "f" else coef
            g._vc[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """Clip the gradient norm of an iterable of parameters in place.

    The norm is computed over all gradients together, as if concatenated.

    Args:
        max_norm (float): max norm of the gradients.
        norm_type (float): p of the p-norm (``inf`` for the max norm). Default: 2.
        error_if_nonfinite (bool): raise if the total norm is nan/inf. Default: False.
        foreach (bool): accepted for compatibility (ember always uses one fused loop).

    Returns:
        Total norm of the gradients (viewed as a single vector).
    """
    parameters = _params(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to ``[-clip_value, clip_value]`` in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._vc[0] += 1
