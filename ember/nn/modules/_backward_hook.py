"""Module full backward hooks: identity nodes around a module's inputs and outputs.

The output node sees ``grad_output`` (pre-hooks may replace it); the input node sees
``grad_input`` once every input gradient is known, and calls the hooks with both.
"""
from ...autograd.function import Function
from ...autograd.grad_mode import state
from ...tensor import Tensor

__all__ = []


class _Identity(Function):
    @staticmethod
    def forward(ctx, hook_fn, *tensors):
        ctx.hook_fn = hook_fn
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.hook_fn(grads))


BackwardHookFunctionBackward = _Identity


class BackwardHook:
    __slots__ = ("module", "hooks", "pre_hooks", "n_inputs", "input_pos", "grad_outputs")

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.n_inputs = 0
        self.input_pos = ()
        self.grad_outputs = None

    def setup_input_hook(self, args):
        tensor_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(tensor_idx)
        need = [i for i in tensor_idx if args[i].requires_grad] if state.enabled else []
        # position within grad_input for each wrapped input
        self.input_pos = tuple(tensor_idx.index(i) for i in need)
        if not need or not self.hooks:
            return args
        outs = _Identity.apply(self._on_input_grads, *[args[i] for i in need])
        args = list(args)
        for i, o in zip(need, outs):
            args[i] = o
        return tuple(args)

    def setup_output_hook(self, result):
        if not state.enabled:
            return result
        single = isinstance(result, Tensor)
        items = (result,) if single else result
        if not isinstance(items, (tuple, list)):
            return result
        idx = [i for i, o in enumerate(items) if isinstance(o, Tensor) and o.requires_grad]
        if not idx:
            return result
        outs = _Identity.apply(self._on_output_grads, *[items[i] for i in idx])
        new = list(items)
        for i, o in zip(idx, outs):
            new[i] = o
        if single:
            return new[0]
        if hasattr(items, "_fields"):
            return type(items)(*new)
        return type(items)(new)

    def _on_output_grads(self, grads):
        grads = tuple(grads)
        for hook in self.pre_hooks:
            res = hook(self.module, grads)
            if res is not None:
                res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                if len(res) != len(grads):
                    raise RuntimeError(f"Backward pre hook returned an invalid number of grad "
                                       f"output, got {len(res)}, but expected {len(grads)}")
                grads = res
        self.grad_outputs = grads
        if not self.input_pos and self.hooks:
            # No input needs a gradient: the hooks run now, with grad_input of Nones.
            for hook in self.hooks:
                res = hook(self.module, (None,) * self.n_inputs, grads)
                if res is not None and any(r is not None for r in res):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
        return grads

    def _on_input_grads(self, grads):
        full = [None] * self.n_inputs
        for p, g in zip(self.input_pos, grads):
            full[p] = g
        full = tuple(full)
        for hook in self.hooks:
            res = hook(self.module, full, self.grad_outputs)
            if res is not None:
                res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
                if len(res) != len(full):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(res)}, but expected {len(full)}")
                full = res
        return tuple(full[p] for p in self.input_pos)
