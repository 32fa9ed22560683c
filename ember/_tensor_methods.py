"""Binds the ops in ``ember.ops`` to ``Tensor`` as methods, operators and in-place variants.

Kept apart from tensor.py so that the ops can import Tensor without a cycle.
"""
import types

from . import random as _random
from .ops import complex as _cx
from .ops import conversion as _cv
from .ops import creation as _cr
from .ops import cumulative as _cu
from .ops import decomposition as _dc
from .ops import elementwise as _ew
from .ops import indexing as _ix
from .ops import linalg as _la
from .ops import linalg_extra as _lx
from .ops import numeric as _nm
from .ops import reduction as _rd
from .ops import shape as _sh
from .ops import sorting as _so
from .ops._util import inplace as _inplace
from .tensor import Tensor


def _method(fn):
    if isinstance(fn, types.FunctionType):
        return fn  # a plain function binds as a method itself: no wrapper frame per call
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)
    m.__name__ = getattr(fn, "__name__", "method")
    m.__doc__ = fn.__doc__
    return m


_DIRECT = {
    # elementwise
    "add": _ew.add, "sub": _ew.sub, "subtract": _ew.sub, "mul": _ew.mul, "multiply": _ew.mul,
    "div": _ew.div, "divide": _ew.div, "true_divide": _ew.div, "floor_divide": _ew.floor_divide,
    "pow": _ew.pow, "float_power": _ew.float_power, "maximum": _ew.maximum,
    "minimum": _ew.minimum, "fmax": _ew.fmax, "fmin": _ew.fmin, "atan2": _ew.atan2,
    "arctan2": _ew.atan2, "hypot": _ew.hypot, "fmod": _ew.fmod, "remainder": _ew.remainder,
    "copysign": _ew.copysign, "logaddexp": _ew.logaddexp, "logaddexp2": _ew.logaddexp2,
    "xlogy": _ew.xlogy, "rsub": _ew.rsub,
    "exp": _ew.exp, "exp2": _ew.exp2, "expm1": _ew.expm1, "log": _ew.log, "log2": _ew.log2,
    "log10": _ew.log10, "log1p": _ew.log1p, "sqrt": _ew.sqrt, "rsqrt": _ew.rsqrt,
    "sin": _ew.sin, "cos": _ew.cos, "tan": _ew.tan, "asin": _ew.asin, "acos": _ew.acos,
    "atan": _ew.atan, "arcsin": _ew.asin, "arccos": _ew.acos, "arctan": _ew.atan,
    "sinh": _ew.sinh, "cosh": _ew.cosh, "tanh": _ew.tanh, "asinh": _ew.asinh,
    "acosh": _ew.acosh, "atanh": _ew.atanh, "arcsinh": _ew.asinh, "arccosh": _ew.acosh,
    "arctanh": _ew.atanh, "sigmoid": _ew.sigmoid, "relu": _ew.relu, "abs": _ew.abs,
    "absolute": _ew.abs, "neg": _ew.neg, "negative": _ew.neg, "sign": _ew.sign, "sgn": _ew.sgn,
    "floor": _ew.floor, "ceil": _ew.ceil, "round": _ew.round, "trunc": _ew.trunc,
    "fix": _ew.trunc, "frac": _ew.frac, "reciprocal": _ew.reciprocal, "square": _ew.square,
    "erf": _ew.erf, "erfc": _ew.erfc, "erfinv": _ew.erfinv, "lgamma": _ew.lgamma,
    "digamma": _ew.digamma, "i0": _ew.i0, "sinc": _ew.sinc, "deg2rad": _ew.deg2rad,
    "rad2deg": _ew.rad2deg, "positive": _ew.positive, "logit": _ew.logit,
    "where": lambda self, condition, y: _ew.where(condition, self, y),
    "clamp": _ew.clamp, "clip": _ew.clamp, "clamp_min": _ew.clamp_min,
    "clamp_max": _ew.clamp_max, "lerp": _ew.lerp, "addcmul": _ew.addcmul,
    "addcdiv": _ew.addcdiv, "nan_to_num": _ew.nan_to_num,
    "eq": _ew.eq, "ne": _ew.ne, "lt": _ew.lt, "le": _ew.le, "gt": _ew.gt, "ge": _ew.ge,
    "not_equal": _ew.ne, "less": _ew.lt, "less_equal": _ew.le, "greater": _ew.gt,
    "greater_equal": _ew.ge, "isnan": _ew.isnan, "isinf": _ew.isinf, "isfinite": _ew.isfinite,
    "isposinf": _ew.isposinf, "isneginf": _ew.isneginf, "isreal": _ew.isreal,
    "signbit": _ew.signbit, "logical_and": _ew.logical_and, "logical_or": _ew.logical_or,
    "logical_xor": _ew.logical_xor, "logical_not": _ew.logical_not,
    "bitwise_and": _ew.bitwise_and, "bitwise_or": _ew.bitwise_or,
    "bitwise_xor": _ew.bitwise_xor, "bitwise_not": _ew.bitwise_not,
    "bitwise_left_shift": _ew.bitwise_left_shift,
    "bitwise_right_shift": _ew.bitwise_right_shift,
    "equal": _ew.equal, "isclose": _ew.isclose, "allclose": _ew.allclose,
    "polygamma": lambda self, n: _ew.polygamma(n, self),
    # reductions
    "sum": _rd.sum, "nansum": _rd.nansum, "mean": _rd.mean, "nanmean": _rd.nanmean,
    "prod": _rd.prod, "max": _rd.max, "min": _rd.min, "amax": _rd.amax, "amin": _rd.amin,
    "aminmax": _rd.aminmax, "argmax": _rd.argmax, "argmin": _rd.argmin, "var": _rd.var,
    "std": _rd.std, "logsumexp": _rd.logsumexp, "all": _rd.all, "any": _rd.any,
    "count_nonzero": _rd.count_nonzero, "softmax": _rd.softmax, "median": _rd.median,
    "nanmedian": _rd.nanmedian, "mode": _rd.mode, "cumsum": _cu.cumsum, "cumprod": _cu.cumprod,
    "cummax": _cu.cummax, "cummin": _cu.cummin, "logcumsumexp": _cu.logcumsumexp,
    "log_softmax": _rd.log_softmax,
    # shape
    "view": _sh.view, "view_as": _sh.view_as, "reshape": _sh.reshape,
    "reshape_as": _sh.reshape_as, "flatten": _sh.flatten, "unflatten": _sh.unflatten,
    "permute": _sh.permute, "transpose": _sh.transpose, "swapaxes": _sh.transpose,
    "swapdims": _sh.transpose, "t": _sh.t, "adjoint": _sh.adjoint, "movedim": _sh.movedim,
    "moveaxis": _sh.movedim, "expand": _sh.expand, "expand_as": _sh.expand_as,
    "broadcast_to": _sh.broadcast_to, "squeeze": _sh.squeeze, "unsqueeze": _sh.unsqueeze,
    "narrow": _sh.narrow, "select": _sh.select, "unbind": _sh.unbind, "split": _sh.split,
    "split_with_sizes": _sh.split_with_sizes, "chunk": _sh.chunk,
    "tensor_split": _sh.tensor_split, "diagonal": _sh.diagonal, "flip": _sh.flip,
    "fliplr": _sh.fliplr, "flipud": _sh.flipud, "roll": _sh.roll, "rot90": _sh.rot90,
    "repeat": _sh.repeat, "tile": _sh.tile, "repeat_interleave": _sh.repeat_interleave,
    "clone": _sh.clone, "contiguous": _sh.contiguous, "unfold": _sh.unfold,
    "as_strided": _sh.as_strided,
    # indexing
    "gather": _ix.gather, "index_select": _ix.index_select, "masked_fill": _ix.masked_fill,
    "nonzero": _ix.nonzero, "argwhere": _ix.argwhere,
    "scatter": _ix.scatter, "scatter_add": _ix.scatter_add,
    "scatter_reduce": _ix.scatter_reduce, "index_add": _ix.index_add,
    "index_copy": _ix.index_copy, "index_fill": _ix.index_fill, "index_put": _ix.index_put,
    "masked_select": _ix.masked_select, "masked_scatter": _ix.masked_scatter,
    "take": _ix.take, "take_along_dim": _ix.take_along_dim,
    # numeric helpers (ops/numeric.py, ops/linalg_extra.py)
    "diff": _nm.diff, "sum_to_size": _nm.sum_to_size,
    "quantile": _nm.quantile, "nanquantile": _nm.nanquantile, "dist": _nm.dist,
    "renorm": _nm.renorm, "gcd": _nm.gcd, "lcm": _nm.lcm, "heaviside": _nm.heaviside,
    "frexp": _nm.frexp, "ldexp": _nm.ldexp, "nextafter": _nm.nextafter, "hsplit": _nm.hsplit,
    "vsplit": _nm.vsplit, "dsplit": _nm.dsplit, "ravel": _nm.ravel, "cov": _nm.cov,
    "corrcoef": _nm.corrcoef, "histogram": _nm.histogram, "mvlgamma": _nm.mvlgamma,
    "index_reduce": _nm.index_reduce, "select_scatter": _nm.select_scatter,
    "slice_scatter": _nm.slice_scatter, "diagonal_scatter": _nm.diagonal_scatter,
    "is_same_size": _nm.is_same_size, "matrix_exp": _lx.matrix_exp,
    "cholesky_solve": _lx.cholesky_solve, "cholesky_inverse": _lx.cholesky_inverse,
    "lu_solve": lambda self, LU_data, LU_pivots: _lx.lu_solve(LU_data, LU_pivots, self),
    "triangular_solve": _lx.triangular_solve,
    # linear algebra
    "matmul": _la.matmul, "mm": _la.mm, "bmm": _la.bmm, "mv": _la.mv, "dot": _la.dot,
    "vdot": _la.vdot, "outer": _la.outer, "ger": _la.outer, "addmm": _la.addmm,
    "addmv": _la.addmv, "addbmm": _la.addbmm, "baddbmm": _la.baddbmm, "addr": _la.addr,
    "inner": _la.inner, "kron": _la.kron, "tensordot": _la.tensordot, "trace": _la.trace,
    "diag": _la.diag, "diag_embed": _la.diag_embed, "diagflat": _la.diagflat,
    "cross": _la.cross, "norm": _la.norm, "det": _dc.det, "logdet": _dc.logdet,
    "slogdet": _dc.slogdet, "inverse": _dc.inv, "cholesky": _dc.cholesky_legacy,
    "qr": _dc.qr_legacy, "svd": _dc.svd_legacy, "pinverse": _dc.pinverse,
    "matrix_power": _dc.matrix_power,
    # sorting
    "sort": _so.sort, "argsort": _so.argsort, "msort": _so.msort, "topk": _so.topk,
    "kthvalue": _so.kthvalue, "unique": _so.unique,
    "unique_consecutive": _so.unique_consecutive, "bincount": _so.bincount,
    "histc": _so.histc,
    # creation
    "new_tensor": _cr.new_tensor, "new_zeros": _cr.new_zeros, "new_ones": _cr.new_ones,
    "new_empty": _cr.new_empty, "new_full": _cr.new_full, "tril": _cr.tril, "triu": _cr.triu,
    # in-place writes
    "copy_": _cv.copy_, "fill_": _cv.fill_, "zero_": _cv.zero_,
    # random in-place samplers
    "uniform_": _random.uniform_, "normal_": _random.normal_,
    "bernoulli_": _random.bernoulli_, "random_": _random.random_,
    "exponential_": _random.exponential_, "geometric_": _random.geometric_,
    "log_normal_": _random.log_normal_, "cauchy_": _random.cauchy_,
}

# in-place variants: name_ -> (out-of-place op, does its backward need self's old value?)
_INPLACE = {
    "add": (_ew.add, False, _ew.np.add), "sub": (_ew.sub, False, _ew.np.subtract),
    "subtract": (_ew.sub, False, _ew.np.subtract), "mul": (_ew.mul, True, _ew.np.multiply),
    "multiply": (_ew.mul, True, _ew.np.multiply), "div": (_ew.div, True, None),
    "divide": (_ew.div, True, None), "true_divide": (_ew.div, True, None),
    "floor_divide": (_ew.floor_divide, True, None), "pow": (_ew.pow, True, None),
    "float_power": (_ew.float_power, True, None),
    "fmod": (_ew.fmod, True, None), "remainder": (_ew.remainder, True, None),
    "atan2": (_ew.atan2, True, None), "arctan2": (_ew.atan2, True, None),
    "hypot": (_ew.hypot, True, None), "copysign": (_ew.copysign, True, None),
    "maximum": (_ew.maximum, True, None), "minimum": (_ew.minimum, True, None),
    "lerp": (_ew.lerp, True, None), "addcmul": (_ew.addcmul, True, None),
    "addcdiv": (_ew.addcdiv, True, None), "clamp": (_ew.clamp, True, None),
    "clip": (_ew.clamp, True, None), "clamp_min": (_ew.clamp_min, True, None),
    "clamp_max": (_ew.clamp_max, True, None), "nan_to_num": (_ew.nan_to_num, True, None),
    "masked_fill": (_ix.masked_fill, False, None), "xlogy": (_ew.xlogy, True, None),
    "scatter": (_ix.scatter, False, None), "scatter_add": (_ix.scatter_add, False, None),
    "scatter_reduce": (_ix.scatter_reduce, False, None),
    "index_add": (_ix.index_add, False, None), "index_copy": (_ix.index_copy, False, None),
    "index_fill": (_ix.index_fill, False, None), "index_put": (_ix.index_put, False, None),
    "masked_scatter": (_ix.masked_scatter, False, None),
    "logical_and": (_ew.logical_and, False, None), "logical_or": (_ew.logical_or, False, None),
    "logical_xor": (_ew.logical_xor, False, None), "logical_not": (_ew.logical_not, False, None),
    "bitwise_and": (_ew.bitwise_and, False, None), "bitwise_or": (_ew.bitwise_or, False, None),
    "bitwise_xor": (_ew.bitwise_xor, False, None), "bitwise_not": (_ew.bitwise_not, False, None),
    "bitwise_left_shift": (_ew.bitwise_left_shift, False, None),
    "bitwise_right_shift": (_ew.bitwise_right_shift, False, None),
    "eq": (_ew.eq, False, None), "ne": (_ew.ne, False, None), "lt": (_ew.lt, False, None),
    "le": (_ew.le, False, None), "gt": (_ew.gt, False, None), "ge": (_ew.ge, False, None),
    "addmm": (_la.addmm, True, None), "baddbmm": (_la.baddbmm, True, None),
    "tril": (_cr.tril, False, None), "triu": (_cr.triu, False, None),
    "cumsum": (_cu.cumsum, False, None), "cumprod": (_cu.cumprod, True, None),
    "renorm": (_nm.renorm, True, None), "gcd": (_nm.gcd, False, None),
    "lcm": (_nm.lcm, False, None), "heaviside": (_nm.heaviside, False, None),
    "ldexp": (_nm.ldexp, True, None), "nextafter": (_nm.nextafter, False, None),
    "index_reduce": (_nm.index_reduce, False, None), "mvlgamma": (_nm.mvlgamma, True, None),
    "greater": (_ew.gt, False, None), "greater_equal": (_ew.ge, False, None),
    "less": (_ew.lt, False, None), "less_equal": (_ew.le, False, None),
    "not_equal": (_ew.ne, False, None),
}
for _name in ("exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin",
              "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh",
              "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "relu", "abs", "absolute",
              "neg", "negative", "sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "frac",
              "reciprocal", "square", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0",
              "sinc", "deg2rad", "rad2deg", "logit"):
    _INPLACE[_name] = (_DIRECT[_name], True, None)


def _install():
    for name, fn in _DIRECT.items():
        setattr(Tensor, name, _method(fn))
    for name, (fn, saves, fast) in _INPLACE.items():
        setattr(Tensor, name + "_", _ew._make_inplace(fn, saves_self=saves, fast=fast))

    T = Tensor
    T.__add__ = _ew.add
    T.__radd__ = _ew.add
    T.__sub__ = _ew.sub
    T.__rsub__ = _ew.rsub
    T.__mul__ = _ew.mul
    T.__rmul__ = _ew.mul
    T.__truediv__ = _ew.div
    T.__rtruediv__ = _rtruediv
    T.__floordiv__ = lambda s, o: _ew.floor_divide(s, o)
    T.__rfloordiv__ = lambda s, o: _ew.floor_divide(_as_tensor_like(o, s), s)
    T.__mod__ = lambda s, o: _ew.remainder(s, o)
    T.__rmod__ = lambda s, o: _ew.remainder(o, s)
    T.__pow__ = lambda s, o: _ew.pow(s, o)
    T.__rpow__ = lambda s, o: _ew.pow(o, s)
    T.__matmul__ = lambda s, o: _la.matmul(s, o)
    T.__rmatmul__ = lambda s, o: _la.matmul(_as_tensor_like(o, s), s)
    T.__neg__ = _ew.neg
    T.__pos__ = lambda s: s
    T.__abs__ = _ew.abs
    T.__invert__ = _ew.invert
    T.__and__ = lambda s, o: _ew.bitwise_and(s, o)
    T.__rand__ = lambda s, o: _ew.bitwise_and(s, o)
    T.__or__ = lambda s, o: _ew.bitwise_or(s, o)
    T.__ror__ = lambda s, o: _ew.bitwise_or(s, o)
    T.__xor__ = lambda s, o: _ew.bitwise_xor(s, o)
    T.__rxor__ = lambda s, o: _ew.bitwise_xor(s, o)
    T.__lshift__ = lambda s, o: _ew.bitwise_left_shift(s, o)
    T.__rshift__ = lambda s, o: _ew.bitwise_right_shift(s, o)
    T.__rlshift__ = lambda s, o: _ew.bitwise_left_shift(o, s)
    T.__rrshift__ = lambda s, o: _ew.bitwise_right_shift(o, s)
    T.__eq__ = lambda s, o: _ew.eq(s, o) if _comparable(o) else NotImplemented
    T.__ne__ = lambda s, o: _ew.ne(s, o) if _comparable(o) else NotImplemented
    T.__lt__ = lambda s, o: _ew.lt(s, o)
    T.__le__ = lambda s, o: _ew.le(s, o)
    T.__gt__ = lambda s, o: _ew.gt(s, o)
    T.__ge__ = lambda s, o: _ew.ge(s, o)
    T.__hash__ = object.__hash__
    T.__getitem__ = _ix.getitem
    T.__setitem__ = _ix.setitem
    T.__iadd__ = T.add_
    T.__isub__ = T.sub_
    T.__imul__ = T.mul_
    T.__itruediv__ = T.div_
    T.__ifloordiv__ = T.floor_divide_
    T.__imod__ = T.remainder_
    T.__ipow__ = T.pow_
    T.__iand__ = T.bitwise_and_
    T.__ior__ = T.bitwise_or_
    T.__ixor__ = T.bitwise_xor_
    T.__ilshift__ = T.bitwise_left_shift_
    T.__irshift__ = T.bitwise_right_shift_
    T.__imatmul__ = lambda s, o: _la.matmul(s, o)
    T.T = property(_T)
    T.mT = property(_sh.matrix_transpose)
    T.H = property(_H)
    T.mH = property(lambda s: _sh.adjoint(s, "mH"))
    T.conj = lambda s: s if not s.is_complex() else _cx.conj_physical(s)
    T.conj_physical = _cx.conj_physical
    T.real = property(_cx.real)
    T.imag = property(_cx.imag)
    T.angle = _cx.angle
    T.resolve_conj = lambda s: s
    T.resolve_neg = lambda s: s
    T.is_conj = lambda s: False
    T.dim_order = lambda s: tuple(sorted(range(s.ndim), key=lambda i: -s.stride()[i]))
    T.masked_fill_ = _ew._make_inplace(_ix.masked_fill, saves_self=False)
    for name in ("t", "transpose", "swapaxes", "swapdims", "squeeze", "unsqueeze",
                 "as_strided"):
        setattr(T, name + "_", _cv.inplace_view(getattr(_sh, name if name not in (
            "swapaxes", "swapdims") else "transpose")))
    T.resize_ = _cv.resize_
    T.resize_as_ = _cv.resize_as_
    T.fill_diagonal_ = _cv.fill_diagonal_
    T.is_signed = lambda s: s.dtype.is_signed
    T.bernoulli = lambda s, p=None, *, generator=None: (
        _random.bernoulli(s, generator=generator) if p is None else
        _random.bernoulli(_cr.full_like(s, p), generator=generator))
    T.multinomial = lambda s, num_samples, replacement=False, *, generator=None: \
        _random.multinomial(s, num_samples, replacement, generator=generator)
    T.apply_ = _apply_


def _T(self):
    # PyTorch: a permute view reversing the dims, whatever the dimension.
    return _sh.reverse_dims(self)


def _H(self):
    if self._data.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self._data.ndim}-D tensor.")
    t = _sh.transpose(self, 0, 1)
    return t.conj() if t.is_complex() else t


def _conj(self):
    from .ops._util import wrap
    return wrap(self._data.conj())


def _comparable(o):
    import numbers
    import numpy as np
    return isinstance(o, (Tensor, numbers.Number, np.ndarray, np.generic, list, tuple))


def _as_tensor_like(o, like):
    from .ops._util import to_tensor
    return to_tensor(o, like)


def _rtruediv(self, other):
    # PyTorch computes ``number / t`` as ``t.reciprocal() * number`` (values and grad_fn).
    if isinstance(other, (int, float, complex)) and not isinstance(other, bool) and \
            self._data.dtype.kind not in "biu":
        return _ew.mul(_ew.reciprocal(self), other)
    return _ew.div(_as_tensor_like(other, self), self)


def _apply_(self, fn):
    import numpy as np
    flat = self._data.reshape(-1)
    flat[...] = np.array([fn(v) for v in flat.tolist()], dtype=self._data.dtype)
    return self


_install()
from . import _tensor_gaps  # noqa: E402,F401  (formats, storages, stft, legacy methods)
