"""Matrix products: matmul (@), mm, bmm, mv, dot, outer, addmm, linear.

Every contraction goes to BLAS through ``xp.matmul``; batched products with a shared
right-hand matrix are folded into one 2-D product, which BLAS runs faster.
"""
import numpy as np

from ..amp import _policy as _amp
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends.gemm import mm as gemm_mm
from ..tensor import Tensor
from ._lowp import F32, HALF, is_half
from ._util import arr, attach, cast_to, check_same_device, sum_to, wrap


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
        return gemm_mm(xs.reshape(-1, x.shape[-1]), y).reshape(lead + (y.shape[-1],))
    if x.ndim == 2 and y.ndim == 2:
        return gemm_mm(x, y)
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
        if a.ndim == 1 and b.ndim == 1:  # dot product
            return (g * b if self._next[0] is not None else None,
                    g * a if self._next[1] is not None else None)
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


# PyTorch names matmul's grad_fn after the kernel it dispatched to.
class DotBackward0(MatmulBackward):
    __slots__ = ()


class MvBackward0(MatmulBackward):
    __slots__ = ()


class SqueezeBackward4(MatmulBackward):
    __slots__ = ()


class UnsafeViewBackward0(MatmulBackward):
    __slots__ = ()


class BmmBackward0(MatmulBackward):
    __slots__ = ()


_MATMUL_NODES = {(1, 1): DotBackward0, (2, 1): MvBackward0, (1, 2): SqueezeBackward4}


def _conjugating(cls):
    """Complex products: PyTorch's gradients are ``g @ b^H`` and ``a^H @ g``; the real-valued
    rule on conjugated gradient, conjugated back, gives exactly that."""
    rule = cls.backward

    def backward(self, g):
        if g._data.dtype.kind == "c":
            return tuple(None if t is None else t.conj() for t in rule(self, g.conj()))
        return rule(self, g)
    cls.backward = backward
    return cls


for _cls in (MmBackward0, MatmulBackward):
    _conjugating(_cls)


class _ComplexMmBackward0(MmBackward0):
    """MmBackward0 for complex operands (a distinct type keeps them off the engine's
    real-valued array fast path)."""

    __slots__ = ()


class _HalfMmBackward0(MmBackward0):
    """MmBackward0 for float16/bfloat16 operands: its Tensor backward goes through matmul's
    float32 accumulation (the array fast path would not)."""

    __slots__ = ()


_ComplexMmBackward0.__name__ = "MmBackward0"
_HalfMmBackward0.__name__ = "MmBackward0"


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch broadcasting rules."""
    if _amp.active and out is None:
        input, other = _amp.lower(_amp.BOTH, input, other)
    try:
        x, y = input._data, other._data
    except AttributeError:
        x, y = _operands(input, other, "matmul")
    xd = x.dtype
    if xd is not F32 or y.dtype is not F32 or type(x) is not type(y):
        if xd != y.dtype or type(x) is not type(y):
            _operands(input, other, "matmul")
        if xd in HALF:
            return _half_matmul(input, other, out)
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{x.ndim}D and {y.ndim}D")
    try:  # the hot path: let NumPy check the shapes
        r = _matmul_arrays(x, y)
    except ValueError:
        _matmul_shape_error(x, y)
        raise
    return _matmul_result(input, other, r, out,
                          MmBackward0 if x.dtype.kind != "c" else _ComplexMmBackward0)


def _matmul_result(input, other, r, out, mm_node):
    """Wrap matmul's product ``r``, record its node (``mm_node`` for two matrices) and honour
    ``out``."""
    res = wrap(r) if type(r) is np.ndarray else wrap(arr(r))
    if state.enabled and (input._requires_grad or other._requires_grad):
        nx, ny = input._data.ndim, other._data.ndim
        node = mm_node() if nx == 2 and ny == 2 else \
            _MATMUL_NODES.get((nx, ny), UnsafeViewBackward0)()
        node.save_for_backward(input, other)
        attach(res, node, (input, other))
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def _half_matmul(input, other, out):
    """matmul of float16/bfloat16 operands: one float32 product rounded once, as PyTorch's
    CPU kernels accumulate (NumPy's bfloat16 matmul returns float32, and slowly)."""
    x, y = input._data, other._data
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{x.ndim}D and {y.ndim}D")
    try:
        r = _matmul_arrays(x.astype(F32), y.astype(F32)).astype(x.dtype)
    except ValueError:
        _matmul_shape_error(x, y)
        raise
    return _matmul_result(input, other, r, out, _HalfMmBackward0)


def _matmul_shape_error(x, y):
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
    raise RuntimeError(f"The size of tensor a must match the size of tensor b at a "
                       f"non-singleton (batch) dimension: shapes {list(x.shape)} and "
                       f"{list(y.shape)}")


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
    res = matmul(input, mat2, out=out)
    if out is None and type(res._grad_fn) is UnsafeViewBackward0:
        res._grad_fn.__class__ = BmmBackward0
    return res


def mv(input, vec, *, out=None):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, "
                           f"{vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    if _amp.active:  # on CUDA's lower-precision list only; on CPU it keeps its dtype
        if out is None:
            input, vec = _amp.lower(_amp.CUDA, input, vec)
        return _amp.plain(matmul, input, vec, out=out)
    return matmul(input, vec, out=out)


def dot(input, other, *, out=None):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if _amp.active and out is None:  # on CUDA's promote list only
        input, other = _amp.promote(_amp.CUDA, input, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{input.dtype.name.capitalize()} and {other.dtype.name.capitalize()}")
    if _amp.active:  # on CPU it keeps its dtype: the matmul inside must not cast
        return _amp.plain(matmul, input, other, out=out)
    return matmul(input, other, out=out)


inner_ = dot


def vdot(input, other):
    return dot(input.conj() if input.is_complex() else input, other)


def outer(input, vec2):
    return input.reshape(-1, 1) * vec2  # as PyTorch: only the first operand is reshaped


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


_conjugating(AddmmBackward0)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``."""
    if _amp.active and out is None:
        input, mat1, mat2 = _amp.lower(_amp.BOTH, input, mat1, mat2)
    x, y = _operands(mat1, mat2, "addmm")
    if x.ndim != 2 or y.ndim != 2:
        raise RuntimeError("mat1 must be a matrix, got " + str(x.ndim) + "-D tensor")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                           f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
    half = x.dtype if is_half(x) else None
    if half is not None:  # accumulate in float32, round once (see _matmul_arrays)
        x, y = x.astype(F32), y.astype(F32)
    prod = gemm_mm(x, y)
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
    if half is not None:
        res = res.astype(half)
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
    if _amp.active:
        input, mat, vec = _amp.lower(_amp.CUDA, input, mat, vec)
    return input * beta + alpha * mv(mat, vec) if beta != 1 or alpha != 1 else input + mv(mat,
                                                                                          vec)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    if _amp.active:
        input, batch1, batch2 = _amp.lower(_amp.BOTH, input, batch1, batch2)
    return beta * input + alpha * bmm(batch1, batch2).sum(0)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    if _amp.active:
        input, batch1, batch2 = _amp.lower(_amp.BOTH, input, batch1, batch2)
    prod = bmm(batch1, batch2)
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        return prod
    return prod + (input if beta == 1 else input * beta)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    if _amp.active:
        input, vec1, vec2 = _amp.lower(_amp.CUDA, input, vec1, vec2)
    return beta * input + alpha * outer(vec1, vec2)


# ---------------------------------------------------------------- more products
def inner(input, other, *, out=None):
    """Sum product over the last dims (``a @ b`` for vectors; 0-d inputs multiply)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def vecdot(x, y, *, dim=-1):
    """Dot product of vectors along ``dim`` (with broadcasting)."""
    if _amp.active:
        x, y = _amp.lower(_amp.BOTH, x, y)
    return (x * y).sum(dim)


def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` dimensions of ``a`` with those of ``b`` (one GEMM)."""
    if _amp.active and _amp.region(_amp.CUDA, a, b):
        # CUDA's promote list; on CPU it is built from matmul, which casts, as in PyTorch
        a, b = _amp.promote(_amp.CUDA, a, b)
        return _amp.plain(tensordot, a, b, dims, out)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(a.ndim - dims, a.ndim))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(f"both dimension lists should have same length")
    from ._util import wrap_dim
    da = [wrap_dim(d, a.ndim) for d in da]
    db = [wrap_dim(d, b.ndim) for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    fa = [i for i in range(a.ndim) if i not in da]
    fb = [i for i in range(b.ndim) if i not in db]
    K = int(np.prod([a.shape[i] for i in da])) if da else 1
    sa = tuple(a.shape[i] for i in fa)
    sb = tuple(b.shape[i] for i in fb)
    pa = fa + da
    pb = db + fb
    at = a.permute(pa) if pa != list(range(a.ndim)) else a
    bt = b.permute(pb) if pb != list(range(b.ndim)) else b
    res = matmul(at.reshape(int(np.prod(sa)) if sa else 1, K),
                 bt.reshape(K, int(np.prod(sb)) if sb else 1)).reshape(sa + sb)
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def _unsafe(t):
    """Relabel a reshape's ViewBackward0 as PyTorch's _unsafe_view (kron uses those)."""
    from .shape import UnsafeViewBackward0, ViewBackward0
    if type(t._grad_fn) is ViewBackward0:
        t._grad_fn.__class__ = UnsafeViewBackward0
    return t


def kron(input, other, *, out=None):
    """Kronecker product."""
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    ia, ib = [], []
    for x, y in zip(sa, sb):
        ia += [x, 1]
        ib += [1, y]
    a = _unsafe(input.reshape(ia))
    b = _unsafe(other.reshape(ib))
    res = _unsafe((a * b).reshape(tuple(x * y for x, y in zip(sa, sb))))
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices (first/last may be vectors)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    res = tensors[0]
    for t in tensors[1:]:
        res = matmul(res, t)
    return res


def chain_matmul(*matrices, out=None):
    return multi_dot(matrices)


# ---------------------------------------------------------------- trace / diag
class TraceBackward0(Node):
    __slots__ = ("_shape",)

    def backward(self, g):
        from .shape import diag_embed_into
        n = builtins_min(self._shape)
        return diag_embed_into(g.expand(n), self._shape, 0, 0, 1)


builtins_min = min


def trace(input):
    """Sum of the main diagonal of a 2-D tensor."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if _amp.active:
        input, = _amp.fp32(_amp.CPU, input)
    d = input._data
    res = wrap(arr(d.trace()))
    if state.enabled and input._requires_grad:
        node = TraceBackward0()
        node._shape = d.shape
        attach(res, node, (input,))
    return res


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (dim1, dim2) diagonals (at ``offset``) are filled by input's last dim."""
    from ._util import wrap_dim
    from .shape import diag_embed_into
    nd = input.ndim + 1
    d1 = wrap_dim(dim1, nd)
    d2 = wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = (input.shape[-1] if input.ndim else 1) + abs(offset)
    rest = list(input.shape[:-1])
    shape = []
    for i in range(nd):
        shape.append(n if i in (d1, d2) else rest.pop(0))
    src = input if input.ndim else input.reshape(1)
    from .shape import DiagEmbedBackward0
    return diag_embed_into(src, tuple(shape), offset, d1, d2, DiagEmbedBackward0)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with it on a diagonal; 2-D input: a diagonal (a copy)."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return input.diagonal(diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input, offset=0):
    return diag_embed(input.reshape(-1), offset, 0, 1)


# ---------------------------------------------------------------- cross product
def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (inputs broadcast)."""
    from ._util import wrap_dim
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    from .indexing import index_select
    i1 = Tensor._wrap(np.array([1, 2, 0], np.int64))
    i2 = Tensor._wrap(np.array([2, 0, 1], np.int64))
    a1, a2 = index_select(input, d, i1), index_select(input, d, i2)
    b1, b2 = index_select(other, d, i1), index_select(other, d, i2)
    res = a1 * b2 - a2 * b1
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def cross(input, other, dim=None, *, out=None):
    """``torch.cross``: without ``dim``, the first dimension of size 3 (deprecated default)."""
    if dim is None:
        import warnings
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


# ---------------------------------------------------------------- norms
class LinalgVectorNormBackward0(Node):
    __slots__ = ("_ord", "_dims", "_keep")

    def backward(self, g):
        from .elementwise import where
        (x,) = self.saved_tensors
        out = self.saved_output()
        p = self._ord
        dims = self._dims
        if not self._keep:
            for d in dims:
                g = g.unsqueeze(d)
                out = out.unsqueeze(d)
        if p == 0:
            return x * 0
        if p == 1:
            return x.sgn() * g
        if p == 2:
            return x * _safe_div(g, out)
        if p in (float("inf"), float("-inf")):
            mask = (x.abs() == out).to(g.dtype)
            return x.sgn() * mask * (g / mask.sum(dims, keepdim=True))
        ax = x.abs()
        if p < 1:
            scaled = where(x == 0, 0.0, x.sgn() * ax.pow(p - 1))
        else:
            scaled = x.sgn() * ax.pow(p - 1)
        return scaled * _safe_div(g, out.pow(p - 1))


def _safe_div(g, d):
    """g / d where d != 0, else 0 (PyTorch's convention for norms at zero)."""
    from .elementwise import where
    zero = d == 0
    return where(zero, 0.0, g / where(zero, 1.0, d))


def _norm_dims(dim, ndim):
    from ._util import wrap_dims
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    return wrap_dims(tuple(dim), ndim) if ndim else ()


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of the vectors along ``dim`` (all elements when dim is None)."""
    from .decomposition import _dtype_word
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.vector_norm(): argument 'x' must be Tensor, not "
                        f"{type(x).__name__}")
    k = x._data.dtype
    if k.kind not in "fc" and k.name != "bfloat16":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtype_word(k)}")
    if dtype is not None:
        x = x.to(dtype)
    d = x._data
    dims = _norm_dims(dim, d.ndim)
    p = float(ord)
    if d.size == 0 and p < 0 or (p == float("inf") and any(d.shape[i] == 0 for i in dims)):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                           "because the operation does not have an identity")
    a = np.abs(d)
    if p == 2:
        r = np.sqrt(np.sum(a * a, axis=dims, keepdims=keepdim))
    elif p == 1:
        r = np.sum(a, axis=dims, keepdims=keepdim)
    elif p == float("inf"):
        r = np.max(a, axis=dims, keepdims=keepdim)
    elif p == float("-inf"):
        r = np.min(a, axis=dims, keepdims=keepdim)
    elif p == 0:
        r = np.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
    else:
        with np.errstate(divide="ignore"):
            r = np.sum(a ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
    res = wrap(arr(np.asarray(r, dtype=a.dtype)))
    if state.enabled and x._requires_grad:
        node = LinalgVectorNormBackward0()
        node._ord = p
        node._dims = dims
        node._keep = keepdim
        node.save_for_backward(x)
        attach(res, node, (x,))
        node.save_output(res)
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, 1, -1, 2, -2, inf or -inf norm of matrices over ``dim``."""
    from ._util import wrap_dim
    from .decomposition import check_float, svdvals
    check_float(A, "linalg.matrix_norm")
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    dim = tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = wrap_dim(dim[0], A.ndim), wrap_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    inf = float("inf")
    if ord == "fro":
        res = vector_norm(A, 2, (d0, d1), keepdim)
    elif ord in ("nuc", 2, -2):
        B = A.movedim((d0, d1), (-2, -1))
        s = svdvals(B)
        if ord == "nuc":
            res = s.sum(-1)
        else:
            res = s.amax(-1) if ord == 2 else s.amin(-1)
        if keepdim:
            for d in sorted((d0, d1)):
                res = res.unsqueeze(d)
    elif ord in (1, -1, inf, -inf):
        red, other = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = A.abs().sum(red, keepdim=True)
        res = s.amax(other, keepdim=True) if ord > 0 else s.amin(other, keepdim=True)
        if not keepdim:
            res = res.squeeze((d0, d1))
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if out is not None:
        from .conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """``torch.linalg.norm``: vector or matrix norm depending on ``ord`` and ``dim``."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or (dim is None and ord is not None and A.ndim == 2):
        return matrix_norm(A, "fro" if ord is None else ord, dim if dim is not None else (-2, -1),
                           keepdim, dtype=dtype, out=out)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm`` (deprecated API): 'fro', 'nuc' or a number ``p``."""
    if isinstance(dim, int):
        dim = (dim,)
    if p == "nuc":
        return matrix_norm(input, "nuc", dim if dim is not None else (-2, -1), keepdim,
                           dtype=dtype, out=out)
    if p == "fro" or p is None:
        if dim is not None and len(dim) > 2:
            raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions")
        return vector_norm(input, 2, dim, keepdim, dtype=dtype, out=out)
    if isinstance(p, str):
        raise RuntimeError(f"norm(): unsupported p value {p}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype, out=out)


# ---------------------------------------------------------------- pairwise distances
class CdistBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        from .elementwise import where
        x1, x2 = self.saved_tensors
        dist = self.saved_output()
        w = _safe_div(g, dist)  # (.., P, R); a zero distance gives a zero gradient
        g1 = g2 = None
        if self._next[0] is not None:
            g1 = x1 * w.sum(-1, keepdim=True) - w @ x2
            g1 = sum_to(g1, x1._data.shape)
        if self._next[1] is not None:
            g2 = x2 * w.sum(-2).unsqueeze(-1) - w.mT @ x1
            g2 = sum_to(g2, x2._data.shape)
        return g1, g2


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Pairwise ``p``-norm distances between the rows of x1 (.., P, M) and x2 (.., R, M)."""
    if _amp.active:
        x1, x2 = _amp.fp32(_amp.BOTH, x1, x2)
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D" if
                           x1.ndim < 2 else
                           f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1._data.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: "
                           f"{x1.dtype.name.capitalize()}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values")
    if p != 2:
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        return vector_norm(diff, p, -1)
    a, b = x1._data, x2._data
    if compute_mode == "use_mm_for_euclid_dist" or (
            compute_mode == "use_mm_for_euclid_dist_if_necessary" and
            (a.shape[-2] > 25 or b.shape[-2] > 25)):
        # |x - y|^2 = |x|^2 + |y|^2 - 2 x.y : one GEMM instead of a (P, R, M) difference.
        sq = (a * a).sum(-1)[..., :, None] + (b * b).sum(-1)[..., None, :] - 2 * (
            a @ np.swapaxes(b, -1, -2))
        np.maximum(sq, 0, out=sq)
    else:  # small inputs: the exact difference form, as PyTorch does
        diff = a[..., :, None, :] - b[..., None, :, :]
        sq = np.asarray((diff * diff).sum(-1))
    res = wrap(np.sqrt(sq))
    if state.enabled and (x1._requires_grad or x2._requires_grad):
        node = CdistBackward0()
        node.save_for_backward(x1, x2)
        attach(res, node, (x1, x2))
        node.save_output(res)
    return res
