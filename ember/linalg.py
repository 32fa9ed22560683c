"""``torch.linalg``: matrix functions, decompositions and norms."""
from .amp import _policy as _amp
from .ops.decomposition import (LinAlgError, cholesky, cholesky_ex, det, eigh, eigvalsh, inv,
                                inv_ex, matrix_power, pinv, qr, slogdet, solve, svd, svdvals)
from .ops.linalg import linalg_cross as cross
from .ops.linalg import linalg_norm as norm
from .ops.linalg import matmul, matrix_norm, multi_dot, vecdot, vector_norm
from .ops.shape import diagonal as _diagonal
from .ops.linalg_extra import (cond, eig, eigvals, lstsq, lu, lu_factor, lu_factor_ex,
                               lu_solve, matrix_exp, solve_triangular, tensorinv, tensorsolve)
from .ops.numeric import linalg_vander as vander
from .ops.householder import householder_product
from .ops.ldl import ldl_factor, ldl_factor_ex, ldl_solve


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """Diagonals of a (batch of) matrices, as a view."""
    return _diagonal(A, offset, dim1, dim2)


def solve_ex(A, B, *, left=True, check_errors=False):
    import numpy as np
    from .ops._util import wrap
    res = solve(A, B, left=left)
    return res, wrap(np.zeros(A.shape[:-2], np.int32))


@_amp.fp32_op(_amp.CPU)
def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """Number of singular values above the tolerance."""
    import numpy as np
    from .ops._util import wrap
    s = svdvals(A)._data
    if atol is None and rtol is None:
        rtol = max(A.shape[-2:]) * np.finfo(s.dtype).eps
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    tol = np.maximum(atol or 0.0, (rtol or 0.0) * smax)
    return wrap(np.asarray((s > tol).sum(-1), dtype=np.int64))


__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eigh",
           "eigvalsh", "inv", "inv_ex", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
           "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "svd", "svdvals",
           "vecdot", "vector_norm", "cond", "eig", "eigvals", "lstsq", "lu", "lu_factor",
           "lu_factor_ex", "lu_solve", "matrix_exp", "solve_triangular", "tensorinv",
           "tensorsolve", "vander", "householder_product", "ldl_factor", "ldl_factor_ex",
           "ldl_solve"]
