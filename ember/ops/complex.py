"""Complex-number views and parts: real, imag, angle, view_as_real, view_as_complex, conj_physical.

Gradients follow PyTorch's convention for a real loss L of a complex z: the gradient stored
for z is dL/dRe(z) + 1j * dL/dIm(z).
"""
import numpy as np

from ..amp import _policy as _amp
from ..autograd.graph import Node
from ..tensor import Tensor
from ._util import arr, attach, grad_needed, make_view, wrap


def _complex_dtype_of(npd):
    return np.complex64 if npd == np.float32 else np.complex128


def _require_complex(input, what):
    if input._data.dtype.kind != "c":
        raise RuntimeError(f"{what} is not implemented for tensors with non-complex dtypes.")


class RealBackward0(Node):
    __slots__ = ("_cdt",)

    def backward(self, g):
        return g.to(_cx(self._cdt))


class ImagBackward0(Node):
    __slots__ = ("_cdt",)

    def backward(self, g):
        return g.to(_cx(self._cdt)) * 1j


def _cx(npd):
    from ..dtypes import from_numpy_dtype
    return from_numpy_dtype(np.dtype(npd))


def real(input):
    """The real part of ``input`` (a view for complex tensors; ``input`` itself otherwise)."""
    d = input._data
    if d.dtype.kind != "c":
        return input
    out = make_view(input, d.real, real)
    if grad_needed(input):
        node = RealBackward0()
        node._cdt = d.dtype
        attach(out, node, (input,))
    return out


def imag(input):
    """The imaginary part of a complex ``input`` (a view)."""
    d = input._data
    if d.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    out = make_view(input, d.imag, imag)
    if grad_needed(input):
        node = ImagBackward0()
        node._cdt = d.dtype
        attach(out, node, (input,))
    return out


class AngleBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (z,) = self.saved_tensors
        if not z.is_complex():
            return g * 0
        # d angle = (Re dz_im - Im dz_re) / |z|^2  ->  gradient g * 1j * z / |z|^2
        den = z.abs().square()
        den = den + (den == 0).to(den.dtype)  # PyTorch's gradient at z == 0 is 0
        return (g / den).to(z.dtype) * z * 1j


def angle(input):
    """Elementwise argument (phase) of ``input``; real inputs give 0 or pi."""
    d = input._data
    if d.dtype.kind == "c":
        res = arr(np.angle(d)).astype(d.real.dtype, copy=False)
    elif d.dtype.kind == "f":
        res = np.where(d < 0, np.pi, 0).astype(d.dtype)
        res[np.isnan(d)] = np.nan
    else:
        from .. import dtypes as dt
        npd = dt.get_default_dtype().numpy_dtype
        res = np.where(d < 0, np.pi, 0).astype(npd)
    out = wrap(res)
    if grad_needed(input):
        node = AngleBackward0()
        node.save_for_backward(input)
        attach(out, node, (input,))
    return out


class ViewAsRealBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return view_as_complex(g.contiguous())


class ViewAsComplexBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return view_as_real(g)


def _as_real_view(d):
    return d[..., None].view(d.real.dtype)


def view_as_real(input):
    """A real view of a complex tensor with a trailing dimension of size 2 (real, imag)."""
    d = input._data
    if d.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    out = make_view(input, _as_real_view(d), view_as_real)
    if grad_needed(input):
        attach(out, ViewAsRealBackward0(), (input,))
    return out


@_amp.fp32_op(_amp.CPU)
def view_as_complex(input):
    """A complex view of a real tensor whose last dimension has size 2 and stride 1."""
    d = input._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                           f"but got a tensor of scalar type: {input.dtype}")
    if d.ndim == 0 or d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if d.strides[-1] != d.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * d.itemsize) for s in d.strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    view = d.view(_complex_dtype_of(d.dtype))[..., 0]
    out = make_view(input, view, view_as_complex)
    if grad_needed(input):
        attach(out, ViewAsComplexBackward0(), (input,))
    return out


class ConjPhysicalBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        return conj_physical(g)


def conj_physical(input):
    """The complex conjugate, materialised (real tensors are returned as a copy)."""
    d = input._data
    if d.dtype.kind != "c":
        return input.clone()
    out = wrap(arr(np.conj(d)))
    if grad_needed(input):
        attach(out, ConjPhysicalBackward0(), (input,))
    return out


def is_complex_tensor(x):
    return isinstance(x, Tensor) and x._data.dtype.kind == "c"


def conj(input):
    """The complex conjugate (materialised; PyTorch returns a lazy conjugate view)."""
    return conj_physical(input) if input._data.dtype.kind == "c" else input


def resolve_conj(input):
    return input
