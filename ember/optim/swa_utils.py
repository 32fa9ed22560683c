"""``torch.optim.swa_utils``: weight averaging (SWA, EMA), SWALR and ``update_bn``."""
import itertools
import math
import warnings
from copy import deepcopy

import numpy as np

from ..autograd.grad_mode import no_grad
from ..nn.modules.module import Module
from ..tensor import Tensor
from .lr_scheduler import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _n(num_averaged):
    return num_averaged.item() if isinstance(num_averaged, Tensor) else num_averaged


def _lerp_lists(avg_list, cur_list, weight):
    # In place on the arrays: avg += weight * (cur - avg), as torch._foreach_lerp_.
    for a, c in zip(avg_list, cur_list):
        ad, cd = a._data, c._data
        ad += (cd - ad) * weight
        a._vc[0] += 1


def _group_by_dtype(avg_list, cur_list):
    """Split the two lists by (device, dtype), keeping order, as PyTorch groups them."""
    groups = {}
    for a, c in zip(avg_list, cur_list):
        ga, gc = groups.setdefault((str(a.device), a._data.dtype), ([], []))
        ga.append(a)
        gc.append(c)
    return list(groups.values())


def get_ema_multi_avg_fn(decay=0.999):
    """In-place exponential moving average over lists of tensors, for ``multi_avg_fn``."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")

    def ema_update(ema_param_list, current_param_list, _):
        if ema_param_list[0].is_floating_point() or ema_param_list[0].is_complex():
            _lerp_lists(ema_param_list, current_param_list, 1 - decay)
        else:
            with no_grad():
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))
    return ema_update


def get_swa_multi_avg_fn():
    """In-place running (equal-weight) average over lists of tensors."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if averaged_param_list[0].is_floating_point() or averaged_param_list[0].is_complex():
            _lerp_lists(averaged_param_list, current_param_list, 1 / (_n(num_averaged) + 1))
        else:
            with no_grad():
                for a, c in zip(averaged_param_list, current_param_list):
                    a.copy_(a + (c - a) / (num_averaged + 1))
    return swa_update


def get_ema_avg_fn(decay=0.999):
    """``avg_fn`` for an exponential moving average of one tensor."""
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_avg_fn():
    """``avg_fn`` for the running average of one tensor."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters hold an average of ``model``'s over calls to
    :meth:`update_parameters` (SWA by default, EMA with ``get_ema_multi_avg_fn``).

    Args:
        model (Module): the model to average.
        device: where to keep the averaged copy (default: with the model).
        avg_fn: ``avg_fn(averaged, current, num_averaged) -> Tensor``, per parameter.
        multi_avg_fn: ``multi_avg_fn(averaged_list, current_list, num_averaged)``, in place.
        use_buffers (bool): average buffers too (else they are copied). Default: ``False``.

    Example::

        >>> swa_model = AveragedModel(model)
        >>> swa_model.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        from .. import int64, tensor
        self.register_buffer("n_averaged", tensor(0, dtype=int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold ``model``'s current parameters into the average."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param = self.parameters()
            model_param = model.parameters()
        n = int(self.n_averaged.item())
        self_list, model_list = [], []
        for p_avg, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach().to(p_avg.device)
            self_list.append(p_avg.detach())
            model_list.append(p_model_)
            if n == 0:
                np.copyto(p_avg._data, p_model_._data)
                p_avg._vc[0] += 1
        if n > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                for avg_group, model_group in _group_by_dtype(self_list, model_list):
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(avg_group, model_group,
                                          self.n_averaged.to(avg_group[0].device))
                    elif avg_group[0].is_floating_point() or avg_group[0].is_complex():
                        _lerp_lists(avg_group, model_group, 1 / (n + 1))
                    else:
                        # integer buffers: a true-division average truncated back, as
                        # PyTorch's copy_ of the float result does
                        for a, c in zip(avg_group, model_group):
                            new = a._data + (c._data - a._data) / (n + 1)
                            np.copyto(a._data, new, casting="unsafe")
                            a._vc[0] += 1
            else:
                for p_avg, p_model in zip(self_list, model_list):
                    new = self.avg_fn(p_avg.detach(), p_model, self.n_averaged.to(p_avg.device))
                    np.copyto(p_avg._data, new._data)
                    p_avg._vc[0] += 1
        if not self.use_buffers:
            # Buffers (e.g. BatchNorm running stats) follow the current model.
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                np.copyto(b_swa._data, b_model.detach().to(b_swa.device)._data)
                b_swa._vc[0] += 1
        self.n_averaged._data[...] += 1


def update_bn(loader, model, device=None):
    """Recompute BatchNorm running statistics with one pass over ``loader`` (the inputs, or
    ``(input, ...)`` tuples), as after SWA. Does nothing for a model without BatchNorm."""
    from ..nn.modules.batchnorm import _BatchNorm
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None  # a cumulative average over the whole pass
    with no_grad():
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
    for bn_module in momenta:
        bn_module.momentum = momenta[bn_module]
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to a fixed ``swa_lr`` over ``anneal_epochs`` epochs, then
    hold it (for stochastic weight averaging).

    Args:
        optimizer (Optimizer): the optimizer.
        swa_lr (float or list): the SWA learning rate(s).
        anneal_epochs (int): epochs of annealing. Default: ``10``.
        anneal_strategy (str): ``'cos'`` or ``'linear'``. Default: ``'cos'``.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use "
                          "`get_last_lr()`.", UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha)
                    for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha)
                for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" \
            else self._linear_anneal

    def state_dict(self):
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
