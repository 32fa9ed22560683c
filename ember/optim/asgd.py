"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from ..tensor import Tensor
from ._functional import bump, decayed_grad, real, scalar_tensor, scratch, zeros_like
from .optimizer import Optimizer, _to_scalar

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD, as ``torch.optim.ASGD``; the running average is ``state['ax']``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-2``.
        lambd (float): decay term. Default: ``1e-4``.
        alpha (float): power for the eta update. Default: ``0.75``.
        t0 (float): step at which averaging starts. Default: ``1e6``.
        weight_decay (float): L2 penalty. Default: ``0``.
        maximize (bool): maximize the objective. Default: ``False``.
        foreach, differentiable, capturable: accepted for compatibility.
    """

    _tensor_state_keys = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    _sparse_name = "ASGD"

    def _init_state(self, state, p, group):
        state["step"] = scalar_tensor(0.0)
        state["eta"] = scalar_tensor(_to_scalar(group["lr"]))
        state["mu"] = scalar_tensor(1.0)
        state["ax"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
        for p, gt, state in params:
            step = bump(state["step"])
            pd = real(p._data)
            tmp, tmp2 = scratch(self, pd, 2)
            g = decayed_grad(pd, real(gt._data), group, lr, tmp2)
            eta_t, mu_t = state["eta"], state["mu"]
            eta = float(eta_t._data)
            mu = float(mu_t._data)
            pd *= 1 - lambd * eta
            np.multiply(g, -eta, out=tmp)
            pd += tmp
            ax = real(state["ax"]._data)
            if mu != 1:
                np.subtract(pd, ax, out=tmp)
                tmp *= mu
                ax += tmp
            else:
                np.copyto(ax, pd)
            # eta and mu are float32 0-d tensors in PyTorch: store with that rounding.
            eta_t._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
            mu_t._data[...] = 1 / max(1, step - t0)
            p._vc[0] += 1
