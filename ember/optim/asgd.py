"""ASGD: averaged stochastic gradient descent."""
import numpy as np

from ..tensor import Tensor
from ._functional import bump, effective_grad, real, scalar_tensor, scratch, zeros_like
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
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                if getattr(gt, "is_sparse", False):
                    raise RuntimeError("ASGD does not support sparse gradients")
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = scalar_tensor(0.0)
                    state["eta"] = scalar_tensor(lr)
                    state["mu"] = scalar_tensor(1.0)
                    state["ax"] = zeros_like(p)
                step = bump(state["step"])
                pd = real(p._data)
                tmp, tmp2 = scratch(self, pd, 2)
                g = effective_grad(pd, real(gt._data), group["maximize"],
                                   group["weight_decay"], tmp2)
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
        return loss
