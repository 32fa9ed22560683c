"""SGD: stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""
import numpy as np

from ._functional import effective_grad, fused_sgd, fused_sgd_momentum, real, scratch
from ..tensor import Tensor
from .optimizer import Optimizer, _to_scalar

__all__ = ["SGD"]


def _check_fused(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Args:
        params (iterable): parameters or parameter groups to optimize.
        lr (float or Tensor): learning rate. Default: ``1e-3``.
        momentum (float): momentum factor. Default: ``0``.
        dampening (float): dampening for momentum. Default: ``0``.
        weight_decay (float): L2 penalty. Default: ``0``.
        nesterov (bool): use Nesterov momentum. Default: ``False``.
        maximize (bool): maximize the objective instead of minimizing. Default: ``False``.
        foreach, differentiable, fused: accepted for compatibility; Ember has one CPU path.

    Example::

        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(w).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

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
            momentum = group["momentum"]
            dampening = group["dampening"]
            wd = _to_scalar(group["weight_decay"])
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            state = self.state
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                pd = real(p._data)
                g = real(gt._data)
                if momentum == 0:
                    if fused_sgd(pd, g, lr, wd, bool(maximize)):
                        p._vc[0] += 1
                        continue
                else:
                    buf_t = state[p].get("momentum_buffer") if p in state else None
                    if buf_t is not None and fused_sgd_momentum(
                            pd, g, real(buf_t._data), lr, momentum, dampening, wd, nesterov,
                            maximize):
                        buf_t._vc[0] += 1
                        p._vc[0] += 1
                        continue
                tmp, tmp2 = scratch(self, pd, 2)
                g = effective_grad(pd, g, maximize, wd, tmp)
                if momentum != 0:
                    st = state[p]
                    buf_t = st.get("momentum_buffer")
                    if buf_t is None:
                        # The first step starts the buffer at the gradient (no dampening).
                        buf_t = _wrap_copy(gt, g)
                        st["momentum_buffer"] = buf_t
                        buf = real(buf_t._data)
                    else:
                        buf = real(buf_t._data)
                        buf *= momentum
                        if dampening:
                            np.multiply(g, 1 - dampening, out=tmp2)
                            buf += tmp2
                        else:
                            buf += g
                        buf_t._vc[0] += 1
                    if nesterov:
                        # grad + momentum * buf, into a buffer the user does not own
                        np.multiply(buf, momentum, out=tmp2)
                        tmp2 += g
                        g = tmp2
                    else:
                        g = buf
                if lr == 1:
                    pd -= g
                else:
                    out = tmp2 if g is not tmp2 else tmp
                    np.multiply(g, -lr, out=out)
                    pd += out
                p._vc[0] += 1
        return loss


def _wrap_copy(like, arr):
    """A new tensor holding a copy of ``arr`` with ``like``'s dtype (complex kept)."""
    c = arr.copy()
    if like._data.dtype.kind == "c":
        c = c.view(like._data.dtype)
    return Tensor._wrap(c)
