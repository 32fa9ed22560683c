"""The ``torch.*`` function namespace, gathered from the op modules (no logic here)."""

from .ops.creation import complex_ as complex  # noqa: A004
from .ops.creation import (arange, as_tensor, asarray, empty, empty_like, eye,
                           from_numpy, frombuffer, full, full_like, linspace, logspace, meshgrid,
                           ones, ones_like, polar, scalar_tensor, tensor, tril, tril_indices,
                           triu, triu_indices, zeros, zeros_like)
from .ops.creation import range_ as range  # noqa: A004
from .ops.elementwise import (abs, acos, acosh, add, addcdiv, addcmul, allclose, asin, asinh,
                              atan, atan2, atanh, bitwise_and, bitwise_left_shift, bitwise_not,
                              bitwise_or, bitwise_right_shift, bitwise_xor, ceil, clamp,
                              clamp_max, clamp_min, clip, copysign, cos, cosh, deg2rad, digamma,
                              div, eq, equal, erf, erfc, erfinv, exp, exp2, expm1, fix,
                              float_power, floor, floor_divide, fmax, fmin, fmod, frac, ge,
                              greater, greater_equal, gt, hypot, i0, isclose, isfinite, isinf,
                              isnan, isneginf, isposinf, isreal, le, lerp, less, less_equal,
                              lgamma, log, log1p, log2, log10, logaddexp, logaddexp2, logit,
                              logical_and, logical_not, logical_or, logical_xor, lt, maximum,
                              minimum, mul, nan_to_num, ne, neg, not_equal, polygamma, positive,
                              pow, rad2deg, reciprocal, relu, remainder, round, rsqrt, rsub,
                              sigmoid, sign, signbit, sgn, sin, sinc, sinh, sqrt, square, sub,
                              tan, tanh, true_divide, trunc, where, xlogy)
from .ops.elementwise import abs as absolute, acos as arccos, asin as arcsin  # noqa: F401
from .ops.elementwise import atan as arctan, atan2 as arctan2, acosh as arccosh  # noqa: F401
from .ops.elementwise import asinh as arcsinh, atanh as arctanh, neg as negative  # noqa: F401
from .ops.elementwise import mul as multiply, sub as subtract, div as divide  # noqa: F401
from .ops.indexing import (argwhere, gather, index_add, index_copy, index_fill, index_put,
                           index_select, masked_fill, masked_scatter, masked_select, nonzero,
                           scatter, scatter_add, scatter_reduce, take, take_along_dim)
from .ops.linalg import (addbmm, addmm, addmv, addr, baddbmm, bmm, cdist, chain_matmul, cross,
                         diag, diag_embed, diagflat, dot, ger, inner, kron, matmul, mm, mv, norm,
                         outer, tensordot, trace, vdot)
from .ops.einsum import einsum
from .ops.sorting import (argsort, bincount, bucketize, histc, kthvalue, msort, searchsorted,
                          sort, topk, unique, unique_consecutive)
from .ops.decomposition import cholesky_legacy as cholesky, det, logdet, slogdet  # noqa: F401
from .ops.decomposition import inv as inverse, pinverse, qr_legacy as qr  # noqa: F401
from .ops.decomposition import svd_legacy as svd, matrix_power  # noqa: F401
from .ops.cumulative import cummax, cummin, cumprod, cumsum, logcumsumexp
from .ops.reduction import median, mode, nanmedian
from .ops.reduction import (all, amax, amin, aminmax, any, argmax, argmin, count_nonzero,
                            log_softmax, logsumexp, max, mean, min, nanmean, nansum, prod,
                            softmax, std, std_mean, sum, var, var_mean)
from .ops.shape import (adjoint, atleast_1d, atleast_2d, atleast_3d, broadcast_shapes,
                        broadcast_tensors, broadcast_to, cat, chunk, clone, column_stack, concat,
                        concatenate, diagonal, dstack, flatten, flip, fliplr,
                        flipud, hstack, movedim, moveaxis, narrow, permute, repeat_interleave,
                        reshape, roll, rot90, row_stack, select, split, squeeze, stack,
                        swapaxes, swapdims, t, tensor_split, tile, transpose, unbind,
                        unflatten, unsqueeze, vstack)
from .ops._util import result_type
from .ops.complex import (angle, conj, conj_physical, imag, real, resolve_conj,
                          view_as_complex, view_as_real)

from .ops.numeric import (block_diag, can_cast, cartesian_prod, combinations, corrcoef, cov,
                          cumulative_trapezoid, diagonal_scatter, diff, dist, dsplit, frexp,
                          gcd, heaviside, histogram, hsplit, index_reduce, is_same_size,
                          is_signed, isin, lcm, ldexp, mvlgamma, nanquantile, nextafter,
                          quantile, ravel, renorm, select_scatter, slice_scatter, trapezoid,
                          trapz, unravel_index, vander, vsplit)
from .ops.linalg_extra import (cholesky_inverse, cholesky_solve, lu_unpack, matrix_exp,
                               triangular_solve)
from .ops.linalg_extra import lu_legacy as lu, lu_solve_legacy as lu_solve  # noqa: F401
from .ops.shape import unfold as _unfold  # noqa: F401
from ._namespace_extra import *  # noqa: F401,F403  (in-place and nn.functional aliases)
from .ops.layernorm import group_norm, layer_norm, rms_norm  # noqa: E402
from .ops.embedding import embedding  # noqa: E402
from ._namespace_gaps import *  # noqa: F401,F403,E402  (formats, signal, storage, dlpack ...)
__all__ = [n for n in dir() if not n.startswith("_")]
