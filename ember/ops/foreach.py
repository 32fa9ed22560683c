"""``torch._foreach_*``: one op applied across a list of tensors.

PyTorch fuses these into multi-tensor kernels; here each is the per-tensor op in a loop over
the list (the list, not the elements), so autograd, type promotion and in-place checks are
exactly those of the single-tensor op. Out-of-place forms return a tuple; in-place forms
return the input sequence itself, as PyTorch does.
"""
import numbers

from ..tensor import Tensor

_UNARY = ("abs", "acos", "asin", "atan", "ceil", "cos", "cosh", "erf", "erfc", "exp", "expm1",
          "floor", "frac", "lgamma", "log", "log10", "log1p", "log2", "neg", "reciprocal",
          "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "sqrt", "tan", "tanh", "trunc")
_BINARY = ("add", "sub", "mul", "div", "maximum", "minimum", "clamp_min", "clamp_max", "pow")


def _check_list(name, tensors):
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{name}(): argument 'self' must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    if len(tensors) == 0:
        raise RuntimeError("Tensor list must have at least one tensor.")


def _per_tensor(name, tensors, other):
    """``other`` spread over ``tensors``: a scalar or a 0-d tensor repeats; a list pairs up."""
    if isinstance(other, (list, tuple)):
        if len(other) != len(tensors):
            kind = "Tensor lists" if other and isinstance(other[0], Tensor) else \
                "Tensor list and scalar list"
            raise RuntimeError(f"{kind} must have the same number of tensors, got "
                               f"{len(tensors)} and {len(other)}")
        return list(other)
    if isinstance(other, Tensor) and other.dim() != 0:
        raise RuntimeError(f"scalar tensor expected to be 0 dim but it has {other.dim()} "
                           f"dimensions and {other.numel()} elements.")
    if not isinstance(other, (Tensor, numbers.Number)):
        raise TypeError(f"{name}(): unsupported argument of type {type(other).__name__}")
    return [other] * len(tensors)


def _unary(op):
    def out_of_place(self):
        _check_list(f"_foreach_{op}", self)
        return tuple(getattr(t, op)() for t in self)

    def in_place(self):
        _check_list(f"_foreach_{op}_", self)
        for t in self:
            getattr(t, op + "_")()
        return self

    out_of_place.__name__, in_place.__name__ = f"_foreach_{op}", f"_foreach_{op}_"
    return out_of_place, in_place


def _binary(op):
    takes_alpha = op in ("add", "sub")

    def call(t, o, alpha, suffix):
        fn = getattr(t, op + suffix)
        if takes_alpha and alpha != 1:
            return fn(o, alpha=alpha)
        return fn(o)

    def out_of_place(self, other, alpha=1):
        _check_list(f"_foreach_{op}", self)
        return tuple(call(t, o, alpha, "")
                     for t, o in zip(self, _per_tensor(f"_foreach_{op}", self, other)))

    def in_place(self, other, alpha=1):
        _check_list(f"_foreach_{op}_", self)
        for t, o in zip(self, _per_tensor(f"_foreach_{op}_", self, other)):
            call(t, o, alpha, "_")
        return self

    out_of_place.__name__, in_place.__name__ = f"_foreach_{op}", f"_foreach_{op}_"
    return out_of_place, in_place


_ns = globals()
__all__ = []
for _op in _UNARY:
    _ns[f"_foreach_{_op}"], _ns[f"_foreach_{_op}_"] = _unary(_op)
    __all__ += [f"_foreach_{_op}", f"_foreach_{_op}_"]
for _op in _BINARY:
    _ns[f"_foreach_{_op}"], _ns[f"_foreach_{_op}_"] = _binary(_op)
    __all__ += [f"_foreach_{_op}", f"_foreach_{_op}_"]

_binary_pow = _ns["_foreach_pow"]


def _foreach_pow(self, exponent):
    """``self`` may also be a scalar raised to each tensor of the list ``exponent``."""
    if isinstance(self, numbers.Number):
        _check_list("_foreach_pow", exponent)
        from .. import pow as _pow
        return tuple(_pow(self, t) for t in exponent)
    return _binary_pow(self, exponent)


def _lerp(self, tensors1, weight, suffix):
    name = "_foreach_lerp" + suffix
    _check_list(name, self)
    ends = _per_tensor(name, self, tensors1)
    weights = _per_tensor(name, self, weight)
    return [getattr(s, "lerp" + suffix)(e, w) for s, e, w in zip(self, ends, weights)]


def _foreach_lerp(self, tensors1, weight):
    return tuple(_lerp(self, tensors1, weight, ""))


def _foreach_lerp_(self, tensors1, weight):
    _lerp(self, tensors1, weight, "_")
    return self


def _pointwise(op):
    def values(name, self, scalars):
        if isinstance(scalars, Tensor) and scalars.dim() == 1:  # one value per tensor
            scalars = scalars.tolist()
        return _per_tensor(name, self, scalars)

    def apply(self, tensor1, tensor2, value, suffix):
        name = f"_foreach_{op}{suffix}"
        _check_list(name, self)
        t1, t2 = _per_tensor(name, self, tensor1), _per_tensor(name, self, tensor2)
        vals = values(name, self, value)
        return [getattr(s, op + suffix)(a, b, value=v) for s, a, b, v in zip(self, t1, t2, vals)]

    def out_of_place(self, tensor1, tensor2, value=1):
        return tuple(apply(self, tensor1, tensor2, value, ""))

    def in_place(self, tensor1, tensor2, value=1):
        apply(self, tensor1, tensor2, value, "_")
        return self

    return out_of_place, in_place


_foreach_addcmul, _foreach_addcmul_ = _pointwise("addcmul")
_foreach_addcdiv, _foreach_addcdiv_ = _pointwise("addcdiv")


def _foreach_norm(self, ord=2, dtype=None):
    from ..linalg import vector_norm
    _check_list("_foreach_norm", self)
    return tuple(vector_norm(t, ord, dtype=dtype) for t in self)


def _foreach_max(self):
    _check_list("_foreach_max", self)
    return tuple(t.max() for t in self)


def _foreach_powsum(self, ord=2, dtype=None):
    """Sum of ``|x| ** ord`` per tensor (``_foreach_norm`` before the root)."""
    _check_list("_foreach_powsum", self)
    return tuple(t.abs().pow(ord).sum(dtype=dtype) for t in self)


def _foreach_mm(self, mat2):
    _check_list("_foreach_mm", self)
    return tuple(a.mm(b) for a, b in zip(self, _per_tensor("_foreach_mm", self, mat2)))


def _foreach_zero_(self):
    _check_list("_foreach_zero_", self)
    for t in self:
        t.zero_()
    return self


def _foreach_copy_(self, src, non_blocking=False):
    _check_list("_foreach_copy_", self)
    for t, s in zip(self, _per_tensor("_foreach_copy_", self, src)):
        t.copy_(s)
    return self


def _foreach_clone(self):
    _check_list("_foreach_clone", self)
    return tuple(t.clone() for t in self)


__all__ += ["_foreach_lerp", "_foreach_lerp_", "_foreach_addcmul", "_foreach_addcmul_",
            "_foreach_addcdiv", "_foreach_addcdiv_", "_foreach_norm", "_foreach_max",
            "_foreach_powsum", "_foreach_mm", "_foreach_zero_", "_foreach_copy_",
            "_foreach_clone"]
