"""NAdam: Adam with Nesterov momentum (and momentum decay)."""
import numpy as np

from ._functional import (bump, decayed_grad, lerp_, mul_addcmul_, real, scalar_tensor,
                          scratch, zeros_like)
from .adam import check_lr_betas_eps_wd
from .optimizer import Optimizer, _to_scalar

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``2e-3``.
        betas (Tuple[float, float]): running-average coefficients. Default: ``(0.9, 0.999)``.
        eps (float): added for stability. Default: ``1e-8``.
        weight_decay (float): weight decay. Default: ``0``.
        momentum_decay (float): momentum decay ``psi``. Default: ``4e-3``.
        decoupled_weight_decay (bool): decay as AdamW does (NAdamW). Default: ``False``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, capturable, differentiable: accepted for compatibility.
    """

    _tensor_state_keys = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_lr_betas_eps_wd(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    _sparse_name = "NAdam"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["mu_product"] = scalar_tensor(1.0)
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        psi = group["momentum_decay"]
        for p, gt, state in params:
            step = bump(state["step"])
            pd = real(p._data)
            tmp, tmp2, tmp3 = scratch(self, pd, 3)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            bias_correction2 = 1 - beta2 ** step
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
            # mu_product is a 0-d float32 tensor in PyTorch: keep its rounding.
            mp = state["mu_product"]._data
            mp *= mu
            mu_product = float(mp)
            mu_product_next = mu_product * mu_next
            m = real(state["exp_avg"]._data)
            v = real(state["exp_avg_sq"]._data)
            lerp_(m, g, 1 - beta1, tmp)
            mul_addcmul_(v, beta2, g, 1 - beta2, tmp)
            np.divide(v, bias_correction2, out=tmp3)
            np.sqrt(tmp3, out=tmp3)
            tmp3 += eps
            np.divide(g, tmp3, out=tmp)
            tmp *= -lr * (1.0 - mu) / (1.0 - mu_product)
            pd += tmp
            np.divide(m, tmp3, out=tmp)
            tmp *= (-lr * mu_next) / (1.0 - mu_product_next)
            pd += tmp
            p._vc[0] += 1
