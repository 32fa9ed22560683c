"""Matrix products: matmul (@), mm, bmm, mv, dot, outer, addmm, linear.

Every contraction goes to BLAS through ``xp.matmul``; batched products with a shared
right-hand matrix are folded into one 2-D product, which BLAS runs faster.
"""
import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..tensor import Tensor
from ._util import arr, attach, cast_to, check_same_device, promote_tensors, sum_to, wrap


def _operands(a, b, name):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError(f"{name}(): argument 'other' must be Tensor, not "
                        f"{type(b if isinstance(a, Tensor) else a).__name__}")
    x, y = a._data, b._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype.name} != {b.dtype.name}" if name in ("mm", "matmul",
                                                                            "addmm") else
                           f"expected scalar type {a.dtype.name.capitalize()} but found "
                           f"{b.dtype.name.capitalize()}")
    if type(x) is not type(y):
        check_same_device(a, b)
    return x, y


def _matmul_arrays(x, y):
    if x.ndim >= 3 and y.ndim == 2 and type(x) is np.ndarray:
        # (..., n, k) @ (k, m): one big GEMM instead of a loop of small ones.
        lead = x.shape[:-1]
        xs = x if x.flags.c_contiguous else np.ascontiguousarray(x)
        return (xs.reshape(-1, x.shape[-1]) @ y).reshape(lead + (y.shape[-1],))
    return x @ y


class MmBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g.mm(b.t()) if self._next[0] is not None else None
        gb = a.t().mm(g) if self._next[1] is not None else None
        return ga, gb


class MatmulBackward(Node):
    """General matmul with 1-d promotion and batch broadcasting."""

    __slots__ = ()

    def backward(self, g):
        a, b = self.saved_tensors
        ga = gb = None
        a2 = a.unsqueeze(0) if a.ndim == 1 else a
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b
        g2 = g
        if a.ndim == 1:
            g2 = g2.unsqueeze(-2)
        if b.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if self._next[0] is not None:
            ga = sum_to(g2.matmul(b2.mT), a2.shape)
            if a.ndim == 1:
                ga = ga.squeeze(-2) if ga.ndim > 1 else ga
                ga = ga.reshape(a.shape)
        if self._next[1] is not None:
            if a2.ndim >= 3 and b2.ndim == 2:
                # Fold the batch into one GEMM: (k, N) @ (N, m).
                gb = a2.reshape(-1, a2.shape[-1]).t().mm(g2.reshape(-1, g2.shape[-1]))
            else:
                gb = sum_to(a2.mT.matmul(g2), b2.shape)
            if b.ndim == 1:
                gb = gb.reshape(b.shape)
        return ga, gb


MatmulBackward.__name__ = "MmBackward0"


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting rules."""
    x, y = _operands(input, other, "matmul")
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{x.ndim}D and {y.ndim}D")
    kx = x.shape[-1]
    ky = y.shape[-2] if y.ndim > 1 else y.shape[0]
    if kx != ky:
        if x.ndim == 1 and y.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src "
                               f"[{y.shape[0]}] to have the same number of elements, but got "
                               f"{x.shape[0]} and {y.shape[0]} elements respectively")
        xs = x.shape if x.ndim > 1 else (1,) + x.shape
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({int(np.prod(xs[:-1]))}x{xs[-1]} and "
                           f"{ky}x{y.shape[-1] if y.ndim > 1 else 1})")
    res = wrap(arr(_matmul_arrays(x, y)))
    if state.enabled and (input._requires_grad or other._requires_grad):
        node = MmBackward0() if x.ndim == 2 and y.ndim == 2 else MatmulBackward()
        node.save_for_backward(input, other)
        attach(res, node, (input, other))
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def mm(input, mat2, *, out=None):
    if input.ndim != 2 or mat2.ndim != 2:
        bad = input if input.ndim != 2 else mat2
        raise RuntimeError(f"{'self' if bad is input else 'mat2'} must be a matrix")
    return matmul(input, mat2, out=out)


def bmm(input, mat2, *, out=None):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor" if input.ndim != 3 else
                           "batch2 must be a 3D tensor")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, "
                           f"{mat2.shape[1]}].")
    return matmul(input, mat2, out=out)


def mv(input, vec, *, out=None):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, "
                           f"{vec.ndim}")
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype.name.capitalize()} and {other.dtype.name.capitalize()}")
    return matmul(input, other, out=out)


inner_ = dot


def vdot(input, other):
    return dot(input.conj() if input.is_complex() else input, other)


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2.reshape(1, -1)


ger = outer


class AddmmBackward0(Node):
    __slots__ = ("_beta", "_alpha", "_bias_shape", "_bias_dtype")

    def backward(self, g):
        bias, a, b = self.saved_tensors
        gbias = ga = gb = None
        if self._next[0] is not None:
            gbias = cast_to(sum_to(g if self._beta == 1 else g * self._beta, self._bias_shape),
                            self._bias_dtype)
        ga_scale = g if self._alpha == 1 else g * self._alpha
        if self._next[1] is not None:
            ga = ga_scale.mm(b.t())
        if self._next[2] is not None:
            gb = a.t().mm(ga_scale)
        return gbias, ga, gb


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    x, y = _operands(mat1, mat2, "addmm")
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " + str(x.ndim) + "-D tensor")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                           f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
    prod = x @ y
    if alpha != 1:
        prod *= alpha
    bd = input._data if isinstance(input, Tensor) else input
    if beta == 0:
        res = prod
    elif beta == 1:
        prod += bd
        res = prod
    else:
        res = prod + beta * bd
    res = wrap(arr(res))
    if state.enabled and (input._requires_grad or mat1._requires_grad or mat2._requires_grad):
        node = AddmmBackward0()
        node._beta = beta
        node._alpha = alpha
        node._bias_shape = input._data.shape
        node._bias_dtype = input._data.dtype
        node.save_for_backward(None, mat1, mat2)
        attach(res, node, (input, mat1, mat2))
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def linear(input, weight, bias=None):
    """``input @ weight.T + bias`` (one GEMM; the bias add is fused for 2-D inputs)."""
    x = input._data
    w = weight._data
    if x.shape[-1] != w.shape[-1] if w.ndim == 2 else x.shape[-1] != w.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({int(np.prod(x.shape[:-1]))}x{x.shape[-1]} and "
                           f"{w.shape[-1] if w.ndim == 2 else w.shape[0]}x"
                           f"{w.shape[0] if w.ndim == 2 else 1})")
    if x.ndim == 2 and bias is not None and w.ndim == 2:
        return addmm(bias, input, weight.t())
    out = matmul(input, weight.t() if w.ndim == 2 else weight)
    if bias is not None:
        out = out + bias
    return out


def addmv(input, mat, vec, *, beta=1, alpha=1):
    return input * beta + alpha * mv(mat, vec) if beta != 1 or alpha != 1 else input + mv(mat,
                                                                                          vec)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    return beta * input + alpha * bmm(batch1, batch2).sum(0)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    prod = bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod
    return prod + (input if beta == 1 else input * beta)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    return beta * input + alpha * outer(vec1, vec2)
