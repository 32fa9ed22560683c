"""Matrix decompositions and inverses (``torch.linalg``): inv, det, slogdet, solve, cholesky,
qr, svd, svdvals, eigh, eigvalsh, pinv.

Forward runs LAPACK through NumPy on stacks of matrices; every backward is written with
Tensor ops (matmul on transposed views), so it is itself differentiable where PyTorch's is.
"""

import numpy as np

from ..amp import _policy as _amp
from ..autograd.graph import Node
from ..tensor import Tensor
from ._util import arr, attach, grad_needed, wrap


class LinAlgError(RuntimeError):
    """``torch.linalg.LinAlgError``: a decomposition failed (singular, not positive-definite)."""


LinAlgError.__module__ = "torch._C"
LinAlgError.__qualname__ = LinAlgError.__name__ = "_LinAlgError"

_TYPE_WORD = {"f": {2: "Half", 4: "Float", 8: "Double"}, "i": {1: "Char", 2: "Short", 4: "Int",
                                                             8: "Long"}}


def _dtype_word(npd):
    if npd.kind == "b":
        return "Bool"
    if npd.kind == "u":
        return "Byte"
    return _TYPE_WORD.get(npd.kind, {}).get(npd.itemsize, str(npd))


def check_float(t, name):
    """Reject integer / half inputs as PyTorch's LAPACK ops do."""
    if not isinstance(t, Tensor):
        raise TypeError(f"{name}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(t).__name__}")
    k = t._data.dtype
    if k.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_dtype_word(k)}")
    if k.kind == "f" and k.itemsize < 4 or k.name == "bfloat16":
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got {_dtype_word(k)}")
    return t._data


def check_square(t, name, arg="A"):
    d = check_float(t, name)
    if d.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    return d


def check_matrix(t, name, arg="A"):
    d = check_float(t, name)
    if d.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")
    return d


def _multi(outs, node, inputs):
    """Record ``node`` as producer of several outputs (output_nr = position; None skipped)."""
    first = True
    for i, o in enumerate(outs):
        if o is None:
            continue
        if first:
            attach(o, node, inputs)
            first = False
        else:
            o._requires_grad = True
            o._grad_fn = node
        o._out_nr = i
    return outs


def _named(name, fields):
    from ..return_types import named
    return named(name, fields)


slogdet_t = _named("slogdet", ["sign", "logabsdet"])
linalg_slogdet_t = _named("linalg_slogdet", ["sign", "logabsdet"])
qr_t = _named("qr", ["Q", "R"])
linalg_qr_t = _named("linalg_qr", ["Q", "R"])
svd_t = _named("svd", ["U", "S", "V"])
linalg_svd_t = _named("linalg_svd", ["U", "S", "Vh"])
linalg_eigh_t = _named("linalg_eigh", ["eigenvalues", "eigenvectors"])
inv_ex_t = _named("linalg_inv_ex", ["inverse", "info"])
cholesky_ex_t = _named("linalg_cholesky_ex", ["L", "info"])


def _diag_embed(v):
    """(..., n) -> (..., n, n) with v on the diagonal (differentiable)."""
    from .linalg import diag_embed
    return diag_embed(v)


# ---------------------------------------------------------------- inverse
class LinalgInvExBackward0(Node):
    __slots__ = ()

    def backward(self, g, *_):
        inv_h = self.saved_output().mH
        return -(inv_h @ g @ inv_h)


@_amp.fp32_op(_amp.CPU)
def inv(A, *, out=None):
    """Inverse of a square matrix (or a batch of them)."""
    d = check_square(A, "linalg.inv")
    try:
        res = np.linalg.inv(d)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.inv: The diagonal element is zero, the inversion could not be "
                          "completed because the input matrix is singular.") from None
    res = wrap(res)
    if grad_needed(A):
        node = LinalgInvExBackward0()
        attach(res, node, (A,))
        node.save_output(res)
    return _out(res, out)


@_amp.fp32_op(_amp.CPU)
def inv_ex(A, *, check_errors=False):
    d = check_square(A, "linalg.inv_ex")
    try:
        res = inv(A)
        info = np.zeros(d.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        res = wrap(np.full(d.shape, np.nan, d.dtype))
        info = np.ones(d.shape[:-2], np.int32)
    return inv_ex_t(res, wrap(info))


def _out(res, out):
    if out is None:
        return res
    from .conversion import copy_into_out
    return copy_into_out(out, res)


# ---------------------------------------------------------------- determinants
def _det_grad_factor(A):
    """d det(A) / dA, as a tensor (differentiable when A is invertible)."""
    d = A._data
    with np.errstate(all="ignore"):
        det = np.linalg.det(d)
    if np.all(det != 0) and np.all(np.isfinite(det)):
        return det, None
    # Singular somewhere: the cofactor matrix through the SVD, A = U S Vh:
    # cof(A) = det(U) det(Vh) U diag(prod_{j != i} s_j) Vh.
    u, s, vh = np.linalg.svd(d)
    n = s.shape[-1]
    prods = np.empty_like(s)
    for i in range(n):  # n is the matrix order: a short loop, not over elements
        prods[..., i] = np.prod(np.delete(s, i, axis=-1), axis=-1)
    # conjugated for complex A: the gradient of a holomorphic det is g * conj(cofactor)
    sign = np.conj(np.linalg.det(u) * np.linalg.det(vh))
    cof = (u * prods[..., None, :]) @ vh * sign[..., None, None]
    return det, wrap(cof.astype(d.dtype, copy=False))


class LinalgDetBackward0(Node):
    __slots__ = ("_cof",)

    def backward(self, g):
        (A,) = self.saved_tensors
        cof = self._cof
        if cof is None:
            det = self.saved_output()
            cof = (det.conj().unsqueeze(-1).unsqueeze(-1)) * inv(A).mH
        return g.unsqueeze(-1).unsqueeze(-1) * cof

    def _release_extra(self):
        self._cof = None


def det(A, *, out=None):
    """Determinant of a square matrix (or a batch)."""
    d = check_square(A, "linalg.det")
    res = wrap(arr(np.linalg.det(d).astype(d.dtype, copy=False)))
    if grad_needed(A):
        node = LinalgDetBackward0()
        _, node._cof = _det_grad_factor(A)
        node.save_for_backward(A)
        attach(res, node, (A,))
        node.save_output(res)
    return _out(res, out)


class LinalgSlogdetBackward0(Node):
    __slots__ = ()
    _n_out = 2

    def backward(self, gsign, glog):
        if glog is None:
            return None
        (A,) = self.saved_tensors
        # d log|det A| = Re tr(A^-1 dA): the gradient is glog * A^-H
        return glog.unsqueeze(-1).unsqueeze(-1) * inv(A).mH


def slogdet(A, *, out=None, _name="linalg.slogdet", _cls=linalg_slogdet_t):
    """(sign, log|det|) of a square matrix (or a batch)."""
    d = check_square(A, _name)
    sign, logabs = np.linalg.slogdet(d)
    s = wrap(arr(sign.astype(d.dtype, copy=False)))
    # log|det| is real, also for complex A (float32 for complex64)
    la = wrap(arr(logabs.astype(d.real.dtype if d.dtype.kind == "c" else d.dtype, copy=False)))
    if grad_needed(A):
        node = LinalgSlogdetBackward0()
        node.save_for_backward(A)
        _multi((s, la), node, (A,))
    return _cls(s, la)


def logdet(A):
    """log det(A); nan for a negative determinant, -inf for a singular matrix."""
    sign, la = slogdet(A, _name="logdet")
    from .elementwise import where
    bad = wrap(sign._data < 0)
    return where(bad, float("nan"), la)


# ---------------------------------------------------------------- solve
class LinalgSolveExBackward0(Node):
    __slots__ = ("_vec", "_left")

    def backward(self, g):
        A, X = self.saved_tensors
        if self._vec:
            g = g.unsqueeze(-1)
            X = X.unsqueeze(-1)
        Ah = A.mH
        if self._left:
            gB = solve(Ah, g)
            gA = -(gB @ X.mH) if self._next[0] is not None else None
        else:
            gB = solve(Ah, g, left=False)
            gA = -(X.mH @ gB) if self._next[0] is not None else None
        if self._vec:
            gB = gB.squeeze(-1)
        if gA is not None:
            from ._util import sum_to
            gA = sum_to(gA, A._data.shape)
        if self._next[1] is not None:
            gB = _sum_batch(gB, self._extras()["bshape"])
        return gA, gB


def _sum_batch(g, shape):
    from ._util import sum_to
    return sum_to(g, shape)


@_amp.fp32_op(_amp.CPU)
def solve(A, B, *, left=True, out=None):
    """The solution X of ``A @ X = B`` (``X @ A = B`` with ``left=False``)."""
    a = check_square(A, "linalg.solve")
    b = check_float(B, "linalg.solve")
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {_dtype_word(a.dtype)} and B of type "
                           f"{_dtype_word(b.dtype)} instead")
    # B is a (batch of) vector(s) when it is 1-D or has exactly A's batch shape plus n.
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    n = a.shape[-1]
    bm = b[..., None] if vec else b
    if left:
        if bm.shape[-2] != n:
            raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                               f"AX = B ({a.shape[-2]}x{n} and {bm.shape[-2]}x{bm.shape[-1]})")
    elif bm.shape[-1] != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"XA = B ({a.shape[-2]}x{n} and {bm.shape[-2]}x{bm.shape[-1]})")
    try:
        batch = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: Incompatible batch shapes of A {list(a.shape)} and "
                           f"B {list(b.shape)}") from None
    aa = np.broadcast_to(a, batch + a.shape[-2:])
    bb = np.broadcast_to(bm, batch + bm.shape[-2:])
    try:
        if left:
            x = np.linalg.solve(aa, bb)
        else:
            x = np.swapaxes(np.linalg.solve(np.swapaxes(aa, -1, -2), np.swapaxes(bb, -1, -2)),
                            -1, -2)
    except np.linalg.LinAlgError:
        raise LinAlgError("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.") from None
    if vec:
        x = x[..., 0]
    res = wrap(np.ascontiguousarray(x))
    if grad_needed(A, B):
        node = LinalgSolveExBackward0()
        node._vec = vec
        node._left = left
        node._extras()["bshape"] = b.shape
        attach(res, node, (A, B))
        node.save_for_backward(A, Tensor._wrap(res._data))
    return _out(res, out)


# ---------------------------------------------------------------- cholesky
class LinalgCholeskyExBackward0(Node):
    __slots__ = ("_upper",)

    def backward(self, g):
        L = self.saved_output()
        if self._upper:
            L = L.mH
            g = g.mH
        # Murray (2016): gA = L^{-H} M L^{-1} with T = tril(L^H gL) and M = (T + T_strict^H) / 2
        # (symmetric for real A; for complex A the diagonal keeps T's, as PyTorch's formula)
        Linv = inv(L)
        T = (L.mH @ g).tril()
        return Linv.mH @ (0.5 * (T + T.tril(-1).mH)) @ Linv


@_amp.fp32_op(_amp.CPU)
def cholesky(A, *, upper=False, out=None):
    """Cholesky factor L (lower) with ``A = L @ L.mH``; ``upper=True`` gives ``L.mH``."""
    d = check_square(A, "linalg.cholesky")
    try:
        L = np.linalg.cholesky(d)
    except np.linalg.LinAlgError:
        raise LinAlgError(_not_pd(d)) from None
    if upper:
        L = np.ascontiguousarray(np.swapaxes(L, -1, -2).conj())
    res = wrap(L)
    if grad_needed(A):
        node = LinalgCholeskyExBackward0()
        node._upper = upper
        attach(res, node, (A,))
        node.save_output(res)
    return _out(res, out)


def _not_pd(d):
    # Find the order of the first leading minor that is not positive-definite (as LAPACK).
    m = d.reshape((-1,) + d.shape[-2:])
    order = 1
    for mat in m:
        for k in range(1, mat.shape[-1] + 1):
            try:
                np.linalg.cholesky(mat[:k, :k])
            except np.linalg.LinAlgError:
                order = k
                break
        else:
            continue
        break
    return (f"linalg.cholesky: The factorization could not be completed because the input is "
            f"not positive-definite (the leading minor of order {order} is not "
            f"positive-definite).")


@_amp.fp32_op(_amp.CPU)
def cholesky_ex(A, *, upper=False, check_errors=False):
    d = check_square(A, "linalg.cholesky_ex")
    try:
        L = cholesky(A, upper=upper)
        info = np.zeros(d.shape[:-2], np.int32)
    except LinAlgError:
        if check_errors:
            raise
        L = wrap(np.zeros(d.shape, d.dtype))
        info = np.ones(d.shape[:-2], np.int32)
    return cholesky_ex_t(L, wrap(info))


@_amp.fp32_op(_amp.CPU)
def cholesky_legacy(input, upper=False, *, out=None):
    """Deprecated ``torch.cholesky``."""
    return cholesky(input, upper=upper, out=out)


# ---------------------------------------------------------------- QR
def _tri_solve_right(x, r):
    """x @ R^{-H} for upper-triangular R (through its inverse, differentiable)."""
    return x @ inv(r).mT


class LinalgQrBackward0(Node):
    __slots__ = ("_mode",)
    _n_out = 2

    def backward(self, gQ, gR):
        A, Q, R = self.saved_tensors
        m, n = A._data.shape[-2:]
        from .creation import zeros_like
        if gQ is None:
            gQ = zeros_like(Q)
        if gR is None:
            gR = zeros_like(R)
        if m >= n:
            return _qr_grad_deep(Q, R, gQ, gR)
        # Wide: A = [X | Y], R = [U | V]; X = Q U is square, Y = Q V.
        Y = A[..., m:]
        U = R[..., :m]
        gU = gR[..., :m]
        gV = gR[..., m:]
        gY = Q @ gV
        gX = _qr_grad_deep(Q, U, gQ + Y @ gV.mT, gU)
        from .shape import cat
        return cat([gX, gY], -1)


def _qr_grad_deep(Q, R, gQ, gR):
    qdq = Q.mT @ gQ
    rdr = R @ gR.mT
    low = (qdq - qdq.mT + rdr - rdr.mT).tril(-1)
    ga = Q @ (gR + _tri_solve_right(low, R))
    gb = _tri_solve_right(gQ - Q @ qdq, R)
    return ga + gb


@_amp.fp32_op(_amp.CPU)
def qr(A, mode="reduced", *, out=None, _cls=linalg_qr_t):
    """QR decomposition ``A = Q @ R`` (modes 'reduced', 'complete', 'r')."""
    d = check_matrix(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    q, r = np.linalg.qr(d, mode="complete" if mode == "complete" else "reduced")
    m, n = d.shape[-2:]
    Q = wrap(np.ascontiguousarray(q) if mode != "r" else np.zeros((0,), d.dtype))
    R = wrap(np.ascontiguousarray(r))
    if grad_needed(A):
        node = LinalgQrBackward0()
        node._mode = mode
        if mode == "r":
            node = _QrNotDiff("The derivative of linalg.qr depends on Q, which is not computed "
                              "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                              "are going to differentiate through linalg.qr.")
        elif mode == "complete" and m > n:
            node = _QrNotDiff("The QR decomposition is not differentiable when mode='complete' "
                              "and nrows > ncols.")
        else:
            node.save_for_backward(A, Tensor._wrap(Q._data), Tensor._wrap(R._data))
        _multi((Q, R), node, (A,))
    return _cls(Q, R)


class _QrNotDiff(Node):
    __slots__ = ("_msg",)
    _n_out = 2

    def __init__(self, msg):
        super().__init__()
        self._msg = msg

    def backward(self, *grads):
        raise RuntimeError(self._msg)


_QrNotDiff.__name__ = "LinalgQrBackward0"


@_amp.fp32_op(_amp.CPU)
def qr_legacy(input, some=True, *, out=None):
    """Deprecated ``torch.qr``."""
    return qr(input, "reduced" if some else "complete", _cls=qr_t)


# ---------------------------------------------------------------- SVD
class LinalgSvdBackward0(Node):
    __slots__ = ()
    _n_out = 3

    def backward(self, gU, gS, gVh):
        U, S, Vh = self.saved_tensors
        return svd_backward(U, S, Vh, gU, gS, gVh)


def svd_backward(U, S, Vh, gU, gS, gVh):
    """Gradient of A = U diag(S) Vh (reduced), real case (Townsend 2016)."""
    k = S._data.shape[-1]
    if gU is not None and gU._data.shape[-1] != k:
        gU = gU[..., :k]
    if gVh is not None and gVh._data.shape[-2] != k:
        gVh = gVh[..., :k, :]
    if U._data.shape[-1] != k:
        U = U[..., :k]
    if Vh._data.shape[-2] != k:
        Vh = Vh[..., :k, :]
    if gU is None and gVh is None:
        if gS is None:
            return None
        return (U * gS.unsqueeze(-2)) @ Vh
    V = Vh.mT
    s2 = S * S
    E = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # E[i, j] = s_j^2 - s_i^2
    from .elementwise import where
    eye = wrap(np.eye(k, dtype=bool))
    F = where(eye, 0.0, 1.0 / where(eye, 1.0, E))
    inner = 0
    Sd = S.unsqueeze(-2)  # right-multiplication by diag(S) scales columns
    if gU is not None:
        UtgU = U.mT @ gU
        inner = (F * (UtgU - UtgU.mT)) * Sd
    if gVh is not None:
        gV = gVh.mT
        VtgV = V.mT @ gV
        inner = inner + S.unsqueeze(-1) * (F * (VtgV - VtgV.mT))
    if gS is not None:
        inner = inner + _diag_embed(gS)
    gA = U @ inner @ Vh
    m, n = U._data.shape[-2], V._data.shape[-2]
    Sinv = 1.0 / S
    if gU is not None and m > k:
        # (I - U U^T) gU S^{-1} Vh
        proj = gU - U @ (U.mT @ gU)
        gA = gA + (proj * Sinv.unsqueeze(-2)) @ Vh
    if gVh is not None and n > k:
        proj = gV - V @ (V.mT @ gV)
        gA = gA + (U * Sinv.unsqueeze(-2)) @ proj.mT
    return gA


@_amp.fp32_op(_amp.CPU)
def svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U @ diag(S) @ Vh``."""
    d = check_matrix(A, "linalg.svd")
    u, s, vh = np.linalg.svd(d, full_matrices=full_matrices)
    U, S, Vh = wrap(u), wrap(s), wrap(vh)
    if grad_needed(A):
        node = LinalgSvdBackward0()
        node.save_for_backward(Tensor._wrap(u), Tensor._wrap(s), Tensor._wrap(vh))
        _multi((U, S, Vh), node, (A,))
    return linalg_svd_t(U, S, Vh)


class LinalgSvdvalsBackward(Node):
    __slots__ = ()

    def backward(self, gS):
        U, S, Vh = self.saved_tensors
        return svd_backward(U, S, Vh, None, gS, None)


LinalgSvdvalsBackward.__name__ = "LinalgSvdBackward0"


@_amp.fp32_op(_amp.CPU)
def svdvals(A, *, driver=None, out=None):
    """Singular values, in descending order."""
    d = check_matrix(A, "linalg.svdvals")
    if not grad_needed(A):
        return _out(wrap(np.linalg.svd(d, compute_uv=False)), out)
    u, s, vh = np.linalg.svd(d, full_matrices=False)
    res = wrap(s)
    node = LinalgSvdvalsBackward()
    node.save_for_backward(Tensor._wrap(u), Tensor._wrap(s.copy()), Tensor._wrap(vh))
    attach(res, node, (A,))
    return res


@_amp.fp32_op(_amp.CPU)
def svd_legacy(input, some=True, compute_uv=True, *, out=None):
    """Deprecated ``torch.svd``: returns V (not Vh)."""
    if not compute_uv:
        S = svdvals(input)
        m, n = input.shape[-2:]
        zu = wrap(np.zeros(input.shape[:-2] + (m, m if not some else min(m, n)),
                           input._data.dtype))
        zv = wrap(np.zeros(input.shape[:-2] + (n, n if not some else min(m, n)),
                           input._data.dtype))
        return svd_t(zu, S, zv)
    U, S, Vh = svd(input, full_matrices=not some)
    return svd_t(U, S, Vh.mH)


# ---------------------------------------------------------------- eigh
class LinalgEighBackward0(Node):
    __slots__ = ()
    _n_out = 2

    def backward(self, gL, gV):
        L, V = self.saved_tensors
        return eigh_backward(L, V, gL, gV)


def eigh_backward(L, V, gL, gV):
    if gV is None:
        if gL is None:
            return None
        return (V * gL.unsqueeze(-2)) @ V.mH
    n = L._data.shape[-1]
    from .elementwise import where
    eye = wrap(np.eye(n, dtype=bool))
    E = L.unsqueeze(-2) - L.unsqueeze(-1)  # E[i, j] = l_j - l_i
    VtgV = V.mH @ gV
    # Only the skew part of V^T gV is a valid direction (V stays orthogonal).
    inner = where(eye, 0.0, (VtgV - VtgV.mH) * 0.5 / where(eye, 1.0, E))
    if gL is not None:
        inner = inner + _diag_embed(gL)
    return V @ inner @ V.mH


@_amp.fp32_op(_amp.CPU)
def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix."""
    d = check_square(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    w, v = np.linalg.eigh(d, UPLO=UPLO)
    Lt, Vt = wrap(w), wrap(v)
    if grad_needed(A):
        node = LinalgEighBackward0()
        node.save_for_backward(Tensor._wrap(w), Tensor._wrap(v))
        _multi((Lt, Vt), node, (A,))
    return linalg_eigh_t(Lt, Vt)


@_amp.fp32_op(_amp.CPU)
def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a symmetric matrix."""
    d = check_square(A, "linalg.eigvalsh")
    if not grad_needed(A):
        return wrap(np.linalg.eigvalsh(d, UPLO=UPLO))
    return eigh(A, UPLO)[0]


# ---------------------------------------------------------------- pseudo-inverse
class LinalgPinvBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        (A,) = self.saved_tensors
        P = self.saved_output()
        Pt = P.mH
        # Golub & Pereyra: d(A+) = -A+ dA A+ + A+ A+^H dA^H (I - A A+) + (I - A+ A) dA^H A+^H A+
        gA = -(Pt @ g @ Pt)
        gt = g.mH
        gA = gA + (gt @ P @ Pt - A @ (P @ (gt @ (P @ Pt))))
        gA = gA + (Pt @ (P @ gt) - (Pt @ (P @ gt)) @ (P @ A))
        return gA


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Moore-Penrose pseudo-inverse (through the SVD)."""
    d = check_matrix(A, "linalg.pinv")
    if atol is None and rtol is None:
        res = np.linalg.pinv(d, hermitian=hermitian)
    else:
        u, s, vh = np.linalg.svd(d, full_matrices=False)
        at = 0.0 if atol is None else (atol._data if isinstance(atol, Tensor) else atol)
        if rtol is None:
            rt = 0.0 if atol is not None and (not np.isscalar(at) or at > 0) else \
                max(d.shape[-2:]) * np.finfo(d.dtype).eps
        else:
            rt = rtol._data if isinstance(rtol, Tensor) else rtol
        smax = s[..., :1] if s.shape[-1] else s
        tol = np.maximum(np.asarray(at)[..., None] if np.ndim(at) else at,
                         (np.asarray(rt)[..., None] if np.ndim(rt) else rt) * smax)
        keep = s > tol
        sinv = np.where(keep, 1.0 / np.where(keep, s, 1), 0).astype(d.dtype)
        res = (np.swapaxes(vh, -1, -2).conj() * sinv[..., None, :]) @ \
            np.swapaxes(u, -1, -2).conj()
    res = wrap(np.ascontiguousarray(res.astype(d.dtype, copy=False)))
    if grad_needed(A):
        node = LinalgPinvBackward0()
        node.save_for_backward(A)
        attach(res, node, (A,))
        node.save_output(res)
    return _out(res, out)


@_amp.fp32_op(_amp.CPU)
def pinverse(input, rcond=1e-15):
    """Deprecated ``torch.pinverse``."""
    return pinv(input, rtol=rcond)


def matrix_power(A, n):
    """A to the integer power n (negative n inverts first)."""
    check_square(A, "linalg.matrix_power") if A._data.dtype.kind in "fc" else None
    if n == 0:
        from .creation import eye
        e = wrap(np.broadcast_to(np.eye(A.shape[-1], dtype=A._data.dtype), A.shape).copy())
        return e
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    base = A
    while n:  # binary powering: log2(n) products
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result
