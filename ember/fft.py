"""``torch.fft``: discrete Fourier transforms, with autograd.

Every transform is built from four differentiable primitives: resize (zero-pad or trim the
signal to ``n``/``s``), real-to-complex promotion, complex-to-complex (``_c2c``), real-to-
complex one-sided (``_r2c``) and complex-to-real (``_c2r``) transforms. The adjoint of a
transform with norm ``N`` is the opposite-direction transform with the dual norm (``backward``
and ``forward`` swap, ``ortho`` stays), which is what each backward computes, with Tensor ops
so double backward works. Arrays go through ``xp.fft`` (NumPy or CuPy) in the input's
precision: float32 gives complex64, as in PyTorch.
"""
import numpy as np

from . import dtypes as dt
from .amp import _policy as _amp
from .autograd.graph import Node
from .ops._util import arr, attach, grad_needed, wrap, wrap_dim
from .ops.complex import conj_physical, real
from .tensor import Tensor

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


# ---------------------------------------------------------------- argument handling
def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _check_tensor(input, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    d = input._data
    if d.dtype == np.float16 or d.dtype == dt.bfloat16.numpy_dtype:
        raise RuntimeError(f"Unsupported dtype {dt.type_word(d.dtype)}")


def _float_input(input):
    """Integer/bool inputs are promoted to the default float dtype, as PyTorch does."""
    if input._data.dtype.kind in "biu":
        return input.to(dt.get_default_dtype())
    return input


def _check_n(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _dims_and_sizes(input, s, dim, fname):
    """PyTorch's canonical (dims, sizes) for the n-dimensional transforms (s may hold -1)."""
    nd = input._data.ndim
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(wrap_dim(d, nd) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif s is not None:
        if len(s) > nd:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {nd} "
                               "dimensions.")
        dims = tuple(range(nd - len(s), nd))
    else:
        dims = tuple(range(nd))
    if s is None:
        sizes = [input._data.shape[d] for d in dims]
    else:
        sizes = [input._data.shape[d] if n == -1 else int(n) for d, n in zip(dims, s)]
    for n in sizes:
        _check_n(n)
    return dims, sizes


def _one_dim(input, n, dim):
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, input._data.ndim)
    if n is None:
        n = input._data.shape[d]
    _check_n(n)
    return (d,), [n]


def _out(res, out):
    if out is None:
        return res
    from .ops.conversion import copy_into_out
    return copy_into_out(out, res)


# ---------------------------------------------------------------- differentiable primitives
class _ResizeBackward(Node):
    __slots__ = ("_dims", "_sizes")

    def backward(self, g):
        return _resize(g, self._dims, self._sizes)


def _resize(x, dims, sizes):
    """Trim or zero-pad ``x`` along ``dims`` to ``sizes`` (PyTorch's handling of n / s)."""
    d = x._data
    if all(d.shape[a] == n for a, n in zip(dims, sizes)):
        return x
    xp = x.xp
    trim = [slice(None)] * d.ndim
    pad = [(0, 0)] * d.ndim
    for a, n in zip(dims, sizes):
        if n < d.shape[a]:
            trim[a] = slice(0, n)
        else:
            pad[a] = (0, n - d.shape[a])
    res = xp.pad(d[tuple(trim)], pad)
    out = wrap(res)
    if grad_needed(x):
        node = _ResizeBackward()
        node._dims = dims
        node._sizes = [d.shape[a] for a in dims]
        attach(out, node, (x,))
    return out


class _ToComplexBackward(Node):
    __slots__ = ()

    def backward(self, g):
        return real(g) if g.is_complex() else g


def _to_complex(x):
    d = x._data
    if d.dtype.kind == "c":
        return x
    out = wrap(d.astype(np.complex64 if d.dtype == np.float32 else np.complex128))
    if grad_needed(x):
        attach(out, _ToComplexBackward(), (x,))
    return out


class _C2CBackward(Node):
    __slots__ = ("_dims", "_norm", "_forward")

    def backward(self, g):
        return _c2c(_to_complex(g), self._dims, _DUAL[self._norm], not self._forward)


def _c2c(x, dims, norm, forward):
    d = x._data
    fn = x.xp.fft.fftn if forward else x.xp.fft.ifftn
    res = arr(fn(d, axes=dims, norm=norm)).astype(d.dtype, copy=False)
    out = wrap(res)
    if grad_needed(x):
        node = _C2CBackward()
        node._dims, node._norm, node._forward = dims, norm, forward
        attach(out, node, (x,))
    return out


class _R2CBackward(Node):
    __slots__ = ("_dims", "_norm", "_n")

    def backward(self, g):
        # Adjoint of "full transform, then keep the first n//2+1 bins": zero-fill the dropped
        # bins, apply the adjoint full transform, keep the real part.
        g = _resize(_to_complex(g), self._dims[-1:], [self._n])
        return real(_c2c(g, self._dims, _DUAL[self._norm], False))


def _r2c(x, dims, norm):
    d = x._data
    res = arr(x.xp.fft.rfftn(d, axes=dims, norm=norm))
    res = res.astype(np.complex64 if d.dtype == np.float32 else np.complex128, copy=False)
    out = wrap(res)
    if grad_needed(x):
        node = _R2CBackward()
        node._dims, node._norm, node._n = dims, norm, d.shape[dims[-1]]
        attach(out, node, (x,))
    return out


class _C2RBackward(Node):
    __slots__ = ("_dims", "_norm", "_m")

    def backward(self, g):
        # PyTorch's rule: a one-sided r2c of the gradient, with the bins whose mirror image
        # lies outside the one-sided range counted twice.
        gi = _r2c(g, self._dims, _DUAL[self._norm])
        n = g._data.shape[self._dims[-1]]
        double = n - self._m
        if double > 0:
            w = np.ones(self._m, dtype=gi._data.real.dtype)
            w[1:1 + double] = 2
            shape = [1] * gi._data.ndim
            shape[self._dims[-1]] = self._m
            gi = gi * wrap(gi.xp.asarray(w.reshape(shape)))
        return gi


def _c2r(x, dims, norm, n_last):
    d = x._data
    sizes = [d.shape[a] for a in dims[:-1]] + [n_last]
    res = arr(x.xp.fft.irfftn(d, s=sizes, axes=dims, norm=norm))
    res = res.astype(np.float32 if d.dtype == np.complex64 else np.float64, copy=False)
    out = wrap(res)
    if grad_needed(x):
        node = _C2RBackward()
        node._dims, node._norm, node._m = dims, norm, d.shape[dims[-1]]
        attach(out, node, (x,))
    return out


# ---------------------------------------------------------------- transform families
def _complex_transform(input, dims, sizes, norm, forward):
    x = _resize(_to_complex(_float_input(input)), dims, sizes)
    return _c2c(x, dims, norm, forward)


def _real_to_half(input, dims, sizes, norm, fname):
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{fname} expects a real input tensor, but got "
                           f"{dt.type_word(input._data.dtype)}")
    x = _resize(_float_input(input), dims, sizes)
    return _r2c(x, dims, norm)


def _half_to_real(input, dims, sizes, norm, last_given):
    """c2r: ``sizes[-1]`` is the output length (default 2 * (m - 1))."""
    x = _to_complex(_float_input(input))
    last = dims[-1]
    n_last = sizes[-1] if last_given else 2 * (x._data.shape[last] - 1)
    _check_n(n_last)
    sizes = list(sizes[:-1]) + [n_last // 2 + 1]
    x = _resize(x, dims, sizes)
    return _c2r(x, dims, norm, n_last)


# ---------------------------------------------------------------- 1-D
@_amp.fp32_op(_amp.CPU)
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional discrete Fourier transform of ``input``.

    Args:
        input (Tensor): the input tensor (real inputs are promoted to complex).
        n (int, optional): signal length; the input is zero-padded or trimmed to it.
        dim (int, optional): the dimension along which to transform. Default: -1.
        norm (str, optional): ``"backward"`` (no scaling, default), ``"forward"`` (1/n) or
            ``"ortho"`` (1/sqrt(n)).

    Example::

        >>> torch.fft.fft(torch.arange(4.))
        tensor([ 6.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    _check_tensor(input, "fft_fft")
    dims, sizes = _one_dim(input, n, dim)
    return _out(_complex_transform(input, dims, sizes, _norm(norm), True), out)


@_amp.fp32_op(_amp.CPU)
def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional inverse discrete Fourier transform (see :func:`fft`)."""
    _check_tensor(input, "fft_ifft")
    dims, sizes = _one_dim(input, n, dim)
    return _out(_complex_transform(input, dims, sizes, _norm(norm), False), out)


@_amp.fp32_op(_amp.CPU)
def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a real signal: the ``n // 2 + 1`` non-negative frequency bins."""
    _check_tensor(input, "fft_rfft")
    dims, sizes = _one_dim(input, n, dim)
    return _out(_real_to_half(input, dims, sizes, _norm(norm), "rfft"), out)


@_amp.fp32_op(_amp.CPU)
def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of :func:`rfft`: a real signal of length ``n`` (default ``2 * (m - 1)``)."""
    _check_tensor(input, "fft_irfft")
    dims, sizes = _one_dim(input, 1 if n is None else n, dim)
    return _out(_half_to_real(input, dims, sizes, _norm(norm), n is not None), out)


@_amp.fp32_op(_amp.CPU)
def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """FFT of a Hermitian-symmetric signal given by its first half; the result is real."""
    _check_tensor(input, "fft_hfft")
    dims, sizes = _one_dim(input, 1 if n is None else n, dim)
    x = conj_physical(_to_complex(_float_input(input)))
    return _out(_half_to_real(x, dims, sizes, _DUAL[_norm(norm)], n is not None), out)


@_amp.fp32_op(_amp.CPU)
def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of :func:`hfft`: the one-sided inverse FFT of a real signal."""
    _check_tensor(input, "fft_ihfft")
    if input._data.dtype.kind == "c":
        raise RuntimeError("ihfft expects a real input tensor, but got "
                           f"{dt.type_word(input._data.dtype)}")
    dims, sizes = _one_dim(input, n, dim)
    return _out(conj_physical(_real_to_half(input, dims, sizes, _DUAL[_norm(norm)], "ihfft")),
                out)


# ---------------------------------------------------------------- n-D
@_amp.fp32_op(_amp.CPU)
def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional FFT over ``dim`` (all dims by default), signal sizes ``s``."""
    _check_tensor(input, "fft_fftn")
    dims, sizes = _dims_and_sizes(input, s, dim, "fftn")
    if not dims:
        return _out(_to_complex(_float_input(input)).clone(), out)
    return _out(_complex_transform(input, dims, sizes, _norm(norm), True), out)


@_amp.fp32_op(_amp.CPU)
def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional inverse FFT (see :func:`fftn`)."""
    _check_tensor(input, "fft_ifftn")
    dims, sizes = _dims_and_sizes(input, s, dim, "ifftn")
    if not dims:
        return _out(_to_complex(_float_input(input)).clone(), out)
    return _out(_complex_transform(input, dims, sizes, _norm(norm), False), out)


@_amp.fp32_op(_amp.CPU)
def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional FFT of a real signal; the last transformed dim is one-sided."""
    _check_tensor(input, "fft_rfftn")
    dims, sizes = _dims_and_sizes(input, s, dim, "rfftn")
    _need_dims(dims, "rfftn")
    return _out(_real_to_half(input, dims, sizes, _norm(norm), "rfftn"), out)


@_amp.fp32_op(_amp.CPU)
def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of :func:`rfftn`; ``s[-1]`` is the real output length of the last dim."""
    _check_tensor(input, "fft_irfftn")
    dims, sizes = _dims_and_sizes(input, s, dim, "irfftn") if s is None else \
        _dims_and_sizes(input, [1 if n == -1 else n for n in s], dim, "irfftn")
    _need_dims(dims, "irfftn")
    if s is not None:  # -1 entries mean the input's size (the last: the default length)
        sizes = [input._data.shape[a] if n == -1 else n for a, n in zip(dims, s)]
    last_given = s is not None and s[-1] != -1
    return _out(_half_to_real(input, dims, sizes, _norm(norm), last_given), out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional FFT of a Hermitian-symmetric signal (real result)."""
    _check_tensor(input, "fft_hfftn")
    x = conj_physical(_to_complex(_float_input(input)))
    return irfftn(x, s, dim, _DUAL[_norm(norm)], out=out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of :func:`hfftn` for a real signal (one-sided in the last dim)."""
    _check_tensor(input, "fft_ihfftn")
    if input._data.dtype.kind == "c":
        raise RuntimeError("ihfftn expects a real-valued input tensor, but got "
                           f"{dt.type_word(input._data.dtype)}")
    return _out(conj_physical(rfftn(input, s, dim, _DUAL[_norm(norm)])), out)


def _need_dims(dims, fname):
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")


def _two(fn):
    def f(input, s=None, dim=(-2, -1), norm=None, *, out=None):
        return fn(input, s, dim, norm, out=out)
    f.__name__ = fn.__name__[:-1] + "2"
    f.__doc__ = f"Two-dimensional :func:`{fn.__name__}` over ``dim`` (default the last two)."
    return f


fft2 = _two(fftn)
ifft2 = _two(ifftn)
rfft2 = _two(rfftn)
irfft2 = _two(irfftn)
hfft2 = _two(hfftn)
ihfft2 = _two(ihfftn)


# ---------------------------------------------------------------- helpers
def _freq(values, dtype, device, requires_grad, out):
    from .ops.creation import _finish
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    res = _finish(values.astype(d.numpy_dtype), device, requires_grad)
    return _out(res, out)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies of a length-``n`` FFT with sample spacing ``d``."""
    pos = np.arange(n, dtype=np.float64)
    pos[(n + 1) // 2:] -= n  # negative frequencies after the positive ones
    return _freq(pos / (n * d), dtype, device, requires_grad, out)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Sample frequencies of a length-``n`` :func:`rfft` (``n // 2 + 1`` of them)."""
    return _freq(np.arange(n // 2 + 1, dtype=np.float64) / (n * d), dtype, device,
                 requires_grad, out)


def _shift(input, dim, sign):
    nd = input._data.ndim
    if dim is None:
        dims = tuple(range(nd))
    else:
        dims = tuple(wrap_dim(a, nd) for a in ((dim,) if isinstance(dim, int) else dim))
    if not dims:
        return input.clone()
    shape = input._data.shape
    shifts = tuple(shape[a] // 2 if sign > 0 else (shape[a] + 1) // 2 for a in dims)
    return input.roll(shifts, dims)


def fftshift(input, dim=None):
    """Move the zero-frequency bin to the centre (a roll by ``n // 2`` along ``dim``)."""
    return _shift(input, dim, 1)


def ifftshift(input, dim=None):
    """Inverse of :func:`fftshift`."""
    return _shift(input, dim, -1)
