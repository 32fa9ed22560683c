"""RAdam: Adam with a rectified adaptive learning rate."""
import numpy as np

from ._functional import (bump, decayed_grad, lerp_, mul_addcmul_, real, scalar_tensor,
                          scratch, zeros_like)
from .adam import check_lr_betas_eps_wd
from .optimizer import Optimizer, _to_scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-3``.
        betas (Tuple[float, float]): running-average coefficients. Default: ``(0.9, 0.999)``.
        eps (float): added for stability. Default: ``1e-8``.
        weight_decay (float): weight decay. Default: ``0``.
        decoupled_weight_decay (bool): decay as AdamW does. Default: ``False``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, capturable, differentiable: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_lr_betas_eps_wd(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _sparse_name = "RAdam"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        for p, gt, state in params:
            step = bump(state["step"])
            pd = real(p._data)
            tmp, tmp2 = scratch(self, pd, 2)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            m = real(state["exp_avg"]._data)
            v = real(state["exp_avg_sq"]._data)
            lerp_(m, g, 1 - beta1, tmp)
            mul_addcmul_(v, beta2, g, 1 - beta2, tmp)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            rho_inf = 2 / (1 - beta2) - 1
            rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                # p -= m / bc1 * lr * sqrt(bc2) / (sqrt(v) + eps) * rect
                np.sqrt(v, out=tmp)
                tmp += eps
                np.divide(m, tmp, out=tmp)
                tmp *= -(lr / bias_correction1) * (bias_correction2 ** 0.5) * rect
            else:
                np.multiply(m, -lr / bias_correction1, out=tmp)
            pd += tmp
            p._vc[0] += 1
