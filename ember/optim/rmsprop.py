"""RMSprop (optionally centered, with momentum)."""
import numpy as np

from ..tensor import Tensor
from ._functional import (bump, decayed_grad, lerp_, mul_addcmul_, real, scalar_tensor,
                          scratch, zeros_like)
from .optimizer import Optimizer, _to_scalar

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-2``.
        alpha (float): smoothing constant. Default: ``0.99``.
        eps (float): added to the denominator. Default: ``1e-8``.
        weight_decay (float): L2 penalty. Default: ``0``.
        momentum (float): momentum factor. Default: ``0``.
        centered (bool): normalise by an estimate of the gradient's variance.
        maximize (bool): maximize the objective. Default: ``False``.
        capturable, foreach, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _sparse_name = "RMSprop"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["square_avg"] = zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        alpha = group["alpha"]
        eps = group["eps"]
        momentum = group["momentum"]
        centered = group["centered"]
        for p, gt, state in params:
            bump(state["step"])
            pd = real(p._data)
            tmp, tmp2, avg = scratch(self, pd, 3)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            sq = real(state["square_avg"]._data)
            mul_addcmul_(sq, alpha, g, 1 - alpha, tmp)
            if centered:
                ga = real(state["grad_avg"]._data)
                lerp_(ga, g, 1 - alpha, tmp)
                np.multiply(ga, ga, out=avg)
                np.subtract(sq, avg, out=avg)
                np.sqrt(avg, out=avg)
            else:
                np.sqrt(sq, out=avg)
            avg += eps
            if momentum > 0:
                buf = real(state["momentum_buffer"]._data)
                buf *= momentum
                np.divide(g, avg, out=tmp)
                buf += tmp
                np.multiply(buf, -lr, out=tmp)
            else:
                np.divide(g, avg, out=tmp)
                tmp *= -lr
            pd += tmp
            p._vc[0] += 1
