"""Adagrad."""
import numpy as np

from ..tensor import Tensor
from ._functional import bump, decayed_grad, full_like, real, scalar_tensor, scratch
from .optimizer import Optimizer, _to_scalar
from .sgd import _check_fused

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``. State is created for every parameter at
    construction, as PyTorch does.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-2``.
        lr_decay (float): learning-rate decay. Default: ``0``.
        weight_decay (float): L2 penalty. Default: ``0``.
        initial_accumulator_value (float): starting value of the squared-gradient sums.
        eps (float): added to the denominator. Default: ``1e-10``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, differentiable, fused: accepted for compatibility.
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_tensor(0.0)
                v = initial_accumulator_value
                init = complex(v, v) if p._data.dtype.kind == "c" else v
                state["sum"] = full_like(p, init)

    def share_memory(self):
        """No-op: Ember's state already lives in ordinary process memory."""

    def _update(self, group, params):
        # state was created for every parameter in __init__, as PyTorch does
        lr = _to_scalar(group["lr"])
        lr_decay = group["lr_decay"]
        eps = group["eps"]
        for p, gt, state in params:
            step = bump(state["step"])
            pd = real(p._data)
            tmp, tmp2 = scratch(self, pd, 2)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            clr = lr / (1 + (step - 1) * lr_decay)
            s = real(state["sum"]._data)
            np.multiply(g, g, out=tmp)
            s += tmp
            np.sqrt(s, out=tmp)
            tmp += eps
            np.divide(g, tmp, out=tmp)
            tmp *= -clr
            pd += tmp
            p._vc[0] += 1
