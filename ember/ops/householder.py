"""Householder (LAPACK-style) QR pieces: ``torch.geqrf``, ``torch.linalg.householder_product``
(``torch.orgqr``) and ``torch.ormqr``.

``geqrf`` asks NumPy's LAPACK for the raw factorization (not differentiable, as in PyTorch).
The product of reflectors is built from differentiable Tensor ops: one rank-1 update per
reflector (a loop over the ``k`` reflectors, each step a pair of matrix products), so gradients
for both the reflectors and ``tau`` come from the ops themselves.
"""
import numpy as np

from ..amp import _policy as _amp
from ..autograd.graph import Node
from ..return_types import named
from ._util import grad_needed, wrap
from .decomposition import _dtype_word


def _check_pair(input, tau, name):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if tau.ndim != input.ndim - 1:
        raise RuntimeError(f"{name}: input.dim() - tau.dim() must be equal to 1 but got "
                           f"{input.ndim - tau.ndim}")
    if tau.shape[-1] > input.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           f"tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(input.shape[:-2]):
        raise RuntimeError(f"{name}: Expected batch dimensions of tau to be equal to "
                           f"input.shape[:-2], but got {list(tau.shape[:-1])}")
    if tau.dtype != input.dtype:
        raise RuntimeError(f"{name}: tau dtype {_dtype_word(tau._data.dtype)} does not match "
                           f"input dtype {_dtype_word(input._data.dtype)}")
    k = input._data.dtype
    if k.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype_word(k)}")


def _reflectors_apply(V, tau, X):
    """``H_1 H_2 ... H_k X`` with ``H_i = I - tau_i v_i v_i^H``, ``v_i = V[..., :, i]``."""
    for i in reversed(range(tau.shape[-1])):
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        X = X - (t * v).matmul(v.mH.matmul(X))
    return X


def _unit_lower(input):
    """The reflectors' vectors: ``input``'s strict lower part with a unit diagonal."""
    from .creation import eye
    m, n = input.shape[-2:]
    return input.tril(-1) + eye(m, n, dtype=input.dtype, device=input.device)


@_amp.fp32_op(_amp.CPU)
def householder_product(A, tau, *, out=None):
    """The first ``n`` columns of ``H_1 ... H_k`` for the Householder reflectors stored below
    the diagonal of ``A`` (``m x n``, ``m >= n >= k``) with scales ``tau``.

    Example::

        >>> A, tau = torch.geqrf(torch.randn(4, 3))
        >>> Q = torch.linalg.householder_product(A, tau)
    """
    name = "torch.linalg.householder_product"
    if A.ndim >= 2 and A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           f"input.shape[-1]")
    _check_pair(A, tau, name)
    from .creation import eye
    m, n = A.shape[-2:]
    X = eye(m, n, dtype=A.dtype, device=A.device).expand(tuple(A.shape))
    res = _reflectors_apply(_unit_lower(A), tau, X)
    if not res.requires_grad:
        res = res.contiguous()
    return res if out is None else out.copy_(res)


orgqr = householder_product


@_amp.fp32_op(_amp.CPU)
def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """Multiply ``other`` by the ``Q`` of a :func:`geqrf` factorization without forming it
    explicitly in PyTorch (here: formed, then multiplied): ``op(Q) @ other`` when ``left``,
    ``other @ op(Q)`` otherwise, with ``op`` the conjugate transpose when ``transpose``."""
    name = "torch.ormqr"
    if other.ndim < 2:
        raise RuntimeError(f"{name}: other must have at least 2 dimensions.")
    _check_pair(input, tau, name)
    if other.dtype != input.dtype:
        raise RuntimeError(f"{name}: Expected input and other to have the same dtype, but input "
                           f"has dtype{_dtype_word(input._data.dtype)} and other has dtype "
                           f"{_dtype_word(other._data.dtype)}")
    mn = input.shape[-2]
    if left and other.shape[-2] != mn:
        raise RuntimeError(f"{name}: other.shape[-2] must be equal to input.shape[-2]")
    if not left and other.shape[-1] != mn:
        raise RuntimeError(f"{name}: other.shape[-1] must be equal to input.shape[-2]")
    side = other.shape[-2] if left else other.shape[-1]
    if tau.shape[-1] != min(side, input.shape[-1]):
        raise RuntimeError(f"{name}: tau.shape[-1] must be equal to min(other.shape"
                           f"[{-2 if left else -1}], input.shape[-1])")
    from .creation import eye
    k = tau.shape[-1]
    V = _unit_lower(input[..., :, :min(k, mn)])
    eye_full = eye(mn, dtype=input.dtype, device=input.device).expand(
        tuple(input.shape[:-2]) + (mn, mn))
    Q = _reflectors_apply(V, tau, eye_full)
    Q = Q.mH if transpose else Q
    res = Q.matmul(other) if left else other.matmul(Q)
    return res if out is None else out.copy_(res)


class GeqrfBackward0(Node):
    __slots__ = ()
    _n_out = 2

    def backward(self, *grads):
        raise RuntimeError("derivative for aten::geqrf is not implemented")


@_amp.fp32_op(_amp.CPU)
def geqrf(input, *, out=None):
    """LAPACK's ``geqrf``: ``(a, tau)`` with ``R`` on and above the diagonal of ``a`` and the
    Householder vectors below it (see :func:`torch.linalg.householder_product`)."""
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    k = input._data.dtype
    if k.kind not in "fc":
        raise NotImplementedError(f"\"geqrf_cpu\" not implemented for '{_dtype_word(k)}'")
    d = input._host()
    m, n = d.shape[-2:]
    if d.size:
        h, tau = np.linalg.qr(d, mode="raw")
        a = np.ascontiguousarray(np.swapaxes(h, -1, -2)).astype(k, copy=False)
        tau = tau.astype(k, copy=False)
    else:
        a = d.copy()
        tau = np.zeros(d.shape[:-2] + (min(m, n),), k)
    ra, rt = wrap(a), wrap(np.ascontiguousarray(tau))
    if not input.is_cpu:
        ra, rt = ra.to(input.device), rt.to(input.device)
    if grad_needed(input):
        from .decomposition import _multi
        _multi((ra, rt), GeqrfBackward0(), (input,))
    res = named("geqrf", ("a", "tau"))(ra, rt)
    if out is not None:
        out[0].copy_(ra)
        out[1].copy_(rt)
    return res


__all__ = ["householder_product", "orgqr", "ormqr", "geqrf"]
