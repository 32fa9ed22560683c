"""Array-level helpers shared by the optimizers.

Every update runs in place on ``p._data`` with NumPy ufuncs (``out=``), never through
Tensor ops, so nothing is recorded and no per-element Python runs. Temporaries come from
a per-optimizer scratch pool, so a step allocates nothing after the first.
"""
import numpy as np

from .. import dtypes as _dt
from ..backends import native as _nk
from ..backends.dispatch import xp_of
from ..tensor import Tensor

_wrap = Tensor._wrap


def scalar_dtype():
    """dtype of 0-d state such as ``step`` (PyTorch: float64 if that is the default)."""
    return np.float64 if _dt.get_default_dtype() is _dt.float64 else np.float32


def scalar_tensor(value, dtype=None):
    """A 0-d state tensor (``step``, ``mu_product``...) holding ``value``."""
    return _wrap(np.array(value, dtype or scalar_dtype()))


def bump(t):
    """Increment a 0-d state tensor in place; return its new value as a Python float."""
    d = t._data
    d += 1
    t._vc[0] += 1
    return float(d)


def real(a):
    """A complex array viewed as real pairs (PyTorch's view_as_real); real arrays as is."""
    if a.dtype.kind == "c":
        return a.view(a.real.dtype)
    return a


def zeros_like(p):
    """A zero state tensor shaped like parameter ``p`` (same dtype and device)."""
    d = p._data
    return _wrap(xp_of(d).zeros(d.shape, d.dtype))


def full_like(p, value):
    d = p._data
    return _wrap(xp_of(d).full(d.shape, value, d.dtype))


class Scratch:
    """Reusable flat work buffers, one pool per (array module, dtype)."""

    __slots__ = ("_pools",)

    def __init__(self):
        self._pools = {}

    def get(self, like, k):
        """``k`` distinct C-contiguous work arrays shaped like ``like``."""
        n = like.size
        key = (type(like), like.dtype)
        pool = self._pools.get(key)
        if pool is None or pool[0].size < n or len(pool) < k:
            xp = xp_of(like)
            size = max(n, pool[0].size if pool else 0)
            pool = [xp.empty(size, like.dtype) for _ in range(max(k, len(pool or ())))]
            self._pools[key] = pool
        shape = like.shape
        return [pool[i][:n].reshape(shape) for i in range(k)]


def scratch(opt, like, k):
    """Work arrays from ``opt``'s pool (created lazily; not part of its state)."""
    pool = opt.__dict__.get("_scratch")
    if pool is None:
        pool = opt.__dict__["_scratch"] = Scratch()
    return pool.get(like, k)


def effective_grad(p, g, maximize, weight_decay, out):
    """The gradient after ``maximize`` (negation) and L2 ``weight_decay`` (``+ wd * p``),
    written to ``out`` only when it differs from ``g`` (the user's grad is never changed)."""
    if weight_decay:
        np.multiply(p, weight_decay, out=out)
        if maximize:
            np.subtract(out, g, out=out)
        else:
            np.add(out, g, out=out)
        return out
    if maximize:
        np.negative(g, out=out)
        return out
    return g


def lerp_(a, b, w, tmp):
    """``a.lerp_(b, w)`` in place: ``a += w * (b - a)``."""
    np.subtract(b, a, out=tmp)
    tmp *= w
    a += tmp


def mul_addcmul_(a, beta, g, value, tmp):
    """``a.mul_(beta).addcmul_(g, g, value=value)`` in place."""
    a *= beta
    np.multiply(g, g, out=tmp)
    tmp *= value
    a += tmp


def axpy_(y, alpha, x, tmp):
    """``y.add_(x, alpha=alpha)`` in place."""
    if alpha == 1:
        y += x
    elif alpha == -1:
        y -= x
    else:
        np.multiply(x, alpha, out=tmp)
        y += tmp


def params_with_grad(group):
    """The group's parameters that have a gradient, with their grad arrays."""
    out = []
    for p in group["params"]:
        g = p._grad
        if g is not None:
            out.append((p, g._data))
    return out


def check_dense(g, name):
    if getattr(g, "is_sparse", False):
        raise RuntimeError(f"{name} does not support sparse gradients")


def _native(*arrays):
    """The native optimizer kernels when every array is C-contiguous float32 NumPy, else
    None."""
    return _nk.kernels() if _nk.usable(*arrays) else None


def fused_adam(p, g, m, v, beta1, beta2, step_size, bc2_sqrt, eps):
    """The whole Adam update in one compiled pass (native, float32) when available; returns
    False (nothing done) otherwise. The scalars go in as float32, the precision PyTorch's
    float32 kernels compute in."""
    nk = _native(p, g, m, v)
    if nk is None:
        return False
    f = np.float32
    nk.adam(p, g, m, v, f(1 - beta1), f(beta2),
            f(1 - beta2), f(step_size), f(bc2_sqrt), f(eps))
    return True


def fused_sgd_momentum(p, g, buf, lr, momentum, dampening, wd, nesterov, maximize):
    """The SGD-with-momentum update (buffer already started) in one compiled pass when
    available; returns False (nothing done) otherwise."""
    nk = _native(p, g, buf)
    if nk is None:
        return False
    f = np.float32
    nk.sgd_momentum(p, g, buf, f(lr), f(momentum),
                    f(1 - dampening), f(wd), bool(nesterov), bool(maximize))
    return True


def fused_sgd(p, g, lr, wd, maximize):
    """The momentum-free SGD update in one compiled pass when available; returns False
    (nothing done) otherwise."""
    nk = _native(p, g)
    if nk is None:
        return False
    nk.sgd(p, g, lr, wd, maximize)
    return True


def decayed_grad(p, g, group, lr, out):
    """``effective_grad`` with the group's weight decay: decoupled (``p *= 1 - lr * wd``
    first, as AdamW) when the group sets ``decoupled_weight_decay``, else L2 on the grad."""
    wd = group["weight_decay"]
    if wd and group.get("decoupled_weight_decay", False):
        p *= 1 - lr * wd
        wd = 0
    return effective_grad(p, g, group["maximize"], wd, out)
