"""Adadelta."""
import numpy as np

from ..tensor import Tensor
from ._functional import (bump, decayed_grad, mul_addcmul_, real, scalar_tensor, scratch,
                          zeros_like)
from .optimizer import Optimizer, _to_scalar

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): coefficient scaling the delta. Default: ``1.0``.
        rho (float): running-average coefficient. Default: ``0.9``.
        eps (float): added for stability. Default: ``1e-6``.
        weight_decay (float): L2 penalty. Default: ``0``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, capturable, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _sparse_name = "Adadelta"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["square_avg"] = zeros_like(p)
        state["acc_delta"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        rho = group["rho"]
        eps = group["eps"]
        for p, gt, state in params:
            bump(state["step"])
            pd = real(p._data)
            tmp, tmp2, delta = scratch(self, pd, 3)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            sq = real(state["square_avg"]._data)
            acc = real(state["acc_delta"]._data)
            mul_addcmul_(sq, rho, g, 1 - rho, tmp)
            # delta = sqrt(acc + eps) / sqrt(sq + eps) * g
            np.add(sq, eps, out=tmp)
            np.sqrt(tmp, out=tmp)
            np.add(acc, eps, out=delta)
            np.sqrt(delta, out=delta)
            delta /= tmp
            delta *= g
            mul_addcmul_(acc, rho, delta, 1 - rho, tmp)
            delta *= -lr
            pd += delta
            p._vc[0] += 1
