"""Adamax: Adam with the infinity norm."""
import numpy as np

from ._functional import bump, decayed_grad, lerp_, real, scalar_tensor, scratch, zeros_like
from .adam import check_lr_betas_eps_wd
from .optimizer import Optimizer, _to_scalar

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Adam based on the infinity norm), as ``torch.optim.Adamax``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``2e-3``.
        betas (Tuple[float, float]): running-average coefficients. Default: ``(0.9, 0.999)``.
        eps (float): added for stability. Default: ``1e-8``.
        weight_decay (float): L2 penalty. Default: ``0``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, differentiable, capturable: accepted for compatibility.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_lr_betas_eps_wd(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    _sparse_name = "Adamax"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_inf"] = zeros_like(p)

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
            u = real(state["exp_inf"]._data)
            lerp_(m, g, 1 - beta1, tmp)
            # exp_inf = max(beta2 * exp_inf, |g| + eps)
            u *= beta2
            np.abs(g, out=tmp)
            tmp += eps
            np.maximum(u, tmp, out=u)
            clr = lr / (1 - beta1 ** step)
            np.divide(m, u, out=tmp)
            tmp *= -clr
            pd += tmp
            p._vc[0] += 1
