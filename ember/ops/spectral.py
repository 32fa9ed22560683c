"""Short-time Fourier transforms: ``torch.stft`` and ``torch.istft``.

Both are compositions of differentiable ops (pad, ``unfold`` framing, window product,
``ember.fft`` transforms, ``index_add`` overlap-add), so autograd and double backward come
for free and the arrays stay in the input's precision (float32 gives complex64).
"""
import warnings

import numpy as np

from ..amp import _policy as _amp
from ..tensor import Tensor
from ._util import wrap

__all__ = ["stft", "istft"]


def _on(t, like):
    """``t`` on ``like``'s device (index and window arrays are built on the host)."""
    return t if like.is_cpu else t.to(like.device)


def _signature(name, x, n_fft, hop, win, window, normalized, onesided, return_complex):
    w = "None" if window is None else \
        f"torch.{window.type().split('.')[-1]}{{{list(window.shape)}}}"
    return (f"{name}({x.type()}{list(x.shape)}, n_fft={n_fft}, hop_length={hop}, "
            f"win_length={win}, window={w}, normalized={int(bool(normalized))}, "
            f"onesided={onesided}, return_complex={int(bool(return_complex))}) : ")


def _window_frame(window, win_length, n_fft, like):
    """The window zero-padded (centred) to ``n_fft``, or None for a rectangular window."""
    if window is None:
        if win_length == n_fft:
            return None
        window = _on(wrap(np.ones(win_length, like._data.real.dtype)), like)
    left = (n_fft - win_length) // 2
    if left or n_fft - win_length - left:
        from .padding import pad
        window = pad(window, (left, n_fft - win_length - left))
    return window


@_amp.fp32_op(_amp.CPU)
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """Short-time Fourier transform of a 1-D signal or a batch of them (``(B?, L)``).

    Returns a ``(B?, N, T)`` complex tensor: ``N = n_fft // 2 + 1`` frequencies when
    one-sided (the default for real signals and windows), ``n_fft`` otherwise, and
    ``T = 1 + (L - n_fft) // hop_length`` frames (``L`` after centre padding).

    Args:
        n_fft (int): size of each Fourier transform.
        hop_length (int): distance between frames. Default: ``n_fft // 4``.
        win_length (int): window size (padded with zeros to ``n_fft``). Default: ``n_fft``.
        window (Tensor): 1-D window of ``win_length`` samples. Default: rectangular.
        center (bool): pad the signal by ``n_fft // 2`` on both sides (``pad_mode``) so
            frame ``t`` is centred at ``t * hop_length``.
        normalized (bool): multiply by ``n_fft ** -0.5``.
        onesided (bool): keep only the non-negative frequencies.
        return_complex (bool): must be given for real inputs; False returns
            ``view_as_real`` of the result.
    """
    from .. import fft as _fft
    from .complex import view_as_real
    if return_complex is None and not input.is_complex() and \
            not (window is not None and window.is_complex()):
        raise RuntimeError("stft requires the return_complex parameter be given for real "
                           "inputs, and will further require that return_complex=True in a "
                           "future PyTorch release.")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got {input.ndim}D tensor")
    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which "
                      "is known to cause spectral leakage. Other windows such as "
                      "torch.hann_window or torch.hamming_window are recommended to reduce "
                      "spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    x = input if input.ndim == 2 else input.unsqueeze(0)
    if center:
        from .padding import pad
        p = n_fft // 2
        x = pad(x.unsqueeze(0), (p, p), mode=pad_mode).squeeze(0)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    length = x.shape[-1]
    sig = _signature("stft", x if input.ndim == 2 else x.squeeze(0), n_fft, hop, win, window,
                     normalized, onesided, return_complex)
    if not 0 < n_fft <= length:
        raise RuntimeError(sig + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(sig + f"expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise RuntimeError(sig + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(sig + f"expected a 1D window tensor of size equal to "
                           f"win_length={win}, but got window with size {list(window.shape)}")
    if align_to_window:
        # Frames start where their window starts: shift the signal by the window's offset.
        from .padding import pad
        left = (n_fft - win) // 2
        x = pad(x, (left, n_fft - win - left))
    frames = x.unfold(-1, n_fft, hop)                         # (B, T, n_fft), a view
    w = _window_frame(window, win, n_fft, x)
    if w is not None:
        frames = frames * w
    complex_in = input.is_complex() or (window is not None and window.is_complex())
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise RuntimeError(sig + "Cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spec = _fft.rfft(frames, dim=-1, norm=norm) if onesided else \
        _fft.fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(-1, -2)                              # (B, N, T)
    if input.ndim == 1:
        spec = spec.squeeze(0)
    if not return_complex:
        return view_as_real(spec.resolve_conj() if hasattr(spec, "resolve_conj") else spec)
    return spec


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """Inverse of :func:`stft`: frames are inverse-transformed, windowed, overlap-added and
    divided by the summed squared window (the least-squares estimate of the signal).

    Args:
        input (Tensor): complex ``(B?, N, T)`` output of ``stft(..., return_complex=True)``.
        length (int): trim or zero-pad the result to this many samples.
        return_complex (bool): whether the signal is complex (then ``onesided`` must be
            False).
    """
    from .. import fft as _fft
    from .creation import zeros
    if not isinstance(input, Tensor) or not input.is_complex():
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"istft: expected a tensor with 2 or 3 dimensions of complex, but "
                           f"got {input.ndim}D")
    spec = input if input.ndim == 3 else input.unsqueeze(0)
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    fft_size, n_frames = spec.shape[-2], spec.shape[-1]
    if onesided is None:
        onesided = fft_size != n_fft
    if onesided:
        if n_fft // 2 + 1 != fft_size:
            raise RuntimeError(f"istft expected the frequency dimension (3rd to the last) of "
                               f"the input tensor to match n_fft / 2 + 1 when onesided=True, "
                               f"but got {fft_size}")
        if return_complex:
            raise RuntimeError("cannot have onesided output if window or input is complex")
    elif n_fft != fft_size:
        raise RuntimeError(f"istft expected the frequency dimension (3rd to the last) of the "
                           f"input tensor to match n_fft when onesided=False, but got "
                           f"{fft_size}")
    if not 0 < hop <= win:
        raise RuntimeError("istft expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError("istft expected 0 < win_length <= n_fft")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise RuntimeError(f"istft expected a 1D window tensor of size equal to win_length="
                           f"{win}, but got window with size {list(window.shape)}")
    norm = "ortho" if normalized else "backward"
    frames = spec.transpose(-1, -2)                            # (B, T, N)
    if return_complex:
        frames = _fft.ifft(frames, n=n_fft, dim=-1, norm=norm)
    else:
        # A real signal: PyTorch reads only the non-negative half of a two-sided spectrum.
        if not onesided:
            frames = frames[..., :n_fft // 2 + 1]
        frames = _fft.irfft(frames, n=n_fft, dim=-1, norm=norm)
    w = _window_frame(window, win, n_fft, frames)
    if w is None:
        w = _on(wrap(np.ones(n_fft, frames._data.real.dtype)), frames)
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    # Overlap-add: sample k of frame t lands at t * hop + k.
    pos = (np.arange(n_frames, dtype=np.int64)[:, None] * hop
           + np.arange(n_fft, dtype=np.int64)).reshape(-1)
    idx = _on(wrap(pos), frames)
    b = frames.shape[0]
    y = zeros((b, total), dtype=frames.dtype, device=frames.device).index_add(
        1, idx, frames.reshape(b, -1))
    w2 = (w * w.conj() if w.is_complex() else w * w)
    env = zeros(total, dtype=w2.dtype, device=w2.device).index_add(0, idx, w2.repeat(n_frames))
    start = n_fft // 2 if center else 0
    end = total
    if length is not None:
        end = start + length
    elif center:
        end = total - n_fft // 2
    stop = min(end, total)
    y = y[:, start:stop]
    env = env[start:stop]
    if env.numel() and float(env.abs().min()) < 1e-11:
        raise RuntimeError("istft(...) window overlap add min: "
                           f"{float(env.abs().min()):g}")
    y = y / env
    if end > total:
        from .padding import pad
        y = pad(y, (0, end - total))
    return y if input.ndim == 3 else y.squeeze(0)
