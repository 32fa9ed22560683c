"""``torch.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the Bunch-Kaufman
factorization ``A = P L D L^T P^T`` of a symmetric matrix (lower triangle read), stored in
LAPACK's ``sytrf`` layout: ``L`` below the diagonal, the 1x1 and 2x2 blocks of ``D`` on and just
below it, and 1-based ``pivots`` (a negative pair marks a 2x2 block).

The same pivot decisions as LAPACK's unblocked ``sytf2`` (alpha = (1 + sqrt(17)) / 8) are made,
so the factors equal PyTorch's. Each step is one vectorised rank-1/rank-2 update of the
trailing block; the loop runs over columns (and over matrices in a batch, whose pivot choices
differ), never over elements. Neither function has a derivative in PyTorch; here too.
"""
import numpy as np

from ..autograd.graph import Node
from ..return_types import named
from ._util import attach, grad_needed, wrap
from .decomposition import _dtype_word, check_square

_ALPHA = (1.0 + np.sqrt(17.0)) / 8.0


def _sytf2(a):
    """Factor one symmetric matrix in place (full storage kept symmetric); returns
    (LD lower, int32 pivots, info)."""
    n = a.shape[0]
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k + 1 < n:
            col = np.abs(a[k + 1:, k])
            imax = k + 1 + int(np.argmax(col))
            colmax = col[imax - k - 1]
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                # largest off-diagonal magnitude in row/column imax of the trailing block
                row = np.abs(np.concatenate([a[imax, k:imax], a[imax + 1:, imax]]))
                rowmax = row.max()
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:  # symmetric interchange inside the trailing block only
                a[[kk, kp], k:] = a[[kp, kk], k:]
                a[k:, [kk, kp]] = a[k:, [kp, kk]]
            if kstep == 1:
                if k + 1 < n:
                    x = a[k + 1:, k].copy()
                    a[k + 1:, k + 1:] -= np.outer(x, x / a[k, k])
                    a[k + 1:, k] = x / a[k, k]
                    a[k, k + 1:] = 0
            elif k + 2 < n:
                D = a[k:k + 2, k:k + 2]
                W = a[k + 2:, k:k + 2].copy()
                WDinv = np.linalg.solve(D, W.T).T
                a[k + 2:, k + 2:] -= WDinv @ W.T
                a[k + 2:, k:k + 2] = WDinv
                a[k:k + 2, k + 2:] = 0
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
            a[k, k + 1] = 0
        k += kstep
    return a, piv, info


class _NotDifferentiable(Node):
    __slots__ = ("_msg",)

    def backward(self, *grads):
        raise RuntimeError(self._msg)


_NotDifferentiable.__name__ = "NotImplemented"


def _no_grad_outputs(outs, inputs, op):
    if grad_needed(*inputs):
        node = _NotDifferentiable()
        node._msg = f"derivative for aten::{op} is not implemented"
        attach(outs[0], node, inputs)  # only the floating output; pivots / info are integers
    return outs


def _factor(A, hermitian, name):
    d = check_square(A, name)
    if d.dtype.kind == "c":
        raise RuntimeError(f"{name}: complex inputs are not supported by Ember")
    lower = np.tril(d.astype(d.dtype, copy=True))
    sym = lower + np.swapaxes(np.tril(lower, -1), -1, -2)
    n = d.shape[-1]
    flat = sym.reshape((-1, n, n))
    LD = np.empty_like(flat)
    piv = np.empty((flat.shape[0], n), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):  # pivot choices differ per matrix
        m, piv[b], info[b] = _sytf2(flat[b])
        LD[b] = np.tril(m)
    batch = d.shape[:-2]
    return LD.reshape(d.shape), piv.reshape(batch + (n,)), info.reshape(batch)


def ldl_factor_ex(A, *, hermitian=False, check_errors=False, out=None):
    """Bunch-Kaufman LDL factorization: ``(LD, pivots, info)``; ``info`` > 0 names the first
    zero pivot (1-based) of a singular ``A``."""
    name = "torch.linalg.ldl_factor_ex"
    LD, piv, info = _factor(A, hermitian, name)
    if check_errors and np.any(info > 0):
        raise RuntimeError(f"{name}: The factorization could not be completed because the "
                           f"input is not invertible.")
    outs = tuple(_to(wrap(x), A) for x in (LD, piv, np.asarray(info)))
    outs = _no_grad_outputs(outs, (A,), "linalg_ldl_factor_ex")
    return named("linalg_ldl_factor_ex", ("LD", "pivots", "info"))(*outs)


def ldl_factor(A, *, hermitian=False, out=None):
    """Bunch-Kaufman LDL factorization of a symmetric ``A`` (its lower triangle is read):
    ``(LD, pivots)`` in LAPACK's ``sytrf`` layout, for :func:`ldl_solve`.

    Example::

        >>> A = torch.randn(3, 3); A = A + A.mT
        >>> LD, pivots = torch.linalg.ldl_factor(A)
        >>> X = torch.linalg.ldl_solve(LD, pivots, torch.randn(3, 2))
    """
    name = "torch.linalg.ldl_factor"
    LD, piv, info = _factor(A, hermitian, name)
    if np.any(info > 0):
        raise RuntimeError(f"{name}: The factorization could not be completed because the "
                           f"input is not invertible.")
    outs = tuple(_to(wrap(x), A) for x in (LD, piv))
    outs = _no_grad_outputs(outs, (A,), "linalg_ldl_factor_ex")
    return named("linalg_ldl_factor", ("LD", "pivots"))(*outs)


def _to(t, like):
    return t if like.is_cpu else t.to(like.device)


def _sytrs(ld, piv, b):
    """Solve with one factorization (LAPACK ``sytrs``, lower); ``b`` is overwritten."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D y = P^T b, forwards
        if piv[k] > 0:
            kp = piv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            b[k + 1:] -= np.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -piv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            if k + 2 < n:
                b[k + 2:] -= np.outer(ld[k + 2:, k], b[k]) + np.outer(ld[k + 2:, k + 1], b[k + 1])
            D = np.array([[ld[k, k], ld[k + 1, k]], [ld[k + 1, k], ld[k + 1, k + 1]]])
            b[k:k + 2] = np.linalg.solve(D, b[k:k + 2])
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T x = y, backwards
        if piv[k] > 0:
            if k + 1 < n:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = piv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k + 1 < n:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -piv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """Solve ``A X = B`` from :func:`ldl_factor`'s ``(LD, pivots)``."""
    name = "torch.linalg.ldl_solve"
    ld = check_square(LD, name, "LD")
    if B.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor B must have at least 2 dimensions.")
    if pivots._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: Expected pivots to be integers. Got "
                           f"{_dtype_word(pivots._data.dtype)}")
    if B.dtype != LD.dtype:
        raise RuntimeError(f"{name}: LD dtype {_dtype_word(ld.dtype)} does not match b dtype "
                           f"{_dtype_word(B._data.dtype)}")
    n = ld.shape[-1]
    if B.shape[-2] != n:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {n} by {n} "
                           f"but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    if tuple(pivots.shape) != tuple(LD.shape[:-1]):
        raise RuntimeError(f"{name}: Expected LD.shape[:-1] and pivots.shape to be the same, "
                           f"but got pivots with shape {list(pivots.shape)} instead")
    batch = np.broadcast_shapes(ld.shape[:-2], B.shape[:-2])
    lds = np.broadcast_to(ld, batch + (n, n)).reshape((-1, n, n))
    ps = np.broadcast_to(pivots._host(), batch + (n,)).reshape((-1, n))
    bs = np.array(np.broadcast_to(B._host(), batch + tuple(B.shape[-2:])),
                  dtype=ld.dtype).reshape((-1,) + tuple(B.shape[-2:]))
    for i in range(bs.shape[0]):  # one solve per matrix of the batch
        _sytrs(lds[i], ps[i], bs[i])
    res = _to(wrap(bs.reshape(batch + tuple(B.shape[-2:]))), B)
    (res,) = _no_grad_outputs((res,), (LD, B), "linalg_ldl_solve")
    return res if out is None else out.copy_(res)


__all__ = ["ldl_factor", "ldl_factor_ex", "ldl_solve"]
