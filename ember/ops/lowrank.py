"""Randomized low-rank factorizations: ``torch.svd_lowrank`` and ``torch.pca_lowrank``
(Halko, Martinsson and Tropp, 2009: a randomized range finder with power iterations, then an
exact SVD of the small projected matrix).

Built from differentiable ops (``matmul``, ``linalg.qr``, ``linalg.svd``), so gradients flow
through them as they do in PyTorch. The random test matrix comes from Ember's generator, so the
factors differ from PyTorch's draw by draw; what they approximate does not.
"""
from .. import dtypes as dt
from ..tensor import Tensor


def _range_basis(A, q, niter, M):
    """Orthonormal columns ``Q`` (at most ``q``) with ``Q Q^H (A - M) ~ A - M``."""
    from ..random import randn
    from .decomposition import qr

    def apply(X, adjoint=False):
        # (A - M) @ X without forming A - M (M is typically a broadcast row of means).
        At = A.mH if adjoint else A
        Y = At.matmul(X)
        if M is not None:
            Y = Y - (M.mH if adjoint else M).matmul(X)
        return Y

    omega = randn(A.shape[-1], q, dtype=A.dtype, device=A.device)
    Q = qr(apply(omega)).Q
    for _ in range(niter):  # power iterations sharpen the spectrum's decay
        Q = qr(apply(Q, adjoint=True)).Q
        Q = qr(apply(Q)).Q
    return Q


def _check(A, name):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if not A.is_floating_point() and not A.is_complex():
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{A.dtype} != {dt.get_default_dtype()}")
    if A.ndim < 2:
        raise ValueError(f"{name}: expected a matrix or a batch of matrices, got a tensor of "
                         f"shape {list(A.shape)}")


def svd_lowrank(A, q=6, niter=2, M=None):
    """Approximate SVD ``A ~ U diag(S) V^H`` of rank ``q`` (of ``A - M`` when ``M`` is given).

    Args:
        A (Tensor): ``(*, m, n)`` input.
        q (int, optional): a slight overestimate of A's rank. Default: 6.
        niter (int, optional): number of power iterations. Default: 2.
        M (Tensor, optional): subtracted from ``A`` (broadcast to its shape).

    Returns:
        ``(U, S, V)`` with shapes ``(*, m, q)``, ``(*, q)``, ``(*, n, q)``.

    Example::

        >>> U, S, V = torch.svd_lowrank(torch.randn(20, 3) @ torch.randn(3, 10), q=4)
    """
    _check(A, "svd_lowrank")
    from .decomposition import svd
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n
    if wide:  # work on the tall adjoint; swap U and V at the end
        A = A.mH
        M = M.mH if M is not None else None
    Q = _range_basis(A, q, niter, M)
    B = Q.mH.matmul(A)
    if M is not None:
        B = B - Q.mH.matmul(M)
    Ub, S, Vh = svd(B, full_matrices=False)
    U, V = Q.matmul(Ub), Vh.mH
    return (V, S, U) if wide else (U, S, V)


def pca_lowrank(A, q=None, center=True, niter=2):
    """Principal components of the rows of ``A``: ``(U, S, V)`` of the (centered) data, as
    :func:`svd_lowrank`; the columns of ``V`` are the principal directions.

    Args:
        A (Tensor): ``(*, m, n)`` data, one observation per row.
        q (int, optional): number of components. Default: ``min(6, m, n)``.
        center (bool): subtract the column means first. Default: True.
        niter (int): number of power iterations. Default: 2.

    Example::

        >>> U, S, V = torch.pca_lowrank(torch.randn(100, 5), q=2)
    """
    _check(A, "pca_lowrank")
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (isinstance(q, int) and 0 <= q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not (isinstance(niter, int) and niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return svd_lowrank(A, q, niter=niter)
    mean = A.mean(dim=-2, keepdim=True)
    return svd_lowrank(A, q, niter=niter, M=mean)


__all__ = ["svd_lowrank", "pca_lowrank"]
