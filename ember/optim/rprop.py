"""Rprop: resilient backpropagation."""
import numpy as np

from ..tensor import Tensor
from ._functional import bump, real, scalar_tensor, scratch, zeros_like, full_like
from .optimizer import Optimizer, _to_scalar

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, as ``torch.optim.Rprop``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): initial step size. Default: ``1e-2``.
        etas (Tuple[float, float]): (etaminus, etaplus) factors. Default: ``(0.5, 1.2)``.
        step_sizes (Tuple[float, float]): min and max step sizes. Default: ``(1e-6, 50)``.
        maximize (bool): maximize the objective. Default: ``False``.
        capturable, foreach, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    _sparse_name = "Rprop"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["prev"] = zeros_like(p)
        lr = _to_scalar(group["lr"])
        state["step_size"] = full_like(p, complex(lr, lr) if p._data.dtype.kind == "c" else lr)

    def _update(self, group, params):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p, gt, state in params:
            bump(state["step"])
            pd = real(p._data)
            g = real(gt._data)
            prev = real(state["prev"]._data)
            step_size = real(state["step_size"]._data)
            factor, gnew = scratch(self, pd, 2)
            if group["maximize"]:
                np.negative(g, out=gnew)
            else:
                np.copyto(gnew, g)
            # factor = etaplus where g*prev > 0, etaminus where < 0, 1 where == 0
            np.multiply(gnew, prev, out=factor)
            np.sign(factor, out=factor)
            pos = factor > 0
            neg = factor < 0
            factor.fill(1)
            factor[pos] = etaplus
            factor[neg] = etaminus
            step_size *= factor
            np.clip(step_size, step_size_min, step_size_max, out=step_size)
            # where the sign flipped the gradient is taken as zero (no step, no memory)
            gnew[neg] = 0
            np.sign(gnew, out=factor)
            factor *= step_size
            pd -= factor
            np.copyto(prev, gnew)
            p._vc[0] += 1
