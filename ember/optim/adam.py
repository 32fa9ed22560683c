"""Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""
import numpy as np

from ..tensor import Tensor
from ._functional import (effective_grad, fused_adam, lerp_, mul_addcmul_, real, scalar_tensor,
                          scratch, zeros_like, bump)
from .optimizer import Optimizer, _to_scalar
from .sgd import _check_fused

__all__ = ["Adam"]


def check_lr_betas_eps_wd(lr, betas, eps, weight_decay):
    """The constructor checks shared by the Adam family, with PyTorch's messages."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-3``.
        betas (Tuple[float, float]): coefficients of the running averages of the gradient
            and its square. Default: ``(0.9, 0.999)``.
        eps (float): added to the denominator for stability. Default: ``1e-8``.
        weight_decay (float): weight decay (L2 penalty, or decoupled). Default: ``0``.
        amsgrad (bool): use the AMSGrad variant. Default: ``False``.
        maximize (bool): maximize the objective. Default: ``False``.
        decoupled_weight_decay (bool): AdamW-style decay ``p *= 1 - lr * wd``.
        foreach, capturable, differentiable, fused: accepted for compatibility.

    Example::

        >>> opt = Adam(model.parameters(), lr=1e-3)
        >>> opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
        check_lr_betas_eps_wd(lr, betas, eps, weight_decay)
        b0, b1 = betas
        if not ((isinstance(b0, float) and isinstance(b1, float))
                or (isinstance(b0, Tensor) and isinstance(b1, Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable,
                    "fused": fused, "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)

    def step(self, closure=None):
        """Perform a single optimization step.

        Args:
            closure (Callable, optional): re-evaluates the model and returns the loss.
        """
        loss = None
        if closure is not None:
            from ..autograd.grad_mode import enable_grad
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            eps = group["eps"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                if getattr(gt, "is_sparse", False):
                    raise RuntimeError("Adam does not support sparse gradients, please "
                                       "consider SparseAdam instead")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_tensor(0.0)
                    state["exp_avg"] = zeros_like(p)
                    state["exp_avg_sq"] = zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = zeros_like(p)
                step = bump(state["step"])
                pd = real(p._data)
                tmp, tmp2 = scratch(self, pd, 2)
                if wd != 0 and decoupled:
                    pd *= 1 - lr * wd
                    g = effective_grad(pd, real(gt._data), maximize, 0, tmp2)
                else:
                    g = effective_grad(pd, real(gt._data), maximize, wd, tmp2)
                m = real(state["exp_avg"]._data)
                v = real(state["exp_avg_sq"]._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                step_size = lr / bias_correction1
                if not amsgrad and fused_adam(pd, g, m, v, beta1, beta2, step_size,
                                              bias_correction2_sqrt, eps):
                    p._vc[0] += 1
                    continue
                lerp_(m, g, 1 - beta1, tmp)
                mul_addcmul_(v, beta2, g, 1 - beta2, tmp)
                if amsgrad:
                    vmax = real(state["max_exp_avg_sq"]._data)
                    np.maximum(vmax, v, out=vmax)
                    v = vmax
                # p -= step_size * m / (sqrt(v) / bc2_sqrt + eps), with the scalars folded
                # into the denominator: one pass fewer than PyTorch's formula, same value
                # to float32 rounding.
                np.sqrt(v, out=tmp)
                tmp *= -1.0 / (bias_correction2_sqrt * step_size)
                tmp -= eps / step_size
                np.divide(m, tmp, out=tmp)
                pd += tmp
                p._vc[0] += 1
        return loss
