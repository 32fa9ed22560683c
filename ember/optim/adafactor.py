"""Adafactor (Shazeer & Stern, 2018) as ``torch.optim.Adafactor``: second moments kept as
row and column factors for matrices, relative step sizes, update clipping."""
import numpy as np

from ._functional import bump, scalar_tensor, zeros_like
from .optimizer import Optimizer, _to_scalar

__all__ = ["Adafactor"]


def lerp_exact(a, b, w):
    """``a.lerp_(b, w)`` with PyTorch's two-branch formula (bit-compatible in float32)."""
    w = a.dtype.type(w)
    if abs(w) < 0.5:
        a += w * (b - a)
    else:
        a[...] = b - (b - a) * (a.dtype.type(1) - w)


class Adafactor(Optimizer):
    """Adafactor, as ``torch.optim.Adafactor``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): upper bound of the relative step size. Default: ``1e-2``.
        beta2_decay (float): the second-moment rate is ``step ** beta2_decay``.
            Default: ``-0.8``.
        eps (Tuple[float or None, float]): ``(eps1, eps2)``: eps1 guards the second-moment
            estimate (default: the dtype's machine epsilon), eps2 floors the parameter scale.
            Default: ``(None, 1e-3)``.
        d (float): update clipping threshold. Default: ``1.0``.
        weight_decay (float): decoupled weight decay. Default: ``0.0``.
        maximize (bool): maximize the objective. Default: ``False``.
    """

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        lr_v = _to_scalar(lr)
        if not 0.0 <= lr_v:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    _sparse_name = "Adafactor"

    def _init_state(self, state, p, group):
        if p.is_complex():
            raise RuntimeError("Adafactor does not support complex parameters")
        state["step"] = scalar_tensor(0.0)
        g = p._grad._data
        if g.ndim > 1:
            row = list(g.shape)
            row[-1] = 1
            col = list(g.shape)
            col[-2] = 1
            state["row_var"] = p._grad.new_zeros(row)
            state["col_var"] = p._grad.new_zeros(col)
        else:
            state["variance"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        eps1, eps2 = group["eps"]
        d = group["d"]
        wd = group["weight_decay"]
        for p, gt, state in params:
            if p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
            pd = p._data
            g = -gt._data if group["maximize"] else gt._data
            if eps1 is None:
                # PyTorch fixes eps1 from the first parameter of the group it sees.
                eps1 = float(np.finfo(pd.dtype).eps)
            step = bump(state["step"])
            rate = step ** group["beta2_decay"]
            rho = min(lr, 1 / (step ** 0.5))
            alpha = max(eps2, float(np.sqrt(np.sum(pd * pd, dtype=pd.dtype))) /
                        (pd.size ** 0.5)) * rho
            if wd != 0:
                pd *= pd.dtype.type(1 - lr * wd)
            if g.ndim > 1:
                row_var = state["row_var"]._data
                col_var = state["col_var"]._data
                sq = g * g
                row_mean = np.sqrt(sq.sum(-1, keepdims=True))
                row_mean *= row_mean
                row_mean /= pd.dtype.type(g.shape[-1])
                lerp_exact(row_var, row_mean, rate)
                col_mean = np.sqrt(sq.sum(-2, keepdims=True))
                col_mean *= col_mean
                col_mean /= pd.dtype.type(g.shape[-2])
                lerp_exact(col_var, col_mean, rate)
                var = row_var @ col_var
                var /= np.maximum(row_var.mean(-2, keepdims=True), pd.dtype.type(eps1))
                state["row_var"]._vc[0] += 1
                state["col_var"]._vc[0] += 1
            else:
                v = state["variance"]._data
                lerp_exact(v, g * g, rate)
                state["variance"]._vc[0] += 1
                var = v.copy()
            np.maximum(var, pd.dtype.type(eps1 * eps1), out=var)
            update = 1 / np.sqrt(var)
            update *= g
            rms = float(np.sqrt(np.sum(update * update, dtype=update.dtype)))
            denom = max(1.0, rms / ((update.size ** 0.5) * d))
            update *= pd.dtype.type(-alpha / denom)
            pd += update
            p._vc[0] += 1
