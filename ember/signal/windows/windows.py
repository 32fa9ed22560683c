"""Window functions of ``torch.signal.windows``.

Each window is computed once in float64 with NumPy and cast to the requested dtype (float32
or float64, as PyTorch allows); the float32 results agree with PyTorch's to about 1 ulp.
With ``requires_grad=True`` the window is a leaf tensor (PyTorch's is the output of the ops
that built it).
"""
import math
from collections.abc import Iterable

import numpy as np

from ... import dtypes as _dt
from ...tensor import Tensor

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine",
           "general_hamming", "hamming", "hann", "kaiser", "nuttall"]


def _check(name, M, dtype, layout):
    """PyTorch's argument checks; returns the dtype to use."""
    from ... import strided
    dtype = _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    if dtype not in (_dt.float32, _dt.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return dtype


def _out(values, dtype, device, requires_grad):
    t = Tensor._wrap(np.ascontiguousarray(values, dtype=dtype.numpy_dtype))
    if device is not None:
        t = t.to(device)
    if requires_grad:
        t.requires_grad_()
    return t


def _ramp(start, step, M):
    """``linspace(start, start + (M - 1) * step, M)`` in float64."""
    return start + step * np.arange(M, dtype=np.float64)


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=None, device=None,
                requires_grad=False):
    """Exponential (Poisson) window: ``w[n] = exp(-|n - c| / tau)``.

    Args:
        M (int): window length.
        center (float, optional): where the window peaks; only for ``sym=False``
            (default: the middle).
        tau (float): decay; larger is flatter. Must be positive.
        sym (bool): symmetric (True) or periodic (False) window.
        dtype, layout, device, requires_grad: as for factory functions.
    """
    dtype = _check("exponential", M, dtype, layout)
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    k = _ramp(-center / tau, 1.0 / tau, M)
    return _out(np.exp(-np.abs(k)), dtype, device, requires_grad)


def cosine(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Cosine (sine) window: ``w[n] = sin(pi (n + 0.5) / M)``."""
    dtype = _check("cosine", M, dtype, layout)
    step = math.pi / (M + 1 if not sym and M > 1 else M) if M else 0.0
    return _out(np.sin(_ramp(0.5 * step, step, M)), dtype, device, requires_grad)


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=None, device=None,
             requires_grad=False):
    """Gaussian window: ``w[n] = exp(-(n - (M-1)/2)^2 / (2 std^2))``.

    Args:
        std (float): the standard deviation, in samples. Must be positive.
    """
    dtype = _check("gaussian", M, dtype, layout)
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    start = -(M if not sym and M > 1 else M - 1) / 2.0
    c = 1.0 / (std * math.sqrt(2))
    k = _ramp(start * c, c, M)
    return _out(np.exp(-k * k), dtype, device, requires_grad)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Kaiser window: ``w[n] = I0(beta sqrt(1 - (2n/(M-1) - 1)^2)) / I0(beta)``.

    Args:
        beta (float): shape; 0 gives a rectangular window. Must be non-negative.
    """
    dtype = _check("kaiser", M, dtype, layout)
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")
    if M <= 1:
        return _out(np.ones(M), dtype, device, requires_grad)
    k = _ramp(-beta, 2.0 * beta / (M if not sym else M - 1), M)
    np.minimum(k, beta, out=k)
    r = np.sqrt(np.clip(beta * beta - k * k, 0.0, None))
    return _out(np.i0(r) / np.i0(beta), dtype, device, requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Bartlett (triangular) window: ``w[n] = 1 - |2n/(M-1) - 1|``."""
    dtype = _check("bartlett", M, dtype, layout)
    if M <= 1:
        return _out(np.ones(M), dtype, device, requires_grad)
    k = _ramp(-1.0, 2.0 / (M if not sym else M - 1), M)
    return _out(1.0 - np.abs(k), dtype, device, requires_grad)


def general_cosine(M, *, a, sym=True, dtype=None, layout=None, device=None,
                   requires_grad=False):
    """Generalised cosine window: ``w[n] = sum_i (-1)^i a[i] cos(2 pi i n / (M-1))``.

    Args:
        a (list or tuple of float): the coefficients.
    """
    dtype = _check("general_cosine", M, dtype, layout)
    if M <= 1:
        return _out(np.ones(M), dtype, device, requires_grad)
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    a = list(a)
    if not a:
        raise ValueError("Coefficients cannot be empty")
    k = _ramp(0.0, 2 * math.pi / (M if not sym else M - 1), M)
    coef = np.array([(-1) ** i * w for i, w in enumerate(a)], np.float64)
    w = coef @ np.cos(np.arange(len(a), dtype=np.float64)[:, None] * k)
    return _out(w, dtype, device, requires_grad)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """Generalised Hamming window: ``w[n] = alpha - (1 - alpha) cos(2 pi n / (M-1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Hamming window: :func:`general_hamming` with ``alpha = 0.54``."""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Hann window: :func:`general_hamming` with ``alpha = 0.5``."""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Blackman window: coefficients ``[0.42, 0.5, 0.08]``."""
    dtype = _check("blackman", M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=None, device=None, requires_grad=False):
    """Nuttall window (minimum 4-term Blackman-Harris)."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym,
                          dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)
