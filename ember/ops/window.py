"""Window functions: ``torch.hann_window``, ``hamming_window``, ``blackman_window``,
``bartlett_window``, ``kaiser_window``.

Values are computed in float64 once and cast to the requested dtype (windows are built once
and reused, so the extra precision costs nothing in a training loop).
"""
import numpy as np

from .. import dtypes as dt
from ._util import wrap

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def _make(name, window_length, periodic, dtype, device, requires_grad, fn):
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got "
                           f"window_length={window_length}")
    dtype = dt.get_default_dtype() if dtype is None else dt.to_dtype(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length <= 1:
        w = np.ones(window_length, np.float64)
    else:
        # A periodic window is the symmetric window one sample longer, minus its last sample.
        n = window_length + 1 if periodic else window_length
        w = fn(np.arange(n, dtype=np.float64), n)[:window_length]
    t = wrap(w.astype(dtype.numpy_dtype))
    if device is not None:
        t = t.to(device)
    if requires_grad:
        t.requires_grad_()
    return t


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False, pin_memory=False):
    """Hann window: ``0.5 - 0.5 cos(2 pi n / (N - 1))``.

    Args:
        window_length (int): the size of the returned window.
        periodic (bool): if True, return a window for spectral analysis (the symmetric
            window of length ``window_length + 1`` without its last sample).
    """
    return _make("hann_window", window_length, periodic, dtype, device, requires_grad,
                 lambda n, N: 0.5 - 0.5 * np.cos(2 * np.pi * n / (N - 1)))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False, pin_memory=False):
    """Hamming window: ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _make("hamming_window", window_length, periodic, dtype, device, requires_grad,
                 lambda n, N: alpha - beta * np.cos(2 * np.pi * n / (N - 1)))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    """Blackman window: ``0.42 - 0.5 cos(2 pi n / (N-1)) + 0.08 cos(4 pi n / (N-1))``."""
    return _make("blackman_window", window_length, periodic, dtype, device, requires_grad,
                 lambda n, N: 0.42 - 0.5 * np.cos(2 * np.pi * n / (N - 1))
                 + 0.08 * np.cos(4 * np.pi * n / (N - 1)))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False, pin_memory=False):
    """Bartlett (triangular) window: ``1 - |2n / (N - 1) - 1|``."""
    return _make("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                 lambda n, N: 1.0 - np.abs(2.0 * n / (N - 1) - 1.0))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False, pin_memory=False):
    """Kaiser window: ``I0(beta sqrt(1 - ((n - N/2) / (N/2))^2)) / I0(beta)``, N the
    window length minus one."""
    def fn(n, N):
        half = (N - 1) / 2.0
        r = np.clip(1.0 - ((n - half) / half) ** 2, 0.0, None)
        return np.i0(beta * np.sqrt(r)) / np.i0(beta)
    return _make("kaiser_window", window_length, periodic, dtype, device, requires_grad, fn)
