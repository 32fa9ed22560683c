"""More of ``torch.linalg``: LU (factor, unpack, solve), triangular and Cholesky solves,
least squares, matrix exponential, condition numbers, general eigenvalues, tensorinv/solve.

Solves and the matrix exponential are written with differentiable ops (``solve``, ``matmul``,
``pinv``), so they backpropagate; LU factors and general (complex) eigenpairs are computed on
arrays and carry no gradient (see docs/differences.md).
"""
import math

import numpy as np

from ..amp import _policy as _amp
from ..return_types import named
from ._util import wrap
from .decomposition import check_float, check_matrix, check_square, inv, pinv, solve, svdvals


def _eye_like(A, n):
    from .creation import eye
    return eye(n, dtype=A.dtype)


# ---------------------------------------------------------------- triangular / Cholesky solves
def _triangle(A, upper, unitriangular):
    T = A.triu() if upper else A.tril()
    if unitriangular:
        n = A.shape[-1]
        T = T - T.diagonal(0, -2, -1).diag_embed() + _eye_like(A, n)
    return T


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve ``A X = B`` (or ``X A = B``) for triangular ``A``; only its triangle is read."""
    check_square(A, "linalg.solve_triangular")
    res = solve(_triangle(A, upper, unitriangular), B, left=left)
    return res if out is None else out.copy_(res)


@_amp.fp32_op(_amp.CPU)
def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Legacy ``torch.triangular_solve``: ``(solution, cloned_coefficient)``."""
    T = _triangle(A, upper, unitriangular)
    if transpose:
        T = T.mT
    return named("triangular_solve", ("solution", "cloned_coefficient"))(solve(T, b), A.clone())


@_amp.fp32_op(_amp.CPU)
def cholesky_solve(B, L, upper=False, *, out=None):
    """Solve ``A X = B`` given the Cholesky factor of ``A``."""
    A = L.mT.matmul(L) if upper else L.matmul(L.mT)
    res = solve(A, B)
    return res if out is None else out.copy_(res)


@_amp.fp32_op(_amp.CPU)
def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of ``A`` given its Cholesky factor."""
    A = L.mT.matmul(L) if upper else L.matmul(L.mT)
    res = inv(A)
    return res if out is None else out.copy_(res)


# ---------------------------------------------------------------- LU
def _lu_arrays(a):
    """Partial-pivoting LU of a (batch of) m x n arrays: (LU, 1-based int32 pivots)."""
    lu = np.array(a, copy=True)
    m, n = lu.shape[-2:]
    k = min(m, n)
    batch = lu.shape[:-2]
    lu = lu.reshape((-1, m, n))
    piv = np.zeros((lu.shape[0], k), dtype=np.int32)
    rows = np.arange(lu.shape[0])
    for j in range(k):  # one elimination step per column, vectorised over the batch
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        d = lu[:, j, j]
        safe = np.where(d == 0, 1, d)
        lu[:, j + 1:, j] = np.where(d[:, None] == 0, 0, lu[:, j + 1:, j] / safe[:, None])
        lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j:j + 1] * lu[:, j:j + 1, j + 1:]
    return lu.reshape(batch + (m, n)), piv.reshape(batch + (k,))


def _perm_from_pivots(piv, m):
    """Row permutation arrays ``perm`` with ``A[perm] = L U``."""
    batch = piv.shape[:-1]
    p2 = piv.reshape(-1, piv.shape[-1]).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (p2.shape[0], 1))
    rows = np.arange(p2.shape[0])
    for i in range(p2.shape[1]):
        a = perm[rows, i].copy()
        perm[rows, i] = perm[rows, p2[:, i]]
        perm[rows, p2[:, i]] = a
    return perm.reshape(batch + (m,))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    check_matrix(A, "linalg.lu_factor_ex")
    check_float(A, "linalg.lu_factor_ex")
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    lu, piv = _lu_arrays(A._data)
    k = min(A.shape[-2:])
    diag = np.diagonal(lu, axis1=-2, axis2=-1)[..., :k]
    zero = diag == 0
    info = np.where(zero.any(-1), np.argmax(zero, -1) + 1, 0).astype(np.int32)
    if check_errors and info.any():
        raise RuntimeError(f"linalg.lu_factor_ex: U[{int(info.max())},{int(info.max())}] is "
                           f"zero and using it on lu_solve would result in a division by zero.")
    return named("linalg_lu_factor_ex", ("LU", "pivots", "info"))(wrap(lu), wrap(piv),
                                                                 wrap(np.asarray(info)))


def lu_factor(A, *, pivot=True, out=None):
    """LU factorisation with partial pivoting: ``(LU, pivots)`` (pivots 1-based, int32)."""
    LU, piv, _ = lu_factor_ex(A, pivot=pivot)
    return named("linalg_lu_factor", ("LU", "pivots"))(LU, piv)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` from the output of :func:`lu_factor`."""
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    L = U = P = None
    if unpack_data:
        eye_mk = wrap(np.eye(m, k, dtype=LU_data._data.dtype))
        L = LU_data[..., :, :k].tril(-1) + eye_mk
        U = LU_data[..., :k, :].triu()
    if unpack_pivots:
        perm = _perm_from_pivots(LU_pivots._data, m)
        eye = np.eye(m, dtype=LU_data._data.dtype)
        P = wrap(np.ascontiguousarray(np.swapaxes(eye[perm], -1, -2)))
    return named("lu_unpack", ("P", "L", "U"))(P, L, U)


def lu(A, *, pivot=True, out=None):
    """``(P, L, U)`` with ``A = P @ L @ U``."""
    LU, piv = lu_factor(A, pivot=pivot)
    P, L, U = lu_unpack(LU, piv)
    return named("linalg_lu", ("P", "L", "U"))(P, L, U)


def lu_legacy(A, pivot=True, get_infos=False, out=None):
    """Legacy ``torch.lu``: ``(LU, pivots[, infos])``."""
    LU, piv, info = lu_factor_ex(A, pivot=pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve ``A X = B`` from the LU factorisation of ``A``."""
    P, L, U = lu_unpack(LU, pivots)
    A = P.matmul(L).matmul(U)
    if adjoint:
        A = A.mT.conj() if A.is_complex() else A.mT
    res = solve(A, B, left=left)
    return res if out is None else out.copy_(res)


@_amp.fp32_op(_amp.CPU)
def lu_solve_legacy(b, LU_data, LU_pivots, *, out=None):
    return lu_solve(LU_data, LU_pivots, b)


# ---------------------------------------------------------------- least squares
@_amp.fp32_op(_amp.CPU)
def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B``: ``(solution, residuals, rank,
    singular_values)``; which of the last three are filled depends on ``driver`` as in
    PyTorch (the CPU default ``gelsy`` gives only the rank)."""
    check_matrix(A, "torch.linalg.lstsq")
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           f"gelsy, gelsd, gelss)")
    vector = B.ndim == A.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    sol = pinv(A).matmul(Bm)
    m, n = A.shape[-2:]
    dtype = A._data.dtype
    s = svdvals(A.detach())._data
    tol = (rcond if rcond is not None else np.finfo(dtype).eps * max(m, n)) * s[..., :1]
    rank = (s > tol).sum(-1).astype(np.int64)
    empty = wrap(np.zeros((0,), dtype))
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        r = A.matmul(sol) - Bm
        residuals = (r * r).sum(-2)
        if vector:
            residuals = residuals.squeeze(-1)
    rank_t = wrap(np.asarray(rank)) if driver != "gels" else wrap(np.zeros((0,), np.int64))
    sv = wrap(s) if driver in ("gelsd", "gelss") else empty
    return named("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))(
        sol.squeeze(-1) if vector else sol, residuals, rank_t, sv)


# ---------------------------------------------------------------- matrix functions
def matrix_exp(A):
    """The matrix exponential, by scaling and squaring a degree-18 Taylor series."""
    check_square(A, "linalg.matrix_exp")
    n = A.shape[-1]
    if A.numel() == 0:
        return A.clone()
    d = np.abs(A._data).sum(-1).max() if A._data.size else 0.0
    s = max(0, int(math.ceil(math.log2(float(d)))) + 1) if d > 0.5 else 0
    X = A / (2 ** s) if s else A
    eye = _eye_like(A, n)
    E = eye + X / 18
    for k in range(17, 0, -1):  # Horner: I + X/1 (I + X/2 (I + ...))
        E = eye + X.matmul(E) / k
    for _ in range(s):
        E = E.matmul(E)
    return E


@_amp.fp32_op(_amp.CPU)
def cond(A, p=None):
    """The condition number of ``A`` in the p-norm (2-norm by default)."""
    from .linalg import matrix_norm
    check_matrix(A, "linalg.cond")
    if p is None or p == 2 or p == -2:
        s = svdvals(A)
        smax, smin = s[..., 0], s[..., -1]
        return smax / smin if p != -2 else smin / smax
    check_square(A, "linalg.cond")
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def _eig_arrays(A, name):
    check_square(A, name)
    check_float(A, name)
    w, v = np.linalg.eig(A._data)
    ctype = np.complex128 if A._data.dtype == np.float64 or A._data.dtype == np.complex128 \
        else np.complex64
    return w.astype(ctype), v.astype(ctype)


@_amp.fp32_op(_amp.CPU)
def eig(A, *, out=None):
    """Eigenvalues and eigenvectors of a general square matrix (complex results)."""
    w, v = _eig_arrays(A, "linalg.eig")
    return named("linalg_eig", ("eigenvalues", "eigenvectors"))(wrap(w), wrap(v))


@_amp.fp32_op(_amp.CPU)
def eigvals(A, *, out=None):
    """Eigenvalues of a general square matrix (complex)."""
    w, _ = _eig_arrays(A, "linalg.eigvals")
    return wrap(w)


@_amp.fp32_op(_amp.CPU)
def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` with respect to tensordot over its first ``ind`` dims."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    lead, rest = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    if math.prod(lead) != math.prod(rest):
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) "
                           f"== prod(self.shape[:ind]), but got {math.prod(rest)} != "
                           f"{math.prod(lead)}")
    return inv(A.reshape(math.prod(lead), -1)).reshape(rest + lead)


@_amp.fp32_op(_amp.CPU)
def tensorsolve(A, B, dims=None, *, out=None):
    """Solve ``tensordot(A, X, X.ndim) = B`` for ``X``."""
    if dims is not None:
        nd = A.ndim
        dims = [d % nd for d in dims]
        A = A.permute([i for i in range(nd) if i not in dims] + dims)
    rest = tuple(A.shape[B.ndim:])
    X = solve(A.reshape(B.numel(), -1), B.reshape(-1))
    return X.reshape(rest)
